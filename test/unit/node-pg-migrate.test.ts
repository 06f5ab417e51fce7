// node-pg-migrate's `pgm` API read statically (test/pg/node-pg-migrate.test.ts runs the real tool): shapes FK Lens
// cannot know stay an honest `unsupported` gap (never an error, never a guess), the tool is recognised by what
// the files hold, files run in node-pg-migrate's order, and shorthands pass on to later files.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDiagnostics } from '../../server/src/features/diagnostics';
import { fixesFor } from '../../server/src/features/fixes';
import { modelJson } from '../../server/src/model/json';
import { readJsMigration } from '../../server/src/sources/js/read';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { planHistories } from '../../server/src/workspace/discovery';
import { Workspace } from '../../server/src/workspace/workspace';

before(async () => {
  await initPostgresParser();
});

const pgm = (up: string) => `exports.up = (pgm) => {\n${up}\n};\n`;

test('node-pg-migrate: what is only known at run time, or a form not followed, is one unsupported info per call, nothing guessed', () => {
  const cases: [string, string][] = [
    ['table name from a parameter', "  pgm.createTable(pgm.name, { id: 'id' });"],
    ['spread columns', "  pgm.createTable('a', { ...base, b: 'text' });"],
    ['computed column', "  pgm.createTable('a', { [key]: 'text' });"],
    ['run-time type', "  pgm.createTable('a', { b: { type: typeFor('b') } });"],
    ['run-time reference', "  pgm.addColumns('a', { b: { type: 'integer', references: target() } });"],
    ['run-time onDelete', "  pgm.addColumns('a', { b: { type: 'integer', references: 'users', onDelete: rule } });"],
    ['partitioned table', "  pgm.createTable('a', { b: 'integer' }, { partition: { strategy: 'RANGE', columns: 'b' } });"],
    ['run-time constraint', "  pgm.addConstraint('a', 'a_fk', options);"],
    ['run-time foreign keys', "  pgm.addConstraint('a', 'a_fk', { foreignKeys: keys });"],
    ['unknown constraint option', "  pgm.createTable('a', { b: 'integer' }, { constraints: { foreignKey: { columns: 'b', references: 'c' } } });"],
    ['run-time SQL', '  pgm.sql(statement);'],
    ['expression index without a name', "  pgm.createIndex('a', pgm.func('lower(b)'));"],
    ['run-time index columns', "  pgm.createIndex('a', columns);"],
    ['run-time drop', '  pgm.dropTable(name);'],
  ];
  for (const [what, body] of cases) {
    const file = readJsMigration('migrations/1700000000000_x.js', `const base = {};\n${pgm(body)}`);
    assert.deepEqual(file.events, [], `${what}: no event`);
    assert.deepEqual(file.problems.map((p) => `${p.severity} ${p.code}`), ['info unsupported'], `${what}: ${JSON.stringify(file.problems)}`);
  }
  // In a workspace the history is partial, and nothing is an error.
  const ws = new Workspace();
  ws.setFile('migrations/1700000000000_a.js', pgm("  pgm.createTable('users', { id: 'id' });\n  pgm.createTable('posts', { id: 'id', userId: { type: 'integer', references: target() } });"));
  const json = modelJson(ws.model());
  assert.deepEqual(json.partial.map((p) => `${p.history} ${p.tool} ${p.reasons.map((r) => r.code)}`), ['migrations node-pg-migrate unsupported']);
  assert.deepEqual(json.tables.map((t) => t.name), ['users']);
});

test('node-pg-migrate: a pgm file is not read as db-migrate; the built-in id shorthand, adapters, default names and ranges', () => {
  const text = pgm([
    "  pgm.createTable('users', { id: 'id', name: { type: 'string', notNull: true } });",
    "  pgm.createTable('posts', { id: 'id', userId: { type: 'int', notNull: true, references: '\"users\"', onDelete: 'CASCADE' } });",
    "  pgm.createIndex('posts', 'userId', { unique: true });",
    "  pgm.addConstraint('posts', null, { foreignKeys: { columns: ['id'], references: 'users' } });",
    "  pgm.renameIndex('posts_userId_unique_index', 'posts_user_uniq');",
  ].join('\n'));
  const ws = new Workspace();
  ws.setFile('migrations/1700000000000_a.js', text);
  const json = modelJson(ws.model());
  assert.deepEqual(json.partial, []);
  const users = json.tables.find((t) => t.name === 'users')!;
  assert.deepEqual(users.columns.map((c) => `${c.name} ${c.type}${c.notNull ? ' not null' : ''}`), ['id integer not null', 'name text not null']);
  assert.deepEqual(users.primaryKey, ['id']);
  const posts = json.tables.find((t) => t.name === 'posts')!;
  assert.deepEqual(posts.indexes.map((i) => `${i.name} ${i.unique}`), ['posts_pkey true', 'posts_user_uniq true']);
  assert.deepEqual(json.foreignKeys.map((f) => `${f.name} ${f.columns} ${f.onDelete}`).sort(), ['posts_fk_id id NO ACTION', 'posts_userId_fkey userId CASCADE']);
  // The inline key's declaration: from its `references` value to its action.
  const fk = ws.model().histories[0].tables.find((t) => t.name === 'posts')!.foreignKeys.find((f) => f.name === 'posts_userId_fkey')!;
  assert.equal(text.slice(fk.location.span.start, fk.location.span.end), `'"users"', onDelete: 'CASCADE'`);
});

test('node-pg-migrate: files run by their numeric prefix, a 17-digit one read as a UTC time (not as text)', () => {
  const file = (name: string): [string, string] => [`migrations/${name}`, pgm("  pgm.sql('SELECT 1');")];
  const files = new Map([file('1704067200000_b.js'), file('20231231235959999_a.js'), file('0002_c.js'), file('1704067200000_a.ts')]);
  const [history] = planHistories([...files.keys()], {}, (p) => files.get(p));
  assert.equal(history.tool, 'node-pg-migrate');
  // 20231231235959999 = 2023-12-31T23:59:59.999Z = 1704067199999; equal prefixes compare by name.
  assert.deepEqual(history.files.map((f) => f.split('/').pop()), ['0002_c.js', '20231231235959999_a.js', '1704067200000_a.ts', '1704067200000_b.js']);
});

test('node-pg-migrate: shorthands pass on to later files, and a later file is read again when an earlier one changes them', () => {
  const ws = new Workspace();
  const first = (type: string) => `exports.shorthands = { id: { type: '${type}', primaryKey: true, default: new PgLiteral('f()') } };\n${pgm("  pgm.createTable('orgs', { id: 'id' });")}`;
  ws.setFile('migrations/1700000000000_a.js', first('uuid'));
  ws.setFile('migrations/1700000000001_b.js', pgm("  pgm.createTable('teams', { id: 'id', orgId: { type: 'uuid', references: 'orgs' } });"));
  const types = () => modelJson(ws.model()).tables.map((t) => `${t.name}.${t.columns[0].name} ${t.columns[0].type}`);
  assert.deepEqual(types(), ['orgs.id uuid', 'teams.id uuid']);
  assert.deepEqual(modelJson(ws.model()).tables.map((t) => t.columns[0].default), ['f()', 'f()']);
  ws.setFile('migrations/1700000000000_a.js', first('bigint'));
  assert.deepEqual(types(), ['orgs.id bigint', 'teams.id bigint']);
  // Passed on through a constant too.
  ws.setFile('migrations/1700000000000_a.js', `const ids = { id: { type: 'smallint', primaryKey: true } };\nexports.shorthands = ids;\n${pgm("  pgm.createTable('orgs', { id: 'id' });")}`);
  assert.deepEqual(types(), ['orgs.id smallint', 'teams.id smallint']);
  // A file's own shorthands win over inherited ones; files before it do not see them.
  ws.setFile('migrations/1700000000001_b.js', `exports.shorthands = { id: { type: 'text', primaryKey: true } };\n${pgm("  pgm.createTable('teams', { id: 'id' });")}`);
  assert.deepEqual(types(), ['orgs.id smallint', 'teams.id text']);
});

test('node-pg-migrate: SQL files of its folder are steps among the JS ones, read from "-- Up Migration" to "-- Down Migration"', () => {
  const ws = new Workspace();
  ws.setFile('migrations/1700000000000_a.js', pgm("  pgm.createTable('a', { id: 'id' });"));
  ws.setFile('migrations/1700000000001_b.sql', '-- Up Migration\nCREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\n-- Down Migration\nDROP TABLE a CASCADE;\n');
  // No up comment: node-pg-migrate runs the whole file, its down comment included.
  ws.setFile('migrations/1700000000002_c.sql', 'CREATE TABLE c (id int);\n-- Down Migration\nCREATE TABLE c2 (id int);\n');
  ws.setFile('migrations/1700000000003_d.js', pgm("  pgm.addColumns('b', { c_id: { type: 'integer', references: 'a' } });"));
  assert.deepEqual(ws.histories().map((h) => `${h.id} ${h.tool}: ${h.files.map((f) => f.split('/').pop()).join(' ')}`), [
    'migrations node-pg-migrate: 1700000000000_a.js 1700000000001_b.sql 1700000000002_c.sql 1700000000003_d.js',
  ]);
  const json = modelJson(ws.model());
  assert.deepEqual(json.tables.map((t) => t.name).sort(), ['a', 'b', 'c', 'c2']);
  assert.deepEqual(json.foreignKeys.map((f) => f.name).sort(), ['b_a_id_fkey', 'b_c_id_fkey']);
  assert.deepEqual(json.partial, []);
});

test('node-pg-migrate: a SQL file read before its folder was known as node-pg-migrate is read again as one (its down part left out)', () => {
  const ws = new Workspace();
  ws.setFile('migrations/1700000000001_b.sql', '-- Up Migration\nCREATE TABLE b (id int PRIMARY KEY);\n-- Down Migration\nDROP TABLE b;\n');
  assert.deepEqual(modelJson(ws.model()).tables.map((t) => t.name), []);
  ws.setFile('migrations/1700000000000_a.js', pgm("  pgm.createTable('a', { id: 'id' });"));
  assert.deepEqual(modelJson(ws.model()).tables.map((t) => t.name).sort(), ['a', 'b']);
});

test('node-pg-migrate: a migration is one transaction (NOT VALID and VALIDATE in one file gain nothing) unless it calls pgm.noTransaction()', () => {
  const codes = (extra: string) => {
    const ws = new Workspace();
    ws.setFile('migrations/1700000000000_a.js', pgm("  pgm.createTable('users', { id: 'id' });\n  pgm.createTable('posts', { id: 'id', userId: 'integer' });"));
    ws.setFile('migrations/1700000000001_b.js', pgm(`${extra}  pgm.addConstraint('posts', 'posts_user_fk', 'FOREIGN KEY ("userId") REFERENCES users NOT VALID');\n  pgm.sql('ALTER TABLE posts VALIDATE CONSTRAINT posts_user_fk');`));
    const model = ws.model();
    return [...computeDiagnostics(model, (p) => ws.text(p)).values()].flat().map((d) => d.code);
  };
  assert.ok(codes('').includes('validate-in-same-transaction'));
  assert.ok(!codes('  pgm.noTransaction();\n').includes('validate-in-same-transaction'));
});

test('node-pg-migrate: the lock_timeout fix is a first pgm.sql(...) call in up (below "-- Up Migration" in its SQL files), and it silences the rule', () => {
  const ws = new Workspace();
  ws.setFile('migrations/1700000000000_a.js', pgm("  pgm.createTable('users', { id: 'id' });\n  pgm.createTable('posts', { id: 'id', userId: 'integer' });"));
  ws.setFile('migrations/1700000000001_b.js', pgm("  pgm.addConstraint('posts', 'posts_user_fk', { foreignKeys: { columns: 'userId', references: 'users' } });"));
  ws.setFile('migrations/1700000000002_c.sql', '-- Up Migration\nALTER TABLE posts ADD CONSTRAINT posts_user_fk2 FOREIGN KEY ("userId") REFERENCES users NOT VALID;\n-- Down Migration\n');
  const fixed = (file: string): string => {
    const model = ws.model();
    const history = model.histories[0];
    const [plan] = fixesFor({ model, files: ws.filePaths(), textOf: (p) => ws.text(p) }, { rule: 'lock-timeout-missing', history, file });
    assert.ok(plan, `a fix for ${file}`);
    const [edit] = plan.edits;
    const text = ws.text(file)!;
    return text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
  };
  const missing = () => [...computeDiagnostics(ws.model(), (p) => ws.text(p)).values()].flat().filter((d) => d.code === 'lock-timeout-missing').length;
  const b = fixed('migrations/1700000000001_b.js');
  assert.match(b, /^exports\.up = \(pgm\) => \{\n  pgm\.sql\("SET lock_timeout = '5s'"\);\n  pgm\.addConstraint/);
  const c = fixed('migrations/1700000000002_c.sql');
  assert.match(c, /^-- Up Migration\nSET lock_timeout = '5s';\n\nALTER TABLE/);
  assert.ok(missing() > 0);
  ws.setFile('migrations/1700000000001_b.js', b);
  ws.setFile('migrations/1700000000002_c.sql', c);
  assert.equal(missing(), 0);
});

test('node-pg-migrate: what up runs itself (pgm.db.query) comes before the pgm.* steps, which are sent after up returns', () => {
  const file = readJsMigration('migrations/1700000000000_a.js', pgm([
    "  pgm.createTable('second', { id: 'id' });",
    "  await pgm.db.query('CREATE TABLE first (id int PRIMARY KEY)');",
    "  pgm.sql('CREATE TABLE third (id int)');",
  ].join('\n')).replace('(pgm) =>', 'async (pgm) =>'));
  assert.deepEqual(file.events.map((e) => (e.kind === 'create_table' ? e.table.name : e.kind)), ['first', 'second', 'third']);
});

test('node-pg-migrate: shorthands FK Lens cannot read make a column type that may be one of them a gap, in that file and the later ones', () => {
  const ws = new Workspace();
  ws.setFile('migrations/1700000000000_a.js', `exports.shorthands = require('./shorthands');\n${pgm("  pgm.createTable('orgs', { id: 'id' });\n  pgm.createTable('plain', { code: 'text', n: { type: 'varchar(20)' } });")}`);
  ws.setFile('migrations/1700000000001_b.js', pgm("  pgm.createTable('teams', { id: 'id' });\n  pgm.createTable('more', { at: 'timestamptz' });\n  pgm.createTable('odd', { at: 'createdAt' });"));
  const json = modelJson(ws.model());
  assert.deepEqual(json.tables.map((t) => t.name).sort(), ['more', 'plain']);
  assert.deepEqual(json.partial[0].reasons.map((r) => r.message.match(/type `(\w+)`/)?.[1]), ['id', 'id', 'createdAt']);
  // `exports.shorthands = undefined` (node-pg-migrate's template) is no shorthand at all.
  ws.setFile('migrations/1700000000000_a.js', `exports.shorthands = undefined;\n${pgm("  pgm.createTable('orgs', { id: 'id' });")}`);
  assert.deepEqual(modelJson(ws.model()).tables.map((t) => t.name).sort(), ['more', 'odd', 'orgs', 'teams']);
});
