/**
 * A small PostgreSQL lexer. libpg_query gives no locations for names inside constraints, column lists or
 * DROP / RENAME targets, so their ranges are found by walking these tokens from the enclosing node's start.
 * It also splits a file into statements when the whole-file parse fails (statement-level recovery).
 * Never throws: an unterminated quote or comment runs to the end of the text.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'dollar' | 'param' | 'op';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Words folded to lower case, quoted identifiers unescaped, other tokens as written. */
  value: string;
}

const isWordStart = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Tokenizes text[from, to), skipping whitespace and comments. */
export function tokenize(text: string, from = 0, to = text.length, max = Infinity): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to && tokens.length < max) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i++;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if (c === 45 && next === 45) {
      // -- comment
      const nl = text.indexOf('\n', i);
      i = nl < 0 || nl > to ? to : nl + 1;
      continue;
    }
    if (c === 47 && next === 42) {
      i = skipBlockComment(text, i, to);
      continue;
    }
    const start = i;
    if (c === 39 || ((c === 69 || c === 101) && next === 39)) {
      // 'string' or E'string'
      const escapes = c !== 39;
      i = skipString(text, escapes ? i + 1 : i, to, escapes);
      tokens.push({ kind: 'string', start, end: i, value: text.slice(start, i) });
      continue;
    }
    if ((c === 85 || c === 117) && next === 38 && (text.charCodeAt(i + 2) === 39 || text.charCodeAt(i + 2) === 34)) {
      // U&'...' or U&"..."
      const q = text.charCodeAt(i + 2);
      i = q === 39 ? skipString(text, i + 2, to, false) : skipQuoted(text, i + 2, to);
      tokens.push({ kind: q === 39 ? 'string' : 'quoted', start, end: i, value: text.slice(start + 3, i - 1) });
      continue;
    }
    if (((c === 66 || c === 98 || c === 88 || c === 120 || c === 78 || c === 110) && next === 39)) {
      i = skipString(text, i + 1, to, false);
      tokens.push({ kind: 'string', start, end: i, value: text.slice(start, i) });
      continue;
    }
    if (c === 34) {
      i = skipQuoted(text, i, to);
      const inner = text.slice(start + 1, text.charCodeAt(i - 1) === 34 && i - 1 > start ? i - 1 : i);
      tokens.push({ kind: 'quoted', start, end: i, value: inner.replace(/""/g, '"') });
      continue;
    }
    if (c === 36) {
      // $1 parameter or $tag$ dollar quote
      if (isDigit(next)) {
        i++;
        while (i < to && isDigit(text.charCodeAt(i))) i++;
        tokens.push({ kind: 'param', start, end: i, value: text.slice(start, i) });
        continue;
      }
      let j = i + 1;
      while (j < to && isWordPart(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
      if (text.charCodeAt(j) === 36) {
        const tag = text.slice(i, j + 1);
        const close = text.indexOf(tag, j + 1);
        i = close < 0 || close + tag.length > to ? to : close + tag.length;
        tokens.push({ kind: 'dollar', start, end: i, value: text.slice(start, i) });
        continue;
      }
      i++;
      tokens.push({ kind: 'op', start, end: i, value: '$' });
      continue;
    }
    if (isWordStart(c)) {
      i++;
      while (i < to && isWordPart(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', start, end: i, value: text.slice(start, i).toLowerCase() });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(next))) {
      i++;
      while (i < to && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 46 || text.charCodeAt(i) === 95)) i++;
      if (i < to && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) {
        i++;
        if (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45) i++;
        while (i < to && isDigit(text.charCodeAt(i))) i++;
      }
      tokens.push({ kind: 'number', start, end: i, value: text.slice(start, i) });
      continue;
    }
    if (c === 58 && next === 58) {
      i += 2;
      tokens.push({ kind: 'op', start, end: i, value: '::' });
      continue;
    }
    i++;
    if (c >= 0xd800 && c <= 0xdbff) i++;
    tokens.push({ kind: 'op', start, end: i, value: text.slice(start, i) });
  }
  return tokens;
}

/** The end of the (nested) block comment starting at i; `to` when it is not closed. */
export function skipBlockComment(text: string, i: number, to: number): number {
  let depth = 0;
  while (i < to) {
    if (text.charCodeAt(i) === 47 && text.charCodeAt(i + 1) === 42) {
      depth++;
      i += 2;
    } else if (text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return to;
}

/** The end of the string literal whose opening quote is at i (`''` inside; backslash escapes for E'...'); `to` when not closed. */
export function skipString(text: string, i: number, to: number, backslashEscapes: boolean): number {
  i++; // opening quote
  while (i < to) {
    const c = text.charCodeAt(i);
    if (backslashEscapes && c === 92) {
      i += 2;
      continue;
    }
    if (c === 39) {
      if (text.charCodeAt(i + 1) === 39) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return to;
}

/** The end of the quoted name starting at i (`""` inside); `to` when not closed. */
export function skipQuoted(text: string, i: number, to: number): number {
  i++;
  while (i < to) {
    if (text.charCodeAt(i) === 34) {
      if (text.charCodeAt(i + 1) === 34) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return to;
}

/** Is the token the identifier `name` (a word, or a quoted identifier spelled exactly so)? */
export function isName(t: Token | undefined, name: string): boolean {
  return !!t && (t.kind === 'word' || t.kind === 'quoted') && t.value === name;
}

export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return !!t && t.kind === 'word' && words.includes(t.value);
}

export function isOp(t: Token | undefined, op: string): boolean {
  return !!t && t.kind === 'op' && t.value === op;
}

/**
 * Splits text into statements on `;` outside quotes, comments, parentheses and `BEGIN ATOMIC ... END`
 * bodies. Returns [start, end) ranges, each without the terminating semicolon, trimmed of blank space;
 * ranges holding only comments are dropped.
 */
export function splitStatements(text: string): { start: number; end: number }[] {
  const tokens = tokenize(text);
  const out: { start: number; end: number }[] = [];
  let first = -1;
  let depth = 0;
  let atomic = 0;
  let last = -1;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'op') {
      if (t.value === '(') depth++;
      else if (t.value === ')') depth = Math.max(0, depth - 1);
      else if (t.value === ';' && depth === 0 && atomic === 0) {
        if (first >= 0) out.push({ start: first, end: last });
        first = -1;
        continue;
      }
    } else if (t.kind === 'word') {
      if (atomic > 0) {
        if (t.value === 'case' || (t.value === 'begin' && !isWord(tokens[k + 1], 'transaction', 'work', 'isolation'))) atomic++;
        else if (t.value === 'end') atomic--;
      } else if (t.value === 'atomic' && isWord(tokens[k - 1], 'begin')) atomic = 1;
    }
    if (first < 0) first = t.start;
    last = t.end;
  }
  if (first >= 0) out.push({ start: first, end: last });
  return out;
}

/** Is text[from, to) only whitespace and complete comments (no comment left open at `to`)? */
export function isClosedTrivia(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) i++;
    else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= to) return nl < 0 && to === text.length;
      i = nl + 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = skipBlockComment(text, i, text.length);
      if (end > to || (end === text.length && !text.endsWith('*/'))) return false;
      i = end;
    } else return false;
  }
  return true;
}
