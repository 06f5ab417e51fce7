/**
 * Entry for JS / TS migration files (knex, TypeORM, db-migrate, Sequelize, plain code running SQL strings):
 * parses the file, walks its `up`, and reads the SQL each call would send with the PostgreSQL reader, every
 * range mapped back into the file. The code never runs.
 */
import type { Dialect, SchemaEvent, SourceFile, SourceProblem } from '../events';
import { LineIndex, type Span } from '../text';
import { readMappedSql } from './mappedSql';
import { parseJs } from './parse';
import { walkMigration } from './walk';

/** Files a JS / TS migration tool loads (type declarations excluded). */
export const JS_MIGRATION_FILE = /\.(?:js|cjs|mjs|ts|cts|mts)$/i;

export function isJsSource(path: string): boolean {
  return JS_MIGRATION_FILE.test(path) && !/\.d\.[cm]?ts$/i.test(path);
}

/**
 * `dialect`: the history's engine when something says which (a knexfile's client, a folder named after an engine,
 * `fklens.dialects`); undefined: PostgreSQL by default. Then SQL that PostgreSQL's parser rejects may be another
 * engine's (the project never says), and is left out as `unsupported`, not reported as a syntax error.
 * `context`: what earlier files of the history pass on (node-pg-migrate's shorthands, workspace/jsMigrations.ts readContext).
 */
export function readJsMigration(path: string, text: string, given?: Dialect, context?: string): SourceFile {
  const dialect = given ?? 'postgres';
  const lines = new LineIndex(text);
  const file = (events: SchemaEvent[], statements: Span[], problems: SourceProblem[]): SourceFile => ({
    path, dialect, statementCount: statements.length, statements, events, problems, lines,
  });
  if (dialect !== 'postgres') {
    return file([], [], [{
      severity: 'info',
      code: 'unsupported',
      message: `This migration targets ${dialect}; FK Lens reads JS / TS migrations for PostgreSQL only so far, so it is left out of the model.`,
      span: { start: 0, end: 0 },
    }]);
  }
  const parsed = parseJs(path, text);
  if (!parsed.ok) return file([], [], [parsed.problem]);
  let walked: ReturnType<typeof walkMigration>;
  try {
    walked = walkMigration(parsed.program, dialect, context);
  } catch (e) {
    // A construct the walk does not handle (or nesting too deep for it) must not take the server down.
    return file([], [], [{ severity: 'warning', code: 'unsupported', message: `FK Lens could not read this migration: ${(e as Error).message}`, span: { start: 0, end: 0 } }]);
  }
  const events: SchemaEvent[] = [];
  const statements: Span[] = [];
  const problems: SourceProblem[] = [...walked.problems];
  for (const unit of walked.units) {
    try {
      const read = readMappedSql(path, unit);
      events.push(...read.events);
      statements.push(...read.statements);
      problems.push(...(given ? read.problems : read.problems.map(engineUnknown)));
    } catch (e) {
      problems.push({ severity: 'warning', code: 'unsupported', message: `FK Lens could not read this SQL: ${(e as Error).message}`, span: unit.mapSpan({ start: 0, end: unit.text.length }) });
    }
  }
  problems.sort((a, b) => a.span.start - b.span.start);
  return file(events, statements, problems);
}

/** A syntax error in SQL of a project whose engine nothing names: a gap, not an error (see readJsMigration). */
function engineUnknown(problem: SourceProblem): SourceProblem {
  if (problem.code !== 'syntax-error') return problem;
  return {
    ...problem,
    severity: 'info',
    code: 'unsupported',
    message:
      `${problem.message.replace(/\.?$/, '.')} Nothing FK Lens read says which database this project runs on (no knexfile \`client\`, ` +
      'no folder named after an engine), so this SQL may be written for another one; it is left out of the model. ' +
      'Set `dialects` in .fklens.json when the project is PostgreSQL\'s.',
  };
}
