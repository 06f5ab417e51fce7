/**
 * Speed work changes no finding and no model field (issue 15): the full JSON output of `fklens model --json` and
 * `fklens check --format json` (the built dist/cli.js) is identical on the reader's fast path (large files read
 * in chunks of statements, each chunk's tokens reused for the ranges) and on the reference path
 * (FKLENS_REFERENCE_PARSE=1: one libpg-query call per file, tokens found again per statement), on every corpus
 * source and on large generated files, with and without syntax errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CORPUS } from '../support/corpus';

const root = resolve(__dirname, '../../..');

function output(args: string[], reference: boolean): string {
  const env = { ...process.env, FKLENS_REFERENCE_PARSE: reference ? '1' : '0' };
  const r = spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8', env, maxBuffer: 1 << 28 });
  assert.ok(r.status === 0 || r.status === 1, `fklens ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

function samePaths(dir: string): void {
  for (const args of [['model', dir, '--json'], ['check', dir, '--format', 'json', '--fail-on', 'never']]) {
    const fast = output(args, false);
    const reference = output(args, true);
    if (!fast && !reference) continue;
    assert.ok(fast.length > 2, `no output from fklens ${args.join(' ')}`);
    assert.equal(fast, reference, `fklens ${args.join(' ')} differs between the fast and the reference path`);
  }
}

const sources = existsSync(CORPUS) ? readdirSync(CORPUS).filter((id) => existsSync(join(CORPUS, id, 'files'))) : [];

test('every corpus source: the same model and findings on both paths', { skip: sources.length ? false : 'corpus not found' }, () => {
  for (const id of sources) samePaths(join(CORPUS, id, 'files'));
});

test('large files read in many chunks, with syntax errors in some: the same on both paths', { skip: sources.includes('danbooru-structure') ? false : 'corpus not found' }, () => {
  const dump = readFileSync(join(CORPUS, 'danbooru-structure/files/db/structure.sql'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'fklens-paths-'));
  mkdirSync(join(dir, 'db'));
  // Four schemas' copies in one file (800 KB, a dozen chunks), and a copy with statements broken in the middle of chunks.
  const copies = [1, 2, 3, 4].map((i) => `CREATE SCHEMA copy_${i};\n` + dump.replace(/\bpublic\./g, `copy_${i}.`).replace(/SCHEMA public\b/g, `SCHEMA copy_${i}`)).join('\n');
  writeFileSync(join(dir, 'db/structure.sql'), copies);
  let broken = copies;
  for (const at of [0.2, 0.55, 0.8]) {
    const i = broken.indexOf('CREATE TABLE', Math.floor(broken.length * at));
    broken = broken.slice(0, i) + 'CREATE TABLE (' + broken.slice(i + 'CREATE TABLE'.length);
  }
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other/broken.sql'), broken);
  const check = JSON.parse(output(['check', dir, '--format', 'json', '--fail-on', 'never'], false)) as { findings?: { rule?: string; ruleId?: string }[] } | { rule?: string }[];
  assert.match(JSON.stringify(check), /syntax-error/, 'the broken statements are reported');
  samePaths(dir);
});
