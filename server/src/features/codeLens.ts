/**
 * Code lenses over CREATE TABLE: "referenced by 4 FKs · DELETE cascades to 7 tables · blocked by 1", with
 * the references the lens opens when clicked. Tables no FK references get a lens only when asked for
 * (`unreferenced`): above every table of a large schema it is noise. Pure.
 */
import { computeReach, referencingForeignKeys } from '../analysis/reach';
import { qualifiedName, type SourceLocation, type Table } from '../model/schema';
import type { Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { plural } from './describe';
import { fkTargetLocation } from './navigation';
import { historyOf } from './target';

export interface TableLens {
  table: Table;
  /** Qualified name, for the ERD command. */
  qualifiedName: string;
  /** The table name in its CREATE TABLE. */
  span: Span;
  title: string;
  /** Where the FKs pointing at the table are declared. */
  references: SourceLocation[];
}

export interface CodeLensOptions {
  /** Also a "not referenced by any FK" lens over tables nothing references (default false). */
  unreferenced?: boolean;
}

export function codeLenses(model: WorkspaceModel, file: string, options: CodeLensOptions = {}): TableLens[] {
  const history = historyOf(model, file);
  if (!history) return [];
  const out: TableLens[] = [];
  for (const table of history.tables) {
    if (table.location.file !== file) continue;
    const incoming = referencingForeignKeys(history, table.id);
    let title: string;
    if (!incoming.length) {
      if (!options.unreferenced) continue;
      title = 'not referenced by any FK';
    } else {
      const reach = computeReach(history, table.id, 'DELETE');
      const parts = [`referenced by ${plural(incoming.length, 'FK')}`];
      if (reach.deletes.length) parts.push(`DELETE cascades to ${plural(reach.deletes.length, 'table')}`);
      const nulled = reach.setsNull.length + reach.setsDefault.length;
      if (nulled) parts.push(`sets NULL / DEFAULT via ${plural(nulled, 'FK')}`);
      if (reach.blockedBy.length) parts.push(`blocked by ${reach.blockedBy.length}`);
      title = parts.join(' · ');
    }
    out.push({ table, qualifiedName: qualifiedName(table), span: table.location.span, title, references: incoming.map(fkTargetLocation) });
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
