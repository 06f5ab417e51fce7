/**
 * db-migrate's builder API (`db.createTable(name, columns)`, `addColumn`, `addForeignKey`, `addIndex`, ...),
 * read statically: each call becomes the SQL db-migrate-pg 1.5 sends for it, every piece mapped to the JS
 * expression it came from. What it sends was found by running it (test/pg/db-migrate.test.ts keeps checking):
 * - a table's columns in object order, `"name" TYPE (length) [WITH TIME ZONE] [SERIAL|BIGSERIAL] [PRIMARY KEY]
 *   [NOT NULL] [UNIQUE] [DEFAULT x]`; SERIAL replaces the type of a `primaryKey` + `autoIncrement` column;
 *   PRIMARY KEY inline for one key column, `PRIMARY KEY (a, b)` at the end for several (never from addColumn);
 * - a column's `foreignKey: { name, table, mapping, rules }` as `ALTER TABLE ... ADD CONSTRAINT "<name>"` after
 *   the table, the columns' keys in reverse order; an unnamed key is named `undefined`; `mapping` is the
 *   referenced column (a string) or `{ column: refColumn }`; rules are copied as written, NO ACTION by default;
 * - names are quoted whole (`'a.b'` is one table named `a.b`); string defaults are quoted, numbers, booleans,
 *   `{ raw }`, `{ special: 'CURRENT_TIMESTAMP' }` and `new String(x)` are not;
 * - changeColumn always sets or drops NOT NULL and the default, adds or drops `<table>_<column>_key` for
 *   `unique: true | false`, and changes the type `USING "col"::TYPE`.
 * A call whose shape is not db-migrate's (Sequelize's `queryInterface.createTable`, TypeORM's `new Table`)
 * returns undefined, so the caller can try the others.
 */
import type { SourceProblem } from '../events';
import type { Span } from '../text';
import { MappedSql, quoteName } from './mappedSql';
import { spanOf, unwrap, type Scope, type t } from './parse';
import { booleanOf, evaluate, numberOf, prop, propertyNode, stringOf, stringsOf, type JsValue } from './values';

export const DB_MIGRATE_METHODS = new Set([
  'createTable', 'dropTable', 'renameTable', 'addColumn', 'removeColumn', 'renameColumn', 'changeColumn',
  'addForeignKey', 'removeForeignKey', 'addIndex', 'removeIndex',
]);

export interface DbMigrateResult {
  units: MappedSql[];
  problems: SourceProblem[];
}

/** `dbm.dataType` (db-migrate-shared): the constants migrations write as `type.INTEGER`. */
const DATA_TYPES: Record<string, string> = {
  CHAR: 'char', STRING: 'string', TEXT: 'text', SMALLINT: 'smallint', BIGINT: 'bigint', INTEGER: 'int',
  SMALL_INTEGER: 'smallint', BIG_INTEGER: 'bigint', REAL: 'real', DATE: 'date', DATE_TIME: 'datetime', TIME: 'time',
  BLOB: 'blob', TIMESTAMP: 'timestamp', BINARY: 'binary', BOOLEAN: 'boolean', DECIMAL: 'decimal',
};

/** db-migrate-pg's mapDataType, then db-migrate-base's; anything else is sent upper-cased. */
function mapDataType(type: string): string {
  switch (type) {
    case 'json':
    case 'jsonb':
      return type.toUpperCase();
    case 'string':
      return 'VARCHAR';
    case 'datetime':
      return 'TIMESTAMP';
    case 'blob':
      return 'BYTEA';
    case 'int':
      return 'INTEGER';
    default:
      return type.toUpperCase();
  }
}

const quote = quoteName;
/** Keys of a column spec that only Sequelize uses: such a call is not db-migrate's. */
const SEQUELIZE_KEYS = ['allowNull', 'references', 'onDelete', 'onUpdate', 'field'];

interface ColumnSpec {
  name: string;
  nameSpan: Span;
  /** The whole `name: spec` property. */
  span: Span;
  spec: JsValue;
  type?: string;
  typeSpan: Span;
}

export function dbMigrateCall(method: string, call: t.CallExpression, scope: Scope): DbMigrateResult | undefined {
  const nodes = call.arguments.filter((a): a is t.Expression => a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder' && !isFunction(a));
  const args = nodes.map((a) => evaluate(a, scope));
  const spanAt = (i: number) => (nodes[i] ? spanOf(nodes[i]) : spanOf(call));
  const call_ = spanOf(call);
  const out = new MappedSql();
  const problems: SourceProblem[] = [];
  const kw = (text: string, span: Span = call_) => out.atomic(text, span);
  const name = (i: number) => {
    const value = stringOf(args[i]);
    return value === undefined ? undefined : { value, sql: quote(value), span: spanAt(i) };
  };
  const table = name(0);
  if (!table) return args[0] && args[0].kind !== 'unknown' ? undefined : unknown(call_, 'table name');
  switch (method) {
    case 'createTable': {
      const options = args[1];
      if (options?.kind !== 'object') return undefined;
      const columns = prop(options, 'columns')?.kind === 'object' ? prop(options, 'columns')! : options;
      if (isSequelize(columns)) return undefined;
      const specs = columnSpecs(columns, scope);
      if (!specs) return unknown(call_, 'columns');
      const ifNotExists = columns !== options && booleanOf(prop(options, 'ifNotExists')) === true;
      const primary = specs.filter((c) => booleanOf(prop(c.spec, 'primaryKey')) === true);
      kw(`CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}`).atomic(table.sql, table.span).atomic(' (', call_);
      specs.forEach((c, i) => {
        if (i > 0) kw(', ', c.span);
        columnDefinition(out, c, primary.length === 1);
      });
      if (primary.length > 1) kw(`, PRIMARY KEY (${primary.map((c) => quote(c.name)).join(', ')})`, propertySpan(primary[0].spec, 'primaryKey') ?? primary[0].span);
      kw(');\n');
      // db-migrate pops the columns' callbacks: their keys are added last column first.
      for (const c of [...specs].reverse()) foreignKeyOfColumn(out, table, c, problems);
      break;
    }
    case 'addColumn': {
      const column = name(1);
      const spec = args[2];
      if (!column || !spec || (spec.kind !== 'string' && spec.kind !== 'object') || isSequelize(spec)) return column && spec ? undefined : unknown(call_, 'column');
      const c: ColumnSpec = { name: column.value, nameSpan: column.span, span: spanAt(2), spec, ...typeOf(spec, spanAt(2), scope) };
      if (c.type === undefined) return unknown(call_, 'column type');
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic(' ADD COLUMN ', call_);
      columnDefinition(out, c, false);
      kw(';\n');
      foreignKeyOfColumn(out, table, c, problems);
      break;
    }
    case 'removeColumn': {
      const column = name(1);
      if (!column) return unknown(call_, 'column name');
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic(' DROP COLUMN ', call_).atomic(column.sql, column.span);
      kw(';\n');
      break;
    }
    case 'renameColumn': {
      const [from, to] = [name(1), name(2)];
      if (!from || !to) return unknown(call_, 'column name');
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic(' RENAME COLUMN ', call_).atomic(from.sql, from.span).atomic(' TO ', call_).atomic(to.sql, to.span);
      kw(';\n');
      break;
    }
    case 'changeColumn': {
      const column = name(1);
      const spec = args[2];
      if (!column || spec?.kind !== 'object' || isSequelize(spec)) return column && spec ? undefined : unknown(call_, 'column');
      const alter = () => kw('ALTER TABLE ').atomic(table.sql, table.span).atomic(' ALTER COLUMN ', call_).atomic(column.sql, column.span);
      alter().atomic(booleanOf(prop(spec, 'notNull')) === true ? ' SET NOT NULL' : ' DROP NOT NULL', propertySpan(spec, 'notNull') ?? call_);
      kw(';\n');
      const unique = booleanOf(prop(spec, 'unique'));
      const key = quote(`${table.value}_${column.value}_key`);
      if (unique !== undefined) {
        kw('ALTER TABLE ').atomic(table.sql, table.span);
        kw(unique ? ` ADD CONSTRAINT ${key} UNIQUE (${column.sql})` : ` DROP CONSTRAINT ${key}`, propertySpan(spec, 'unique'));
        kw(';\n');
      }
      const def = prop(spec, 'defaultValue');
      alter().atomic(def ? ` SET DEFAULT ${def.kind === 'string' ? `'${def.value}'` : defaultText(def)}` : ' DROP DEFAULT', propertySpan(spec, 'defaultValue') ?? call_);
      kw(';\n');
      const { type, typeSpan } = typeOf(spec, call_, scope);
      if (prop(spec, 'type')) {
        if (type === undefined) {
          problems.push(unknownProblem(typeSpan, 'type'));
          break;
        }
        const length = lengthOf(spec);
        const using = stringOf(prop(spec, 'using')) ?? `USING ${column.sql}::${mapDataType(type)}`;
        alter().atomic(` TYPE ${mapDataType(type)}${length}`, typeSpan).atomic(` ${using}`, propertySpan(spec, 'using') ?? typeSpan);
        kw(';\n');
      }
      break;
    }
    case 'addForeignKey': {
      const [refTable, keyName] = [name(1), name(2)];
      const mapping = args[3];
      if (!refTable || !keyName || mapping?.kind !== 'object') return unknown(call_, 'foreign key');
      addForeignKey(out, table, refTable, keyName, mapping, args[4], call_, problems);
      break;
    }
    case 'removeForeignKey': {
      const key = name(1);
      if (!key) return unknown(call_, 'constraint name');
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic(' DROP CONSTRAINT ', call_).atomic(key.sql, key.span);
      kw(';\n');
      break;
    }
    case 'addIndex': {
      const index = name(1);
      const columns = stringsOf(args[2]);
      if (!index || !columns) return args[2]?.kind === 'array' || args[2]?.kind === 'string' || !args[2] ? unknown(call_, 'index') : undefined;
      kw(`CREATE ${booleanOf(args[3]) ? 'UNIQUE ' : ''}INDEX `, nodes[3] ? spanAt(3) : call_).atomic(index.sql, index.span).atomic(' ON ', call_).atomic(table.sql, table.span);
      kw(' (').atomic(columns.map(quote).join(', '), spanAt(2)).atomic(');\n', call_);
      break;
    }
    case 'removeIndex': {
      // removeIndex(name) or removeIndex(table, name)
      const index = args.length >= 2 ? name(1) : table;
      if (!index) return unknown(call_, 'index name');
      kw('DROP INDEX ').atomic(index.sql, index.span);
      kw(';\n');
      break;
    }
    case 'dropTable':
      kw(`DROP TABLE ${booleanOf(prop(args[1], 'ifExists')) ? 'IF EXISTS ' : ''}`).atomic(table.sql, table.span);
      kw(';\n');
      break;
    case 'renameTable': {
      const to = name(1);
      if (!to) return unknown(call_, 'table name');
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic(' RENAME TO ', call_).atomic(to.sql, to.span);
      kw(';\n');
      break;
    }
    default:
      return undefined;
  }
  return { units: out.text ? [out] : [], problems };
}

function isFunction(node: t.Node): boolean {
  const n = unwrap(node);
  return n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression';
}

function unknown(span: Span, what: string): DbMigrateResult {
  return { units: [], problems: [unknownProblem(span, what)] };
}

function unknownProblem(span: Span, what: string): SourceProblem {
  return {
    severity: 'info',
    code: 'unsupported',
    message: `The ${what} of this db-migrate call is only known when the migration runs; FK Lens leaves it out of the model.`,
    span,
  };
}

/** Sequelize's attribute objects (`allowNull`, `references`, `type: Sequelize.INTEGER`) look like db-migrate's column specs. */
function isSequelize(value: JsValue | undefined): boolean {
  if (value?.kind !== 'object') return false;
  const specs = [value, ...value.props.values()].filter((v) => v.kind === 'object');
  return specs.some((s) => SEQUELIZE_KEYS.some((k) => prop(s, k) !== undefined) || isSequelizeType(prop(s, 'type')));
}

function isSequelizeType(v: JsValue | undefined): boolean {
  const n = v && unwrap(v.node);
  if (!n) return false;
  const root = n.type === 'CallExpression' ? unwrap(n.callee) : n;
  return root.type === 'MemberExpression' && root.object.type === 'Identifier' && /^(Sequelize|DataTypes)$/.test(root.object.name);
}

/** The columns of a createTable, in object order; undefined when any is only known at run time. */
function columnSpecs(columns: JsValue, scope: Scope): ColumnSpec[] | undefined {
  if (columns.kind !== 'object') return undefined;
  const node = unwrap(columns.node);
  if (node.type !== 'ObjectExpression' || node.properties.some((p) => p.type !== 'ObjectProperty' || p.computed)) return undefined;
  const specs: ColumnSpec[] = [];
  for (const [name, spec] of columns.props) {
    if (spec.kind !== 'string' && spec.kind !== 'object') return undefined;
    const property = propertyNode(columns, name)!;
    specs.push({ name, nameSpan: spanOf(property.key), span: spanOf(property), spec, ...typeOf(spec, spanOf(property), scope) });
  }
  return specs.some((s) => s.type === undefined) ? undefined : specs;
}

/** A spec's type: `'int'`, `{ type: 'int' }`, `{ type: type.INTEGER }` (dbm.dataType). */
function typeOf(spec: JsValue, fallback: Span, scope: Scope): { type?: string; typeSpan: Span } {
  if (spec.kind === 'string') return { type: spec.value, typeSpan: spanOf(spec.node) };
  const value = prop(spec, 'type');
  if (!value) return { type: undefined, typeSpan: fallback };
  const typeSpan = spanOf(value.node);
  const text = stringOf(value);
  if (text !== undefined) return { type: text, typeSpan };
  const n = unwrap(value.node);
  if (n.type === 'MemberExpression' && !n.computed && n.property.type === 'Identifier' && DATA_TYPES[n.property.name]) return { type: DATA_TYPES[n.property.name], typeSpan };
  const resolved = n.type === 'Identifier' ? scope.constant(n.name) : undefined;
  return resolved ? typeOf({ kind: 'object', props: new Map([['type', evaluate(resolved, scope)]]), node: spec.node }, fallback, scope) : { type: undefined, typeSpan };
}

function propertySpan(spec: JsValue, key: string): Span | undefined {
  const p = spec.kind === 'object' ? propertyNode(spec, key) : undefined;
  return p ? spanOf(p) : undefined;
}

function lengthOf(spec: JsValue): string {
  const length = numberOf(prop(spec, 'length')) ?? stringOf(prop(spec, 'length'));
  return length !== undefined ? `(${length})` : '';
}

function defaultText(v: JsValue): string {
  switch (v.kind) {
    case 'number':
    case 'boolean':
      return String(v.value);
    case 'null':
      return 'NULL';
    case 'object': {
      const raw = stringOf(prop(v, 'raw'));
      if (raw !== undefined) return raw;
      return stringOf(prop(v, 'special')) === 'CURRENT_TIMESTAMP' ? 'CURRENT_TIMESTAMP' : 'NULL';
    }
    case 'new':
      // `new String('CURRENT_TIMESTAMP')` is not a string to db-migrate: it is sent unquoted.
      return v.className === 'String' && v.arg?.kind === 'string' ? v.arg.value : 'NULL';
    case 'string':
      return `'${v.value}'`;
    default:
      // Only known at run time: some default, whatever it is (a text field: the statement still counts).
      return 'fklens_unknown_default';
  }
}

function columnDefinition(out: MappedSql, c: ColumnSpec, emitPrimaryKey: boolean): void {
  const spec = c.spec;
  let type = c.type!;
  const tz = /^(time|timestamp)tz$/.exec(type);
  if (tz) type = tz[1];
  const primaryKey = booleanOf(prop(spec, 'primaryKey')) === true;
  const serial = primaryKey && booleanOf(prop(spec, 'autoIncrement')) === true;
  out.atomic(quote(c.name), c.nameSpan).atomic(' ', c.span);
  if (!serial) out.atomic(mapDataType(type), c.typeSpan);
  out.atomic(lengthOf(spec), propertySpan(spec, 'length') ?? c.span);
  if (tz) out.atomic(' WITH TIME ZONE', c.typeSpan);
  if (serial) out.atomic(type === 'bigint' ? ' BIGSERIAL' : ' SERIAL', propertySpan(spec, 'autoIncrement') ?? c.span);
  if (primaryKey && emitPrimaryKey) out.atomic(' PRIMARY KEY', propertySpan(spec, 'primaryKey') ?? c.span);
  if (booleanOf(prop(spec, 'notNull')) === true) out.atomic(' NOT NULL', propertySpan(spec, 'notNull') ?? c.span);
  if (prop(spec, 'unique') && booleanOf(prop(spec, 'unique')) !== false) out.atomic(' UNIQUE', propertySpan(spec, 'unique') ?? c.span);
  const def = prop(spec, 'defaultValue');
  if (def) out.atomic(` DEFAULT ${defaultText(def)}`, propertySpan(spec, 'defaultValue') ?? c.span);
}

function foreignKeyOfColumn(out: MappedSql, table: { sql: string; span: Span }, c: ColumnSpec, problems: SourceProblem[]): void {
  const fk = prop(c.spec, 'foreignKey');
  if (!fk) return;
  const span = propertySpan(c.spec, 'foreignKey') ?? c.span;
  const refTable = stringOf(prop(fk, 'table'));
  const rawMapping = prop(fk, 'mapping');
  const mapping: JsValue | undefined = rawMapping?.kind === 'string' ? { kind: 'object', props: new Map([[c.name, rawMapping]]), node: rawMapping.node } : rawMapping;
  if (refTable === undefined || mapping?.kind !== 'object') {
    problems.push(unknownProblem(span, 'foreign key'));
    return;
  }
  const at = (key: string) => (prop(fk, key) ? spanOf(prop(fk, key)!.node) : span);
  // db-migrate names an unnamed key after the missing name: `undefined`.
  const name = stringOf(prop(fk, 'name')) ?? 'undefined';
  addForeignKey(out, table, { sql: quote(refTable), span: at('table') }, { sql: quote(name), span: at('name') }, mapping, prop(fk, 'rules'), span, problems);
}

function addForeignKey(
  out: MappedSql,
  table: { sql: string; span: Span },
  refTable: { sql: string; span: Span },
  key: { sql: string; span: Span },
  mapping: JsValue & { kind: 'object' },
  rules: JsValue | undefined,
  span: Span,
  problems: SourceProblem[],
): void {
  const pairs = [...mapping.props].map(([column, ref]) => [column, stringOf(ref)] as const);
  if (!pairs.length || pairs.some(([, ref]) => ref === undefined)) {
    problems.push(unknownProblem(span, 'foreign key'));
    return;
  }
  const mappingSpan = spanOf(mapping.node);
  out.atomic('ALTER TABLE ', span).atomic(table.sql, table.span).atomic(' ADD CONSTRAINT ', span).atomic(key.sql, key.span);
  out.atomic(` FOREIGN KEY (${pairs.map(([c]) => quote(c)).join(', ')}) REFERENCES `, mappingSpan).atomic(refTable.sql, refTable.span);
  out.atomic(` (${pairs.map(([, r]) => quote(r!)).join(', ')})`, mappingSpan);
  for (const [key, words] of [['onDelete', 'ON DELETE'], ['onUpdate', 'ON UPDATE']] as const) {
    const rule = stringOf(prop(rules, key));
    out.atomic(` ${words} ${rule ?? 'NO ACTION'}`, (rules && propertySpan(rules, key)) ?? span);
  }
  out.atomic(';\n', span);
}
