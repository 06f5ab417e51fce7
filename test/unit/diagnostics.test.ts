import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { computeDiagnostics } from '../../server/src/features/diagnostics';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace, type WorkspaceModel } from '../../server/src/workspace/workspace';
import type { SourceFile, SourceProblem } from '../../server/src/sources/events';

before(async () => {
  await initPostgresParser();
});

function source(path: string, problems: SourceProblem[]): SourceFile {
  return { path, dialect: 'postgres', statementCount: 0, statements: [], events: [], problems } as unknown as SourceFile;
}

/** A model with hand-written problems: only the fields computeDiagnostics reads. */
function model(
  sources: SourceFile[],
  replayProblems: { file: string; span: { start: number; end: number }; severity: string; code: string; message: string }[] = [],
): WorkspaceModel {
  return {
    sources: new Map(sources.map((s) => [s.path, s])),
    histories: [{ problems: replayProblems }],
  } as unknown as WorkspaceModel;
}

test('a real workspace: a syntax error and a replay problem, each at its exact range', () => {
  const text = [
    'CREATE TABLE a (id int PRIMARY KEY);',
    'CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id) ON DELETE EXPLODE);',
    'ALTER TABLE nope ADD COLUMN x int;',
    '',
  ].join('\n');
  const ws = new Workspace({});
  ws.setFile('schema.sql', text);
  ws.setFile('clean.sql', 'CREATE TABLE c (id int PRIMARY KEY);\n');
  const result = computeDiagnostics(ws.model(), (p) => ws.text(p));

  assert.deepEqual([...result.keys()], ['schema.sql'], 'files without problems are left out');
  const list = result.get('schema.sql')!;
  const syntax = list.find((d) => d.code === 'syntax-error');
  assert.ok(syntax, JSON.stringify(list));
  const explode = text.split('\n')[1].indexOf('EXPLODE');
  assert.deepEqual(syntax.range, { start: { line: 1, character: explode }, end: { line: 1, character: explode + 7 } });
  assert.equal(syntax.severity, 'error');

  const unknown = list.find((d) => d.code === 'unknown-table');
  assert.ok(unknown, JSON.stringify(list));
  const nope = text.split('\n')[2].indexOf('nope');
  assert.deepEqual(unknown.range, { start: { line: 2, character: nope }, end: { line: 2, character: nope + 4 } });
  // Sorted by position.
  assert.deepEqual(
    list.map((d) => d.range.start.line),
    [...list.map((d) => d.range.start.line)].sort((x, y) => x - y),
  );
});

test('offsets are UTF-16 units, converted to line/character', () => {
  const text = 'SELECT 1;\n-- ünïcødé 😀\nCREATE TABLE 😀x (;\n';
  const start = text.indexOf('(;');
  const m = model([source('f.sql', [{ severity: 'error', code: 'syntax-error', message: 'bad', span: { start, end: start + 2 } }])]);
  const [d] = computeDiagnostics(m, () => text).get('f.sql')!;
  assert.deepEqual(d.range, { start: { line: 2, character: 17 }, end: { line: 2, character: 19 } });
});

test('the same problem from the reader and the replay is reported once; replay problems of other files are kept', () => {
  const p = { severity: 'warning' as const, code: 'unsupported' as const, message: 'm', span: { start: 0, end: 3 } };
  const m = model(
    [source('a.sql', [p])],
    [
      { file: 'a.sql', ...p },
      { file: 'b.sql', span: { start: 5, end: 7 }, severity: 'info', code: 'unknown-table', message: 'gone' },
    ],
  );
  const result = computeDiagnostics(m, (path) => (path === 'a.sql' ? 'abcdef' : 'xyz\nabc'));
  assert.equal(result.get('a.sql')!.length, 1);
  assert.deepEqual(result.get('b.sql'), [
    { range: { start: { line: 1, character: 1 }, end: { line: 1, character: 3 } }, severity: 'info', code: 'unknown-table', message: 'gone', data: { rule: 'unknown-table' } },
  ]);
});

test('spans outside the text are clamped; unknown severities become warnings', () => {
  const m = model([
    source('a.sql', [
      { severity: 'error', code: 'syntax-error', message: 'past the end', span: { start: 50, end: 90 } },
      { severity: 'bogus' as 'error', code: 'syntax-error', message: 'reversed', span: { start: 3, end: 1 } },
      { severity: 'info', code: 'unsupported', message: 'NaN', span: { start: Number.NaN, end: 2 } },
    ]),
  ]);
  const list = computeDiagnostics(m, () => 'ab\ncd').get('a.sql')!;
  const byMessage = new Map(list.map((d) => [d.message, d]));
  assert.deepEqual(byMessage.get('past the end')!.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 2 } });
  assert.deepEqual(byMessage.get('reversed')!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } });
  assert.equal(byMessage.get('reversed')!.severity, 'warning');
  assert.deepEqual(byMessage.get('NaN')!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 2 } });
});

test('a file with more problems than the cap ends with a summary diagnostic', () => {
  const text = 'x;'.repeat(50);
  const problems: SourceProblem[] = Array.from({ length: 50 }, (_, i) => ({
    severity: 'error',
    code: 'syntax-error',
    message: `problem ${i}`,
    span: { start: i * 2, end: i * 2 + 1 },
  }));
  const list = computeDiagnostics(model([source('big.sql', problems)]), () => text, { maxPerFile: 10 }).get('big.sql')!;
  assert.equal(list.length, 10);
  assert.equal(list[8].message, 'problem 8');
  assert.equal(list[9].code, 'too-many-problems');
  assert.match(list[9].message, /^41 more problems/);
});

test('a file whose text is unknown gets its problems at the start', () => {
  const m = model([source('gone.sql', [{ severity: 'error', code: 'syntax-error', message: 'x', span: { start: 10, end: 20 } }])]);
  const [d] = computeDiagnostics(m, () => undefined).get('gone.sql')!;
  assert.deepEqual(d.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
});

test('a syntax error after a good first statement is placed on its own line', () => {
  const text = 'CREATE TABLE t1 (id int PRIMARY KEY);\nCREATE TABLE t2 (id int PRIMARY KEY,, name text);\n';
  const ws = new Workspace({});
  ws.setFile('a.sql', text);
  const [d] = computeDiagnostics(ws.model(), (p) => ws.text(p)).get('a.sql')!;
  assert.equal(d.code, 'syntax-error');
  assert.deepEqual(d.range, { start: { line: 1, character: 36 }, end: { line: 1, character: 37 } });
});

test("a migration tool's own table (golang-migrate's schema_migrations, as in harbor) is not an unknown table; elsewhere it is", () => {
  const problemsOf = (files: Record<string, string>) => {
    const ws = new Workspace({});
    for (const [path, text] of Object.entries(files)) ws.setFile(path, text);
    return ws.model().histories.flatMap((h) => h.problems).map((p) => `${p.code} ${p.file}`);
  };
  const touch = 'ALTER TABLE schema_migrations ADD COLUMN data_version int;\nALTER TABLE goose_db_version ADD COLUMN x int;\n';
  const golang = problemsOf({ 'db/migrations/0001_a.up.sql': 'CREATE TABLE a (id int PRIMARY KEY);\n', 'db/migrations/0002_b.up.sql': touch });
  // goose's table is not golang-migrate's: still unknown.
  assert.deepEqual(golang, ['unknown-table db/migrations/0002_b.up.sql']);
  assert.deepEqual(problemsOf({ 'schema.sql': touch }), ['unknown-table schema.sql', 'unknown-table schema.sql']);
});
