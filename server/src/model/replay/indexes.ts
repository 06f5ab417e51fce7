/** CREATE INDEX (default names, name clashes), DROP INDEX, and finding an index by name. */
import type { CreateIndexEvent, DropEvent, QualifiedName } from '../../sources/events';
import { chooseName, columnsAddition } from '../names';
import { mysqlIndexName } from '../dialect';
import type { Index, Table } from '../schema';
import { dropCoveredImplicitIndexes, dropDependentForeignKeys, dropKeyOf, ensureForeignKeyIndex } from './constraints';
import type { ReplayState } from './state';

export function createIndex(s: ReplayState, event: CreateIndexEvent): void {
  const table = s.lookup(event.table);
  if (!table) return;
  const columns = event.elements.map((e) => e.column ?? null);
  // MariaDB drops an index it generated for an FK as soon as another index covers the FK (name included).
  if (s.policy.createsForeignKeyIndex && event.method === 'btree') dropCoveredImplicitIndexes(table, columns);
  const name =
    event.name ??
    (s.policy.indexNamesPerTable
      ? mysqlIndexName(table, columns)
      : chooseName(
          table.name,
          columnsAddition(event.elements.map((e) => e.column ?? e.expression ?? 'expr')),
          'idx',
          (n) => s.relationNameUsed(table.schema, n),
        ));
  if (s.policy.indexNamesPerTable ? s.indexNameUsed(table, name) : s.relationNameUsed(table.schema, name)) {
    const where = s.policy.indexNamesPerTable ? `on table ${table.name}` : `in schema ${table.schema}`;
    if (!event.ifNotExists) s.problem('unknown-index', event.nameSpan ?? event.table.span, `An index named ${name} already exists ${where}.`, 'warning');
    return;
  }
  const index: Index = {
    name,
    columns,
    expressions: event.elements.filter((e) => !e.column).map((e) => e.expression ?? 'expr'),
    expressionColumns: [...new Set(event.elements.flatMap((e) => (e.column ? [] : (e.expressionColumns ?? []))))],
    include: event.include,
    unique: event.unique,
    method: event.method,
    where: event.where,
    whereNotNullColumns: event.whereNotNullColumns,
    location: s.loc(event.nameSpan ?? event.statement),
  };
  table.indexes.push(index);
  s.registerIndex(table, name);
}

export function findIndex(s: ReplayState, name: QualifiedName, onTable?: QualifiedName): { table: Table; index: Index } | undefined {
  if (onTable) {
    const table = s.lookup(onTable);
    const index = table?.indexes.find((i) => i.name === name.name);
    return table && index ? { table, index } : undefined;
  }
  const candidates = name.schema ? [name.schema] : s.searchPath.filter((x) => x !== '$user');
  for (const schema of candidates) {
    const id = s.indexOwners.get(`${schema}.${name.name}`);
    const table = id !== undefined ? s.tables.get(id) : undefined;
    const index = table?.indexes.find((i) => i.name === name.name);
    if (table && index) return { table, index };
  }
  return undefined;
}

export function dropIndex(s: ReplayState, event: DropEvent, name: QualifiedName): void {
  const found = findIndex(s, name, event.table);
  if (!found) {
    if (!event.ifExists) s.problem('unknown-index', name.span, `Index ${name.name} does not exist at this point.`);
    return;
  }
  found.table.indexes = found.table.indexes.filter((i) => i !== found.index);
  s.indexOwners.delete(`${found.table.schema}.${found.index.name}`);
  if (found.index.constraint) dropKeyOf(s, found.table, found.index.constraint);
  if (event.cascade) dropDependentForeignKeys(s, found.index);
  // InnoDB re-creates an index for an FK that no other index covers any more.
  if (s.policy.createsForeignKeyIndex) for (const fk of found.table.foreignKeys) ensureForeignKeyIndex(s, found.table, fk);
  s.indexesDropped(found.table, [found.index], name.span);
}
