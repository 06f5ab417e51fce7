/** ALTER TABLE: column changes, ADD / DROP / VALIDATE / ALTER CONSTRAINT, partitions and inheritance. */
import type { AlterTableCommand, AlterTableEvent } from '../../sources/events';
import type { Span } from '../../sources/text';
import type { Column, Table } from '../schema';
import { addConstraint, dropConstraint, dropForeignKeys, dropUniques, setPrimaryKey } from './constraints';
import { renameColumn } from './renames';
import { constraintNames, type ReplayState } from './state';
import { columnOf } from './tables';

export function alterTable(s: ReplayState, event: AlterTableEvent): void {
  const table = s.lookup(event.table, !event.ifExists);
  if (!table) return;
  for (const command of event.commands) alterCommand(s, table, command);
}

export function findColumn(s: ReplayState, table: Table, name: string, span: Span): Column | undefined {
  const column = table.columns.find((c) => c.name === name);
  if (!column) s.problem('unknown-column', span, `Column ${name} does not exist on ${table.name} at this point.`);
  return column;
}

function alterCommand(s: ReplayState, table: Table, command: AlterTableCommand): void {
  switch (command.kind) {
    case 'add_column': {
      if (table.columns.some((c) => c.name === command.column.name)) {
        if (!command.ifNotExists) s.problem('unknown-column', command.span, `Column ${command.column.name} already exists on ${table.name}.`);
        return;
      }
      table.columns.push(columnOf(s, command.column));
      // ADD COLUMN ... REFERENCES on an existing table is an ALTER-time FK.
      for (const c of command.column.constraints) addConstraint(s, table, c);
      return;
    }
    case 'drop_column': {
      if (!table.columns.some((c) => c.name === command.column)) {
        if (!command.ifExists) findColumn(s, table, command.column, command.span);
        return;
      }
      dropColumn(s, table, command.column, command.span);
      return;
    }
    case 'alter_type': {
      const column = findColumn(s, table, command.column, command.span);
      if (column) column.type = command.type;
      return;
    }
    case 'set_not_null': {
      const column = findColumn(s, table, command.column, command.span);
      if (column) {
        column.notNull = true;
        column.notNullLocation = s.loc(command.span);
      }
      return;
    }
    case 'drop_not_null': {
      const column = findColumn(s, table, command.column, command.span);
      if (column) {
        column.notNull = false;
        column.notNullLocation = undefined;
      }
      return;
    }
    case 'set_default': {
      const column = findColumn(s, table, command.column, command.span);
      if (column) {
        column.default = command.default;
        column.defaultLocation = s.loc(command.span);
      }
      return;
    }
    case 'drop_default': {
      const column = findColumn(s, table, command.column, command.span);
      if (column) {
        column.default = undefined;
        column.defaultLocation = undefined;
      }
      return;
    }
    case 'add_identity': {
      const column = findColumn(s, table, command.column, command.span);
      if (column) {
        column.identity = command.identity;
        column.notNull = true;
      }
      return;
    }
    case 'drop_identity': {
      const column = findColumn(s, table, command.column, command.span);
      if (column) column.identity = undefined;
      return;
    }
    case 'add_constraint':
      addConstraint(s, table, command.constraint);
      return;
    case 'redefine_column': {
      const column = findColumn(s, table, command.from, command.span);
      if (!column) return;
      if (command.from !== command.column.name) renameColumn(s, table, command.from, command.column.name, command.span);
      const def = columnOf(s, command.column);
      Object.assign(column, { type: def.type, notNull: def.notNull || !!table.primaryKey?.columns.includes(def.name), default: def.default, notNullLocation: def.notNullLocation, defaultLocation: def.defaultLocation });
      for (const c of command.column.constraints) addConstraint(s, table, c);
      return;
    }
    case 'drop_constraint':
      dropConstraint(s, table, command.name, command.ifExists, command.span);
      return;
    case 'validate_constraint': {
      const fk = table.foreignKeys.find((f) => f.name === command.name);
      if (fk) {
        fk.validated = fk.enforced;
        fk.validatedAt = { ...s.loc(command.span), step: s.step };
        s.validations.push({ fk, step: s.step, location: s.loc(command.span), inExplicitTransaction: s.inTransaction });
      } else if (!constraintNames(table).includes(command.name)) {
        s.problem('unknown-constraint', command.span, `Constraint ${command.name} does not exist on ${table.name} at this point.`);
      }
      return;
    }
    case 'alter_constraint': {
      const fk = table.foreignKeys.find((f) => f.name === command.name);
      if (fk && command.deferrable !== undefined) {
        fk.deferrable = command.deferrable;
        fk.initiallyDeferred = !!command.initiallyDeferred;
      }
      return;
    }
    case 'attach_partition': {
      const partition = s.lookup(command.partition);
      if (partition) partition.partitionOf = table.id;
      return;
    }
    case 'detach_partition': {
      const partition = s.lookup(command.partition);
      if (partition) partition.partitionOf = undefined;
      return;
    }
    case 'inherit': {
      const parent = s.lookup(command.parent);
      if (parent && !table.inherits.includes(parent.id)) table.inherits.push(parent.id);
      return;
    }
    case 'no_inherit': {
      const parent = s.lookup(command.parent);
      if (parent) table.inherits = table.inherits.filter((id) => id !== parent.id);
      return;
    }
  }
}

function dropColumn(s: ReplayState, table: Table, name: string, span: Span): void {
  table.columns = table.columns.filter((c) => c.name !== name);
  dropForeignKeys(s, table, (f) => f.columns.includes(name));
  for (const other of s.tables.values()) dropForeignKeys(s, other, (f) => f.refTableId === table.id && f.refColumns.includes(name));
  for (const index of table.indexes.filter((i) => i.columns.includes(name) || i.include.includes(name))) {
    s.indexOwners.delete(`${table.schema}.${index.name}`);
  }
  const removed = table.indexes.filter((i) => i.columns.includes(name) || i.include.includes(name));
  table.indexes = table.indexes.filter((i) => !removed.includes(i));
  if (table.primaryKey?.columns.includes(name)) setPrimaryKey(s, table, undefined);
  dropUniques(s, table, (u) => u.columns.includes(name));
  s.indexesDropped(table, removed, span);
}
