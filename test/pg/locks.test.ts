/**
 * The lock model (model/replay/locks.ts) against a real PostgreSQL: for each statement kind, the modes the
 * statement's session holds on each table (`pg_locks`, strongest per table), and whether it read rows of a
 * table (`pg_stat_xact_user_tables`) or rewrote it (a new `relfilenode`), must equal what FK Lens records for the
 * same statement after the same setup read as a migration history. The expectations come from PostgreSQL;
 * nothing the model says is written here. Every table holds rows, so a scan always reads some.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgServer } from '../support/postgres';
import { observeInTransaction, observeWhileWaiting, holdLock, type ObservedLock } from '../support/pgLocks';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { lockBlocks, lockConflicts, blocksForeignKeyChecks } from '../../server/src/model/replay/lockModes';
import { LOCK_MODES, type LockMode } from '../../server/src/sources/events';
import type { StatementLocks } from '../../server/src/model/replay';

const SETUP = `
CREATE TABLE users (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, note varchar(20));
CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint);
ALTER TABLE payments ADD CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;
CREATE TABLE events (id bigint, user_id bigint REFERENCES users (id), at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE INDEX payments_order_id_idx ON payments (order_id);
INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, g, 'n' FROM generate_series(1, 200) g;
INSERT INTO items SELECT g, g FROM generate_series(1, 20) g;
INSERT INTO payments SELECT g, g FROM generate_series(1, 20) g;
INSERT INTO events SELECT g, g, '2020-06-01' FROM generate_series(1, 20) g;
CREATE SCHEMA archive;
ANALYZE;
`;

interface Case {
  name: string;
  statement: string;
  /** The statement cannot run in a transaction: observe it while this transaction (of another session) blocks it. */
  blocker?: string;
}

const CASES: Case[] = [
  { name: 'ADD FOREIGN KEY', statement: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)' },
  { name: 'ADD FOREIGN KEY ... NOT VALID', statement: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID' },
  { name: 'ADD FOREIGN KEY and another subcommand', statement: 'ALTER TABLE orders ADD COLUMN coupon text, ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)' },
  { name: 'ADD FOREIGN KEY to itself', statement: 'ALTER TABLE users ADD COLUMN referrer_id bigint, ADD CONSTRAINT users_referrer_fk FOREIGN KEY (referrer_id) REFERENCES users (id)' },
  { name: 'VALIDATE CONSTRAINT', statement: 'ALTER TABLE payments VALIDATE CONSTRAINT payments_order_fk' },
  { name: 'DROP CONSTRAINT of an FK', statement: 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey' },
  { name: 'ALTER CONSTRAINT of an FK', statement: 'ALTER TABLE items ALTER CONSTRAINT items_order_id_fkey DEFERRABLE' },
  { name: 'RENAME CONSTRAINT of an FK', statement: 'ALTER TABLE items RENAME CONSTRAINT items_order_id_fkey TO items_order_fk' },
  { name: 'DROP CONSTRAINT of a referenced primary key, CASCADE', statement: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey CASCADE' },
  { name: 'CREATE TABLE with REFERENCES', statement: 'CREATE TABLE reviews (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), order_id bigint, FOREIGN KEY (order_id) REFERENCES orders (id))' },
  { name: 'CREATE TABLE ... PARTITION OF a table with an FK', statement: "CREATE TABLE events_2021 PARTITION OF events FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')" },
  { name: 'CREATE TABLE ... (LIKE a parent)', statement: 'CREATE TABLE orders_archive (LIKE orders)' },
  { name: 'DROP TABLE of a child', statement: 'DROP TABLE items' },
  { name: 'DROP TABLE of a parent, CASCADE', statement: 'DROP TABLE orders CASCADE' },
  { name: 'DROP TABLE of a child and its parent', statement: 'DROP TABLE items, payments, orders' },
  { name: 'DROP TABLE of a partitioned child', statement: 'DROP TABLE events' },
  { name: 'ADD COLUMN ... REFERENCES', statement: 'ALTER TABLE orders ADD COLUMN coupon_user_id bigint REFERENCES users (id)' },
  { name: 'ADD COLUMN ... REFERENCES with a DEFAULT', statement: 'ALTER TABLE orders ADD COLUMN coupon_user_id bigint NOT NULL DEFAULT 1 REFERENCES users (id)' },
  { name: 'ADD COLUMN with a volatile DEFAULT', statement: 'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()' },
  { name: 'ADD COLUMN with a constant DEFAULT', statement: "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new'" },
  { name: 'ALTER COLUMN TYPE of an FK column', statement: 'ALTER TABLE items ALTER COLUMN order_id TYPE integer' },
  { name: 'ALTER COLUMN TYPE of an FK column to its own type', statement: 'ALTER TABLE items ALTER COLUMN order_id TYPE bigint' },
  { name: 'ALTER COLUMN TYPE of a referenced key', statement: 'ALTER TABLE orders ALTER COLUMN id TYPE integer' },
  { name: 'ALTER COLUMN TYPE varchar made longer', statement: 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(40)' },
  { name: 'ALTER COLUMN TYPE varchar made shorter', statement: 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(10)' },
  { name: 'DROP COLUMN of an FK column', statement: 'ALTER TABLE items DROP COLUMN order_id' },
  { name: 'DROP COLUMN of a referenced key, CASCADE', statement: 'ALTER TABLE orders DROP COLUMN id CASCADE' },
  { name: 'SET NOT NULL on a parent', statement: 'ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL' },
  { name: 'ADD CHECK on a parent', statement: 'ALTER TABLE orders ADD CONSTRAINT orders_user_positive CHECK (user_id > 0)' },
  { name: 'ADD CHECK ... NOT VALID on a parent', statement: 'ALTER TABLE orders ADD CONSTRAINT orders_user_positive CHECK (user_id > 0) NOT VALID' },
  { name: 'ADD UNIQUE on a parent', statement: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)' },
  { name: 'RENAME of a parent', statement: 'ALTER TABLE users RENAME TO customers' },
  { name: 'RENAME COLUMN of an FK column', statement: 'ALTER TABLE items RENAME COLUMN order_id TO order_ref' },
  { name: 'SET SCHEMA of a child', statement: 'ALTER TABLE items SET SCHEMA archive' },
  { name: 'TRUNCATE of a child', statement: 'TRUNCATE items' },
  { name: 'TRUNCATE of a parent, CASCADE', statement: 'TRUNCATE orders CASCADE' },
  { name: 'TRUNCATE of a partitioned table', statement: 'TRUNCATE events' },
  { name: 'LOCK TABLE', statement: 'LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE' },
  { name: 'CREATE INDEX on FK columns', statement: 'CREATE INDEX items_order_id_idx ON items (order_id)' },
  { name: 'CREATE INDEX on a partitioned table', statement: 'CREATE INDEX events_user_id_idx ON events (user_id)' },
  { name: 'DROP INDEX on FK columns', statement: 'DROP INDEX payments_order_id_idx' },
  {
    name: 'CREATE INDEX CONCURRENTLY on FK columns',
    statement: 'CREATE INDEX CONCURRENTLY items_order_id_idx ON items (order_id)',
    blocker: 'BEGIN; LOCK TABLE items IN ROW EXCLUSIVE MODE;',
  },
  {
    name: 'DROP INDEX CONCURRENTLY on FK columns',
    statement: 'DROP INDEX CONCURRENTLY payments_order_id_idx',
    blocker: 'BEGIN; LOCK TABLE payments IN ACCESS SHARE MODE;',
  },
];

let pg: PgServer;
let n = 0;
/** The database the statements run in inside BEGIN ... ROLLBACK: each finds the setup as it was. */
let shared: string | undefined;

before(async () => {
  await initPostgresParser();
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
});

/** What FK Lens records for `statement`, read as the second migration of a golang-migrate history after the setup. */
function modelOf(setup: string, statement: string): StatementLocks[] {
  const ws = new Workspace({});
  ws.setFile('db/migrations/0001_setup.up.sql', setup);
  ws.setFile('db/migrations/0002_statement.up.sql', `${statement};\n`);
  const [history] = ws.model().histories;
  return history.locks.filter((l) => l.file === 'db/migrations/0002_statement.up.sql');
}

const line = (table: string, mode: LockMode, scan: string) => `${table}: ${mode}${scan === 'none' ? '' : ` (${scan})`}`;

for (const c of CASES) {
  test(`locks of ${c.name}: FK Lens = pg_locks`, async () => {
    let observed: Map<string, ObservedLock>;
    if (c.blocker) {
      // It changes the database for good: a database of its own.
      const db = await pg.createDatabase(`locks_${++n}`);
      await pg.exec(db, SETUP);
      observed = await observeWhileWaiting(pg, db, c.blocker, c.statement);
    } else {
      if (!shared) await pg.exec((shared = await pg.createDatabase('locks')), SETUP);
      observed = await observeInTransaction(pg, shared, c.statement);
    }
    assert.ok(observed.size > 0, `PostgreSQL took table locks for ${c.statement}`);
    const facts = modelOf(SETUP, c.statement);
    assert.equal(facts.length, 1, `one lock record for ${c.statement}: ${JSON.stringify(facts.map((f) => f.summary))}`);
    const modelLines = facts[0].locks.map((l) => line(`${l.schema}.${l.table}`, l.mode, l.scan)).sort();
    const pgLines = [...observed.values()].map((o) => line(o.table, o.mode, o.scan)).sort();
    assert.deepEqual(modelLines, pgLines, `${c.statement}\n  pg_locks: ${[...observed.values()].map((o) => `${o.table} ${o.modes.join('+')}`).join(', ')}`);
  });
}

test('what each mode blocks is what PostgreSQL makes wait: reads, writes, DDL, and the FK checks of child rows', async () => {
  const db = await pg.createDatabase('blocks');
  await pg.exec(db, SETUP);
  // Each attempt runs in its own session with a short lock_timeout: it fails exactly when it would wait.
  const attempts: Record<string, string> = {
    reads: 'SELECT count(*) FROM orders',
    writes: "UPDATE orders SET note = 'x' WHERE id = 1",
    ddl: 'ALTER TABLE orders ADD COLUMN probe int',
    fkChecks: 'INSERT INTO items VALUES (500000, 1)',
  };
  const waits = async (sql: string) => {
    const r = await pg.exec(db, `SET lock_timeout = '150ms';\nBEGIN;\n${sql};\nROLLBACK;\n`, { onErrorStop: false });
    return /lock timeout/.test(r.stderr);
  };
  const disagreements: string[] = [];
  for (const mode of LOCK_MODES) {
    const held = await holdLock(pg, db, `BEGIN; LOCK TABLE orders IN ${mode} MODE;`);
    try {
      const blocks = lockBlocks(mode);
      const expected: Record<string, boolean> = {
        reads: blocks.includes('reads'),
        writes: blocks.includes('writes'),
        ddl: blocks.includes('ddl'),
        fkChecks: blocksForeignKeyChecks(mode),
      };
      for (const [what, sql] of Object.entries(attempts)) {
        const waited = await waits(sql);
        if (waited !== expected[what]) disagreements.push(`${mode}: ${what} ${waited ? 'waits' : 'does not wait'} in PostgreSQL, the model says ${expected[what] ? 'blocked' : 'not blocked'}`);
      }
    } finally {
      await held.release();
    }
  }
  assert.deepEqual(disagreements, []);
  // The conflict table is symmetric, as PostgreSQL's is.
  for (const a of LOCK_MODES) for (const b of LOCK_MODES) assert.equal(lockConflicts(a, b), lockConflicts(b, a), `${a} / ${b}`);
});

/** Migrations written with knex's schema builder: FK Lens reads the file; PostgreSQL runs the SQL knex generates. */
type KnexLike = { schema: { alterTable(t: string, f: (t: any) => void): { toString(): string }; dropTable(t: string): { toString(): string } } }; // eslint-disable-line @typescript-eslint/no-explicit-any
const KNEX_CASES: [string, (knex: KnexLike) => { toString(): string }][] = [
  ['dropForeign', (knex) => knex.schema.alterTable('items', (t) => { t.dropForeign(['order_id'], 'items_order_id_fkey'); })],
  ['foreign().references()', (knex) => knex.schema.alterTable('orders', (t) => { t.foreign('user_id').references('id').inTable('users'); })],
  ['a new column that references', (knex) => knex.schema.alterTable('orders', (t) => { t.bigInteger('coupon_user_id').references('users.id'); })],
  ['index', (knex) => knex.schema.alterTable('items', (t) => { t.index(['order_id']); })],
  ['dropTable', (knex) => knex.schema.dropTable('items')],
];

for (const [name, up] of KNEX_CASES) {
  test(`locks of a knex migration (${name}): FK Lens reading the JS = pg_locks running the SQL knex sends`, async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const knex = (require('knex') as (c: unknown) => KnexLike)({ client: 'pg' });
    const sql = up(knex).toString();
    if (!shared) await pg.exec((shared = await pg.createDatabase('locks')), SETUP);
    const observed = await observeInTransaction(pg, shared, sql);
    const ws = new Workspace({});
    ws.setFile('knexfile.js', "module.exports = { development: { client: 'pg', migrations: { directory: './db/migrations' } } };\n");
    ws.setFile('db/migrations/20240101000000_setup.js', `exports.up = (knex) => knex.raw(\`${SETUP}\`);\nexports.down = async () => {};\n`);
    const file = 'db/migrations/20240102000000_case.js';
    ws.setFile(file, `exports.up = ${up.toString()};\nexports.down = async () => {};\n`);
    const history = ws.model().histories.find((h) => h.history.tool === 'knex');
    assert.ok(history, 'a knex history');
    const facts = history!.locks.filter((l) => l.file === file);
    assert.ok(facts.length > 0, `lock records for ${file}`);
    // knex may send several statements: the strongest mode per table over all of them, as one transaction holds them.
    const merged = new Map<string, { mode: LockMode; scan: string }>();
    const order = [...LOCK_MODES];
    const scans = ['none', 'scan', 'rewrite'];
    for (const l of facts.flatMap((f) => f.locks)) {
      const key = `${l.schema}.${l.table}`;
      const was = merged.get(key);
      merged.set(key, {
        mode: !was || order.indexOf(l.mode) > order.indexOf(was.mode) ? l.mode : was.mode,
        scan: !was || scans.indexOf(l.scan) > scans.indexOf(was.scan) ? l.scan : was.scan,
      });
    }
    const modelLines = [...merged].map(([t, l]) => line(t, l.mode, l.scan)).sort();
    const pgLines = [...observed.values()].map((o) => line(o.table, o.mode, o.scan)).sort();
    assert.deepEqual(modelLines, pgLines, sql);
  });
}
