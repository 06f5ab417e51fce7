/**
 * Go to definition and find references. A REFERENCES target (table or column), a table name anywhere, or a
 * column of an FK leads to its declaration in the final model, i.e. the latest one in the timeline, in
 * whichever file it is. References of a table or column are every FK pointing at it and every index on it,
 * within the same database (history). Pure: locations are workspace-relative files and UTF-16 spans.
 */
import { referencingForeignKeys } from '../analysis/reach';
import type { HistoryModel } from '../model/replay';
import type { Column, ForeignKey, SourceLocation, Table } from '../model/schema';
import type { WorkspaceModel } from '../workspace/workspace';
import { targetAt } from './target';

export function definitionAt(model: WorkspaceModel, file: string, offset: number): SourceLocation[] {
  const target = targetAt(model, file, offset);
  if (!target) return [];
  switch (target.kind) {
    case 'table':
      return [target.table.location];
    case 'column':
      return [target.column.location];
    case 'foreign-key': {
      // On the FK clause itself: its referenced table.
      const parent = target.history.tableById.get(target.fk.refTableId);
      return parent ? [parent.location] : [];
    }
    case 'index':
      return [target.index.location];
  }
}

export function referencesAt(model: WorkspaceModel, file: string, offset: number, includeDeclaration: boolean): SourceLocation[] {
  const target = targetAt(model, file, offset);
  if (!target) return [];
  switch (target.kind) {
    case 'table':
      return tableReferences(target.history, target.table, includeDeclaration);
    case 'column':
      return columnReferences(target.history, target.table, target.column, includeDeclaration);
    case 'foreign-key': {
      const parent = target.history.tableById.get(target.fk.refTableId);
      return parent ? tableReferences(target.history, parent, includeDeclaration) : [];
    }
    case 'index':
      return includeDeclaration ? [target.index.location] : [];
  }
}

/** Where an FK names its referenced table (the REFERENCES target), else its clause. */
export function fkTargetLocation(fk: ForeignKey): SourceLocation {
  return { file: fk.location.file, span: fk.location.refTableSpan ?? fk.location.span };
}

export function tableReferences(history: HistoryModel, table: Table, includeDeclaration: boolean): SourceLocation[] {
  const out: SourceLocation[] = includeDeclaration ? [table.location] : [];
  for (const fk of referencingForeignKeys(history, table.id)) out.push(fkTargetLocation(fk));
  for (const index of table.indexes) out.push(index.location);
  return dedupe(out);
}

export function columnReferences(history: HistoryModel, table: Table, column: Column, includeDeclaration: boolean): SourceLocation[] {
  const out: SourceLocation[] = includeDeclaration ? [column.location] : [];
  for (const fk of referencingForeignKeys(history, table.id)) {
    if (!fk.refColumns.includes(column.name)) continue;
    out.push({ file: fk.location.file, span: fk.location.refColumnsSpan ?? fk.location.refTableSpan ?? fk.location.span });
  }
  for (const fk of table.foreignKeys) {
    if (fk.columns.includes(column.name)) out.push({ file: fk.location.file, span: fk.location.columnsSpan ?? fk.location.span });
  }
  for (const index of table.indexes) {
    if (index.columns.includes(column.name) || index.include.includes(column.name)) out.push(index.location);
  }
  return dedupe(out);
}

function dedupe(list: SourceLocation[]): SourceLocation[] {
  const seen = new Set<string>();
  return list.filter((l) => {
    const key = `${l.file}:${l.span.start}:${l.span.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
