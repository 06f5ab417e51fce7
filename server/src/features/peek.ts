/**
 * The whole picture of a table, as the plain-text document a hover's "Peek" link opens: what a DELETE and a
 * key UPDATE do (the full trees), and every FK that references the table. Hovers stay short because this is
 * one click away. Pure.
 */
import { computeReach, referencingForeignKeys } from '../analysis/reach';
import type { HistoryModel } from '../model/replay';
import type { Table } from '../model/schema';
import type { WorkspaceModel } from '../workspace/workspace';
import { fkLabel, plural, tableLabel } from './describe';
import { locationLabel } from './labels';
import { visible } from './markdown';
import { reachLines } from './reachView';
import { historyOf, lookupTable } from './target';

/** Most tree nodes a peek shows (the CLI's `reach` shows 500). */
const MAX_SHOWN = 2000;

/** The table named `qualifiedName` (`schema.name`) of the history `file` belongs to. */
export function tableOfFile(model: WorkspaceModel, file: string, qualifiedName: string): { history: HistoryModel; table: Table } | undefined {
  const history = historyOf(model, file);
  if (!history) return undefined;
  const table = history.tables.find((t) => `${t.schema}.${t.name}` === qualifiedName) ?? lookupTable(history, { name: qualifiedName });
  return table ? { history, table } : undefined;
}

/** The document's text: plain text, names shown with their control characters escaped. */
export function tableDocument(model: WorkspaceModel, file: string, qualifiedName: string): string | undefined {
  const found = tableOfFile(model, file, qualifiedName);
  if (!found) return undefined;
  const { history, table } = found;
  const lines: string[] = [];
  lines.push(`${tableLabel(table)}: declared at ${locationLabel(model, table.location)}`);
  for (const operation of ['DELETE', 'UPDATE'] as const) {
    lines.push('');
    lines.push(...reachLines(model, computeReach(history, table.id, operation), { markdown: false, maxShown: MAX_SHOWN }));
  }
  const referencing = referencingForeignKeys(history, table.id);
  lines.push('');
  lines.push(`Referenced by ${plural(referencing.length, 'foreign key')}${referencing.length ? ':' : '.'}`);
  for (const fk of referencing) {
    lines.push(`- ${fkLabel(fk, history.tableById)} ON DELETE ${fk.onDelete}, ON UPDATE ${fk.onUpdate} (${locationLabel(model, fk.location)})`);
  }
  return lines.map(visible).join('\n') + '\n';
}
