/**
 * Can PostgreSQL's referential-integrity query on the child table use an index? The query is
 * `SELECT 1 FROM child WHERE $1 = fk1 [AND $2 = fk2 ...] FOR KEY SHARE` (CASCADE / SET NULL use the
 * same WHERE), so an index serves it when its leading key columns are exactly the FK's columns, in any
 * order. A partial index serves it only when `fk = $1` implies its predicate: a conjunction of
 * `col IS NOT NULL` tests on FK columns does; anything else (`deleted_at IS NULL`) does not.
 */
import type { ForeignKey, Index, Table } from './schema';

export function indexesServing(fk: ForeignKey, child: Table): Index[] {
  return child.indexes.filter((index) => indexServes(index, fk));
}

/** Whether some index of the child serves the FK (what `indexesServing(...).length` tells, without building the list). */
export function hasServingIndex(fk: ForeignKey, child: Table): boolean {
  for (const index of child.indexes) if (indexServes(index, fk)) return true;
  return false;
}

function indexServes(index: Index, fk: ForeignKey): boolean {
  const n = fk.columns.length;
  if (index.columns.length < n) return false;
  // The first n key columns: plain columns, and each FK column among them.
  for (let i = 0; i < n; i++) if (index.columns[i] === null) return false;
  for (const c of fk.columns) {
    let found = false;
    for (let i = 0; i < n && !found; i++) found = index.columns[i] === c;
    if (!found) return false;
  }
  if (index.where === undefined) return true;
  return !!index.whereNotNullColumns && index.whereNotNullColumns.every((c) => fk.columns.includes(c));
}
