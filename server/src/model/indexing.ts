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

export function indexServes(index: Index, fk: ForeignKey): boolean {
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

/**
 * Why an index that involves the FK's columns still cannot serve the RI query, or undefined when it serves
 * it or does not involve them: its leading columns are not the FK's, a leading element is an expression, the
 * FK columns are only INCLUDEd, or it is partial with a predicate `fk = $1` does not imply.
 */
export function whyIndexCannotServe(index: Index, fk: ForeignKey): string | undefined {
  if (indexServes(index, fk)) return undefined;
  const n = fk.columns.length;
  const keys = index.columns;
  const inKeys = fk.columns.filter((c) => keys.includes(c));
  const inExpressions = fk.columns.filter((c) => index.expressionColumns?.includes(c));
  const included = fk.columns.filter((c) => index.include.includes(c) && !keys.includes(c));
  if (!inKeys.length && !inExpressions.length && !included.length) return undefined;
  const leading = keys.slice(0, n);
  const leadsWithFk = leading.length === n && leading.every((c) => c !== null && fk.columns.includes(c));
  if (leadsWithFk) {
    // Only the predicate is in the way.
    return `it is partial (WHERE ${index.where}), and the foreign-key check looks rows up by ${fk.columns.join(', ')} alone, which does not imply that predicate`;
  }
  if (inExpressions.length && !inKeys.length) return `it indexes an expression of ${inExpressions.join(', ')}, not the column${inExpressions.length > 1 ? 's' : ''} itself`;
  if (!inKeys.length && included.length) return `it holds ${included.join(', ')} only as INCLUDE column${included.length > 1 ? 's' : ''}, which an index search cannot use`;
  const first = keys[0];
  if (first === null) return `it starts with an expression, not with ${fk.columns.join(', ')}`;
  if (!fk.columns.includes(first)) return `it starts with ${first}, not with ${fk.columns.join(', ')}`;
  if (keys.length < n || inKeys.length < n) return `it covers only ${inKeys.join(', ')} of the foreign key's ${fk.columns.join(', ')}`;
  return `its leading columns are ${leading.map((c) => c ?? 'an expression').join(', ')}, not ${fk.columns.join(', ')}`;
}

