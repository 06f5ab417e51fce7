/**
 * TypeORM's query runner API, read statically: `createTable(new Table({...}))`, `createForeignKey(s)`,
 * `createIndex`, `addColumn`, drops and renames become the SQL TypeORM's PostgreSQL query runner sends, with
 * TypeORM's default names (`FK_` / `IDX_` / `PK_` / `UQ_` + a SHA-1 of table and sorted columns).
 */
import { createHash } from 'node:crypto';
import type { SourceProblem } from '../events';
import type { Span } from '../text';
import { MappedSql, quoteName } from './mappedSql';
import { spanOf, type Scope, type t } from './parse';
import { booleanOf, evaluate, numberOf, prop, propertyNode, stringOf, stringsOf, type JsValue } from './values';

export const TYPEORM_METHODS = new Set([
  'createTable', 'createForeignKey', 'createForeignKeys', 'createIndex', 'createIndices', 'dropForeignKey', 'dropForeignKeys',
  'dropTable', 'dropIndex', 'addColumn', 'addColumns', 'dropColumn', 'dropColumns', 'renameColumn', 'renameTable',
  'createPrimaryKey', 'createUniqueConstraint', 'createUniqueConstraints',
]);

export interface TypeormResult {
  units: MappedSql[];
  problems: SourceProblem[];
}

const quote = quoteName;
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
/** DefaultNamingStrategy: the table's own name (no schema) and the sorted columns, hashed. */
const defaultName = (prefix: string, length: number, table: string, columns: string[], where?: string) =>
  prefix + sha1(`${table.split('.').pop()}_${[...columns].sort().join('_')}${where ? `_${where}` : ''}`).slice(0, length);

/** `"schema"."table"` unless the schema is the default one, as TypeORM's escapePath writes it. */
function tablePath(name: string, schema?: string): string {
  const parts = name.split('.');
  const own = parts.pop()!;
  const s = schema ?? (parts.length ? parts.join('.') : undefined);
  return s && s !== 'public' ? `${quote(s)}.${quote(own)}` : quote(own);
}

/** Undefined when the call is not a TypeORM form FK Lens can read (e.g. Sequelize's createTable(name, attributes)). */
export function typeormCall(method: string, call: t.CallExpression, scope: Scope): TypeormResult | undefined {
  const args = call.arguments.map((a) => evaluate(a, scope));
  const out = new MappedSql();
  const span = spanOf(call);
  const kw = (text: string, at: Span = span) => out.atomic(text, at);
  const end = () => kw(';\n');
  const table = tableOf(args[0]);
  if (method === 'createTable') {
    if (args[0]?.kind !== 'new' || args[0].className !== 'Table' || !table) return undefined;
    createTable(out, args[0].arg, table, span, booleanOf(args[1]) ?? false, booleanOf(args[2]) ?? true, booleanOf(args[3]) ?? true);
    return { units: [out], problems: [] };
  }
  if (!table) return undefined;
  const path = tablePath(table.name, table.schema);
  const alter = () => kw('ALTER TABLE ').atomic(path, spanOf(args[0].node)).atomic(' ', span);
  const items = (v: JsValue | undefined) => (v?.kind === 'array' ? v.items : v ? [v] : []);
  switch (method) {
    case 'createForeignKey':
    case 'createForeignKeys':
      for (const fk of items(args[1])) {
        const options = optionsOf(fk, 'TableForeignKey');
        if (!options) continue;
        alter().atomic('ADD ', spanOf(fk.node));
        foreignKey(out, options, table.name, spanOf(fk.node));
        end();
      }
      break;
    case 'createIndex':
    case 'createIndices':
      for (const index of items(args[1])) {
        const options = optionsOf(index, 'TableIndex');
        if (options) createIndex(out, options, table, spanOf(index.node));
      }
      break;
    case 'createUniqueConstraint':
    case 'createUniqueConstraints':
      for (const unique of items(args[1])) {
        const options = optionsOf(unique, 'TableUnique');
        const columns = stringsOf(prop(options, 'columnNames'));
        if (!options || !columns) continue;
        alter().atomic(`ADD CONSTRAINT ${quote(stringOf(prop(options, 'name')) ?? defaultName('UQ_', 27, table.name, columns))} UNIQUE (${columns.map(quote).join(', ')})`, spanOf(unique.node));
        end();
      }
      break;
    case 'createPrimaryKey': {
      const columns = stringsOf(args[1]);
      if (!columns) return undefined;
      alter().atomic(`ADD CONSTRAINT ${quote(stringOf(args[2]) ?? defaultName('PK_', 27, table.name, columns))} PRIMARY KEY (${columns.map(quote).join(', ')})`, span);
      end();
      break;
    }
    case 'dropForeignKey':
    case 'dropForeignKeys':
      for (const fk of items(args[1])) {
        const options = optionsOf(fk, 'TableForeignKey');
        const columns = stringsOf(prop(options, 'columnNames'));
        const name = stringOf(fk) ?? stringOf(prop(options, 'name')) ?? (columns ? defaultName('FK_', 27, table.name, columns) : undefined);
        if (!name) continue;
        alter().atomic(`DROP CONSTRAINT ${booleanOf(args[2]) ? 'IF EXISTS ' : ''}${quote(name)}`, spanOf(fk.node));
        end();
      }
      break;
    case 'dropIndex': {
      const options = optionsOf(args[1], 'TableIndex');
      const name = stringOf(args[1]) ?? stringOf(prop(options, 'name'));
      if (!name) return undefined;
      kw(`DROP INDEX ${table.schema ? quote(table.schema) + '.' : ''}${quote(name)}`);
      end();
      break;
    }
    case 'dropTable':
      kw(`DROP TABLE ${booleanOf(args[1]) ? 'IF EXISTS ' : ''}`).atomic(path, spanOf(args[0].node));
      end();
      break;
    case 'addColumn':
    case 'addColumns':
      for (const column of items(args[1])) {
        const options = optionsOf(column, 'TableColumn');
        if (!options) continue;
        alter().atomic('ADD ', spanOf(column.node));
        columnDefinition(out, options, table.name, spanOf(column.node));
        end();
        const name = stringOf(prop(options, 'name'));
        if (name && booleanOf(prop(options, 'isUnique'))) {
          alter().atomic(`ADD CONSTRAINT ${quote(defaultName('UQ_', 27, table.name, [name]))} UNIQUE (${quote(name)})`, spanOf(column.node));
          end();
        }
      }
      break;
    case 'dropColumn':
    case 'dropColumns':
      for (const column of items(args[1])) {
        const name = stringOf(column) ?? stringOf(prop(optionsOf(column, 'TableColumn'), 'name'));
        if (!name) continue;
        alter().atomic(`DROP COLUMN ${quote(name)}`, spanOf(column.node));
        end();
      }
      break;
    case 'renameColumn': {
      const from = stringOf(args[1]) ?? stringOf(prop(optionsOf(args[1], 'TableColumn'), 'name'));
      const to = stringOf(args[2]) ?? stringOf(prop(optionsOf(args[2], 'TableColumn'), 'name'));
      if (!from || !to) return undefined;
      alter().atomic(`RENAME COLUMN ${quote(from)} TO ${quote(to)}`, span);
      end();
      break;
    }
    case 'renameTable': {
      const to = stringOf(args[1]);
      if (!to) return undefined;
      alter().atomic(`RENAME TO ${quote(to.split('.').pop()!)}`, spanOf(args[1].node));
      end();
      break;
    }
    default:
      return undefined;
  }
  return { units: out.text ? [out] : [], problems: [] };
}

/** A table argument: a name, or a `new Table({ name })`. */
function tableOf(v: JsValue | undefined): { name: string; schema?: string } | undefined {
  const name = stringOf(v);
  if (name !== undefined) return { name };
  const options = optionsOf(v, 'Table');
  const own = stringOf(prop(options, 'name'));
  return own === undefined ? undefined : { name: own, schema: stringOf(prop(options, 'schema')) };
}

/** The options object of `new Class({...})`, or a plain object literal used in its place. */
function optionsOf(v: JsValue | undefined, className: string): JsValue | undefined {
  if (v?.kind === 'new' && v.className === className) return v.arg;
  if (v?.kind === 'object') return v;
  return undefined;
}

function createTable(out: MappedSql, options: JsValue | undefined, table: { name: string; schema?: string }, span: Span, ifNotExists: boolean, withForeignKeys: boolean, withIndices: boolean): void {
  const kw = (text: string, at: Span = span) => out.atomic(text, at);
  const nameNode = prop(options, 'name')!.node;
  const columns = prop(options, 'columns')?.kind === 'array' ? (prop(options, 'columns') as { items: JsValue[] }).items : [];
  kw(`CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}`).atomic(tablePath(table.name, table.schema), spanOf(nameNode)).atomic(' (', span);
  columns.forEach((column, i) => {
    if (i > 0) kw(', ');
    columnDefinition(out, optionsOf(column, 'TableColumn'), table.name, spanOf(column.node));
  });
  const list = (key: string, className: string) => {
    const v = prop(options, key);
    return (v?.kind === 'array' ? v.items : []).map((item) => ({ item, options: optionsOf(item, className) })).filter((x) => x.options);
  };
  const uniques = list('uniques', 'TableUnique').map(({ item, options: o }) => ({ columns: stringsOf(prop(o, 'columnNames')) ?? [], name: stringOf(prop(o, 'name')), span: spanOf(item.node) }));
  for (const column of columns) {
    const o = optionsOf(column, 'TableColumn');
    const name = stringOf(prop(o, 'name'));
    if (name && booleanOf(prop(o, 'isUnique')) && !uniques.some((u) => u.columns.length === 1 && u.columns[0] === name)) {
      uniques.push({ columns: [name], name: undefined, span: spanOf(column.node) });
    }
  }
  for (const u of uniques) kw(`, CONSTRAINT ${quote(u.name ?? defaultName('UQ_', 27, table.name, u.columns))} UNIQUE (${u.columns.map(quote).join(', ')})`, u.span);
  if (withForeignKeys) {
    for (const { item, options: o } of list('foreignKeys', 'TableForeignKey')) {
      kw(', ', spanOf(item.node));
      foreignKey(out, o!, table.name, spanOf(item.node));
    }
  }
  const primary = columns.map((c) => optionsOf(c, 'TableColumn')).filter((o) => booleanOf(prop(o, 'isPrimary')));
  if (primary.length) {
    const names = primary.map((o) => stringOf(prop(o, 'name')) ?? '');
    const name = stringOf(prop(primary[0], 'primaryKeyConstraintName')) ?? defaultName('PK_', 27, table.name, names);
    kw(`, CONSTRAINT ${quote(name)} PRIMARY KEY (${names.map(quote).join(', ')})`);
  }
  kw(');\n');
  if (withIndices) for (const { item, options: o } of list('indices', 'TableIndex')) createIndex(out, o!, table, spanOf(item.node));
}

function columnDefinition(out: MappedSql, o: JsValue | undefined, table: string, span: Span): void {
  const name = stringOf(prop(o, 'name')) ?? '?';
  const type = (stringOf(prop(o, 'type')) ?? 'text').toLowerCase();
  const at = (key: string) => (prop(o, key) ? spanOf(prop(o, key)!.node) : span);
  out.atomic(quote(name), at('name')).atomic(' ', span);
  const generated = booleanOf(prop(o, 'isGenerated'));
  const strategy = stringOf(prop(o, 'generationStrategy')) ?? 'increment';
  let sqlType = '';
  if (generated && strategy === 'identity') sqlType = `${type} GENERATED ${stringOf(prop(o, 'generatedIdentity')) ?? 'BY DEFAULT'} AS IDENTITY`;
  else if (generated && strategy !== 'uuid') sqlType = ({ integer: 'SERIAL', int: 'SERIAL', int4: 'SERIAL', smallint: 'SMALLSERIAL', int2: 'SMALLSERIAL', bigint: 'BIGSERIAL', int8: 'BIGSERIAL' } as Record<string, string>)[type] ?? type;
  else if (type === 'enum' || type === 'simple-enum') sqlType = quote(stringOf(prop(o, 'enumName')) ?? `${table.split('.').pop()}_${name}_enum`);
  else {
    const length = stringOf(prop(o, 'length')) ?? numberOf(prop(o, 'length'));
    const precision = numberOf(prop(o, 'precision'));
    const scale = numberOf(prop(o, 'scale'));
    sqlType = type + (length ? `(${length})` : precision !== undefined ? `(${precision}${scale !== undefined ? `,${scale}` : ''})` : '');
  }
  if (booleanOf(prop(o, 'isArray'))) sqlType += ' array';
  out.atomic(sqlType, at('type'));
  if (booleanOf(prop(o, 'isNullable')) !== true) out.atomic(' NOT NULL', at('isNullable'));
  const def = prop(o, 'default');
  if (def && def.kind !== 'null') out.atomic(` DEFAULT ${def.kind === 'string' || def.kind === 'number' ? String(def.value) : 'NULL'}`, at('default'));
  else if (generated && strategy === 'uuid') out.atomic(' DEFAULT gen_random_uuid()', at('generationStrategy'));
}

function foreignKey(out: MappedSql, o: JsValue, table: string, span: Span): void {
  const columns = stringsOf(prop(o, 'columnNames')) ?? [];
  const refColumns = stringsOf(prop(o, 'referencedColumnNames')) ?? [];
  const refTable = stringOf(prop(o, 'referencedTableName')) ?? '?';
  const at = (key: string) => (prop(o, key) ? spanOf(prop(o, key)!.node) : span);
  out.atomic(`CONSTRAINT ${quote(stringOf(prop(o, 'name')) ?? defaultName('FK_', 27, table, columns))} FOREIGN KEY (`, span);
  out.atomic(columns.map(quote).join(', '), at('columnNames')).atomic(') REFERENCES ', span);
  out.atomic(tablePath(refTable, stringOf(prop(o, 'referencedSchema'))), at('referencedTableName')).atomic('(', span);
  out.atomic(refColumns.map(quote).join(','), at('referencedColumnNames')).atomic(')', span);
  for (const [key, words] of [['onDelete', 'ON DELETE'], ['onUpdate', 'ON UPDATE'], ['deferrable', 'DEFERRABLE']] as const) {
    const v = stringOf(prop(o, key));
    const property = propertyNode(o, key);
    if (v) out.atomic(` ${words} ${v}`, property ? spanOf(property) : span);
  }
}

function createIndex(out: MappedSql, o: JsValue, table: { name: string; schema?: string }, span: Span): void {
  const columns = stringsOf(prop(o, 'columnNames'));
  if (!columns) return;
  const where = stringOf(prop(o, 'where'));
  const name = stringOf(prop(o, 'name')) ?? defaultName('IDX_', 26, table.name, columns, where);
  out.atomic(`CREATE ${booleanOf(prop(o, 'isUnique')) ? 'UNIQUE ' : ''}INDEX${booleanOf(prop(o, 'isConcurrent')) ? ' CONCURRENTLY' : ''} ${quote(name)} ON ${tablePath(table.name, table.schema)}${booleanOf(prop(o, 'isSpatial')) ? ' USING GiST' : ''} (`, span);
  out.atomic(columns.map(quote).join(', '), prop(o, 'columnNames') ? spanOf(prop(o, 'columnNames')!.node) : span).atomic(`)${where ? ` WHERE ${where}` : ''};\n`, span);
}
