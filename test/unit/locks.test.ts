/**
 * The lock model's bookkeeping (what PostgreSQL locks is checked in test/pg/locks.test.ts): SET lock_timeout in
 * its forms and scopes, which statements are recorded, names as they were, and an edit replayed from a
 * checkpoint giving the same records as a fresh replay.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import type { StatementLocks } from '../../server/src/model/replay';

before(async () => {
  await initPostgresParser();
});

const INIT = `CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
`;

function locksOf(files: Record<string, string>): StatementLocks[] {
  const ws = new Workspace({});
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  return ws.model().histories.flatMap((h) => h.locks);
}

/** The lock_timeout each recorded statement of the second migration runs under: `value` or `-`. */
function timeouts(sql: string, path = 'db/migrations/0002_next.up.sql'): string[] {
  return locksOf({ 'db/migrations/0001_init.up.sql': INIT, [path]: sql })
    .filter((l) => l.file === path)
    .map((l) => `${l.summary.split(' ')[0]} ${l.lockTimeout ? `${l.lockTimeout.value}${l.lockTimeout.local ? ' local' : ''}` : '-'}`);
}

test('SET lock_timeout, SET LOCAL, set_config, RESET, 0 and the transaction boundaries', () => {
  assert.deepEqual(timeouts("ALTER TABLE orders ADD COLUMN a int;\nSET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN b int;\n"), ['ALTER -', 'ALTER 5s']);
  assert.deepEqual(timeouts('SET lock_timeout TO 5000;\nTRUNCATE orders;\nSET lock_timeout = 0;\nTRUNCATE orders;\n'), ['TRUNCATE 5000', 'TRUNCATE -']);
  assert.deepEqual(timeouts("SET SESSION lock_timeout = '1min';\nRESET lock_timeout;\nTRUNCATE orders;\n"), ['TRUNCATE -']);
  assert.deepEqual(timeouts("SELECT set_config('lock_timeout', '3s', false);\nTRUNCATE orders;\n"), ['TRUNCATE 3s']);
  // SET LOCAL lasts until the transaction ends; a session SET outlives COMMIT but not ROLLBACK.
  assert.deepEqual(timeouts("BEGIN;\nSET LOCAL lock_timeout = '2s';\nTRUNCATE orders;\nCOMMIT;\nTRUNCATE orders;\n"), ['TRUNCATE 2s local', 'TRUNCATE -']);
  assert.deepEqual(timeouts("BEGIN;\nSELECT set_config('lock_timeout', '2s', true);\nTRUNCATE orders;\nCOMMIT;\n"), ['TRUNCATE 2s local']);
  assert.deepEqual(timeouts("BEGIN;\nSET lock_timeout = '2s';\nCOMMIT;\nTRUNCATE orders;\n"), ['TRUNCATE 2s']);
  assert.deepEqual(timeouts("BEGIN;\nSET lock_timeout = '2s';\nROLLBACK;\nTRUNCATE orders;\n"), ['TRUNCATE -']);
  // A local value wins over the session's while the transaction lasts, also when it turns the timeout off.
  assert.deepEqual(timeouts("SET lock_timeout = '5s';\nBEGIN;\nSET LOCAL lock_timeout = 0;\nTRUNCATE orders;\nCOMMIT;\nTRUNCATE orders;\n"), ['TRUNCATE -', 'TRUNCATE 5s']);
});

test('every migration starts a new session: a lock_timeout does not carry over to the next file', () => {
  const locks = locksOf({
    'db/migrations/0001_init.up.sql': INIT,
    'db/migrations/0002_a.up.sql': "SET lock_timeout = '5s';\nTRUNCATE orders;\n",
    'db/migrations/0003_b.up.sql': 'TRUNCATE orders;\n',
  });
  assert.deepEqual(locks.filter((l) => l.summary === 'TRUNCATE orders').map((l) => [l.file, l.lockTimeout?.value ?? '-']), [
    ['db/migrations/0002_a.up.sql', '5s'],
    ['db/migrations/0003_b.up.sql', '-'],
  ]);
});

test('a knex migration setting lock_timeout from a variable still sets it', () => {
  const locks = locksOf({
    'knexfile.js': "module.exports = { development: { client: 'pg', migrations: { directory: './migrations' } } };\n",
    'migrations/20240101000000_init.js': `exports.up = (knex) => knex.raw(\`${INIT}\`);\nexports.down = () => {};\n`,
    'migrations/20240102000000_drop.js':
      "const TIMEOUT = process.env.LOCK_TIMEOUT;\nexports.up = async (knex) => {\n  await knex.raw(`SET lock_timeout = '${TIMEOUT}'`);\n  await knex.schema.alterTable('orders', (t) => t.dropForeign('user_id'));\n};\nexports.down = () => {};\n",
  });
  const drop = locks.find((l) => l.file.endsWith('_drop.js'));
  assert.ok(drop, JSON.stringify(locks.map((l) => l.summary)));
  assert.match(drop!.summary, /^ALTER TABLE orders DROP CONSTRAINT orders_user_id_foreign$/);
  assert.ok(drop!.lockTimeout, 'the SET with an unknown value counts');
});

test('tables are named as they were before the statement; statements on tables outside any FK are not recorded', () => {
  const locks = locksOf({
    'db/migrations/0001_init.up.sql': INIT + 'CREATE TABLE notes (id bigint PRIMARY KEY);\n',
    'db/migrations/0002_rename.up.sql': 'ALTER TABLE users RENAME TO customers;\nALTER TABLE notes ADD COLUMN body text;\nCREATE INDEX ON customers (id);\n',
  });
  assert.deepEqual(
    locks.filter((l) => l.step === 1).map((l) => `${l.summary}: ${l.locks.map((x) => `${x.table} ${x.mode}`).join(', ')}`),
    ['ALTER TABLE users RENAME TO customers: users ACCESS EXCLUSIVE', 'CREATE INDEX ON customers (id): customers SHARE'],
  );
});

test('an edit replayed from a checkpoint records the same locks as a fresh replay', () => {
  const files = {
    'db/migrations/0001_init.up.sql': INIT,
    'db/migrations/0002_a.up.sql': "SET lock_timeout = '5s';\nALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\n",
    'db/migrations/0003_b.up.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n',
  };
  const ws = new Workspace({});
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  ws.model();
  const edited = 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n';
  ws.setFile('db/migrations/0003_b.up.sql', edited);
  const incremental = ws.model().histories.flatMap((h) => h.locks);
  const fresh = locksOf({ ...files, 'db/migrations/0003_b.up.sql': edited });
  assert.deepEqual(incremental, fresh);
  assert.equal(fresh.length, 4);
});

test('only PostgreSQL histories get lock records: MySQL, SQLite and CockroachDB (online schema changes) do not', () => {
  const drop = 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\n';
  assert.equal(locksOf({ 'db/migrations/0001_init.up.sql': INIT, 'db/migrations/0002_drop.up.sql': drop }).filter((l) => l.step === 1).length, 1);
  const knex = (client: string) =>
    locksOf({
      'knexfile.js': `module.exports = { development: { client: '${client}', migrations: { directory: './migrations' } } };\n`,
      'migrations/20240101000000_init.js': `exports.up = (knex) => knex.raw(\`${INIT}\`);\nexports.down = () => {};\n`,
      'migrations/20240102000000_drop.js': "exports.up = (knex) => knex.schema.alterTable('orders', (t) => t.dropForeign('user_id', 'orders_user_id_fkey'));\nexports.down = () => {};\n",
    });
  assert.ok(knex('pg').length > 0);
  assert.deepEqual(knex('cockroachdb'), []);
  assert.deepEqual(knex('mysql2'), []);
});
