/**
 * Diagnostics: every problem the model knows about (a reader's problems for each source file, and each
 * history's replay problems), grouped per file and converted to line/character ranges.
 * Pure and editor-neutral: the language server turns the result into LSP diagnostics, the CLI could print it.
 */
import type { WorkspaceModel } from '../workspace/workspace';
import { LineIndex, type LineCol, type Span } from '../sources/text';
import { prismaFindings } from '../analysis/prisma';

export type DiagnosticSeverityName = 'error' | 'warning' | 'info' | 'hint';

export interface FileDiagnostic {
  range: { start: LineCol; end: LineCol };
  severity: DiagnosticSeverityName;
  code: string;
  message: string;
}

/** The shape shared by source problems and replay problems. */
interface ProblemLike {
  span: Span;
  severity: string;
  code: string;
  message: string;
}

export interface DiagnosticsOptions {
  /**
   * At most this many diagnostics per file (a binary or generated file can yield thousands of syntax
   * errors, which only slows the editor down). The last kept one then says how many were left out.
   */
  maxPerFile?: number;
}

export const DEFAULT_MAX_DIAGNOSTICS_PER_FILE = 200;

/**
 * Diagnostics of every file that has at least one problem, keyed by workspace-relative path.
 * `textOf` gives a file's current text, to convert offsets (the reader's line index is reused when it indexes
 * that same text). Problems of a file whose text is unknown are placed at its start.
 */
export function computeDiagnostics(
  model: WorkspaceModel,
  textOf: (path: string) => string | undefined,
  options: DiagnosticsOptions = {},
): Map<string, FileDiagnostic[]> {
  const maxPerFile = Math.max(1, options.maxPerFile ?? DEFAULT_MAX_DIAGNOSTICS_PER_FILE);
  const problems = new Map<string, ProblemLike[]>();
  const add = (file: string, problem: ProblemLike) => {
    let list = problems.get(file);
    if (!list) problems.set(file, (list = []));
    list.push(problem);
  };

  for (const [path, source] of model.sources) {
    for (const problem of source.problems ?? []) add(path, problem);
  }
  for (const history of model.histories) {
    for (const problem of history.problems ?? []) add(problem.file, problem);
  }
  for (const history of model.companions ?? []) {
    for (const problem of history.problems ?? []) add(problem.file, problem);
  }
  for (const finding of prismaFindings(model)) {
    add(finding.file, { span: finding.span, severity: finding.severity, code: finding.rule, message: finding.message });
  }

  const result = new Map<string, FileDiagnostic[]>();
  for (const [file, list] of problems) {
    // Reuse the reader's line index when it indexes exactly the current text; otherwise build one.
    const text = textOf(file);
    const read = model.sources.get(file)?.lines;
    const index = read && (text === undefined || read.text === text) ? read : new LineIndex(text ?? '');
    const length = index.text.length;
    const unique = dedupe(list.map((p) => ({ ...p, span: clampSpan(p.span, length) })));
    unique.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    let kept = unique;
    if (unique.length > maxPerFile) {
      kept = unique.slice(0, maxPerFile);
      const last = kept[maxPerFile - 1];
      const omitted = unique.length - maxPerFile + 1;
      kept[maxPerFile - 1] = {
        span: last.span,
        severity: 'info',
        code: 'too-many-problems',
        message: `${omitted} more problems in this file are not shown.`,
      };
    }
    result.set(
      file,
      kept.map((p) => ({
        range: { start: index.position(p.span.start), end: index.position(p.span.end) },
        severity: severityName(p.severity),
        code: p.code,
        message: p.message,
      })),
    );
  }
  return result;
}

function severityName(severity: string): DiagnosticSeverityName {
  switch (severity) {
    case 'error':
    case 'warning':
    case 'info':
    case 'hint':
      return severity;
    case 'information':
      return 'info';
    default:
      return 'warning';
  }
}

/** Keeps a span inside the text (a stale or bogus offset must not produce an invalid range). */
function clampSpan(span: Span, length: number): Span {
  const fix = (n: number) => (Number.isFinite(n) ? Math.min(Math.max(0, Math.trunc(n)), length) : 0);
  const start = fix(span?.start);
  const end = fix(span?.end);
  return end >= start ? { start, end } : { start, end: start };
}

/** The same problem reported twice (by the reader and again by the replay) is shown once. */
function dedupe(list: ProblemLike[]): ProblemLike[] {
  const seen = new Set<string>();
  const out: ProblemLike[] = [];
  for (const p of list) {
    const key = `${p.span.start}:${p.span.end}:${p.code}:${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}
