/**
 * Entry for Ruby files of a Rails app. `db/schema.rb` (and a multi-database app's `db/<name>_schema.rb`) is
 * what `bin/rails db:schema:load` loads: it is read statically (never run) as the SQL Active Record sends for it
 * (schemaRb.ts), with the PostgreSQL reader. Ruby migrations (`db/migrate/*.rb`) are not read: where the
 * schema file exists it is their result; alone they are a gap (`unsupported`).
 */
import type { Dialect, SourceFile, SourceProblem } from '../events';
import type { MigrationTool } from '../migrationFile';
import { LineIndex, type Span } from '../text';
import { readMappedSql } from '../js/mappedSql';
import { parseRuby } from './parser';
import { schemaSql } from './schemaRb';

/** `db/schema.rb`, `db/<name>_schema.rb` (a second database of the app). */
const SCHEMA_FILE = /(?:^|\/)db\/(?:[A-Za-z0-9_]+_)?schema\.rb$/;
/** `db/migrate/<version>_<name>.rb` (and a second database's `db/<name>_migrate/`). */
const MIGRATION_FILE = /(?:^|\/)db\/(?:[A-Za-z0-9_]+_)?migrate\/\d+_[^/]*\.rb$/;

export function isRailsSchemaPath(path: string): boolean {
  return SCHEMA_FILE.test(path);
}

export function isRailsMigrationPath(path: string): boolean {
  return MIGRATION_FILE.test(path);
}

/** The Ruby files FK Lens looks at: a Rails schema or migration. */
export function isRubySource(path: string): boolean {
  return isRailsSchemaPath(path) || isRailsMigrationPath(path);
}

/** `tool`: `rails` when Ruby migrations are beside the schema (it says once that they are not read). */
export function readRubyFile(path: string, text: string, dialect: Dialect = 'postgres', tool?: MigrationTool): SourceFile {
  const lines = new LineIndex(text);
  const firstLine: Span = { start: 0, end: Math.max(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')) };
  const leftOut = (problem: SourceProblem): SourceFile => ({ path, dialect, statementCount: 0, statements: [], events: [], problems: [problem], lines });
  if (!isRailsSchemaPath(path)) {
    return leftOut({
      severity: 'info',
      code: 'unsupported',
      message: 'FK Lens does not read Ruby migrations, and this Rails app has no db/schema.rb beside them (the schema Rails keeps as their result; `bin/rails db:schema:dump` writes it): its migrations are left out of the model.',
      span: firstLine,
    });
  }
  if (dialect !== 'postgres') {
    return leftOut({
      severity: 'info',
      code: 'unsupported',
      message: `This Rails app's database is ${dialect}; FK Lens reads a Rails schema for PostgreSQL only so far, so it is left out of the model.`,
      span: firstLine,
    });
  }
  let unit: ReturnType<typeof schemaSql>;
  try {
    unit = schemaSql(parseRuby(text), firstLine);
  } catch (e) {
    // A construct the reader does not handle (or nesting too deep for it) must not take the server down.
    return leftOut({ severity: 'warning', code: 'unsupported', message: `FK Lens could not read this schema: ${(e as Error).message}`, span: firstLine });
  }
  const read = readMappedSql(path, unit.sql);
  const problems = [...unit.problems, ...read.problems];
  if (tool === 'rails') {
    problems.push({
      severity: 'info',
      code: 'not-read',
      message: 'FK Lens reads this schema as the database (it is what `bin/rails db:schema:load` loads) and does not read the Ruby migrations beside it: this file is their result.',
      span: unit.defineSpan ?? firstLine,
    });
  }
  problems.sort((a, b) => a.span.start - b.span.start);
  return { path, dialect, statementCount: read.statements.length, statements: read.statements, events: read.events, problems, lines };
}
