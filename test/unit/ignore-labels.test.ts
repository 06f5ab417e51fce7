/**
 * "Ignore this finding on this line / in this file" in each file kind (SQL, a DO block, a knex builder call, SQL in
 * a knex template literal, a Prisma schema): the comment FK Lens writes is one the suppression reader takes, and
 * the finding is gone from the analysis `fklens check` shares. And file labels: the shortest unique path suffix.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { analyze } from '../../server/src/analysis/analyze';
import { applyFix } from '../../server/src/features/fixes';
import { ignoreFixes } from '../../server/src/features/ignore';
import { fileLabel, uniqueSuffixes } from '../../server/src/features/labels';

before(async () => {
  await initPostgresParser();
});

function findings(files: Record<string, string>, rule: string) {
  const workspace = new Workspace();
  for (const [f, text] of Object.entries(files)) workspace.setFile(f, text);
  const model = workspace.model();
  return { model, all: analyze(model).findings, found: analyze(model).findings.filter((f) => f.rule === rule) };
}

/** Applies the ignore fix of `title` to the finding of `rule` whose text matches `where`; returns the new files. */
function ignore(files: Record<string, string>, rule: string, where: RegExp, scope: 'line' | 'file') {
  const { model, found } = findings(files, rule);
  const finding = found.find((f) => where.test(f.message));
  assert.ok(finding, `a ${rule} finding matching ${where}: ${found.map((f) => f.message).join(' | ')}`);
  const text = files[finding.file];
  const fixes = ignoreFixes(model, finding.file, text, rule, finding.span.start);
  const fix = fixes.find((f) => f.title === `Ignore ${rule} ${scope === 'line' ? 'on this line' : 'in this file'}`);
  assert.ok(fix, fixes.map((f) => f.title).join(' | '));
  const fixed = applyFix(new Map(Object.entries(files)), fix);
  return { file: finding.file, text: fixed.get(finding.file)!, files: Object.fromEntries(fixed) };
}

/** After the fix: that finding gone, the others of the rule kept, no unused suppression. */
function assertSuppressed(before: Record<string, string>, after: Record<string, string>, rule: string, where: RegExp) {
  const was = findings(before, rule).found;
  const now = findings(after, rule);
  assert.equal(now.found.filter((f) => where.test(f.message)).length, 0, `suppressed: ${now.found.map((f) => f.message).join(' | ')}`);
  assert.equal(now.found.length, was.filter((f) => !where.test(f.message)).length, 'the other findings stay');
  assert.deepEqual(now.all.filter((f) => f.rule === 'unused-suppression').map((f) => f.message), []);
}

const SQL = {
  'db/1_init.up.sql': `CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (
    id      bigint PRIMARY KEY,
    user_id bigint REFERENCES users (id)
);
CREATE TABLE reviews (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
DO $$
BEGIN
  CREATE TABLE notes (
    id      bigint PRIMARY KEY,
    user_id bigint REFERENCES users (id)
  );
END $$;
`,
};

test('SQL: the line comment goes above the finding, indented like it, and covers it alone', () => {
  const { text, files } = ignore(SQL, 'fk-missing-index', /orders\(user_id\)/, 'line');
  assert.match(text, /\n    -- fklens-ignore fk-missing-index\n    user_id bigint REFERENCES users \(id\)\n\);\nCREATE TABLE reviews/);
  assertSuppressed(SQL, files, 'fk-missing-index', /orders\(user_id\)/);
});

test('SQL inside a DO block: the comment goes above the DO statement (a comment inside the body is not read)', () => {
  const { text, files } = ignore(SQL, 'fk-missing-index', /notes\(user_id\)/, 'line');
  assert.match(text, /\n-- fklens-ignore fk-missing-index\nDO \$\$\n/);
  assertSuppressed(SQL, files, 'fk-missing-index', /notes\(user_id\)/);
});

test('SQL: in this file', () => {
  const { text, files } = ignore(SQL, 'fk-missing-index', /reviews\(user_id\)/, 'file');
  assert.match(text, /^-- fklens-ignore-file fk-missing-index\nCREATE TABLE users/);
  const now = findings(files, 'fk-missing-index');
  assert.equal(now.found.length, 0);
});

const KNEX = {
  'knexfile.js': "module.exports = { client: 'pg', migrations: { directory: './db/migrations' } };\n",
  'db/migrations/20240101000000_init.js': `exports.up = async (knex) => {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
  });
  await knex.schema.createTable('posts', (t) => {
    t.increments('id');
    t.integer('user_id').references('id').inTable('users');
  });
  await knex.raw(\`
    CREATE TABLE comments (
      id serial PRIMARY KEY,
      post_id integer REFERENCES posts (id)
    )
  \`);
};
exports.down = async () => {};
`,
};

test('knex: a // comment above a builder call; an SQL -- comment inside a template literal', () => {
  const builder = ignore(KNEX, 'fk-missing-index', /posts\(user_id\)/, 'line');
  assert.match(builder.text, /\n    \/\/ fklens-ignore fk-missing-index\n    t\.integer\('user_id'\)/);
  assertSuppressed(KNEX, builder.files, 'fk-missing-index', /posts\(user_id\)/);
  const template = ignore(KNEX, 'fk-missing-index', /comments\(post_id\)/, 'line');
  assert.match(template.text, /\n      -- fklens-ignore fk-missing-index\n      post_id integer REFERENCES posts/);
  assertSuppressed(KNEX, template.files, 'fk-missing-index', /comments\(post_id\)/);
  const file = ignore(KNEX, 'fk-missing-index', /posts\(user_id\)/, 'file');
  assert.match(file.text, /^\/\/ fklens-ignore-file fk-missing-index\nexports\.up/);
  assert.equal(findings(file.files, 'fk-missing-index').found.length, 0);
});

test('a // fklens-ignore inside a JS string is not a comment; nor is one in an SQL file', () => {
  const js = KNEX['db/migrations/20240101000000_init.js'].replace("t.increments('id');\n    t.integer", "t.increments('id');\n    t.comment('see // fklens-ignore fk-missing-index');\n    t.integer");
  assert.equal(findings({ ...KNEX, 'db/migrations/20240101000000_init.js': js }, 'fk-missing-index').found.length, 2);
  const sql = SQL['db/1_init.up.sql'].replace('CREATE TABLE reviews', "COMMENT ON TABLE users IS '// fklens-ignore fk-missing-index';\nCREATE TABLE reviews");
  assert.equal(findings({ 'db/1_init.up.sql': sql }, 'fk-missing-index').found.filter((f) => /reviews/.test(f.message)).length, 1);
});

test('file labels: the shortest unique path suffix', () => {
  const labels = uniqueSuffixes([
    'migrations/2019-03-03-000000_create_users/up.sql',
    'migrations/2019-03-03-000000_create_users/down.sql',
    'migrations/2019-03-04-000000_create_orders/up.sql',
    'db/schema.sql',
    'other/db/schema.sql',
    'README.sql',
  ]);
  assert.deepEqual(Object.fromEntries(labels), {
    'migrations/2019-03-03-000000_create_users/up.sql': '2019-03-03-000000_create_users/up.sql',
    'migrations/2019-03-03-000000_create_users/down.sql': 'down.sql',
    'migrations/2019-03-04-000000_create_orders/up.sql': '2019-03-04-000000_create_orders/up.sql',
    // A path that is a suffix of another cannot be told apart by less than itself.
    'db/schema.sql': 'db/schema.sql',
    'other/db/schema.sql': 'other/db/schema.sql',
    'README.sql': 'README.sql',
  });
  const { model } = findings(SQL, 'x');
  assert.equal(fileLabel(model, 'db/1_init.up.sql'), '1_init.up.sql');
  assert.equal(fileLabel(model, 'not/in/the/workspace.sql'), 'not/in/the/workspace.sql');
});
