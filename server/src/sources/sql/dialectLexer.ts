/**
 * A lexer and statement splitter for MySQL and SQLite text. Their quoting differs from PostgreSQL's:
 * MySQL has `backtick` identifiers, "double-quoted" strings (default sql_mode), backslash escapes and `#`
 * comments; SQLite accepts "x", `x` and [x] as identifiers. Tokens use the PostgreSQL lexer's shape, so the
 * `isWord` / `isOp` / `isName` helpers work on both. Never throws: an unterminated quote or comment runs to
 * the end of the text.
 */
import type { Token } from './lexer';

export type SqlDialect = 'mysql' | 'sqlite';

const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordPart = (c: number) => isWordStart(c) || isDigit(c) || c === 36;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** Tokenizes text[from, to), skipping whitespace and comments. */
export function tokenizeDialect(text: string, dialect: SqlDialect, from = 0, to = text.length): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const comment = commentEnd(text, i, to, dialect);
    if (comment > i) {
      i = comment;
      continue;
    }
    const start = i;
    const next = text.charCodeAt(i + 1);
    if (c === 39 || (c === 34 && dialect === 'mysql')) {
      i = skipQuote(text, i, to, c, dialect === 'mysql');
      tokens.push({ kind: 'string', start, end: i, value: text.slice(start, i) });
      continue;
    }
    if ((c === 88 || c === 120 || c === 66 || c === 98 || c === 78 || c === 110) && next === 39) {
      // X'..', B'..', N'..'
      i = skipQuote(text, i + 1, to, 39, dialect === 'mysql');
      tokens.push({ kind: 'string', start, end: i, value: text.slice(start, i) });
      continue;
    }
    if (c === 96 || c === 34) {
      i = skipQuote(text, i, to, c, false);
      const closed = i - start >= 2 && text.charCodeAt(i - 1) === c;
      const inner = text.slice(start + 1, closed ? i - 1 : i);
      const q = String.fromCharCode(c);
      tokens.push({ kind: 'quoted', start, end: i, value: inner.split(q + q).join(q) });
      continue;
    }
    if (c === 91 && dialect === 'sqlite') {
      const close = text.indexOf(']', i + 1);
      i = close < 0 || close >= to ? to : close + 1;
      tokens.push({ kind: 'quoted', start, end: i, value: text.slice(start + 1, close < 0 || close >= to ? to : close) });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(next))) {
      i++;
      while (i < to && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      if (i < to && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69) && (isDigit(text.charCodeAt(i + 1)) || text.charCodeAt(i + 1) === 45 || text.charCodeAt(i + 1) === 43)) {
        i += 2;
        while (i < to && isDigit(text.charCodeAt(i))) i++;
      }
      // MySQL identifiers may start with digits (`1abc`): keep such a run as one word.
      if (i < to && isWordStart(text.charCodeAt(i))) {
        while (i < to && isWordPart(text.charCodeAt(i))) i++;
        tokens.push({ kind: 'word', start, end: i, value: text.slice(start, i).toLowerCase() });
      } else tokens.push({ kind: 'number', start, end: i, value: text.slice(start, i) });
      continue;
    }
    if (isWordStart(c)) {
      i++;
      while (i < to && isWordPart(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', start, end: i, value: text.slice(start, i).toLowerCase() });
      continue;
    }
    i++;
    if (c >= 0xd800 && c <= 0xdbff) i++;
    tokens.push({ kind: 'op', start, end: i, value: text.slice(start, i) });
  }
  return tokens;
}

/** End of the comment starting at i, or i when none starts there. MySQL's `/*! ... *\/` counts as a comment. */
function commentEnd(text: string, i: number, to: number, dialect: SqlDialect): number {
  const c = text.charCodeAt(i);
  const next = text.charCodeAt(i + 1);
  // MySQL needs a space after `--`; SQLite does not.
  const dashes = c === 45 && next === 45 && (dialect === 'sqlite' || i + 2 >= to || isSpace(text.charCodeAt(i + 2)));
  if (dashes || (c === 35 && dialect === 'mysql')) {
    const nl = text.indexOf('\n', i);
    return nl < 0 || nl >= to ? to : nl + 1;
  }
  if (c === 47 && next === 42) {
    const close = text.indexOf('*/', i + 2);
    return close < 0 || close + 2 > to ? to : close + 2;
  }
  return i;
}

function skipQuote(text: string, i: number, to: number, quote: number, backslashEscapes: boolean): number {
  i++;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (backslashEscapes && c === 92) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return to;
}

export interface SplitStatement {
  start: number;
  end: number;
  tokens: Token[];
}

/**
 * Splits text into statements, each with its tokens. Ends a statement at `;` outside parentheses, or at the
 * current MySQL client `DELIMITER`; `DELIMITER` lines themselves are client commands, never statements.
 * `CREATE TRIGGER / PROCEDURE / FUNCTION ... BEGIN ... END` bodies stay whole.
 */
export function splitDialectStatements(text: string, dialect: SqlDialect, all = tokenizeDialect(text, dialect)): SplitStatement[] {
  const out: SplitStatement[] = [];
  let delimiter = ';';
  let current: Token[] = [];
  let depth = 0;
  let body = 0; // BEGIN ... END nesting inside a trigger / routine
  let routine = false;
  const flush = () => {
    if (current.length) out.push({ start: current[0].start, end: current[current.length - 1].end, tokens: current });
    current = [];
    depth = 0;
    body = 0;
    routine = false;
  };
  for (let k = 0; k < all.length; k++) {
    const t = all[k];
    if (dialect === 'mysql' && current.length === 0 && t.kind === 'word' && t.value === 'delimiter' && startsLine(text, t.start)) {
      const lineEnd = text.indexOf('\n', t.end);
      const stop = lineEnd < 0 ? text.length : lineEnd;
      const value = text.slice(t.end, stop).trim().split(/\s+/)[0];
      if (value) delimiter = value;
      while (k + 1 < all.length && all[k + 1].start < stop) k++;
      continue;
    }
    if (delimiter !== ';') {
      if (text.startsWith(delimiter, t.start)) {
        const covered = t.start + delimiter.length;
        while (k + 1 < all.length && all[k + 1].start < covered) k++;
        flush();
        continue;
      }
      current.push(t);
      continue;
    }
    if (t.kind === 'op') {
      if (t.value === '(') depth++;
      else if (t.value === ')') depth = Math.max(0, depth - 1);
      else if (t.value === ';' && depth === 0 && body === 0) {
        flush();
        continue;
      }
    } else if (t.kind === 'word') {
      if (!routine && current.length >= 1 && current.length <= 8 && current[0].value === 'create' && ROUTINES.has(t.value)) routine = true;
      else if (routine) {
        if (t.value === 'begin' || (t.value === 'case' && body > 0)) body++;
        else if (t.value === 'end' && body > 0 && !isEndOfBlock(all[k + 1])) body--;
      }
    }
    current.push(t);
  }
  flush();
  return out;
}

const ROUTINES: ReadonlySet<string> = new Set(['trigger', 'procedure', 'function', 'event']);

/** `END IF`, `END LOOP`, `END WHILE`... close a control block, not a BEGIN. */
function isEndOfBlock(next: Token | undefined): boolean {
  return !!next && next.kind === 'word' && ['if', 'loop', 'while', 'repeat'].includes(next.value);
}

function startsLine(text: string, at: number): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
