/**
 * The npm package: `npm pack` of the build gives a tarball that installs with no dependencies (offline, into a
 * temporary prefix) and runs `fklens check`, including the README's CI example `npx fklens check --format sarif`.
 * The VSIX packs the same files (package.json `files` is the one list vsce and npm both use).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true', ...env } });

test('npm pack: a tarball of the build with no dependencies that installs globally offline and runs fklens check', () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'fklens-pack-')));
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.private, undefined, 'publishable');
    assert.match(pkg.repository.url, /^https:\/\/github\.com\//);
    assert.equal(pkg.engines.node, '>=20');
    assert.equal(pkg.bin.fklens, './dist/cli.js');
    assert.deepEqual(pkg.dependencies ?? {}, {}, 'everything is bundled into dist/');
    assert.ok(!existsSync(join(ROOT, '.vscodeignore')), 'one file list (package.json files) for the VSIX and the npm package');

    // The build npm test made (prepack would make the same one with --production; not run here, other tests use dist/).
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', base], ROOT);
    assert.equal(pack.status, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path).sort();
    for (const f of ['dist/cli.js', 'dist/libpg-query.wasm', 'dist/server.js', 'dist/client/extension.js', 'dist/webview/erd.js', 'package.json', 'README.md', 'LICENSE', 'schemas/fklens.schema.json']) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    assert.deepEqual(files.filter((f) => /\.map$|^(server|client|test|scripts|bench|examples|node_modules)\/|\.ts$/.test(f)), [], 'no sources, tests or maps');

    const tarball = join(base, info.filename);
    const prefix = join(base, 'prefix');
    const install = npm(['install', '-g', '--prefix', prefix, tarball], base);
    assert.equal(install.status, 0, install.stderr);
    const fklens = join(prefix, 'bin', 'fklens');
    assert.ok(existsSync(join(prefix, 'lib/node_modules/fklens/dist/cli.js')));
    assert.ok(!existsSync(join(prefix, 'lib/node_modules/fklens/node_modules')), 'no dependencies installed');

    const project = join(base, 'project');
    mkdirSync(join(project, 'db/migrations'), { recursive: true });
    writeFileSync(join(project, 'db/migrations/0001_init.up.sql'), 'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users ON DELETE SET NULL);\n');
    const version = spawnSync(fklens, ['--version'], { encoding: 'utf8' });
    assert.equal(version.stdout.trim(), pkg.version);
    const check = spawnSync(fklens, ['check'], { cwd: project, encoding: 'utf8' });
    assert.equal(check.status, 1, check.stderr);
    assert.match(check.stdout, /^db\/migrations\/0001_init\.up\.sql:2:\d+ error set-null-on-not-null /m);
    const erd = spawnSync(fklens, ['erd', '--format', 'html', '--out', 'erd.html'], { cwd: project, encoding: 'utf8' });
    assert.equal(erd.status, 0, `the webview assets are packed: ${erd.stderr}`);

    // The README's CI step, from a project that has the tarball as a (dev) dependency: npx finds its bin.
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'ci-project', private: true }));
    const local = npm(['install', '--save-dev', tarball], project);
    assert.equal(local.status, 0, local.stderr);
    const npx = spawnSync('npx', ['--no-install', 'fklens', 'check', '--format', 'sarif'], { cwd: project, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true' } });
    assert.equal(npx.status, 1, npx.stderr);
    const sarif = JSON.parse(npx.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.deepEqual(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId).sort(), ['fk-missing-index', 'set-null-on-not-null']);
    assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'db/migrations/0001_init.up.sql');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
