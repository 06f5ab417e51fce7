/** The lock section of the hover on a migration statement: where it shows, what it says, names escaped for Markdown. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { hoverAt } from '../../server/src/features/hover';
import { mdCode, mdText } from '../../server/src/features/markdown';

before(async () => {
  await initPostgresParser();
});

const INIT = `CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
`;

function hover(files: Record<string, string>, file: string, needle: string, delta = 1) {
  const ws = new Workspace({});
  for (const [p, t] of Object.entries(files)) ws.setFile(p, t);
  const at = files[file].indexOf(needle);
  assert.ok(at >= 0, needle);
  return hoverAt(ws.model(), file, at + delta, { link: (f, p) => `file:///${f}#L${p.line + 1}` });
}

const M2 = 'db/migrations/0002_next.up.sql';

test('on the keywords of DROP CONSTRAINT: both tables, the parent it does not name, catalog only, no lock_timeout', () => {
  const sql = 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n';
  const h = hover({ 'db/migrations/0001_init.up.sql': INIT, [M2]: sql }, M2, 'ALTER TABLE');
  assert.ok(h);
  assert.equal(sql.slice(h.span.start, h.span.end), 'ALTER TABLE');
  const lines = h.markdown.split('\n');
  assert.equal(lines[0], '**ALTER TABLE items DROP CONSTRAINT items\\_order\\_id\\_fkey**: locks 2 tables');
  assert.ok(lines.includes('- **ACCESS EXCLUSIVE** on `items`: blocks reads, writes and DDL'), h.markdown);
  assert.ok(lines.includes('- **ACCESS EXCLUSIVE** on `orders` (referenced by `items_order_id_fkey`; the statement does not name it): blocks reads, writes and DDL, and writes to the tables that reference it (their FK checks lock its rows)'), h.markdown);
  assert.ok(lines.includes('Catalog change only: short once granted, then held until the transaction ends.'));
  assert.match(h.markdown, /No lock_timeout is set before it/);
  // Not on the rest of the statement.
  assert.equal(hover({ 'db/migrations/0001_init.up.sql': INIT, [M2]: sql }, M2, 'DROP CONSTRAINT'), undefined);
});

test('on the table name: the lock section first, then the table hover; a scan, a rewrite and the lock_timeout with its place', () => {
  const sql = "SET lock_timeout = '3s';\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE items ALTER COLUMN order_id TYPE integer;\n";
  const files = { 'db/migrations/0001_init.up.sql': INIT, [M2]: sql };
  const add = hover(files, M2, 'orders ADD');
  assert.ok(add);
  const [locks, table] = add.markdown.split('\n\n---\n\n');
  assert.match(locks, /^\*\*ALTER TABLE orders ADD CONSTRAINT orders\\_user\\_fk FOREIGN KEY \\\(user\\_id\\\) REFERENCES users\*\*: locks 2 tables · lock_timeout set/);
  assert.match(locks, /- \*\*SHARE ROW EXCLUSIVE\*\* on `orders`: blocks writes and DDL · every row read/);
  assert.match(locks, /- \*\*SHARE ROW EXCLUSIVE\*\* on `users` \(referenced by `orders_user_fk`; the statement does not name it\): blocks writes and DDL\n/);
  assert.match(locks, /Held while every row of `orders` is read, then until the transaction ends\./);
  assert.match(locks, /lock_timeout `3s`, set at \[0002\\_next\\\.up\\\.sql\\:1\]\(file:\/\/\/db\/migrations\/0002_next\.up\.sql#L1\)/);
  assert.match(table, /DELETE FROM orders/);
  const retype = hover(files, M2, 'TABLE items', 7);
  assert.match(retype!.markdown, /Held while `items` is rewritten, then until the transaction ends\./);
});

test('CREATE INDEX CONCURRENTLY: outside a transaction, reads and writes go on', () => {
  const sql = 'CREATE INDEX CONCURRENTLY items_order_idx ON items (order_id);\n';
  const h = hover({ 'db/migrations/0001_init.up.sql': INIT, [M2]: sql }, M2, 'INDEX CONCURRENTLY', 3);
  assert.match(h!.markdown, /- \*\*SHARE UPDATE EXCLUSIVE\*\* on `items`: blocks DDL · every row read/);
  assert.match(h!.markdown, /Runs outside a transaction; SHARE UPDATE EXCLUSIVE lets reads and writes go on/);
});

test('a knex migration: the hover on the table name string', () => {
  const files = {
    'knexfile.js': "module.exports = { development: { client: 'pg', migrations: { directory: './migrations' } } };\n",
    'migrations/20240101000000_init.js': `exports.up = (knex) => knex.raw(\`${INIT}\`);\nexports.down = () => {};\n`,
    'migrations/20240102000000_drop.js': "exports.up = async (knex) => {\n  await knex.schema.dropTable('items');\n};\nexports.down = () => {};\n",
  };
  const h = hover(files, 'migrations/20240102000000_drop.js', "'items'", 2);
  assert.match(h!.markdown, /^\*\*DROP TABLE items\*\*: locks 2 tables/);
  assert.match(h!.markdown, /- \*\*ACCESS EXCLUSIVE\*\* on `orders` \(referenced by `items_order_id_fkey`/);
});

test('names reach the Markdown escaped: backticks, emphasis, links and HTML stay text', () => {
  assert.equal(mdCode('a`b'), '``a`b``');
  assert.equal(mdCode('`x'), '`` `x ``');
  assert.equal(mdCode('line\nbreak'), '`line\\nbreak`');
  assert.equal(mdText('*[x](javascript:alert(1))* <b>'), '\\*\\[x\\]\\(javascript\\:alert\\(1\\)\\)\\* \\<b\\>');
  const evil = '[x](http://e)`*<b>';
  const init = `CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE "${evil}" (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n`;
  const sql = `ALTER TABLE "${evil}" DROP CONSTRAINT "${evil}_user_id_fkey";\n`;
  const h = hover({ 'db/migrations/0001_init.up.sql': init, [M2]: sql }, M2, 'ALTER');
  assert.ok(h);
  assert.ok(h.markdown.includes('``[x](http://e)`*<b>``'), h.markdown);
  assert.ok(!/[^\\`]\[x\]\(http/.test(h.markdown.replace(/``[^`]*`[^`]*``/g, '')), h.markdown);
});

test('no lock section in a schema loaded into an empty database (a schema file): the same statement in a migration has one', () => {
  const sql = INIT + 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n';
  // One schema file: a history of tool 'schema', loaded into an empty database, where no lock is waited for.
  const schema = hover({ 'schema.sql': sql }, 'schema.sql', 'ALTER TABLE items');
  assert.ok(!schema || !/locks \d+ tables?/.test(schema.markdown), schema?.markdown);
  const migration = hover({ 'db/migrations/0001_init.up.sql': INIT, [M2]: 'ALTER TABLE items DROP CONSTRAINT items_order_id_fkey;\n' }, M2, 'ALTER TABLE items');
  assert.match(migration!.markdown, /locks 2 tables/);
});
