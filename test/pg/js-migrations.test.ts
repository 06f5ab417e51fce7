// JS / TS migration projects run for real with their own tools (knex, TypeORM, a plain runner) against a
// throw-away PostgreSQL: the foreign keys FK Lens reads from the files alone, without running anything, must be
// exactly the ones PostgreSQL has afterwards, field for field (the corpus conformance test's fields, and names).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, foreignKeysOf, type PgServer } from '../support/postgres';
import { JS_FIXTURES, runKnex, runnableCopy, runPlain, runTypeorm } from '../support/jsTools';
import { openWorkspace } from '../../server/src/workspace/open';
import { modelJson } from '../../server/src/model/json';

interface FkLine {
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  name: string;
  onDelete: string;
  onUpdate: string;
  deferrable: boolean;
  initiallyDeferred: boolean;
  validated: boolean;
  indexed: boolean;
}

const line = (f: FkLine) =>
  `${f.schema}.${f.table}(${f.columns.join(',')}) -> ${f.refSchema}.${f.refTable}(${f.refColumns.join(',')}) ${f.name} ` +
  `delete=${f.onDelete} update=${f.onUpdate}${f.deferrable ? ' deferrable' : ''}${f.initiallyDeferred ? ' deferred' : ''}` +
  `${f.validated ? '' : ' not-valid'}${f.indexed ? ' indexed' : ' unindexed'}`;

/** PostgreSQL's FKs, with whether a valid non-partial index leads with exactly the FK's columns. */
async function fromPostgres(pg: PgServer, db: string): Promise<string[]> {
  const indexed = await pg.query<{ key: string; indexed: boolean }>(
    db,
    `SELECT n.nspname || '.' || t.relname || '.' || c.conname AS key,
            EXISTS (SELECT 1 FROM pg_index i
                     WHERE i.indrelid = c.conrelid AND i.indisvalid AND i.indpred IS NULL
                       AND i.indnkeyatts >= cardinality(c.conkey)
                       AND ARRAY(SELECT x FROM unnest((i.indkey::int2[])[0:cardinality(c.conkey) - 1]) AS x ORDER BY x)
                         = ARRAY(SELECT x FROM unnest(c.conkey) AS x ORDER BY x)) AS indexed
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f'`,
  );
  const byKey = new Map(indexed.map((r) => [r.key, r.indexed]));
  return (await foreignKeysOf(pg, db)).map((fk) => line({ ...fk, indexed: byKey.get(`${fk.schema}.${fk.table}.${fk.name}`) ?? false })).sort();
}

async function fromFiles(project: string): Promise<{ lines: string[]; tools: string[] }> {
  const workspace = await openWorkspace(join(JS_FIXTURES, project));
  const model = modelJson(workspace.model());
  return { lines: model.foreignKeys.map(line).sort(), tools: workspace.histories().map((h) => `${h.id} ${h.tool}: ${h.files.map((f) => f.split('/').pop()).join(' ')}`) };
}

let pg: PgServer;
const copies: string[] = [];

before(async () => {
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

const copy = (name: string) => {
  const dir = runnableCopy(name);
  copies.push(dir);
  return dir;
};

test('knex project: knex migrate:latest and the static model have the same foreign keys', async () => {
  await pg.createDatabase('knex_app');
  await runKnex(pg, 'knex_app', copy('knex-app'));
  const truth = await fromPostgres(pg, 'knex_app');
  const ours = await fromFiles('knex-app');
  assert.deepEqual(ours.tools, [
    'db/migrations knex: 20240101090000_users_and_orgs.js 20240102090000_posts.ts 20240103090000_comments_billing.js 20240104090000_drop_and_rename.js',
  ]);
  assert.ok(truth.length >= 8, `knex created the fixture's foreign keys:\n${truth.join('\n')}`);
  assert.deepEqual(ours.lines, truth);
});

test('TypeORM project: runMigrations and the static model have the same foreign keys', async () => {
  await pg.createDatabase('typeorm_app');
  const ran = await runTypeorm(pg, 'typeorm_app', copy('typeorm-app'));
  assert.deepEqual(ran, ['CreateUsers1700000000000', 'AddPosts1700000100000', 'Reviews1700000200000'], 'TypeORM orders by class-name timestamp');
  const truth = await fromPostgres(pg, 'typeorm_app');
  const ours = await fromFiles('typeorm-app');
  assert.deepEqual(ours.tools, ['src/migrations typeorm: CreateUsers.ts AddPosts.ts Reviews.ts']);
  assert.ok(truth.length >= 4, `TypeORM created the fixture's foreign keys:\n${truth.join('\n')}`);
  assert.deepEqual(ours.lines, truth);
});

test('plain JS project running SQL strings: the runner and the static model have the same foreign keys', async () => {
  await pg.createDatabase('plain_app');
  const ran = await runPlain(pg, 'plain_app', copy('plain-sql-runner'));
  assert.deepEqual(ran, ['2.1.9.js', '2.1.85.js']);
  const truth = await fromPostgres(pg, 'plain_app');
  const ours = await fromFiles('plain-sql-runner');
  assert.deepEqual(ours.tools, ['migrations js-migrations: 2.1.9.js 2.1.85.js']);
  assert.ok(truth.length >= 4, `the runner created the fixture's foreign keys:\n${truth.join('\n')}`);
  assert.deepEqual(ours.lines, truth);
});
