/**
 * Findings judged on the final schema sit at the FK's declaration, maybe in a migration much older than what made
 * them true. They say "In the final schema" and link, as related information, the later migration that did it
 * (dropped the covering index, renamed the table, set NOT NULL); step findings keep the names of their step.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { check } from '../support/rules';

before(async () => {
  await initPostgresParser();
});

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY);\n';

test('fk-missing-index: the covering index a later migration dropped is named and linked', () => {
  const findings = check({
    'db/001_orders.up.sql': USERS + 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, n int, UNIQUE (user_id, n));\n',
    'db/002_drop_unique.up.sql': 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_n_key;\n',
  }).filter((f) => f.rule === 'fk-missing-index');
  assert.equal(findings.length, 1);
  const [f] = findings;
  assert.equal(f.file, 'db/001_orders.up.sql');
  assert.match(f.message, /^In the final schema, no index on orders\(user_id\) serves foreign key orders_user_id_fkey: every DELETE of a users row/);
  const drop = f.related?.find((r) => r.file === 'db/002_drop_unique.up.sql');
  assert.equal(drop?.message, 'the index orders_user_id_n_key, which served orders_user_id_fkey, is dropped here');
  // Without the drop: served, no finding; an FK never served says no "final schema".
  assert.deepEqual(check({ 'db/001_orders.up.sql': USERS + 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, n int, UNIQUE (user_id, n));\n' }).filter((x) => x.rule === 'fk-missing-index'), []);
  const plain = check({ 'db/001_orders.up.sql': USERS + 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n' }).filter((x) => x.rule === 'fk-missing-index');
  assert.match(plain[0].message, /^No index on orders\(user_id\)/);
});

test('fk-missing-index: DROP INDEX and DROP COLUMN of another indexed column are the migrations that made it true', () => {
  const dropIndex = check({
    'db/001.up.sql': USERS + 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\nCREATE INDEX orders_user_idx ON orders (user_id);\n',
    'db/002.up.sql': 'DROP INDEX orders_user_idx;\n',
  }).find((f) => f.rule === 'fk-missing-index');
  assert.ok(dropIndex?.related?.some((r) => r.file === 'db/002.up.sql' && /orders_user_idx, which served/.test(r.message)));
  const dropColumn = check({
    'db/001.up.sql': USERS + 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, n int);\nCREATE INDEX orders_user_n_idx ON orders (user_id, n);\n',
    'db/002.up.sql': 'ALTER TABLE orders DROP COLUMN n;\n',
  }).find((f) => f.rule === 'fk-missing-index');
  assert.match(dropColumn!.message, /^In the final schema/);
  assert.ok(dropColumn?.related?.some((r) => r.file === 'db/002.up.sql' && /orders_user_n_idx, which served/.test(r.message)));
});

test('a table and a column renamed later: final-schema findings say so and link the rename; step findings keep the old names', () => {
  const findings = check({
    'db/001.up.sql': USERS + 'CREATE TABLE order_old (id bigint PRIMARY KEY, buyer bigint);\n',
    'db/002.up.sql': 'ALTER TABLE order_old ADD CONSTRAINT order_old_buyer_fkey FOREIGN KEY (buyer) REFERENCES users (id);\n',
    'db/003.up.sql': 'ALTER TABLE order_old RENAME TO orders;\nALTER TABLE orders RENAME COLUMN buyer TO user_id;\n',
  });
  const missing = findings.find((f) => f.rule === 'fk-missing-index')!;
  assert.match(missing.message, /^In the final schema, no index on orders\(user_id\) serves foreign key order_old_buyer_fkey/);
  assert.deepEqual(
    missing.related?.filter((r) => r.file === 'db/003.up.sql').map((r) => r.message),
    ['table order_old is renamed to orders here', 'column buyer is renamed to user_id here'],
  );
  const step = findings.find((f) => f.rule === 'fk-added-without-not-valid')!;
  assert.match(step.message, /^Foreign key order_old_buyer_fkey on order_old\(buyer\) is added to an existing table without NOT VALID: PostgreSQL checks every row of order_old while holding SHARE ROW EXCLUSIVE locks on order_old and users/);
});

test('set-null-on-not-null: NOT NULL set by a later migration makes it a final-schema finding, linked there', () => {
  const [f] = check({
    'db/001.up.sql': USERS + 'CREATE TABLE reviews (id bigint PRIMARY KEY, user_id bigint REFERENCES users ON DELETE SET NULL);\n',
    'db/002.up.sql': 'ALTER TABLE reviews ALTER COLUMN user_id SET NOT NULL;\n',
  }).filter((x) => x.rule === 'set-null-on-not-null');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /^In the final schema, ON DELETE SET NULL on reviews\.user_id, which is NOT NULL: every DELETE of a referenced users row will fail/);
  assert.ok(f.related?.some((r) => r.file === 'db/002.up.sql' && r.message === 'reviews.user_id is NOT NULL'));
});

test('fk-target-not-unique names the parent as it was called when the key was declared', () => {
  const [f] = check({
    'db/001.up.sql': 'CREATE TABLE people (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (email text REFERENCES people (email));\n',
    'db/002.up.sql': 'ALTER TABLE people RENAME TO users;\n',
  }).filter((x) => x.rule === 'fk-target-not-unique');
  assert.match(f.message, /^people\(email\) is not a primary key, unique constraint or unique index of people at this point/);
});
