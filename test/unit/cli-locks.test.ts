/** `fklens locks` on the built CLI (dist/cli.js): the JSON shape, the text table, names made safe, usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const cli = (args: string[], cwd = root) => spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd, encoding: 'utf8' });

interface Json {
  statements: { file: string; line: number; column: number; statement: string; locks: { schema: string; table: string; mode: string; blocks: string[]; scan: string }[] }[];
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fklens-locks-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE TABLE notes (id bigint PRIMARY KEY);
`;

test('fklens locks --json: one entry per statement touching an FK table, both tables of the FK, the strongest mode per table', () => {
  const dir = project({
    'db/migrations/0001_init.up.sql': SETUP,
    'db/migrations/0002_drop_fk.up.sql': '-- the FK goes\n  TRUNCATE orders;\nALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nALTER TABLE notes ADD COLUMN body text;\nTRUNCATE orders;\n',
  });
  try {
    // Paths as every command prints them: relative to the current directory.
    const r = cli(['locks', '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Json;
    const second = json.statements.filter((s) => s.file === 'db/migrations/0002_drop_fk.up.sql');
    assert.ok(json.statements.every((s) => s.file.startsWith('db/migrations/')), r.stdout);
    // notes takes part in no FK, nor does orders once its FK is gone: those statements are not listed.
    assert.deepEqual(
      second.map((s) => [s.line, s.column, s.statement]),
      [
        [2, 3, 'TRUNCATE orders'],
        [3, 1, 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey'],
      ],
    );
    assert.deepEqual(second[0].locks, [{ schema: 'public', table: 'orders', mode: 'ACCESS EXCLUSIVE', blocks: ['reads', 'writes', 'ddl'], scan: 'none' }]);
    assert.deepEqual(second[1].locks, [
      { schema: 'public', table: 'orders', mode: 'ACCESS EXCLUSIVE', blocks: ['reads', 'writes', 'ddl'], scan: 'none' },
      { schema: 'public', table: 'users', mode: 'ACCESS EXCLUSIVE', blocks: ['reads', 'writes', 'ddl'], scan: 'none' },
    ]);
    // CREATE TABLE orders ... REFERENCES users: SHARE ROW EXCLUSIVE on users.
    const create = json.statements.find((s) => s.statement === 'CREATE TABLE orders')!;
    assert.deepEqual(create.locks.map((l) => `${l.table} ${l.mode} ${l.blocks.join('+')}`), ['orders ACCESS EXCLUSIVE reads+writes+ddl', 'users SHARE ROW EXCLUSIVE writes+ddl']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fklens locks: a compact table, one row per locked table', () => {
  const r = cli(['locks', 'examples/shop']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^LOCATION\s+STATEMENT\s+TABLE\s+MODE\s+BLOCKS\s+SCAN$/);
  const add = lines.findIndex((l) => l.includes('ADD CONSTRAINT orders_shipping_address_id_fkey'));
  assert.ok(add > 0, r.stdout);
  assert.match(lines[add], /^examples\/shop\/db\/migrations\/0004_shipping_addresses\.up\.sql:\d+:1\s.*\sorders\s+SHARE ROW EXCLUSIVE\s+writes, DDL\s+scan$/);
  assert.match(lines[add + 1], /^\s+addresses\s+SHARE ROW EXCLUSIVE\s+writes, DDL\s+-$/);
  assert.match(lines[lines.length - 1], /^\d+ statement\(s\), \d+ table lock\(s\)\.$/);
});

test('fklens locks: names from the files cannot reach the terminal as control characters', () => {
  const dir = project({
    'db/migrations/0001_init.up.sql': 'CREATE TABLE "users\x1b[2J" (id bigint PRIMARY KEY);\nCREATE TABLE "orders\u202e" (id bigint PRIMARY KEY, user_id bigint REFERENCES "users\x1b[2J" (id));\n',
  });
  try {
    const r = cli(['locks', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /[\x1b\u202e]/);
    assert.match(r.stdout, /users\\e\[2J/);
    assert.match(r.stdout, /orders\\u202e/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fklens locks: help, bad option, missing directory, and a project without FKs', () => {
  const help = cli(['locks', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: fklens locks/);
  const bad = cli(['locks', '--nope']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option '--nope'/);
  assert.equal(cli(['locks', 'no/such/dir']).status, 2);
  const dir = project({ 'db/migrations/0001_init.up.sql': 'CREATE TABLE notes (id bigint PRIMARY KEY);\n' });
  try {
    const r = cli(['locks', dir]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^No statement of the PostgreSQL migrations under .* locks a table that takes part in a foreign key\.$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
