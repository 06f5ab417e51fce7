/**
 * Entry point for SQL files: keeps only the part the migration tool runs going up, recognises the
 * dialect, then reads it (incrementally when the previous read of the same file is at hand).
 */
import type { Dialect, SourceFile } from '../events';
import { LineIndex } from '../text';
import { upSection, type MigrationTool } from '../migrationFile';
import { rereadPostgres } from './incremental';
import { drain, readPostgresSteps } from './postgres';
import { readMysql } from './mysql';
import { readSqlite } from './sqlite';
import { isPrismaPath, readPrismaFile } from '../prisma/read';
import { isJsSource, readJsMigration } from '../js/read';

/** `previous`: the last read of the same file; its `lines.text` is the exact text that read saw. */
export function readSqlFile(path: string, text: string, tool: MigrationTool, dialect?: Dialect, previous?: SourceFile): SourceFile {
  return drain(readSqlFileSteps(path, text, tool, dialect, previous));
}

/** readSqlFile in steps (see readPostgresSteps): a full PostgreSQL read yields between chunks, other reads run in one step. */
export function* readSqlFileSteps(path: string, text: string, tool: MigrationTool, dialect?: Dialect, previous?: SourceFile): Generator<void, SourceFile, void> {
  if (isPrismaPath(path)) return readPrismaFile(path, text);
  // JS / TS migrations: their reader turns the SQL the code would send into the same events.
  if (isJsSource(path)) return readJsMigration(path, text, dialect);
  const up = upSection(text, tool);
  const detected = dialect ?? sniffDialect(up);
  if (detected === 'mysql') return readMysql(path, up);
  if (detected === 'sqlite') return readSqlite(path, up);
  if (detected !== 'postgres') return unsupportedDialect(path, up, detected);
  if (previous?.dialect === 'postgres') return rereadPostgres(previous, previous.lines.text, path, up);
  return yield* readPostgresSteps(path, up);
}

/** MySQL and SQLite files are recognised by what PostgreSQL would never accept. */
export function sniffDialect(text: string): Dialect {
  // Comments may quote anything (a `backticked` name in a PostgreSQL migration's comment).
  const head = (text.length > 200_000 ? text.slice(0, 200_000) : text).replace(/\/\*[\s\S]*?\*\/|--[^\n]*/g, ' ');
  if (/\bENGINE\s*=|\bAUTO_INCREMENT\b|`[^`\n]+`\s*\(|^\s*USE\s+`?\w+`?\s*;/im.test(head)) return 'mysql';
  if (/\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|^\s*PRAGMA\s|\bnew\.rowid\b|^\s*CREATE\s+TRIGGER\s[^;]*?\bON\s+\S+\s+(?:FOR\s+EACH\s+ROW\s+)?BEGIN\b/im.test(head)) return 'sqlite';
  return 'postgres';
}

/** Syntax only PostgreSQL accepts: a file with it is evidence that its history is PostgreSQL's. */
export function looksLikePostgres(text: string): boolean {
  const head = (text.length > 200_000 ? text.slice(0, 200_000) : text).replace(/\/\*[\s\S]*?\*\/|--[^\n]*/g, ' ');
  return /::[a-z]|\$\$|\bJSONB\b|\bTIMESTAMPTZ\b|\b(?:BIG)?SERIAL\b|\bCREATE\s+EXTENSION\b|\bUSING\s+(?:btree|gin|gist|brin)\b/i.test(head);
}

function unsupportedDialect(path: string, text: string, dialect: Dialect): SourceFile {
  const name = dialect === 'cockroach' ? 'CockroachDB' : dialect;
  return {
    path,
    dialect,
    statementCount: 0,
    statements: [],
    events: [],
    problems: [
      {
        severity: 'info',
        code: 'unsupported',
        message: `This file looks like ${name}; FK Lens does not read this dialect yet, so it is left out of the model.`,
        span: { start: 0, end: Math.min(text.length, Math.max(0, text.indexOf('\n'))) },
      },
    ],
    lines: new LineIndex(text),
  };
}
