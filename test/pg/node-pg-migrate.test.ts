/**
 * A node-pg-migrate project run for real with node-pg-migrate's own runner against a throw-away PostgreSQL: what
 * FK Lens reads from the files alone (never running them) must be what PostgreSQL holds afterwards: every
 * foreign key field for field (names, columns, parents, actions, deferrability), every index (name, columns,
 * unique, partial), every column's type and NOT NULL, and the order node-pg-migrate runs the files in.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { modelJson } from '../../server/src/model/json';
import { openWorkspace } from '../../server/src/workspace/open';
import { JS_FIXTURES, repoRoot, runNodePgMigrate, runnableCopy } from '../support/jsTools';
import { foreignKeysOf, startPostgres, type PgServer } from '../support/postgres';

const BOOKKEEPING = new Set(['pgmigrations']);

const INDEXES = `
  select n.nspname as schema, t.relname as table, i.relname as name, x.indisunique as unique, x.indpred is not null as partial,
         array(select a.attname from unnest(x.indkey::int2[]) with ordinality as u(k, o) left join pg_attribute a on a.attrelid = t.oid and a.attnum = u.k
               where u.o <= x.indnkeyatts order by u.o) as columns
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace
   where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`;

const COLUMNS = `
  select n.nspname as schema, c.relname as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as "notNull"
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
   where c.relkind = 'r' and a.attnum > 0 and not a.attisdropped and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`;

let pg: PgServer;
const copies: string[] = [];

before(async () => {
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

const fkFacts = (f: { name: string; schema: string; table: string; columns: string[]; refSchema: string; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string; deferrable: boolean; initiallyDeferred: boolean; validated: boolean }) =>
  `${f.schema}.${f.table}(${f.columns.join(',')}) -> ${f.refSchema}.${f.refTable}(${f.refColumns.join(',')}) ${f.name} delete=${f.onDelete} update=${f.onUpdate}` +
  `${f.deferrable ? ' deferrable' : ''}${f.initiallyDeferred ? ' deferred' : ''}${f.validated ? '' : ' not-valid'}`;

test('node-pg-migrate project: its runner and the static model have the same foreign keys, indexes and column types', async () => {
  const db = 'pgm_app';
  await pg.createDatabase(db);
  const project = runnableCopy('node-pg-migrate');
  copies.push(project);
  const { ran, sql } = await runNodePgMigrate(pg, db, join(project, 'migrations'));
  assert.deepEqual(ran, ['1700000000000_users', '1700000100000_orgs', '1700000200000_comments', '1700000250000_audit', '1700000300000_cleanup'], 'node-pg-migrate runs the files by their numeric prefix, SQL files among them');
  // What node-pg-migrate really sends for the forms the reader mirrors: quoted names, default constraint and index names.
  assert.ok(sql.some((q) => /"userId" integer NOT NULL REFERENCES "users" ON DELETE CASCADE/.test(q)), sql.join('\n'));
  assert.ok(sql.some((q) => /CONSTRAINT "memberships_fk_orgRegion_orgCode" FOREIGN KEY \("orgRegion", "orgCode"\) REFERENCES orgs\(region, code\) ON DELETE CASCADE/.test(q)), sql.join('\n'));
  assert.ok(sql.some((q) => /CREATE INDEX "posts_userId_index" ON "posts" \("userId"\)/.test(q)), sql.join('\n'));
  // Each migration is sent as one transaction (what validate-in-same-transaction and lock_timeout rely on).
  assert.equal(sql.filter((q) => q === 'BEGIN;').length, ran.length);
  assert.equal(sql.filter((q) => q === 'COMMIT;').length, ran.length);

  const workspace = await openWorkspace(join(JS_FIXTURES, 'node-pg-migrate'));
  assert.deepEqual(workspace.histories().map((h) => `${h.id} ${h.tool}: ${h.files.map((f) => f.split('/').pop()).join(' ')}`), [
    'migrations node-pg-migrate: 1700000000000_users.js 1700000100000_orgs.ts 1700000200000_comments.js 1700000250000_audit.sql 1700000300000_cleanup.mjs',
  ]);
  const model = modelJson(workspace.model());
  assert.deepEqual(model.partial, [], 'FK Lens read every call');

  // Foreign keys, field by field.
  const theirs = (await foreignKeysOf(pg, db)).map(fkFacts).sort();
  assert.ok(theirs.length >= 10, `node-pg-migrate created the fixture's foreign keys:\n${theirs.join('\n')}`);
  assert.deepEqual(model.foreignKeys.map(fkFacts).sort(), theirs);

  // Indexes: every one PostgreSQL has (primary keys and unique constraints included), by name.
  const pgIndexes = (await pg.query<{ schema: string; table: string; name: string; unique: boolean; partial: boolean; columns: (string | null)[] }>(db, INDEXES)).filter((i) => !BOOKKEEPING.has(i.table));
  const indexLine = (schema: string, table: string, i: { name: string; unique: boolean; partial: boolean; columns: (string | null)[] }) =>
    `${schema}.${table}.${i.name} (${i.columns.join(',')})${i.unique ? ' unique' : ''}${i.partial ? ' partial' : ''}`;
  const ourIndexes = model.tables.flatMap((t) => t.indexes.map((i) => indexLine(t.schema, t.name, i))).sort();
  assert.deepEqual(ourIndexes, pgIndexes.map((i) => indexLine(i.schema, i.table, i)).sort());

  // Column types (as format_type prints them) and NOT NULL.
  const pgColumns = (await pg.query<{ schema: string; table: string; name: string; type: string; notNull: boolean }>(db, COLUMNS)).filter((c) => !BOOKKEEPING.has(c.table));
  const columnLine = (schema: string, table: string, c: { name: string; type: string; notNull: boolean }) => `${schema}.${table}.${c.name} ${c.type}${c.notNull ? ' not null' : ''}`;
  const ourColumns = model.tables.flatMap((t) => t.columns.map((c) => columnLine(t.schema, t.name, c))).sort();
  assert.deepEqual(ourColumns, pgColumns.map((c) => columnLine(c.schema, c.table, c)).sort());

  // The CLI on the folder: the same foreign keys, and no error finding.
  const run = (command: string, ...args: string[]) => spawnSync(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), command, join(JS_FIXTURES, 'node-pg-migrate'), ...args], { encoding: 'utf8' });
  const cliModel = run('model', '--json');
  assert.equal(cliModel.status, 0, cliModel.stderr);
  assert.deepEqual((JSON.parse(cliModel.stdout) as { foreignKeys: Parameters<typeof fkFacts>[0][] }).foreignKeys.map(fkFacts).sort(), theirs);
  const check = run('check', '--format', 'json', '--fail-on', 'never');
  const { diagnostics } = JSON.parse(check.stdout) as { diagnostics: { severity: string; rule: string; message: string }[] };
  // The one error is true: alterColumn made post_comments.authorId NOT NULL under its ON DELETE SET NULL key.
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error').map((d) => d.rule), ['set-null-on-not-null']);
  assert.match(diagnostics.find((d) => d.severity === 'error')!.message, /post_comments\.authorId/);
  await pg.exec(db, `INSERT INTO users (id, email) VALUES (1, 'a@example.com');
    INSERT INTO posts (id, "userId", headline) VALUES (1, 1, 'x');
    INSERT INTO post_comments ("postId", "authorId", body) VALUES (1, 1, 'y');`);
  await assert.rejects(pg.exec(db, 'DELETE FROM users WHERE id = 1'), /null value in column "authorId"/);
});
