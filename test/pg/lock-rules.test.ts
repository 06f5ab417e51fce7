/**
 * What the lock rules say, shown in a real PostgreSQL with concurrent sessions: a statement that waits for a
 * lock makes later conflicting queries queue behind it (and SHARE UPDATE EXCLUSIVE does not make writes queue,
 * which is why lock-timeout-missing leaves it out); fk-locks-parent's statement takes the parent it does not
 * name; a lock_timeout turns the wait into a quick failure, also as SET LOCAL in golang-migrate's one-query file
 * and not as SET LOCAL outside a transaction; and the quick-fix's SET works in a migration run by golang-migrate's
 * way, by knex and by TypeORM.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { startPostgres, type PgServer } from '../support/postgres';
import { holdLock, inBackground, observeInTransaction, waitsForLock } from '../support/pgLocks';
import { repoRoot, runKnex, runnableCopy, runTypeorm } from '../support/jsTools';
import { ruleDocs } from '../support/rules';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { analyze } from '../../server/src/analysis/analyze';
import { applyFix, fixesFor } from '../../server/src/features/fixes';
import { historyOf } from '../../server/src/features/target';

let pg: PgServer;
let n = 0;
const dirs: string[] = [];

before(async () => {
  await initPostgresParser();
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const doc = (id: string) => ruleDocs().find((d) => d.id === id)!;
const fileOf = (files: [string, string][], suffix: string) => files.find(([name]) => name.endsWith(suffix))![1];

test("fk-locks-parent's bad example: the DROP CONSTRAINT takes ACCESS EXCLUSIVE on orders; waiting for it, it stops even reads of orders", async () => {
  const { bad, good } = doc('fk-locks-parent');
  const init = fileOf(bad.files, '0001_init.up.sql');
  const drop = fileOf(bad.files, '0002_drop_items_fk.up.sql');
  const db = await pg.createDatabase(`parent_${++n}`);
  await pg.exec(db, init);
  const locks = await observeInTransaction(pg, db, drop);
  assert.equal(locks.get('public.orders')?.mode, 'ACCESS EXCLUSIVE');

  // A report reads orders in a long transaction; the migration waits for it, and a plain SELECT queues behind the migration.
  const report = await holdLock(pg, db, 'BEGIN; SELECT count(*) FROM orders;');
  assert.equal(await waitsForLock(pg, db, 'SELECT count(*) FROM orders'), false, 'before the migration, reads go on');
  const migration = inBackground(pg, db, drop);
  await migration.waiting();
  assert.equal(await waitsForLock(pg, db, 'SELECT count(*) FROM orders'), true, 'while the migration waits, reads of orders wait');
  await report.release();
  assert.doesNotMatch((await migration.done).stderr, /ERROR/);

  // The good example: with its lock_timeout the statement gives up, and reads go on.
  const db2 = await pg.createDatabase(`parent_${++n}`);
  await pg.exec(db2, fileOf(good.files, '0001_init.up.sql'));
  const report2 = await holdLock(pg, db2, 'BEGIN; SELECT count(*) FROM orders;');
  const timed = inBackground(pg, db2, fileOf(good.files, '0002_drop_items_fk.up.sql'));
  const { stderr, ms } = await timed.done;
  assert.match(stderr, /canceling statement due to lock timeout/);
  assert.ok(ms >= 4500 && ms < 20000, `gave up after the 5s lock_timeout (${ms} ms)`);
  assert.equal(await waitsForLock(pg, db2, 'SELECT count(*) FROM orders'), false);
  await report2.release();
});

test("lock-timeout-missing's bad example: CREATE TABLE ... REFERENCES users waits behind a write to users, and later writes to users queue behind it", async () => {
  const { bad } = doc('lock-timeout-missing');
  const db = await pg.createDatabase(`timeout_${++n}`);
  await pg.exec(db, fileOf(bad.files, '0001_init.up.sql'));
  const writer = await holdLock(pg, db, 'BEGIN; INSERT INTO users VALUES (1);');
  assert.equal(await waitsForLock(pg, db, 'INSERT INTO users VALUES (2)'), false, 'writes do not wait for each other');
  const migration = inBackground(pg, db, fileOf(bad.files, '0002_orders.up.sql'));
  await migration.waiting();
  assert.equal(await waitsForLock(pg, db, 'INSERT INTO users VALUES (3)'), true, 'a later write queues behind the waiting SHARE ROW EXCLUSIVE');
  assert.equal(await waitsForLock(pg, db, 'SELECT count(*) FROM users'), false, 'reads go on');
  await writer.release();
  assert.doesNotMatch((await migration.done).stderr, /ERROR/);
});

test('lock-timeout-missing leaves SHARE UPDATE EXCLUSIVE out: VALIDATE CONSTRAINT waiting for its lock lets reads and writes go on', async () => {
  const db = await pg.createDatabase(`timeout_${++n}`);
  await pg.exec(db, 'CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;');
  const vacuum = await holdLock(pg, db, 'BEGIN; LOCK TABLE orders IN SHARE UPDATE EXCLUSIVE MODE;');
  const validate = inBackground(pg, db, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;');
  await validate.waiting();
  assert.equal(await waitsForLock(pg, db, 'INSERT INTO orders VALUES (1, NULL)'), false);
  assert.equal(await waitsForLock(pg, db, 'SELECT count(*) FROM orders'), false);
  await vacuum.release();
  await validate.done;
  // The rule agrees: nothing to report for that migration.
  const ws = new Workspace({});
  ws.setFile('db/migrations/0001_init.up.sql', 'CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n');
  ws.setFile('db/migrations/0002_validate.up.sql', 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n');
  assert.deepEqual(analyze(ws.model()).findings.filter((f) => f.rule === 'lock-timeout-missing' && f.file.includes('0002')), []);
});

test('SET LOCAL lock_timeout covers a golang-migrate file (one query, one implicit transaction); outside a transaction PostgreSQL ignores it', async () => {
  const db = await pg.createDatabase(`timeout_${++n}`);
  await pg.exec(db, 'CREATE TABLE users (id bigint PRIMARY KEY);');
  const writer = await holdLock(pg, db, 'BEGIN; INSERT INTO users VALUES (1);');
  const client = new Client({ host: pg.socketDir, user: 'postgres', database: db });
  await client.connect();
  try {
    // golang-migrate sends the whole file as one simple query.
    await assert.rejects(client.query("SET LOCAL lock_timeout = '200ms';\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));"), /lock timeout/);
  } finally {
    await client.end();
  }
  // One statement at a time without a transaction (goose NO TRANSACTION, psql): the SET LOCAL is gone when the CREATE runs.
  const loose = inBackground(pg, db, "SET LOCAL lock_timeout = '200ms';\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));");
  await loose.waiting();
  await writer.release();
  const { stderr } = await loose.done;
  assert.match(stderr, /SET LOCAL can only be used in transaction blocks/);
  assert.doesNotMatch(stderr, /lock timeout/);
});

test('fk-locks-parent reports a parent once per transaction: the next statement that drops an FK of it finds the lock held and does not wait; run on its own, it waits again', async () => {
  const db = await pg.createDatabase(`held_${++n}`);
  const init =
    'CREATE TABLE orders (id bigint PRIMARY KEY);\n' +
    'CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n' +
    'CREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n';
  await pg.exec(db, init);
  const migration = new Client({ host: pg.socketDir, user: 'postgres', database: db });
  await migration.connect();
  try {
    await migration.query('BEGIN');
    await migration.query('ALTER TABLE items DROP CONSTRAINT items_order_id_fkey');
    // A report now queues for orders behind the migration's ACCESS EXCLUSIVE lock.
    const report = inBackground(pg, db, 'SELECT count(*) FROM orders;');
    await report.waiting();
    // The second drop needs ACCESS EXCLUSIVE on orders too: the transaction holds it, so it does not wait at all.
    await migration.query("SET LOCAL lock_timeout = '100ms'");
    await migration.query('ALTER TABLE notes DROP CONSTRAINT notes_order_id_fkey');
    await migration.query('COMMIT');
    assert.doesNotMatch((await report.done).stderr, /ERROR/);

    // Statements run one by one: the first one's lock went at its commit, and the second waits behind the report.
    await pg.exec(db, 'ALTER TABLE items ADD FOREIGN KEY (order_id) REFERENCES orders (id); ALTER TABLE notes ADD FOREIGN KEY (order_id) REFERENCES orders (id);');
    await migration.query('ALTER TABLE items DROP CONSTRAINT items_order_id_fkey');
    const reader = await holdLock(pg, db, 'BEGIN; SELECT count(*) FROM orders;');
    try {
      await migration.query("SET lock_timeout = '100ms'");
      await assert.rejects(migration.query('ALTER TABLE notes DROP CONSTRAINT notes_order_id_fkey'), /lock timeout/);
    } finally {
      await reader.release();
    }
  } finally {
    await migration.end();
  }
  // The rule says the same: once in golang-migrate's one-transaction file, twice when goose runs the statements one by one.
  const drops = 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\nALTER TABLE notes DROP CONSTRAINT notes_order_id_fkey;\n';
  const count = (files: Record<string, string>) => {
    const ws = new Workspace({});
    for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
    return analyze(ws.model()).findings.filter((f) => f.rule === 'fk-locks-parent').length;
  };
  assert.equal(count({ 'db/migrations/0001_init.up.sql': init, 'db/migrations/0002_drop.up.sql': drops }), 1);
  assert.equal(count({ 'migrations/00001_init.sql': `-- +goose Up\n${init}`, 'migrations/00002_drop.sql': `-- +goose NO TRANSACTION\n-- +goose Up\n${drops}` }), 2);
});

/** A project written under out/ (the tools load it from there). */
function project(files: Record<string, string>): string {
  const dir = join(repoRoot(), 'out', 'lock-rule-projects', `p-${process.pid}-${++n}`);
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  dirs.push(dir);
  return dir;
}

/** The lock_timeout fix of `file` in a workspace of `files`, applied: the fixed text. */
function withFix(files: Record<string, string>, file: string): string {
  const ws = new Workspace({});
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  const model = ws.model();
  assert.ok(analyze(model).findings.some((f) => f.rule === 'lock-timeout-missing' && f.file === file), `lock-timeout-missing in ${file}`);
  const [fix] = fixesFor({ model, files: ws.filePaths(), textOf: (f) => ws.text(f) }, { rule: 'lock-timeout-missing', history: historyOf(model, file)!, file });
  assert.ok(fix, `a fix for ${file}`);
  return applyFix(new Map([[file, ws.text(file)!]]), fix).get(file)!;
}

const INIT = 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n';

test('the quick-fix, golang-migrate: the fixed file, sent as golang-migrate sends it, gives up after 5s', async () => {
  const files = { 'db/migrations/0001_init.up.sql': INIT, 'db/migrations/0002_drop.up.sql': '-- orders outlive their user\nALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\n' };
  const fixed = withFix(files, 'db/migrations/0002_drop.up.sql');
  const db = await pg.createDatabase(`fix_${++n}`);
  await pg.exec(db, INIT);
  const report = await holdLock(pg, db, 'BEGIN; SELECT count(*) FROM users;');
  const client = new Client({ host: pg.socketDir, user: 'postgres', database: db });
  await client.connect();
  const started = Date.now();
  try {
    await assert.rejects(client.query(fixed), /lock timeout/);
  } finally {
    await client.end();
    await report.release();
  }
  assert.ok(Date.now() - started >= 4500);
});

test('the quick-fix, knex and TypeORM: the fixed migration, run by the tool itself, gives up after 5s', async () => {
  // knex
  const knexfile = "module.exports = { development: { client: 'pg', migrations: { directory: require('path').join(__dirname, 'migrations') } } };\n";
  const init = `exports.up = async (knex) => {\n  await knex.raw(\`${INIT}\`);\n};\nexports.down = async () => {};\n`;
  const drop = "exports.up = async (knex) => {\n  await knex.schema.alterTable('orders', (t) => t.dropForeign('user_id', 'orders_user_id_fkey'));\n};\nexports.down = async () => {};\n";
  const knexFiles = { 'knexfile.js': knexfile, 'migrations/20240101000000_init.js': init, 'migrations/20240102000000_drop.js': drop };
  const fixedKnex = withFix(knexFiles, 'migrations/20240102000000_drop.js');
  const dir = project({ 'knexfile.js': knexfile, 'migrations/20240101000000_init.js': init });
  const db = await pg.createDatabase(`fix_${++n}`);
  await runKnex(pg, db, dir);
  writeFileSync(join(dir, 'migrations/20240102000000_drop.js'), fixedKnex);
  let report = await holdLock(pg, db, 'BEGIN; SELECT count(*) FROM users;');
  let started = Date.now();
  try {
    await assert.rejects(runKnex(pg, db, dir), /lock timeout/);
  } finally {
    await report.release();
  }
  assert.ok(Date.now() - started >= 4500, 'knex waited for the timeout');

  // TypeORM
  const cls = (name: string, body: string) =>
    `import { MigrationInterface, QueryRunner } from 'typeorm';\nexport class ${name} implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    ${body}\n  }\n  public async down(): Promise<void> {}\n}\n`;
  const ormInit = cls('Init1700000000000', `await queryRunner.query(\`${INIT}\`);`);
  const ormDrop = cls('Drop1700000000001', 'await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "orders_user_id_fkey"`);');
  const fixedOrm = withFix({ 'src/migrations/1700000000000-Init.ts': ormInit, 'src/migrations/1700000000001-Drop.ts': ormDrop }, 'src/migrations/1700000000001-Drop.ts');
  const source = project({ 'src/migrations/1700000000000-Init.ts': ormInit });
  const db2 = await pg.createDatabase(`fix_${++n}`);
  await runTypeorm(pg, db2, runnableCopy(`orm-init-${n}`, source));
  writeFileSync(join(source, 'src/migrations/1700000000001-Drop.ts'), fixedOrm);
  const runnable = runnableCopy(`orm-drop-${n}`, source);
  report = await holdLock(pg, db2, 'BEGIN; SELECT count(*) FROM users;');
  started = Date.now();
  try {
    await assert.rejects(runTypeorm(pg, db2, runnable), /lock timeout/);
  } finally {
    await report.release();
  }
  assert.ok(Date.now() - started >= 4500, 'TypeORM waited for the timeout');
});
