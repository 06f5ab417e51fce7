/**
 * Re-reading a file after an edit without parsing all of it again: the statements the edit touched are
 * parsed anew; events before them are kept, events after them are kept with their ranges moved.
 * Falls back to a full read whenever the edited region cannot be cut at statement boundaries.
 */
import type { SourceFile } from '../events';
import { LineIndex, type Span } from '../text';
import { isClosedTrivia, isOp, tokenize } from './lexer';
import { readPostgres, readRegion, sourceFile } from './postgres';

/** Below this size a full read is as cheap as the bookkeeping. */
const INCREMENTAL_MIN_LENGTH = 20_000;

export function rereadPostgres(previous: SourceFile, previousText: string, path: string, text: string): SourceFile {
  if (text.length < INCREMENTAL_MIN_LENGTH || previous.statements.length < 2) return readPostgres(path, text);
  const max = Math.min(text.length, previousText.length);
  let prefix = 0;
  while (prefix < max && text.charCodeAt(prefix) === previousText.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && text.charCodeAt(text.length - 1 - suffix) === previousText.charCodeAt(previousText.length - 1 - suffix)) suffix++;
  const delta = text.length - previousText.length;
  const changeEnd = previousText.length - suffix; // end of the changed range, in the old text

  // The region: from the end of the last statement wholly before the change (its `;` follows) to the
  // start of the first statement wholly after it.
  const statements = previous.statements;
  let first = 0;
  while (first < statements.length && statements[first].end < prefix) first++;
  let last = statements.length - 1;
  while (last >= 0 && statements[last].start > changeEnd) last--;
  const oldFrom = first > 0 ? statements[first - 1].end : 0;
  const oldTo = last + 1 < statements.length ? statements[last + 1].start : previousText.length;
  if (oldFrom > prefix || oldTo < changeEnd) return readPostgres(path, text);
  const from = oldFrom;
  const to = oldTo + delta;
  // The region must close on a `;` of its own (unless it runs to the end), or the edit may have opened a
  // quote or comment that reaches into the kept text.
  if (to < text.length) {
    const tokens = tokenize(text, from, to);
    const last = tokens[tokens.length - 1];
    if (!last || !isOp(last, ';') || (from > 0 && !isOp(tokens[0], ';')) || !isClosedTrivia(text, last.end, to)) return readPostgres(path, text);
  }
  const region = readRegion(text, from, to);
  const before = (s: Span) => s.start < oldFrom;
  const after = (s: Span) => s.start >= oldTo;
  const moved = new Map<object, unknown>();
  return sourceFile(
    path,
    {
      events: [
        ...previous.events.filter((e) => before(e.statement)),
        ...region.events,
        ...previous.events.filter((e) => after(e.statement)).map((e) => shifted(e, delta, moved)),
      ],
      statements: [...statements.filter(before), ...region.statements, ...statements.filter(after).map((s) => shifted(s, delta, moved))],
      problems: [
        ...previous.problems.filter((p) => before(p.span)),
        ...region.problems,
        ...previous.problems.filter((p) => after(p.span)).map((p) => shifted(p, delta, moved)),
      ],
    },
    new LineIndex(text),
  );
}

/** A copy of value with every range `{start, end}` moved by delta (shared ranges stay shared). */
function shifted<T>(value: T, delta: number, moved: Map<object, unknown>): T {
  if (value === null || typeof value !== 'object') return value;
  const done = moved.get(value as object);
  if (done) return done as T;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    moved.set(value, out);
    for (const item of value) out.push(shifted(item, delta, moved));
    return out as T;
  }
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  moved.set(value as object, out);
  const isSpan = typeof record.start === 'number' && typeof record.end === 'number' && Object.keys(record).length === 2;
  for (const key of Object.keys(record)) {
    const v = record[key];
    out[key] = isSpan ? (v as number) + delta : shifted(v, delta, moved);
  }
  return out as T;
}
