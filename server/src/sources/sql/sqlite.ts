/**
 * SQLite files. No MIT-compatible parser reads SQLite's DDL well enough (see shared/notes/parsers.md), and its
 * CREATE TABLE grammar is small, so statements are read from tokens (ddlStatements.ts). Trigger bodies stay
 * whole; everything that is not DDL is skipped.
 */
import type { SchemaEvent, SourceFile, SourceProblem } from '../events';
import { LineIndex } from '../text';
import { splitDialectStatements } from './dialectLexer';
import { ddlStatementEvents } from './ddlStatements';

export function readSqlite(path: string, text: string): SourceFile {
  const events: SchemaEvent[] = [];
  const problems: SourceProblem[] = [];
  const statements = splitDialectStatements(text, 'sqlite');
  for (const st of statements) {
    ddlStatementEvents({ text, dialect: 'sqlite', tokens: st.tokens, span: { start: st.start, end: st.end } }, events, problems);
  }
  return { path, dialect: 'sqlite', statementCount: statements.length, statements: statements.map((s) => ({ start: s.start, end: s.end })), events, problems, lines: new LineIndex(text) };
}
