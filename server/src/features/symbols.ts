/**
 * Document symbols (tables > columns, constraints, indexes declared in the file) and workspace symbols
 * (tables). A file that only alters a table declared elsewhere still lists that table, holding what the
 * file adds to it. Pure.
 */
import type { SourceLocation, Table } from '../model/schema';
import type { Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { columnsLabel, tableLabel } from './describe';
import { historyOf, statementAt } from './target';

export type SymbolKind = 'table' | 'column' | 'primary-key' | 'unique' | 'foreign-key' | 'index';

export interface FileSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  /** The whole declaration. */
  span: Span;
  /** The name (inside `span`). */
  selection: Span;
  children: FileSymbol[];
}

const union = (a: Span, b: Span): Span => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });

export function documentSymbols(model: WorkspaceModel, file: string): FileSymbol[] {
  const history = historyOf(model, file);
  const source = model.sources.get(file);
  if (!history || !source) return [];
  const out: FileSymbol[] = [];
  const here = (loc: SourceLocation | undefined) => !!loc && loc.file === file;
  for (const table of history.tables) {
    const children: FileSymbol[] = [];
    const leaf = (name: string, detail: string, kind: SymbolKind, span: Span, selection = span) =>
      children.push({ name, detail, kind, span, selection, children: [] });
    for (const c of table.columns) {
      if (here(c.location)) leaf(c.name, `${c.type}${c.notNull ? ' NOT NULL' : ''}`, 'column', c.location.span);
    }
    if (table.primaryKey && here(table.primaryKey.location)) {
      leaf(table.primaryKey.name, `PRIMARY KEY (${columnsLabel(table.primaryKey.columns)})`, 'primary-key', table.primaryKey.location.span);
    }
    for (const u of table.uniques) if (here(u.location)) leaf(u.name, `UNIQUE (${columnsLabel(u.columns)})`, 'unique', u.location.span);
    for (const fk of table.foreignKeys) {
      if (!here(fk.location)) continue;
      const parent = history.tableById.get(fk.refTableId);
      const detail = `(${columnsLabel(fk.columns)}) → ${parent ? tableLabel(parent) : '?'}(${columnsLabel(fk.refColumns)}) ON DELETE ${fk.onDelete}`;
      const span = fk.location.span;
      const selection = fk.location.nameSpan ?? fk.location.columnsSpan ?? span;
      leaf(fk.name, detail, 'foreign-key', union(span, selection), selection);
    }
    for (const index of table.indexes) {
      if (index.constraint || !here(index.location)) continue;
      const columns = index.columns.map((c, i) => c ?? index.expressions[i] ?? 'expr');
      leaf(index.name, `${index.unique ? 'UNIQUE ' : ''}INDEX (${columnsLabel(columns)})`, 'index', index.location.span);
    }
    const declaredHere = here(table.location);
    if (!declaredHere && !children.length) continue;
    children.sort((a, b) => a.span.start - b.span.start);
    let span: Span;
    let selection: Span;
    if (declaredHere) {
      selection = table.location.span;
      span = statementAt(source, selection.start) ?? selection;
    } else {
      selection = children[0].selection;
      span = children[0].span;
    }
    for (const c of children) span = union(span, c.span);
    out.push({ name: tableLabel(table), detail: declaredHere ? `${table.columns.length} columns` : 'altered here', kind: 'table', span, selection, children });
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

export interface TableSymbol {
  name: string;
  schema: string;
  location: SourceLocation;
  table: Table;
}

/** Tables whose name matches `query` (case-insensitive, letters in order), at most `limit`. */
export function workspaceSymbols(model: WorkspaceModel, query: string, limit = 500): TableSymbol[] {
  const q = query.toLowerCase();
  const matches = (name: string) => {
    let i = 0;
    for (const ch of name.toLowerCase()) if (i < q.length && ch === q[i]) i++;
    return i === q.length;
  };
  const out: TableSymbol[] = [];
  for (const history of model.histories) {
    for (const table of history.tables) {
      if (out.length >= limit) return out;
      const label = tableLabel(table);
      if (matches(label)) out.push({ name: table.name, schema: table.schema, location: table.location, table });
    }
  }
  return out;
}
