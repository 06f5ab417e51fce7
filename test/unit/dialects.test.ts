/**
 * MySQL and SQLite semantics, one behaviour per test: the SQL in, the model or the diagnostic out.
 * (The corpus tests check the same against MariaDB's and SQLite's own catalogs; test/unit/sqlite-engine
 * runs the SQLite cases here through a real SQLite.)
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDiagnostics, type FileDiagnostic } from '../../server/src/features/diagnostics';
import { modelJson, type ForeignKeyJson } from '../../server/src/model/json';
import type { DiscoveryOptions } from '../../server/src/workspace/discovery';
import { Workspace } from '../../server/src/workspace/workspace';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';

before(async () => {
  await initPostgresParser();
});

function open(files: Record<string, string>, options: DiscoveryOptions = {}) {
  const ws = new Workspace(options);
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  const model = ws.model();
  const json = modelJson(model);
  const diagnostics = computeDiagnostics(model, (p) => ws.text(p));
  const fk = (table: string, columns?: string[]): ForeignKeyJson | undefined =>
    json.foreignKeys.find((f) => f.table === table && (!columns || f.columns.join() === columns.join()));
  const diags = (code: string): FileDiagnostic[] => [...diagnostics.values()].flat().filter((d) => d.code === code);
  return { ws, model, json, fk, diags, table: (name: string) => json.tables.find((t) => t.name === name) };
}

/** The text a diagnostic's single-line range covers. */
function covered(text: string, d: FileDiagnostic): string {
  const line = text.split('\n')[d.range.start.line];
  return line.slice(d.range.start.character, d.range.end.character);
}

const PARENT = 'CREATE TABLE `parent` (`id` INT NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;\n';

// ------------------------------------------------------------------------------------------------ MySQL

test('mysql: InnoDB creates an index for an FK no index covers, named after the constraint', () => {
  const { fk, table } = open({ 'db/schema.sql': PARENT + 'CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));\n' });
  assert.equal(fk('child')?.indexed, true);
  assert.deepEqual(fk('child')?.indexedBy, ['child_parent']);
  assert.deepEqual(table('child')?.indexes.map((i) => [i.name, i.columns]), [['PRIMARY', ['id']], ['child_parent', ['parent_id']]]);
});

test('mysql: an unnamed FK is <table>_ibfk_<n>, its implicit index is named after the first column, and a later index replaces it', () => {
  const schema = PARENT + 'CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent (id));\n';
  const before = open({ 'db/schema.sql': schema });
  assert.equal(before.fk('child')?.name, 'child_ibfk_1');
  assert.deepEqual(before.fk('child')?.indexedBy, ['parent_id']);
  const after = open({ 'db/schema.sql': schema + 'CREATE INDEX child_parent_idx ON child (parent_id, id);\n' });
  assert.deepEqual(after.fk('child')?.indexedBy, ['child_parent_idx']);
  assert.deepEqual(after.table('child')?.indexes.map((i) => i.name), ['PRIMARY', 'child_parent_idx'], 'MariaDB drops the generated index');
});

test('mysql: an index whose columns start with the FK columns in another order does not serve InnoDB', () => {
  const { table } = open({
    'db/schema.sql':
      PARENT.replace('`id` INT NOT NULL, PRIMARY KEY (`id`)', 'a INT, b INT, PRIMARY KEY (a, b)') +
      'CREATE TABLE child (x INT, y INT, KEY by_yx (y, x), CONSTRAINT c FOREIGN KEY (x, y) REFERENCES parent (a, b));\n',
  });
  assert.deepEqual(table('child')?.indexes.map((i) => i.name).sort(), ['by_yx', 'c'], 'InnoDB adds its own index c');
});

test('mysql: no action written means RESTRICT; NO ACTION written stays NO ACTION', () => {
  const { fk } = open({
    'db/schema.sql':
      PARENT +
      'CREATE TABLE a (p INT, FOREIGN KEY (p) REFERENCES parent (id));\n' +
      'CREATE TABLE b (p INT, FOREIGN KEY (p) REFERENCES parent (id) ON DELETE NO ACTION ON UPDATE CASCADE);\n',
  });
  assert.deepEqual([fk('a')?.onDelete, fk('a')?.onUpdate], ['RESTRICT', 'RESTRICT']);
  assert.deepEqual([fk('b')?.onDelete, fk('b')?.onUpdate], ['NO ACTION', 'CASCADE']);
});

test('mysql-set-default-ignored: SET DEFAULT is stored as RESTRICT and flagged on the clause', () => {
  const text = PARENT + 'CREATE TABLE c (p INT DEFAULT 0, FOREIGN KEY (p) REFERENCES parent (id) ON DELETE SET DEFAULT ON UPDATE CASCADE);\n';
  const { fk, diags } = open({ 'db/schema.sql': text });
  assert.equal(fk('c')?.onDelete, 'RESTRICT');
  assert.equal(fk('c')?.onUpdate, 'CASCADE');
  const found = diags('mysql-set-default-ignored');
  assert.equal(found.length, 1);
  assert.equal(covered(text, found[0]), 'ON DELETE SET DEFAULT');
  assert.match(found[0].message, /behaves as RESTRICT/);
});

test('mysql-inline-references: ignored on MySQL (default), a real FK on MariaDB, flagged on both', () => {
  const text = PARENT + 'CREATE TABLE tags (id INT PRIMARY KEY, parent_id INT REFERENCES parent(id) ON DELETE CASCADE);\n';
  const mysql = open({ 'db/schema.sql': text });
  assert.equal(mysql.fk('tags'), undefined);
  const warning = mysql.diags('mysql-inline-references');
  assert.equal(warning.length, 1);
  assert.equal(covered(text, warning[0]), 'REFERENCES parent(id) ON DELETE CASCADE');
  assert.match(warning[0].message, /MariaDB 10\.5/);
  assert.match(warning[0].message, /MySQL parses and ignores it/);

  const mariadb = open({ 'db/schema.sql': text }, { mysqlServer: 'mariadb' });
  assert.equal(mariadb.fk('tags')?.name, 'tags_ibfk_1');
  assert.equal(mariadb.fk('tags')?.onDelete, 'CASCADE');
  assert.deepEqual(mariadb.fk('tags')?.indexedBy, ['parent_id']);
  assert.equal(mariadb.diags('mysql-inline-references').length, 1);
});

test('mysql: a statement the parser rejects gets one diagnostic at the bad token; the rest of the file counts', () => {
  const text = PARENT + 'CREATE TABLE broken (id INT PRIMARY KEY,, x INT);\nCREATE TABLE c (p INT, CONSTRAINT c_p FOREIGN KEY (p) REFERENCES parent (id));\n';
  const { fk, diags, table } = open({ 'db/schema.sql': text });
  const errors = diags('syntax-error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].range.start.line, 1);
  assert.equal(covered(text, errors[0]), ',');
  assert.match(errors[0].message, /MySQL syntax error/);
  assert.equal(table('broken'), undefined);
  assert.equal(fk('c')?.name, 'c_p');
});

test('mysql: backticks, # comments, DELIMITER blocks and routines do not disturb the model', () => {
  const text =
    '# a comment with `backticks` and a REFERENCES x(y)\n' +
    PARENT +
    'DELIMITER ;;\n' +
    'CREATE TRIGGER t AFTER INSERT ON `parent` FOR EACH ROW BEGIN\n  INSERT INTO log VALUES (1);\n  CREATE TABLE nope (a INT);\nEND;;\n' +
    'DELIMITER ;\n' +
    'CREATE TABLE `my child` (`p id` INT, CONSTRAINT `fk``odd` FOREIGN KEY (`p id`) REFERENCES `parent` (`id`));\n';
  const { json, fk } = open({ 'db/schema.sql': text });
  assert.deepEqual(json.tables.map((t) => t.name).sort(), ['my child', 'parent']);
  assert.equal(fk('my child')?.name, 'fk`odd');
  assert.deepEqual(fk('my child')?.columns, ['p id']);
});

test('mysql: ALTER TABLE ADD / DROP FOREIGN KEY, DROP INDEX, MODIFY, CHANGE and RENAME in order', () => {
  const text =
    PARENT +
    'CREATE TABLE c (id INT PRIMARY KEY, p INT, q INT);\n' +
    'ALTER TABLE c ADD INDEX c_p (p), ADD CONSTRAINT c_fk FOREIGN KEY (p) REFERENCES parent (id) ON DELETE CASCADE;\n' +
    'ALTER TABLE c CHANGE COLUMN p parent_id INT NOT NULL;\n' +
    'ALTER TABLE c ADD CONSTRAINT c_q FOREIGN KEY (q) REFERENCES parent (id);\n' +
    'ALTER TABLE c DROP FOREIGN KEY c_q;\n' +
    'RENAME TABLE parent TO parents;\n';
  const { json, table } = open({ 'db/schema.sql': text });
  assert.deepEqual(
    json.foreignKeys.map((f) => [f.name, f.columns.join(), f.refTable, f.onDelete, f.indexedBy.join()]),
    [['c_fk', 'parent_id', 'parents', 'CASCADE', 'c_p']],
  );
  assert.equal(table('c')?.columns.find((c) => c.name === 'parent_id')?.notNull, true);
  // DROP FOREIGN KEY keeps the index InnoDB made for it.
  assert.deepEqual(table('c')?.indexes.map((i) => i.name), ['PRIMARY', 'c_p', 'c_q']);
});

test('mysql: an FK to a table created later needs FOREIGN_KEY_CHECKS = 0', () => {
  const forward = 'CREATE TABLE c (p INT, CONSTRAINT c_p FOREIGN KEY (p) REFERENCES parent (id));\n' + PARENT;
  const checked = open({ 'db/schema.sql': forward });
  assert.equal(checked.fk('c'), undefined);
  assert.equal(checked.diags('fk-target-missing').length, 1);
  const unchecked = open({ 'db/schema.sql': 'SET FOREIGN_KEY_CHECKS = 0;\n' + forward });
  assert.equal(unchecked.fk('c')?.refTable, 'parent');
  assert.equal(unchecked.diags('fk-target-missing').length, 0);
});

test('mysql: clause ranges point at the exact text', () => {
  const text = PARENT + 'CREATE TABLE c (p INT, CONSTRAINT `c_p` FOREIGN KEY (`p`) REFERENCES `parent` (`id`) ON DELETE CASCADE);\n';
  const { model } = open({ 'db/schema.sql': text });
  const fk = model.histories[0].foreignKeys[0];
  const at = (s?: { start: number; end: number }) => (s ? text.slice(s.start, s.end) : undefined);
  assert.equal(at(fk.location.span), 'CONSTRAINT `c_p` FOREIGN KEY (`p`) REFERENCES `parent` (`id`) ON DELETE CASCADE');
  assert.equal(at(fk.location.nameSpan), '`c_p`');
  assert.equal(at(fk.location.columnsSpan), '(`p`)');
  assert.equal(at(fk.location.refTableSpan), '`parent`');
  assert.equal(at(fk.location.refColumnsSpan), '(`id`)');
  assert.equal(at(fk.location.onDeleteSpan), 'ON DELETE CASCADE');
});

// ------------------------------------------------------------------------------------------------ SQLite

const SQLITE_HEAD = 'PRAGMA foreign_keys = ON;\n';

test('sqlite: inline and table-level FKs, NO ACTION by default, REFERENCES t meaning its primary key', () => {
  const { fk } = open({
    'app.sqlite3.sql':
      SQLITE_HEAD +
      'CREATE TABLE artist (artistid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);\n' +
      'CREATE TABLE track (trackid INTEGER PRIMARY KEY, artist INTEGER REFERENCES artist ON DELETE CASCADE, a2 INT, FOREIGN KEY (a2) REFERENCES artist (artistid));\n',
  });
  assert.deepEqual([fk('track', ['artist'])?.refColumns, fk('track', ['artist'])?.onDelete, fk('track', ['artist'])?.onUpdate], [['artistid'], 'CASCADE', 'NO ACTION']);
  assert.deepEqual([fk('track', ['a2'])?.onDelete, fk('track', ['a2'])?.onUpdate], ['NO ACTION', 'NO ACTION']);
});

test('sqlite: an INTEGER PRIMARY KEY is the rowid; FKs to it need no separate index, WITHOUT ROWID tables have a real one', () => {
  const { table, fk } = open({
    'app.sqlite3.sql':
      SQLITE_HEAD +
      'CREATE TABLE a (id INTEGER PRIMARY KEY);\n' +
      'CREATE TABLE b (id INTEGER PRIMARY KEY REFERENCES a (id));\n' +
      'CREATE TABLE w (id INTEGER PRIMARY KEY, x INT) WITHOUT ROWID;\n' +
      'CREATE TABLE i (id INT PRIMARY KEY);\n',
  });
  assert.deepEqual(table('a')?.indexes.map((i) => i.name), ['rowid']);
  assert.deepEqual(fk('b')?.indexedBy, ['rowid'], 'the child key is its own rowid');
  assert.notEqual(table('w')?.indexes[0]?.name, 'rowid');
  assert.notEqual(table('i')?.indexes[0]?.name, 'rowid', 'INT is not INTEGER: no rowid alias');
});

test('sqlite: ALTER TABLE ADD CONSTRAINT does not exist; ADD COLUMN ... REFERENCES does', () => {
  const text = SQLITE_HEAD + 'CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (x INT);\nALTER TABLE b ADD CONSTRAINT b_x FOREIGN KEY (x) REFERENCES a (id);\nALTER TABLE b ADD COLUMN y INTEGER REFERENCES a (id);\n';
  const { json, diags } = open({ 'app.sqlite3.sql': text });
  assert.deepEqual(json.foreignKeys.map((f) => f.columns.join()), ['y']);
  const errors = diags('syntax-error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].range.start.line, 3);
  assert.match(errors[0].message, /SQLite has no ALTER TABLE \.\.\. ADD CONSTRAINT/);
});

test('sqlite: a table rebuild (create new, drop old, rename) keeps the FKs that name the table', () => {
  const { json } = open({
    'app.sqlite3.sql':
      SQLITE_HEAD +
      'CREATE TABLE parent (id INTEGER PRIMARY KEY, v TEXT);\n' +
      'CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INT REFERENCES parent (id) ON DELETE CASCADE);\n' +
      'CREATE TABLE _parent_new (id INTEGER PRIMARY KEY, v TEXT NOT NULL);\n' +
      'DROP TABLE parent;\n' +
      'ALTER TABLE _parent_new RENAME TO parent;\n',
  });
  assert.deepEqual(json.foreignKeys.map((f) => [f.table, f.refTable, f.onDelete]), [['child', 'parent', 'CASCADE']]);
});

test('sqlite-foreign-keys-off: FKs declared and nothing turns enforcement on', () => {
  const text = 'CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (a_id INT REFERENCES a (id));\n';
  const off = open({ 'db/sqlite/schema.sql': text });
  const found = off.diags('sqlite-foreign-keys-off');
  assert.equal(found.length, 1);
  assert.equal(covered(text, found[0]), 'REFERENCES a (id)');
  assert.match(found[0].message, /PRAGMA foreign_keys = ON/);
  assert.equal(open({ 'db/sqlite/schema.sql': SQLITE_HEAD + text }).diags('sqlite-foreign-keys-off').length, 0);
  assert.equal(open({ 'db/sqlite/schema.sql': 'CREATE TABLE a (id INTEGER PRIMARY KEY);\n' }).diags('sqlite-foreign-keys-off').length, 0, 'no FKs, nothing to say');
});

// ------------------------------------------------------------------------------------------------ choosing the dialect

test('dialect: from popx names, folders, content, and fklens.dialects globs, one per history', () => {
  const mysqlText = 'CREATE TABLE a (id INT PRIMARY KEY);\n';
  const { model } = open(
    {
      'popx/1_a.mysql.up.sql': mysqlText,
      'popx/2_b.up.sql': mysqlText.replace(' a ', ' b '),
      'sqlite/schema.sql': mysqlText,
      'dump/schema.sql': 'CREATE TABLE `a` (id INT) ENGINE=InnoDB;\n',
      'legacy/schema.sql': mysqlText,
      'pg/schema.sql': mysqlText,
    },
    { dialects: { 'legacy/**': 'mysql' } },
  );
  const dialects = Object.fromEntries(model.histories.map((h) => [h.history.id, h.history.dialect ?? 'postgres']));
  assert.deepEqual(dialects, { dump: 'mysql', legacy: 'mysql', pg: 'postgres', popx: 'mysql', sqlite: 'sqlite' });
  assert.equal(model.sources.get('popx/2_b.up.sql')?.dialect, 'mysql', 'a generic popx file is read in its set\'s dialect');
});

test('dialect: a folder named after PlanetScale (MySQL-compatible) is MySQL: its TypeORM migrations are no PostgreSQL syntax errors', () => {
  const migration = `export class msInit1653746497237 {
  async up(queryRunner) {
    await queryRunner.query(\`CREATE TABLE \\\`store\\\` (\\\`key\\\` varchar(250) NOT NULL, PRIMARY KEY (\\\`key\\\`)) ENGINE=InnoDB\`);
  }
}
`;
  const { model } = open({ 'migration/planetscale/1653746497237-ms_init.ts': migration, 'migration/postgres/1653746497237-pg_init.ts': migration.replace(/\\`/g, '"').replace(' ENGINE=InnoDB', '') });
  const dialects = Object.fromEntries(model.histories.map((h) => [h.history.id, h.history.dialect ?? 'postgres']));
  assert.deepEqual(dialects, { 'migration/planetscale': 'mysql', 'migration/postgres': 'postgres' });
  const problems = [...model.sources.values()].flatMap((f) => (f.problems ?? []).map((p) => `${f.path} ${p.code}`));
  assert.deepEqual(problems, ['migration/planetscale/1653746497237-ms_init.ts unsupported']);
});

test('dialect: ClickHouse and SQL Server files (by folder, or ClickHouse by its ENGINE = MergeTree) are left out as unsupported, not PostgreSQL syntax errors', () => {
  const clickhouse = 'CREATE TABLE umami.website_event\n(\n    website_id UUID,\n    created_at DateTime(\'UTC\')\n)\n    ENGINE = MergeTree\n    ORDER BY (website_id, created_at);\n';
  const { model } = open({
    'db/clickhouse/migrations/01_edit_keys.sql': 'ALTER TABLE event_data ADD COLUMN event_key String AFTER event_id;\n',
    'db/analytics/schema.sql': clickhouse,
    'migration/mssql/1_init.sql': 'CREATE TABLE "a" ("id" int NOT NULL IDENTITY(1,1), CONSTRAINT "PK_a" PRIMARY KEY ("id"));\n',
    'db/mysql/schema.sql': 'CREATE TABLE t (id int PRIMARY KEY) ENGINE = MEMORY;\n',
  });
  const dialects = Object.fromEntries(model.histories.map((h) => [h.history.id, h.history.dialect ?? 'postgres']));
  assert.deepEqual(dialects, { 'db/analytics': 'clickhouse', 'db/clickhouse/migrations': 'clickhouse', 'db/mysql': 'mysql', 'migration/mssql': 'mssql' });
  const problems = [...model.sources.values()].flatMap((f) => (f.problems ?? []).map((p) => `${f.path} ${p.severity} ${p.code} ${p.message}`)).sort();
  assert.deepEqual(problems, [
    'db/analytics/schema.sql info unsupported This file looks like ClickHouse; FK Lens does not read this dialect yet, so it is left out of the model.',
    'db/clickhouse/migrations/01_edit_keys.sql info unsupported This file looks like ClickHouse; FK Lens does not read this dialect yet, so it is left out of the model.',
    'migration/mssql/1_init.sql info unsupported This file looks like SQL Server; FK Lens does not read this dialect yet, so it is left out of the model.',
  ]);
});

test('dialect: loose files of different engines in one folder are different databases', () => {
  const { model } = open({
    'sql/mysql-schema.sql': 'CREATE TABLE `a` (id INT PRIMARY KEY) ENGINE=InnoDB;\n',
    'sql/schema.sqlite.sql': 'CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\n',
  });
  assert.deepEqual(
    model.histories.map((h) => [h.history.files.join(), h.history.dialect]).sort(),
    [['sql/mysql-schema.sql', 'mysql'], ['sql/schema.sqlite.sql', 'sqlite']],
  );
});

// ------------------------------------------------------------------------------- one odd file (issue 13)

/** Bytes that are not text, as a careless copy leaves them: invalid UTF-8 and control characters, no NUL. */
function noise(length: number): string {
  const bytes = Buffer.alloc(length);
  let x = 12345;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = 1 + (x % 255);
  }
  return bytes.toString('utf8');
}

const PG_HISTORY = {
  'db/migrations/001_users.up.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n',
  'db/migrations/002_orders.up.sql': 'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id) ON DELETE CASCADE);\n',
};

test('dialect: a string literal or comment saying ENGINE=InnoDB does not turn a PostgreSQL history into MySQL', () => {
  const { model, fk, diags } = open({
    ...PG_HISTORY,
    'db/migrations/003_comment.up.sql': "COMMENT ON TABLE users IS 'ENGINE=InnoDB, `legacy` (see AUTO_INCREMENT)';\n-- ENGINE=InnoDB\n",
  });
  assert.deepEqual(model.histories.map((h) => h.history.dialect ?? 'postgres'), ['postgres']);
  assert.equal(fk('orders')?.onDelete, 'CASCADE');
  assert.deepEqual(diags('syntax-error'), []);
});

test('dialect: a file of bytes that are not text is reported on its own; the history keeps its dialect and its FKs', () => {
  const junk = noise(4000);
  assert.match(junk, /\ufffd/);
  const { model, fk, diags } = open({ ...PG_HISTORY, 'db/migrations/003_junk.up.sql': junk });
  assert.deepEqual(model.histories.map((h) => h.history.dialect ?? 'postgres'), ['postgres']);
  assert.equal(fk('orders')?.onDelete, 'CASCADE');
  const errors = [...diags('syntax-error')];
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /not text/);
  assert.ok(!model.sources.get('db/migrations/001_users.up.sql')?.problems.length);
  assert.ok(!model.sources.get('db/migrations/002_orders.up.sql')?.problems.length);
  // Noise made of printable characters that happen to spell MySQL's syntax is no evidence either.
  const printable = open({ ...PG_HISTORY, 'db/migrations/003_noise.up.sql': 'x`y` (ENGINE= AUTO_INCREMENT zz qq\n' });
  assert.deepEqual(printable.model.histories.map((h) => h.history.dialect ?? 'postgres'), ['postgres']);
  assert.equal(printable.fk('orders')?.onDelete, 'CASCADE');
});

test('dialect: a MySQL history whose strings hold backslash escapes is still MySQL', () => {
  const { model, fk } = open({
    'db/001_a.sql': "INSERT INTO notes VALUES ('O\\'Brien');\nCREATE TABLE `parent` (`id` INT NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB;\n",
    'db/002_b.sql': 'CREATE TABLE child (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES parent (id));\n',
  });
  assert.deepEqual(model.histories.map((h) => h.history.dialect), ['mysql']);
  assert.equal(fk('child')?.refTable, 'parent');
});
