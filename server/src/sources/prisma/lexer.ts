/**
 * Tokenizer for the Prisma Schema Language. Newlines are tokens: a field, an enum value and a
 * `key = value` line each end at one, which is what lets the parser recover line by line.
 * `//` and `///` comments run to the end of the line, block comments (slash-star ... star-slash) to their
 * end; both are dropped (a block comment's newlines too: it stands for a space).
 */
import type { Span } from '../text';

export type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'newline' | 'eof' | 'invalid';

export interface Token extends Span {
  kind: TokenKind;
  /** Identifier name, punctuation (`@@`, `@`, `{`, ...), a string's unescaped value, a number's text. */
  value: string;
}

export interface LexProblem {
  span: Span;
  message: string;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', ',', ':', '=', '?', '.', '!']);

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57) || c === 45;
const isDigit = (c: number) => c >= 48 && c <= 57;

export function tokenize(text: string): { tokens: Token[]; problems: LexProblem[] } {
  const tokens: Token[] = [];
  const problems: LexProblem[] = [];
  const n = text.length;
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, value: string) => tokens.push({ kind, start, end, value });
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      push('newline', i, i + 1, '\n');
      i++;
    } else if (c === 32 || c === 9 || c === 13 || c === 0xfeff) {
      i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        problems.push({ span: { start: i, end: i + 2 }, message: 'This comment is not closed: a `*/` is missing.' });
        i = n;
      } else i = end + 2;
    } else if (c === 34) {
      i = readString(text, i, push, problems);
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      push('ident', start, i, text.slice(start, i));
    } else if (isDigit(c) || (c === 45 && isDigit(text.charCodeAt(i + 1)))) {
      const start = i++;
      while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      push('number', start, i, text.slice(start, i));
    } else if (c === 64) {
      const two = text.charCodeAt(i + 1) === 64;
      push('punct', i, i + (two ? 2 : 1), two ? '@@' : '@');
      i += two ? 2 : 1;
    } else if (PUNCT.has(text[i])) {
      push('punct', i, i + 1, text[i]);
      i++;
    } else {
      const start = i;
      const width = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      i += width;
      push('invalid', start, i, text.slice(start, i));
    }
  }
  push('eof', n, n, '');
  return { tokens, problems };
}

function readString(
  text: string,
  start: number,
  push: (kind: TokenKind, start: number, end: number, value: string) => void,
  problems: LexProblem[],
): number {
  let i = start + 1;
  let value = '';
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      push('string', start, i + 1, value);
      return i + 1;
    }
    if (c === '\n') break;
    if (c === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
      const e = text[i + 1];
      value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  problems.push({ span: { start, end: i }, message: 'This string is not closed: a `"` is missing before the end of the line.' });
  push('string', start, i, value);
  return i;
}
