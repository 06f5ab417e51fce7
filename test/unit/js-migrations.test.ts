// The JS / TS migration reader: what it reads from knex, TypeORM and SQL-string code, where its ranges land,
// which files it takes and in which order, and that reading never runs the code.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { readJsMigration } from '../../server/src/sources/js/read';
import { isCandidate, planHistories } from '../../server/src/workspace/discovery';
import { openWorkspace } from '../../server/src/workspace/open';
import { modelJson } from '../../server/src/model/json';
import { factsOf, type Fact } from '../support/facts';
import { JS_FIXTURES } from '../support/jsTools';
import type { ConstraintDefinition, SourceFile } from '../../server/src/sources/events';

before(() => initPostgresParser());

const foreignKeys = (file: SourceFile): ConstraintDefinition[] =>
  file.events.flatMap((e) =>
    e.kind === 'create_table'
      ? [...e.constraints, ...e.columns.flatMap((c) => c.constraints)]
      : e.kind === 'alter_table'
        ? e.commands.flatMap((c) => (c.kind === 'add_constraint' ? [c.constraint] : c.kind === 'add_column' ? c.column.constraints : []))
        : [],
  ).filter((c) => c.kind === 'foreign');

const textOf = (text: string, span: { start: number; end: number } | undefined) => (span ? text.slice(span.start, span.end) : undefined);
const pick = (facts: Fact[], kind: string, fields: string[]) =>
  facts.filter((f) => f.kind === kind).map((f) => Object.fromEntries(fields.map((k) => [k, f[k]])));

test('a migration that would write a file when run is read, and the file never appears', async () => {
  const project = join(JS_FIXTURES, 'side-effect');
  const written = join(project, 'WRITTEN_BY_MIGRATION.txt');
  assert.equal(existsSync(written), false);
  const model = modelJson((await openWorkspace(project)).model());
  assert.deepEqual(model.tables.map((t) => t.name).sort(), ['notes', 'victims']);
  assert.deepEqual(model.foreignKeys.map((f) => `${f.table}(${f.columns}) -> ${f.refTable}(${f.refColumns}) ${f.name}`), ['notes(victim_id) -> victims(id) notes_victim_id_foreign']);
  assert.equal(existsSync(written), false, 'reading the migration must not run it');
});

test('knex: columns get the types knex sends to PostgreSQL, keys get knex names', () => {
  const text = `exports.up = (knex) => knex.schema.createTable('t', (t) => {
    t.increments();
    t.bigIncrements('big', { primaryKey: false });
    t.string('s');
    t.string('s50', 50).notNullable().defaultTo('x');
    t.decimal('d');
    t.timestamp('at', { useTz: false });
    t.enu('e', ['a', 'b']);
    t.integer('p').references('t.id').onDelete('cascade');
    t.unique(['s', 's50']);
  });`;
  const file = readJsMigration('migrations/1_t.js', text);
  assert.deepEqual(file.problems, []);
  const facts = factsOf(file);
  assert.deepEqual(pick(facts, 'col', ['name', 'formattedType', 'notNull', 'hasDefault']), [
    { name: 'id', formattedType: 'integer', notNull: true, hasDefault: true },
    { name: 'big', formattedType: 'bigint', notNull: true, hasDefault: true },
    { name: 's', formattedType: 'character varying(255)', notNull: false, hasDefault: false },
    { name: 's50', formattedType: 'character varying(50)', notNull: true, hasDefault: true },
    { name: 'd', formattedType: 'numeric(8,2)', notNull: false, hasDefault: false },
    { name: 'at', formattedType: 'timestamp without time zone', notNull: false, hasDefault: false },
    { name: 'e', formattedType: 'text', notNull: false, hasDefault: false },
    { name: 'p', formattedType: 'integer', notNull: false, hasDefault: false },
  ]);
  assert.deepEqual(pick(facts, 'fk', ['name', 'cols', 'refTable', 'refCols', 'onDelete']), [{ name: 't_p_foreign', cols: ['p'], refTable: 't', refCols: ['id'], onDelete: 'cascade' }]);
  assert.deepEqual(pick(facts, 'unique', ['name', 'cols']), [{ name: 't_s_s50_unique', cols: ['s', 's50'] }]);
});

test('ranges land on the JS expression that declared the key: the references chain, table.foreign, the SQL string', () => {
  const path = join(JS_FIXTURES, 'knex-app/db/migrations/20240102090000_posts.ts');
  const text = readFileSync(path, 'utf8');
  const file = readJsMigration('db/migrations/20240102090000_posts.ts', text);
  assert.deepEqual(file.problems, []);
  const fks = foreignKeys(file).map((c) => ({
    name: c.name,
    span: textOf(text, c.span),
    columns: textOf(text, c.columnsSpan),
    refTable: textOf(text, c.foreign!.refTable.span),
    onDelete: textOf(text, c.foreign!.onDeleteSpan),
  }));
  assert.deepEqual(fks, [
    {
      name: 'posts_author_id_foreign',
      span: "table.integer('author_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE')",
      columns: "'author_id'",
      refTable: "'users'",
      onDelete: "onDelete('CASCADE')",
    },
    { name: 'posts_editor_id_foreign', span: "table.integer('editor_id').references('users.id').deferrable('deferred')", columns: "'editor_id'", refTable: "'users.id'", onDelete: undefined },
    { name: 'posts_org_slug_foreign', span: "table.foreign(['org_slug']).references(['slug']).inTable('orgs').onUpdate('CASCADE')", columns: "['org_slug']", refTable: "'orgs'", onDelete: undefined },
    {
      name: 'posts_org_fk',
      span: 'CONSTRAINT posts_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE RESTRICT',
      columns: 'org_id',
      refTable: 'orgs',
      onDelete: 'ON DELETE RESTRICT',
    },
  ]);
  // The table name of the raw ALTER TABLE is a `${POSTS}` part whose value is a constant: it maps to the part.
  const alter = file.events.find((e) => e.kind === 'alter_table' && textOf(text, e.statement)?.startsWith('ALTER TABLE'));
  assert.equal(alter?.kind === 'alter_table' && textOf(text, alter.table.span), '${POSTS}');
});

test('SQL strings: escapes, concatenation and join map back character by character; unknown ${} parts leave the statement out', () => {
  const text = [
    'export async function up(queryRunner) {',
    '  await queryRunner.query("CREATE TABLE a (id int PRIMARY KEY,\\n  note text DEFAULT \'\\u0041\')");',
    "  await queryRunner.query('CREATE TABLE b (' + 'a_id int REFERENCES a (id))');",
    '  await queryRunner.query(`ALTER TABLE ${tableName} ADD COLUMN x int`);',
    '  await sql`CREATE INDEX b_a_id ON b (a_id)`;',
    '}',
    'export async function down(queryRunner) { await queryRunner.query("DROP TABLE b"); }',
  ].join('\n');
  const file = readJsMigration('migrations/1_x.ts', text);
  assert.deepEqual(file.events.map((e) => e.kind), ['create_table', 'create_table', 'create_index']);
  const [fk] = foreignKeys(file);
  assert.equal(textOf(text, fk.span), 'REFERENCES a (id)');
  assert.equal(textOf(text, fk.foreign!.refTable.span), 'a');
  assert.deepEqual(file.problems.map((p) => [p.severity, textOf(text, p.span)]), [['info', 'ALTER TABLE ${tableName} ADD COLUMN x int']]);
  const b = file.events[1];
  assert.equal(b.kind === 'create_table' && textOf(text, b.table.span), 'b');
});

test('bad input: a syntax error is a diagnostic, a file without up has no events, nothing throws', () => {
  const broken = readJsMigration('migrations/1_x.js', 'exports.up = async (knex) => { await knex.raw(`CREATE TABLE x (`; ');
  assert.equal(broken.events.length, 0);
  assert.ok(broken.problems.length > 0);
  const badSql = readJsMigration('migrations/2_x.js', 'exports.up = (knex) => knex.raw("CREATE TABLE (");', 'postgres');
  assert.deepEqual(badSql.problems.map((p) => p.code), ['syntax-error']);
  assert.deepEqual(readJsMigration('migrations/helpers.js', 'module.exports = { pad: (s) => s.trim() };').events, []);
  const deep = 'exports.up = (k) => ' + '('.repeat(3000) + 'k.raw("SELECT 1")' + ')'.repeat(3000) + ';';
  assert.doesNotThrow(() => readJsMigration('migrations/3_x.js', deep));
});

test('discovery: JS migration files and knexfiles are candidates, other code is not', () => {
  for (const p of ['migrations/20240101_users.js', 'db/migrations/x.ts', 'src/migration/1700000000000-Users.ts', 'knexfile.js', 'tools/20240101120000_seed.mjs']) assert.ok(isCandidate(p), p);
  // By a weaker sign (a version as name, a file of the opened folder): read, and a step only when it has an up.
  for (const p of ['lib/2.1.9.js', 'db/versions/2.0.0-rc.17.ts', '2.1.85.js', 'index.js']) assert.ok(isCandidate(p), p);
  for (const p of ['src/app.js', 'migrations/types.d.ts', 'node_modules/knex/migrations/x.js', 'src/2.1.9.d.ts']) assert.ok(!isCandidate(p), p);
});

test('discovery: knexfile directories, TypeORM class timestamps, semantic versions, number prefixes', () => {
  const texts: Record<string, string> = {
    'api/knexfile.ts': "export default { client: 'postgresql', migrations: { directory: './db/changes' } };",
    'api/db/changes/b_second.js': '',
    'api/db/changes/a_first.js': '',
    'orm/migrations/Zeta.ts': 'export class Zeta1600000000000 { async up() {} }',
    'orm/migrations/Alpha.ts': 'export class Alpha1700000000000 { async up() {} }',
    'semver/migrations/2.1.85.js': '',
    'semver/migrations/2.1.9.js': '',
    'semver/migrations/10.0.0.js': '',
    'numbered/migrations/10_c.js': '',
    'numbered/migrations/9_b.js': '',
  };
  const histories = planHistories(Object.keys(texts), { include: ['**/*'] }, (p) => texts[p]);
  assert.deepEqual(
    histories.map((h) => [h.id, h.tool, h.dialect, h.files.map((f) => f.split('/').pop())]),
    [
      ['api/db/changes', 'knex', 'postgres', ['a_first.js', 'b_second.js']],
      ['numbered/migrations', 'js-migrations', undefined, ['9_b.js', '10_c.js']],
      ['orm/migrations', 'typeorm', undefined, ['Zeta.ts', 'Alpha.ts']],
      ['semver/migrations', 'js-migrations', undefined, ['2.1.9.js', '2.1.85.js', '10.0.0.js']],
    ],
  );
});
