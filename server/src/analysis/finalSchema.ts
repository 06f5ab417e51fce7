/**
 * Findings judged on the final schema are reported at the FK's declaration, which may sit in a migration years
 * older than what made them true. This says so: "In the final schema, ..." and, as related information, the
 * later migrations that renamed the tables or columns of the FK, or dropped the index that served it.
 */
import type { HistoryModel, RenameFact } from '../model/replay';
import type { ForeignKey } from '../model/schema';
import type { RelatedLocation } from './rule';

export interface LaterChanges {
  /** Something about the FK changed after its declaration: the message should say "in the final schema". */
  changed: boolean;
  related: RelatedLocation[];
}

/** Renames after the FK's declaration of its table, its parent, or (the names of) their FK columns. */
export function renamesSince(history: HistoryModel, fk: ForeignKey): RenameFact[] {
  const later = history.renames.filter((r) => r.step > fk.step || (r.step === fk.step && r.location.file === fk.location.file && r.location.span.start > fk.location.span.start));
  const columns = new Map<number, Set<string>>([
    [fk.tableId, new Set(fk.columns)],
    [fk.refTableId, new Set(fk.refColumns)],
  ]);
  if (fk.tableId === fk.refTableId) columns.set(fk.tableId, new Set([...fk.columns, ...fk.refColumns]));
  const found: RenameFact[] = [];
  // Backwards, so a column renamed twice is followed to the name it had at the declaration.
  for (let i = later.length - 1; i >= 0; i--) {
    const r = later[i];
    const names = columns.get(r.tableId);
    if (!names) continue;
    if (r.kind === 'table') found.push(r);
    else if (names.has(r.to)) {
      names.add(r.from);
      found.push(r);
    }
  }
  return found.reverse();
}

/**
 * What changed about the FK after the migration that declared it: renames, and, with `indexes`, the drop of an
 * index that served it and that no other index replaced.
 */
export function laterChanges(history: HistoryModel, fk: ForeignKey, options: { indexes?: boolean } = {}): LaterChanges {
  const related: RelatedLocation[] = [];
  for (const r of renamesSince(history, fk)) {
    related.push({ file: r.location.file, span: r.location.span, message: `${r.kind === 'table' ? 'table' : 'column'} ${r.from} is renamed to ${r.to} here` });
  }
  if (options.indexes) {
    for (const loss of history.indexLosses) {
      if (loss.fk === fk) related.push({ file: loss.location.file, span: loss.location.span, message: `the index ${loss.index}, which served ${fk.name}, is dropped here` });
    }
  }
  return { changed: related.length > 0, related };
}

/** `In the final schema, no index ...` when `changed`, else `No index ...` (the sentence starts with an English word, not a name). */
export function lead(changed: boolean, sentence: string): string {
  if (!changed) return sentence;
  return `In the final schema, ${/^[A-Z][a-z]/.test(sentence) ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence}`;
}
