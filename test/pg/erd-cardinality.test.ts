/**
 * The ERD's crow's-foot ends decided by a real PostgreSQL: the parent end is "exactly one" when every FK
 * column is NOT NULL (pg_attribute.attnotnull), the child end "zero or one" when a unique index without a
 * predicate covers a subset of the FK columns (pg_index), "identifying" when the FK columns are in the
 * primary key. The same DDL goes to PostgreSQL and to buildErdGraph.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgServer } from '../support/postgres';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { buildErdGraph, type ErdGraph } from '../../server/src/features/erd/graph';

const DDL = `
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);
CREATE TABLE profiles (user_id int PRIMARY KEY REFERENCES users ON DELETE CASCADE, bio text);
CREATE TABLE passports (id int PRIMARY KEY, user_id int UNIQUE REFERENCES users ON DELETE SET NULL);
CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users, coupon_user int REFERENCES users (id) ON DELETE SET DEFAULT);
CREATE TABLE items (order_id int NOT NULL REFERENCES orders ON DELETE CASCADE, n int NOT NULL, PRIMARY KEY (order_id, n));
CREATE TABLE regions (country text, code text, PRIMARY KEY (country, code));
CREATE TABLE shops (id int PRIMARY KEY, country text NOT NULL, code text, FOREIGN KEY (country, code) REFERENCES regions);
CREATE TABLE flagships (id int PRIMARY KEY, country text NOT NULL, code text NOT NULL, FOREIGN KEY (country, code) REFERENCES regions ON DELETE RESTRICT);
CREATE UNIQUE INDEX flagships_region ON flagships (country, code);
CREATE TABLE drafts (id int PRIMARY KEY, user_id int REFERENCES users);
CREATE UNIQUE INDEX drafts_one_live ON drafts (user_id) WHERE id > 0;
CREATE TABLE tree (id int PRIMARY KEY, parent_id int REFERENCES tree ON DELETE CASCADE);
`;

let pg: PgServer;
let db: string;
let graph: ErdGraph;

before(async () => {
  pg = await startPostgres();
  await initPostgresParser();
  db = await pg.createDatabase('erd_ends');
  await pg.exec(db, DDL);
  const workspace = new Workspace();
  workspace.setFile('schema.sql', DDL);
  graph = buildErdGraph([{ name: '', model: workspace.model() }]);
});
after(async () => {
  await pg?.stop();
});

interface PgEnds {
  child: string;
  columns: string[];
  all_not_null: boolean;
  unique: boolean;
  identifying: boolean;
}

test('crow\'s-foot ends and identifying flags equal what the catalog says', async () => {
  const rows = await pg.query<PgEnds>(
    db,
    `SELECT c.conrelid::regclass::text AS child,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS columns,
            (SELECT bool_and(a.attnotnull) FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) AS all_not_null,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indisunique AND i.indpred IS NULL
                      AND i.indexprs IS NULL AND (i.indkey::int2[])[0:i.indnkeyatts - 1] <@ c.conkey) AS unique,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indisprimary
                      AND c.conkey <@ (i.indkey::int2[])) AS identifying
       FROM pg_constraint c WHERE c.contype = 'f'`,
  );
  assert.equal(rows.length, graph.edges.length, 'one edge per FK');
  const tables = new Map(graph.tables.map((t) => [t.key, t.name]));
  for (const row of rows) {
    const edge = graph.edges.find((e) => tables.get(e.from) === row.child && e.fromColumns.join() === row.columns.join());
    assert.ok(edge, `edge for ${row.child}(${row.columns})`);
    assert.equal(edge.parentEnd, row.all_not_null ? 'one' : 'zero-or-one', `${row.child}(${row.columns}) parent end`);
    assert.equal(edge.childEnd, row.unique ? 'zero-or-one' : 'many', `${row.child}(${row.columns}) child end`);
    assert.equal(edge.identifying, row.identifying, `${row.child}(${row.columns}) identifying`);
  }
  // The schema covers every combination, so a constant answer cannot pass.
  assert.deepEqual(new Set(graph.edges.map((e) => `${e.parentEnd}/${e.childEnd}`)), new Set(['one/many', 'zero-or-one/many', 'zero-or-one/zero-or-one', 'one/zero-or-one']));
});
