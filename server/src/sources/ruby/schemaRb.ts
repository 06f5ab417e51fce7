/**
 * A Rails schema file (`db/schema.rb`, what `bin/rails db:schema:load` loads) as the SQL Active Record's
 * PostgreSQL adapter sends for it, every piece mapped to the Ruby it came from; the PostgreSQL reader then
 * reads that SQL like any other (as the knex reader does for JS). Active Record's defaults are applied here:
 * the `bigserial` primary key `id`, `index_<table>_on_<columns>`, `fk_rails_<hash>`, the column of
 * `add_foreign_key` from the singular of the parent table, `on_delete: :nullify` = SET NULL, datetime
 * precision 6 from `Schema[7.0]` on. What it does not read is an `unsupported` problem (a gap of the history).
 */
import { createHash } from 'node:crypto';
import type { SourceProblem } from '../events';
import type { Span } from '../text';
import { MappedSql } from '../js/mappedSql';
import { Emitter } from '../js/knexSql';
import type { CallNode, HashPair, RubyNode, Statement } from './parser';
import { pluralize, singularize } from './inflector';

export interface SchemaUnit {
  sql: MappedSql;
  problems: SourceProblem[];
  /** The `ActiveRecord::Schema...define(...)` line (up to its `do`). */
  defineSpan?: Span;
}

/** Rails' version of the schema format (`ActiveRecord::Schema[8.1]`); `Schema.define` was written by Rails 6.1 and older. */
interface Context {
  version: number;
  problems: SourceProblem[];
  out: MappedSql;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** `quote_table_name`: `schema.table` is two names. */
const qTable = (name: string) => {
  const dot = name.indexOf('.');
  return dot < 0 ? q(name) : `${q(name.slice(0, dot))}.${q(name.slice(dot + 1))}`;
};
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sha10 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 10);
const unqualified = (name: string) => name.slice(name.lastIndexOf('.') + 1);

// ---- Values ---------------------------------------------------------------------------------------------------

function str(node: RubyNode | undefined): string | undefined {
  if (!node) return undefined;
  if ((node.kind === 'str' || node.kind === 'sym') && !node.interpolated) return node.value;
  return undefined;
}

function strs(node: RubyNode | undefined): string[] | undefined {
  if (!node) return undefined;
  if (node.kind === 'array') {
    const items = node.items.map(str);
    return items.every((x): x is string => x !== undefined) ? items : undefined;
  }
  const one = str(node);
  return one === undefined ? undefined : [one];
}

function pair(pairs: HashPair[], key: string): HashPair | undefined {
  for (let i = pairs.length - 1; i >= 0; i--) if (str(pairs[i].key) === key) return pairs[i];
  return undefined;
}

function opt(call: { options: HashPair[] }, key: string): RubyNode | undefined {
  return pair(call.options, key)?.value;
}

function truthy(node: RubyNode | undefined): boolean {
  return !!node && node.kind !== 'false' && node.kind !== 'nil';
}

function hashOf(node: RubyNode | undefined): HashPair[] | undefined {
  return node?.kind === 'hash' ? node.pairs : undefined;
}

class Unsupported extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
  }
}

function need<T>(value: T | undefined, what: string, span: Span): T {
  if (value === undefined) throw new Unsupported(`FK Lens could not read ${what} here (only literal strings and symbols are read); the statement is left out of the model.`, span);
  return value;
}

/** Runs `emit` into a buffer of its own, appended only when the whole statement could be written. */
function emitting(ctx: Context, emit: () => void): void {
  const saved = ctx.out;
  ctx.out = new MappedSql();
  try {
    emit();
    saved.append(ctx.out);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    ctx.problems.push(unsupported(err.message, err.span));
  } finally {
    ctx.out = saved;
  }
}

// ---- Emitting SQL ----------------------------------------------------------------------------------------------

/** knex's emitter (keywords stand for the declaring call), plus Ruby strings; a statement goes to `out` when it ends. */
class Emit extends Emitter {
  constructor(private readonly out: MappedSql, span: Span) {
    super(span);
  }
  /** A Ruby string's value as SQL text, character for character where the file has it. */
  ruby(node: RubyNode): this {
    if (node.kind !== 'str' || node.interpolated) throw new Unsupported('FK Lens reads SQL given as a literal string only (no `#{}` interpolation); the statement is left out of the model.', node.span);
    if (!node.pieces.length) return this.at(node.value, node.span);
    for (const p of node.pieces) {
      if (p.exact) this.sql.exact(p.text, p.start);
      else this.sql.atomic(p.text, { start: p.start, end: p.end });
    }
    return this;
  }
  override end(): void {
    super.end();
    this.out.append(this.sql);
  }
}

// ---- Types -----------------------------------------------------------------------------------------------------

const PLAIN_TYPES: Record<string, string> = {
  text: 'text',
  bigint: 'bigint',
  float: 'float',
  date: 'date',
  binary: 'bytea',
  blob: 'bytea',
  boolean: 'boolean',
  json: 'json',
  jsonb: 'jsonb',
  uuid: 'uuid',
  inet: 'inet',
  cidr: 'cidr',
  macaddr: 'macaddr',
  hstore: 'hstore',
  xml: 'xml',
  tsvector: 'tsvector',
  interval: 'interval',
  money: 'money',
  point: 'point',
  line: 'line',
  lseg: 'lseg',
  box: 'box',
  path: 'path',
  polygon: 'polygon',
  circle: 'circle',
  citext: 'citext',
  ltree: 'ltree',
  oid: 'oid',
  int4range: 'int4range',
  int8range: 'int8range',
  numrange: 'numrange',
  tsrange: 'tsrange',
  tstzrange: 'tstzrange',
  daterange: 'daterange',
  serial: 'serial',
  bigserial: 'bigserial',
  smallint: 'smallint',
};

/** Column types a table definition has a method for (`t.string`), besides `column` and the special ones. */
const COLUMN_METHODS = new Set([...Object.keys(PLAIN_TYPES), 'string', 'integer', 'decimal', 'numeric', 'datetime', 'timestamp', 'timestamptz', 'time', 'bit', 'bit_varying', 'enum', 'virtual', 'char']);

function numberOpt(call: { options: HashPair[] }, key: string): string | undefined {
  const v = opt(call, key);
  return v?.kind === 'num' ? v.value : undefined;
}

/** `type_to_sql` of the PostgreSQL adapter: the SQL type of an Active Record type and its options. */
function sqlType(type: string, call: { options: HashPair[] }, version: number): string {
  const limit = numberOpt(call, 'limit');
  const precisionNode = opt(call, 'precision');
  const precision = precisionNode?.kind === 'num' ? precisionNode.value : undefined;
  const scale = numberOpt(call, 'scale');
  let sql: string;
  switch (type) {
    case 'string':
      sql = limit ? `character varying(${limit})` : 'character varying';
      break;
    case 'char':
      sql = limit ? `character(${limit})` : 'character';
      break;
    case 'integer': {
      const n = limit ? Number(limit) : 4;
      sql = n <= 2 ? 'smallint' : n <= 4 ? 'integer' : 'bigint';
      break;
    }
    case 'decimal':
    case 'numeric':
      sql = precision ? (scale ? `decimal(${precision},${scale})` : `decimal(${precision})`) : 'decimal';
      break;
    case 'datetime':
    case 'timestamp': {
      // Rails 7.0 on: a datetime without `precision:` has precision 6 (`precision: nil` has none).
      const p = precisionNode ? precision : type === 'datetime' && version >= 7 ? '6' : undefined;
      sql = p ? `timestamp(${p})` : 'timestamp';
      break;
    }
    case 'timestamptz':
      sql = precision ? `timestamp(${precision}) with time zone` : 'timestamp with time zone';
      break;
    case 'time':
      sql = precision ? `time(${precision})` : 'time';
      break;
    case 'bit':
      sql = limit ? `bit(${limit})` : 'bit';
      break;
    case 'bit_varying':
      sql = limit ? `bit varying(${limit})` : 'bit varying';
      break;
    case 'enum': {
      const enumType = str(opt(call, 'enum_type'));
      sql = enumType ? qTable(enumType) : 'text';
      break;
    }
    default:
      sql = PLAIN_TYPES[type] ?? type;
  }
  return truthy(opt(call, 'array')) ? `${sql}[]` : sql;
}

/** `quote_default_expression`: a literal, or the SQL of a lambda (`-> { "now()" }`). */
function defaultSql(node: RubyNode, e: Emit, span: Span): boolean {
  switch (node.kind) {
    case 'str':
    case 'sym':
      if (node.interpolated) return false;
      e.at(literal(node.value), span);
      return true;
    case 'num':
      e.at(/^-?\d+$/.test(node.value) ? node.value : literal(node.value), span);
      return true;
    case 'true':
    case 'false':
      e.at(node.kind.toUpperCase(), span);
      return true;
    case 'array': {
      const items = node.items.map((i) => (i.kind === 'num' ? i.value : str(i)));
      if (items.some((i) => i === undefined)) return false;
      e.at(literal(`{${items.map((i) => (/^[\w.-]+$/.test(i!) ? i : `"${i!.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`), span);
      return true;
    }
    case 'hash':
      e.at(literal(JSON.stringify(Object.fromEntries(node.pairs.map((p) => [str(p.key) ?? '', p.value.kind === 'num' ? Number(p.value.value) : str(p.value) ?? null])))), span);
      return true;
    case 'lambda': {
      const body = node.body[0];
      if (node.body.length !== 1 || body.kind !== 'str') return false;
      e.ruby(body);
      return true;
    }
    default:
      return false;
  }
}

// ---- Tables ----------------------------------------------------------------------------------------------------

interface IndexSpec {
  call: CallNode;
  table: string;
  tableSpan: Span;
  /** Column names, or an expression (a string with other characters than a name). */
  columns: RubyNode;
  options: HashPair[];
}

/** `index_<table>_on_<cols>`; Rails 7.1 on shortens a name over 62 bytes to `idx_on_<cols>_<hash>`. */
function defaultIndexName(table: string, columns: string[], version: number, span: Span): string {
  const name = `index_${table}_on_${columns.join('_and_')}`;
  if (Buffer.byteLength(name) <= 62 || version < 7.1) {
    if (Buffer.byteLength(name) > 63) throw new Unsupported(`Active Record refuses the default index name \`${name}\` (longer than 63 bytes) and this schema's format predates Rails 7.1's shortened names; give the index a name.`, span);
    return name;
  }
  const hashed = `_${sha10(name)}`;
  let short = `idx_on_${columns.join('_')}`;
  const limit = 62 - Buffer.byteLength(hashed);
  while (Buffer.byteLength(short) > limit) short = short.slice(0, -1);
  return short + hashed;
}

function emitIndex(ctx: Context, spec: IndexSpec): void {
  const e = new Emit(ctx.out, spec.call.span);
  const o = { options: spec.options };
  const expression = spec.columns.kind === 'str' && /\W/.test(spec.columns.value) ? spec.columns : undefined;
  const columns = expression ? undefined : need(strs(spec.columns), 'the index columns', spec.columns.span);
  const nameNode = opt(o, 'name');
  const name = nameNode ? need(str(nameNode), 'the index name', nameNode.span) : columns ? defaultIndexName(spec.table, columns, ctx.version, spec.call.span) : need<string>(undefined, 'an expression index without a name', spec.call.span);
  e.kw(truthy(opt(o, 'unique')) ? 'CREATE UNIQUE INDEX ' : 'CREATE INDEX ');
  if (truthy(opt(o, 'if_not_exists'))) e.kw('IF NOT EXISTS ');
  e.at(q(name), nameNode?.span).kw(' ON ').at(qTable(spec.table), spec.tableSpan);
  const using = str(opt(o, 'using'));
  if (using) e.kw(` USING ${using}`);
  e.kw(' (');
  if (expression) e.ruby(expression);
  else {
    const order = opt(o, 'order');
    const opclass = opt(o, 'opclass');
    const per = (node: RubyNode | undefined, column: string) => {
      if (!node) return undefined;
      const h = hashOf(node);
      return h ? str(pair(h, column)?.value) : str(node);
    };
    const items = spec.columns.kind === 'array' ? spec.columns.items : [spec.columns];
    columns!.forEach((c, i) => {
      if (i) e.kw(', ');
      e.at(q(c), items[i]?.span);
      const oc = per(opclass, c);
      if (oc) e.kw(` ${oc}`);
      const ord = per(order, c);
      if (ord) e.kw(` ${ord.toUpperCase()}`);
    });
  }
  e.kw(')');
  const include = strs(opt(o, 'include'));
  if (include?.length) e.kw(` INCLUDE (${include.map(q).join(', ')})`);
  if (truthy(opt(o, 'nulls_not_distinct'))) e.kw(' NULLS NOT DISTINCT');
  const where = opt(o, 'where');
  if (where) e.kw(' WHERE ').ruby(where);
  e.end();
}

interface ForeignKeySpec {
  span: Span;
  from: string;
  to: string;
  toSpan: Span;
  options: HashPair[];
  /** The column of `t.references` (always given), else from `column:` or the parent's name. */
  column?: string[];
  columnSpan?: Span;
}

const ACTIONS: Record<string, string> = { nullify: 'SET NULL', cascade: 'CASCADE', restrict: 'RESTRICT' };

/** `CONSTRAINT "fk_rails_…" FOREIGN KEY (…) REFERENCES … ON DELETE … [DEFERRABLE …] [NOT VALID]`. */
function foreignKeyClause(e: Emit, spec: ForeignKeySpec, alter: boolean): void {
  const o = { options: spec.options };
  const columnNode = opt(o, 'column');
  const columns = spec.column ?? (columnNode ? need(strs(columnNode), 'the foreign key column', columnNode.span) : [`${singularize(unqualified(spec.to))}_id`]);
  const pkNode = opt(o, 'primary_key');
  const refColumns = pkNode ? need(strs(pkNode), 'the referenced column', pkNode.span) : ['id'];
  const nameNode = opt(o, 'name');
  const name = nameNode ? need(str(nameNode), 'the constraint name', nameNode.span) : `fk_rails_${sha10(`${spec.from}_${columns.join('_and_')}_fk`)}`;
  e.kw('CONSTRAINT ').at(q(name), nameNode?.span).kw(' FOREIGN KEY (').at(columns.map(q).join(', '), columnNode?.span ?? spec.columnSpan);
  e.kw(') REFERENCES ').at(qTable(spec.to), spec.toSpan).kw(' (').at(refColumns.map(q).join(', '), pkNode?.span).kw(')');
  for (const [key, sql] of [['on_delete', 'DELETE'], ['on_update', 'UPDATE']] as const) {
    const p = pair(spec.options, key);
    if (!p || p.value.kind === 'nil') continue;
    const action = ACTIONS[str(p.value) ?? ''];
    if (!action) throw new Unsupported(`Active Record accepts \`:nullify\`, \`:cascade\` and \`:restrict\` for ${key}; FK Lens leaves this foreign key out of the model.`, p.span);
    e.at(` ON ${sql} ${action}`, p.span);
  }
  const deferrable = pair(spec.options, 'deferrable');
  if (deferrable && truthy(deferrable.value)) {
    const how = str(deferrable.value);
    e.at(how === 'deferred' ? ' DEFERRABLE INITIALLY DEFERRED' : how === 'immediate' ? ' DEFERRABLE INITIALLY IMMEDIATE' : ' DEFERRABLE', deferrable.span);
  }
  const validate = pair(spec.options, 'validate');
  if (alter && validate && validate.value.kind === 'false') e.at(' NOT VALID', validate.span);
}

function emitForeignKey(ctx: Context, spec: ForeignKeySpec): void {
  const e = new Emit(ctx.out, spec.span);
  e.kw('ALTER TABLE ').at(qTable(spec.from), spec.span).kw(' ADD ');
  foreignKeyClause(e, spec, true);
  e.end();
}

interface ColumnSpec {
  call: CallNode;
  name: string;
  nameSpan: Span;
  type: string;
  options: HashPair[];
  primaryKey?: boolean;
}

function columnSql(ctx: Context, e: Emit, c: ColumnSpec): void {
  const saved = e.span;
  e.span = c.call.span;
  const o = { options: c.options };
  let type = c.type;
  const hasDefault = !!pair(c.options, 'default');
  // An integer-like primary key without a default is a sequence (`serial` / `bigserial`).
  if (c.primaryKey && (type === 'integer' || type === 'bigint') && !hasDefault) type = type === 'bigint' || numberOpt(o, 'limit') === '8' ? 'bigserial' : 'serial';
  let typeSql: string;
  if (type === 'primary_key') typeSql = 'bigserial';
  else if (type === 'virtual') typeSql = sqlType(need(str(opt(o, 'type')), 'the generated column type', c.call.span), o, ctx.version);
  else typeSql = sqlType(type, o, ctx.version);
  e.at(q(c.name), c.nameSpan).kw(' ').at(typeSql, c.call.nameSpan);
  const collation = str(opt(o, 'collation'));
  if (collation) e.kw(` COLLATE ${q(collation)}`);
  if (type === 'virtual') {
    const as = opt(o, 'as');
    if (as) e.kw(' GENERATED ALWAYS AS (').ruby(as).kw(') STORED');
  }
  const def = pair(c.options, 'default');
  if (def && def.value.kind !== 'nil') {
    e.at(' DEFAULT ', def.span);
    if (!defaultSql(def.value, e, def.span)) e.at('NULL', def.span);
  } else if (c.type === 'uuid' && c.primaryKey && !def) e.kw(' DEFAULT gen_random_uuid()');
  const nul = pair(c.options, 'null');
  if (nul && nul.value.kind === 'false') e.at(' NOT NULL', nul.span);
  if (c.primaryKey || truthy(opt(o, 'primary_key'))) e.kw(' PRIMARY KEY');
  e.span = saved;
}

interface TableParts {
  columns: ColumnSpec[];
  constraints: ((e: Emit) => void)[];
  indexes: IndexSpec[];
}

/** The calls of a `create_table` block (`t.string "name"`, `t.index`, `t.references` ...). */
function tableBlock(ctx: Context, table: string, tableSpan: Span, call: CallNode, parts: TableParts): void {
  const block = call.block;
  if (!block) return;
  const t = block.params[0];
  for (const stmt of block.body) {
    try {
      if (stmt.kind === 'unparsed') throw new Unsupported(`FK Lens could not read this statement (${stmt.reason}); it is left out of the model.`, stmt.span);
      if (stmt.kind !== 'call' || stmt.receiver?.kind !== 'call' || stmt.receiver.name !== t || stmt.receiver.receiver) throw new Unsupported('FK Lens reads the table definition calls of a Rails schema (`t.string`, `t.index` ...); this statement is left out of the model.', stmt.span);
      tableCall(ctx, table, tableSpan, stmt, parts);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      ctx.problems.push(unsupported(err.message, err.span));
    }
  }
}

function tableCall(ctx: Context, table: string, tableSpan: Span, call: CallNode, parts: TableParts): void {
  const method = call.name;
  const names = () => call.args.map((a) => ({ name: need(str(a), 'the column name', a.span), span: a.span }));
  if (COLUMN_METHODS.has(method) || method === 'column' || method === 'primary_key') {
    if (method === 'column') {
      const [nameNode, typeNode] = call.args;
      const name = need(str(nameNode), 'the column name', nameNode?.span ?? call.span);
      parts.columns.push({ call, name, nameSpan: nameNode.span, type: need(str(typeNode), 'the column type', typeNode?.span ?? call.span), options: call.options });
      return;
    }
    if (method === 'primary_key') {
      const [nameNode, typeNode] = call.args;
      const name = need(str(nameNode), 'the column name', nameNode?.span ?? call.span);
      parts.columns.push({ call, name, nameSpan: nameNode.span, type: typeNode ? need(str(typeNode), 'the column type', typeNode.span) : 'primary_key', options: call.options, primaryKey: true });
      return;
    }
    for (const n of names()) parts.columns.push({ call, name: n.name, nameSpan: n.span, type: method, options: call.options });
    return;
  }
  switch (method) {
    case 'timestamps': {
      const options = [...call.options];
      if (!pair(options, 'null')) options.push({ key: { kind: 'sym', value: 'null', span: call.span, interpolated: false }, value: { kind: 'false', span: call.span }, span: call.span });
      for (const name of ['created_at', 'updated_at']) parts.columns.push({ call, name, nameSpan: call.nameSpan, type: 'datetime', options });
      return;
    }
    case 'references':
    case 'belongs_to':
      for (const n of names()) references(ctx, table, tableSpan, call, n.name, n.span, parts);
      return;
    case 'index': {
      const columns = call.args[0];
      if (!columns) throw new Unsupported('An index without columns; FK Lens leaves it out of the model.', call.span);
      parts.indexes.push({ call, table, tableSpan, columns, options: call.options });
      return;
    }
    case 'check_constraint': {
      const expr = call.args[0];
      if (!expr) throw new Unsupported('A check constraint without an expression.', call.span);
      const nameNode = opt(call, 'name');
      const name = nameNode ? need(str(nameNode), 'the constraint name', nameNode.span) : `chk_rails_${sha10(`${table}_${need(str(expr), 'the check expression', expr.span)}_chk`)}`;
      parts.constraints.push((e) => {
        e.span = call.span;
        e.kw('CONSTRAINT ').at(q(name), nameNode?.span).kw(' CHECK (').ruby(expr).kw(')');
      });
      return;
    }
    case 'unique_constraint': {
      const columnsNode = call.args[0];
      const columns = need(strs(columnsNode), 'the unique constraint columns', columnsNode?.span ?? call.span);
      const nameNode = opt(call, 'name');
      const name = nameNode ? need(str(nameNode), 'the constraint name', nameNode.span) : `uniq_rails_${sha10(`${table}_${columns.join('_and_')}_unique`)}`;
      const deferrable = str(opt(call, 'deferrable'));
      parts.constraints.push((e) => {
        e.span = call.span;
        e.kw('CONSTRAINT ').at(q(name), nameNode?.span).kw(' UNIQUE');
        if (truthy(opt(call, 'nulls_not_distinct'))) e.kw(' NULLS NOT DISTINCT');
        e.kw(' (').at(columns.map(q).join(', '), columnsNode.span).kw(')');
        if (deferrable) e.kw(` DEFERRABLE INITIALLY ${deferrable.toUpperCase()}`);
      });
      return;
    }
    default:
      throw new Unsupported(`FK Lens does not read \`t.${method}\` of a Rails schema; the statement is left out of the model.`, call.span);
  }
}

/** `t.references :user` (`t.belongs_to`): `user_id` (bigint), `user_type` if polymorphic, an index, maybe an FK. */
function references(ctx: Context, table: string, tableSpan: Span, call: CallNode, name: string, nameSpan: Span, parts: TableParts): void {
  const o = call.options;
  const polymorphic = truthy(pair(o, 'polymorphic')?.value);
  const typeNode = pair(o, 'type');
  const columnOptions = o.filter((p) => ['null', 'default', 'limit', 'precision', 'scale', 'comment', 'array'].includes(str(p.key) ?? ''));
  const column = `${name}_id`;
  parts.columns.push({ call, name: column, nameSpan, type: typeNode ? need(str(typeNode.value), 'the column type', typeNode.span) : 'bigint', options: columnOptions });
  if (polymorphic) parts.columns.push({ call, name: `${name}_type`, nameSpan, type: 'string', options: columnOptions.filter((p) => str(p.key) === 'null') });
  const index = pair(o, 'index');
  if (!index || truthy(index.value)) {
    const options = hashOf(index?.value) ?? [];
    const withName = polymorphic && !pair(options, 'name') ? [...options, { key: { kind: 'sym', value: 'name', span: nameSpan, interpolated: false } as RubyNode, value: { kind: 'str', value: `index_${table}_on_${name}`, span: nameSpan, pieces: [], interpolated: false } as RubyNode, span: nameSpan }] : options;
    const cols = polymorphic ? [`${name}_type`, column] : [column];
    const columns: RubyNode = { kind: 'array', span: nameSpan, items: cols.map((c) => ({ kind: 'str', value: c, span: nameSpan, pieces: [], interpolated: false })) };
    parts.indexes.push({ call, table, tableSpan, columns, options: withName });
  }
  const fk = pair(o, 'foreign_key');
  if (fk && truthy(fk.value)) {
    if (polymorphic) throw new Unsupported('Active Record cannot add a foreign key to a polymorphic reference; the statement is left out of the model.', fk.span);
    const options = hashOf(fk.value) ?? [];
    const toNode = pair(options, 'to_table')?.value;
    const to = toNode ? need(str(toNode), 'the referenced table', toNode.span) : pluralize(name);
    parts.constraints.push((e) => {
      e.span = call.span;
      foreignKeyClause(e, { span: call.span, from: table, to, toSpan: toNode?.span ?? fk.span, options, column: [column], columnSpan: nameSpan }, false);
    });
  }
}

function createTable(ctx: Context, call: CallNode): void {
  const nameNode = call.args[0];
  const table = need(str(nameNode), 'the table name', nameNode?.span ?? call.span);
  if (opt(call, 'as')) throw new Unsupported('`create_table ... as:` creates a table from a query; FK Lens leaves it out of the model.', call.span);
  const parts: TableParts = { columns: [], constraints: [], indexes: [] };
  const id = pair(call.options, 'id');
  const pkNode = opt(call, 'primary_key');
  let compositeKey: string[] | undefined;
  if (!id || id.value.kind !== 'false') {
    const pk = pkNode ? need(strs(pkNode), 'the primary key', pkNode.span) : ['id'];
    if (pk.length > 1 || pkNode?.kind === 'array') compositeKey = pk;
    else {
      const idOptions = hashOf(id?.value);
      const type = idOptions ? str(pair(idOptions, 'type')?.value) ?? 'primary_key' : id ? need(str(id.value), 'the primary key type', id.span) : 'primary_key';
      const options = [...call.options.filter((p) => ['default', 'limit', 'precision', 'scale', 'null', 'collation'].includes(str(p.key) ?? '')), ...(idOptions ?? [])];
      parts.columns.push({ call: { ...call, nameSpan: id?.span ?? call.nameSpan, span: id?.span ?? call.nameSpan }, name: pk[0], nameSpan: pkNode?.span ?? id?.span ?? nameNode.span, type, options, primaryKey: true });
    }
  }
  tableBlock(ctx, table, nameNode.span, call, parts);
  const e = new Emit(ctx.out, call.span);
  e.kw(truthy(opt(call, 'temporary')) ? 'CREATE TEMPORARY TABLE ' : 'CREATE TABLE ');
  if (truthy(opt(call, 'if_not_exists'))) e.kw('IF NOT EXISTS ');
  e.at(qTable(table), nameNode.span).kw(' (');
  let first = true;
  const sep = () => {
    if (!first) e.kw(', ');
    first = false;
  };
  for (const c of parts.columns) {
    sep();
    columnSql(ctx, e, c);
  }
  if (compositeKey) {
    sep();
    e.at(`PRIMARY KEY (${compositeKey.map(q).join(', ')})`, pkNode!.span);
  }
  for (const c of parts.constraints) {
    sep();
    c(e);
    e.span = call.span;
  }
  e.kw(')');
  e.end();
  for (const index of parts.indexes) emitting(ctx, () => emitIndex(ctx, index));
}

/** `create_join_table :a, :b`: table `a_b` (names sorted, a shared prefix once), `a_id` and `b_id`, no key. */
function createJoinTable(ctx: Context, call: CallNode): void {
  const [a, b] = call.args.map((x) => need(str(x), 'the table name', x.span));
  if (a === undefined || b === undefined) throw new Unsupported('`create_join_table` needs two table names.', call.span);
  const nameNode = opt(call, 'table_name');
  const sorted = [a, b].sort();
  const joined = sorted.join('\0').replace(/^(.*_)(.+)\0\1(.+)/, '$1$2_$3').replace(/\0/g, '_');
  const table = nameNode ? need(str(nameNode), 'the table name', nameNode.span) : joined;
  const columnOptions = hashOf(opt(call, 'column_options')) ?? [];
  const notNull: HashPair = { key: { kind: 'sym', value: 'null', span: call.span, interpolated: false }, value: { kind: 'false', span: call.span }, span: call.span };
  const parts: TableParts = { columns: [], constraints: [], indexes: [] };
  for (const [i, t] of [a, b].entries()) {
    parts.columns.push({ call, name: `${singularize(t)}_id`, nameSpan: call.args[i].span, type: 'bigint', options: [notNull, ...columnOptions] });
  }
  tableBlock(ctx, table, nameNode?.span ?? call.nameSpan, call, parts);
  const e = new Emit(ctx.out, call.span);
  e.kw('CREATE TABLE ').at(qTable(table), nameNode?.span ?? call.nameSpan).kw(' (');
  parts.columns.forEach((c, i) => {
    if (i) e.kw(', ');
    columnSql(ctx, e, c);
  });
  for (const c of parts.constraints) {
    e.kw(', ');
    c(e);
    e.span = call.span;
  }
  e.kw(')');
  e.end();
  for (const index of parts.indexes) emitting(ctx, () => emitIndex(ctx, index));
}

// ---- The schema ------------------------------------------------------------------------------------------------

function unsupported(message: string, span: Span): SourceProblem {
  return { severity: 'info', code: 'unsupported', message, span };
}

/** Methods of gems that extend the schema file (scenic, fx, ...) or of other engines: named in the message. */
const OTHER_METHODS: Record<string, string> = {
  create_view: 'a view (the scenic gem)',
  create_function: 'a function (the fx gem)',
  create_trigger: 'a trigger (the fx gem)',
  create_virtual_table: 'an SQLite virtual table',
};

function schemaCall(ctx: Context, call: CallNode): void {
  const e = new Emit(ctx.out, call.span);
  const [a0, a1] = call.args;
  switch (call.name) {
    case 'create_table':
      return createTable(ctx, call);
    case 'create_join_table':
      return createJoinTable(ctx, call);
    case 'add_index': {
      const table = need(str(a0), 'the table name', a0?.span ?? call.span);
      if (!a1) throw new Unsupported('`add_index` without columns.', call.span);
      return emitIndex(ctx, { call, table, tableSpan: a0.span, columns: a1, options: call.options });
    }
    case 'add_foreign_key': {
      const from = need(str(a0), 'the table name', a0?.span ?? call.span);
      const to = need(str(a1), 'the referenced table', a1?.span ?? call.span);
      return emitForeignKey(ctx, { span: call.span, from, to, toSpan: a1.span, options: call.options });
    }
    case 'add_check_constraint': {
      const table = need(str(a0), 'the table name', a0?.span ?? call.span);
      if (!a1) throw new Unsupported('`add_check_constraint` without an expression.', call.span);
      const nameNode = opt(call, 'name');
      const name = nameNode ? need(str(nameNode), 'the constraint name', nameNode.span) : `chk_rails_${sha10(`${table}_${need(str(a1), 'the check expression', a1.span)}_chk`)}`;
      e.kw('ALTER TABLE ').at(qTable(table), a0.span).kw(' ADD CONSTRAINT ').at(q(name), nameNode?.span).kw(' CHECK (').ruby(a1).kw(')');
      if (opt(call, 'validate')?.kind === 'false') e.kw(' NOT VALID');
      return e.end();
    }
    case 'execute':
      if (!a0) throw new Unsupported('`execute` without SQL.', call.span);
      e.ruby(a0);
      return e.end();
    case 'enable_extension': {
      const name = need(str(a0), 'the extension name', a0?.span ?? call.span);
      const dot = name.indexOf('.');
      e.kw('CREATE EXTENSION IF NOT EXISTS ').at(q(dot < 0 ? name : name.slice(dot + 1)), a0.span);
      if (dot >= 0) e.kw(` SCHEMA ${q(name.slice(0, dot))}`);
      return e.end();
    }
    case 'create_schema': {
      const name = need(str(a0), 'the schema name', a0?.span ?? call.span);
      e.kw(truthy(opt(call, 'if_not_exists')) ? 'CREATE SCHEMA IF NOT EXISTS ' : 'CREATE SCHEMA ').at(q(name), a0.span);
      return e.end();
    }
    case 'create_enum': {
      const name = need(str(a0), 'the type name', a0?.span ?? call.span);
      const values = need(strs(a1), 'the enum values', a1?.span ?? call.span);
      e.kw('CREATE TYPE ').at(qTable(name), a0.span).kw(' AS ENUM (').at(values.map(literal).join(', '), a1.span).kw(')');
      return e.end();
    }
    default: {
      const what = OTHER_METHODS[call.name];
      throw new Unsupported(what ? `\`${call.name}\` creates ${what}, which FK Lens does not read; it is left out of the model.` : `FK Lens does not read \`${call.name}\` in a Rails schema; the statement is left out of the model.`, call.span);
    }
  }
}

/** The first `create_table` with MySQL's table options (the MySQL adapter's dumper writes them on every table). */
function mysqlTable(body: Statement[]): CallNode | undefined {
  for (const stmt of body) {
    if (stmt.kind !== 'call' || stmt.name !== 'create_table') continue;
    if (opt(stmt, 'charset') || opt(stmt, 'collation') || /\bENGINE\s*=/i.test(str(opt(stmt, 'options')) ?? '')) return stmt;
  }
  return undefined;
}

/** `ActiveRecord::Schema[8.1].define(version: ...)` or `ActiveRecord::Schema.define(...)`: its block and format version. */
function defineCall(stmt: Statement): { call: CallNode; version: number } | undefined {
  if (stmt.kind !== 'call' || stmt.name !== 'define' || !stmt.block) return undefined;
  const r = stmt.receiver;
  if (r?.kind === 'const' && /(^|::)Schema$/.test(r.path)) return { call: stmt, version: 6.1 };
  if (r?.kind === 'index' && r.target.kind === 'const' && /(^|::)Schema$/.test(r.target.path) && r.args[0]?.kind === 'num') return { call: stmt, version: Number(r.args[0].value) };
  return undefined;
}

/** The SQL of a parsed schema file and what could not be read. */
export function schemaSql(program: Statement[], fileSpan: Span): SchemaUnit {
  const ctx: Context = { version: 8.1, problems: [], out: new MappedSql() };
  let found = false;
  let defineSpan: Span | undefined;
  for (const stmt of program) {
    const define = defineCall(stmt);
    if (!define) {
      ctx.problems.push(unsupported(stmt.kind === 'unparsed' ? `FK Lens could not read this statement (${stmt.reason}); it is left out of the model.` : 'FK Lens reads the `ActiveRecord::Schema.define` block of a Rails schema; this statement outside it is left out of the model.', stmt.span));
      continue;
    }
    found = true;
    defineSpan ??= { start: define.call.span.start, end: define.call.block!.span.start };
    ctx.version = define.version;
    const mysql = mysqlTable(define.call.block!.body);
    if (mysql) {
      // InnoDB indexes every FK by itself: read as PostgreSQL, its keys would look unindexed.
      ctx.problems.push(unsupported('This schema was dumped from MySQL (its tables have `charset:` / `collation:` / `ENGINE=` options); FK Lens reads Rails schemas for PostgreSQL only so far, so it is left out of the model.', mysql.span));
      continue;
    }
    for (const inner of define.call.block!.body) {
      emitting(ctx, () => {
        if (inner.kind === 'unparsed') throw new Unsupported(`FK Lens could not read this statement (${inner.reason}); it is left out of the model.`, inner.span);
        if (inner.kind !== 'call' || inner.receiver) throw new Unsupported('FK Lens reads the schema statements of a Rails schema (`create_table`, `add_index`, `add_foreign_key` ...); this one is left out of the model.', inner.span);
        schemaCall(ctx, inner);
      });
    }
  }
  if (!found) ctx.problems.push(unsupported('This file has no `ActiveRecord::Schema.define` block, so FK Lens found no schema in it.', fileSpan));
  return { sql: ctx.out, problems: ctx.problems, defineSpan };
}
