/**
 * Issue 13's name-collision workload against a real PostgreSQL: 1,599 FK columns (the most a table with a key
 * can have) whose default constraint names all cut to the same 63 bytes, so PostgreSQL numbers them
 * `_fkey1`, `_fkey2`, ... FK Lens must give every FK the name PostgreSQL gives it (the timing of the same
 * workload is in test/unit/adversarial-graphs.test.ts). And the collisions the replay's name index decides
 * (model/replay/nameIndex.ts): which names a default name avoids (constraints of the whole schema, not relations;
 * for a key's index both), and which drops, renames and schema moves free a name or take it elsewhere.
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

/** Each case: SQL whose last statements choose default names that collide (or not) with names made before. */
const COLLISIONS: Record<string, string> = {
  'CHECK named like the primary key': 'CREATE TABLE t (id int, CONSTRAINT t_pkey CHECK (id > 0)); ALTER TABLE t ADD PRIMARY KEY (id);',
  "another table's FK named like the primary key": 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE o (x int, CONSTRAINT t_pkey FOREIGN KEY (x) REFERENCES p); CREATE TABLE t (id int PRIMARY KEY);',
  'CHECK named like a unique key': 'CREATE TABLE t (a int, CONSTRAINT t_a_key CHECK (a > 0)); ALTER TABLE t ADD UNIQUE (a);',
  'CHECK named like a unique key, same statement': 'CREATE TABLE t (a int UNIQUE, CONSTRAINT t_a_key CHECK (a > 0));',
  'an index named like the FK': 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (p int); CREATE INDEX t_p_fkey ON t (p); ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES p;',
  'an FK named like the index': 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (p int, CONSTRAINT t_p_idx FOREIGN KEY (p) REFERENCES p); CREATE INDEX ON t (p);',
  "another table's FK named like the FK": 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES p); CREATE TABLE t (p int REFERENCES p);',
  'a table named like the FK': 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t_p_fkey (x int); CREATE TABLE t (p int REFERENCES p);',
  "another table's primary key named like the FK": 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE o (x int, CONSTRAINT t_p_fkey PRIMARY KEY (x)); CREATE TABLE t (p int REFERENCES p);',
  "another table's CHECK": 'CREATE TABLE o (a int, CONSTRAINT t_a_check CHECK (a > 0)); CREATE TABLE t (a int CHECK (a > 0));',
  'the same name in another schema': 'CREATE SCHEMA s; CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE s.o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES p); CREATE TABLE t (p int REFERENCES p);',
  'SET SCHEMA takes the name away': 'CREATE SCHEMA s; CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES p); ALTER TABLE o SET SCHEMA s; CREATE TABLE t (p int REFERENCES p);',
  'SET SCHEMA brings the name in': 'CREATE SCHEMA s; CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE s.o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES p); ALTER TABLE s.o SET SCHEMA public; CREATE TABLE t (p int REFERENCES p);',
  'ALTER SCHEMA RENAME moves the names': 'CREATE SCHEMA s; CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE s.o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES p); ALTER SCHEMA s RENAME TO s2; CREATE TABLE s2.t (p int REFERENCES p);',
  'DROP SCHEMA CASCADE frees the names': 'CREATE SCHEMA s; CREATE TABLE s.p (id int PRIMARY KEY); CREATE TABLE s.o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES s.p); DROP SCHEMA s CASCADE; CREATE SCHEMA s; CREATE TABLE s.p (id int PRIMARY KEY); CREATE TABLE s.t (p int REFERENCES s.p);',
  'DROP COLUMN frees the FK name': 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES p); ALTER TABLE o DROP COLUMN x; CREATE TABLE t (p int REFERENCES p);',
  'DROP TABLE CASCADE frees the FK name': 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE q (id int PRIMARY KEY); CREATE TABLE o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES q); DROP TABLE q CASCADE; CREATE TABLE t (p int REFERENCES p);',
  'DROP CONSTRAINT frees one of a numbered family': 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (p int REFERENCES p, q int); ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES p, ADD FOREIGN KEY (p) REFERENCES p; ALTER TABLE t DROP CONSTRAINT t_p_fkey1; ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES p, ADD FOREIGN KEY (p) REFERENCES p;',
  'RENAME CONSTRAINT frees one name and takes another': 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE o (x int, CONSTRAINT t_p_fkey FOREIGN KEY (x) REFERENCES p); ALTER TABLE o RENAME CONSTRAINT t_p_fkey TO zz; CREATE TABLE t (p int REFERENCES p); CREATE TABLE t2 (p int, CONSTRAINT x CHECK (p > 0)); ALTER TABLE t2 RENAME CONSTRAINT x TO t3_p_fkey; CREATE TABLE t3 (p int REFERENCES p);',
  'ALTER INDEX RENAME renames the key': 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE o (x int UNIQUE); ALTER INDEX o_x_key RENAME TO t_p_fkey; CREATE TABLE t (p int REFERENCES p); ALTER TABLE o ADD UNIQUE (x);',
};

test('name collisions: every default name of a key, FK, CHECK and index as PostgreSQL chooses it', async () => {
  let i = 0;
  for (const [label, sql] of Object.entries(COLLISIONS)) {
    const db = await pg.createDatabase(`collision_${i++}`);
    await pg.exec(db, sql);
    const constraints = await pg.query<{ c: string }>(
      db,
      `SELECT n.nspname || '.' || t.relname || ' ' || c.contype::text || ' ' || c.conname AS c FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype IN ('p', 'u', 'f', 'c') AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
    );
    const indexes = await pg.query<{ i: string }>(db, `SELECT schemaname || '.' || tablename || ' ' || indexname AS i FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog')`);
    const ws = new Workspace();
    ws.setFile('schema.sql', sql);
    const model = ws.model().histories[0];
    const ours = model.tables.flatMap((t) => [
      ...(t.primaryKey ? [`${t.schema}.${t.name} p ${t.primaryKey.name}`] : []),
      ...t.uniques.map((u) => `${t.schema}.${t.name} u ${u.name}`),
      ...t.foreignKeys.map((f) => `${t.schema}.${t.name} f ${f.name}`),
      ...t.checks.map((c) => `${t.schema}.${t.name} c ${c}`),
    ]);
    assert.deepEqual(ours.sort(), constraints.map((r) => r.c).sort(), `${label}: constraints`);
    assert.deepEqual(model.tables.flatMap((t) => t.indexes.map((x) => `${t.schema}.${t.name} ${x.name}`)).sort(), indexes.map((r) => r.i).sort(), `${label}: indexes`);
  }
});
