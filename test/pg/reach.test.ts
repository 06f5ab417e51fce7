/**
 * Cascade reach decided by a real PostgreSQL: every table holds a row with id 1 and every FK column points at
 * row 1 of its parent, so one `DELETE ... WHERE id = 1` reaches everything the FKs can reach. For each table as
 * the root, the DELETE runs in a transaction that is rolled back, and what PostgreSQL did (rows gone, columns
 * nulled, the statement refused) must be what computeReach predicted from the DDL alone.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgServer } from '../support/postgres';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { computeReach } from '../../server/src/analysis/reach';
import type { HistoryModel } from '../../server/src/model/replay';

const TABLES = `
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE orgs (id int PRIMARY KEY);
CREATE TABLE categories (id int PRIMARY KEY, parent_id int);
CREATE TABLE products (id int PRIMARY KEY, org_id int, category_id int);
CREATE TABLE orders (id int PRIMARY KEY, user_id int, org_id int);
CREATE TABLE order_items (id int PRIMARY KEY, order_id int, product_id int);
CREATE TABLE reviews (id int PRIMARY KEY, user_id int, product_id int);
CREATE TABLE payments (id int PRIMARY KEY, order_id int);
CREATE TABLE audit (id int PRIMARY KEY, user_id int);
CREATE TABLE ring_a (id int PRIMARY KEY, b_id int);
CREATE TABLE ring_b (id int PRIMARY KEY, a_id int, org_id int);
CREATE TABLE notes (id int PRIMARY KEY, ring_a_id int, org_id int);
`;

const FKS = `
ALTER TABLE categories ADD FOREIGN KEY (parent_id) REFERENCES categories ON DELETE CASCADE;
ALTER TABLE products ADD FOREIGN KEY (org_id) REFERENCES orgs ON DELETE CASCADE;
ALTER TABLE products ADD FOREIGN KEY (category_id) REFERENCES categories ON DELETE SET NULL;
ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE orders ADD FOREIGN KEY (org_id) REFERENCES orgs ON DELETE SET NULL;
ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders ON DELETE CASCADE;
ALTER TABLE order_items ADD FOREIGN KEY (product_id) REFERENCES products ON DELETE RESTRICT;
ALTER TABLE reviews ADD FOREIGN KEY (user_id) REFERENCES users ON DELETE SET NULL;
ALTER TABLE reviews ADD FOREIGN KEY (product_id) REFERENCES products ON DELETE CASCADE;
ALTER TABLE payments ADD FOREIGN KEY (order_id) REFERENCES orders;
ALTER TABLE audit ADD FOREIGN KEY (user_id) REFERENCES users ON DELETE SET DEFAULT ON UPDATE RESTRICT;
ALTER TABLE ring_a ADD FOREIGN KEY (b_id) REFERENCES ring_b ON DELETE CASCADE;
ALTER TABLE ring_b ADD FOREIGN KEY (a_id) REFERENCES ring_a ON DELETE CASCADE;
ALTER TABLE ring_b ADD FOREIGN KEY (org_id) REFERENCES orgs ON DELETE CASCADE;
ALTER TABLE notes ADD FOREIGN KEY (ring_a_id) REFERENCES ring_a ON DELETE SET NULL;
ALTER TABLE notes ADD FOREIGN KEY (org_id) REFERENCES orgs ON DELETE SET NULL;
`;

let pg: PgServer;
let db: string;
let model: HistoryModel;

before(async () => {
  pg = await startPostgres();
  await initPostgresParser();
  db = await pg.createDatabase('reach');
  await pg.exec(db, TABLES);
  const workspace = new Workspace();
  workspace.setFile('schema.sql', TABLES + FKS);
  model = workspace.model().histories[0];
  // One row (id 1) per table, every FK column pointing at row 1 of its parent; the FKs come after the data.
  const inserts = model.tables.map((t) => {
    const cols = t.columns.map((c) => c.name);
    return `INSERT INTO ${t.name} (${cols.join(', ')}) VALUES (${cols.map(() => '1').join(', ')});`;
  });
  await pg.exec(db, inserts.join('\n') + FKS);
});
after(async () => {
  await pg?.stop();
});

interface Outcome {
  error?: string;
  rows: Record<string, number>;
  nonNull: Record<string, number>;
}

/** Runs one statement in a rolled-back transaction and reports what it left. */
async function run(statement: string): Promise<Outcome> {
  const rows = model.tables.map((t) => `'${t.name}', (SELECT count(*) FROM ${t.name})`).join(', ');
  const nonNull = model.tables
    .flatMap((t) => t.foreignKeys.flatMap((fk) => fk.columns.map((c) => `'${t.name}.${c}', (SELECT count(${c}) FROM ${t.name})`)))
    .join(', ');
  const script = `BEGIN;\n${statement};\nSELECT 'RESULT:' || json_build_object('rows', json_build_object(${rows}), 'nonNull', json_build_object(${nonNull}))::text;\nROLLBACK;`;
  try {
    const { stdout } = await pg.exec(db, script);
    const line = stdout.split('\n').find((l) => l.includes('RESULT:'))!;
    return JSON.parse(line.slice(line.indexOf('RESULT:') + 7));
  } catch (err) {
    return { error: String(err instanceof Error ? err.message : err), rows: {}, nonNull: {} };
  }
}

test('computeReach predicts what PostgreSQL does on DELETE, for every table as the root', async () => {
  let blocked = 0;
  let cascaded = 0;
  for (const root of model.tables) {
    const reach = computeReach(model, root.id, 'DELETE');
    const outcome = await run(`DELETE FROM ${root.name} WHERE id = 1`);
    const label = `DELETE FROM ${root.name}`;
    if (reach.blockedBy.length) {
      blocked++;
      assert.ok(outcome.error, `${label}: predicted blocked by ${reach.blockedBy.map((b) => b.via.name).join(', ')}, but PostgreSQL allowed it`);
      const named = reach.blockedBy.map((b) => b.via.name);
      assert.ok(named.some((n) => outcome.error!.includes(n)), `${label}: PostgreSQL refused with "${outcome.error}", expected one of ${named.join(', ')}`);
      continue;
    }
    assert.equal(outcome.error, undefined, `${label}: predicted to succeed`);
    const deletedByPg = Object.entries(outcome.rows).filter(([t, n]) => n === 0 && t !== root.name).map(([t]) => t).sort();
    const deletedByUs = reach.deletes.map((d) => d.table.name).filter((t) => t !== root.name).sort();
    assert.deepEqual(deletedByUs, deletedByPg, `${label}: tables whose rows are deleted`);
    if (deletedByUs.length) cascaded++;
    // Columns PostgreSQL nulled in rows that still exist (SET NULL, and SET DEFAULT to a NULL default).
    const nulledByPg = Object.entries(outcome.nonNull)
      .filter(([col, n]) => n === 0 && outcome.rows[col.split('.')[0]] > 0)
      .map(([col]) => col)
      .sort();
    const nulledByUs = [...reach.setsNull, ...reach.setsDefault]
      .filter((e) => !deletedByUs.includes(e.table.name) && e.table.name !== root.name)
      .flatMap((e) => e.columns.map((c) => `${e.table.name}.${c}`))
      .sort();
    assert.deepEqual(nulledByUs, nulledByPg, `${label}: columns set to NULL`);
  }
  // The schema is built so that both kinds of outcome occur.
  assert.ok(blocked >= 2 && cascaded >= 2, `blocked ${blocked}, cascaded ${cascaded}`);
});

test('computeReach predicts what PostgreSQL does on a key UPDATE', async () => {
  for (const root of model.tables) {
    const reach = computeReach(model, root.id, 'UPDATE');
    const outcome = await run(`UPDATE ${root.name} SET id = 100 WHERE id = 1`);
    const label = `UPDATE ${root.name}`;
    if (reach.blockedBy.length) {
      assert.ok(outcome.error, `${label}: predicted blocked`);
      continue;
    }
    assert.equal(outcome.error, undefined, `${label}: predicted to succeed (${outcome.error})`);
  }
  const users = model.tables.find((t) => t.name === 'users')!;
  const reach = computeReach(model, users.id, 'UPDATE');
  assert.deepEqual(reach.updates.map((u) => u.table.name), ['orders']);
  assert.deepEqual(reach.blockedBy.map((b) => [b.table.name, b.action, b.checkedAt]), [
    ['reviews', 'NO ACTION', 'end of statement'],
    ['audit', 'RESTRICT', 'end of statement'],
  ]);
});

test('the tree marks cycles, repeats, conflicts and depth', () => {
  const byName = (n: string) => model.tables.find((t) => t.name === n)!;
  const orgs = computeReach(model, byName('orgs').id, 'DELETE');
  // orgs -> products -> reviews / order_items(RESTRICT); orgs -> ring_b -> ring_a -> ring_b (cycle)
  assert.ok(orgs.cycles.some((c) => c.length === 2), 'ring_a <-> ring_b is a cascade cycle');
  assert.ok(orgs.deletes.some((d) => d.table.name === 'ring_a' && d.depth === 2));
  // The deepest level at which rows are first deleted: ring_a at 2 (ring_a's cascade back into ring_b deletes nothing new).
  assert.equal(orgs.depth, 2);
  assert.equal(orgs.cycleCount, 1);
  // notes: set null from orgs directly and from ring_a: not a conflict (notes is never deleted).
  assert.deepEqual(orgs.conflicts, []);
  const categories = computeReach(model, byName('categories').id, 'DELETE');
  assert.deepEqual(categories.cycles.map((c) => c.map((f) => f.name)), [['categories_parent_id_fkey']]);
  assert.deepEqual(categories.setsNull.map((e) => `${e.table.name}.${e.columns}`), ['products.category_id']);
  const capped = computeReach(model, byName('orgs').id, 'DELETE', { maxNodes: 2 });
  assert.equal(capped.truncated, true);
});
