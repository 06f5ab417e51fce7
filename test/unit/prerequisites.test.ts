/** `npm test` checks the system first (scripts/prerequisites.mjs): one line per missing piece, exit 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../../scripts/prerequisites.mjs');

test('with every prerequisite present it says nothing; each missing one is one line with what needs it and the fix', () => {
  const ok = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stderr, '');

  // An empty PATH, and the binaries' settings pointing nowhere.
  const empty = mkdtempSync(join(tmpdir(), 'fklens-nopath-'));
  const env = { PATH: empty, FKLENS_PG_BINDIR: join(empty, 'pg'), FKLENS_CHROMIUM: join(empty, 'chromium'), FKLENS_E2E_CHROMIUM: join(empty, 'chromium') };
  const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  for (const what of ['PostgreSQL (initdb, pg_ctl, psql)', 'sqlite3', 'Active Record (ruby, ruby-activerecord, ruby-pg)', 'git', 'chromium', 'chromium on PATH']) {
    assert.equal(lines.filter((l) => l.startsWith(`npm test: ${what} is missing: `)).length, 1, `${what}:\n${r.stderr}`);
  }
  assert.match(r.stderr, /npm test: sqlite3 is missing: test\/sqlite runs the sqlite3 shell\. Fix: apt-get install -y sqlite3\./);
  assert.match(lines.at(-1)!, /prerequisite\(s\) missing; on Debian\/Ubuntu all at once: apt-get install -y postgresql sqlite3 ruby-activerecord ruby-pg git chromium python3 g\+\+ make libkrb5-dev$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');

  // Without the end-to-end tests, what only they need is not asked for.
  const noE2e = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...env, FKLENS_SKIP_E2E: '1' } });
  assert.doesNotMatch(noE2e.stderr, /chromium on PATH/);
});
