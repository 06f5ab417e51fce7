/**
 * `-- fklens-ignore <rule-id>[,<rule-id>...] [reason]` and `-- fklens-ignore-file <rule-id>[,...] [reason]`.
 *
 * Which findings a comment covers:
 * - on its own line(s) above a statement: that whole statement;
 * - after the end of a statement, on the statement's last line: that whole statement;
 * - inside a statement (e.g. above or after a column of CREATE TABLE): findings that start on the comment's own
 *   line when code precedes it there, else on the next line holding code;
 * - `fklens-ignore-file`: every finding of the rule in the file.
 * JS / TS migrations and Prisma schemas also take `// fklens-ignore ...` (their own line comments): on its own
 * line it covers the next line holding code, after code the line it is on (like `eslint-disable-next-line` /
 * `eslint-disable-line`). `--` comments in JS / TS are SQL comments inside the migration's SQL strings and cover
 * lines the same way.
 * A suppression that covers no finding of a rule that ran is reported as `unused-suppression`.
 */
import { tokenize } from '../sources/sql/lexer';
import { tokenize as tokenizeRuby } from '../sources/ruby/lexer';
import type { SourceFile } from '../sources/events';
import type { LineIndex, Span } from '../sources/text';

export interface Suppression {
  file: string;
  rule: string;
  /** Range of the rule id in the comment. */
  span: Span;
  reason?: string;
  scope: 'file' | 'range';
  /** Findings starting inside this range are covered (scope 'range'). */
  covers: Span;
  used: boolean;
}

const COMMENT = /--[ \t]*fklens-ignore(-file)?(?=[\s]|$)([^\n]*)/g;
const SLASH_COMMENT = /\/\/[ \t]*fklens-ignore(-file)?(?=[\s]|$)([^\n]*)/g;
/** Files whose own line comments start with `//`; JS / TS ones. */
const SLASH_FILES = /\.(?:[cm]?[jt]s|prisma)$/i;
const JS_FILES = /\.[cm]?[jt]s$/i;
const HASH_COMMENT = /#[ \t]*fklens-ignore(-file)?(?=[\s]|$)([^\n]*)/g;
/** Rails schema files: Ruby's `#` comments; an SQL `--` comment only inside `execute` SQL, by line as in JS. */
const RUBY_FILES = /\.rb$/i;

/** Parsed once per read of a file (a SourceFile is immutable); each run gets fresh copies to mark as used. */
const cache = new WeakMap<SourceFile, Suppression[]>();

export function findSuppressions(source: SourceFile): Suppression[] {
  let found = cache.get(source);
  if (!found) cache.set(source, (found = parseSuppressions(source)));
  return found.map((s) => ({ ...s, used: false }));
}

function parseSuppressions(source: SourceFile): Suppression[] {
  const text = source.lines?.text;
  if (!text || !text.includes('fklens-ignore')) return [];
  const found: Suppression[] = [];
  let tokens: ReturnType<typeof tokenize> | undefined;
  for (const match of text.matchAll(COMMENT)) {
    const at = match.index ?? 0;
    tokens ??= tokenize(text);
    if (insideToken(tokens, at)) continue; // inside a string or quoted name, not a comment
    const fileScope = !!match[1];
    // In JS / TS migrations an SQL comment sits in an SQL string, whose statements the file's do not match: by line.
    const covers = fileScope ? { start: 0, end: text.length } : JS_FILES.test(source.path) || RUBY_FILES.test(source.path) ? lineCoverage(source.lines, at, '--') : coverage(source, source.lines, at);
    found.push(...suppressionsOf(source, match, covers, fileScope));
  }
  if (SLASH_FILES.test(source.path)) {
    for (const match of text.matchAll(SLASH_COMMENT)) {
      const at = match.index ?? 0;
      if (insideQuotes(text, at)) continue;
      const fileScope = !!match[1];
      found.push(...suppressionsOf(source, match, fileScope ? { start: 0, end: text.length } : lineCoverage(source.lines, at, '//'), fileScope));
    }
  }
  if (RUBY_FILES.test(source.path)) {
    let strings: { start: number; end: number }[] | undefined;
    for (const match of text.matchAll(HASH_COMMENT)) {
      const at = match.index ?? 0;
      strings ??= tokenizeRuby(text).filter((t) => t.kind === 'string' || t.kind === 'symbol' || t.kind === 'words');
      if (insideToken(strings, at)) continue; // `"#..."` or a heredoc line, not a comment
      const fileScope = !!match[1];
      found.push(...suppressionsOf(source, match, fileScope ? { start: 0, end: text.length } : lineCoverage(source.lines, at, '#'), fileScope));
    }
  }
  return found;
}

/** One suppression per rule id of a matched comment. */
function suppressionsOf(source: SourceFile, match: RegExpMatchArray, covers: Span, fileScope: boolean): Suppression[] {
  const at = match.index ?? 0;
  const rest = match[2];
  const restStart = at + match[0].length - rest.length;
  const idsMatch = /^\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)/.exec(rest);
  if (!idsMatch) return [];
  const reason = rest.slice(idsMatch[0].length).trim() || undefined;
  const out: Suppression[] = [];
  let offset = restStart + (idsMatch[0].length - idsMatch[1].length);
  for (const part of idsMatch[1].split(',')) {
    const lead = part.length - part.trimStart().length;
    const rule = part.trim();
    const start = offset + lead;
    out.push({ file: source.path, rule, span: { start, end: start + rule.length }, reason, scope: fileScope ? 'file' : 'range', covers, used: false });
    offset += part.length + 1;
  }
  return out;
}

/** A `//` after an odd number of quotes of one kind on its line is inside a string (`'http://...'`). */
function insideQuotes(text: string, at: number): boolean {
  const before = text.slice(text.lastIndexOf('\n', at - 1) + 1, at).replace(/\\./g, '');
  return ['"', "'", '`'].some((q) => before.split(q).length % 2 === 0);
}

/** Line comments of JS / TS / Prisma files: after code, their own line; on a line of their own, the next line holding code. */
function lineCoverage(lines: LineIndex, at: number, comment: '--' | '//' | '#'): Span {
  const line = lines.position(at).line;
  const lineStart = lines.offset({ line, character: 0 });
  if (lines.text.slice(lineStart, at).trim() !== '') return lineSpan(lines, line);
  return lineSpan(lines, nextCodeLine(lines, line, comment));
}

function insideToken(tokens: { start: number; end: number }[], offset: number): boolean {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid];
    if (offset < t.start) hi = mid - 1;
    else if (offset >= t.end) lo = mid + 1;
    else return true;
  }
  return false;
}

function coverage(source: SourceFile, lines: LineIndex, at: number): Span {
  const text = lines.text;
  const line = lines.position(at).line;
  const lineStart = lines.offset({ line, character: 0 });
  const codeBefore = text.slice(lineStart, at).trim() !== '';
  const statements = source.statements;
  const containing = statements.find((s) => s.start < at && at < s.end);
  if (containing) {
    const target = codeBefore ? line : nextCodeLine(lines, line);
    return lineSpan(lines, target);
  }
  if (codeBefore) {
    // At the end of a statement: the one that ends on this line before the comment.
    const ended = [...statements].reverse().find((s) => s.end <= at && lines.position(s.end).line === line);
    if (ended) return { start: ended.start, end: ended.end };
    return lineSpan(lines, line);
  }
  const next = statements.find((s) => s.start > at);
  if (next) return { start: next.start, end: next.end };
  return lineSpan(lines, nextCodeLine(lines, line));
}

/** The next line after `line` that holds something other than blanks and line comments. */
function nextCodeLine(lines: LineIndex, line: number, comment = '--'): number {
  for (let l = line + 1; l < lines.lineCount; l++) {
    const span = lineSpan(lines, l);
    const content = lines.text.slice(span.start, span.end).trim();
    if (content && !content.startsWith(comment)) return l;
  }
  return line + 1;
}

function lineSpan(lines: LineIndex, line: number): Span {
  const start = lines.offset({ line, character: 0 });
  const end = line + 1 < lines.lineCount ? lines.offset({ line: line + 1, character: 0 }) - 1 : lines.text.length;
  return { start, end: Math.max(start, end) };
}
