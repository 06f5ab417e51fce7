/** `fklens reach` on the built CLI (dist/cli.js), as CI would call it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const cli = (...args: string[]) => spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8' });

interface Entry {
  schema: string;
  table: string;
  columns?: string[];
  depth?: number;
  action?: string;
  via: { name: string; columns: string[]; location: { file: string; line: number } };
}

test('fklens reach users --json: flat lists beside the tree', () => {
  const r = cli('reach', 'users', 'examples/shop', '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(json).slice(0, 7), ['table', 'operation', 'deletes', 'setsNull', 'setsDefault', 'blockedBy', 'tree']);
  assert.equal(json.table, 'public.users');
  assert.equal(json.operation, 'DELETE');
  assert.deepEqual(json.deletes.map((d: Entry) => `${d.schema}.${d.table}@${d.depth}`), ['public.orders@1', 'public.addresses@1', 'public.order_items@2']);
  assert.deepEqual(json.setsNull.map((e: Entry) => `${e.table}(${e.columns})`), ['reviews(user_id)', 'orders(shipping_address_id)']);
  assert.deepEqual(json.setsDefault, []);
  assert.deepEqual(json.blockedBy.map((b: Entry) => `${b.table}(${b.columns}) ${b.action} via ${b.via.name}`), [
    'payments(user_id) NO ACTION via payments_user_fk',
    'payments(order_id) RESTRICT via payments_order_fk',
  ]);
  const orders = json.deletes[0].via;
  assert.deepEqual([orders.location.file, orders.location.line], ['examples/shop/db/migrations/0002_orders.up.sql', 3], 'relative to the current directory');
  assert.deepEqual(json.tree.children.map((c: { effect: string; table: string }) => `${c.effect} ${c.table}`), [
    'delete orders',
    'blocked payments',
    'set-null reviews',
    'delete addresses',
  ]);
});

test('fklens reach --update and the text tree', () => {
  const update = JSON.parse(cli('reach', 'users', 'examples/shop', '--update', '--json').stdout);
  assert.equal(update.operation, 'UPDATE');
  assert.deepEqual(update.deletes, []);
  assert.equal(update.blockedBy.length, 4);
  const text = cli('reach', 'public.orders', 'examples/shop');
  assert.equal(text.status, 0, text.stderr);
  const lines = text.stdout.split('\n');
  assert.equal(lines[0], 'DELETE FROM orders: 1 table deleted · 0 columns set to NULL · blocked by 1 FK · depth 1');
  assert.ok(lines.includes('- deletes order_items via order_items.order_id (examples/shop/db/migrations/0002_orders.up.sql:10)'), text.stdout);
  assert.ok(lines.includes('- blocked by payments.order_id, RESTRICT: checked at once (examples/shop/db/migrations/0003_payments_and_reviews.up.sql:9)'), text.stdout);
});

test('fklens reach: unknown table, missing TABLE, bad flag: one line on stderr and exit code 2', () => {
  const unknown = cli('reach', 'nope', 'examples/shop');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no table nope/);
  const near = cli('reach', 'user', 'examples/shop');
  assert.equal(near.status, 2);
  assert.match(near.stderr, /^fklens reach: no table user in the schema and migration files under examples\/shop \(did you mean users\?\)\n$/);
  assert.equal(cli('reach').status, 2);
  assert.equal(cli('reach', 'users', 'examples/shop', '--sideways').status, 2);
  assert.equal(cli('reach', 'users', 'no/such/dir').status, 2);
  assert.equal(cli('reach', '--help').status, 0);
});

test('fklens reach: a mixed-case name as typed finds a quoted table (Prisma\'s "User"); a near miss is named', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(resolve(tmpdir(), 'fklens-reach-case-'));
  try {
    writeFileSync(resolve(dir, 'schema.sql'), 'CREATE TABLE "User" (id int PRIMARY KEY);\nCREATE TABLE "Post" (id int PRIMARY KEY, "authorId" int REFERENCES "User" (id) ON DELETE CASCADE);\n');
    const asTyped = cli('reach', 'User', dir, '--json');
    assert.equal(asTyped.status, 0, asTyped.stderr);
    assert.equal(JSON.parse(asTyped.stdout).table, 'public.User');
    assert.deepEqual(JSON.parse(asTyped.stdout).deletes.map((d: Entry) => d.table), ['Post']);
    assert.equal(cli('reach', '"User"', dir, '--json').status, 0);
    const miss = cli('reach', 'USER', dir);
    assert.equal(miss.status, 2);
    assert.match(miss.stderr, /no table USER .*did you mean "User"\?/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
