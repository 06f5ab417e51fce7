/**
 * fk-locks-parent and lock-timeout-missing on SQL and JS migration histories (what PostgreSQL does is shown in
 * test/pg/lock-rules.test.ts), and the lock_timeout quick-fix in each tool's layout: after it, both are gone.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { analyze } from '../../server/src/analysis/analyze';
import { Workspace } from '../../server/src/workspace/workspace';
import { applyFix, fixAll, fixesFor, type FixTarget } from '../../server/src/features/fixes';
import { historyOf } from '../../server/src/features/target';
import { check } from '../support/rules';

before(async () => {
  await initPostgresParser();
});

const INIT = `CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id), note text);
`;
const M1 = 'db/migrations/0001_init.up.sql';
const M2 = 'db/migrations/0002_next.up.sql';

const of = (files: Record<string, string>, rule: string) => check(files).filter((f) => f.rule === rule);
const second = (sql: string, rule: string) => of({ [M1]: INIT, [M2]: sql }, rule);
const textAt = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);

test('fk-locks-parent: DROP CONSTRAINT, DROP TABLE of a child, DROP COLUMN and ALTER TYPE of an FK column lock the parent', () => {
  for (const [sql, head] of [
    ['ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n', 'ALTER TABLE items'],
    ['DROP TABLE items;\n', 'DROP TABLE items'],
    ['ALTER TABLE items DROP COLUMN order_id;\n', 'ALTER TABLE items'],
    ['ALTER TABLE items ALTER COLUMN order_id TYPE integer;\n', 'ALTER TABLE items'],
  ]) {
    const findings = second(sql, 'fk-locks-parent');
    assert.equal(findings.length, 1, sql);
    assert.equal(findings[0].severity, 'warning');
    assert.equal(textAt(sql, findings[0].span), head);
    assert.match(findings[0].message, /takes an ACCESS EXCLUSIVE lock on orders, which it does not name: dropping or re-creating items_order_id_fkey changes its triggers on orders\./);
  }
});

test('fk-locks-parent: not for a parent of this migration, one it alters or drops itself, with a lock_timeout, nor in a schema file', () => {
  assert.deepEqual(second('ALTER TABLE items DROP COLUMN note;\nALTER TABLE items ALTER COLUMN note TYPE varchar(10);\n', 'fk-locks-parent'), []);
  assert.deepEqual(second('CREATE TABLE carts (id bigint PRIMARY KEY);\nCREATE TABLE lines (cart_id bigint REFERENCES carts (id));\nDROP TABLE lines;\n', 'fk-locks-parent'), []);
  // Dropping items locks orders, which the migration drops next anyway; dropping orders locks users.
  assert.deepEqual(second('DROP TABLE items;\nDROP TABLE orders;\n', 'fk-locks-parent').map((f) => /on (\w+),/.exec(f.message)?.[1]), ['users']);
  assert.deepEqual(second('ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\nALTER TABLE orders ADD COLUMN total int;\n', 'fk-locks-parent'), []);
  assert.deepEqual(second("SET lock_timeout = '2s';\nALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n", 'fk-locks-parent'), []);
  assert.deepEqual(of({ 'schema.sql': INIT + 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n' }, 'fk-locks-parent'), []);
  // A lock_timeout after the statement is too late.
  assert.equal(second("ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\nSET lock_timeout = '2s';\n", 'fk-locks-parent').length, 1);
});

test('lock-timeout-missing: once per migration, at its first statement that makes writes to a referenced table wait', () => {
  const sql = 'ALTER TABLE items ADD COLUMN qty int;\nALTER TABLE orders ADD COLUMN total int;\nCREATE INDEX items_order_idx ON items (order_id);\nALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n';
  const findings = second(sql, 'lock-timeout-missing');
  assert.equal(findings.length, 1);
  const [f] = findings;
  assert.equal(f.severity, 'info');
  // items is referenced by nothing: its ALTER and CREATE INDEX do not count; orders is.
  assert.equal(textAt(sql, f.span), 'ALTER TABLE orders');
  assert.match(f.message, /^No lock_timeout is set before ALTER TABLE orders ADD COLUMN total takes ACCESS EXCLUSIVE on orders \(and 1 more statement of this migration\): behind a long transaction on orders it waits, and every later query on orders queues behind it\. Set one with `SET lock_timeout = '5s';` as the first statement of the \.up\.sql file/);
  assert.deepEqual(f.related?.map((r) => [textAt(sql, r.span), r.message]), [['ALTER TABLE items', 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey: ACCESS EXCLUSIVE on orders']]);
});

const M3 = 'db/migrations/0003_more.up.sql';
const M4 = 'db/migrations/0004_last.up.sql';

test('lock-timeout-missing: a history that never sets lock_timeout gets one finding, on its newest migration that needs one, counting the others', () => {
  const files = { [M1]: INIT, [M2]: 'TRUNCATE orders CASCADE;\n', [M3]: 'CREATE TABLE carts (user_id bigint REFERENCES users (id));\n', [M4]: 'CREATE TABLE notes (id bigint);\n' };
  const findings = of(files, 'lock-timeout-missing');
  assert.deepEqual(findings.map((x) => x.file), [M3]);
  assert.match(findings[0].message, / No migration of this history sets lock_timeout, and 1 earlier one locks referenced tables this way too; they have most likely run already, so only the newest is reported\.$/);
  assert.deepEqual(findings[0].related?.map((r) => [r.file, r.message]), [[M2, 'an earlier migration, also without lock_timeout: TRUNCATE orders CASCADE: ACCESS EXCLUSIVE on orders']]);
  // fk-locks-parent alike: the newest migration that drops an FK of an existing parent.
  const drops = of({ [M1]: INIT, [M2]: 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n', [M3]: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\n' }, 'fk-locks-parent');
  assert.deepEqual(drops.map((x) => x.file), [M3]);
  assert.match(drops[0].message, /on users, which it does not name.* No migration of this history sets lock_timeout, and 1 earlier one locks parents this way too;/);
  assert.deepEqual(drops[0].related?.map((r) => r.file), [M2]);
  // Migrations under review (the files fklens check is given, or those from checkFrom on) are judged each.
  const reviewed = (config: { checkFrom?: string; reviewed?: string[] }) => {
    const ws = new Workspace({});
    for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
    return analyze(ws.model(), { rules: {}, protectedTables: [], ...config }).findings.filter((f) => f.rule === 'lock-timeout-missing');
  };
  assert.deepEqual(reviewed({ reviewed: [M2] }).map((x) => x.file), [M2]);
  assert.deepEqual(reviewed({ checkFrom: '0002' }).map((x) => x.file), [M2, M3]);
  assert.doesNotMatch(reviewed({ checkFrom: '0002' })[1].message, /earlier one/);
});

test('lock-timeout-missing and fk-locks-parent: once a migration sets lock_timeout, every later one that lacks it is reported, the older ones not', () => {
  const files = {
    [M1]: INIT,
    [M2]: 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n',
    [M3]: "SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN total int;\n",
    [M4]: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\n',
    'db/migrations/0005_more.up.sql': 'CREATE TABLE carts (user_id bigint REFERENCES users (id));\n',
  };
  assert.deepEqual(of(files, 'lock-timeout-missing').map((x) => x.file), [M4, 'db/migrations/0005_more.up.sql']);
  assert.deepEqual(of(files, 'fk-locks-parent').map((x) => x.file), [M4]);
  for (const f of [...of(files, 'lock-timeout-missing'), ...of(files, 'fk-locks-parent')]) assert.doesNotMatch(f.message, /earlier one/);
  // A SET that turns the timeout off is no practice.
  assert.deepEqual(of({ ...files, [M3]: 'SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN total int;\n' }, 'lock-timeout-missing').map((x) => x.file), ['db/migrations/0005_more.up.sql']);
});

test('fk-locks-parent: a parent the transaction holds already is reported once, at the statement that takes it', () => {
  const init = INIT + 'CREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n';
  const drops = 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\nALTER TABLE notes DROP CONSTRAINT notes_order_id_fkey;\nDROP TABLE items;\n';
  // golang-migrate runs the file as one transaction: the first statement takes orders, the others find it held.
  const once = of({ [M1]: init, [M2]: drops }, 'fk-locks-parent');
  assert.deepEqual(once.map((f) => textAt(drops, f.span)), ['ALTER TABLE items']);
  // Statements run one by one (goose NO TRANSACTION), or after a COMMIT: each waits for the lock anew.
  const goose = (up: string) => ({ 'migrations/00001_init.sql': `-- +goose Up\n${init}`, 'migrations/00002_next.sql': up });
  assert.equal(of(goose(`-- +goose NO TRANSACTION\n-- +goose Up\n${drops}`), 'fk-locks-parent').length, 2);
  assert.equal(of(goose(`-- +goose Up\n${drops}`), 'fk-locks-parent').length, 1);
  const committed = 'BEGIN;\nALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\nCOMMIT;\nBEGIN;\nALTER TABLE notes DROP CONSTRAINT notes_order_id_fkey;\nCOMMIT;\n';
  assert.equal(of(goose(`-- +goose NO TRANSACTION\n-- +goose Up\n${committed}`), 'fk-locks-parent').length, 2);
  const oneBegin = 'BEGIN;\nALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\nALTER TABLE notes DROP CONSTRAINT notes_order_id_fkey;\nCOMMIT;\n';
  assert.equal(of(goose(`-- +goose NO TRANSACTION\n-- +goose Up\n${oneBegin}`), 'fk-locks-parent').length, 1);
});

test('lock-timeout-missing: a lock_timeout in effect, SHARE UPDATE EXCLUSIVE only, new or unreferenced tables: nothing', () => {
  assert.deepEqual(second("SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN total int;\n", 'lock-timeout-missing'), []);
  assert.deepEqual(second("SELECT set_config('lock_timeout', '5s', false);\nALTER TABLE orders ADD COLUMN total int;\n", 'lock-timeout-missing'), []);
  // golang-migrate runs the file as one transaction: SET LOCAL covers the file.
  assert.deepEqual(second("SET LOCAL lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN total int;\n", 'lock-timeout-missing'), []);
  assert.deepEqual(second('ALTER TABLE items ADD CONSTRAINT items_user_fk FOREIGN KEY (id) REFERENCES users (id) NOT VALID;\n', 'lock-timeout-missing').length, 1);
  assert.deepEqual(second('ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\n', 'lock-timeout-missing'), []);
  assert.deepEqual(second('ALTER TABLE items ADD COLUMN qty int;\nCREATE TABLE notes (id bigint PRIMARY KEY);\nALTER TABLE notes ADD COLUMN body text;\n', 'lock-timeout-missing'), []);
  // A SET that turns the timeout off, or a SET after the statement, does not count.
  assert.equal(second("SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN total int;\n", 'lock-timeout-missing').length, 1);
  assert.equal(second("ALTER TABLE orders ADD COLUMN total int;\nSET lock_timeout = '5s';\n", 'lock-timeout-missing').length, 1);
});

test('lock-timeout-missing: SET LOCAL outside a transaction does nothing where the tool runs statements one by one (goose NO TRANSACTION)', () => {
  const files = (up: string) => ({ 'migrations/00001_init.sql': `-- +goose Up\n${INIT}`, 'migrations/00002_next.sql': up });
  assert.equal(of(files("-- +goose NO TRANSACTION\n-- +goose Up\nSET LOCAL lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN total int;\n"), 'lock-timeout-missing').length, 1);
  assert.equal(of(files("-- +goose Up\nSET LOCAL lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN total int;\n"), 'lock-timeout-missing').length, 0);
  const [goose] = of(files('-- +goose Up\nALTER TABLE orders ADD COLUMN total int;\n'), 'lock-timeout-missing');
  assert.match(goose.message, /Set one with `SET lock_timeout = '5s';` right after `-- \+goose Up`/);
});

// ---------------------------------------------------------------------------------------------------------
// The quick-fix

/** Applies the lock_timeout fix of the first lock-timeout-missing finding; returns the fixed file and what the rules then find. */
function fixed(files: Record<string, string>, file: string): { text: string; after: string[] } {
  const ws = new Workspace({});
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  const model = ws.model();
  const finding = analyze(model).findings.find((f) => f.rule === 'lock-timeout-missing' && f.file === file);
  assert.ok(finding, `a lock-timeout-missing finding in ${file}`);
  const history = historyOf(model, file)!;
  const target: FixTarget = { rule: finding.rule, history, file };
  const [fix] = fixesFor({ model, files: ws.filePaths(), textOf: (f) => ws.text(f) }, target);
  assert.ok(fix, 'a fix');
  assert.equal(fix.preferred, true);
  const texts = applyFix(new Map([[file, ws.text(file)!]]), fix);
  const text = texts.get(file)!;
  const after = check({ ...files, [file]: text }).filter((f) => f.file === file && (f.rule === 'lock-timeout-missing' || f.rule === 'fk-locks-parent'));
  return { text, after: after.map((f) => f.rule) };
}

test('quick-fix, golang-migrate: SET lock_timeout above the comments that lead into the first statement; both rules are gone', () => {
  const { text, after } = fixed({ [M1]: INIT, [M2]: '-- The FK goes.\nALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n' }, M2);
  assert.equal(text, "SET lock_timeout = '5s';\n\n-- The FK goes.\nALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n");
  assert.deepEqual(after, []);
});

test('quick-fix, goose and dbmate: below the Up annotation, above a StatementBegin block', () => {
  const goose = fixed(
    { 'migrations/00001_init.sql': `-- +goose Up\n${INIT}`, 'migrations/00002_next.sql': '-- +goose Up\n-- +goose StatementBegin\nALTER TABLE orders ADD COLUMN total int;\n-- +goose StatementEnd\n\n-- +goose Down\nSELECT 1;\n' },
    'migrations/00002_next.sql',
  );
  assert.equal(goose.text, "-- +goose Up\nSET lock_timeout = '5s';\n\n-- +goose StatementBegin\nALTER TABLE orders ADD COLUMN total int;\n-- +goose StatementEnd\n\n-- +goose Down\nSELECT 1;\n");
  assert.deepEqual(goose.after, []);
  const dbmate = fixed(
    { 'db/migrations/20240101000000_init.sql': `-- migrate:up\n${INIT}\n-- migrate:down\n`, 'db/migrations/20240102000000_next.sql': '-- migrate:up\nTRUNCATE orders CASCADE;\n\n-- migrate:down\n' },
    'db/migrations/20240102000000_next.sql',
  );
  assert.equal(dbmate.text, "-- migrate:up\nSET lock_timeout = '5s';\n\nTRUNCATE orders CASCADE;\n\n-- migrate:down\n");
  assert.deepEqual(dbmate.after, []);
});

test('quick-fix, Prisma: first in migration.sql', () => {
  const { text, after } = fixed(
    { 'prisma/migrations/20240101000000_init/migration.sql': INIT, 'prisma/migrations/20240102000000_next/migration.sql': '-- DropForeignKey\nALTER TABLE "items" DROP CONSTRAINT "items_order_id_fkey";\n', 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n' },
    'prisma/migrations/20240102000000_next/migration.sql',
  );
  assert.equal(text, "SET lock_timeout = '5s';\n\n-- DropForeignKey\nALTER TABLE \"items\" DROP CONSTRAINT \"items_order_id_fkey\";\n");
  assert.deepEqual(after, []);
});

const KNEXFILE = "module.exports = { development: { client: 'pg', migrations: { directory: './migrations' } } };\n";
const KNEX_INIT = `exports.up = (knex) => knex.raw(\`${INIT}\`);\nexports.down = () => {};\n`;

test('quick-fix, knex: await knex.raw(...) first in an async up, with its indentation; none for an up that returns a builder', () => {
  const up = "exports.up = async (knex) => {\n    await knex.schema.alterTable('items', (t) => t.dropForeign('order_id', 'items_order_id_fkey'));\n};\nexports.down = async () => {};\n";
  const { text, after } = fixed({ 'knexfile.js': KNEXFILE, 'migrations/20240101000000_init.js': KNEX_INIT, 'migrations/20240102000000_drop.js': up }, 'migrations/20240102000000_drop.js');
  assert.equal(text, "exports.up = async (knex) => {\n    await knex.raw(\"SET lock_timeout = '5s'\");\n    await knex.schema.alterTable('items', (t) => t.dropForeign('order_id', 'items_order_id_fkey'));\n};\nexports.down = async () => {};\n");
  assert.deepEqual(after, []);
  const ws = new Workspace({});
  const files = { 'knexfile.js': KNEXFILE, 'migrations/20240101000000_init.js': KNEX_INIT, 'migrations/20240102000000_drop.js': "exports.up = (knex) => knex.schema.alterTable('orders', (t) => t.integer('total'));\nexports.down = () => {};\n" };
  for (const [p, t] of Object.entries(files)) ws.setFile(p, t);
  const model = ws.model();
  assert.ok(analyze(model).findings.some((f) => f.rule === 'lock-timeout-missing'));
  const history = historyOf(model, 'migrations/20240102000000_drop.js')!;
  assert.deepEqual(fixesFor({ model, files: ws.filePaths(), textOf: (f) => ws.text(f) }, { rule: 'lock-timeout-missing', history, file: 'migrations/20240102000000_drop.js' }), []);
});

test('quick-fix, TypeORM: await queryRunner.query(...) first in up', () => {
  const init = `import { MigrationInterface, QueryRunner } from 'typeorm';\nexport class Init1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(\`${INIT}\`);\n  }\n  public async down(): Promise<void> {}\n}\n`;
  const next = `import { MigrationInterface, QueryRunner } from 'typeorm';\nexport class Next1700000000001 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(\`ALTER TABLE "orders" ADD "total" integer\`);\n  }\n  public async down(): Promise<void> {}\n}\n`;
  const { text, after } = fixed({ 'src/migrations/1700000000000-Init.ts': init, 'src/migrations/1700000000001-Next.ts': next }, 'src/migrations/1700000000001-Next.ts');
  assert.ok(text.includes("  public async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(\"SET lock_timeout = '5s'\");\n    await queryRunner.query(`ALTER TABLE"), text);
  assert.deepEqual(after, []);
});

test('fix all: one lock_timeout per migration for both rules', () => {
  const files = { [M1]: INIT, [M2]: 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n' };
  const ws = new Workspace({});
  for (const [p, t] of Object.entries(files)) ws.setFile(p, t);
  const model = ws.model();
  const history = historyOf(model, M2)!;
  const rules = analyze(model).findings.filter((f) => f.file === M2).map((f) => f.rule).sort();
  assert.deepEqual(rules, ['fk-locks-parent', 'lock-timeout-missing']);
  const all = fixAll({ model, files: ws.filePaths(), textOf: (f) => ws.text(f) }, rules.map((rule) => ({ rule, history, file: M2 })));
  assert.equal(all?.edits.length, 1);
});

test('a statement FK Lens skipped earlier in the migration may have set lock_timeout: the findings say so, as info', () => {
  const sql = "SET lock_timeout TO TO '5s';\nALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n";
  const [parent] = second(sql, 'fk-locks-parent');
  assert.equal(parent.severity, 'info');
  assert.match(parent.message, /This history is partial: FK Lens skipped .*which may have created a SET lock_timeout\./);
  const [timeout] = second(sql, 'lock-timeout-missing');
  assert.match(timeout.message, /which may have created a SET lock_timeout\./);
  // A skipped statement after it changes nothing.
  assert.equal(second("ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\nSELECT FROM FROM;\n", 'fk-locks-parent')[0].severity, 'warning');
});
