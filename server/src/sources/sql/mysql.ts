/**
 * MySQL / MariaDB files. node-sql-parser (its MySQL build only) decides whether each DDL statement is
 * valid MySQL; a statement it rejects gets one diagnostic at the parser's position and is left out of the
 * model, while the rest of the file still counts. The events themselves come from the statement's tokens
 * (ddlStatements.ts), because the parser gives locations for column references only.
 */
import type { Parser } from 'node-sql-parser/build/mysql';
import type { SchemaEvent, SourceFile, SourceProblem } from '../events';
import { LineIndex } from '../text';
import { isOp, isWord, type Token } from './lexer';
import { splitDialectStatements } from './dialectLexer';
import { ddlStatementEvents } from './ddlStatements';
import { splitTopLevel } from './ddlTokens';

let parser: Parser | undefined;

export function readMysql(path: string, text: string): SourceFile {
  const events: SchemaEvent[] = [];
  const problems: SourceProblem[] = [];
  const statements = splitDialectStatements(text, 'mysql');
  for (const st of statements) {
    const span = { start: st.start, end: st.end };
    if (!isModelStatement(st.tokens)) {
      ddlStatementEvents({ text, dialect: 'mysql', tokens: st.tokens, span }, events, problems);
      continue;
    }
    const rejected = checkSyntax(text, st.tokens);
    if (rejected) {
      problems.push(rejected);
      continue;
    }
    ddlStatementEvents({ text, dialect: 'mysql', tokens: st.tokens, span }, events, problems);
  }
  return { path, dialect: 'mysql', statementCount: statements.length, statements: statements.map((s) => ({ start: s.start, end: s.end })), events, problems, lines: new LineIndex(text) };
}

/** Statements whose meaning reaches the model, so their syntax is checked. */
function isModelStatement(t: Token[]): boolean {
  if (isWord(t[0], 'create')) {
    let i = 1;
    if (isWord(t[i], 'temporary')) return false;
    if (isWord(t[i], 'unique', 'fulltext', 'spatial')) i++;
    return isWord(t[i], 'table', 'index');
  }
  if (isWord(t[0], 'alter')) return isWord(t[1], 'table') || isWord(t[2], 'table');
  if (isWord(t[0], 'drop')) return isWord(t[1], 'table', 'index') || (isWord(t[1], 'temporary') && isWord(t[2], 'table'));
  if (isWord(t[0], 'rename')) return isWord(t[1], 'table');
  return false;
}

/**
 * Commands node-sql-parser 5.4 does not know although MySQL accepts them; they are read from tokens only.
 * (`ALTER [COLUMN] c SET/DROP DEFAULT`, `RENAME INDEX|KEY a TO b`.)
 */
function parserLacks(t: Token[], a: number): boolean {
  return (isWord(t[a], 'alter') && !isWord(t[a + 1], 'table')) || (isWord(t[a], 'rename') && isWord(t[a + 1], 'index', 'key'));
}

/**
 * Parses the statement; an ALTER TABLE is parsed command by command (so a command the parser lacks does not
 * hide the others). Returns the diagnostic when the parser rejects it.
 */
function checkSyntax(text: string, t: Token[]): SourceProblem | undefined {
  // Loaded on the first MySQL statement only: PostgreSQL-only projects never pay for it (see scripts/build.mjs).
  parser ??= new (require('node-sql-parser/build/mysql') as typeof import('node-sql-parser/build/mysql')).Parser();
  const masked = maskParserGaps(text, t);
  const start = t[0].start;
  const end = t[t.length - 1].end;
  if (isWord(t[0], 'alter')) {
    const tableAt = isWord(t[1], 'table') ? 2 : 3;
    const head = masked.slice(start, t[tableAt].end);
    const commandsFrom = isOp(t[tableAt + 1], '.') ? tableAt + 3 : tableAt + 1;
    for (const [a, b] of splitTopLevel(t, commandsFrom, t.length)) {
      if (parserLacks(t, a)) continue;
      const body = masked.slice(t[a].start, t[b - 1].end);
      const problem = tryParse(head + ' ' + body, (offset) => (offset <= head.length ? start + offset : t[a].start + offset - head.length - 1), start, end);
      if (problem) return problem;
    }
    return undefined;
  }
  return tryParse(masked.slice(start, end), (offset) => start + offset, start, end);
}

function tryParse(sql: string, toFile: (offset: number) => number, start: number, end: number): SourceProblem | undefined {
  try {
    parser!.astify(sql, { database: 'mysql' });
    return undefined;
  } catch (error) {
    const e = error as { message?: string; location?: { start?: { offset?: number }; end?: { offset?: number } } };
    const at = e.location?.start?.offset;
    const found = /but (.+) found\.?$/.exec(e.message ?? '')?.[1];
    const spanStart = at === undefined ? start : Math.min(end, Math.max(start, toFile(at)));
    const spanEnd = Math.min(end, Math.max(spanStart + 1, e.location?.end?.offset !== undefined ? toFile(e.location.end.offset) : spanStart + 1));
    return {
      severity: 'error',
      code: 'syntax-error',
      message: `MySQL syntax error${found ? ` at ${found}` : ''}: this statement is left out of the model. (${shorten(e.message ?? String(error))})`,
      span: { start: spanStart, end: spanEnd },
    };
  }
}

function shorten(message: string): string {
  return message.length > 300 ? message.slice(0, 297) + '...' : message;
}

/**
 * Same-length rewrites of valid MySQL that node-sql-parser 5.4 rejects, so offsets stay valid: the type
 * `BOOL` (a synonym of `BOOLEAN`) and the column attribute `BINARY` after a type.
 */
function maskParserGaps(text: string, t: Token[]): string {
  let out: string | undefined;
  const replace = (tok: Token, by: string) => {
    out ??= text;
    out = out.slice(0, tok.start) + by + out.slice(tok.end);
  };
  for (let i = 0; i < t.length; i++) {
    if (t[i].kind !== 'word') continue;
    if (t[i].value === 'bool') replace(t[i], 'BIT ');
    else if (t[i].value === 'binary' && isOp(t[i - 1], ')')) replace(t[i], '      ');
  }
  return out ?? text;
}
