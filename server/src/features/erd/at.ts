/**
 * Which table of the ERD graph stands at a position of a file: the table the diagram opens on. Kept apart
 * from find.ts, which the webview bundles: this one needs the model and the SQL lexer.
 */
import type { HistoryModel } from '../../model/replay';
import type { Table } from '../../model/schema';
import type { WorkspaceModel } from '../../workspace/workspace';
import { historyOf, searchPathAt, tableAsNamedAt, targetAt } from '../target';
import { tableKey } from './graph';

/**
 * The graph key of the table at `offset` of `file` (the ERD opens on it): the table a name there stands for
 * (features/target), else the table whose CREATE TABLE (or Prisma model) holds the offset. A Prisma schema
 * beside its migrations stands for the migrated database: its model leads to the migrated table of that name.
 * `folder` is the folder's index in the graph (ErdTable.folder).
 */
export function erdTableAt(model: WorkspaceModel, file: string, offset: number, folder: number): string | undefined {
  const found = tableAt(model, file, offset) ?? tableAt({ ...model, histories: model.companions ?? [] }, file, offset);
  if (!found) return undefined;
  let { history, table } = found;
  const companionOf = history.history.companionOf;
  if (companionOf !== undefined) {
    const migrated = model.histories.find((h) => h.history.id === companionOf);
    const same = migrated?.tables.find((t) => t.schema === table.schema && t.name === table.name);
    if (!migrated || !same) return undefined;
    history = migrated;
    table = same;
  }
  return tableKey(`${folder}|${history.history.id}`, table);
}

function tableAt(model: WorkspaceModel, file: string, offset: number): { history: HistoryModel; table: Table } | undefined {
  const target = targetAt(model, file, offset);
  if (target) return { history: target.history, table: target.kind === 'foreign-key' ? target.history.tableById.get(target.fk.tableId)! : target.table };
  const history = historyOf(model, file);
  const source = model.sources.get(file);
  if (!history || !source) return undefined;
  // Inside a CREATE TABLE (or a Prisma model) but not on a name: the table it creates, as the model names it now.
  const event = source.events.find((e) => e.kind === 'create_table' && e.statement.start <= offset && offset <= e.statement.end);
  if (!event || event.kind !== 'create_table') return undefined;
  const table = tableAsNamedAt(history, file, event.statement.start, event.table, searchPathAt(source, event.statement.start));
  return table ? { history, table } : undefined;
}
