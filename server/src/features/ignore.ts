/**
 * "Ignore this finding on this line / in this file": the suppression comments analysis/suppressions.ts reads,
 * written in the file's own comment syntax (`--` in SQL, `//` in JS / TS migrations and Prisma schemas), as
 * `FixPlan`s so the server turns them into code actions like any fix. Pure.
 *
 * The line comment goes on its own line above the finding's first line, indented like it (what
 * `eslint-disable-next-line` does). Where that line starts inside a string (SQL in a JS template literal, a
 * `DO $$ ... $$` body), it goes where the comment still counts: inside the template as an SQL `--` comment, above
 * the statement that holds the dollar-quoted body.
 */
import { parseJs, type t } from '../sources/js/parse';
import { tokenize } from '../sources/sql/lexer';
import { tokenize as tokenizeRuby } from '../sources/ruby/lexer';
import type { SourceFile } from '../sources/events';
import type { WorkspaceModel } from '../workspace/workspace';
import type { FixPlan } from './fixes';
import { statementAt } from './target';

export type CommentStyle = '--' | '//' | '#';

const JS_FILE = /\.[cm]?[jt]s$/i;

/** How a line comment starts in this file. */
export function commentStyleOf(file: string): CommentStyle {
  if (/\.rb$/i.test(file)) return '#';
  return JS_FILE.test(file) || /\.prisma$/i.test(file) ? '//' : '--';
}

/** The two suppression fixes of a finding of `rule` starting at `start` in `file`. */
export function ignoreFixes(model: WorkspaceModel, file: string, text: string, rule: string, start: number): FixPlan[] {
  const fixes: FixPlan[] = [];
  const line = lineComment(model.sources.get(file), file, text, start);
  if (line) {
    fixes.push({ title: `Ignore ${rule} on this line`, rule, preferred: false, edits: [{ file, span: { start: line.at, end: line.at }, newText: `${line.indent}${line.style} fklens-ignore ${rule}\n` }], creates: [] });
  }
  const head = fileHead(text);
  fixes.push({ title: `Ignore ${rule} in this file`, rule, preferred: false, edits: [{ file, span: { start: head, end: head }, newText: `${commentStyleOf(file)} fklens-ignore-file ${rule}\n` }], creates: [] });
  return fixes;
}

/** Where a file-wide comment goes: the first line, after a `#!` line. */
function fileHead(text: string): number {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.startsWith('#!', at)) {
    const nl = text.indexOf('\n', at);
    at = nl < 0 ? text.length : nl + 1;
  }
  return at;
}

const lineStartOf = (text: string, offset: number) => text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
const indentAt = (text: string, lineStart: number) => /^[ \t]*/.exec(text.slice(lineStart))![0];

interface LinePlacement {
  at: number;
  indent: string;
  style: CommentStyle;
}

function lineComment(source: SourceFile | undefined, file: string, text: string, start: number): LinePlacement | undefined {
  const lineStart = lineStartOf(text, Math.min(start, text.length));
  const here = { at: lineStart, indent: indentAt(text, lineStart) };
  if (JS_FILE.test(file)) {
    const literal = jsLiteralAround(file, text, lineStart);
    if (!literal) return { ...here, style: '//' };
    // SQL inside a template literal: an SQL comment there is part of the SQL the reader reads.
    return literal.type === 'TemplateLiteral' ? { ...here, style: '--' } : undefined;
  }
  if (/\.prisma$/i.test(file)) return { ...here, style: '//' };
  if (/\.rb$/i.test(file)) {
    // A Rails schema: a `#` comment, unless the line is inside a string (an `execute` heredoc): then none.
    const inString = tokenizeRuby(text).some((tok) => tok.kind === 'string' && tok.start < lineStart && lineStart < tok.end);
    return inString ? undefined : { ...here, style: '#' };
  }
  const inside = tokenize(text).find((tok) => tok.start < lineStart && lineStart < tok.end);
  if (!inside) return { ...here, style: '--' };
  // A line inside a string or dollar-quoted body: above the whole statement, which the comment then covers.
  const statement = source && statementAt(source, start);
  if (!statement || statement.start > inside.start) return undefined;
  const statementLine = lineStartOf(text, statement.start);
  if (tokenize(text).some((tok) => tok.start < statementLine && statementLine < tok.end)) return undefined;
  return { at: statementLine, indent: indentAt(text, statementLine), style: '--' };
}

/** The string or template literal of a JS / TS file that spans `offset` (a line start inside it). */
function jsLiteralAround(file: string, text: string, offset: number): { type: 'TemplateLiteral' | 'StringLiteral' } | undefined {
  const parsed = parseJs(file, text);
  if (!parsed.ok) return undefined;
  let found: { type: 'TemplateLiteral' | 'StringLiteral' } | undefined;
  const visit = (node: t.Node) => {
    if (found || node.start == null || node.end == null || !(node.start < offset && offset < node.end)) return;
    if (node.type === 'TemplateLiteral' || node.type === 'StringLiteral') {
      found = { type: node.type };
      if (node.type === 'StringLiteral') return;
    }
    for (const key of Object.keys(node) as (keyof t.Node)[]) {
      if (key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments' || key === 'loc') continue;
      const value = node[key] as unknown;
      if (Array.isArray(value)) for (const v of value) if (v && typeof v === 'object' && typeof (v as t.Node).type === 'string') visit(v as t.Node);
      if (value && typeof value === 'object' && typeof (value as t.Node).type === 'string') visit(value as t.Node);
    }
  };
  visit(parsed.program);
  return found;
}
