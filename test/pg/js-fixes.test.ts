/**
 * fk-missing-index quick-fixes in JS / TS migration histories, run with the real tools: the fix writes a new
 * migration in the project's own convention (knex: `<YYYYMMDDHHMMSS>_name.js|ts` with
 * `config = { transaction: false }` and CREATE INDEX CONCURRENTLY; TypeORM: `<epoch ms>-Name.ts` with a
 * MigrationInterface class and a plain CREATE INDEX), the fixture project with the new files is migrated by
 * knex / TypeORM into a fresh PostgreSQL, the index must exist there, and the rule analysis of the fixed files
 * (what `fklens check` reports) must no longer report the FK.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startPostgres, type PgServer } from '../support/postgres';
import { JS_FIXTURES, repoRoot, runKnex, runnableCopy, runTypeorm } from '../support/jsTools';
import { openWorkspace } from '../../server/src/workspace/open';
import { analyze } from '../../server/src/analysis/analyze';
import { applyFix, fixAll, fixesFor, type FixPlan, type FkFixTarget } from '../../server/src/features/fixes';
import type { Workspace } from '../../server/src/workspace/workspace';

let pg: PgServer;
let count = 0;
const dirs: string[] = [];
const NOW = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));

before(async () => {
  pg = await startPostgres();
});

after(async () => {
  await pg?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A writable copy of a fixture project. */
function projectCopy(name: string): string {
  const dir = join(repoRoot(), 'out', 'js-fix-projects', `${name}-${process.pid}-${++count}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(join(JS_FIXTURES, name), dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

/** The fk-missing-index findings of a project folder, as `fklens check` reports them, and their fix targets. */
async function missingIndexes(dir: string) {
  const workspace = await openWorkspace(dir);
  const model = workspace.model();
  const findings = analyze(model).findings.filter((f) => f.rule === 'fk-missing-index');
  const targets: FkFixTarget[] = findings.map((f) => {
    const history = model.histories.find((h) => h.history.id === f.fk!.historyId)!;
    const fk = history.foreignKeys.find((k) => k.tableId === f.fk!.tableId && k.name === f.fk!.name)!;
    return { rule: 'fk-missing-index', history, fk };
  });
  const input = { model, files: workspace.filePaths(), textOf: (f: string) => workspace.text(f), options: { now: NOW } };
  return { workspace, findings, targets, input, labels: findings.map((f) => `${f.fk!.table}(${f.fk!.columns.join(',')})`).sort() };
}

/** Writes a fix into the project folder. */
function writeFix(dir: string, workspace: Workspace, fix: FixPlan) {
  const touched = new Set(fix.edits.map((e) => e.file));
  const texts = new Map([...touched].map((f) => [f, workspace.text(f)!]));
  const fixed = applyFix(texts, fix);
  for (const [file, text] of fixed) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
}

async function indexesOf(db: string): Promise<string[]> {
  const rows = await pg.query<{ indexdef: string }>(db, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
  return rows.map((r) => r.indexdef);
}

test('knex (CommonJS .js history): a timestamped migration with config.transaction false and CREATE INDEX CONCURRENTLY; knex runs it; the finding is gone', async () => {
  const dir = projectCopy('knex-app');
  const before = await missingIndexes(dir);
  assert.deepEqual(before.labels, ['post_comments(parent_id)', 'post_comments(post_id)', 'posts(org_slug)', 'posts(reviewer_id)', 'users(org_id)']);

  const usersOrg = before.targets.find((t) => t.fk.name === 'users_org_id_foreign')!;
  const [fix] = fixesFor(before.input, usersOrg);
  assert.equal(fix.title, 'Create index users_org_id_idx on users (org_id)');
  assert.deepEqual(fix.creates, [
    {
      file: 'db/migrations/20240601120000_add_index_users_org_id.js',
      text: [
        'exports.config = { transaction: false };',
        '',
        'exports.up = async (knex) => {',
        "  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_org_id_idx ON users (org_id);');",
        '};',
        '',
        'exports.down = async (knex) => {',
        "  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS users_org_id_idx;');",
        '};',
        '',
      ].join('\n'),
    },
  ]);

  // Fix all: one migration per FK, successive versions in the order the FKs are declared.
  const all = fixAll(before.input, before.targets)!;
  assert.deepEqual(
    all.creates.map((c) => c.file.split('/').pop()),
    [
      '20240601120000_add_index_users_org_id.js',
      '20240601120001_add_index_posts_org_slug.js',
      '20240601120002_add_index_post_comments_post_id.js',
      '20240601120003_add_index_posts_reviewer_id.js',
      '20240601120004_add_index_post_comments_parent_id.js',
    ],
  );
  writeFix(dir, before.workspace, all);
  const db = await pg.createDatabase(`js_fix_${count}`);
  await runKnex(pg, db, runnableCopy('knex-app', dir));
  const indexes = await indexesOf(db);
  for (const expected of [
    'CREATE INDEX users_org_id_idx ON public.users USING btree (org_id)',
    'CREATE INDEX posts_org_slug_idx ON public.posts USING btree (org_slug)',
    'CREATE INDEX post_comments_parent_id_idx ON public.post_comments USING btree (parent_id)',
  ]) {
    assert.ok(indexes.includes(expected), `${expected}\n${indexes.join('\n')}`);
  }
  const ran = await pg.query<{ name: string }>(db, 'SELECT name FROM knex_migrations ORDER BY id');
  assert.equal(ran.length, 9, 'knex ran the four migrations and the five new ones');
  assert.deepEqual((await missingIndexes(dir)).labels, [], 'no fk-missing-index left in the fixed files');
});

test('knex (ESM .ts as the newest file): the new migration is .ts with export const config and typed functions', async () => {
  const dir = projectCopy('knex-app');
  writeFileSync(
    join(dir, 'db/migrations/20240105090000_tags.ts'),
    [
      "import type { Knex } from 'knex';",
      '',
      'export async function up(knex: Knex): Promise<void> {',
      "  await knex.schema.createTable('tags', (t) => {",
      '    t.increments();',
      "    t.integer('post_id').references('id').inTable('posts');",
      '  });',
      '}',
      '',
      'export async function down(knex: Knex): Promise<void> {',
      "  await knex.schema.dropTable('tags');",
      '}',
      '',
    ].join('\n'),
  );
  const before = await missingIndexes(dir);
  const tags = before.targets.find((t) => before.input.model.histories[0].tableById.get(t.fk.tableId)?.name === 'tags')!;
  assert.ok(tags, before.labels.join(' '));
  const [fix] = fixesFor(before.input, tags);
  assert.equal(fix.creates[0].file, 'db/migrations/20240601120000_add_index_tags_post_id.ts');
  assert.equal(
    fix.creates[0].text,
    [
      "import type { Knex } from 'knex';",
      '',
      'export const config = { transaction: false };',
      '',
      'export async function up(knex: Knex): Promise<void> {',
      "  await knex.raw('CREATE INDEX CONCURRENTLY IF NOT EXISTS tags_post_id_idx ON tags (post_id);');",
      '}',
      '',
      'export async function down(knex: Knex): Promise<void> {',
      "  await knex.raw('DROP INDEX CONCURRENTLY IF EXISTS tags_post_id_idx;');",
      '}',
      '',
    ].join('\n'),
  );
  writeFix(dir, before.workspace, fix);
  const db = await pg.createDatabase(`js_fix_${count}`);
  await runKnex(pg, db, runnableCopy('knex-app', dir));
  assert.ok((await indexesOf(db)).includes('CREATE INDEX tags_post_id_idx ON public.tags USING btree (post_id)'));
  assert.ok(!(await missingIndexes(dir)).labels.includes('tags(post_id)'));
});

test('TypeORM: <epoch ms>-Name.ts with a MigrationInterface class after the newest class timestamp; TypeORM runs it in each transaction mode', async () => {
  const dir = projectCopy('typeorm-app');
  const before = await missingIndexes(dir);
  assert.deepEqual(before.labels, ['review(post_id)', 'review(reviewer_id)']);
  // The newest class is Reviews1700000200000; NOW is later, so its epoch milliseconds are the version.
  const stamp = NOW.getTime();
  const [fix] = fixesFor(before.input, before.targets.find((t) => t.fk.name === 'FK_review_reviewer')!);
  assert.deepEqual(fix.creates, [
    {
      file: `src/migrations/${stamp}-AddIndexReviewReviewerId.ts`,
      text: [
        "import { MigrationInterface, QueryRunner } from 'typeorm';",
        '',
        `export class AddIndexReviewReviewerId${stamp} implements MigrationInterface {`,
        `  name = 'AddIndexReviewReviewerId${stamp}';`,
        '',
        '  public async up(queryRunner: QueryRunner): Promise<void> {',
        "    await queryRunner.query('CREATE INDEX IF NOT EXISTS review_reviewer_id_idx ON review (reviewer_id);');",
        '  }',
        '',
        '  public async down(queryRunner: QueryRunner): Promise<void> {',
        "    await queryRunner.query('DROP INDEX IF EXISTS review_reviewer_id_idx;');",
        '  }',
        '}',
        '',
      ].join('\n'),
    },
  ]);

  const all = fixAll(before.input, before.targets)!;
  assert.deepEqual(all.creates.map((c) => c.file.split('/').pop()), [`${stamp}-AddIndexReviewPostId.ts`, `${stamp + 1}-AddIndexReviewReviewerId.ts`]);
  writeFix(dir, before.workspace, all);
  // TypeORM's default mode runs every migration in one transaction: a plain CREATE INDEX works there too.
  for (const mode of ['each', 'all'] as const) {
    const db = await pg.createDatabase(`js_fix_${count}_${mode}`);
    const ran = await runTypeorm(pg, db, runnableCopy('typeorm-app', dir), mode);
    assert.deepEqual(ran.slice(-2), [`AddIndexReviewPostId${stamp}`, `AddIndexReviewReviewerId${stamp + 1}`], mode);
    const indexes = await indexesOf(db);
    assert.ok(indexes.includes('CREATE INDEX review_post_id_idx ON public.review USING btree (post_id)'), indexes.join('\n'));
    assert.ok(indexes.includes('CREATE INDEX review_reviewer_id_idx ON public.review USING btree (reviewer_id)'), indexes.join('\n'));
  }
  assert.deepEqual((await missingIndexes(dir)).labels, []);
});

test('JS migration sets of no known tool: no fix, no exception', async () => {
  const dir = projectCopy('plain-sql-runner');
  const { targets, input } = await missingIndexes(dir);
  assert.ok(targets.length > 0 && targets.every((t) => t.history.history.tool === 'js-migrations'));
  for (const target of targets) assert.deepEqual(fixesFor(input, target), []);
  assert.equal(fixAll(input, targets), undefined);
});
