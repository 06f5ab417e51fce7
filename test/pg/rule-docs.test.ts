/**
 * The rule pages against a real PostgreSQL 15: every good example runs (each file as the migration tool would
 * send it), the bad examples of the run-time rules really fail on DELETE as their messages say, and the grades
 * of fk-type-mismatch agree with what PostgreSQL accepts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgServer } from '../support/postgres';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { checkSql, ruleDocs } from '../support/rules';

let pg: PgServer;
let n = 0;

before(async () => {
  await initPostgresParser();
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
});

async function run(files: [string, string][]): Promise<string> {
  const db = await pg.createDatabase(`docs_${++n}`);
  for (const [, text] of files) await pg.exec(db, text);
  return db;
}

for (const doc of ruleDocs().filter((d) => d.dialect === 'postgres')) {
  test(`docs/rules/${doc.id}.md: the good example runs in PostgreSQL`, async () => {
    await run(doc.good.files);
  });
}

for (const id of ['set-null-on-not-null', 'set-default-without-default']) {
  test(`docs/rules/${id}.md: the bad example is accepted, then the DELETE fails with a not-null violation`, async () => {
    const doc = ruleDocs().find((d) => d.id === id)!;
    assert.ok(doc.runtime, 'the page shows what happens at run time');
    const db = await run(doc.bad.files);
    const result = await pg.exec(db, doc.runtime!, { onErrorStop: false });
    assert.match(result.stderr, /ERROR:\s+null value in column "\w+" of relation "\w+" violates not-null constraint/);
    // The page quotes the same error.
    const quoted = /-- (ERROR: .*)/.exec(doc.runtime!)![1];
    assert.ok(result.stderr.replace(/\s+/g, ' ').includes(quoted.replace(/\s+/g, ' ')), `${result.stderr} vs ${quoted}`);
  });
}

test('set-default-without-default: a literal default whose parent row is missing fails the DELETE (info), one that exists passes', async () => {
  const ddl = `CREATE TABLE categories (id bigint PRIMARY KEY);
CREATE TABLE products (id bigint PRIMARY KEY, category_id bigint NOT NULL DEFAULT 0 REFERENCES categories (id) ON DELETE SET DEFAULT);`;
  const finding = checkSql(ddl).find((f) => f.rule === 'set-default-without-default');
  assert.equal(finding?.severity, 'info');
  assert.match(finding!.message, /must hold a row with that key/);
  const db = await run([['schema.sql', ddl]]);
  const fails = await pg.exec(db, 'INSERT INTO categories VALUES (1); INSERT INTO products VALUES (10, 1); DELETE FROM categories WHERE id = 1;', { onErrorStop: false });
  assert.match(fails.stderr, /violates foreign key constraint/);
  await pg.exec(db, 'INSERT INTO categories VALUES (0); DELETE FROM categories WHERE id = 1;');
  const rows = await pg.query<{ category_id: number }>(db, 'SELECT category_id FROM products');
  assert.deepEqual(rows, [{ category_id: 0 }]);
});

test('fk-type-mismatch: error exactly when PostgreSQL refuses the key', async () => {
  const types = ['smallint', 'integer', 'bigint', 'numeric', 'numeric(10,2)', 'real', 'double precision', 'text', 'varchar(20)', 'char(5)', 'uuid', 'date', 'timestamp', 'timestamptz', 'boolean', 'bytea'];
  const db = await pg.createDatabase('types');
  const disagreements: string[] = [];
  let i = 0;
  for (const parent of types) {
    for (const child of types) {
      i++;
      const ddl = `CREATE TABLE p${i} (k ${parent} PRIMARY KEY); CREATE TABLE c${i} (k ${child} REFERENCES p${i} (k));`;
      const result = await pg.exec(db, `BEGIN; ${ddl} ROLLBACK;`, { onErrorStop: false });
      const refused = /ERROR/.test(result.stderr);
      const finding = checkSql(ddl).find((f) => f.rule === 'fk-type-mismatch');
      const error = finding?.severity === 'error';
      if (refused !== error) disagreements.push(`${child} -> ${parent}: PostgreSQL ${refused ? 'refuses' : 'accepts'}, FK Lens says ${finding?.severity ?? 'nothing'}`);
      if (parent === child && finding) disagreements.push(`${child} -> ${parent}: same type reported`);
    }
  }
  assert.deepEqual(disagreements, []);
});
