/** CREATE TABLE (columns, LIKE, INHERITS, PARTITION OF, inline constraints), DROP TABLE and DROP SCHEMA. */
import type { ColumnDefinition, ConstraintDefinition, CreateTableEvent } from '../../sources/events';
import { chooseName, columnsAddition } from '../names';
import type { Column, Table } from '../schema';
import { qualifiedName } from '../schema';
import { addCheck, addConstraint, addForeignKey, addKey, bindPending, dropForeignKeys } from './constraints';
import type { ReplayState } from './state';

export function createTable(s: ReplayState, event: CreateTableEvent): void {
  const schema = s.creationSchema(event.table);
  if (s.tableIds.has(`${schema}.${event.table.name}`)) {
    if (!event.ifNotExists) {
      s.problem('duplicate-table', event.table.span, `Table ${schema}.${event.table.name} already exists at this point; PostgreSQL would reject this CREATE TABLE.`, 'warning');
    }
    return;
  }
  const table: Table = {
    id: s.nextId++,
    schema,
    name: event.table.name,
    columns: [],
    uniques: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
    partitioned: event.partitioned,
    inherits: [],
    location: s.loc(event.table.span),
    createdStep: s.step,
  };
  const parents = event.partitionOf ? [event.partitionOf] : event.inherits;
  for (const parentName of parents) {
    const parent = s.lookup(parentName);
    if (!parent) continue;
    if (event.partitionOf) table.partitionOf = parent.id;
    else table.inherits.push(parent.id);
    for (const c of parent.columns) {
      if (!table.columns.some((x) => x.name === c.name)) table.columns.push({ ...c });
    }
  }
  for (const like of event.like) {
    const source = s.lookup(like.table);
    if (!source) continue;
    for (const c of source.columns) {
      table.columns.push({
        ...c,
        default: like.including.includes('defaults') ? c.default : undefined,
        identity: like.including.includes('identity') ? c.identity : undefined,
        generated: like.including.includes('generated') ? c.generated : false,
      });
    }
    if (like.including.includes('indexes')) {
      if (source.primaryKey) addKey(s, table, 'primary', source.primaryKey.columns, undefined, table.location);
      for (const u of source.uniques) addKey(s, table, 'unique', u.columns, undefined, table.location);
      for (const ix of source.indexes.filter((i) => !i.constraint)) {
        const columns = ix.columns.map((c) => c ?? 'expr');
        const name = chooseName(table.name, columnsAddition(columns), 'idx', (n) => s.relationNameUsed(schema, n) || table.indexes.some((i) => i.name === n));
        table.indexes.push({ ...ix, name, location: table.location });
      }
    }
  }
  for (const def of event.columns) {
    const existing = table.columns.find((c) => c.name === def.name);
    const column = columnOf(s, def);
    if (existing) Object.assign(existing, { ...column, notNull: existing.notNull || column.notNull });
    else table.columns.push(column);
  }
  s.tables.set(table.id, table);
  s.register(table);
  // CHECKs come with the table, then its keys' indexes (their default names avoid the CHECKs' names), then FKs
  // (an FK of this table may reference its own key), each in declaration order, as PostgreSQL creates them.
  const all: { c: ConstraintDefinition; column?: ColumnDefinition }[] = [
    ...event.columns.flatMap((column) => column.constraints.map((c) => ({ c, column }))),
    ...event.constraints.map((c) => ({ c })),
  ];
  for (const { c } of all) if (c.kind === 'check') addCheck(s, table, c);
  for (const { c } of all) if (c.kind === 'primary' || c.kind === 'unique') addConstraint(s, table, c);
  if (s.policy.dialect === 'sqlite' && !event.withoutRowid) markRowidAlias(table, event);
  for (const { c } of all) if (c.kind === 'foreign') addForeignKey(s, table, c, false);
  bindPending(s, table);
}

/**
 * SQLite: a single-column `INTEGER PRIMARY KEY` is the rowid itself. Its "index" is the table's own b-tree,
 * which serves lookups of that column like any index does; it is recorded under the name `rowid`.
 */
function markRowidAlias(table: Table, event: CreateTableEvent): void {
  const pk = table.primaryKey;
  if (!pk || pk.columns.length !== 1) return;
  const def = event.columns.find((c) => c.name === pk.columns[0]);
  if (!def || def.declaredType !== 'integer') return;
  const index = table.indexes.find((i) => i.constraint === pk.name);
  if (index) index.name = 'rowid';
  const column = table.columns.find((c) => c.name === def.name);
  if (column) column.notNull = true;
}

export function columnOf(s: ReplayState, def: ColumnDefinition): Column {
  return {
    name: def.name,
    type: def.type,
    notNull: def.notNull,
    default: def.default,
    identity: def.identity,
    generated: def.generated,
    location: s.loc(def.nameSpan),
    notNullLocation: def.notNullSpan ? s.loc(def.notNullSpan) : undefined,
    defaultLocation: def.defaultSpan ? s.loc(def.defaultSpan) : undefined,
  };
}

export function dropTable(s: ReplayState, table: Table): void {
  if (!s.tables.has(table.id)) return;
  s.tables.delete(table.id);
  s.unregister(table);
  for (const other of s.tables.values()) {
    // SQLite (and MySQL) FKs name their parent: they stay, waiting for a table of that name.
    if (s.policy.foreignKeysByName) {
      for (const fk of other.foreignKeys.filter((f) => f.refTableId === table.id)) {
        s.pending.push({
          fk,
          refSchema: table.schema,
          refName: table.name,
          unresolved: { table: qualifiedName(other), columns: fk.columns, refTable: table.name, refColumns: fk.refColumns, reason: 'table', location: fk.location, refTableSpan: fk.location.refTableSpan, step: s.step },
        });
      }
    }
    dropForeignKeys(s, other, (f) => f.refTableId === table.id);
    if (other.partitionOf === table.id) dropTable(s, other);
    other.inherits = other.inherits.filter((id) => id !== table.id);
  }
}

export function dropSchema(s: ReplayState, schema: string): void {
  for (const table of [...s.tables.values()].filter((t) => t.schema === schema)) dropTable(s, table);
  s.schemas.delete(schema);
}
