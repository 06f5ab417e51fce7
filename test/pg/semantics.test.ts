/**
 * Replay semantics decided by a real PostgreSQL: each script runs in a fresh database, and the foreign
 * keys in pg_constraint (names included) must equal the ones FK Lens computes from the text alone.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, foreignKeysOf, type PgServer } from '../support/postgres';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { modelJson } from '../../server/src/model/json';
import { Workspace } from '../../server/src/workspace/workspace';

/** Each case: migration files in order (one golang-migrate step each). */
const CASES: Record<string, string[]> = {
  'default names, truncation and collisions': [
    `CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, a int, b int, UNIQUE (a, b));
     CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, code text REFERENCES parent (code),
       a int, b int, FOREIGN KEY (a, b) REFERENCES parent (a, b) ON DELETE SET NULL (a));
     CREATE TABLE a_table_with_a_really_long_name_that_goes_on_and_on_and_on_forever (
       id int PRIMARY KEY,
       another_really_long_column_name_referencing_the_parent_table int REFERENCES parent);
     ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE;`,
  ],
  'renames follow tables, columns, constraints and indexes': [
    `CREATE TABLE users (id int PRIMARY KEY);
     CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE);`,
    `ALTER TABLE users RENAME TO customers;
     ALTER TABLE customers RENAME COLUMN id TO customer_id;
     ALTER TABLE orders RENAME COLUMN user_id TO customer_id;
     ALTER TABLE orders RENAME CONSTRAINT orders_user_id_fkey TO orders_customer_fk;
     ALTER INDEX users_pkey RENAME TO customers_pk;
     CREATE TABLE notes (id int, customer_id int REFERENCES customers);`,
  ],
  'drops: table cascade, column, constraint, index cascade': [
    `CREATE TABLE a (id int PRIMARY KEY, k int);
     CREATE UNIQUE INDEX a_k_uq ON a (k);
     CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a, a_k int REFERENCES a (k));
     CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b, gone int REFERENCES a);
     CREATE TABLE d (id int PRIMARY KEY, c_id int CONSTRAINT d_c_fk REFERENCES c, a_id int REFERENCES a ON DELETE SET NULL);`,
    `DROP INDEX a_k_uq CASCADE;
     ALTER TABLE c DROP COLUMN gone;
     ALTER TABLE d DROP CONSTRAINT d_c_fk;
     DROP TABLE b CASCADE;`,
  ],
  'schemas, search_path and SET SCHEMA': [
    `CREATE SCHEMA billing;
     SET search_path = billing, public;
     CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
     CREATE TABLE public.people (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts);
     CREATE TABLE invoices (id int PRIMARY KEY, person_id bigint REFERENCES people ON UPDATE CASCADE);`,
    `CREATE SCHEMA archive;
     ALTER TABLE billing.invoices SET SCHEMA archive;
     CREATE TABLE "Mixed Case" ("Id" int PRIMARY KEY, "accountId" bigint REFERENCES billing.accounts DEFERRABLE INITIALLY DEFERRED);`,
  ],
  'NOT VALID, VALIDATE, ALTER CONSTRAINT and USING INDEX': [
    `CREATE TABLE p (id int NOT NULL);
     CREATE UNIQUE INDEX p_id_idx ON p (id);
     ALTER TABLE p ADD CONSTRAINT p_pkey PRIMARY KEY USING INDEX p_id_idx;
     CREATE TABLE q (id int PRIMARY KEY, p_id int);
     CREATE TABLE r (id int PRIMARY KEY, p_id int);`,
    `ALTER TABLE q ADD CONSTRAINT q_p_fk FOREIGN KEY (p_id) REFERENCES p NOT VALID;
     ALTER TABLE r ADD CONSTRAINT r_p_fk FOREIGN KEY (p_id) REFERENCES p NOT VALID;
     ALTER TABLE r VALIDATE CONSTRAINT r_p_fk;
     ALTER TABLE r ALTER CONSTRAINT r_p_fk DEFERRABLE INITIALLY DEFERRED;`,
  ],
  'partitions, LIKE and DO blocks': [
    `CREATE TABLE cities (id int PRIMARY KEY);
     CREATE TABLE measurements (city_id int NOT NULL REFERENCES cities, logdate date NOT NULL, PRIMARY KEY (city_id, logdate)) PARTITION BY RANGE (logdate);
     CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
     CREATE TABLE cities_copy (LIKE cities INCLUDING ALL, extra int);
     DO $$
     BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'copy_fk') THEN
         ALTER TABLE cities_copy ADD CONSTRAINT copy_fk FOREIGN KEY (extra) REFERENCES cities (id) ON DELETE RESTRICT;
       END IF;
     END $$;
     CREATE FUNCTION never_run() RETURNS void LANGUAGE plpgsql AS $f$
     BEGIN
       ALTER TABLE cities_copy ADD CONSTRAINT not_real FOREIGN KEY (id) REFERENCES cities (id);
     END $f$;`,
  ],
};

let pg: PgServer;
before(async () => {
  pg = await startPostgres();
  await initPostgresParser();
});
after(async () => {
  await pg?.stop();
});

let n = 0;
for (const [name, files] of Object.entries(CASES)) {
  test(`PostgreSQL and FK Lens agree: ${name}`, async () => {
    const db = await pg.createDatabase(`semantics_${n++}`);
    const workspace = new Workspace();
    for (const [i, sql] of files.entries()) {
      await pg.exec(db, sql);
      workspace.setFile(`migrations/${String(i + 1).padStart(4, '0')}_step.up.sql`, sql);
    }
    const truth = (await foreignKeysOf(pg, db)).map((f) => ({
      name: f.name, schema: f.schema, table: f.table, columns: f.columns, refSchema: f.refSchema, refTable: f.refTable,
      refColumns: f.refColumns, onDelete: f.onDelete, onUpdate: f.onUpdate, deferrable: f.deferrable,
      initiallyDeferred: f.initiallyDeferred, validated: f.validated,
    }));
    const ours = modelJson(workspace.model()).foreignKeys.map((f) => ({
      name: f.name, schema: f.schema, table: f.table, columns: f.columns, refSchema: f.refSchema, refTable: f.refTable,
      refColumns: f.refColumns, onDelete: f.onDelete, onUpdate: f.onUpdate, deferrable: f.deferrable,
      initiallyDeferred: f.initiallyDeferred, validated: f.validated,
    }));
    const order = (a: { schema: string; table: string; name: string }, b: typeof a) =>
      `${a.schema}.${a.table}.${a.name}`.localeCompare(`${b.schema}.${b.table}.${b.name}`);
    assert.ok(truth.length > 0);
    assert.deepEqual(ours.sort(order), truth.sort(order));
  });
}

test('temporary tables and materialized views: statements on them are neither schema nor unknown tables; a temp table shadows a real one', async () => {
  // As in langfuse's migrations: a temp table built AS SELECT, indexed, altered, dropped (or dropped at commit).
  const files = [
    'CREATE TABLE prices (id int PRIMARY KEY, model text NOT NULL);\nCREATE TABLE models (id int PRIMARY KEY);',
    `CREATE TEMPORARY TABLE temp_prices AS SELECT id, model FROM prices;
     CREATE UNIQUE INDEX ON temp_prices (id);
     ALTER TABLE temp_prices ADD COLUMN note text;
     DROP TABLE temp_prices;
     BEGIN;
     CREATE TEMP TABLE "evaluator_map" ON COMMIT DROP AS SELECT 1 AS job_id;
     CREATE UNIQUE INDEX ON "evaluator_map" ("job_id");
     COMMIT;
     CREATE TEMP TABLE models (id int);
     CREATE INDEX models_shadow_idx ON models (id);`,
    // As in pagila: an index on a materialized view, in a later migration.
    'CREATE MATERIALIZED VIEW price_counts AS SELECT model, count(*) AS n FROM prices GROUP BY model;',
    'CREATE UNIQUE INDEX price_counts_model ON price_counts (model);',
  ];
  const db = await pg.createDatabase('semantics_temp');
  const workspace = new Workspace();
  for (const [i, sql] of files.entries()) {
    await pg.exec(db, sql);
    workspace.setFile(`migrations/${i + 1}_step.up.sql`, sql);
  }
  const model = workspace.model();
  const tables = (await pg.query<{ relname: string }>(db, "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1")).map((r) => r.relname);
  assert.deepEqual(tables, ['models', 'prices']);
  assert.deepEqual(modelJson(model).tables.map((t) => t.name).sort(), tables);
  const indexes = (await pg.query<{ indexname: string }>(db, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.indexname);
  assert.deepEqual(indexes, ['models_pkey', 'price_counts_model', 'prices_pkey'], 'the index went to the temporary models, not the real one');
  const ours = model.histories.flatMap((h) => h.tables.find((t) => t.name === 'models')?.indexes.map((i) => i.name) ?? []);
  assert.deepEqual(ours, ['models_pkey']);
  assert.deepEqual(model.histories.flatMap((h) => h.problems).map((p) => `${p.code}: ${p.message}`), []);
});

test('CHECK constraints get PostgreSQL\'s names: DROP and RENAME CONSTRAINT find them (as hydra drops hydra_oauth2_flow_check)', async () => {
  const files = [
    `CREATE TABLE flow (id int PRIMARY KEY, a int CHECK (a > 0), b int, c int, CHECK (b < c), CHECK (b > 0), CHECK (true),
       CONSTRAINT named_check CHECK (c <> 0));
     ALTER TABLE flow ADD CHECK (c > a);
     ALTER TABLE flow ADD CHECK (a < 100);`,
    `ALTER TABLE flow DROP CONSTRAINT flow_check, DROP CONSTRAINT flow_check1, DROP CONSTRAINT flow_a_check1;
     ALTER TABLE flow RENAME CONSTRAINT flow_b_check TO b_positive;
     ALTER TABLE flow DROP CONSTRAINT named_check;`,
  ];
  const db = await pg.createDatabase('semantics_checks');
  const workspace = new Workspace();
  for (const [i, sql] of files.entries()) {
    await pg.exec(db, sql);
    workspace.setFile(`migrations/${i + 1}_step.up.sql`, sql);
  }
  const truth = (await pg.query<{ conname: string }>(db, "SELECT conname FROM pg_constraint WHERE conrelid = 'flow'::regclass AND contype = 'c' ORDER BY 1")).map((r) => r.conname);
  const model = workspace.model();
  const ours = model.histories.flatMap((h) => h.tables.find((t) => t.name === 'flow')?.checks ?? []).sort();
  assert.deepEqual(ours, truth);
  assert.deepEqual(model.histories.flatMap((h) => h.problems).map((p) => p.message), []);
});
