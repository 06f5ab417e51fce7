// The JS / TS readers on code FK Lens has never seen: bound placeholders, run-time conditions, db-migrate's
// builder API, and folders recognised by what they hold. (test/pg/js-migrations.test.ts runs the tools for real.)
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDiagnostics, type FileDiagnostic } from '../../server/src/features/diagnostics';
import { modelJson } from '../../server/src/model/json';
import { readJsMigration } from '../../server/src/sources/js/read';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { planHistories } from '../../server/src/workspace/discovery';
import { Workspace } from '../../server/src/workspace/workspace';

before(async () => {
  await initPostgresParser();
});

function open(files: Record<string, string>) {
  const ws = new Workspace();
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  const model = ws.model();
  const json = modelJson(model);
  const diagnostics = [...computeDiagnostics(model, (p) => ws.text(p)).values()].flat();
  const codes = (severity?: FileDiagnostic['severity']) => diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.code).sort();
  const columns = (table: string) => json.tables.find((t) => t.name === table)?.columns.map((c) => c.name);
  const fks = json.foreignKeys.map((f) => `${f.table}(${f.columns}) -> ${f.refTable}(${f.refColumns}) ${f.name} ${f.onDelete}`).sort();
  return { ws, model, json, diagnostics, codes, columns, fks };
}

const js = (up: string) => `exports.up = async function (knex) {\n${up}\n};\n`;
const covered = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);

// ---- Placeholders -------------------------------------------------------------------------------------------

test('placeholders: knex ?? identifiers with bound names are read as those names, each mapped to its own ??', () => {
  const text = js("  await knex.raw('ALTER TABLE ?? ADD CONSTRAINT ?? FOREIGN KEY (??) REFERENCES ?? (id) ON DELETE CASCADE', ['orders', 'orders_user_fk', 'user_id', 'users']);");
  const file = readJsMigration('migrations/1_x.js', text);
  assert.deepEqual(file.problems, []);
  const event = file.events[0];
  assert.equal(event.kind, 'alter_table');
  if (event.kind !== 'alter_table' || event.commands[0].kind !== 'add_constraint') return assert.fail('an ADD CONSTRAINT');
  assert.equal(event.table.name, 'orders');
  assert.equal(covered(text, event.table.span), '??');
  const c = event.commands[0].constraint;
  assert.equal(c.name, 'orders_user_fk');
  assert.deepEqual(c.columns, ['user_id']);
  assert.equal(c.foreign?.refTable.name, 'users');
  assert.equal(covered(text, c.foreign!.refTable.span), '??');
});

test('placeholders: values never make a syntax error, whatever the tool marks them with; casts, jsonb operators, dollar bodies stay SQL', () => {
  const cases: [string, string][] = [
    ['db-migrate runSql', "  await db.runSql('INSERT INTO t (a, b) VALUES (?, ?)', [1, other]);"],
    ['knex ? with an unknown list', '  await knex.raw("COMMENT ON TABLE users IS ?", [note]);'],
    ['knex named with ::casts', "  await knex.raw('UPDATE t SET a = :to WHERE b::text = :from AND f(c := 1) > 0', { to: 1, from: 'x' });"],
    ['knex escaped \\\\? jsonb operator', "  await knex.raw('SELECT 1 FROM t WHERE data \\\\? ? AND tags ?| array[?]', ['k', 'x']);"],
    ['TypeORM $1, not inside a dollar body', "  await queryRunner.query('CREATE FUNCTION f(int) RETURNS int AS $$ SELECT $1 $$ LANGUAGE sql; UPDATE t SET a = $1 WHERE b = $2', [1, 2]);"],
    ['Sequelize replacements', "  await queryInterface.sequelize.query('COMMENT ON TABLE users IS :note', { replacements: { note: 'x' } });"],
    ['Sequelize bind', "  await queryInterface.sequelize.query('UPDATE users SET a = $1', { bind: [1] });"],
  ];
  for (const [name, body] of cases) {
    const file = readJsMigration('migrations/1_x.js', js(body));
    assert.deepEqual(file.problems, [], name);
    assert.equal(file.statementCount > 0, true, name);
  }
  // The same SQL without values: `?` is the SQL's own, and a real syntax error stays one.
  const plain = readJsMigration('migrations/1_x.js', js("  await knex.raw('ALTER TABLE t ADD COLUMN a int DEFAULT ?');"), 'postgres');
  assert.deepEqual(plain.problems.map((p) => p.code), ['syntax-error']);
});

test('placeholders: an identifier only known at run time leaves its statement out, as skipped, not as an error', () => {
  const text = js("  await knex.raw('ALTER TABLE ?? ADD COLUMN x int', [tableName]);");
  const file = readJsMigration('migrations/1_x.js', text);
  assert.deepEqual(file.events, []);
  assert.deepEqual(file.problems.map((p) => [p.severity, p.code]), [['info', 'unsupported']]);
});

// ---- Run-time conditions ------------------------------------------------------------------------------------

const USERS = js("  await knex.schema.createTable('users', (t) => { t.increments('id'); t.string('email'); });");

test('conditions: hasTable guards are decided from the model, once for their whole branch', () => {
  const { codes, columns, fks } = open({
    'migrations/20240101000000_users.js': USERS,
    'migrations/20240102000000_guards.js': js(`
  if (!(await knex.schema.hasTable('users'))) {
    await knex.schema.createTable('users', (t) => { t.increments('id'); t.string('other'); });
  } else {
    await knex.schema.table('users', (t) => { t.integer('score'); });
  }
  const exists = await knex.schema.hasTable('teams');
  if (!exists) {
    await knex.schema.createTable('teams', (t) => { t.increments('id'); });
    await knex.schema.table('teams', (t) => { t.integer('owner_id').references('users.id'); });
  }
  await knex.schema.hasTable('tags').then((has) => has || knex.schema.createTable('tags', (t) => { t.increments('id'); }));
  if (await knex.schema.hasColumn('users', 'email')) return;
  await knex.schema.table('users', (t) => { t.string('never'); });`),
  });
  assert.deepEqual(columns('users'), ['id', 'email', 'score']);
  assert.deepEqual(columns('teams'), ['id', 'owner_id']);
  assert.deepEqual(columns('tags'), ['id']);
  assert.deepEqual(fks, ['teams(owner_id) -> users(id) teams_owner_id_foreign NO ACTION']);
  assert.deepEqual(codes('error'), []);
  assert.ok(!codes().includes('duplicate-table'));
});

test('conditions: under an undecidable condition a statement applies only where it fits, silently, and never both arms', () => {
  const { codes, columns } = open({
    'migrations/20240101000000_users.js': USERS,
    'migrations/20240102000000_flags.js': js(`
  if (process.env.LEGACY) {
    await knex.schema.table('users', (t) => { t.integer('legacy_id'); });
  } else {
    await knex.schema.table('users', (t) => { t.integer('modern_id'); });
  }
  if (process.env.OTHER) {
    await knex.raw('ALTER TABLE accounts ADD COLUMN x int');
    await knex.raw('ALTER TABLE users DROP COLUMN nothere');
  }
  for (const row of await knex('users').select('id')) {
    await knex.raw('ALTER TABLE users ADD COLUMN email text');
  }
  try {
    await knex.raw('ALTER TABLE users DROP CONSTRAINT users_old_fkey');
  } catch (e) {
    await knex.schema.table('users', (t) => { t.integer('fallback'); });
  }`),
  });
  // The first arm fits, so it is the one that ran; the other never applies.
  assert.deepEqual(columns('users'), ['id', 'email', 'legacy_id', 'fallback']);
  assert.ok(!codes().some((c) => c.startsWith('unknown-')), codes().join());
  assert.deepEqual(codes('error'), []);
});

test('conditions: which database the code runs on is known; the other engines\' branches are not read', () => {
  const file = readJsMigration(
    'migrations/1_x.js',
    js(`
  const client = knex.client.config.client;
  if (client.includes('mysql')) {
    await knex.raw('ALTER TABLE \`users\` MODIFY id bigint AUTO_INCREMENT');
  } else if (client === 'pg') {
    await knex.raw('ALTER TABLE users ALTER COLUMN id TYPE bigint');
  } else {
    await knex.raw('PRAGMA foreign_keys = ON');
  }
  if (DatabaseInfo.isSQLite(knex)) await knex.raw('PRAGMA legacy_alter_table = ON');
  if (getDatabaseClient(knex) === 'mysql') await knex.raw('ALTER TABLE \`users\` ENGINE = InnoDB');
  const isMySQL = knex.client.config.client.includes('mysql');
  await knex.schema.createTable('refs', (table) => {
    const textColumn = isMySQL ? table.string.bind(table) : table.text.bind(table);
    textColumn('ref').notNullable();
    if (isMySQL) table.string('only_mysql');
  });`),
  );
  assert.deepEqual(file.problems, []);
  assert.deepEqual(file.events.map((e) => e.kind), ['alter_table', 'create_table']);
  assert.equal(file.events[0].conditions, undefined, 'decided: no condition left');
  const create = file.events[1];
  assert.ok(create.kind === 'create_table');
  assert.deepEqual(create.columns.map((c) => `${c.name} ${c.type}`), ['ref text']);
});

test('conditions: a constant loop runs once per element; SQL under a condition that does not parse is skipped, not an error', () => {
  const { columns, codes } = open({
    'migrations/20240101000000_users.js': USERS + js("  await knex.schema.createTable('teams', (t) => { t.increments('id'); });"),
    'migrations/20240102000000_loop.js': js(`
  for (const name of ['users', 'teams']) {
    await knex.schema.alterTable(name, (t) => { t.timestamp('created_at'); });
  }
  if (process.env.X) await knex.raw('ALTER TABLE users MODIFY id bigint');`),
  });
  assert.deepEqual(columns('teams'), ['id', 'created_at']);
  assert.ok(columns('users')?.includes('created_at'));
  assert.deepEqual(codes('error'), []);
  assert.ok(codes().includes('unsupported'));
});

// ---- db-migrate -----------------------------------------------------------------------------------------------

test('db-migrate: ranges point at the spec that declared each part; shapes of other tools are not taken for it', () => {
  const text = `exports.up = function (db, callback) {
  db.createTable('posts', {
    id: { type: 'int', primaryKey: true, autoIncrement: true },
    author_id: { type: 'int', foreignKey: { name: 'posts_author_fk', table: 'authors', mapping: 'id', rules: { onDelete: 'CASCADE' } } },
  }, callback);
  queryInterface.createTable('seq', { id: { type: Sequelize.INTEGER, allowNull: false, references: { model: 'x', key: 'id' } } });
  db.addColumn('posts', 'x', { type: someType() });
};
`;
  const file = readJsMigration('migrations/20240101000000-posts.js', text);
  const [create, alter] = file.events;
  assert.ok(create.kind === 'create_table' && alter.kind === 'alter_table');
  assert.equal(covered(text, create.table.span), "'posts'");
  assert.deepEqual(create.columns.map((c) => [c.name, covered(text, c.nameSpan), c.type]), [['id', 'id', 'integer'], ['author_id', 'author_id', 'integer']]);
  const command = alter.commands[0];
  assert.ok(command.kind === 'add_constraint');
  assert.equal(command.constraint.name, 'posts_author_fk');
  assert.equal(covered(text, command.constraint.foreign!.refTable.span), "'authors'");
  assert.equal(covered(text, command.constraint.foreign!.onDeleteSpan!), "onDelete: 'CASCADE'");
  assert.deepEqual(file.problems.map((p) => [p.code, covered(text, p.span).split('(')[0]]), [
    ['unsupported', 'queryInterface.createTable'],
    ['unsupported', 'db.addColumn'],
  ]);
  assert.match(file.problems[1].message, /column type of this db-migrate call is only known when the migration runs/);
});

// ---- Folders recognised by what they hold ----------------------------------------------------------------------

test('discovery: the opened folder itself and version-named files are migrations when they read as ones', () => {
  const texts: Record<string, string> = {
    'index.js': "module.exports = require('./lib');",
    'webpack.config.js': 'module.exports = { entry: "x" };',
    'broken.js': 'this is not javascript (',
    '2.1.9.js': js("  await knex.schema.createTable('b', (t) => { t.increments('id'); });"),
    '2.1.85.js': js("  await knex.schema.createTable('a', (t) => { t.increments('id'); });"),
    'db/versions/1.0.0.js': 'exports.up = async (db) => { await db.runSql("CREATE TABLE v (id int)"); };',
    'lib/util.js': 'exports.up = () => 1;',
  };
  const histories = planHistories(Object.keys(texts), {}, (p) => texts[p]);
  assert.deepEqual(
    histories.map((h) => [h.id, h.tool, h.files]),
    [
      ['', 'knex', ['2.1.85.js', '2.1.9.js']],
      ['db/versions', 'js-migrations', ['db/versions/1.0.0.js']],
    ],
  );
});

test('discovery: a db-migrate folder reads its sqls/ template files as the steps, down files never', () => {
  const loader = (name: string) =>
    `exports.up = function (db) { var filePath = path.join(__dirname, 'sqls', '${name}-up.sql'); return new Promise(function (resolve) { fs.readFile(filePath, {encoding: 'utf-8'}, function (err, data) { resolve(data); }); }).then(function (data) { return db.runSql(data); }); };`;
  const texts: Record<string, string> = {
    'migrations/20240101000000-init.js': loader('20240101000000-init'),
    'migrations/sqls/20240101000000-init-up.sql': 'CREATE TABLE a (id int PRIMARY KEY);',
    'migrations/sqls/20240101000000-init-down.sql': 'DROP TABLE a;',
    'migrations/20240102000000-b.js': "exports.up = function (db, cb) { db.createTable('b', { id: { type: 'int', primaryKey: true }, a_id: { type: 'int', foreignKey: { name: 'b_a_fk', table: 'a', mapping: 'id' } } }, cb); };",
    'migrations/20240103000000-c.js': loader('20240103000000-c'),
    'migrations/sqls/20240103000000-c-up.sql': 'ALTER TABLE b ADD COLUMN note text;',
    'migrations/sqls/20240103000000-c-down.sql': 'ALTER TABLE b DROP COLUMN note;',
  };
  assert.deepEqual(
    planHistories(Object.keys(texts), {}, (p) => texts[p]).map((h) => [h.id, h.tool, h.files]),
    [['migrations', 'db-migrate', ['migrations/sqls/20240101000000-init-up.sql', 'migrations/20240102000000-b.js', 'migrations/sqls/20240103000000-c-up.sql']]],
  );
  const { fks, columns, codes } = open(texts);
  assert.deepEqual(fks, ['b(a_id) -> a(id) b_a_fk NO ACTION']);
  assert.deepEqual(columns('b'), ['id', 'a_id', 'note']);
  assert.deepEqual(codes('error'), []);
});

test('up: found through a wrapper (`createTransactionalMigration(async function up(knex) {...})`, `defineMigration({ up })`)', () => {
  for (const text of [
    "module.exports = createTransactionalMigration(async function up(knex) { await knex.raw('CREATE TABLE a (id int)'); }, async function down() {});",
    "export default defineMigration({ async up(knex) { await knex.raw('CREATE TABLE a (id int)'); } });",
  ]) {
    assert.deepEqual(readJsMigration('migrations/1_a.js', text).events.map((e) => e.kind), ['create_table'], text);
  }
  // A wrapper's other functions (down) never count.
  assert.deepEqual(readJsMigration('migrations/1_a.js', "module.exports = wrap(async function down(knex) { await knex.raw('DROP TABLE a'); });").events, []);
});

test('up: exported by name (`export { down, up }`, `export { migrateUp as up }`), as bundlers write ES modules', () => {
  for (const text of [
    "async function up(knex) { await knex.raw('CREATE TABLE a (id int)'); }\nasync function down() {}\nexport { down, up };",
    "const migrateUp = async (knex) => { await knex.raw('CREATE TABLE a (id int)'); };\nexport { migrateUp as up };",
  ]) {
    assert.deepEqual(readJsMigration('migrations/1_a.js', text).events.map((e) => e.kind), ['create_table'], text);
  }
  assert.deepEqual(readJsMigration('migrations/1_a.js', "async function down(knex) { await knex.raw('DROP TABLE a'); }\nexport { down };").events, []);
});

test('knex.raw kept in a variable without await is a value (`const now = knex.raw(\'CURRENT_TIMESTAMP\')`), not a statement; awaited, it runs', () => {
  const text = js(`  const now = knex.raw('CURRENT_TIMESTAMP');
  await knex('newsletters').where('created_at', null).update('created_at', now);
  const made = await knex.raw('CREATE TABLE a (id int PRIMARY KEY)');
  const fragment = knex.raw('?? = ?', ['a', 1]);`);
  const file = readJsMigration('migrations/20220413120200_fill.js', text);
  assert.deepEqual(file.problems ?? [], []);
  assert.deepEqual(file.events.map((e) => e.kind), ['create_table']);
});

test('SQL PostgreSQL rejects, in a project whose engine nothing names, is a gap (unsupported), not an error; once the engine is known, an error', () => {
  // Ghost's MySQL UPDATE ... INNER JOIN, in a knex migration with no knexfile saying the client.
  const text = js(`  await knex.raw('UPDATE members INNER JOIN logins ON logins.id = members.id SET members.seen = logins.seen');
  await knex.raw('CREATE TABLE a (id int PRIMARY KEY)');`);
  const unknown = readJsMigration('migrations/20220221095300_backfill.js', text);
  assert.deepEqual(unknown.problems?.map((p) => [p.code, p.severity]), [['unsupported', 'info']]);
  assert.match(unknown.problems![0].message, /^Syntax error at or near "INNER"\. Nothing FK Lens read says which database this project runs on .* it is left out of the model/);
  assert.deepEqual(unknown.events.map((e) => e.kind), ['create_table']);
  assert.deepEqual(readJsMigration('migrations/20220221095300_backfill.js', text, 'postgres').problems?.map((p) => [p.code, p.severity]), [['syntax-error', 'error']]);
  // Through discovery: no knexfile -> a gap of a partial history; a knexfile with client pg -> the error.
  const alone = open({ 'migrations/20220221095300_backfill.js': text });
  assert.deepEqual(alone.codes('error'), []);
  assert.deepEqual(alone.json.partial.map((p) => p.reasons.map((r) => r.code)), [['unsupported']]);
  const pg = open({ 'knexfile.js': "module.exports = { client: 'pg', migrations: { directory: './migrations' } };", 'migrations/20220221095300_backfill.js': text });
  assert.deepEqual(pg.codes('error'), ['syntax-error']);
});
