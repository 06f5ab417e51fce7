/**
 * Entry point for SQL files: keeps only the part the migration tool runs going up, recognises the
 * dialect, then reads it (incrementally when the previous read of the same file is at hand).
 */
import type { Dialect, SourceFile, SourceProblem } from '../events';
import { LineIndex } from '../text';
import { upSection, type MigrationTool } from '../migrationFile';
import { rereadPostgres } from './incremental';
import { drain, readPostgresSteps } from './postgres';
import { psqlScript, type PsqlScript } from './psql';
import { mapSpans } from '../js/mappedSql';
import { readMysql } from './mysql';
import { readSqlite } from './sqlite';
import { isPrismaPath, readPrismaFile } from '../prisma/read';
import { isJsSource, readJsMigration } from '../js/read';
import { isRubySource, readRubyFile } from '../ruby/read';

/** `previous`: the last read of the same file; its `lines.text` is the exact text that read saw. */
export function readSqlFile(path: string, text: string, tool: MigrationTool, dialect?: Dialect, previous?: SourceFile, context?: string): SourceFile {
  return drain(readSqlFileSteps(path, text, tool, dialect, previous, context));
}

/** readSqlFile in steps (see readPostgresSteps): a full PostgreSQL read yields between chunks, other reads run in one step. `context`: what earlier files of the history pass on to a JS migration (node-pg-migrate's shorthands). */
export function* readSqlFileSteps(path: string, text: string, tool: MigrationTool, dialect?: Dialect, previous?: SourceFile, context?: string): Generator<void, SourceFile, void> {
  if (isPrismaPath(path)) return readPrismaFile(path, text);
  // JS / TS migrations: their reader turns the SQL the code would send into the same events.
  if (isJsSource(path)) return readJsMigration(path, text, dialect, context);
  // A Rails schema: read as the SQL Active Record sends for it.
  if (isRubySource(path)) return readRubyFile(path, text, dialect, tool);
  if (!looksLikeText(text)) return notText(path, text, dialect ?? 'postgres');
  const up = upSection(text, tool);
  const detected = dialect ?? sniffDialect(up);
  if (detected === 'mysql') return readMysql(path, up);
  if (detected === 'sqlite') return readSqlite(path, up);
  if (detected !== 'postgres') return unsupportedDialect(path, up, detected);
  // A psql script (meta-commands, :variables, COPY data): the SQL psql would send is read, mapped to the file.
  const script = psqlScript(up);
  if (script) return yield* readPsqlSteps(path, up, script);
  if (previous?.dialect === 'postgres' && !psqlScript(previous.lines.text)) return rereadPostgres(previous, previous.lines.text, path, up);
  return yield* readPostgresSteps(path, up);
}

/**
 * A psql script read as the SQL psql sends (sql/psql.ts): ranges moved back into the file, the script's own gaps
 * (unknown variables, includes ...) with the reader's problems, in file order.
 */
function* readPsqlSteps(path: string, text: string, script: PsqlScript): Generator<void, SourceFile, void> {
  const read = yield* readPostgresSteps(path, script.text);
  const map = script.mapped;
  const problems = [...script.problems, ...read.problems];
  if (map) {
    const seen = new Set<object>();
    for (const event of read.events) mapSpans(event, map, seen);
    for (const statement of read.statements) mapSpans(statement, map, seen);
    for (const problem of read.problems) mapSpans(problem, map, seen);
  }
  problems.sort((a, b) => a.span.start - b.span.start);
  return { ...read, problems, lines: new LineIndex(text) };
}

/**
 * The part of a file's head that is SQL syntax: comments and string literals may quote anything (a `backticked`
 * name in a comment, `COMMENT ON TABLE a IS 'ENGINE=InnoDB'`), so they are blanked before looking for evidence.
 */
function syntaxOf(text: string): string {
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  // A string is looked for within one line, with either engine's escapes (`''`, MySQL's `\'`): a quote read wrongly
  // then blanks at most the rest of its line, never the rest of the file.
  return head.replace(/\/\*[\s\S]*?(?:\*\/|$)|--[^\n]*|'(?:[^'\\\n]|\\.|'')*'/g, ' ');
}

/**
 * Is this text (not binary bytes decoded as UTF-8)? Control characters other than white space, and the
 * replacement character invalid UTF-8 turns into, are rare in text.
 */
export function looksLikeText(text: string): boolean {
  const sample = text.length > 65_536 ? text.slice(0, 65_536) : text;
  const odd = sample.match(/[\x00-\x08\x0e-\x1f\x7f\ufffd]/g)?.length ?? 0;
  return odd <= Math.max(2, sample.length * 0.01);
}

/** MySQL and SQLite files are recognised by what PostgreSQL would never accept. */
export function sniffDialect(text: string): Dialect {
  const head = syntaxOf(text);
  if (/\bENGINE\s*=\s*(?:Replicated|Shared)?(?:\w*MergeTree|Log|TinyLog|StripeLog|Kafka|Distributed)\b/i.test(head)) return 'clickhouse';
  if (/\bENGINE\s*=|\bAUTO_INCREMENT\b|`[^`\n]+`\s*\(|^\s*USE\s+`?\w+`?\s*;/im.test(head)) return 'mysql';
  if (/\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|^\s*PRAGMA\s|\bnew\.rowid\b|^\s*CREATE\s+TRIGGER\s[^;]*?\bON\s+\S+\s+(?:FOR\s+EACH\s+ROW\s+)?BEGIN\b/im.test(head)) return 'sqlite';
  return 'postgres';
}

/** Syntax only PostgreSQL accepts: a file with it is evidence that its history is PostgreSQL's. */
export function looksLikePostgres(text: string): boolean {
  const head = syntaxOf(text);
  return /::[a-z]|\$\$|\bJSONB\b|\bTIMESTAMPTZ\b|\b(?:BIG)?SERIAL\b|\bCREATE\s+EXTENSION\b|\bUSING\s+(?:btree|gin|gist|brin)\b/i.test(head);
}

/** A file left out of the model, with the one problem that says why. */
function leftOut(path: string, text: string, dialect: Dialect, problem: SourceProblem): SourceFile {
  return { path, dialect, statementCount: 0, statements: [], events: [], problems: [problem], lines: new LineIndex(text) };
}

/** A file of bytes that are not text: one problem of its own, nothing for the model. */
function notText(path: string, text: string, dialect: Dialect): SourceFile {
  return leftOut(path, text, dialect, {
    severity: 'error',
    code: 'syntax-error',
    message: 'This file is not text (it holds control characters or bytes that are not UTF-8); FK Lens cannot read it, and neither could the database.',
    span: { start: 0, end: 0 },
  });
}

/** How an engine is called in messages. */
export const ENGINE_NAMES: Record<Dialect, string> = { postgres: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite', cockroach: 'CockroachDB', clickhouse: 'ClickHouse', mssql: 'SQL Server' };

function unsupportedDialect(path: string, text: string, dialect: Dialect): SourceFile {
  const name = ENGINE_NAMES[dialect];
  return leftOut(path, text, dialect, {
    severity: 'info',
    code: 'unsupported',
    message: `This file looks like ${name}; FK Lens does not read this dialect yet, so it is left out of the model.`,
    span: { start: 0, end: Math.min(text.length, Math.max(0, text.indexOf('\n'))) },
  });
}
