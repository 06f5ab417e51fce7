/**
 * Quick-fixes, checked by PostgreSQL: each fix is applied to the workspace's files, then the whole resulting
 * history runs in a real server the way its migration tool would run it (test/support/migrate.ts). It must
 * apply, and what the fix promised must hold there (the index exists and serves the FK, the constraint is
 * validated, the DELETE that failed now succeeds) and in the model read back from the fixed files. The rule
 * analysis the editor and `fklens check` share (analysis/analyze.ts) must report the targeted finding (same rule,
 * same FK) before the fix and no longer after it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgServer } from '../support/postgres';
import { applyHistories } from '../support/migrate';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { indexesServing } from '../../server/src/model/indexing';
import type { HistoryModel } from '../../server/src/model/replay';
import type { ForeignKey } from '../../server/src/model/schema';
import { applyFix, fixAll, fixesFor, type FixOptions, type FixPlan } from '../../server/src/features/fixes';
import { analyze } from '../../server/src/analysis/analyze';
import type { WorkspaceModel } from '../../server/src/workspace/workspace';

let pg: PgServer;
let dbCount = 0;
const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

before(async () => {
  pg = await startPostgres();
  await initPostgresParser();
});
after(async () => {
  await pg?.stop();
});

function load(texts: Map<string, string>) {
  const workspace = new Workspace();
  for (const [file, text] of texts) workspace.setFile(file, text);
  return { workspace, model: workspace.model() };
}

function findFk(model: ReturnType<typeof load>['model'], table: string, column: string): { history: HistoryModel; fk: ForeignKey } {
  for (const history of model.histories) {
    for (const fk of history.foreignKeys) {
      if (history.tableById.get(fk.tableId)!.name === table && fk.columns.includes(column)) return { history, fk };
    }
  }
  assert.fail(`no FK on ${table}.${column}`);
}

interface Targeted {
  rule: string;
  table: string;
  column: string;
  /** The rule keeps an info-level reminder after this fix (set-default-without-default with a literal default). */
  infoLeft?: boolean;
}

/** The findings of `rule` about the FK of `table` over `column`, as `fklens check` reports them. */
function findingsAbout(model: WorkspaceModel, { rule, table, column }: Targeted) {
  return analyze(model).findings.filter((f) => f.rule === rule && f.fk?.table === table && f.fk.columns.includes(column));
}

/** What each fix was asked for, so that applyAndRun can check the finding is gone. */
const targetsOf = new WeakMap<FixPlan, Targeted[]>();

function fixes(texts: Map<string, string>, rule: string, table: string, column: string, options: FixOptions = {}): FixPlan[] {
  const { workspace, model } = load(texts);
  const target = { rule, table, column };
  assert.equal(findingsAbout(model, target).length, 1, `${rule} reports ${table}.${column} before the fix`);
  const { history, fk } = findFk(model, table, column);
  const offered = fixesFor({ model, files: [...texts.keys()], textOf: (f) => workspace.text(f), options: { now: NOW, ...options } }, { rule, history, fk });
  for (const fix of offered) targetsOf.set(fix, [target]);
  return offered;
}

/**
 * Applies the fix, runs the whole history in a fresh database, and returns the database and the new model.
 * The finding(s) the fix targeted must be gone from the analysis of the fixed files.
 */
async function applyAndRun(texts: Map<string, string>, fix: FixPlan) {
  const fixed = applyFix(texts, fix);
  const db = await pg.createDatabase(`fix_${++dbCount}`);
  await applyHistories(pg, db, fixed);
  const model = load(fixed).model;
  const targets = targetsOf.get(fix);
  assert.ok(targets?.length, `${fix.title}: the test names the findings it targets`);
  for (const target of targets) {
    const left = findingsAbout(model, target);
    const what = `${fix.title}: ${target.rule} on ${target.table}.${target.column}`;
    if (target.infoLeft) assert.deepEqual(left.map((f) => f.severity), ['info'], `${what} is down to an info`);
    else assert.deepEqual(left, [], `${what} is gone`);
  }
  return { db, fixed, model };
}

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

const PARENT = 'CREATE TABLE users (id bigint PRIMARY KEY);\n';

async function indexesOn(db: string, table: string) {
  return pg.query<{ indexname: string; indexdef: string }>(db, `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = '${table}' ORDER BY indexname`);
}

function assertIndexed(model: ReturnType<typeof load>['model'], table: string, column: string) {
  const { history, fk } = findFk(model, table, column);
  assert.ok(indexesServing(fk, history.tableById.get(fk.tableId)!).length > 0, `${table}.${column} is indexed in the model after the fix`);
}

// ---------------------------------------------------------------------------------------------------------
// fk-missing-index

test('fk-missing-index, golang-migrate: a new NNN.up/.down pair with CREATE INDEX CONCURRENTLY', async () => {
  const texts = files({
    'db/migrations/000001_users.up.sql': PARENT,
    'db/migrations/000001_users.down.sql': 'DROP TABLE users;\n',
    'db/migrations/000002_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\nINSERT INTO users VALUES (1);\n',
    'db/migrations/000002_orders.down.sql': 'DROP TABLE orders;\n',
  });
  const [fix] = fixes(texts, 'fk-missing-index', 'orders', 'user_id');
  assert.equal(fix.preferred, true);
  assert.deepEqual(fix.creates.map((c) => c.file), ['db/migrations/000003_add_index_orders_user_id.up.sql', 'db/migrations/000003_add_index_orders_user_id.down.sql']);
  assert.equal(fix.creates[0].text, 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_idx ON orders (user_id);\n');
  const { db, model } = await applyAndRun(texts, fix);
  assert.deepEqual((await indexesOn(db, 'orders')).map((i) => i.indexname), ['orders_pkey', 'orders_user_id_idx']);
  assertIndexed(model, 'orders', 'user_id');
});

test('fk-missing-index, goose: NO TRANSACTION marker, timestamps kept, index name after the project pattern', async () => {
  const texts = files({
    'migrations/20230101000000_users.sql': `-- +goose Up\n${PARENT}CREATE TABLE posts (id int PRIMARY KEY, author text);\nCREATE INDEX idx_posts_author ON posts (author);\n-- +goose Down\nDROP TABLE users;\n`,
    'migrations/20230102000000_orders.sql': '-- +goose Up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n-- +goose Down\nDROP TABLE orders;\n',
  });
  const [fix] = fixes(texts, 'fk-missing-index', 'orders', 'user_id');
  assert.deepEqual(fix.creates.map((c) => c.file), ['migrations/20240102030405_add_index_orders_user_id.sql']);
  assert.match(fix.creates[0].text, /^-- \+goose NO TRANSACTION\n-- \+goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_orders_user_id ON orders \(user_id\);/);
  const { db, model } = await applyAndRun(texts, fix);
  assert.ok((await indexesOn(db, 'orders')).some((i) => i.indexname === 'idx_orders_user_id'));
  assertIndexed(model, 'orders', 'user_id');

  // With the setting off: plain CREATE INDEX inside the tool's transaction.
  const [plain] = fixes(texts, 'fk-missing-index', 'orders', 'user_id', { concurrentIndex: false });
  assert.doesNotMatch(plain.creates[0].text, /CONCURRENTLY|NO TRANSACTION/);
  await applyAndRun(texts, plain);
});

test('fk-missing-index, dbmate: transaction:false; Rails-style names; a taken name is never reused', async () => {
  const texts = files({
    'db/migrations/20230101000000_create_users.sql': `-- migrate:up\n${PARENT}CREATE TABLE posts (id int PRIMARY KEY, author text);\nCREATE INDEX index_posts_on_author ON posts (author);\nCREATE TABLE index_orders_on_user_id (id int);\n-- migrate:down\nDROP TABLE users;\n`,
    'db/migrations/20230102000000_orders.sql': '-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n-- migrate:down\nDROP TABLE orders;\n',
  });
  const [fix] = fixes(texts, 'fk-missing-index', 'orders', 'user_id');
  assert.match(fix.creates[0].text, /^-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS index_orders_on_user_id_1 ON orders \(user_id\);/);
  const { model } = await applyAndRun(texts, fix);
  assertIndexed(model, 'orders', 'user_id');
});

test('fk-missing-index, Prisma: a migration folder with a plain CREATE INDEX (Prisma runs it in a transaction)', async () => {
  const texts = files({
    'prisma/migrations/20230101000000_init/migration.sql': PARENT,
    'prisma/migrations/20230102000000_orders/migration.sql': 'CREATE TABLE "Order" (id bigint PRIMARY KEY, "userId" bigint REFERENCES users);\n',
  });
  const [fix] = fixes(texts, 'fk-missing-index', 'Order', 'userId');
  assert.deepEqual(fix.creates, [
    { file: 'prisma/migrations/20240102030405_add_index_order_userid/migration.sql', text: 'CREATE INDEX IF NOT EXISTS "Order_userId_idx" ON "Order" ("userId");\n' },
  ]);
  const { model } = await applyAndRun(texts, fix);
  assertIndexed(model, 'Order', 'userId');
});

test('fk-missing-index, Flyway and diesel: their no-transaction files; names within 63 bytes', async () => {
  const long = 'a_table_name_that_is_quite_long_indeed_for_testing';
  const flyway = files({
    'db/migration/V1__init.sql': PARENT,
    'db/migration/V1.1__more.sql': `CREATE TABLE ${long} (id int PRIMARY KEY, user_id_with_a_long_name bigint REFERENCES users);\n`,
  });
  const [fix] = fixes(flyway, 'fk-missing-index', long, 'user_id_with_a_long_name');
  // The next major version; the file name's description is clipped to 80 characters.
  const slug = `add_index_${long}_user_id_with_a_long_name`.slice(0, 80);
  assert.deepEqual(fix.creates.map((c) => c.file), [`db/migration/V2__${slug}.sql`, `db/migration/V2__${slug}.sql.conf`]);
  assert.equal(fix.creates[1].text, 'executeInTransaction=false\n');
  const name = /INDEX CONCURRENTLY IF NOT EXISTS (\S+) ON/.exec(fix.creates[0].text)![1];
  assert.ok(Buffer.byteLength(name) <= 63, name);
  const { db } = await applyAndRun(flyway, fix);
  assert.ok((await indexesOn(db, long)).some((i) => i.indexname === name), 'PostgreSQL kept the name as written');

  const diesel = files({
    'migrations/2023-01-01-000000_init/up.sql': PARENT,
    'migrations/2023-01-02-000000_orders/up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n',
  });
  const [dfix] = fixes(diesel, 'fk-missing-index', 'orders', 'user_id');
  assert.deepEqual(dfix.creates.map((c) => c.file), [
    'migrations/2024-01-02-030405_add_index_orders_user_id/up.sql',
    'migrations/2024-01-02-030405_add_index_orders_user_id/down.sql',
    'migrations/2024-01-02-030405_add_index_orders_user_id/metadata.toml',
  ]);
  const { model } = await applyAndRun(diesel, dfix);
  assertIndexed(model, 'orders', 'user_id');
});

test('fk-missing-index, schema file: the statement right after the table; schema-qualified', async () => {
  const texts = files({
    'schema.sql': `CREATE SCHEMA shop;\nCREATE TABLE shop.users (id int PRIMARY KEY);\nCREATE TABLE shop.orders (id int PRIMARY KEY, user_id int REFERENCES shop.users);\nCREATE TABLE shop.orders_user_id_idx (x int);\n`,
  });
  const [fix] = fixes(texts, 'fk-missing-index', 'orders', 'user_id');
  assert.equal(fix.creates.length, 0);
  const fixed = applyFix(texts, fix).get('schema.sql')!;
  assert.match(fixed, /REFERENCES shop\.users\);\n\nCREATE INDEX orders_user_id_idx1 ON shop\.orders \(user_id\);\nCREATE TABLE shop\.orders_user_id_idx/);
  const { model } = await applyAndRun(texts, fix);
  assertIndexed(model, 'orders', 'user_id');
});

test('fix all: several missing indexes in one golang-migrate history get successive migrations', async () => {
  const texts = files({
    'm/1_init.up.sql': `${PARENT}CREATE TABLE a (id int PRIMARY KEY, user_id bigint REFERENCES users);\nCREATE TABLE b (id int PRIMARY KEY, user_id bigint REFERENCES users);\n`,
  });
  const { workspace, model } = load(texts);
  const targets = ['a', 'b'].map((t) => ({ rule: 'fk-missing-index', ...findFk(model, t, 'user_id') }));
  const all = fixAll({ model, files: [...texts.keys()], textOf: (f) => workspace.text(f), options: { now: NOW } }, targets)!;
  targetsOf.set(all, ['a', 'b'].map((table) => ({ rule: 'fk-missing-index', table, column: 'user_id' })));
  assert.deepEqual(all.creates.map((c) => c.file), ['m/2_add_index_a_user_id.up.sql', 'm/2_add_index_a_user_id.down.sql', 'm/3_add_index_b_user_id.up.sql', 'm/3_add_index_b_user_id.down.sql']);
  const { model: after } = await applyAndRun(texts, all);
  assertIndexed(after, 'a', 'user_id');
  assertIndexed(after, 'b', 'user_id');
});

// ---------------------------------------------------------------------------------------------------------
// fk-added-without-not-valid

test('fk-added-without-not-valid, golang-migrate: NOT VALID in place with the default name, VALIDATE in a new migration', async () => {
  const texts = files({
    'db/1_init.up.sql': `${PARENT}CREATE TABLE orders (id int PRIMARY KEY, user_id bigint);\nINSERT INTO users VALUES (1);\nINSERT INTO orders VALUES (1, 1);\n`,
    'db/2_fk.up.sql': 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;\n',
  });
  const [fix] = fixes(texts, 'fk-added-without-not-valid', 'orders', 'user_id');
  const fixed = applyFix(texts, fix);
  assert.equal(fixed.get('db/2_fk.up.sql'), 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;\n');
  assert.equal(fixed.get('db/3_validate_orders_user_id_fkey.up.sql'), 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;\n');
  const { db, model } = await applyAndRun(texts, fix);
  const [row] = await pg.query<{ convalidated: boolean }>(db, "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_id_fkey'");
  assert.equal(row.convalidated, true);
  const { history, fk } = findFk(model, 'orders', 'user_id');
  assert.equal(fk.validated, true);
  assert.equal(history.declarations.find((d) => d.fk === fk)?.tableExistedBefore, true);
  assert.ok(fk.validatedAt && fk.validatedAt.step > fk.step, 'validated by a later step');
});

test('fk-added-without-not-valid, ADD COLUMN ... DEFAULT ... REFERENCES inside BEGIN/COMMIT: split into ADD COLUMN + ADD CONSTRAINT NOT VALID, VALIDATE in a new migration', async () => {
  // (A plain schema file is loaded into an empty database: the rule never reports it, so there is no fix to check there.
  // Without a DEFAULT, PostgreSQL does not check the rows of a column added with REFERENCES: not reported either.)
  const texts = files({
    'db/1_init.up.sql': `${PARENT}CREATE TABLE orders (id int PRIMARY KEY);\nINSERT INTO users VALUES (1);\nINSERT INTO orders VALUES (1);\n`,
    'db/2_user.up.sql': 'BEGIN;\nALTER TABLE orders ADD COLUMN user_id bigint DEFAULT 1 CONSTRAINT orders_user_fk REFERENCES users ON DELETE SET NULL;\nCOMMIT;\n',
  });
  const [fix] = fixes(texts, 'fk-added-without-not-valid', 'orders', 'user_id');
  const fixed = applyFix(texts, fix);
  assert.equal(
    fixed.get('db/2_user.up.sql'),
    'BEGIN;\nALTER TABLE orders ADD COLUMN user_id bigint DEFAULT 1,\n    ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users ON DELETE SET NULL NOT VALID;\nCOMMIT;\n',
  );
  assert.equal(fixed.get('db/3_validate_orders_user_fk.up.sql'), 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n');
  const { db } = await applyAndRun(texts, fix);
  const [row] = await pg.query<{ convalidated: boolean; confdeltype: string }>(db, "SELECT convalidated, confdeltype FROM pg_constraint WHERE conname = 'orders_user_fk'");
  assert.deepEqual(row, { convalidated: true, confdeltype: 'n' });
});

test('fk-added-without-not-valid, ADD COLUMN ... DEFAULT NULL REFERENCES: the fix leaves out DEFAULT NULL, and the key is valid at once', async () => {
  const texts = files({
    'db/1_init.up.sql': `${PARENT}CREATE TABLE orders (id int PRIMARY KEY);\nINSERT INTO users VALUES (1);\nINSERT INTO orders VALUES (1);\n`,
    'db/2_user.up.sql': 'ALTER TABLE orders ADD COLUMN user_id bigint DEFAULT NULL::bigint REFERENCES users;\n',
  });
  const [fix] = fixes(texts, 'fk-added-without-not-valid', 'orders', 'user_id');
  assert.equal(applyFix(texts, fix).get('db/2_user.up.sql'), 'ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users;\n');
  assert.deepEqual(fix.creates, []);
  const { db } = await applyAndRun(texts, fix);
  const [row] = await pg.query<{ convalidated: boolean }>(db, "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_id_fkey'");
  assert.equal(row.convalidated, true);
});

// ---------------------------------------------------------------------------------------------------------
// set-null-on-not-null, set-default-without-default

const REVIEWS = `${PARENT}CREATE TABLE reviews (id int PRIMARY KEY, user_id bigint NOT NULL REFERENCES users ON DELETE SET NULL);\n`;
const SEED = 'INSERT INTO users VALUES (1), (2);\nINSERT INTO reviews VALUES (1, 1);\n';

/** The DELETE the rule warns about fails before the fix and succeeds after it. */
async function deleteWorks(db: string): Promise<boolean> {
  try {
    await pg.exec(db, `${SEED}DELETE FROM users WHERE id = 1;\n`);
    return true;
  } catch {
    return false;
  }
}

test('set-null-on-not-null: make nullable, CASCADE or RESTRICT, none preferred; each applies', async () => {
  const before = await pg.createDatabase(`fix_${++dbCount}`);
  await applyHistories(pg, before, files({ 'schema.sql': REVIEWS }));
  assert.equal(await deleteWorks(before), false, 'PostgreSQL refuses the DELETE before the fix');

  // A schema file: edited in place.
  const schema = files({ 'schema.sql': REVIEWS });
  const offered = fixes(schema, 'set-null-on-not-null', 'reviews', 'user_id');
  assert.deepEqual(offered.map((f) => f.title), ['Make reviews.user_id nullable', 'Change ON DELETE SET NULL to CASCADE', 'Change ON DELETE SET NULL to RESTRICT']);
  assert.ok(offered.every((f) => !f.preferred));
  const outcomes: string[] = [];
  for (const fix of offered) {
    const { db, model } = await applyAndRun(schema, fix);
    const { fk, history } = findFk(model, 'reviews', 'user_id');
    const column = history.tableById.get(fk.tableId)!.columns.find((c) => c.name === 'user_id')!;
    assert.ok(fk.onDelete !== 'SET NULL' || !column.notNull, `${fix.title}: the model no longer has SET NULL on a NOT NULL column`);
    const works = await deleteWorks(db);
    outcomes.push(`${fix.title}: ${works ? 'deleted' : 'refused'}`);
  }
  // RESTRICT makes the failure explicit instead of a not-null violation; the other two let the DELETE through.
  assert.deepEqual(outcomes, ['Make reviews.user_id nullable: deleted', 'Change ON DELETE SET NULL to CASCADE: deleted', 'Change ON DELETE SET NULL to RESTRICT: refused']);

  // A migration history: applied files untouched, new migrations instead.
  const history = files({ 'db/1_init.up.sql': REVIEWS });
  for (const fix of fixes(history, 'set-null-on-not-null', 'reviews', 'user_id')) {
    assert.equal(fix.edits.length, 0, `${fix.title}: no edit of an applied migration`);
    const { db } = await applyAndRun(history, fix);
    if (!/RESTRICT/.test(fix.title)) assert.equal(await deleteWorks(db), true, fix.title);
  }
});

test('set-default-without-default: a placeholder DEFAULT, or SET NULL', async () => {
  const sql = `${PARENT}INSERT INTO users VALUES (0);\nCREATE TABLE audit (id int PRIMARY KEY, user_id bigint REFERENCES users ON DELETE SET DEFAULT);\n`;
  for (const texts of [files({ 'schema.sql': sql }), files({ 'db/001_init.sql': sql, 'db/002_more.sql': 'SELECT 1;\n' })]) {
    const offered = fixes(texts, 'set-default-without-default', 'audit', 'user_id');
    assert.deepEqual(offered.map((f) => f.title), ['Add a DEFAULT to audit.user_id (placeholder to fill in)', 'Change ON DELETE SET DEFAULT to SET NULL']);
    for (const fix of offered) {
      // A literal DEFAULT leaves the rule's info that the parent must hold a row with that key (here it does).
      if (fix.title.startsWith('Add')) targetsOf.set(fix, [{ rule: 'set-default-without-default', table: 'audit', column: 'user_id', infoLeft: true }]);
      const { db, model } = await applyAndRun(texts, fix);
      const { fk, history } = findFk(model, 'audit', 'user_id');
      const column = history.tableById.get(fk.tableId)!.columns.find((c) => c.name === 'user_id')!;
      assert.ok(fk.onDelete !== 'SET DEFAULT' || column.default !== undefined, fix.title);
      await pg.exec(db, 'INSERT INTO users VALUES (7);\nINSERT INTO audit VALUES (1, 7);\nDELETE FROM users WHERE id = 7;\n');
      const [row] = await pg.query<{ user_id: number | null }>(db, 'SELECT user_id FROM audit WHERE id = 1');
      assert.equal(row.user_id, fix.title.startsWith('Add') ? 0 : null, fix.title);
    }
  }
});

// ---------------------------------------------------------------------------------------------------------
// fk-target-not-unique

test('fk-target-not-unique: a UNIQUE constraint before the FK makes the refused migration apply', async () => {
  const texts = files({
    'db/1_init.up.sql': 'CREATE TABLE accounts (id int PRIMARY KEY, code text NOT NULL);\n',
    'db/2_orders.up.sql': 'CREATE TABLE orders (id int PRIMARY KEY, account_code text REFERENCES accounts (code));\n',
  });
  const db = await pg.createDatabase(`fix_${++dbCount}`);
  await assert.rejects(applyHistories(pg, db, texts), /there is no unique constraint matching given keys/);
  const [fix] = fixes(texts, 'fk-target-not-unique', 'orders', 'account_code');
  assert.equal(applyFix(texts, fix).get('db/2_orders.up.sql')!.split('\n')[0], 'ALTER TABLE accounts ADD UNIQUE (code);');
  const { model } = await applyAndRun(texts, fix);
  assert.ok(findFk(model, 'orders', 'account_code').fk.refIndex, 'the model finds the unique key the FK depends on');
});

// ---------------------------------------------------------------------------------------------------------
// fix all over every fixable finding of a history

test('fix all: every rule of a history at once; the same plan whatever the order of the diagnostics; all findings gone', async () => {
  const texts = files({
    'db/1_init.up.sql': `${PARENT}CREATE TABLE accounts (id int PRIMARY KEY, code text NOT NULL);\nCREATE TABLE orders (id int PRIMARY KEY, user_id bigint);\nINSERT INTO users VALUES (1);\nINSERT INTO orders VALUES (1, 1);\n`,
    'db/2_fk.up.sql': 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);\n',
    'db/3_items.up.sql':
      'CREATE TABLE items (id int PRIMARY KEY, account_code text REFERENCES accounts (code), user_id bigint REFERENCES users,\n  CONSTRAINT items_user_again FOREIGN KEY (user_id) REFERENCES users);\n',
  });
  const { workspace, model } = load(texts);
  const fixable = new Set(['fk-missing-index', 'fk-added-without-not-valid', 'fk-target-not-unique']);
  const findings = analyze(model).findings.filter((f) => fixable.has(f.rule));
  assert.deepEqual(findings.map((f) => `${f.rule} ${f.fk!.name}`).sort(), [
    'fk-added-without-not-valid orders_user_id_fkey',
    'fk-missing-index items_account_code_fkey',
    'fk-missing-index items_user_again',
    'fk-missing-index items_user_id_fkey',
    'fk-missing-index orders_user_id_fkey',
    'fk-target-not-unique items_account_code_fkey',
  ]);
  const targets = findings.map((f) => {
    const history = model.histories.find((h) => h.history.id === f.fk!.historyId)!;
    return { rule: f.rule, history, fk: history.foreignKeys.find((k) => k.tableId === f.fk!.tableId && k.name === f.fk!.name)! };
  });
  const input = { model, files: [...texts.keys()], textOf: (f: string) => workspace.text(f), options: { now: NOW } };
  const all = fixAll(input, targets)!;
  assert.deepEqual(fixAll(input, [...targets].reverse()), all, 'the diagnostics order does not change the plan');
  // In declaration order; the two FKs over items.user_id share one index.
  assert.deepEqual(all.creates.map((c) => c.file).filter((f) => f.endsWith('.up.sql')), [
    'db/4_validate_orders_user_id_fkey.up.sql',
    'db/5_add_index_orders_user_id.up.sql',
    'db/6_add_index_items_account_code.up.sql',
    'db/7_add_index_items_user_id.up.sql',
  ]);
  targetsOf.set(
    all,
    findings.map((f) => ({ rule: f.rule, table: f.fk!.table, column: f.fk!.columns[0] })),
  );
  const { db } = await applyAndRun(texts, all);
  const rows = await pg.query<{ conname: string; convalidated: boolean }>(db, "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' ORDER BY conname");
  assert.deepEqual(rows, [
    { conname: 'items_account_code_fkey', convalidated: true },
    { conname: 'items_user_again', convalidated: true },
    { conname: 'items_user_id_fkey', convalidated: true },
    { conname: 'orders_user_id_fkey', convalidated: true },
  ]);
  assert.deepEqual((await indexesOn(db, 'items')).map((i) => i.indexname), ['items_account_code_idx', 'items_pkey', 'items_user_id_idx']);
});
