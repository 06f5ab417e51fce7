/** Each rule on hand-written SQL: what fires, where, with which message and data, and what does not. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { check, checkSql, rulesOf } from '../support/rules';
import { analyze, type ReportedFinding } from '../../server/src/analysis/analyze';
import { openWorkspace } from '../../server/src/workspace/open';
import { Workspace } from '../../server/src/workspace/workspace';
import { resolve } from 'node:path';

before(async () => {
  await initPostgresParser();
});

const of = (findings: ReportedFinding[], rule: string) => findings.filter((f) => f.rule === rule);
const textAt = (sql: string, f: { span: { start: number; end: number } }) => sql.slice(f.span.start, f.span.end);

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY);\n';

test('fk-missing-index: on the FK column list, judged on the final schema; served by a later index, a composite PK prefix, a NOT NULL partial index', () => {
  const sql = USERS + 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n';
  const [f] = of(checkSql(sql), 'fk-missing-index');
  assert.equal(textAt(sql, f), 'user_id');
  assert.equal(f.severity, 'warning');
  assert.match(f.message, /No index on orders\(user_id\) serves foreign key orders_user_id_fkey: every DELETE of a users row/);
  assert.deepEqual(f.fk, { historyId: '', tableId: 2, name: 'orders_user_id_fkey', schema: 'public', table: 'orders', columns: ['user_id'], refSchema: 'public', refTable: 'users', refColumns: ['id'] });
  assert.equal(f.related?.[0].message, 'users is defined here');
  const later = check({ 'm/001_a.up.sql': sql, 'm/002_b.up.sql': 'CREATE INDEX ON orders (user_id);' });
  assert.deepEqual(of(later, 'fk-missing-index'), []);
  assert.deepEqual(of(checkSql(USERS + 'CREATE TABLE t (user_id bigint REFERENCES users, k int, PRIMARY KEY (user_id, k));'), 'fk-missing-index'), []);
  assert.deepEqual(of(checkSql(USERS + 'CREATE TABLE t (user_id bigint REFERENCES users); CREATE INDEX ON t (user_id) WHERE user_id IS NOT NULL;'), 'fk-missing-index'), []);
  assert.equal(of(checkSql(USERS + 'CREATE TABLE t (user_id bigint REFERENCES users, d date); CREATE INDEX ON t (user_id) WHERE d IS NULL;'), 'fk-missing-index').length, 1);
  assert.equal(of(checkSql(USERS + 'CREATE TABLE t (user_id bigint REFERENCES users, k int, PRIMARY KEY (k, user_id));'), 'fk-missing-index').length, 1);
});

test('set-null-on-not-null: on the ON DELETE clause, with the NOT NULL as related info; SET NULL (cols) and ON UPDATE', () => {
  const sql = USERS + 'CREATE TABLE r (id int PRIMARY KEY, user_id bigint NOT NULL REFERENCES users ON DELETE SET NULL);\n';
  const [f] = of(checkSql(sql), 'set-null-on-not-null');
  assert.equal(textAt(sql, f), 'ON DELETE SET NULL');
  assert.equal(f.severity, 'error');
  assert.equal(f.message, 'ON DELETE SET NULL on r.user_id, which is NOT NULL: every DELETE of a referenced users row will fail with a not-null violation.');
  assert.equal(textAt(sql, f.related![0]), 'NOT NULL');
  assert.deepEqual(of(checkSql(USERS + 'CREATE TABLE r (id int, user_id bigint REFERENCES users ON DELETE SET NULL);'), 'set-null-on-not-null'), []);
  // A later migration makes it NOT NULL: the final schema decides.
  const later = check({ 'm/001_a.up.sql': USERS + 'CREATE TABLE r (id int, user_id bigint REFERENCES users ON DELETE SET NULL);', 'm/002_b.up.sql': 'ALTER TABLE r ALTER COLUMN user_id SET NOT NULL;' });
  assert.equal(of(later, 'set-null-on-not-null').length, 1);
  // Only the listed columns are nulled; the primary-key column tenant_id is not.
  const composite =
    'CREATE TABLE p (tenant_id int, id int, PRIMARY KEY (tenant_id, id));\n' +
    'CREATE TABLE c (tenant_id int, id int, p_id int, PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, p_id) REFERENCES p ON DELETE SET NULL (p_id));';
  assert.deepEqual(of(checkSql(composite), 'set-null-on-not-null'), []);
  const all = composite.replace(' (p_id));', ');');
  assert.match(of(checkSql(all), 'set-null-on-not-null')[0].message, /c\.tenant_id, which is NOT NULL/);
  const update = USERS + 'CREATE TABLE r (user_id bigint NOT NULL REFERENCES users ON UPDATE SET NULL);';
  assert.match(of(checkSql(update), 'set-null-on-not-null')[0].message, /^ON UPDATE SET NULL .* every UPDATE of a referenced users key/);
});

test('set-default-without-default: graded error / warning / info; a function default is fine', () => {
  const grade = (column: string) => of(checkSql(USERS + `CREATE TABLE r (user_id bigint ${column} REFERENCES users ON DELETE SET DEFAULT);`), 'set-default-without-default').map((f) => f.severity);
  assert.deepEqual(grade('NOT NULL'), ['error']);
  assert.deepEqual(grade(''), ['warning']);
  assert.deepEqual(grade('DEFAULT 0'), ['info']);
  assert.deepEqual(grade("DEFAULT NULL"), ['warning']);
  assert.deepEqual(of(checkSql(USERS + 'CREATE SEQUENCE s; CREATE TABLE r (user_id bigint DEFAULT nextval(\'s\') REFERENCES users ON DELETE SET DEFAULT);'), 'set-default-without-default'), []);
  assert.deepEqual(of(checkSql(USERS + 'CREATE TABLE r (user_id bigint REFERENCES users ON DELETE SET NULL);'), 'set-default-without-default'), []);
});

test('fk-target-missing: a table created later in the history; fk-target-not-unique; fk-column-count-mismatch', () => {
  const missing = checkSql('CREATE TABLE o (user_id int REFERENCES users (id));\n' + USERS);
  assert.equal(of(missing, 'fk-target-missing')[0].severity, 'error');
  const notUnique = USERS.replace('PRIMARY KEY', 'PRIMARY KEY, email text') + 'CREATE TABLE o (email text REFERENCES users (email));';
  const [nu] = of(checkSql(notUnique), 'fk-target-not-unique');
  assert.equal(textAt(notUnique, nu), 'email');
  assert.deepEqual(of(checkSql(notUnique.replace('email text,', 'email text UNIQUE,').replace('email text)', 'email text UNIQUE)')), 'fk-target-not-unique'), []);
  const partial = USERS.replace('PRIMARY KEY', 'PRIMARY KEY, email text') + 'CREATE UNIQUE INDEX ON users (email) WHERE id > 0; CREATE TABLE o (email text REFERENCES users (email));';
  assert.equal(of(checkSql(partial), 'fk-target-not-unique').length, 1);
  const count = 'CREATE TABLE p (a int, b int, PRIMARY KEY (a, b)); CREATE TABLE c (a int, FOREIGN KEY (a) REFERENCES p);';
  const [cm] = of(checkSql(count), 'fk-column-count-mismatch');
  assert.match(cm.message, /1 referencing column\(s\), c\(a\), but 2 referenced, p\(a, b\)/);
  assert.deepEqual(of(checkSql(count), 'fk-target-not-unique'), []);
});

test('fk-type-mismatch: uuid vs text error, an integer child narrower than its key warning (wider: info), varchar lengths info, same type nothing', () => {
  const grade = (parent: string, child: string) =>
    of(checkSql(`CREATE TABLE p (k ${parent} PRIMARY KEY); CREATE TABLE c (k ${child} REFERENCES p);`), 'fk-type-mismatch').map((f) => f.severity);
  assert.deepEqual(grade('uuid', 'text'), ['error']);
  assert.deepEqual(grade('bigint', 'integer'), ['warning']);
  assert.deepEqual(grade('integer', 'bigint'), ['info']);
  assert.deepEqual(grade('smallint', 'integer'), ['info']);
  assert.deepEqual(grade('integer', 'smallint'), ['warning']);
  assert.deepEqual(grade('varchar(20)', 'varchar(50)'), ['info']);
  assert.deepEqual(grade('bigint', 'bigint'), []);
  assert.deepEqual(grade('bigserial', 'bigint'), []);
});

test('fk-added-without-not-valid: ALTER on an existing table, not on one created in the same migration, not NOT VALID, not in schema files', () => {
  const init = 'CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE o (id int, user_id int);';
  const add = 'ALTER TABLE o ADD CONSTRAINT o_user_fk FOREIGN KEY (user_id) REFERENCES users (id);';
  const [f] = of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': add }), 'fk-added-without-not-valid');
  assert.equal(f.file, 'm/002_b.up.sql');
  assert.match(f.message, /SHARE ROW EXCLUSIVE locks on o and users/);
  // ADD COLUMN ... REFERENCES: PostgreSQL checks the rows only when the column has a DEFAULT clause (test/pg/not-valid.test.ts).
  const column = (sql: string) => of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': sql }), 'fk-added-without-not-valid');
  assert.deepEqual(column('ALTER TABLE o ADD COLUMN u2 int REFERENCES users;'), []);
  assert.deepEqual(column('ALTER TABLE o ADD COLUMN u2 int GENERATED BY DEFAULT AS IDENTITY REFERENCES users;'), []);
  const [withDefault] = column('ALTER TABLE o ADD COLUMN u2 int NOT NULL DEFAULT 1 REFERENCES users;');
  assert.match(withDefault.message, /^Column u2 is added to existing table o with DEFAULT 1 and REFERENCES users: PostgreSQL checks every row/);
  assert.match(withDefault.message, /NOT VALID cannot be written on a column: add the column, then ADD CONSTRAINT o_u2_fkey FOREIGN KEY \(u2\) REFERENCES users \(id\) NOT VALID/);
  const [defaultNull] = column('ALTER TABLE o ADD COLUMN u2 int DEFAULT NULL REFERENCES users;');
  assert.match(defaultNull.message, /Leave out DEFAULT NULL/);
  assert.equal(column('ALTER TABLE o ADD COLUMN u2 bigserial REFERENCES users;').length, 1, 'serial has a default');
  assert.deepEqual(of(check({ 'm/001_a.up.sql': init + add }), 'fk-added-without-not-valid'), []);
  assert.deepEqual(of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': add.replace(';', ' NOT VALID;') }), 'fk-added-without-not-valid'), []);
  assert.deepEqual(of(check({ 'a.sql': init, 'b.sql': add }), 'fk-added-without-not-valid'), [], 'plain schema files are loaded into an empty database');
});

test('fk-added-without-not-valid is a step fact: reported when a later migration drops or renames the key, with the names of that step', () => {
  const init = 'CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE o (id int, user_id int);';
  const add = 'ALTER TABLE o ADD CONSTRAINT o_user_fk FOREIGN KEY (user_id) REFERENCES users (id);';
  const replaced = check({
    'm/001_a.up.sql': init,
    'm/002_b.up.sql': add,
    'm/003_c.up.sql': 'ALTER TABLE o DROP CONSTRAINT o_user_fk;',
    'm/004_d.up.sql': 'ALTER TABLE o RENAME TO orders; ALTER TABLE orders RENAME COLUMN user_id TO customer_id;',
  });
  const [f] = of(replaced, 'fk-added-without-not-valid');
  assert.equal(f.file, 'm/002_b.up.sql');
  assert.match(f.message, /^Foreign key o_user_fk on o\(user_id\) is added to an existing table without NOT VALID: PostgreSQL checks every row of o /);
  assert.deepEqual(f.fk && [f.fk.table, f.fk.columns, f.fk.refTable], ['o', ['user_id'], 'users'], 'the dropped key, named as at that step');
  // The key that stays is reported with its final names (the fix finds it by them).
  const kept = of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': add, 'm/003_c.up.sql': 'ALTER TABLE o RENAME TO orders;' }), 'fk-added-without-not-valid');
  assert.match(kept[0].message, /on o\(user_id\) is added/);
  assert.equal(kept[0].fk?.table, 'orders');
});

test('fk-added-without-not-valid: a history that never adds a key NOT VALID gets findings on its newest such migration only, counting the others; from the first NOT VALID on, every migration', () => {
  const init = 'CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE o (id int, a int, b int, c int, d int);';
  const add = (col: string) => `ALTER TABLE o ADD CONSTRAINT o_${col}_fk FOREIGN KEY (${col}) REFERENCES users (id);\n`;
  const M = (n: number) => `m/00${n}_x.up.sql`;
  const never = { [M(1)]: init, [M(2)]: add('a'), [M(3)]: add('b'), [M(4)]: add('c') + add('d'), [M(5)]: 'CREATE TABLE notes (id int);' };
  const found = of(check(never), 'fk-added-without-not-valid');
  assert.deepEqual(found.map((f) => f.file), [M(4), M(4)], 'both keys of the newest such migration');
  assert.match(found[0].message, / No migration of this history adds a foreign key NOT VALID, and 2 earlier ones add keys this way too; they have most likely run already, so only the newest is reported\.$/);
  assert.deepEqual(found[0].related?.map((r) => [r.file, r.message]), [
    [M(1), 'o is created by an earlier migration'],
    [M(3), 'an earlier migration, also without NOT VALID: o_b_fk on o'],
    [M(2), 'an earlier migration, also without NOT VALID: o_a_fk on o'],
  ]);
  // Files under review (named to fklens check, or from checkFrom on) are each judged.
  const reviewed = (config: { checkFrom?: string; reviewed?: string[] }) => {
    const ws = new Workspace({});
    for (const [path, text] of Object.entries(never)) ws.setFile(path, text);
    return analyze(ws.model(), { rules: {}, protectedTables: [], ...config }).findings.filter((f) => f.rule === 'fk-added-without-not-valid').map((f) => f.file);
  };
  assert.deepEqual(reviewed({ reviewed: [M(2)] }), [M(2)]);
  assert.deepEqual(reviewed({ checkFrom: '003' }), [M(3), M(4), M(4)]);
  // The project splits keys from migration 3 on (a NOT VALID there): every later migration is judged, the older ones not.
  const adopted = { ...never, [M(3)]: add('b').replace(';', ' NOT VALID;') + 'ALTER TABLE o VALIDATE CONSTRAINT o_b_fk;\n' };
  const judged = of(check(adopted), 'fk-added-without-not-valid');
  assert.deepEqual(judged.map((f) => f.file), [M(4), M(4)]);
  assert.doesNotMatch(judged[0].message, /earlier one/);
  const early = { ...never, [M(2)]: add('a').replace(';', ' NOT VALID;') };
  assert.deepEqual(of(check(early), 'fk-added-without-not-valid').map((f) => f.file), [M(3), M(4), M(4)]);
});

test('validate-in-same-transaction: names the tool; explicit BEGIN ... COMMIT; not after a COMMIT; not across files', () => {
  const init = 'CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE o (id int, user_id int);';
  const add = 'ALTER TABLE o ADD CONSTRAINT o_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n';
  const validate = 'ALTER TABLE o VALIDATE CONSTRAINT o_user_fk;\n';
  const [f] = of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': add + validate }), 'validate-in-same-transaction');
  assert.match(f.message, /golang-migrate sends a migration file as one multi-statement query/);
  assert.equal(f.related?.[0].message, 'o_user_fk is added NOT VALID here');
  const prisma = check({ 'prisma/migrations/20230101000000_a/migration.sql': init, 'prisma/migrations/20230102000000_b/migration.sql': add + validate });
  assert.match(of(prisma, 'validate-in-same-transaction')[0].message, /Prisma runs each migration file in one transaction/);
  assert.deepEqual(of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': 'BEGIN;\n' + add + 'COMMIT;\n' + validate }), 'validate-in-same-transaction'), []);
  assert.deepEqual(of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': add, 'm/003_c.up.sql': validate }), 'validate-in-same-transaction'), []);
  const explicit = of(check({ 'a.sql': init, 'b.sql': 'BEGIN;\n' + add + validate + 'COMMIT;\n' }), 'validate-in-same-transaction');
  assert.match(explicit[0].message, /inside the same BEGIN \.\.\. COMMIT/);
  assert.deepEqual(of(check({ 'a.sql': init, 'b.sql': add + validate }), 'validate-in-same-transaction'), [], 'plain files: no transaction around a file');
  const goose = '-- +goose NO TRANSACTION\n-- +goose Up\n' + add + validate;
  assert.deepEqual(of(check({ 'db/001_a.sql': '-- +goose Up\n' + init, 'db/002_b.sql': goose }), 'validate-in-same-transaction'), []);
});

test('fk-never-validated: NOT VALID left at the end (info); validated later: nothing', () => {
  const init = 'CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE o (id int, user_id int);';
  const add = 'ALTER TABLE o ADD CONSTRAINT o_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;';
  const [f] = of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': add }), 'fk-never-validated');
  assert.equal(f.severity, 'info');
  assert.deepEqual(of(check({ 'm/001_a.up.sql': init, 'm/002_b.up.sql': add, 'm/003_c.up.sql': 'ALTER TABLE o VALIDATE CONSTRAINT o_user_fk;' }), 'fk-never-validated'), []);
});

const CHAIN = (n: number, action = 'CASCADE') =>
  'CREATE TABLE t0 (id int PRIMARY KEY);\n' +
  Array.from({ length: n }, (_, i) => `CREATE TABLE t${i + 1} (id int PRIMARY KEY, p int REFERENCES t${i} ON DELETE ${i === 0 ? action : 'CASCADE'});\n`).join('');

test('cascade-depth: deeper than maxDepth names the path; options change the limits', () => {
  const [f] = of(checkSql(CHAIN(4)), 'cascade-depth');
  assert.equal(f.message, 'Deleting a row of t0 cascades 4 levels deep (more than 3): t0 -> t1 -> t2 -> t3 -> t4 (4 levels).');
  assert.equal(textAt(CHAIN(4), f), 'ON DELETE CASCADE');
  assert.equal(f.fk?.table, 't1');
  assert.deepEqual(of(checkSql(CHAIN(3)), 'cascade-depth'), []);
  assert.deepEqual(of(checkSql(CHAIN(4), { rules: { 'cascade-depth': { options: { maxDepth: 4 } } } }), 'cascade-depth'), []);
  const wide = 'CREATE TABLE r (id int PRIMARY KEY);\n' + Array.from({ length: 3 }, (_, i) => `CREATE TABLE c${i} (r int REFERENCES r ON DELETE CASCADE);\n`).join('');
  // Wide, not deep: the message names the tables it deletes directly, not one chain of them.
  assert.equal(
    of(checkSql(wide, { rules: { 'cascade-depth': { options: { maxTables: 2 } } } }), 'cascade-depth')[0].message,
    'Deleting a row of r cascades into 3 tables (more than 2), at most 1 level down; directly into c0, c1 and c2.',
  );
});

test('cascade-cycle: a self-reference is info, a cycle through tables a warning, reported once', () => {
  const self = of(checkSql('CREATE TABLE c (id int PRIMARY KEY, parent int REFERENCES c ON DELETE CASCADE);'), 'cascade-cycle');
  assert.deepEqual(self.map((f) => f.severity), ['info']);
  const loop = 'CREATE TABLE a (id int PRIMARY KEY, b int); CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a ON DELETE CASCADE); ALTER TABLE a ADD FOREIGN KEY (b) REFERENCES b ON DELETE CASCADE;';
  const found = of(checkSql(loop), 'cascade-cycle');
  assert.equal(found.length, 1);
  assert.equal(found[0].severity, 'warning');
  assert.match(found[0].message, /cycle through 2 tables/);
  assert.deepEqual(of(checkSql(loop.replace(/ON DELETE CASCADE;$/, 'ON DELETE SET NULL;')), 'cascade-cycle'), []);
});

test('cascade-conflict: only where a cascade and a check (or a NOT NULL rewrite) meet the same rows at the same level', () => {
  const R = 'CREATE TABLE r (id int PRIMARY KEY);\n';
  // x references r twice: the cascade and the check fire on the same r row, in creation order.
  const twice = (first: string, second: string) => R + `CREATE TABLE x (id int PRIMARY KEY, a int, b int);\nALTER TABLE x ADD ${first};\nALTER TABLE x ADD ${second};\n`;
  const cascade = 'CONSTRAINT x_a FOREIGN KEY (a) REFERENCES r ON DELETE CASCADE';
  const restrict = 'CONSTRAINT x_b FOREIGN KEY (b) REFERENCES r ON DELETE RESTRICT';
  const [f] = of(checkSql(twice(cascade, restrict)), 'cascade-conflict');
  assert.equal(f.severity, 'warning');
  assert.equal(textAt(twice(cascade, restrict), f), 'ON DELETE RESTRICT');
  assert.equal(f.fk?.name, 'x_b');
  assert.equal(
    f.message,
    'Deleting a row of r succeeds or fails depending on trigger order: x_a (ON DELETE CASCADE -> r) deletes x rows and x_b (ON DELETE RESTRICT -> r) checks them, both for the deleted r row. ' +
      'The two triggers fire in constraint creation order: here x_a comes first, so the DELETE succeeds; built in another order (as a restore from a dump can be), it fails with a foreign-key violation.',
  );
  assert.match(of(checkSql(twice(restrict, cascade)), 'cascade-conflict')[0].message, /here x_b comes first, so the DELETE fails with a foreign-key violation; built in another order .*, it succeeds\.$/);
  // NO ACTION is checked at the same moment as RESTRICT; deferred to commit, it finds the rows gone.
  assert.equal(of(checkSql(twice(cascade, restrict.replace('RESTRICT', 'NO ACTION'))), 'cascade-conflict').length, 1);
  assert.deepEqual(of(checkSql(twice(cascade, restrict.replace('ON DELETE RESTRICT', 'DEFERRABLE INITIALLY DEFERRED'))), 'cascade-conflict'), []);
  // SET NULL: a conflict only when it writes NULL into a NOT NULL column (the rows end up deleted either way otherwise).
  const setNull = 'CONSTRAINT x_b FOREIGN KEY (b) REFERENCES r ON DELETE SET NULL';
  assert.deepEqual(of(checkSql(twice(cascade, setNull)), 'cascade-conflict'), []);
  const notNull = of(checkSql(twice(cascade, setNull).replace('b int)', 'b int NOT NULL)')), 'cascade-conflict');
  assert.match(notNull[0].message, /x_b \(ON DELETE SET NULL -> r\) sets their b to NULL, both for the deleted r row.*it fails with a not-null violation/);

  // Two cascade paths one level deep: tasks and time_entries both go at level 1, the check for the tasks runs at level 2.
  const timeEntries =
    'CREATE TABLE projects (id bigint PRIMARY KEY);\nCREATE TABLE tasks (id bigint PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE);\n' +
    'CREATE TABLE time_entries (id bigint PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE, task_id bigint NOT NULL REFERENCES tasks ON DELETE RESTRICT);\n';
  assert.deepEqual(of(checkSql(timeEntries), 'cascade-conflict'), []);
  // A self-reference deleted by the same cascade: the children are deleted at level 1, their parent's check runs at level 2.
  const selfRef = 'CREATE TABLE orgs (id int PRIMARY KEY);\nCREATE TABLE emp (id int PRIMARY KEY, org int REFERENCES orgs ON DELETE CASCADE, manager int REFERENCES emp ON DELETE RESTRICT);\n';
  assert.deepEqual(of(checkSql(selfRef), 'cascade-conflict'), []);
  // Deleted two levels after the check: not order-dependent (the DELETE always fails), so not a conflict; reach says blocked.
  const deep =
    R + 'CREATE TABLE a (id int PRIMARY KEY, r int REFERENCES r ON DELETE CASCADE);\nCREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a ON DELETE CASCADE);\n' +
    'CREATE TABLE y (id int PRIMARY KEY, r int REFERENCES r ON DELETE CASCADE);\nCREATE TABLE x (id int PRIMARY KEY, b int REFERENCES b ON DELETE CASCADE, y int REFERENCES y ON DELETE RESTRICT);\n';
  assert.deepEqual(of(checkSql(deep), 'cascade-conflict'), []);
  // Parents deleted at the same level through different paths: the triggers on r decide which of p and y goes first.
  const parents =
    R + 'CREATE TABLE p (id int PRIMARY KEY, r int REFERENCES r ON DELETE CASCADE);\nCREATE TABLE y (id int PRIMARY KEY, r int REFERENCES r ON DELETE CASCADE);\n' +
    'CREATE TABLE x (id int PRIMARY KEY, p int REFERENCES p ON DELETE CASCADE, y int REFERENCES y ON DELETE RESTRICT);\n';
  const [d] = of(checkSql(parents), 'cascade-conflict');
  assert.match(d.message, /at level 2, for the p and y rows deleted at level 1\. Which fires first follows which of those rows went first, set by the creation order of p_r_fkey and y_r_fkey on r: here p_r_fkey comes first, so the DELETE succeeds/);
  assert.deepEqual(d.related?.map((r) => r.message), [
    'x rows are deleted through x_p_fkey at level 2',
    'p_r_fkey (p) fires in creation order on r',
    'y_r_fkey (y) fires in creation order on r',
  ]);
  // Plain cascades: nothing.
  assert.deepEqual(of(checkSql(twice(cascade, cascade.replace('x_a', 'x_c').replace('(a)', '(b)'))), 'cascade-conflict'), []);
});

test('cascade-into-protected: only with protected tables; schema-qualified names', () => {
  const sql = USERS + 'CREATE TABLE orders (id int PRIMARY KEY, user_id bigint REFERENCES users ON DELETE CASCADE);\nCREATE TABLE items (o int REFERENCES orders ON DELETE CASCADE);';
  assert.deepEqual(of(checkSql(sql), 'cascade-into-protected'), []);
  const [f] = of(checkSql(sql, { protectedTables: ['orders'] }), 'cascade-into-protected');
  assert.equal(f.message, 'orders is protected, but deleting a row of users deletes its rows by cascade (users -> orders).');
  const deep = of(checkSql(sql, { protectedTables: ['public.items'] }), 'cascade-into-protected');
  assert.match(deep[0].message, /deleting a row of users or orders deletes its rows by cascade \(users -> orders -> items\)/);
  assert.deepEqual(of(checkSql(sql, { protectedTables: ['other.orders'] }), 'cascade-into-protected'), []);
});

test('duplicate-fk: the second of two identical keys, with the first as related info', () => {
  const sql = USERS + 'CREATE TABLE o (user_id bigint REFERENCES users (id));\nALTER TABLE o ADD CONSTRAINT o_dup FOREIGN KEY (user_id) REFERENCES users (id);';
  const [f] = of(checkSql(sql), 'duplicate-fk');
  assert.match(f.message, /Foreign key o_dup repeats o_user_id_fkey/);
  assert.deepEqual(f.tags, ['unnecessary']);
  assert.deepEqual(of(checkSql(USERS + 'CREATE TABLE o (a bigint REFERENCES users (id), b bigint REFERENCES users (id));'), 'duplicate-fk'), []);
});

test('the shop example: exactly its deliberate problems', async () => {
  const ws = await openWorkspace(resolve(__dirname, '../../../examples/shop'));
  const found = analyze(ws.model()).findings.map((f) => `${f.rule} ${f.severity} ${f.fk ? `${f.fk.table}(${f.fk.columns.join(',')})` : f.file.replace(/.*\//, '')}`).sort();
  assert.deepEqual(found, [
    'fk-added-without-not-valid warning orders(shipping_address_id)',
    'fk-locks-parent warning 0006_payments_keep_user_id.up.sql',
    'fk-missing-index warning categories(parent_id)',
    'fk-missing-index warning order_items(product_id)',
    'fk-missing-index warning reviews(user_id)',
    // No migration of the shop sets lock_timeout: only the newest that needs one (it counts the 3 before it).
    'lock-timeout-missing info 0006_payments_keep_user_id.up.sql',
    'set-null-on-not-null error reviews(user_id)',
  ]);
});

test('PostgreSQL-only rules judge PostgreSQL histories only: the same DDL for SQLite gets no uniqueness or type finding', () => {
  const sql =
    'CREATE TABLE parents (id uuid PRIMARY KEY, code text);\n' +
    'CREATE TABLE kids (id int PRIMARY KEY, parent_id text REFERENCES parents (id), code text REFERENCES parents (code));\n' +
    'CREATE INDEX kids_parent ON kids (parent_id); CREATE INDEX kids_code ON kids (code);\n';
  const pg = rulesOf(check({ 'schema.sql': sql }));
  assert.ok(pg.includes('fk-target-not-unique') && pg.includes('fk-type-mismatch'), pg.join(', '));
  const sqlite = rulesOf(check({ 'schema.sqlite3.sql': sql }));
  assert.ok(!sqlite.includes('fk-target-not-unique') && !sqlite.includes('fk-type-mismatch'), sqlite.join(', '));
  // Rules about what a DELETE does still apply to every engine.
  const nulls = 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p_id int NOT NULL REFERENCES p ON DELETE SET NULL);';
  assert.ok(rulesOf(check({ 'schema.sqlite3.sql': nulls })).includes('set-null-on-not-null'));
});
