/**
 * Sequelize's query interface (`queryInterface.createTable(name, attributes)`, `addColumn`, `changeColumn`,
 * `addConstraint`, `addIndex`, ...), as sequelize-cli / umzug migrations call it, read statically: each call
 * becomes the SQL Sequelize 6's PostgreSQL query generator sends for it, every piece mapped to the JS expression
 * it came from. What it sends was found by running it (test/pg/js-migrations.test.ts keeps checking):
 * - createTable: `CREATE TABLE IF NOT EXISTS`, columns in object order as `"name" TYPE [NOT NULL] [DEFAULT x]
 *   [UNIQUE] [REFERENCES "t" ("key") [ON DELETE X] [ON UPDATE Y]]`, then `UNIQUE (...)` per `uniqueKeys` and
 *   `PRIMARY KEY (...)` of the `primaryKey` columns at the end. Keys are inline, so PostgreSQL names them
 *   (`<table>_<column>_fkey`, `_key`, `_pkey`); an FK without onDelete / onUpdate is NO ACTION / NO ACTION.
 *   `autoIncrement` makes INTEGER / BIGINT / SMALLINT a SERIAL / BIGSERIAL / SMALLSERIAL. A string `model` of a
 *   table in a schema is looked up in that schema.
 * - addColumn / removeColumn name the table `"public"."t"` (or its schema); addColumn ignores `primaryKey`.
 * - changeColumn sends SET / DROP NOT NULL, SET / DROP DEFAULT, `ADD UNIQUE`, and either `ADD FOREIGN KEY` (when the
 *   attribute has `references`: the type is then left alone) or `ALTER COLUMN ... TYPE`.
 * - addConstraint names keys `<table>_<fields>_<references.table>_fk`, `_uk`, `_pk` unless `name` is given.
 * - addIndex names indexes with inflection's underscore of `<table>_<fields>` (`userId` -> `user_id`).
 * - dropTable is `DROP TABLE IF EXISTS`, removeIndex `DROP INDEX IF EXISTS`.
 * Types: `Sequelize.STRING(n)` -> VARCHAR(n) (255), DATE -> TIMESTAMP WITH TIME ZONE, DATEONLY -> DATE, FLOAT ->
 * FLOAT, DOUBLE -> DOUBLE PRECISION, BLOB and `.BINARY` strings -> BYTEA, ENUM -> `"<schema>"."enum_<table>_<column>"`
 * (a type Sequelize creates first; FK Lens does not model types), a string type as written.
 * Anything only known at run time (a table name, an attribute object built in code, an action) is `unsupported`.
 */
import type { SourceProblem } from '../events';
import type { Span } from '../text';
import { MappedSql, sqlLiteral } from './mappedSql';
import { flattenChain, spanOf, unwrap, type Scope, type t } from './parse';
import { booleanOf, evaluate, numberOf, prop, propertyNode, stringOf, type JsValue } from './values';

export const SEQUELIZE_METHODS = new Set([
  'createTable', 'dropTable', 'renameTable', 'addColumn', 'removeColumn', 'renameColumn', 'changeColumn',
  'addConstraint', 'removeConstraint', 'addIndex', 'removeIndex', 'createSchema', 'dropSchema', 'dropAllTables', 'dropAllSchemas',
]);

export interface SequelizeResult {
  units: MappedSql[];
  problems: SourceProblem[];
}

/**
 * Is this file a Sequelize migration? `up(queryInterface, Sequelize)` (sequelize-cli), `up({ context })` (umzug),
 * a `QueryInterface` type annotation, or an import of sequelize itself.
 */
export function isSequelizeMigration(program: t.Program, ups: t.Function[]): boolean {
  for (const fn of ups) {
    const [first, second] = fn.params;
    if (second?.type === 'Identifier' && /sequelize|datatypes/i.test(second.name)) return true;
    if (first?.type === 'Identifier' && /^(queryInterface|qi)$/i.test(first.name)) return true;
    const annotation = first && 'typeAnnotation' in first ? first.typeAnnotation : undefined;
    if (annotation && /QueryInterface/.test(JSON.stringify(annotation, (k, v) => (k === 'loc' ? undefined : v)))) return true;
    if (first?.type === 'ObjectPattern' && first.properties.some((p) => p.type === 'ObjectProperty' && p.key.type === 'Identifier' && p.key.name === 'context' && p.value.type === 'Identifier' && /queryInterface|^qi$/i.test(p.value.name))) return true;
  }
  return program.body.some((s) => {
    if (s.type === 'ImportDeclaration') return /^(sequelize|@sequelize\/core)$/.test(s.source.value);
    if (s.type !== 'VariableDeclaration') return false;
    return s.declarations.some((d) => {
      const init = d.init && unwrap(d.init);
      const call = init && (init.type === 'MemberExpression' ? unwrap(init.object) : init);
      return call?.type === 'CallExpression' && call.callee.type === 'Identifier' && call.callee.name === 'require' &&
        call.arguments[0]?.type === 'StringLiteral' && /^(sequelize|@sequelize\/core)$/.test(call.arguments[0].value);
    });
  });
}

// ---- Names ---------------------------------------------------------------------------------------------------

/** Sequelize's `quoteIdentifier` for PostgreSQL drops `"` from a name instead of doubling it (not quoteName). */
const quote = (name: string) => `"${name.replace(/"/g, '')}"`;
/** `quoteIdentifiers`: each dot-separated part quoted. */
const quoteParts = (name: string) => name.split('.').map(quote).join('.');
const literal = sqlLiteral;
/** inflection's underscore (Sequelize's index names): `_` before every capital, a leading one dropped, lower case. */
const underscore = (s: string) => s.split('::').map((p) => p.replace(/([A-Z])/g, '_$1').replace(/^_/, '')).join('/').toLowerCase();

interface TableRef {
  name: string;
  schema?: string;
  /** Written as `{ tableName, schema }` (an object), not a string. */
  object: boolean;
  span: Span;
}

function tableRef(v: JsValue | undefined): TableRef | undefined {
  if (!v) return undefined;
  if (v.kind === 'string') return { name: v.value, object: false, span: spanOf(v.node) };
  if (v.kind !== 'object') return undefined;
  const name = stringOf(prop(v, 'tableName'));
  const schemaValue = prop(v, 'schema');
  const schema = stringOf(schemaValue);
  if (name === undefined || (schemaValue && schema === undefined)) return undefined;
  return { name, schema, object: true, span: spanOf(v.node) };
}

/** `quoteTable`: a string is one name (dots included), an object `"schema"."table"`. */
const quoteTable = (t: TableRef) => (t.schema ? `${quote(t.schema)}.${quote(t.name)}` : quote(t.name));
/** addConstraint / addIndex / removeConstraint: a string's dots separate schema and table. */
const quoteTableParts = (t: TableRef) => (t.object ? quoteTable(t) : quoteParts(t.name));
/** addColumn / removeColumn (`extractTableDetails`): always with a schema, `public` by default. */
const quoteWithSchema = (t: TableRef) => `${quote(t.schema ?? 'public')}.${quote(t.name)}`;

// ---- Types ---------------------------------------------------------------------------------------------------

interface SqlType {
  sql: string;
  /** ENUM values (the type is then the enum Sequelize creates for the column). */
  enumType?: boolean;
  array?: boolean;
}

const SIMPLE_TYPES: Record<string, string> = {
  TEXT: 'TEXT', CITEXT: 'CITEXT', TSVECTOR: 'TSVECTOR', TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', MEDIUMINT: 'MEDIUMINT',
  INTEGER: 'INTEGER', BIGINT: 'BIGINT', REAL: 'REAL', DOUBLE: 'DOUBLE PRECISION', 'DOUBLE PRECISION': 'DOUBLE PRECISION',
  DATE: 'TIMESTAMP WITH TIME ZONE', DATEONLY: 'DATE', TIME: 'TIME', BOOLEAN: 'BOOLEAN', UUID: 'UUID', JSON: 'JSON',
  JSONB: 'JSONB', BLOB: 'BYTEA', INET: 'INET', CIDR: 'CIDR', MACADDR: 'MACADDR', HSTORE: 'HSTORE',
};
const RANGES: Record<string, string> = { INTEGER: 'int4range', BIGINT: 'int8range', DECIMAL: 'numrange', NUMERIC: 'numrange', DATE: 'tstzrange', DATEONLY: 'daterange' };
const TYPE_NAMES = new Set([...Object.keys(SIMPLE_TYPES), 'STRING', 'CHAR', 'FLOAT', 'DECIMAL', 'NUMERIC', 'ENUM', 'ARRAY', 'RANGE', 'GEOMETRY', 'GEOGRAPHY']);
/** Modifiers PostgreSQL ignores (`INTEGER.UNSIGNED`); BINARY makes a string BYTEA. */
const TYPE_MODIFIERS = new Set(['UNSIGNED', 'ZEROFILL', 'BINARY']);

/** The SQL type of a type expression: `Sequelize.STRING(50)`, `DataTypes.ENUM('a')`, `INTEGER` (destructured), `'VARCHAR(5)'`. */
function sqlType(node: t.Node, scope: Scope, depth = 0): SqlType | undefined {
  const n = unwrap(node);
  if (depth > 8) return undefined;
  if (n.type === 'StringLiteral') return { sql: n.value };
  if (n.type === 'Identifier') {
    const init = scope.constant(n.name);
    if (init) return sqlType(init, scope, depth + 1);
    return TYPE_NAMES.has(n.name) ? typeOf(n.name, [], [], scope) : undefined;
  }
  // The chain: a namespace (`Sequelize`, `Sequelize.DataTypes`, `DataTypes`), the type, its arguments, modifiers.
  const { root, links } = flattenChain(n);
  const names: { name: string; call?: t.CallExpression }[] = [];
  if (root.type === 'Identifier') names.push({ name: root.name });
  else if (root.type === 'CallExpression' && root.callee.type === 'Identifier') names.push({ name: root.callee.name, call: root });
  else return undefined;
  names.push(...links.map((l) => ({ name: l.name, call: l.call })));
  const at = names.findIndex((x) => TYPE_NAMES.has(x.name));
  if (at < 0 || names.slice(0, at).some((x) => x.call)) return undefined;
  const modifiers = names.slice(at + 1);
  if (modifiers.some((m) => m.call || !TYPE_MODIFIERS.has(m.name))) return undefined;
  const args = names[at].call?.arguments.filter((a): a is t.Expression => a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder') ?? [];
  return typeOf(names[at].name, args, modifiers.map((m) => m.name), scope, depth);
}

function typeOf(name: string, args: t.Expression[], modifiers: string[], scope: Scope, depth = 0): SqlType | undefined {
  const values = args.map((a) => evaluate(a, scope));
  const length = (fallback?: number) => numberOf(values[0]) ?? numberOf(prop(values[0], 'length')) ?? fallback;
  const binary = modifiers.includes('BINARY') || booleanOf(prop(values[0], 'binary')) === true;
  switch (name) {
    case 'STRING':
      return { sql: binary ? 'BYTEA' : `VARCHAR(${length(255)})` };
    case 'CHAR':
      return { sql: binary ? 'BYTEA' : `CHAR(${length(255)})` };
    case 'FLOAT':
      return { sql: values.length === 1 && numberOf(values[0]) !== undefined ? `FLOAT(${numberOf(values[0])})` : 'FLOAT' };
    case 'DECIMAL':
    case 'NUMERIC': {
      const [p, s] = [numberOf(values[0]) ?? numberOf(prop(values[0], 'precision')), numberOf(values[1]) ?? numberOf(prop(values[0], 'scale'))];
      return { sql: p === undefined ? 'DECIMAL' : s === undefined ? `DECIMAL(${p})` : `DECIMAL(${p},${s})` };
    }
    case 'ENUM':
      return { sql: 'ENUM', enumType: true };
    case 'ARRAY': {
      const inner = args[0] && sqlType(args[0], scope, depth + 1);
      return inner ? { sql: `${inner.sql}[]`, enumType: inner.enumType, array: true } : undefined;
    }
    case 'RANGE': {
      const inner = args[0] && unwrap(args[0]);
      const innerName = inner ? flattenChain(inner).links.pop()?.name ?? (inner.type === 'Identifier' ? inner.name : undefined) : 'INTEGER';
      return innerName && RANGES[innerName] ? { sql: RANGES[innerName] } : undefined;
    }
    case 'GEOMETRY':
    case 'GEOGRAPHY': {
      const [kind, srid] = [stringOf(values[0]), numberOf(values[1])];
      return { sql: kind === undefined ? name : srid === undefined ? `${name}(${kind})` : `${name}(${kind},${srid})` };
    }
    default:
      return SIMPLE_TYPES[name] ? { sql: SIMPLE_TYPES[name] } : undefined;
  }
}

// ---- Attributes ----------------------------------------------------------------------------------------------

interface Piece {
  text: string;
  span: Span;
}

/** One attribute read: the pieces of its SQL, each with the JS range it stands for. */
interface Attribute {
  name: string;
  nameSpan: Span;
  span: Span;
  type: Piece;
  enumType: boolean;
  notNull?: Span;
  /** SERIAL / BIGSERIAL / SMALLSERIAL / identity, replacing or following the type. */
  serial?: Piece;
  default?: MappedSql;
  unique?: Span;
  primaryKey?: Span;
  references?: MappedSql;
}

type Read<T> = T | { unknown: string; span: Span };
const isUnknown = <T>(r: Read<T>): r is { unknown: string; span: Span } => typeof r === 'object' && r !== null && typeof (r as { unknown?: unknown }).unknown === 'string';

/**
 * `attributeToSQL` + `dataTypeMapping`: the attribute's type and options. `table` decides the schema of a string
 * `references.model` and the name of an ENUM's type.
 */
function readAttribute(name: string, nameSpan: Span, value: t.Node, table: TableRef, scope: Scope): Read<Attribute> {
  const node = unwrap(value);
  const span = spanOf(node);
  const spec = node.type === 'ObjectExpression' ? evaluate(node, scope) : undefined;
  if (node.type === 'ObjectExpression' && node.properties.some((p) => p.type !== 'ObjectProperty' || p.computed)) return { unknown: 'attribute', span };
  const typeNode = spec ? propertyNode(spec, 'type')?.value : node;
  if (!typeNode) return { unknown: 'type', span };
  const type = sqlType(typeNode, scope);
  if (!type) return { unknown: 'type', span: spanOf(typeNode) };
  const enumName = `${quote(table.schema ?? 'public')}.${quote(`enum_${table.name}_${name}`)}`;
  const typeText = type.enumType ? enumName + (type.array ? '[]' : '') : type.sql;
  const attr: Attribute = { name, nameSpan, span, type: { text: typeText, span: spanOf(typeNode) }, enumType: !!type.enumType };
  if (!spec) return attr;
  const at = (key: string) => spanOf(propertyNode(spec, key)!);
  const flag = (key: string): Read<boolean> => {
    const v = prop(spec, key);
    if (!v) return false;
    if (v.kind === 'boolean') return v.value;
    if (v.kind === 'null' || (v.kind === 'number' && v.value === 0) || (v.kind === 'string' && v.value === '')) return false;
    if (v.kind === 'number' || v.kind === 'string') return key === 'unique' ? false : true;
    return { unknown: key, span: at(key) };
  };
  const allowNull = prop(spec, 'allowNull');
  if (allowNull) {
    const allowed = flag('allowNull');
    if (isUnknown(allowed)) return allowed;
    if (!allowed) attr.notNull = at('allowNull');
  }
  const autoIncrement = flag('autoIncrement');
  if (isUnknown(autoIncrement)) return autoIncrement;
  if (autoIncrement) {
    const identity = flag('autoIncrementIdentity');
    if (isUnknown(identity)) return identity;
    if (identity) attr.serial = { text: 'GENERATED BY DEFAULT AS IDENTITY', span: at('autoIncrement') };
    else {
      // dataTypeMapping: SERIAL takes the integer type's place (and NOT NULL's).
      const kind = typeText.includes('BIGINT') ? 'BIGINT' : typeText.includes('SMALLINT') ? 'SMALLINT' : 'INTEGER';
      attr.serial = { text: kind === 'INTEGER' ? 'SERIAL' : kind.replace('INT', 'SERIAL'), span: at('autoIncrement') };
      attr.type.text = typeText.replace(kind, '').trim();
      attr.notNull = undefined;
    }
  }
  if (propertyNode(spec, 'defaultValue')) {
    const def = defaultSql(prop(spec, 'defaultValue')!, at('defaultValue'), scope);
    if (def) attr.default = def;
  }
  const unique = flag('unique');
  if (isUnknown(unique)) return unique;
  // Only `unique: true` makes a key here (a named unique is the model's business).
  if (unique && booleanOf(prop(spec, 'unique')) === true) attr.unique = at('unique');
  const primaryKey = flag('primaryKey');
  if (isUnknown(primaryKey)) return primaryKey;
  if (primaryKey) attr.primaryKey = at('primaryKey');
  const references = prop(spec, 'references');
  if (references) {
    const sql = referencesSql(spec, references, at('references'), table);
    if (isUnknown(sql)) return sql;
    attr.references = sql;
  }
  return attr;
}

/** ` REFERENCES "t" ("key") [ON DELETE X] [ON UPDATE Y] [DEFERRABLE ...]` of an attribute. */
function referencesSql(spec: JsValue, references: JsValue, span: Span, table: TableRef): Read<MappedSql> {
  if (references.kind !== 'object') return { unknown: 'references', span };
  const model = prop(references, 'model');
  const target = tableRef(model);
  if (!target) return { unknown: 'referenced table', span: model ? spanOf(model.node) : span };
  // A string model of a table in a schema is looked up in that schema.
  const schema = !target.object && table.schema ? table.schema : undefined;
  const refTable = schema ? `${quote(schema)}.${quote(target.name)}` : quoteTable(target);
  const keyValue = prop(references, 'key');
  const key = keyValue ? stringOf(keyValue) : 'id';
  if (key === undefined) return { unknown: 'referenced column', span: spanOf(keyValue!.node) };
  const out = new MappedSql().atomic(' REFERENCES ', span).atomic(refTable, target.span).atomic(' (', span);
  out.atomic(quoteParts(key), keyValue ? spanOf(keyValue.node) : span).atomic(')', span);
  for (const key of ['onDelete', 'onUpdate'] as const) {
    const v = prop(spec, key);
    if (!v || v.kind === 'null') continue;
    const action = stringOf(v);
    if (action === undefined) return { unknown: key === 'onDelete' ? 'ON DELETE action' : 'ON UPDATE action', span: spanOf(v.node) };
    out.atomic(` ${key === 'onDelete' ? 'ON DELETE' : 'ON UPDATE'} ${action.toUpperCase()}`, spanOf(propertyNode(spec, key)!));
  }
  const deferrable = prop(references, 'deferrable');
  if (deferrable) {
    const text = deferrableSql(deferrable);
    if (text === undefined) return { unknown: 'deferrable option', span: spanOf(deferrable.node) };
    out.atomic(` ${text}`, spanOf(deferrable.node));
  }
  return out;
}

/** `Sequelize.Deferrable.INITIALLY_DEFERRED` (or called, `new`). */
function deferrableSql(v: JsValue): string | undefined {
  let n = unwrap(v.node);
  if (n.type === 'NewExpression' || n.type === 'CallExpression') n = unwrap(n.callee);
  const name = flattenChain(n).links.pop()?.name;
  return name === 'INITIALLY_DEFERRED' ? 'DEFERRABLE INITIALLY DEFERRED' : name === 'INITIALLY_IMMEDIATE' ? 'DEFERRABLE INITIALLY IMMEDIATE' : name === 'NOT' ? 'NOT DEFERRABLE' : undefined;
}

/** ` DEFAULT x`, or nothing for defaults Sequelize fills in itself (NOW, UUIDV4) and `undefined`. */
function defaultSql(v: JsValue, span: Span, scope: Scope): MappedSql | undefined {
  const out = new MappedSql();
  const value = defaultText(v, scope);
  if (value === null) return undefined;
  out.atomic(' DEFAULT ', span);
  return value === undefined ? out.unknown(span) : out.atomic(value, span);
}

/** The default's SQL; null when Sequelize sends none; undefined when only known at run time. */
function defaultText(v: JsValue, scope: Scope): string | null | undefined {
  switch (v.kind) {
    case 'string':
      return literal(v.value);
    case 'number':
      return String(v.value);
    case 'boolean':
      return String(v.value);
    case 'null':
      return 'NULL';
    default:
      break;
  }
  const n = unwrap(v.node);
  if (n.type === 'Identifier' && n.name === 'undefined') return null;
  const { links } = flattenChain(n.type === 'NewExpression' ? n.callee : n);
  const last = links[links.length - 1];
  if (!last) return undefined;
  if (!last.call && /^(NOW|UUIDV1|UUIDV4)$/.test(last.name)) return null;
  if (last.call && last.name === 'literal') return stringOf(evaluate(last.call.arguments[0] ?? n, scope));
  if (last.call && last.name === 'fn') {
    const [fn, ...args] = last.call.arguments.map((a) => evaluate(a, scope));
    const name = stringOf(fn);
    const parts = args.map((a) => (a.kind === 'string' ? literal(a.value) : a.kind === 'number' ? String(a.value) : undefined));
    return name !== undefined && parts.every((p) => p !== undefined) ? `${name}(${parts.join(', ')})` : undefined;
  }
  return undefined;
}

/** The column definition: `TYPE [NOT NULL] [SERIAL] [DEFAULT x] [UNIQUE] [REFERENCES ...]` (PRIMARY KEY goes to the table). */
function definition(out: MappedSql, a: Attribute): void {
  if (a.type.text) out.atomic(a.type.text, a.type.span);
  if (a.notNull) out.atomic(' NOT NULL', a.notNull);
  if (a.serial) out.atomic(` ${a.serial.text}`, a.serial.span);
  if (a.default) out.append(a.default);
  if (a.unique) out.atomic(' UNIQUE', a.unique);
  if (a.references) out.append(a.references);
}

/** The attributes of a createTable, in object order. */
function readAttributes(value: JsValue | undefined, table: TableRef, scope: Scope): Read<Attribute[]> {
  const node = value && unwrap(value.node);
  if (!value || value.kind !== 'object' || node?.type !== 'ObjectExpression') return { unknown: 'attributes', span: value ? spanOf(value.node) : table.span };
  const out: Attribute[] = [];
  for (const p of node.properties) {
    if (p.type !== 'ObjectProperty' || p.computed) return { unknown: 'attributes', span: spanOf(p) };
    const name = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'StringLiteral' ? p.key.value : undefined;
    if (name === undefined) return { unknown: 'attributes', span: spanOf(p) };
    const spec = evaluate(p.value, scope);
    // `field` renames the column (attributesToSQL keys by it).
    const field = stringOf(prop(spec, 'field'));
    const a = readAttribute(field ?? name, spanOf(p.key), p.value, table, scope);
    if (isUnknown(a)) return a;
    a.span = spanOf(p);
    out.push(a);
  }
  return out;
}

// ---- Calls ---------------------------------------------------------------------------------------------------

export function sequelizeCall(method: string, call: t.CallExpression, scope: Scope): SequelizeResult | undefined {
  const nodes = call.arguments.filter((a): a is t.Expression => a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder');
  if (nodes.length < call.arguments.length) return unknown(spanOf(call), 'arguments');
  const args = nodes.map((a) => evaluate(a, scope));
  const span = spanOf(call);
  const out = new MappedSql();
  const kw = (text: string, at: Span = span) => out.atomic(text, at);
  const end = () => kw(';\n');
  const name = (i: number) => {
    const value = stringOf(args[i]);
    return value === undefined ? undefined : { value, span: spanOf(nodes[i]) };
  };
  // Which tables these drop is only known to the database.
  if (method === 'dropAllTables' || method === 'dropAllSchemas') return unknown(span, `tables (\`${method}\` drops whatever the database holds)`);
  if (method === 'createSchema' || method === 'dropSchema') {
    const schema = name(0);
    if (!schema) return unknown(span, 'schema name');
    kw(method === 'createSchema' ? 'CREATE SCHEMA IF NOT EXISTS ' : 'DROP SCHEMA IF EXISTS ').atomic(quote(schema.value), schema.span).atomic(method === 'dropSchema' ? ' CASCADE' : '', span);
    end();
    return { units: [out], problems: [] };
  }
  let table = tableRef(args[0]);
  if (!table) return unknown(args[0] ? spanOf(args[0].node) : span, 'table name');
  switch (method) {
    case 'createTable': {
      const options = args[2];
      if (!table.schema && stringOf(prop(options, 'schema'))) table = { ...table, schema: stringOf(prop(options, 'schema')), object: true };
      const attributes = readAttributes(args[1], table, scope);
      if (isUnknown(attributes)) return unknown(attributes.span, attributes.unknown);
      kw('CREATE TABLE IF NOT EXISTS ').atomic(quoteTable(table), table.span).atomic(' (', span);
      attributes.forEach((a, i) => {
        if (i > 0) kw(', ', a.span);
        out.atomic(quote(a.name), a.nameSpan).atomic(' ', a.span);
        definition(out, a);
      });
      const uniqueKeys = prop(options, 'uniqueKeys');
      if (uniqueKeys?.kind === 'object') {
        for (const [, key] of uniqueKeys.props) {
          const fields = key.kind === 'object' ? stringList(prop(key, 'fields')) : undefined;
          if (!fields) return unknown(spanOf(key.node), 'unique key');
          if (booleanOf(prop(key, 'customIndex')) === false) continue;
          kw(`, UNIQUE (${fields.map(quote).join(', ')})`, spanOf(key.node));
        }
      } else if (uniqueKeys) return unknown(spanOf(uniqueKeys.node), 'unique keys');
      const primary = attributes.filter((a) => a.primaryKey);
      if (primary.length) kw(`, PRIMARY KEY (${primary.map((a) => quote(a.name)).join(',')})`, primary[0].primaryKey);
      kw(')');
      end();
      break;
    }
    case 'addColumn': {
      const column = name(1);
      if (!column || !nodes[2]) return unknown(nodes[1] ? spanOf(nodes[1]) : span, 'column');
      const a = readAttribute(column.value, column.span, nodes[2], table, scope);
      if (isUnknown(a)) return unknown(a.span, a.unknown);
      kw('ALTER TABLE ').atomic(quoteWithSchema(table), table.span).atomic(' ADD COLUMN ', span).atomic(quote(a.name), column.span).atomic(' ', span);
      definition(out, a);
      end();
      break;
    }
    case 'removeColumn': {
      const column = name(1);
      if (!column) return unknown(nodes[1] ? spanOf(nodes[1]) : span, 'column name');
      kw('ALTER TABLE ').atomic(quoteWithSchema(table), table.span).atomic(' DROP COLUMN ', span).atomic(quote(column.value), column.span);
      end();
      break;
    }
    case 'renameColumn': {
      const [from, to] = [name(1), name(2)];
      if (!from || !to) return unknown(span, 'column name');
      kw('ALTER TABLE ').atomic(quoteTable(table), table.span).atomic(' RENAME COLUMN ', span).atomic(quote(from.value), from.span).atomic(' TO ', span).atomic(quote(to.value), to.span);
      end();
      break;
    }
    case 'changeColumn':
      return changeColumn(out, table, name(1), nodes[2], span, scope);
    case 'renameTable': {
      const to = tableRef(args[1]);
      if (!to) return unknown(nodes[1] ? spanOf(nodes[1]) : span, 'table name');
      // `RENAME TO "schema"."t"` is not SQL PostgreSQL accepts: the call fails when it runs.
      if (to.schema) return unknown(to.span, 'new table name (with a schema)');
      kw('ALTER TABLE ').atomic(quoteTable(table), table.span).atomic(' RENAME TO ', span).atomic(quoteTable(to), to.span);
      end();
      break;
    }
    case 'dropTable': {
      const cascade = booleanOf(prop(args[1], 'cascade')) === true || booleanOf(prop(args[1], 'force')) === true;
      kw('DROP TABLE IF EXISTS ').atomic(quoteTable(table), table.span).atomic(cascade ? ' CASCADE' : '', args[1] ? spanOf(args[1].node) : span);
      end();
      break;
    }
    case 'addConstraint':
      return addConstraint(out, table, args[1], span);
    case 'removeConstraint': {
      const constraint = name(1);
      if (!constraint) return unknown(nodes[1] ? spanOf(nodes[1]) : span, 'constraint name');
      kw('ALTER TABLE ').atomic(quoteTableParts(table), table.span).atomic(' DROP CONSTRAINT ', span).atomic(quoteParts(constraint.value), constraint.span);
      end();
      break;
    }
    case 'addIndex':
      return addIndex(out, table, args[1], args[2], span);
    case 'removeIndex': {
      const fields = stringList(args[1]);
      const index = stringOf(args[1]) ?? (fields && !table.object ? underscore(`${table.name}_${fields.join('_')}`) : undefined);
      if (index === undefined) return unknown(nodes[1] ? spanOf(nodes[1]) : span, 'index name');
      const concurrently = booleanOf(prop(args[2], 'concurrently')) === true;
      kw(`DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS `).atomic(quoteParts(index), spanOf(nodes[1]));
      end();
      break;
    }
    default:
      return undefined;
  }
  return { units: [out], problems: [] };
}

/** Strings, or `{ name }` / `{ attribute }` objects (index fields); undefined when any is not known. */
function stringList(v: JsValue | undefined): string[] | undefined {
  if (v?.kind !== 'array') return undefined;
  const out = v.items.map((i) => stringOf(i) ?? stringOf(prop(i, 'attribute')) ?? stringOf(prop(i, 'name')));
  return out.every((s): s is string => s !== undefined) ? out : undefined;
}

function changeColumn(out: MappedSql, table: TableRef, column: { value: string; span: Span } | undefined, node: t.Node | undefined, span: Span, scope: Scope): SequelizeResult {
  if (!column || !node) return unknown(span, 'column');
  const a = readAttribute(column.value, column.span, node, table, scope);
  if (isUnknown(a)) return unknown(a.span, a.unknown);
  // Sequelize 6 sends SQL PostgreSQL rejects for these (the default swallows what follows it; SERIAL is no type).
  if ((a.default && (a.unique || a.references)) || a.serial) return unknown(a.span, 'column change (Sequelize sends invalid SQL for it)');
  const alter = (what: string, at: Span) => out.atomic('ALTER TABLE ', span).atomic(quoteTable(table), table.span).atomic(' ALTER COLUMN ', span).atomic(quote(a.name), column.span).atomic(what, at).atomic(';\n', span);
  const addTo = () => out.atomic('ALTER TABLE ', span).atomic(quoteTable(table), table.span).atomic('  ', span);
  if (a.notNull) alter(' SET NOT NULL', a.notNull);
  else if (!a.references) alter(' DROP NOT NULL', span);
  if (a.default) out.atomic('ALTER TABLE ', span).atomic(quoteTable(table), table.span).atomic(' ALTER COLUMN ', span).atomic(quote(a.name), column.span).atomic(' SET', span).append(a.default).atomic(';\n', span);
  else if (!a.references) alter(' DROP DEFAULT', span);
  let type = a.type.text;
  if (a.enumType) type = `${quote(`enum_${table.name}_${a.name}`)}${type.endsWith('[]') ? '[]' : ''} USING (${quote(a.name)}::${type})`;
  if (a.unique) addTo().atomic(`ADD UNIQUE (${quote(a.name)})`, a.unique).atomic(';\n', span);
  if (a.references) addTo().atomic('ADD FOREIGN KEY (', span).atomic(quote(a.name), column.span).atomic(')', span).append(a.references).atomic(';\n', span);
  else alter(` TYPE ${type}`, a.type.span);
  return { units: [out], problems: [] };
}

/** `addConstraint(table, { type, fields, name, references: { table, field }, onDelete, onUpdate, deferrable })`. */
function addConstraint(out: MappedSql, table: TableRef, options: JsValue | undefined, span: Span): SequelizeResult {
  if (options?.kind === 'array') return unknown(spanOf(options.node), 'constraint (the `addConstraint(table, fields, options)` form of Sequelize 4 and 5; Sequelize 6 rejects it)');
  if (options?.kind !== 'object') return unknown(options ? spanOf(options.node) : span, 'constraint');
  const at = (key: string) => (propertyNode(options, key) ? spanOf(propertyNode(options, key)!) : span);
  const type = stringOf(prop(options, 'type'))?.toUpperCase();
  const fields = stringList(prop(options, 'fields'));
  if (!type || !fields) return unknown(!type ? at('type') : at('fields'), 'constraint');
  const quotedTable = quoteTableParts(table);
  const fieldList = fields.map(quote);
  // The default name is built from the quoted names, then stripped of quotes.
  const named = (suffix: string) => {
    const given = prop(options, 'name');
    if (given) return stringOf(given) !== undefined ? quote(stringOf(given)!) : undefined;
    return quote(`${quotedTable}_${fieldList.join('_')}_${suffix}`);
  };
  const head = () => out.atomic('ALTER TABLE ', span).atomic(quotedTable, table.span).atomic(' ADD CONSTRAINT ', span);
  const deferrable = prop(options, 'deferrable');
  const deferText = deferrable ? deferrableSql(deferrable) : '';
  if (deferText === undefined) return unknown(at('deferrable'), 'deferrable option');
  switch (type) {
    case 'UNIQUE':
    case 'PRIMARY KEY': {
      const constraintName = named(type === 'UNIQUE' ? 'uk' : 'pk');
      if (!constraintName) return unknown(at('name'), 'constraint name');
      head().atomic(constraintName, at('name')).atomic(` ${type} (${fieldList.join(', ')})`, at('fields'));
      break;
    }
    case 'FOREIGN KEY': {
      const references = prop(options, 'references');
      const refTableValue = prop(references, 'table');
      const refTable = tableRef(refTableValue);
      const field = prop(references, 'field');
      const refFields = field ? (stringOf(field) !== undefined ? [stringOf(field)!] : undefined) : stringList(prop(references, 'fields'));
      if (!refTable || !refFields) return unknown(at('references'), 'referenced table or columns');
      // `${references.table}` of an object is "[object Object]".
      const constraintName = named(`${refTable.object ? '[object Object]' : refTable.name}_fk`);
      if (!constraintName) return unknown(at('name'), 'constraint name');
      head().atomic(constraintName, at('name')).atomic(` FOREIGN KEY (${fieldList.join(', ')})`, at('fields'));
      out.atomic(' REFERENCES ', at('references')).atomic(quoteTable(refTable), spanOf(refTableValue!.node)).atomic(` (${refFields.map(quote).join(', ')})`, at('references'));
      for (const key of ['onUpdate', 'onDelete'] as const) {
        const v = prop(options, key);
        if (!v || v.kind === 'null') continue;
        const action = stringOf(v);
        if (action === undefined) return unknown(at(key), key === 'onDelete' ? 'ON DELETE action' : 'ON UPDATE action');
        out.atomic(` ${key === 'onDelete' ? 'ON DELETE' : 'ON UPDATE'} ${action.toUpperCase()}`, at(key));
      }
      break;
    }
    default:
      // CHECK (a where object) and anything else.
      return unknown(at('type'), `${type.toLowerCase()} constraint`);
  }
  if (deferText) out.atomic(` ${deferText}`, at('deferrable'));
  out.atomic(';\n', span);
  return { units: [out], problems: [] };
}

/** `addIndex(table, fields, options)` / `addIndex(table, options)`. */
function addIndex(out: MappedSql, table: TableRef, second: JsValue | undefined, third: JsValue | undefined, span: Span): SequelizeResult {
  const options = second?.kind === 'array' ? third : second;
  const fieldsValue = second?.kind === 'array' ? second : prop(options, 'fields');
  if (fieldsValue?.kind !== 'array' || (options && options.kind !== 'object')) return unknown(second ? spanOf(second.node) : span, 'index');
  const at = (key: string) => (options && propertyNode(options, key) ? spanOf(propertyNode(options, key)!) : span);
  const fields: string[] = [];
  const names: string[] = [];
  for (const item of fieldsValue.items) {
    // The SQL names `attribute` first, the default index name `name` first.
    const column = stringOf(item) ?? stringOf(prop(item, 'attribute')) ?? stringOf(prop(item, 'name'));
    const name = stringOf(item) ?? stringOf(prop(item, 'name')) ?? stringOf(prop(item, 'attribute'));
    if (column === undefined || name === undefined) return unknown(spanOf(item.node), 'index field');
    let text = quote(column);
    if (item.kind === 'object') {
      const [collate, operator, order] = ['collate', 'operator', 'order'].map((k) => prop(item, k));
      if ([collate, operator, order].some((v) => v && stringOf(v) === undefined)) return unknown(spanOf(item.node), 'index field');
      if (collate) text += ` COLLATE ${quote(stringOf(collate)!)}`;
      if (operator || prop(options, 'operator')) text += ` ${stringOf(operator) ?? stringOf(prop(options, 'operator'))}`;
      if (order) text += ` ${stringOf(order)}`;
    } else if (prop(options, 'operator')) text += ` ${stringOf(prop(options, 'operator'))}`;
    fields.push(text);
    names.push(name);
  }
  const given = prop(options, 'name');
  if (given && stringOf(given) === undefined) return unknown(at('name'), 'index name');
  const givenPrefix = stringOf(prop(options, 'prefix'));
  const prefix = givenPrefix === undefined && table.object ? table.name : (givenPrefix ?? table.name).replace(/\./g, '_').replace(/["']/g, '');
  const name = stringOf(given) ?? underscore(`${prefix}_${names.join('_')}`);
  const type = stringOf(prop(options, 'type'))?.toUpperCase();
  const unique = booleanOf(prop(options, 'unique')) === true || type === 'UNIQUE';
  const using = stringOf(prop(options, 'using'));
  const concurrently = booleanOf(prop(options, 'concurrently')) === true;
  out.atomic(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}`, unique ? at(prop(options, 'unique') ? 'unique' : 'type') : span);
  out.atomic(quoteParts(name), at('name')).atomic(' ON ', span).atomic(quoteTableParts(table), table.span);
  if (using) out.atomic(` USING ${using}`, at('using'));
  out.atomic(` (${fields.join(', ')})`, spanOf(fieldsValue.node));
  const where = prop(options, 'where');
  if (where) {
    out.atomic(' WHERE ', at('where'));
    const predicate = whereSql(where);
    if (predicate === undefined) out.unknown(at('where'));
    else out.atomic(predicate, at('where'));
  }
  out.atomic(';\n', span);
  return { units: [out], problems: [] };
}

/** A `where` of plain equalities (`{ deletedAt: null, kind: 'a' }`); undefined for operators and the rest. */
function whereSql(where: JsValue): string | undefined {
  const node = unwrap(where.node);
  if (where.kind !== 'object' || node.type !== 'ObjectExpression' || node.properties.some((p) => p.type !== 'ObjectProperty' || p.computed)) return undefined;
  const parts: string[] = [];
  for (const [key, v] of where.props) {
    if (v.kind === 'null') parts.push(`${quote(key)} IS NULL`);
    else if (v.kind === 'string') parts.push(`${quote(key)} = ${literal(v.value)}`);
    else if (v.kind === 'number' || v.kind === 'boolean') parts.push(`${quote(key)} = ${v.value}`);
    else return undefined;
  }
  return parts.length ? parts.join(' AND ') : undefined;
}

function unknown(span: Span, what: string): SequelizeResult {
  return {
    units: [],
    problems: [{
      severity: 'info',
      code: 'unsupported',
      message: `FK Lens could not read the ${what} of this Sequelize call (only known when the migration runs, or a form it does not read); what it changes is not in the model.`,
      span,
    }],
  };
}
