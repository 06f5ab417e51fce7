/**
 * Diagnostics: what the rules report (analysis/analyze.ts: rule findings, the readers' and the replay's
 * problems, unused suppressions, all under one configuration), grouped per file and converted to
 * line/character ranges. Pure and editor-neutral: the language server turns the result into LSP diagnostics
 * (lsp/diagnostics.ts), the CLI prints the same findings.
 */
import type { WorkspaceModel } from '../workspace/workspace';
import { LineIndex, type LineCol, type Span } from '../sources/text';
import { analyze, type AnalysisConfig } from '../analysis/analyze';
import { fileLabel } from './labels';
import type { FindingTag, ForeignKeyRef, RelatedLocation } from '../analysis/rule';

export type DiagnosticSeverityName = 'error' | 'warning' | 'info' | 'hint';

export interface FileRange {
  start: LineCol;
  end: LineCol;
}

/**
 * What a quick-fix needs to act on a diagnostic (the LSP `data` field): the rule, and for a finding about one
 * foreign key, the key's identity (`fk.historyId` + `fk.tableId` + `fk.name` find it in the model).
 */
export interface DiagnosticData {
  rule: string;
  fk?: ForeignKeyRef;
}

export interface FileDiagnostic {
  range: FileRange;
  severity: DiagnosticSeverityName;
  /** The rule id. */
  code: string;
  message: string;
  /** `label`: how the file is named for people (its shortest unique path suffix, labels.ts). */
  related?: { file: string; label: string; range: FileRange; message: string }[];
  tags?: FindingTag[];
  data?: DiagnosticData;
}

/** The shape shared by findings and the synthetic `too-many-problems` entry. */
interface ProblemLike {
  span: Span;
  severity: string;
  code: string;
  message: string;
  related?: RelatedLocation[];
  tags?: FindingTag[];
  fk?: ForeignKeyRef;
}

export interface DiagnosticsOptions {
  /**
   * At most this many diagnostics per file (a binary or generated file can yield thousands of syntax
   * errors, which only slows the editor down). The last kept one then says how many were left out.
   */
  maxPerFile?: number;
  /** Severities, options, protected tables, checkFrom (defaults when left out). */
  config?: AnalysisConfig;
  /** Told about problems of the run itself (a rule that failed, a checkFrom that matched nothing). */
  onNote?: (note: string) => void;
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

  const analysis = analyze(model, options.config);
  for (const note of analysis.notes) options.onNote?.(note);
  for (const f of analysis.findings) {
    add(f.file, { span: f.span, severity: f.severity, code: f.rule, message: f.message, related: f.related, tags: f.tags, fk: f.fk });
  }
  const indexes = new Map<string, LineIndex>();
  const indexOf = (file: string): LineIndex => {
    let index = indexes.get(file);
    if (!index) {
      // Reuse the reader's line index when it indexes exactly the current text; otherwise build one.
      const text = textOf(file);
      const read = model.sources.get(file)?.lines;
      index = read && (text === undefined || read.text === text) ? read : new LineIndex(text ?? '');
      indexes.set(file, index);
    }
    return index;
  };
  const rangeOf = (index: LineIndex, span: Span): FileRange => {
    const clamped = clampSpan(span, index.text.length);
    return { start: index.position(clamped.start), end: index.position(clamped.end) };
  };

  const result = new Map<string, FileDiagnostic[]>();
  for (const [file, list] of problems) {
    const index = indexOf(file);
    const length = index.text.length;
    const clamped = list.map((p) => {
      const span = clampSpan(p.span, length);
      return span === p.span ? p : { ...p, span };
    });
    // Sorted first (stably), so that the same problem reported twice is in one run of equal spans.
    clamped.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    const unique = dedupe(clamped);
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
      kept.map((p) => {
        const d: FileDiagnostic = {
          range: { start: index.position(p.span.start), end: index.position(p.span.end) },
          severity: severityName(p.severity),
          code: p.code,
          message: p.message,
        };
        if (p.related?.length) d.related = p.related.map((r) => ({ file: r.file, label: fileLabel(model, r.file), range: rangeOf(indexOf(r.file), r.span), message: r.message }));
        if (p.tags?.length) d.tags = p.tags;
        if (p.code !== 'too-many-problems') d.data = p.fk ? { rule: p.code, fk: p.fk } : { rule: p.code };
        return d;
      }),
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

/** Keeps a span inside the text (a stale or bogus offset must not produce an invalid range); the same object when it is. */
function clampSpan(span: Span, length: number): Span {
  if (span && Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.start <= span.end && span.end <= length) return span;
  const fix = (n: number) => (Number.isFinite(n) ? Math.min(Math.max(0, Math.trunc(n)), length) : 0);
  const start = fix(span?.start);
  const end = fix(span?.end);
  return end >= start ? { start, end } : { start, end: start };
}

/**
 * The same problem reported twice (by the reader and again by the replay) is shown once. `list` is sorted by
 * span, so copies are in one run of equal spans; the first one is kept.
 */
function dedupe(list: ProblemLike[]): ProblemLike[] {
  const out: ProblemLike[] = [];
  let run = 0; // where the run of problems with the current span starts in `out`
  for (const p of list) {
    const last = out[out.length - 1];
    if (!last || last.span.start !== p.span.start || last.span.end !== p.span.end) run = out.length;
    let seen = false;
    for (let i = run; i < out.length && !seen; i++) seen = out[i].code === p.code && out[i].message === p.message;
    if (!seen) out.push(p);
  }
  return out;
}
