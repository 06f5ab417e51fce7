/**
 * The SQL knex 3's PostgreSQL dialect sends for a table builder (create / alter, then the table statements in
 * order), with knex's types and default names, every piece mapped to the JS expression it came from.
 */
import { clipBytes, MAX_IDENTIFIER_BYTES } from '../../model/names';
import type { Span } from '../text';
import type { ColumnCall, TableBuilder, TableStatement } from './knexTable';
import { MappedSql, sqlLiteral } from './mappedSql';
import { flattenChain, Scope, spanOf } from './parse';
import { booleanOf, numberOf, prop, sqlText, stringOf, stringsOf, type JsValue } from './values';

/** Emits generated SQL; keywords stand for `span` (the expression that declared the statement). */
export class Emitter {
  readonly sql = new MappedSql();
  constructor(public span: Span) {}
  kw(text: string): this {
    this.sql.atomic(text, this.span);
    return this;
  }
  at(text: string, span: Span | undefined): this {
    this.sql.atomic(text, span ?? this.span);
    return this;
  }
  end(): void {
    this.kw(';\n');
  }
}

export const wrap = (name: string) => name.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
const columnize = (columns: string[]) => columns.map(wrap).join(', ');
const literal = sqlLiteral;
/** knex's default names (`_indexCommand`): `<table>_<cols>_<type>` lower case; PostgreSQL keeps 63 bytes. */
const knexName = (table: string, columns: string[], type: string) =>
  clipBytes(`${table.replace(/\.|-/g, '_')}_${columns.join('_')}_${type}`.toLowerCase(), MAX_IDENTIFIER_BYTES);

export interface TableTarget {
  method: 'create' | 'createIfNot' | 'alter';
  name: string;
  nameSpan: Span;
  schema?: string;
  qualified: string;
}

export function compileTable(e: Emitter, builder: TableBuilder, target: TableTarget): void {
  const primaries = builder.statements.filter((s) => s.method === 'primary');
  const statementSpan = e.span;
  if (target.method !== 'alter') {
    e.kw(target.method === 'create' ? 'create table ' : 'create table if not exists ').at(target.qualified, target.nameSpan).kw(' (');
    builder.columns.forEach((c, i) => {
      if (i > 0) e.kw(', ');
      columnDefinition(e, c, primaries.length === 0, target);
    });
    const pk = primaries[0];
    if (pk && pk.args.length) {
      const { name, deferrable } = constraintOptions(pk.args[1], 'constraintName');
      e.span = pk.span;
      e.kw(', constraint ').kw(wrap(name ?? `${target.name}_pkey`)).kw(` primary key (${columnize(stringsOf(pk.args[0]) ?? [])})`).kw(deferrable ? ` deferrable initially ${deferrable}` : '');
      e.span = statementSpan;
    }
    e.kw(')');
    if (builder.inherits) e.kw(' inherits (').at(wrap(builder.inherits.name), builder.inherits.span).kw(')');
    e.end();
  } else {
    const added = builder.columns.filter((c) => !c.alter);
    if (added.length) {
      e.kw('alter table ').at(target.qualified, target.nameSpan).kw(' ');
      added.forEach((c, i) => {
        e.kw(i > 0 ? ', add column ' : 'add column ');
        columnDefinition(e, c, primaries.length === 0, target);
      });
      e.end();
    }
    for (const c of builder.columns.filter((x) => x.alter)) alterColumn(e, c, target);
  }
  for (const s of builder.statements) {
    e.span = s.span;
    tableStatement(e, s, target);
  }
  e.span = statementSpan;
}

function constraintOptions(value: JsValue | undefined, key: string): { name?: string; deferrable?: string } {
  if (value?.kind === 'object') return { name: stringOf(prop(value, key)), deferrable: stringOf(prop(value, 'deferrable')) };
  return { name: stringOf(value) };
}

function columnDefinition(e: Emitter, c: ColumnCall, canAddPrimaryKey: boolean, target: TableTarget): void {
  const saved = e.span;
  e.span = c.span;
  e.at(wrap(c.name!), c.nameSpan).kw(' ').at(columnType(c, canAddPrimaryKey, target), c.typeSpan);
  if (!c.type.includes('increments')) {
    const nullable = c.modifiers.get('nullable');
    if (nullable) e.kw(' ').at(booleanOf(nullable.args[0]) === false ? 'not null' : 'null', nullable.span);
    const def = c.modifiers.get('defaultTo');
    if (def) e.kw(' ').at(`default ${defaultValue(def.args[0], c.type)}`, def.span);
  }
  e.span = saved;
}

function defaultValue(value: JsValue | undefined, type: string): string {
  if (!value) return 'null';
  switch (value.kind) {
    case 'null':
      return 'null';
    case 'raw':
      return value.sql;
    case 'boolean':
      return type === 'bool' || type === 'boolean' ? `'${value.value ? 1 : 0}'` : literal(String(value.value));
    case 'string':
    case 'number':
      return type === 'bool' || type === 'boolean' ? `'${value.value && value.value !== 'false' ? 1 : 0}'` : literal(String(value.value));
    default:
      // Only known at run time: some default, whatever it is.
      return 'null';
  }
}

function columnType(c: ColumnCall, canAddPrimaryKey: boolean, target: TableTarget): string {
  const [, a1, a2] = c.args;
  const primaryKey = (defaultPk: boolean) => (canAddPrimaryKey && (booleanOf(prop(a1, 'primaryKey')) ?? defaultPk) ? ' primary key' : '');
  const timestamp = () => {
    let useTz = a1?.kind === 'object' ? booleanOf(prop(a1, 'useTz')) ?? true : !(booleanOf(a1) ?? false);
    const precision = a1?.kind === 'object' ? numberOf(prop(a1, 'precision')) : numberOf(a2);
    if (a1?.kind === 'object' && booleanOf(prop(a1, 'useTz')) === undefined) useTz = true;
    return `${useTz ? 'timestamptz' : 'timestamp'}${precision !== undefined ? `(${precision})` : ''}`;
  };
  switch (c.type) {
    case 'increments':
      return 'serial' + primaryKey(true);
    case 'bigincrements':
      return 'bigserial' + primaryKey(true);
    case 'uuid':
      return 'uuid' + primaryKey(false);
    case 'integer':
    case 'mediumint':
      return 'integer';
    case 'tinyint':
    case 'smallint':
      return 'smallint';
    case 'bigint':
    case 'biginteger':
      return 'bigint';
    case 'decimal':
      return a1?.kind === 'null' ? 'decimal' : `decimal(${numberOf(a1) ?? 8}, ${numberOf(a2) ?? 2})`;
    case 'float':
      return 'real';
    case 'double':
      return 'double precision';
    case 'boolean':
    case 'bool':
      return 'boolean';
    case 'datetime':
    case 'timestamp':
      return timestamp();
    case 'varchar':
    case 'string':
      return `varchar(${numberOf(a1) ?? 255})`;
    case 'binary':
      return 'bytea';
    case 'enu':
    case 'enum': {
      const values = stringsOf(a1) ?? [];
      const options = a2;
      if (booleanOf(prop(options, 'useNative'))) {
        const schema = stringOf(prop(options, 'schemaName')) ?? target.schema;
        return `${schema ? wrap(schema) + '.' : ''}${wrap(stringOf(prop(options, 'enumName')) ?? 'enum')}`;
      }
      return `text check (${wrap(c.name!)} in (${values.map(literal).join(', ')}))`;
    }
    case 'specifictype':
      return stringOf(a1) ?? 'text';
    case 'bit':
      return numberOf(prop(a1, 'length')) !== undefined ? `bit(${numberOf(prop(a1, 'length'))})` : 'bit';
    case 'date':
    case 'time':
    case 'text':
    case 'json':
    case 'jsonb':
    case 'geometry':
    case 'geography':
    case 'point':
      return c.type;
    default:
      // knex has no PostgreSQL type for it (it would send `undefined`); text keeps the rest readable.
      return 'text';
  }
}

function alterColumn(e: Emitter, c: ColumnCall, target: TableTarget): void {
  const saved = e.span;
  e.span = c.span;
  const head = () => e.kw('alter table ').at(target.qualified, target.nameSpan).kw(' alter column ').at(wrap(c.name!), c.nameSpan);
  head().kw(' drop default').end();
  if (c.alter!.nullable) head().kw(' drop not null').end();
  if (c.alter!.type) {
    const type = columnType(c, false, target);
    head().kw(' type ').at(type, c.typeSpan).kw(` using (${wrap(c.name!)}::${type})`).end();
  }
  const def = c.modifiers.get('defaultTo');
  if (def) head().kw(' set ').at(`default ${defaultValue(def.args[0], c.type)}`, def.span).end();
  if (c.alter!.nullable && booleanOf(c.modifiers.get('nullable')?.args[0]) === false) head().kw(' set not null').end();
  e.span = saved;
}

/**
 * A partial index's `predicate` (a query builder: `knex.whereNotNull('c')`, `.whereNull`, `.where(c, v)`,
 * `.whereRaw(sql)`, chained with and) as knex writes it; one it cannot spell out stays an unknown predicate (the
 * index exists and is partial, which is what matters to the FK rules).
 */
function wherePredicate(e: Emitter, predicate: JsValue | undefined): void {
  if (!predicate) return;
  const { links } = flattenChain(predicate.node);
  const parts: string[] = [];
  for (const link of links) {
    if (!link.call) continue;
    const args = link.call.arguments.map((a) => (a.type === 'SpreadElement' || a.type === 'ArgumentPlaceholder' ? undefined : a));
    const text = (i: number) => (args[i] ? sqlText(args[i]!, Scope.empty) : undefined);
    const column = text(0);
    if ((link.name === 'whereNotNull' || link.name === 'whereNull') && column && !column.hasUnknowns) parts.push(`${wrap(column.text)} is ${link.name === 'whereNull' ? '' : 'not '}null`);
    else if (link.name === 'whereRaw' && column && !column.hasUnknowns) parts.push(column.text);
    else if ((link.name === 'where' || link.name === 'andWhere') && column && !column.hasUnknowns && args.length === 2 && args[1]!.type === 'StringLiteral') parts.push(`${wrap(column.text)} = ${literal(args[1]!.value)}`);
    else if (!['withSchema'].includes(link.name)) return void e.kw(' where ').sql.unknown(spanOf(predicate.node));
  }
  if (parts.length) e.kw(` where ${parts.join(' and ')}`);
  else e.kw(' where ').sql.unknown(spanOf(predicate.node));
}

function tableStatement(e: Emitter, s: TableStatement, target: TableTarget): void {
  const table = () => e.kw('alter table ').at(target.qualified, target.nameSpan);
  const columns = stringsOf(s.args[0]);
  const raw = target.name;
  switch (s.method) {
    case 'foreign': {
      const f = s.foreign!;
      if (!f.inTable || !f.references) return;
      table().kw(' add constraint ').at(wrap(f.keyName ?? knexName(raw, f.columns, 'foreign')), f.keyNameSpan);
      e.kw(' foreign key (').at(columnize(f.columns), f.columnsSpan).kw(') references ').at(wrap(f.inTable), f.inTableSpan);
      e.kw(' (').at(columnize(f.references), f.referencesSpan).kw(')');
      if (f.onUpdate) e.at(` on update ${stringOf(f.onUpdate.args[0]) ?? 'no action'}`, f.onUpdate.span);
      if (f.onDelete) e.at(` on delete ${stringOf(f.onDelete.args[0]) ?? 'no action'}`, f.onDelete.span);
      if (f.deferrable) e.at(` deferrable initially ${(stringOf(f.deferrable.args[0]) ?? 'immediate').toLowerCase()}`, f.deferrable.span);
      return e.end();
    }
    case 'primary': {
      if (target.method !== 'alter' || !columns) return;
      const { name, deferrable } = constraintOptions(s.args[1], 'constraintName');
      table().kw(` add constraint ${wrap(name ?? `${raw}_pkey`)} primary key (${columnize(columns)})${deferrable ? ` deferrable initially ${deferrable}` : ''}`);
      return e.end();
    }
    case 'unique': {
      if (!columns) return;
      const options = s.args[1];
      let name = stringOf(options);
      let useConstraint = true;
      let deferrable: string | undefined;
      if (options?.kind === 'object') {
        name = stringOf(prop(options, 'indexName'));
        deferrable = stringOf(prop(options, 'deferrable'));
        const predicate = prop(options, 'predicate');
        useConstraint = booleanOf(prop(options, 'useConstraint')) ?? (!!deferrable || !predicate);
      }
      const indexName = wrap(name ?? knexName(raw, columns, 'unique'));
      if (useConstraint) table().kw(` add constraint ${indexName} unique (${columnize(columns)})${deferrable ? ` deferrable initially ${deferrable}` : ''}`);
      else {
        e.kw(`create unique index ${indexName} on `).at(target.qualified, target.nameSpan).kw(` (${columnize(columns)})`);
        wherePredicate(e, prop(options, 'predicate'));
      }
      return e.end();
    }
    case 'index': {
      if (!columns) return;
      const options = s.args[2];
      const using = stringOf(options) ?? stringOf(prop(options, 'storageEngineIndexType'));
      const unique = stringOf(prop(options, 'indexType'))?.toLowerCase() === 'unique';
      e.kw(`create${unique ? ' unique' : ''} index ${wrap(stringOf(s.args[1]) ?? knexName(raw, columns, 'index'))} on `).at(target.qualified, target.nameSpan);
      e.kw(`${using ? ` using ${using}` : ''} (${columnize(columns)})`);
      wherePredicate(e, prop(options, 'predicate'));
      return e.end();
    }
    case 'dropPrimary':
    case 'dropPrimaryIfExists':
      table().kw(` drop constraint ${s.method.endsWith('IfExists') ? 'if exists ' : ''}${wrap(stringOf(s.args[0]) ?? `${raw}_pkey`)}`);
      return e.end();
    case 'dropUnique':
    case 'dropUniqueIfExists':
    case 'dropForeign':
    case 'dropForeignIfExists': {
      const type = s.method.startsWith('dropUnique') ? 'unique' : 'foreign';
      const name = stringOf(s.args[1]) ?? (columns ? knexName(raw, columns, type) : undefined);
      if (!name) return;
      table().kw(` drop constraint ${s.method.endsWith('IfExists') ? 'if exists ' : ''}${wrap(name)}`);
      return e.end();
    }
    case 'dropIndex': {
      const name = stringOf(s.args[1]) ?? (columns ? knexName(raw, columns, 'index') : undefined);
      if (!name) return;
      e.kw(`drop index ${target.schema ? wrap(target.schema) + '.' : ''}${wrap(name)}`);
      return e.end();
    }
    case 'renameColumn': {
      const [from, to] = [stringOf(s.args[0]), stringOf(s.args[1])];
      if (from === undefined || to === undefined) return;
      table().kw(` rename ${wrap(from)} to ${wrap(to)}`);
      return e.end();
    }
    case 'dropColumn': {
      const dropped = s.args.length === 1 ? stringsOf(s.args[0]) : stringsOf({ kind: 'array', items: s.args, node: s.args[0]?.node });
      if (!dropped?.length) return;
      table().kw(' ' + dropped.map((c) => `drop column ${wrap(c)}`).join(', '));
      return e.end();
    }
    case 'setNullable':
    case 'dropNullable':
      if (!columns) return;
      table().kw(` alter column ${wrap(columns[0])} ${s.method === 'setNullable' ? 'drop not null' : 'set not null'}`);
      return e.end();
    default:
      return;
  }
}
