/**
 * Entry point for SQL files: keeps only the part the migration tool runs going up, recognises the
 * dialect, then reads it (incrementally when the previous read of the same file is at hand).
 */
import type { Dialect, SourceFile } from '../events';
import { LineIndex } from '../text';
import { upSection, type MigrationTool } from '../../workspace/discovery';
import { rereadPostgres } from './incremental';
import { readPostgres } from './postgres';
import { isJsSource, readJsMigration } from '../js/read';

/** `previous`: the last read of the same file; its `lines.text` is the exact text that read saw. */
export function readSqlFile(path: string, text: string, tool: MigrationTool, dialect?: Dialect, previous?: SourceFile): SourceFile {
  // JS / TS migrations: their reader turns the SQL the code would send into the same events.
  if (isJsSource(path)) return readJsMigration(path, text, dialect);
  const up = upSection(text, tool);
  const detected = dialect ?? sniffDialect(up);
  if (detected !== 'postgres') return unsupportedDialect(path, up, detected);
  if (previous?.dialect === 'postgres') return rereadPostgres(previous, previous.lines.text, path, up);
  return readPostgres(path, up);
}

/** MySQL and SQLite files are recognised by what PostgreSQL would never accept. */
export function sniffDialect(text: string): Dialect {
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  if (/\bENGINE\s*=|\bAUTO_INCREMENT\b|`[^`\n]+`\s*\(|^\s*USE\s+`?\w+`?\s*;/im.test(head)) return 'mysql';
  if (/\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|^\s*PRAGMA\s/im.test(head)) return 'sqlite';
  return 'postgres';
}

function unsupportedDialect(path: string, text: string, dialect: Dialect): SourceFile {
  const name = dialect === 'mysql' ? 'MySQL' : 'SQLite';
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
        message: `This file looks like ${name}; FK Lens reads PostgreSQL only so far, so it is left out of the model.`,
        span: { start: 0, end: Math.min(text.length, Math.max(0, text.indexOf('\n'))) },
      },
    ],
    lines: new LineIndex(text),
  };
}
