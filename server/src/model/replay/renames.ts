/** RENAME of tables, columns, constraints, indexes and schemas: every place a name is kept follows. */
import type { RenameEvent } from '../../sources/events';
import type { Span } from '../../sources/text';
import type { Index, Table } from '../schema';
import { findColumn } from './alter';
import { bindPending } from './constraints';
import { findIndex } from './indexes';
import type { ReplayState } from './state';

export function rename(s: ReplayState, event: RenameEvent): void {
  switch (event.kind) {
    case 'rename_table': {
      const table = s.lookup(event.target, false);
      if (!table) {
        // ALTER TABLE also renames indexes.
        const found = findIndex(s, event.target);
        if (found) renameIndex(s, found.table, found.index, event.to);
        else if (!event.ifExists) s.lookup(event.target);
        return;
      }
      s.renames.push({ kind: 'table', tableId: table.id, from: table.name, to: event.to, location: s.loc(event.toSpan ?? event.statement), step: s.step });
      s.unregister(table);
      table.name = event.to;
      s.register(table);
      bindPending(s, table);
      return;
    }
    case 'rename_column': {
      const table = s.lookup(event.target, !event.ifExists);
      if (!table) return;
      const column = findColumn(s, table, event.from, event.target.span);
      if (!column) return;
      renameColumn(s, table, event.from, event.to, event.toSpan ?? event.statement);
      return;
    }
    case 'rename_constraint': {
      const table = s.lookup(event.target, !event.ifExists);
      if (!table) return;
      const fk = table.foreignKeys.find((f) => f.name === event.from);
      if (fk) {
        fk.name = event.to;
        s.constraintRemoved(table, event.from);
        s.constraintAdded(table, event.to);
        return;
      }
      const index = table.indexes.find((i) => i.constraint === event.from);
      if (index) renameIndex(s, table, index, event.to);
      else if (table.checks.includes(event.from)) {
        for (const n of table.checks) {
          if (n !== event.from) continue;
          s.constraintRemoved(table, n);
          s.constraintAdded(table, event.to);
        }
        table.checks = table.checks.map((n) => (n === event.from ? event.to : n));
      }
      else s.problem('unknown-constraint', event.target.span, `Constraint ${event.from} does not exist on ${table.name} at this point.`);
      return;
    }
    case 'rename_index': {
      const found = findIndex(s, event.target, event.table);
      if (found) renameIndex(s, found.table, found.index, event.to);
      else if (!event.ifExists) s.problem('unknown-index', event.target.span, `Index ${event.target.name} does not exist at this point.`);
      return;
    }
    case 'rename_schema': {
      if (!s.schemas.has(event.from)) return;
      s.schemas.delete(event.from);
      s.schemas.add(event.to);
      for (const table of [...s.tables.values()].filter((t) => t.schema === event.from)) s.setSchema(table, event.to);
      return;
    }
  }
}

/** Renames a column everywhere it is named: keys, indexes, this table's FKs and the FKs that reference it. */
export function renameColumn(s: ReplayState, table: Table, from: string, to: string, span: Span): void {
  s.renames.push({ kind: 'column', tableId: table.id, from, to, location: s.loc(span), step: s.step });
  const column = table.columns.find((c) => c.name === from);
  if (column) column.name = to;
  const swap = (list: string[]) => list.map((c) => (c === from ? to : c));
  const swapNullable = (list: (string | null)[]) => list.map((c) => (c === from ? to : c));
  if (table.primaryKey) table.primaryKey.columns = swap(table.primaryKey.columns);
  for (const u of table.uniques) u.columns = swap(u.columns);
  for (const i of [...table.indexes]) {
    if (!i.columns.includes(from) && !i.include.includes(from) && !i.whereNotNullColumns?.includes(from)) continue;
    s.replaceIndex(table, i, { columns: swapNullable(i.columns), include: swap(i.include), whereNotNullColumns: i.whereNotNullColumns && swap(i.whereNotNullColumns) });
  }
  for (const fk of table.foreignKeys) {
    fk.columns = swap(fk.columns);
    if (fk.setColumns) fk.setColumns = swap(fk.setColumns);
  }
  for (const other of s.tables.values()) {
    for (const fk of other.foreignKeys) if (fk.refTableId === table.id) fk.refColumns = swap(fk.refColumns);
  }
}

/** Renaming a constraint's index renames the constraint, and the other way round. */
function renameIndex(s: ReplayState, table: Table, index: Index, to: string): void {
  s.indexOwners.delete(`${table.schema}.${index.name}`);
  if (index.constraint) {
    const key = table.primaryKey?.name === index.constraint ? table.primaryKey : table.uniques.find((u) => u.name === index.constraint);
    if (key) {
      key.name = to;
      s.constraintRemoved(table, index.constraint);
      s.constraintAdded(table, to);
    }
  }
  s.replaceIndex(table, index, index.constraint ? { name: to, constraint: to } : { name: to });
  s.indexOwners.set(`${table.schema}.${to}`, table.id);
}
