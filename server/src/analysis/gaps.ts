/**
 * What a rule says when its finding may rest on something FK Lens skipped (model/partial.ts): the finding is
 * kept, below error, with a sentence that names the gap and related locations that point at it.
 */
import type { ForeignKey, SourceLocation } from '../model/schema';
import type { HistoryModel } from '../model/replay';
import { describeGaps, gapsAfter, gapsBefore, stepOfFile, type Gap, type HistoryPoint } from '../model/partial';
import { SEVERITY_RANK, type Finding, type RelatedLocation, type Severity } from './rule';

export interface Unsure {
  /** The severity to report instead of error. */
  severity: Severity;
  /** A sentence to append to the message. */
  note: string;
  related: RelatedLocation[];
}

const MAX_RELATED = 3;

function unsure(gaps: Gap[], severity: Severity, how: string): Unsure | undefined {
  if (!gaps.length) return undefined;
  return {
    severity,
    note: ` This history is partial: FK Lens skipped ${describeGaps(gaps)}, ${how}.`,
    related: gaps.slice(0, MAX_RELATED).map((g) => ({ file: g.file, span: g.span, message: `skipped by FK Lens: ${g.message}` })),
  };
}

/** For a finding that something did not exist at `point` (a table, a column, a key): gaps before it may have created it. */
export function unsureOfAbsence(history: HistoryModel, point: HistoryPoint, what: string): Unsure | undefined {
  return unsure(gapsBefore(history, point), 'info', `which may have created ${what}`);
}

/** For a finding about the final schema whose facts were established at `since`: gaps after it may have changed them. */
export function unsureOfFinalSchema(history: HistoryModel, since: HistoryPoint, severity: Severity = 'warning'): Unsure | undefined {
  return unsure(gapsAfter(history, since), severity, 'which may change this');
}

/** For a fact of the schema between `from` (exclusive of nothing before it) and `to`: gaps in between. */
export function unsureBetween(history: HistoryModel, from: HistoryPoint, to: HistoryPoint, what: string): Unsure | undefined {
  const gaps = gapsAfter(history, from).filter((g) => g.step < to.step || (g.step === to.step && g.span.start < to.offset));
  return unsure(gaps, 'info', `which may have created ${what}`);
}

/** The point of a location of the history (its step, its offset). */
export function pointOf(history: HistoryModel, location: SourceLocation): HistoryPoint {
  return { step: Math.max(0, stepOfFile(history, location.file)), offset: location.span.start };
}

export function fkPoint(fk: ForeignKey): HistoryPoint {
  return { step: fk.step, offset: fk.location.span.start };
}

/** The earliest of some points. */
export function earliest(...points: HistoryPoint[]): HistoryPoint {
  return points.reduce((a, b) => (b.step < a.step || (b.step === a.step && b.offset < a.offset) ? b : a));
}

/**
 * The finding as a partial history makes it: the lower of its grade (which the finding must set) and
 * `gaps.severity`, with the note and the gaps as related locations; `unsure` keeps a configured severity below error.
 */
export function withGaps(finding: Finding, gaps: Unsure | undefined): Finding {
  if (!gaps) return finding;
  const wasError = finding.severity === 'error';
  const lower = finding.severity && SEVERITY_RANK[finding.severity] < SEVERITY_RANK[gaps.severity] ? finding.severity : gaps.severity;
  return {
    ...finding,
    severity: lower,
    message: finding.message + gaps.note + (wasError ? ' So it is not reported as an error.' : ''),
    related: [...(finding.related ?? []), ...gaps.related],
    unsure: true,
  };
}
