/**
 * Partial histories: what FK Lens skipped while building a history's model. A statement a reader could not
 * read (`SourceProblem` codes `syntax-error`, `unsupported`), a statement on a table no file it read creates
 * (replay `unknown-table`) and a statement skipped on a guess about a run-time condition FK Lens could not decide
 * (replay `unsupported`, model/replay/conditions.ts) are *gaps*: the model may lack what they did. A history with a gap is *partial*.
 * Rules ask which gaps a finding's premise may rest on (`gapsBefore`, `gapsAfter`), and say so instead of
 * reporting an error; the CLI and the editor list the gaps per history.
 */
import type { HistoryModel } from './replay';
import type { Span } from '../sources/text';

export type GapCode = 'syntax-error' | 'unsupported' | 'unknown-table';

export interface Gap {
  code: GapCode;
  file: string;
  span: Span;
  /** The step (migration file) of the history the gap is in. */
  step: number;
  message: string;
  /** 1-based line of the gap, for messages. */
  line: number;
}

const SOURCE_GAPS = new Set<string>(['syntax-error', 'unsupported']);

const cache = new WeakMap<HistoryModel, Gap[]>();

/** Every gap of a history, in history order (step, then offset). */
export function historyGaps(history: HistoryModel): Gap[] {
  let gaps = cache.get(history);
  if (gaps) return gaps;
  gaps = [];
  const stepOf = new Map<string, number>();
  history.sources.forEach((source, step) => stepOf.set(source.path, step));
  const lineOf = (file: string, offset: number) => {
    const source = history.sources[stepOf.get(file) ?? -1];
    return source ? source.lines.position(Math.min(offset, source.lines.text.length)).line + 1 : 1;
  };
  history.sources.forEach((source, step) => {
    for (const p of source.problems ?? []) {
      if (!SOURCE_GAPS.has(p.code)) continue;
      gaps!.push({ code: p.code as GapCode, file: source.path, span: p.span, step, message: p.message, line: lineOf(source.path, p.span.start) });
    }
  });
  for (const p of history.problems ?? []) {
    if (p.code !== 'unknown-table' && p.code !== 'unsupported') continue;
    gaps.push({ code: p.code, file: p.file, span: p.span, step: p.step, message: p.message, line: lineOf(p.file, p.span.start) });
  }
  gaps.sort((a, b) => a.step - b.step || a.span.start - b.span.start);
  // A statement read several times (a JS loop over a constant list) is one gap.
  const seen = new Set<string>();
  gaps = gaps.filter((g) => {
    const key = `${g.code}\0${g.file}\0${g.span.start}\0${g.span.end}\0${g.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  cache.set(history, gaps);
  return gaps;
}

/** A point of a history: a step and an offset in its file. */
export interface HistoryPoint {
  step: number;
  offset: number;
}

const before = (g: Gap, p: HistoryPoint) => g.step < p.step || (g.step === p.step && g.span.start < p.offset);

/**
 * Gaps that may explain why something was *absent* at `point` (a table, a column, a key): a statement skipped
 * before it may have created it, and a statement on a table nothing read creates (anywhere in the history)
 * shows that tables exist which FK Lens never saw created.
 */
export function gapsBefore(history: HistoryModel, point: HistoryPoint): Gap[] {
  return historyGaps(history).filter((g) => g.code === 'unknown-table' || before(g, point));
}

/**
 * Gaps that may have changed, after `point`, what the final schema says about the tables FK Lens knows: a
 * skipped statement at or after it. (A statement on an unknown table changes none of the known ones.)
 */
export function gapsAfter(history: HistoryModel, point: HistoryPoint): Gap[] {
  return historyGaps(history).filter((g) => g.code !== 'unknown-table' && !before(g, point));
}

/** The step of a file in the history (-1 when it is not one of its files). */
export function stepOfFile(history: HistoryModel, file: string): number {
  return history.sources.findIndex((s) => s.path === file);
}

const WHAT: Record<GapCode, string> = {
  'syntax-error': 'a statement it could not parse',
  unsupported: 'something it could not read',
  'unknown-table': 'a statement on a table no file it read creates',
};

/** What follows "FK Lens skipped": `a statement it could not parse (db/0003.sql:12)`, `3 statements (first: ..., db/0003.sql:12)`. */
export function describeGaps(gaps: Gap[]): string {
  const first = gaps[0];
  const where = `${first.file}:${first.line}`;
  return gaps.length === 1 ? `${WHAT[first.code]} (${where})` : `${gaps.length} statements (first: ${WHAT[first.code]}, ${where})`;
}
