/**
 * Can PostgreSQL's referential-integrity query on the child table use an index? The query is
 * `SELECT 1 FROM child WHERE $1 = fk1 [AND $2 = fk2 ...] FOR KEY SHARE` (CASCADE / SET NULL use the
 * same WHERE), so an index serves it when its leading key columns are exactly the FK's columns, in any
 * order. A partial index serves it only when `fk = $1` implies its predicate: a conjunction of
 * `col IS NOT NULL` tests on FK columns does; anything else (`deleted_at IS NULL`) does not.
 */
import type { ForeignKey, Index, Table } from './schema';

export function indexesServing(fk: ForeignKey, child: Table): Index[] {
  const n = fk.columns.length;
  return child.indexes.filter((index) => {
    if (index.columns.length < n) return false;
    const leading = index.columns.slice(0, n);
    if (leading.some((c) => c === null)) return false;
    if (!fk.columns.every((c) => leading.includes(c))) return false;
    if (index.where === undefined) return true;
    return !!index.whereNotNullColumns && index.whereNotNullColumns.every((c) => fk.columns.includes(c));
  });
}
