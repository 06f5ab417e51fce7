// JS / TS migration projects run for real with their own tools (knex, TypeORM, a plain runner) against a
// throw-away PostgreSQL: the foreign keys FK Lens reads from the files alone, without running anything, must be
// exactly the ones PostgreSQL has afterwards, field for field (the corpus conformance test's fields, and names).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, foreignKeysOf, type PgServer } from '../support/postgres';
import { JS_FIXTURES, repoRoot, runDbMigrate, runKnex, runKnexFolder, runnableCopy, runPlain, runSequelize, runTypeorm } from '../support/jsTools';
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
  const workspace = await openWorkspace(join(JS_FIXTURES, ...project.split('/')));
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

/** `fklens model --json DIR`, the built CLI given the folder itself as its target. */
function fromCli(dir: string): { lines: string[]; errors: string[] } {
  const run = (command: string, ...args: string[]) => spawnSync(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), command, dir, ...args], { encoding: 'utf8' });
  const model = run('model', '--json');
  assert.equal(model.status, 0, model.stderr);
  const json = JSON.parse(model.stdout) as { foreignKeys: FkLine[] };
  const check = run('check', '--format', 'json', '--fail-on', 'never');
  const { diagnostics } = JSON.parse(check.stdout) as { diagnostics: { severity: string; rule: string; message: string }[] };
  return { lines: json.foreignKeys.map(line).sort(), errors: diagnostics.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`) };
}

test('db-migrate project: db-migrate up (db-migrate-pg) and the static model have the same foreign keys, every field', async () => {
  await pg.createDatabase('dbmigrate_app');
  const project = copy('db-migrate-app');
  const sent = await runDbMigrate(pg, 'dbmigrate_app', join(project, 'migrations'));
  // What db-migrate-pg really sends for the specs the reader mirrors (names, rules, the unnamed key).
  assert.ok(sent.some((q) => /ADD CONSTRAINT "undefined" FOREIGN KEY \("author_id"\)/.test(q)), sent.join('\n'));
  assert.ok(sent.some((q) => /ON DELETE set null ON UPDATE NO ACTION/.test(q)));
  const truth = await fromPostgres(pg, 'dbmigrate_app');
  const ours = await fromFiles('db-migrate-app');
  assert.deepEqual(ours.tools, [
    'migrations db-migrate: 20240101000000-users.js 20240102000000-posts.js 20240103000000-billing-up.sql 20240104000000-changes.js 20240105000000-audit.js',
  ]);
  assert.ok(truth.length >= 9, `db-migrate created the fixture's foreign keys:\n${truth.join('\n')}`);
  assert.deepEqual(ours.lines, truth);
  // The migrations folder given directly as the CLI's target: the same model, and no error findings.
  const cli = fromCli(join(JS_FIXTURES, 'db-migrate-app', 'migrations'));
  assert.deepEqual(cli.lines, truth);
  assert.deepEqual(cli.errors, []);
});

test('knex migrations named by version, given directly: ordered as knex orders them (file names as strings), guards decided', async () => {
  await pg.createDatabase('knex_versions');
  const ran = await runKnexFolder(pg, 'knex_versions', join(copy('knex-versions'), 'migrations'));
  assert.deepEqual(ran, ['2.0.0.js', '2.1.85.js', '2.1.9.js'], 'knex sorts file names as strings');
  const truth = await fromPostgres(pg, 'knex_versions');
  assert.ok(truth.length >= 2, truth.join('\n'));
  const folder = join(JS_FIXTURES, 'knex-versions', 'migrations');
  const workspace = await openWorkspace(folder);
  assert.deepEqual(workspace.histories().map((h) => `${h.id} ${h.tool}: ${h.files.join(' ')}`), [' knex: 2.0.0.js 2.1.85.js 2.1.9.js']);
  const cli = fromCli(folder);
  assert.deepEqual(cli.lines, truth);
  assert.deepEqual(cli.errors, []);
});

test('knex and TypeORM migration folders given directly as the CLI target: the foreign keys their tools create', async () => {
  await pg.createDatabase('knex_direct');
  await runKnex(pg, 'knex_direct', copy('knex-app'));
  const knexTruth = await fromPostgres(pg, 'knex_direct');
  const knexCli = fromCli(join(JS_FIXTURES, 'knex-app', 'db', 'migrations'));
  assert.deepEqual(knexCli.lines, knexTruth);
  assert.deepEqual(knexCli.errors, []);

  await pg.createDatabase('typeorm_direct');
  await runTypeorm(pg, 'typeorm_direct', copy('typeorm-app'));
  const typeormTruth = await fromPostgres(pg, 'typeorm_direct');
  const typeormCli = fromCli(join(JS_FIXTURES, 'typeorm-app', 'src', 'migrations'));
  assert.deepEqual(typeormCli.lines, typeormTruth);
  assert.deepEqual(typeormCli.errors, []);
});

/** Every table's columns (type as format_type prints it, NOT NULL), keys and indexes, as PostgreSQL has them. */
async function tablesFromPostgres(pg: PgServer, db: string): Promise<string[]> {
  const rows = await pg.query<{ line: string }>(
    db,
    `SELECT n.nspname || '.' || c.relname || ' ' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END, ', ' ORDER BY a.attnum) AS line
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind = 'r' AND n.nspname IN ('public', 'billing') GROUP BY n.nspname, c.relname
     UNION ALL
     SELECT n.nspname || '.' || c.relname || ' index ' || i.relname || CASE WHEN x.indisunique THEN ' unique' ELSE '' END || CASE WHEN x.indpred IS NOT NULL THEN ' partial' ELSE '' END
            || ' (' || (SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.n) || ')'
       FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'billing')`,
  );
  return rows.map((r) => r.line).sort();
}

/** The same facts from FK Lens's model (indexes include those of keys, as PostgreSQL's catalog does). */
function tablesFromModel(model: ReturnType<typeof modelJson>): string[] {
  const out: string[] = [];
  for (const t of model.tables) {
    out.push(`${t.schema}.${t.name} ${t.columns.map((c) => `${c.name} ${c.type}${c.notNull ? ' not null' : ''}`).join(', ')}`);
    for (const i of t.indexes) out.push(`${t.schema}.${t.name} index ${i.name}${i.unique ? ' unique' : ''}${i.partial ? ' partial' : ''} (${i.columns.join(',')})`);
  }
  return out.sort();
}

test('Sequelize project: its migrations run by a real Sequelize (queryInterface) and the static model have the same foreign keys, columns and indexes', async () => {
  await pg.createDatabase('sequelize_app');
  const project = copy('sequelize');
  const { files, sent } = await runSequelize(pg, 'sequelize_app', join(project, 'migrations'));
  assert.equal(files.length, 5);
  // What Sequelize 6 really sends for the shapes the reader mirrors: inline keys named by PostgreSQL, no actions
  // unless written, addConstraint's own default name, changeColumn's ADD FOREIGN KEY without a type change.
  assert.ok(sent.some((q) => q.includes('"ownerId" INTEGER REFERENCES "users" ("id"),')), sent.join('\n'));
  assert.ok(sent.some((q) => q.includes('ADD CONSTRAINT "billing.invoices_orgId_organizations_fk" FOREIGN KEY ("orgId")')));
  assert.ok(sent.some((q) => q === 'ALTER TABLE "posts"  ADD FOREIGN KEY ("orgId") REFERENCES "organizations" ("id") ON DELETE CASCADE;'));
  const truth = await fromPostgres(pg, 'sequelize_app');
  assert.ok(truth.includes('public.organizations(ownerId) -> public.users(id) organizations_ownerId_fkey delete=NO ACTION update=NO ACTION unindexed'), truth.join('\n'));
  assert.ok(truth.length >= 14, truth.join('\n'));
  const ours = await fromFiles('sequelize');
  assert.deepEqual(ours.tools, [
    'migrations sequelize: 20240101000000-create-users.js 20240102000000-posts.js 20240103000000-billing.js 20240104000000-changes.js 20240105000000-audit.ts',
  ]);
  assert.deepEqual(ours.lines, truth);
  const workspace = await openWorkspace(join(JS_FIXTURES, 'sequelize'));
  const model = modelJson(workspace.model());
  assert.deepEqual(model.partial, [], 'every call of the fixture is read');
  assert.deepEqual(tablesFromModel(model), await tablesFromPostgres(pg, 'sequelize_app'));
  // The migrations folder as the CLI's target: the same keys, and no error findings.
  const cli = fromCli(join(JS_FIXTURES, 'sequelize', 'migrations'));
  assert.deepEqual(cli.lines, truth);
  assert.deepEqual(cli.errors, []);
});
