/**
 * The bundles load only what a command needs (issue 15): `fklens check` / `model` of a PostgreSQL project
 * never loads elkjs, @babel/parser or node-sql-parser (dist/vendor/*.js); a JS migration, a MySQL file or an
 * SVG diagram loads exactly the library it needs. Checked on the built dist/cli.js by recording every file
 * node loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');

/** Runs dist/cli.js with a preload that prints, at exit, every dist/vendor bundle that was loaded. */
function vendorsLoaded(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fklens-lazy-'));
  const hook = join(dir, 'hook.js');
  writeFileSync(
    hook,
    `const Module = require('module');
const seen = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const resolved = (() => { try { return Module._resolveFilename(request, parent, isMain); } catch { return request; } })();
  if (/[\\\\/]vendor[\\\\/][^\\\\/]+\\.js$/.test(resolved)) seen.add(require('path').basename(resolved, '.js'));
  return load.apply(this, arguments);
};
process.on('exit', () => process.stderr.write('\\nVENDORS:' + [...seen].sort().join(',') + '\\n'));
`,
  );
  const r = spawnSync(process.execPath, ['--require', hook, resolve(root, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8' });
  const line = /VENDORS:(.*)/.exec(r.stderr);
  assert.ok(line, `no report from the preload (exit ${r.status}): ${r.stderr.slice(0, 500)}`);
  assert.ok(r.status === 0 || r.status === 1, `fklens ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  return line[1] ? line[1].split(',') : [];
}

test('check and model of a PostgreSQL project load none of the vendor bundles', () => {
  assert.deepEqual(vendorsLoaded(['check', 'examples/shop']), []);
  assert.deepEqual(vendorsLoaded(['model', 'examples/shop', '--json']), []);
});

test('a JS migration loads @babel/parser only; a MySQL file node-sql-parser only; an SVG diagram elkjs', () => {
  assert.deepEqual(vendorsLoaded(['check', 'test/fixtures/js/knex-app']), ['babel-parser']);
  const mysql = mkdtempSync(join(tmpdir(), 'fklens-lazy-mysql-'));
  writeFileSync(join(mysql, 'schema.sql'), 'CREATE TABLE a (id INT PRIMARY KEY) ENGINE=InnoDB;\nCREATE TABLE b (a_id INT, FOREIGN KEY (a_id) REFERENCES a (id)) ENGINE=InnoDB;\n');
  assert.deepEqual(vendorsLoaded(['check', mysql]), ['node-sql-parser-mysql']);
  assert.deepEqual(vendorsLoaded(['erd', 'examples/shop', '--format', 'svg', '--out', join(mysql, 'erd.svg')]), ['elkjs']);
});
