/**
 * psql scripts (sources/sql/psql.ts): meta-commands and `:variables` are read as psql reads them, so a script
 * written for `psql -f` gives no false syntax error; what FK Lens cannot see (a variable given from outside, an
 * include, an `\if` it cannot decide) is an `unsupported` gap. Ordinary files are read exactly as before.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPostgresParser, readPostgres } from '../../server/src/sources/sql/postgres';
import { readSqlFile } from '../../server/src/sources/sql/read';
import { psqlScript } from '../../server/src/sources/sql/psql';
import { Workspace } from '../../server/src/workspace/workspace';
import { modelJson } from '../../server/src/model/json';
import { historyGaps } from '../../server/src/model/partial';
import type { SourceFile } from '../../server/src/sources/events';

before(async () => {
  await initPostgresParser();
});

const read = (text: string) => readSqlFile('db/schema.sql', text, 'schema');
const problems = (file: SourceFile) => file.problems.map((p) => `${p.code}: ${p.message}`);
const tablesOf = (file: SourceFile) => file.events.filter((e) => e.kind === 'create_table').map((e) => (e.kind === 'create_table' ? `${e.table.schema ?? ''}.${e.table.name}` : ''));
const spanText = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);

function model(files: Record<string, string>) {
  const ws = new Workspace({});
  for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
  return ws.model();
}

const fkLines = (m: ReturnType<typeof model>) => modelJson(m).foreignKeys.map((f) => `${f.schema}.${f.table}(${f.columns}) -> ${f.refSchema}.${f.refTable}(${f.refColumns}) ${f.name}`);

test('ordinary SQL with the traps (casts, :=, slices, strings, comments, dollar bodies) is not a psql script', () => {
  const sql = [
    "CREATE TABLE t (id int PRIMARY KEY, a int[] DEFAULT '{1,2}'::int[], note text DEFAULT 'x:y', \"odd:name\" int);",
    '-- a comment with :name and \\set x 1',
    '/* :also \\echo nested /* :deeper */ */',
    "SELECT (a)[1:2], (a)[lo:hi], E'back\\\\slash:x', $$ :inside \\set $$ FROM t, generate_series(1, 2) AS lo, generate_series(2, 3) AS hi;",
    "CREATE FUNCTION f(x int) RETURNS int LANGUAGE plpgsql AS $body$ DECLARE y int; BEGIN y := x; RETURN y::int; END $body$;",
    'SELECT f(x := 1), now()::date, 1::bigint;',
    "DO $$ BEGIN EXECUTE format('SELECT :x'); END $$;",
    "COMMENT ON TABLE t IS 'stdin: \\. ';",
  ].join('\n');
  assert.equal(psqlScript(sql), undefined);
  const file = read(sql);
  assert.deepEqual(problems(file), []);
  assert.deepEqual(file, readPostgres('db/schema.sql', sql), 'read exactly as the plain PostgreSQL reader reads it');
});

test('\\set values are substituted: :name (raw), :"name" (identifier), :\'name\' (literal); FKs between them resolve', () => {
  const sql = [
    '\\set ON_ERROR_STOP on',
    '\\set schema app',
    '\\set parent \'Users\'',
    '\\set note \'it\'\'s\'',
    'CREATE SCHEMA :schema;',
    'CREATE TABLE :schema.:"parent" (id bigint PRIMARY KEY);',
    'CREATE TABLE :"schema".orders (id bigint PRIMARY KEY, user_id bigint REFERENCES :schema.:"parent" (id) ON DELETE CASCADE);',
    'COMMENT ON TABLE :schema.orders IS :\'note\';',
  ].join('\n');
  const file = read(sql);
  assert.deepEqual(problems(file), []);
  assert.deepEqual(tablesOf(file), ['app.Users', 'app.orders']);
  // Ranges are the file's: the table name of the second CREATE covers what is written there.
  const orders = file.events.find((e) => e.kind === 'create_table' && e.table.name === 'orders');
  assert.ok(orders && orders.kind === 'create_table');
  assert.equal(spanText(sql, orders.table.span), ':"schema".orders');
  assert.equal(spanText(sql, orders.statement).split('\n')[0], 'CREATE TABLE :"schema".orders (id bigint PRIMARY KEY, user_id bigint REFERENCES :schema.:"parent" (id) ON DELETE CASCADE)');
  assert.deepEqual(fkLines(model({ 'db/schema.sql': sql })), ['app.orders(user_id) -> app.Users(id) orders_user_id_fkey']);
});

test('a variable with no value FK Lens can see: one placeholder schema for every use, one unsupported info, a partial history', () => {
  const sql = [
    'CREATE TABLE :app_schema.users (id bigint PRIMARY KEY);',
    'CREATE TABLE :app_schema.orders (id bigint PRIMARY KEY, user_id bigint);',
    'ALTER TABLE :app_schema.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES :"app_schema".users (id);',
    'COMMENT ON TABLE :app_schema.orders IS :comment;',
    "COMMENT ON COLUMN :app_schema.orders.id IS :'comment';",
  ].join('\n');
  const file = read(sql);
  assert.equal(file.problems.filter((p) => p.code === 'syntax-error').length, 0);
  assert.deepEqual(
    file.problems.map((p) => [p.code, p.severity, spanText(sql, p.span)]),
    [
      ['unsupported', 'info', ':app_schema'],
      ['unsupported', 'info', ':comment'],
    ],
  );
  assert.match(file.problems[0].message, /^psql variable :app_schema has no value FK Lens can see .*the statements using it are read with a placeholder name\.$/);
  const m = model({ 'db/schema.sql': sql });
  assert.deepEqual(fkLines(m), [':app_schema.orders(user_id) -> :app_schema.users(id) orders_user_fk']);
  assert.deepEqual(historyGaps(m.histories[0]).map((g) => [g.code, g.line]), [['unsupported', 1], ['unsupported', 4]]);
});

test('an array slice keeps an unknown :name (psql leaves it); a \\set one is substituted; dollar-quoted bodies are left alone', () => {
  const sql = [
    '\\set n 2',
    'CREATE TABLE t (id int PRIMARY KEY, a int[]);',
    'SELECT a[1:n], a[1:hi] FROM t, generate_series(1, 2) AS hi;',
    '-- psql does not interpolate inside dollar quotes: this DO body keeps :n, and its DDL names a table that does not exist.',
    'DO $$ BEGIN IF 1 = 1 THEN ALTER TABLE :n.t ADD COLUMN b int; END IF; END $$;',
    "CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $f$ DECLARE v int; BEGIN v := 1; RETURN v::int; END $f$;",
  ].join('\n');
  const script = psqlScript(sql);
  assert.ok(script);
  // psql replaces `:n` colon and all: `a[1:n]` becomes `a[12]` (a known psql trap), as FK Lens reads it.
  assert.match(script.text, /SELECT a\[12\], a\[1:hi\] FROM t/);
  assert.match(script.text, /ALTER TABLE :n\.t ADD COLUMN b int;/);
  assert.match(script.text, /BEGIN v := 1; RETURN v::int; END/);
  const file = read(sql);
  assert.deepEqual(problems(file), []);
  assert.deepEqual(file.events.map((e) => e.kind), ['create_table']);
});

test('meta-commands are skipped; \\g ends a statement; \\if branches are followed; \\q ends the script', () => {
  const sql = [
    '\\echo creating the schema -- it\'s fine',
    '\\connect app',
    '\\set with_audit false',
    '\\pset format aligned \\timing on',
    'CREATE TABLE users (id bigint PRIMARY KEY) \\g',
    '\\if :with_audit',
    '  CREATE TABLE audit (id bigint PRIMARY KEY, user_id bigint REFERENCES users);',
    '\\elif true',
    '  CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);',
    '  \\if no',
    '    CREATE TABLE nested_never (id int);',
    '  \\else',
    '    CREATE TABLE nested_else (id int);',
    '  \\endif',
    '\\else',
    '  CREATE TABLE never (id int);',
    '\\endif',
    '\\echo next \\\\ CREATE TABLE after_separator (id int);',
    'SELECT 1 \\\\ CREATE TABLE dropped_with_the_invalid_command (id int);',
    ';',
    '\\q',
    'CREATE TABLE after_quit (id int);',
    'this is not even SQL',
  ].join('\n');
  const file = read(sql);
  assert.deepEqual(problems(file), []);
  assert.deepEqual(tablesOf(file), ['.users', '.orders', '.nested_else', '.after_separator']);
  assert.deepEqual(fkLines(model({ 'db/schema.sql': sql })), ['public.orders(user_id) -> public.users(id) orders_user_id_fkey']);
});

test('an \\if FK Lens cannot decide is read as false, and says so; \\i, \\! and \\gexec are gaps', () => {
  const sql = [
    'CREATE TABLE users (id bigint PRIMARY KEY);',
    '\\if :{?with_orders}',
    '  CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);',
    '\\endif',
    '\\i more/tables.sql',
    '\\! ./seed.sh',
    "SELECT format('CREATE INDEX ON %I (id)', 'users') \\gexec",
    '\\frobnicate now',
  ].join('\n');
  const file = read(sql);
  assert.deepEqual(tablesOf(file), ['.users']);
  assert.deepEqual(
    file.problems.map((p) => [p.code, p.severity, sql.slice(p.span.start, p.span.end)]),
    [
      ['unsupported', 'info', '\\if :{?with_orders}'],
      ['unsupported', 'info', '\\i more/tables.sql'],
      ['unsupported', 'info', '\\! ./seed.sh'],
      ['unsupported', 'info', '\\gexec'],
      ['unsupported', 'info', '\\frobnicate now'],
    ],
  );
  assert.match(file.problems[0].message, /This \\if depends on psql variable :with_orders, which FK Lens cannot see; FK Lens reads the script as psql does when the condition is not true/);
  assert.match(file.problems[1].message, /psql reads the file "more\/tables.sql" here \(\\i\); FK Lens does not follow includes/);
});

test('COPY ... FROM stdin data up to \\. is not SQL (a pg_dump)', () => {
  const sql = [
    '\\restrict abc123',
    'SET standard_conforming_strings = on;',
    'CREATE TABLE public.users (id integer NOT NULL, name text);',
    'COPY public.users (id, name) FROM stdin;',
    "1\tO'Brien; DROP TABLE x",
    '2\t\\N',
    '\\.',
    '',
    'ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);',
    'CREATE TABLE public.orders (id integer, user_id integer);',
    'ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users(id);',
    '\\unrestrict abc123',
  ].join('\n');
  const file = read(sql);
  assert.deepEqual(problems(file), []);
  assert.deepEqual(fkLines(model({ 'dump.sql': sql })), ['public.orders(user_id) -> public.users(id) orders_user_fk']);
  const script = psqlScript(sql)!;
  assert.equal(script.text.length, sql.length, 'meta-commands and data are blanked in place');
  assert.equal(script.mapped, undefined);
});

test('a real syntax error in a psql script is still one, at its place in the file', () => {
  const sql = '\\set s app\nCREATE SCHEMA :s;\nCREATE TABLE :s.t (id int,, x int);\nCREATE TABLE :s.u (id int PRIMARY KEY);\n';
  const file = read(sql);
  assert.deepEqual(file.problems.map((p) => [p.code, sql.slice(p.span.start, p.span.end)]), [['syntax-error', ',']]);
  assert.equal(file.lines.position(file.problems[0].span.start).line, 2);
  assert.deepEqual(tablesOf(file), ['app.u']);
  // \unset: psql leaves :s as written, and the server rejects it.
  const unset = read('\\set s app\n\\unset s\nCREATE TABLE :s.t (id int);\n');
  assert.deepEqual(unset.problems.map((p) => p.code), ['syntax-error']);
});

test('an edit in the editor re-reads a psql script as psql does (no stale incremental read)', () => {
  const plain = 'CREATE TABLE users (id bigint PRIMARY KEY);\n'.repeat(1).padEnd(25_000, ' ') + '\nCREATE TABLE b (id int);\n';
  const before = readSqlFile('db/schema.sql', plain, 'schema');
  const edited = '\\set s app\n' + plain.replace('CREATE TABLE b', 'CREATE TABLE :s.b');
  const after = readSqlFile('db/schema.sql', edited, 'schema', undefined, before);
  assert.deepEqual(after, readSqlFile('db/schema.sql', edited, 'schema'));
  assert.deepEqual(tablesOf(after), ['.users', 'app.b']);
  const back = readSqlFile('db/schema.sql', plain, 'schema', undefined, after);
  assert.deepEqual(back, readSqlFile('db/schema.sql', plain, 'schema'));
});

test('a SQL template (`${name}` outside quotes, filled in by the code that runs the file): placeholder names and gaps, no syntax error', () => {
  const text = [
    'create role logto_tenant_${database} noinherit;',
    "grant select on all tables in schema public to logto_tenant_${database};",
    'create table ${name}_audit (id int primary key, parent_id int references ${name} (id));',
    "select '${kept}' as literal, $$ ${body} $$ as body;",
    '',
  ].join('\n');
  const file = readSqlFile('tables/_after_each.sql', text, 'schema');
  assert.deepEqual(file.problems?.map((p) => [p.code, p.severity, text.slice(p.span.start, p.span.end)]), [
    ['unsupported', 'info', '${database}'],
    ['unsupported', 'info', '${name}'],
  ]);
  assert.match(file.problems![0].message, /^\$\{database\} is a template placeholder, filled in by the code that runs this file/);
  const create = file.events.find((e) => e.kind === 'create_table');
  assert.equal(create?.kind === 'create_table' && create.table.name, '${name}_audit');
  // A `$` that is SQL's own (dollar bodies, $1, names with $) leaves an ordinary file ordinary.
  assert.equal(psqlScript('CREATE FUNCTION f(a$b int) RETURNS int AS $x$ SELECT $1 $x$ LANGUAGE sql;'), undefined);
});
