/**
 * Issue 13's name-collision workload against a real PostgreSQL: 1,599 FK columns (the most a table with a key
 * can have) whose default constraint names all cut to the same 63 bytes, so PostgreSQL numbers them
 * `_fkey1`, `_fkey2`, ... FK Lens must give every FK the name PostgreSQL gives it (the timing of the same
 * workload is in test/unit/adversarial-graphs.test.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgServer } from '../support/postgres';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';

let pg: PgServer;

before(async () => {
  await initPostgresParser();
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

test('1,599 FK columns with colliding default names: every name as PostgreSQL chooses it', async () => {
  const prefix = 'a_rather_long_column_name_sharing_its_first_bytes_';
  const sql =
    'CREATE TABLE p (id int PRIMARY KEY);\n' +
    `CREATE TABLE wide_table_with_a_long_name (id int PRIMARY KEY${Array.from({ length: 1599 }, (_, i) => `,\n  ${prefix}${i} int REFERENCES p`).join('')});\n` +
    // A later FK on the same table, and one whose explicit name takes a default's place.
    `ALTER TABLE wide_table_with_a_long_name ADD CONSTRAINT wide_table_with_a_long_name_a_rather_long_column_name__fkey1600 CHECK (id > 0);\n` +
    `ALTER TABLE wide_table_with_a_long_name ADD FOREIGN KEY (${prefix}1) REFERENCES p;\n`;
  const db = await pg.createDatabase('wide');
  await pg.exec(db, sql);
  const rows = await pg.query<{ name: string; column: string }>(
    db,
    `SELECT c.conname AS name, a.attname AS column FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' ORDER BY c.conname`,
  );
  const ws = new Workspace();
  ws.setFile('schema.sql', sql);
  const model = ws.model().histories[0];
  const ours = model.foreignKeys.map((fk) => ({ name: fk.name, column: fk.columns[0] })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  assert.equal(rows.length, 1600);
  assert.deepEqual(ours, rows);
});
