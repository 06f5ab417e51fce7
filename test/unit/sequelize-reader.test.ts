// The Sequelize reader (sources/js/sequelize.ts) against Sequelize itself: each call below is made on a real
// Sequelize 6 query interface whose `query` records the SQL instead of sending it; FK Lens's events for the same
// call written in a migration (read statically) must equal the events of that SQL, field for field. Then the
// shapes that must stay `unsupported`, and the ranges. (test/pg/js-migrations.test.ts runs a whole project on a
// real PostgreSQL.)
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDiagnostics } from '../../server/src/features/diagnostics';
import { lockTimeoutFix } from '../../server/src/features/fixes/lockTimeout';
import { readJsMigration } from '../../server/src/sources/js/read';
import { Workspace } from '../../server/src/workspace/workspace';
import { initPostgresParser, readPostgres } from '../../server/src/sources/sql/postgres';
import type { SourceFile } from '../../server/src/sources/events';

before(async () => {
  await initPostgresParser();
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SequelizeModule = require('sequelize') as typeof import('sequelize');
const { Sequelize, DataTypes } = SequelizeModule;

/** The SQL Sequelize sends for `call` (a queryInterface expression), recorded instead of sent. */
async function sequelizeSql(call: string): Promise<string> {
  const sequelize = new Sequelize('postgres://fklens@localhost/none', { logging: false });
  // What a connection would have learnt (CREATE SCHEMA IF NOT EXISTS from 9.2 on).
  (sequelize as unknown as { options: { databaseVersion: string } }).options.databaseVersion = '16.0.0';
  const sent: string[] = [];
  // pgListEnums and the like are asked first: nothing exists.
  (sequelize as unknown as { query: (sql: string) => Promise<unknown[]> }).query = async (sql: string) => {
    if (!/^SELECT /.test(sql)) sent.push(sql);
    return [];
  };
  const queryInterface = sequelize.getQueryInterface();
  // Test code running the real tool on this file's own constant calls.
  const warn = console.warn;
  console.warn = () => undefined; // "PostgreSQL does not support INTEGER with LENGTH": the mapping is what is tested
  try {
    await (new Function('queryInterface', 'Sequelize', 'DataTypes', `return ${call};`) as (...a: unknown[]) => Promise<void>)(queryInterface, Sequelize, DataTypes);
  } finally {
    console.warn = warn;
  }
  return sent.map((s) => (s.trim().endsWith(';') ? s : `${s};`)).join('\n');
}

const migration = (call: string) => `module.exports = {\n  async up(queryInterface, Sequelize) {\n    await ${call};\n  },\n};\n`;

/** Events without ranges. */
function shape(file: SourceFile): unknown {
  return JSON.parse(JSON.stringify(file.events, (key, value) => {
    if (key === 'span' || key === 'statement' || key.endsWith('Span')) return undefined;
    if (value && typeof value === 'object' && typeof value.start === 'number' && typeof value.end === 'number' && Object.keys(value).length === 2) return undefined;
    return value;
  }));
}

const CALLS = [
  // Types as Sequelize maps them for PostgreSQL.
  `queryInterface.createTable('t', { a: Sequelize.STRING, b: Sequelize.STRING(40), c: Sequelize.STRING.BINARY, d: Sequelize.CHAR(2), e: Sequelize.TEXT('long'),
     f: Sequelize.INTEGER(11), g: Sequelize.BIGINT, h: Sequelize.SMALLINT, i: Sequelize.FLOAT, j: Sequelize.FLOAT(8), k: Sequelize.DOUBLE, l: Sequelize.REAL,
     m: Sequelize.DECIMAL(10, 2), n: Sequelize.DECIMAL, o: Sequelize.DATE, p: Sequelize.DATE(6), q: Sequelize.DATEONLY, r: Sequelize.TIME, s: Sequelize.BOOLEAN,
     u: Sequelize.UUID, v: Sequelize.JSON, w: Sequelize.JSONB, x: Sequelize.BLOB, y: Sequelize.INET, z: Sequelize.ARRAY(Sequelize.TEXT), aa: Sequelize.INTEGER.UNSIGNED,
     ab: DataTypes.RANGE(DataTypes.DATE), ac: Sequelize.DataTypes.CITEXT, ad: 'VARCHAR(12)', ae: Sequelize.NUMERIC(5, 1), af: { type: Sequelize.ENUM, values: ['a', 'b'] } })`,
  // Keys, serials, defaults.
  `queryInterface.createTable('users', { id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false }, email: { type: Sequelize.STRING, unique: true, allowNull: false },
     n: { type: Sequelize.INTEGER, defaultValue: 3 }, s: { type: Sequelize.STRING, defaultValue: "it's" }, b: { type: Sequelize.BOOLEAN, defaultValue: false },
     at: { type: Sequelize.DATE, defaultValue: Sequelize.NOW }, at2: { type: Sequelize.DATE, defaultValue: Sequelize.fn('now') }, u: { type: Sequelize.UUID, defaultValue: Sequelize.UUIDV4 },
     named: { type: Sequelize.STRING, unique: 'named_unique' }, nul: { type: Sequelize.STRING, defaultValue: null } })`,
  `queryInterface.createTable('big', { id: { type: Sequelize.BIGINT, primaryKey: true, autoIncrement: true }, small: { type: Sequelize.SMALLINT, autoIncrement: true } })`,
  `queryInterface.createTable('pair', { a: { type: Sequelize.INTEGER, primaryKey: true }, b: { type: Sequelize.INTEGER, primaryKey: true }, c: Sequelize.INTEGER }, { uniqueKeys: { ac: { fields: ['a', 'c'] } } })`,
  `queryInterface.createTable('ident', { id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true, autoIncrementIdentity: true } })`,
  // Foreign keys: defaults, actions, schemas, deferrable, a model object.
  `queryInterface.createTable('posts', { userId: { type: Sequelize.INTEGER, references: { model: 'users', key: 'id' } }, orgId: { type: Sequelize.INTEGER, references: { model: 'orgs' }, onDelete: 'cascade', onUpdate: 'set null' },
     x: { type: Sequelize.INTEGER, references: { model: { tableName: 'users', schema: 'auth' }, key: 'id', deferrable: Sequelize.Deferrable.INITIALLY_DEFERRED } } })`,
  `queryInterface.createTable({ tableName: 'invoices', schema: 'billing' }, { userId: { type: Sequelize.INTEGER, references: { model: 'users', key: 'id' } }, k: Sequelize.ENUM('x', 'y') })`,
  `queryInterface.createTable('logs', { userId: { type: Sequelize.INTEGER, references: { model: 'users', key: 'id' } } }, { schema: 'audit' })`,
  `queryInterface.addColumn('posts', 'editorId', { type: Sequelize.INTEGER, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL', primaryKey: true })`,
  `queryInterface.addColumn({ tableName: 'invoices', schema: 'billing' }, 'payer', { type: Sequelize.INTEGER, allowNull: false, defaultValue: 0, references: { model: 'users' } })`,
  `queryInterface.addColumn('posts', 'state', Sequelize.ENUM('a', 'b'))`,
  `queryInterface.removeColumn({ tableName: 'invoices', schema: 'billing' }, 'payer')`,
  `queryInterface.changeColumn('posts', 'n', { type: Sequelize.BIGINT, allowNull: false })`,
  `queryInterface.changeColumn('posts', 'n', Sequelize.TEXT)`,
  `queryInterface.changeColumn('posts', 'n', { type: Sequelize.STRING(20), defaultValue: 'x' })`,
  `queryInterface.changeColumn('posts', 'n', { type: Sequelize.INTEGER, unique: true })`,
  `queryInterface.changeColumn('posts', 'userId', { type: Sequelize.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' })`,
  `queryInterface.renameTable('posts', 'articles')`,
  `queryInterface.dropTable('posts')`,
  `queryInterface.dropTable('posts', { cascade: true })`,
  // Constraints and their default names.
  `queryInterface.addConstraint('posts', { fields: ['userId'], type: 'foreign key', references: { table: 'users', field: 'id' }, onDelete: 'cascade', onUpdate: 'no action' })`,
  `queryInterface.addConstraint('billing.invoices', { fields: ['a', 'b'], type: 'FOREIGN KEY', references: { table: { tableName: 'pairs', schema: 'public' }, fields: ['a', 'b'] } })`,
  `queryInterface.addConstraint({ tableName: 'invoices', schema: 'billing' }, { fields: ['a'], type: 'unique' })`,
  `queryInterface.addConstraint('posts', { fields: ['a', 'b'], type: 'primary key', name: 'posts_pk' })`,
  `queryInterface.addConstraint('posts', { fields: ['userId'], type: 'foreign key', name: 'p_u', references: { table: 'users', field: 'id' }, deferrable: Sequelize.Deferrable.INITIALLY_IMMEDIATE })`,
  `queryInterface.removeConstraint('posts', 'posts_pk')`,
  // Indexes and their default names.
  `queryInterface.addIndex('posts', ['userId', 'createdAt'])`,
  `queryInterface.addIndex('posts', { fields: ['orgId'], unique: true, where: { deletedAt: null, kind: 'a' } })`,
  `queryInterface.addIndex('billing.invoices', ['userId'], { name: 'inv_user', using: 'btree', concurrently: true })`,
  `queryInterface.addIndex({ tableName: 'invoices', schema: 'billing' }, { fields: [{ name: 'orgId', order: 'DESC' }], type: 'UNIQUE' })`,
  `queryInterface.removeIndex('posts', ['userId', 'createdAt'])`,
  `queryInterface.removeIndex('posts', 'inv_user')`,
  `queryInterface.createSchema('billing')`,
];

test('Sequelize reader: the events of each call equal the events of the SQL Sequelize 6 sends for it', async () => {
  for (const call of CALLS) {
    const sql = await sequelizeSql(call);
    const truth = readPostgres('truth.sql', sql);
    assert.deepEqual(truth.problems, [], `${call}\n${sql}`);
    assert.ok(truth.events.length > 0, sql);
    const ours = readJsMigration('migrations/20240101000000-x.js', migration(call));
    assert.deepEqual(ours.problems, [], call);
    assert.deepEqual(shape(ours), shape(truth), `${call}\nSequelize sends:\n${sql}`);
  }
});

test('Sequelize reader: what is only known at run time, or not read, stays unsupported (never an error, never a guess)', () => {
  const cases: [string, string, RegExp][] = [
    ['dynamic table name', `queryInterface.createTable(tableName(), { id: Sequelize.INTEGER })`, /table name/],
    ['attributes built in code', `queryInterface.createTable('t', attributes())`, /attributes/],
    ['a spread attribute', `queryInterface.createTable('t', { ...base, id: Sequelize.INTEGER })`, /attributes/],
    ['an unknown type', `queryInterface.addColumn('t', 'c', { type: customType })`, /type/],
    ['an action from a variable', `queryInterface.addColumn('t', 'c', { type: Sequelize.INTEGER, references: { model: 'u' }, onDelete: process.env.ACTION })`, /ON DELETE action/],
    ['the referenced table from code', `queryInterface.addColumn('t', 'c', { type: Sequelize.INTEGER, references: { model: modelName } })`, /referenced table/],
    ['references without a model', `queryInterface.addColumn('t', 'c', { type: Sequelize.INTEGER, references: { key: 'id' } })`, /referenced table/],
    ['dropAllTables', `queryInterface.dropAllTables()`, /drops whatever the database holds/],
    ['a table renamed into a schema', `queryInterface.renameTable('t', { tableName: 't', schema: 's' })`, /new table name/],
    ['the Sequelize 4/5 addConstraint form', `queryInterface.addConstraint('t', ['c'], { type: 'unique' })`, /Sequelize 6 rejects it/],
    ['a CHECK constraint (a where object)', `queryInterface.addConstraint('t', { fields: ['c'], type: 'check', where: { c: 1 } })`, /check constraint/],
    ['changeColumn Sequelize 6 sends broken SQL for', `queryInterface.changeColumn('t', 'c', { type: Sequelize.INTEGER, defaultValue: 1, references: { model: 'u' } })`, /invalid SQL/],
    ['an index over an expression', `queryInterface.addIndex('t', [Sequelize.fn('lower', Sequelize.col('email'))])`, /index field/],
    ['removeIndex by fields of a table object', `queryInterface.removeIndex({ tableName: 't', schema: 's' }, ['c'])`, /index name/],
  ];
  for (const [what, call, message] of cases) {
    const file = readJsMigration('migrations/20240101000000-x.js', migration(call));
    assert.deepEqual(file.events, [], what);
    assert.deepEqual(file.problems.map((p) => [p.code, p.severity]), [['unsupported', 'info']], what);
    assert.match(file.problems[0].message, message, what);
  }
  // A loop over a list only known at run time: the table name stays unknown inside it.
  const loop = readJsMigration('migrations/20240101000000-x.js', `module.exports = {
  async up(queryInterface, Sequelize) {
    const tables = await queryInterface.showAllTables();
    for (const table of tables) {
      await queryInterface.addColumn(table, 'tenantId', { type: Sequelize.INTEGER, references: { model: 'tenants' } });
    }
  },
};
`);
  assert.deepEqual(loop.events, []);
  assert.deepEqual(loop.problems.map((p) => p.code), ['unsupported']);
});

test('Sequelize reader: styles (promise chains, transactions, umzug context, destructured types, constant loops) and ranges', () => {
  const text = `const { DataTypes } = require('sequelize');
const { INTEGER, STRING } = DataTypes;

module.exports = {
  up: ({ context: queryInterface }) => queryInterface.sequelize.transaction((t) =>
    queryInterface.createTable('users', { id: { type: INTEGER, primaryKey: true, autoIncrement: true }, name: STRING(20) }, { transaction: t })
      .then(() => queryInterface.createTable('posts', {
        id: { type: INTEGER, primaryKey: true },
        authorId: { type: INTEGER, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
      }, { transaction: t }))
      .then(async () => {
        for (const column of ['editorId', 'reviewerId']) {
          await queryInterface.addColumn('posts', column, { type: INTEGER, references: { model: 'users' } }, { transaction: t });
        }
      })),
  down: async () => {},
};
`;
  const file = readJsMigration('migrations/20240101000000-x.js', text);
  assert.deepEqual(file.problems, []);
  const covered = (span: { start: number; end: number }) => text.slice(span.start, span.end);
  assert.deepEqual(file.events.map((e) => `${e.kind} ${'table' in e ? e.table?.name : ''}`), ['create_table users', 'create_table posts', 'alter_table posts', 'alter_table posts']);
  const posts = file.events[1];
  assert.ok(posts.kind === 'create_table');
  assert.equal(covered(posts.table.span), "'posts'");
  const author = posts.columns[1];
  assert.equal(covered(author.nameSpan), 'authorId');
  assert.equal(author.type, 'integer');
  const fk = posts.columns[1].constraints.find((c) => c.kind === 'foreign')!;
  assert.equal(covered(fk.foreign!.refTable.span), "'users'");
  assert.equal(covered(fk.foreign!.onDeleteSpan!), "onDelete: 'CASCADE'");
  const added = file.events[3];
  assert.ok(added.kind === 'alter_table' && added.commands[0].kind === 'add_column');
  assert.equal(added.commands[0].column.name, 'reviewerId');
  assert.equal(covered(added.commands[0].column.nameSpan), 'column', 'the loop variable that named it');
});

test('Sequelize reader: only files written for Sequelize; db-migrate calls of the same name stay db-migrate', () => {
  const dbMigrate = readJsMigration('migrations/20240101000000-x.js', `exports.up = function (db) {
  return db.addIndex('posts', 'posts_user_idx', ['userId']);
};
`);
  const event = dbMigrate.events[0];
  assert.ok(event?.kind === 'create_index');
  assert.equal(event.name, 'posts_user_idx');
  const sequelize = readJsMigration('migrations/20240101000000-x.js', migration(`queryInterface.addIndex('posts', ['userId'])`));
  const index = sequelize.events[0];
  assert.ok(index?.kind === 'create_index');
  assert.equal(index.name, 'posts_user_id');
});

test('Sequelize migrations: a sequelize history; lock-timeout-missing says how Sequelize sets it, with no quick-fix writing SQL into the code', () => {
  const ws = new Workspace();
  const files = {
    'migrations/20240101000000-users.js': migration(`queryInterface.createTable('users', { id: { type: Sequelize.INTEGER, primaryKey: true } })`),
    'migrations/20240102000000-posts.js': migration(`queryInterface.createTable('posts', { id: Sequelize.INTEGER, userId: { type: Sequelize.INTEGER, references: { model: 'users' } } })`),
    // sequelize-cli's own table is no unknown table.
    'migrations/20240103000000-meta.js': migration(`queryInterface.addColumn('SequelizeMeta', 'appliedAt', Sequelize.DATE)`),
  };
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  const model = ws.model();
  const diagnostics = [...computeDiagnostics(model, (p) => ws.text(p)).values()].flat();
  const lockTimeout = diagnostics.find((d) => d.code === 'lock-timeout-missing');
  assert.match(lockTimeout?.message ?? '', /dialectOptions: \{ lock_timeout: 5000 \}.*SET LOCAL lock_timeout/, diagnostics.map((d) => d.code).join(' '));
  assert.deepEqual(diagnostics.filter((d) => d.code === 'unknown-table'), []);
  const history = model.histories[0];
  assert.equal(history.history.tool, 'sequelize');
  assert.equal(lockTimeoutFix(model, history, 'migrations/20240102000000-posts.js', (p) => ws.text(p)), undefined);
});

test('Sequelize migrations: tableExists guards are decided from the model, awaited or in a then', () => {
  const ws = new Workspace();
  ws.setFile('migrations/20240101000000-users.js', migration(`queryInterface.createTable('users', { id: { type: Sequelize.INTEGER, primaryKey: true } })`));
  ws.setFile('migrations/20240102000000-guards.js', `module.exports = {
  async up(queryInterface, Sequelize) {
    if (await queryInterface.tableExists('users')) {
      await queryInterface.addColumn('users', 'name', Sequelize.STRING);
    } else {
      await queryInterface.createTable('users', { id: Sequelize.UUID, name: Sequelize.STRING });
    }
    const exists = await queryInterface.tableExists({ tableName: 'teams', schema: 'public' });
    if (!exists) await queryInterface.createTable('teams', { id: { type: Sequelize.INTEGER, primaryKey: true }, ownerId: { type: Sequelize.INTEGER, references: { model: 'users' } } });
    await queryInterface.tableExists('users').then((found) => found && queryInterface.addColumn('users', 'teamId', { type: Sequelize.INTEGER, references: { model: 'teams' } }));
  },
};
`);
  const model = ws.model();
  const history = model.histories[0];
  const users = history.tables.find((t) => t.name === 'users')!;
  const name = (id: number) => history.tableById.get(id)!.name;
  assert.deepEqual(users.columns.map((c) => `${c.name} ${c.type}`), ['id integer', 'name character varying(255)', 'teamId integer'], 'users kept its integer id, and got name and teamId');
  assert.deepEqual(history.foreignKeys.map((f) => `${name(f.tableId)}(${f.columns}) -> ${name(f.refTableId)}`).sort(), ['teams(ownerId) -> users', 'users(teamId) -> teams']);
  assert.deepEqual(history.problems.map((p) => p.code), [], 'every statement applied by a decided guard');
  const diagnostics = [...computeDiagnostics(model, (p) => ws.text(p)).values()].flat();
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
});
