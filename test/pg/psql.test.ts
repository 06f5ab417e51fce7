/**
 * psql scripts against the real psql and PostgreSQL: a script with variables, meta-commands, an `\if`, COPY data
 * and `\gset` is run by the `psql` binary (with its variables set in the file, or given with `-v`), and the
 * foreign keys PostgreSQL then has (pg_constraint) are the ones FK Lens reads from the file. With a variable given
 * from outside, FK Lens reads it as one placeholder schema and says the history is partial.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, foreignKeysOf, type PgForeignKey, type PgServer } from '../support/postgres';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { modelJson } from '../../server/src/model/json';
import { historyGaps } from '../../server/src/model/partial';
import { analyze } from '../../server/src/analysis/analyze';

const BODY = String.raw`-- The shop's schema; its name is a psql variable.
\echo creating :schema
CREATE SCHEMA :"schema";
CREATE TABLE :"schema".users (id bigint PRIMARY KEY, email text UNIQUE, tags text[]);
CREATE TABLE :schema.orders (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES :schema.users (id) ON DELETE CASCADE,
  buyer_email text REFERENCES :"schema".users (email) ON UPDATE CASCADE,
  total numeric DEFAULT 0::numeric
);
COMMENT ON TABLE :schema.orders IS :'note';
COPY :schema.users (id, email, tags) FROM stdin;
1	a@example.com	{x,y}
2	o'brien@example.com	\N
\.
SELECT tags[1:2] AS first_tags FROM :schema.users LIMIT 1;
DO $$ BEGIN IF current_setting('search_path') <> '' THEN RAISE NOTICE 'psql leaves :schema alone in here'; END IF; END $$;
\if :with_items
CREATE TABLE :schema.items (id bigint PRIMARY KEY, order_id bigint REFERENCES :schema.orders ON DELETE SET NULL);
\else
CREATE TABLE :schema.items (id bigint PRIMARY KEY, order_id bigint);
\endif
SELECT count(*) AS n FROM :schema.users \gset
\echo :n users
ALTER TABLE :schema.orders ADD COLUMN item_id bigint;
ALTER TABLE :schema.orders ADD CONSTRAINT orders_item_fk FOREIGN KEY (item_id) REFERENCES :schema.items (id) DEFERRABLE NOT VALID;
`;

type FkFields = Pick<PgForeignKey, 'schema' | 'table' | 'columns' | 'refSchema' | 'refTable' | 'refColumns' | 'name' | 'deferrable' | 'initiallyDeferred' | 'validated'> & { onDelete: string; onUpdate: string };

const line = (f: FkFields) =>
  `${f.schema}.${f.table}(${f.columns.join(',')}) -> ${f.refSchema}.${f.refTable}(${f.refColumns.join(',')}) ${f.name} ` +
  `delete=${f.onDelete} update=${f.onUpdate}${f.deferrable ? ' deferrable' : ''}${f.initiallyDeferred ? ' deferred' : ''}${f.validated ? '' : ' not-valid'}`;

function fromFile(text: string) {
  const ws = new Workspace({});
  ws.setFile('db/shop.sql', text);
  const model = ws.model();
  return { model, lines: modelJson(model).foreignKeys.map(line).sort() };
}

let pg: PgServer;
let dir: string;

before(async () => {
  await initPostgresParser();
  pg = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'fklens-psql-'));
});

after(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runPsql(name: string, text: string, variables: Record<string, string> = {}): Promise<string[]> {
  const path = join(dir, `${name}.sql`);
  writeFileSync(path, text);
  await pg.createDatabase(name);
  await pg.execFile(name, path, { variables });
  return (await foreignKeysOf(pg, name)).map(line).sort();
}

test('a psql script with its variables set in the file: psql + PostgreSQL and FK Lens have the same foreign keys, and FK Lens reads it whole', async () => {
  const text = `\\set ON_ERROR_STOP on\n\\set schema shop\n\\set note 'orders of the shop'\n\\set with_items true\n${BODY}`;
  const truth = await runPsql('psql_set', text);
  assert.equal(truth.length, 4, `psql created the script's foreign keys:\n${truth.join('\n')}`);
  const ours = fromFile(text);
  assert.deepEqual(ours.lines, truth);
  assert.deepEqual(ours.model.histories[0].sources[0].problems, []);
  assert.deepEqual(historyGaps(ours.model.histories[0]), [], 'nothing skipped: the history is complete');
});

test('variables given with psql -v: FK Lens reads one placeholder schema, matches PostgreSQL up to its name, and says the history is partial', async () => {
  const text = `\\set note 'orders of the shop'\n${BODY}`;
  const truth = await runPsql('psql_given', text, { schema: 'given', with_items: 'false' });
  assert.equal(truth.length, 3, `psql created the script's foreign keys:\n${truth.join('\n')}`);
  const ours = fromFile(text);
  // The placeholder schema is one name for every use of :schema, so every FK between those tables resolves.
  assert.deepEqual(ours.lines.map((l) => l.replace(/:schema\./g, 'given.')), truth);
  const gaps = historyGaps(ours.model.histories[0]);
  assert.deepEqual(gaps.map((g) => [g.code, g.line]), [['unsupported', 4], ['unsupported', 19]]);
  assert.match(gaps[0].message, /^psql variable :schema has no value FK Lens can see/);
  assert.match(gaps[1].message, /^This \\if depends on psql variable :with_items, which FK Lens cannot see; FK Lens reads the script as psql does when the condition is not true/);
  const findings = analyze(ours.model, { rules: {}, protectedTables: [] }).findings;
  assert.deepEqual(findings.filter((f) => f.severity === 'error' || f.rule === 'syntax-error'), []);
});
