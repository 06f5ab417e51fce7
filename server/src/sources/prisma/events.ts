/**
 * A resolved Prisma schema as schema events, in the order `prisma migrate` writes its SQL: tables (with
 * their primary keys), then indexes (unique ones as unique indexes, as Prisma creates them), then foreign
 * keys by ALTER TABLE. Each event carries the file it came from (a schema may span several files) and
 * ranges in the schema: the model name, the field, the `@relation(...)` attribute and its arguments.
 */
import type { AlterTableEvent, ColumnDefinition, ConstraintDefinition, CreateIndexEvent, CreateTableEvent, QualifiedName, SchemaEvent } from '../events';
import type { Span } from '../text';
import { argument } from './ast';
import { hasForeignKeys, type PrismaIndex, type PrismaModel, type PrismaRelation, type PrismaSchema } from './schema';
import { SQL_ACTION, foreignKeyName, primaryKeyName } from './types';

export function prismaSchemaEvents(schema: PrismaSchema): SchemaEvent[] {
  if (schema.provider === 'mongodb') return [];
  const tables: SchemaEvent[] = [];
  const indexes: SchemaEvent[] = [];
  const foreignKeys: SchemaEvent[] = [];
  for (const name of schema.schemas) {
    if (name === 'public') continue;
    const span = schema.datasource?.span ?? { start: 0, end: 0 };
    tables.push({ kind: 'create_schema', name, ifNotExists: true, statement: span, file: schema.datasource?.file });
  }
  const withFks = hasForeignKeys(schema);
  for (const model of schema.models) {
    if (model.view) continue;
    tables.push(createTable(model));
    for (const index of model.indexes) if (index.kind !== 'primary') indexes.push(createIndex(model, index));
    if (withFks) for (const relation of model.relations) if (!relation.target.view) foreignKeys.push(addForeignKey(relation));
  }
  for (const join of schema.joinTables) {
    const file = join.fileA;
    const span = join.fieldA.span;
    const table: QualifiedName = { schema: join.schema, name: join.table, span };
    const column = (name: string, type: string): ColumnDefinition => ({
      name,
      nameSpan: span,
      type,
      declaredType: type,
      notNull: true,
      serial: false,
      generated: false,
      constraints: [],
      span,
    });
    const key = constraint('primary', primaryKeyName(`${join.table}_AB`, schema.provider), ['A', 'B'], span);
    tables.push({ ...emptyTable(table, span, file), columns: [column('A', join.typeA), column('B', join.typeB)], constraints: [key] });
    indexes.push(indexEvent(table, `${join.table}_B_index`, ['B'], false, undefined, span, file));
    if (withFks) {
      const link = (col: 'A' | 'B', target: PrismaModel, field: typeof join.fieldA, fieldFile: string) => {
        const pk = target.indexes.find((i) => i.kind === 'primary')!;
        const fk = constraint('foreign', foreignKeyName(join.table, [col], schema.provider), [col], field.span);
        fk.foreign = {
          refTable: { schema: target.schema, name: target.table, span: field.type.span },
          refColumns: pk.columns,
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
          setColumns: null,
          match: 'SIMPLE',
          period: false,
        };
        foreignKeys.push(alterTable({ ...table, span: field.span }, fk, field.span, fieldFile));
      };
      link('A', join.a, join.fieldA, join.fileA);
      link('B', join.b, join.fieldB, join.fileB);
    }
  }
  return [...tables, ...indexes, ...foreignKeys];
}

function tableName(model: PrismaModel): QualifiedName {
  return { schema: model.schema, name: model.table, span: model.block.name.span };
}

function emptyTable(table: QualifiedName, statement: Span, file: string): CreateTableEvent {
  return { kind: 'create_table', table, ifNotExists: false, columns: [], constraints: [], like: [], inherits: [], partitioned: false, asQuery: false, statement, file };
}

function createTable(model: PrismaModel): CreateTableEvent {
  const event = emptyTable(tableName(model), model.block.span, model.file);
  for (const field of model.scalars) {
    const notNull = !field.optional && !field.list;
    event.columns.push({
      name: field.column,
      nameSpan: field.decl.name.span,
      type: field.type,
      declaredType: field.decl.type.name.toLowerCase(),
      typeSpan: field.decl.type.span,
      notNull,
      notNullSpan: notNull ? field.decl.type.span : undefined,
      default: field.default,
      defaultSpan: field.default !== undefined ? field.defaultSpan : undefined,
      serial: field.autoincrement,
      generated: false,
      constraints: [],
      span: field.decl.span,
    });
  }
  const pk = model.indexes.find((i) => i.kind === 'primary');
  if (pk) {
    const c = constraint('primary', pk.name, pk.columns, pk.attribute.span);
    c.nameSpan = argument(pk.attribute, 'map')?.value.span;
    event.constraints.push(c);
  }
  return event;
}

function createIndex(model: PrismaModel, index: PrismaIndex): CreateIndexEvent {
  const event = indexEvent(tableName(model), index.name, index.columns, index.kind === 'unique', index.method, index.attribute.span, model.file);
  event.nameSpan = argument(index.attribute, 'map')?.value.span;
  return event;
}

function indexEvent(table: QualifiedName, name: string, columns: string[], unique: boolean, method: string | undefined, statement: Span, file: string): CreateIndexEvent {
  return {
    kind: 'create_index',
    name,
    table,
    only: false,
    elements: columns.map((column) => ({ column })),
    include: [],
    unique,
    nullsNotDistinct: false,
    method: method ?? 'btree',
    concurrently: false,
    ifNotExists: false,
    statement,
    file,
  };
}

function addForeignKey(relation: PrismaRelation): AlterTableEvent {
  const { relation: attribute, field } = relation;
  const c = constraint('foreign', relation.name, relation.columns, attribute.span);
  c.nameSpan = argument(attribute, 'map')?.value.span;
  c.columnsSpan = argument(attribute, 'fields')?.value.span;
  c.foreign = {
    refTable: { schema: relation.target.schema, name: relation.target.table, span: field.type.span },
    refColumns: relation.refColumns,
    refColumnsSpan: argument(attribute, 'references')?.value.span,
    onDelete: SQL_ACTION[relation.onDelete],
    onUpdate: SQL_ACTION[relation.onUpdate],
    onDeleteSpan: relation.explicitOnDelete?.span,
    onUpdateSpan: relation.explicitOnUpdate?.span,
    // Prisma's migration SQL spells out ON DELETE and ON UPDATE, its defaults included (MySQL stores them then).
    actionsWritten: true,
    setColumns: null,
    match: 'SIMPLE',
    period: false,
  };
  return alterTable({ ...tableName(relation.model), span: field.name.span }, c, attribute.span, relation.file);
}

function alterTable(table: QualifiedName, c: ConstraintDefinition, span: Span, file: string): AlterTableEvent {
  return { kind: 'alter_table', table, only: false, ifExists: false, commands: [{ kind: 'add_constraint', constraint: c, span }], statement: span, file };
}

function constraint(kind: ConstraintDefinition['kind'], name: string, columns: string[], span: Span): ConstraintDefinition {
  return { kind, name, columns, span, columnConstraint: false, deferrable: false, initiallyDeferred: false, notValid: false, notEnforced: false };
}

