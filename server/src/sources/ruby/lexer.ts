/**
 * Ruby's lexical rules, as far as a Rails schema file (`db/schema.rb`) needs them: identifiers, constants,
 * symbols, labels (`key:`), numbers, strings with escapes and `#{}` interpolation, `%w[]` / `%i[]` / `%q()`
 * literals, heredocs (`<<~SQL`, `<<-SQL`, `<<SQL`, quoted terminators), `#` comments, `=begin` / `=end`,
 * `__END__`. Every string keeps a map from its value back to the file, so SQL inside it (an `execute` heredoc,
 * a `where:` predicate) is read with exact ranges. Never throws: what it cannot read is an `unknown` token.
 */
import type { Span } from '../text';

/** A run of a string's value: copied from the file (`exact`), or standing for a file range as a whole (an escape). */
export interface StringPiece {
  text: string;
  start: number;
  end: number;
  exact: boolean;
}

export type TokenKind =
  | 'ident' // lower-case identifier or keyword (`create_table`, `do`, `end`, `true`, `nil`), maybe ending in ? or !
  | 'const' // Capitalised identifier
  | 'label' // `key:` (a hash key or keyword argument); value = key
  | 'symbol' // `:name`, `:"name"`; value = name
  | 'string' // '...', "...", %q(), heredoc; value = the string's value
  | 'words' // %w[] / %i[]; words = the items
  | 'number'
  | 'punct'
  | 'newline'
  | 'unknown';

export interface Token {
  kind: TokenKind;
  /** Identifier / label / symbol name, punctuation text, the string's value, the number as written. */
  value: string;
  start: number;
  end: number;
  /** string: the value's pieces; a `#{}` part makes `interpolated` true and is left out. */
  pieces?: StringPiece[];
  interpolated?: boolean;
  /** words: each item with its range. */
  words?: { text: string; span: Span }[];
  /** `%i[]` (symbols) rather than `%w[]`. */
  symbols?: boolean;
  /** A space before the token (tells `f [1]`, `f -1` from `f[1]`, `f - 1`). */
  spaced?: boolean;
}

const IDENT_START = /[a-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_\u0080-\uffff]/;
const PUNCT3 = ['**=', '<=>', '===', '...', '<<=', '>>=', '&&=', '||=', '&.'];
const PUNCT2 = ['::', '=>', '->', '==', '!=', '>=', '<=', '&&', '||', '..', '<<', '>>', '+=', '-=', '*=', '/=', '**', '=~', '!~'];
const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };

interface PendingHeredoc {
  token: Token;
  terminator: string;
  squiggly: boolean;
  dash: boolean;
  raw: boolean;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  let pending: PendingHeredoc[] = [];
  let spaced = false;
  const push = (token: Token) => {
    token.spaced = spaced;
    spaced = false;
    tokens.push(token);
    return token;
  };
  const last = () => tokens[tokens.length - 1];
  /** Can a value start here (after an operator, a comma, an open bracket, a keyword) rather than an operator? */
  const valueExpected = () => {
    const t = last();
    if (!t || t.kind === 'newline' || t.kind === 'label') return true;
    if (t.kind === 'punct') return t.value !== ')' && t.value !== ']' && t.value !== '}';
    if (t.kind === 'ident') return t.spaced !== undefined && spaced; // `f -1`, `f :sym`: an argument
    return false;
  };
  const atLineStart = (at: number) => at === 0 || text[at - 1] === '\n';

  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      push({ kind: 'newline', value: '\n', start: i, end: i + 1 });
      i++;
      if (pending.length) {
        i = readHeredocBodies(text, i, pending);
        pending = [];
      }
      if (text.startsWith('=begin', i) && /[\s]/.test(text[i + 6] ?? '\n')) {
        const close = text.indexOf('\n=end', i);
        i = close < 0 ? n : (text.indexOf('\n', close + 5) + 1 || n);
      }
      if (text.startsWith('__END__', i) && /^(\r?\n|$)/.test(text.slice(i + 7, i + 9))) break;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      spaced = true;
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      // A line continued with a backslash: no newline token.
      i += text[i + 1] === '\n' ? 2 : 3;
      spaced = true;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (i === 0 && text.startsWith('=begin', 0)) {
      const close = text.indexOf('\n=end', 0);
      i = close < 0 ? n : (text.indexOf('\n', close + 5) + 1 || n);
      continue;
    }
    if (atLineStart(i) && text.startsWith('__END__', i) && /^(\r?\n|$)/.test(text.slice(i + 7, i + 9))) break;
    const start = i;
    // Identifiers, keywords, labels.
    if (IDENT_START.test(c) || (c >= 'A' && c <= 'Z')) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(text[j])) j++;
      if ((text[j] === '?' || text[j] === '!') && text[j + 1] !== '=') j++;
      const word = text.slice(i, j);
      if (text[j] === ':' && text[j + 1] !== ':') {
        push({ kind: 'label', value: word, start, end: j + 1 });
        i = j + 1;
        continue;
      }
      push({ kind: c >= 'A' && c <= 'Z' ? 'const' : 'ident', value: word, start, end: j });
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      const m = /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)r?i?/.exec(text.slice(i, i + 64));
      const len = m ? m[0].length : 1;
      push({ kind: 'number', value: text.slice(i, i + len).replace(/_/g, ''), start, end: i + len });
      i += len;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const s = readQuoted(text, i + 1, c, c, c !== "'");
      push({ kind: c === '`' ? 'unknown' : 'string', value: s.value, start, end: s.end, pieces: s.pieces, interpolated: s.interpolated });
      i = s.end;
      continue;
    }
    if (c === ':') {
      if (text[i + 1] === ':') {
        push({ kind: 'punct', value: '::', start, end: i + 2 });
        i += 2;
        continue;
      }
      if (text[i + 1] === '"' || text[i + 1] === "'") {
        const s = readQuoted(text, i + 2, text[i + 1], text[i + 1], text[i + 1] === '"');
        push({ kind: 'symbol', value: s.value, start, end: s.end, interpolated: s.interpolated });
        i = s.end;
        continue;
      }
      const m = /^:([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*[?!=]?|\[\]=?|[+\-*/%<>=!~^&|]+)/.exec(text.slice(i, i + 256));
      if (m) {
        push({ kind: 'symbol', value: m[1], start, end: i + m[0].length });
        i += m[0].length;
        continue;
      }
      push({ kind: 'punct', value: ':', start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '%' && valueExpected()) {
      const m = /^%([qQwWiI]?)([^\sA-Za-z0-9])/.exec(text.slice(i, i + 3));
      if (m) {
        const open = m[2];
        const close = PAIRS[open] ?? open;
        const type = m[1];
        const bodyStart = i + m[0].length;
        if (type === 'w' || type === 'W' || type === 'i' || type === 'I') {
          const end = findClose(text, bodyStart, open, close);
          const words: { text: string; span: Span }[] = [];
          const re = /\S+/g;
          const body = text.slice(bodyStart, end);
          for (let w = re.exec(body); w; w = re.exec(body)) words.push({ text: w[0], span: { start: bodyStart + w.index, end: bodyStart + w.index + w[0].length } });
          push({ kind: 'words', value: '', start, end: Math.min(n, end + 1), words, symbols: type === 'i' || type === 'I', interpolated: (type === 'W' || type === 'I') && body.includes('#{') });
          i = Math.min(n, end + 1);
          continue;
        }
        const s = readQuoted(text, bodyStart, open, close, type !== 'q');
        push({ kind: 'string', value: s.value, start, end: s.end, pieces: s.pieces, interpolated: s.interpolated });
        i = s.end;
        continue;
      }
    }
    if (c === '<' && text[i + 1] === '<' && valueExpected()) {
      const m = /^<<([~-]?)(?:([A-Za-z_][A-Za-z0-9_]*)|'([^'\n]+)'|"([^"\n]+)")/.exec(text.slice(i, i + 256));
      if (m) {
        const token = push({ kind: 'string', value: '', start, end: i + m[0].length, pieces: [] });
        pending.push({ token, terminator: m[2] ?? m[3] ?? m[4], squiggly: m[1] === '~', dash: m[1] === '-', raw: m[3] !== undefined });
        i += m[0].length;
        continue;
      }
    }
    if (c === '?' && /[A-Za-z0-9_]/.test(text[i + 1] ?? '') && !IDENT_PART.test(text[i + 2] ?? '') && valueExpected()) {
      // A character literal (`?a`).
      push({ kind: 'string', value: text[i + 1], start, end: i + 2, pieces: [{ text: text[i + 1], start: i + 1, end: i + 2, exact: true }] });
      i += 2;
      continue;
    }
    const three = text.slice(i, i + 3);
    const two = text.slice(i, i + 2);
    const p = PUNCT3.find((x) => three.startsWith(x)) ?? PUNCT2.find((x) => two === x);
    if (p) {
      push({ kind: 'punct', value: p, start, end: i + p.length });
      i += p.length;
      continue;
    }
    if ('()[]{},.;|=+-*/%<>!&^~?@$'.includes(c)) {
      if ((c === '@' || c === '$') && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
        let j = i + 1;
        while (j < n && IDENT_PART.test(text[j])) j++;
        push({ kind: 'unknown', value: text.slice(i, j), start, end: j });
        i = j;
        continue;
      }
      push({ kind: c === ';' ? 'newline' : 'punct', value: c, start, end: i + 1 });
      i++;
      continue;
    }
    push({ kind: 'unknown', value: c, start, end: i + 1 });
    i++;
  }
  if (pending.length) readHeredocBodies(text, n, pending);
  return tokens;
}

/** The offset of the unnested `close` from `at` (or the end of the text). */
function findClose(text: string, at: number, open: string, close: string): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === close && depth === 0) return i;
    if (open !== close && c === open) depth++;
    else if (open !== close && c === close) depth--;
  }
  return text.length;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', s: ' ', e: '\x1b', a: '\x07', b: '\b', f: '\f', v: '\v' };

/**
 * A quoted literal's value from `at` (just after the opening delimiter) to its close. Double-quoted rules
 * (`interpolating`): escapes, `#{}`; single-quoted: only `\\` and `\<close>`.
 */
function readQuoted(text: string, at: number, open: string, close: string, interpolating: boolean): { value: string; end: number; pieces: StringPiece[]; interpolated: boolean } {
  const pieces: StringPiece[] = [];
  let value = '';
  let interpolated = false;
  let runStart = at;
  let depth = 0;
  const flush = (to: number) => {
    if (to > runStart) {
      pieces.push({ text: text.slice(runStart, to), start: runStart, end: to, exact: true });
      value += text.slice(runStart, to);
    }
  };
  let i = at;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      flush(i);
      const next = text[i + 1] ?? '';
      let out: string;
      let len = 2;
      if (!interpolating) out = next === '\\' || next === close || next === open ? next : '\\' + next;
      else if (next in ESCAPES) out = ESCAPES[next];
      else if (next === 'u') {
        const m = /^u(?:\{([0-9a-fA-F ]+)\}|([0-9a-fA-F]{4}))/.exec(text.slice(i + 1, i + 40));
        out = m ? (m[1] ?? m[2]).trim().split(/\s+/).map((h) => String.fromCodePoint(parseInt(h, 16))).join('') : 'u';
        len = m ? 1 + m[0].length : 2;
      } else if (next === 'x') {
        const m = /^x([0-9a-fA-F]{1,2})/.exec(text.slice(i + 1, i + 4));
        out = m ? String.fromCharCode(parseInt(m[1], 16)) : 'x';
        len = m ? 1 + m[0].length : 2;
      } else if (next === '\n') out = '';
      else out = next;
      if (out) pieces.push({ text: out, start: i, end: i + len, exact: false });
      value += out;
      i += len;
      runStart = i;
      continue;
    }
    if (interpolating && c === '#' && text[i + 1] === '{') {
      flush(i);
      interpolated = true;
      i = findClose(text, i + 2, '{', '}') + 1;
      runStart = i;
      continue;
    }
    if (c === close && depth === 0) {
      flush(i);
      return { value, end: i + 1, pieces, interpolated };
    }
    if (open !== close && c === open) depth++;
    else if (open !== close && c === close) depth--;
    i++;
  }
  flush(text.length);
  return { value, end: text.length, pieces, interpolated };
}

/** Reads the bodies of the heredocs started on the line that ended at `at`; returns the offset after them. */
function readHeredocBodies(text: string, at: number, pending: PendingHeredoc[]): number {
  let i = at;
  for (const h of pending) {
    const lines: { start: number; end: number }[] = [];
    let bodyEnd = text.length;
    let after = text.length;
    while (i < text.length) {
      let eol = text.indexOf('\n', i);
      if (eol < 0) eol = text.length;
      const line = text.slice(i, eol).replace(/\r$/, '');
      const candidate = h.squiggly || h.dash ? line.trim() : line;
      if (candidate === h.terminator) {
        bodyEnd = i;
        after = Math.min(text.length, eol + 1);
        break;
      }
      lines.push({ start: i, end: Math.min(text.length, eol + 1) });
      i = eol + 1;
    }
    if (bodyEnd === text.length) after = text.length;
    i = after;
    // `<<~`: the least indentation of the non-blank lines is removed from every line.
    let indent = 0;
    if (h.squiggly) {
      const widths = lines.map((l) => text.slice(l.start, l.end)).filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
      indent = widths.length ? Math.min(...widths) : 0;
    }
    const token = h.token;
    const pieces: StringPiece[] = [];
    let value = '';
    let interpolated = false;
    for (const l of lines) {
      const lineText = text.slice(l.start, l.end);
      const strip = Math.min(indent, /^[ \t]*/.exec(lineText)![0].length);
      if (h.raw) {
        pieces.push({ text: lineText.slice(strip), start: l.start + strip, end: l.end, exact: true });
        value += lineText.slice(strip);
        continue;
      }
      const s = readQuoted(text.slice(0, l.end), l.start + strip, '\u0000', '\u0000', true);
      pieces.push(...s.pieces);
      value += s.value;
      interpolated ||= s.interpolated;
    }
    token.value = value;
    token.pieces = pieces;
    token.interpolated = interpolated;
    token.end = Math.max(token.end, bodyEnd);
  }
  return i;
}
