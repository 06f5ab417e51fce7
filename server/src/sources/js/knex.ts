/**
 * knex's schema builder, read statically: a `knex.schema...` chain and its table callbacks become the SQL
 * knex's PostgreSQL dialect would send (same statements, names and types as knex 3 generates them), with every
 * piece mapped to the JS expression it came from. The PostgreSQL reader then reads that SQL like any other.
 */
import { clipBytes, MAX_IDENTIFIER_BYTES } from '../../model/names';
import type { SourceProblem } from '../events';
import type { Span } from '../text';
import { MappedSql } from './mappedSql';
import { flattenChain, spanOf, unwrap, type ChainLink, type Scope, type t } from './parse';
import { booleanOf, evaluate, numberOf, prop, sqlText, stringOf, stringsOf, type JsValue } from './values';

export const SCHEMA_BUILDER_METHODS = new Set([
  'withSchema', 'createTable', 'createTableIfNotExists', 'table', 'alterTable', 'dropTable', 'dropTableIfExists',
  'renameTable', 'raw', 'createSchema', 'createSchemaIfNotExists', 'dropSchema', 'dropSchemaIfExists', 'hasTable',
  'hasColumn', 'createExtension', 'createExtensionIfNotExists', 'dropExtension', 'dropExtensionIfExists',
]);

export interface KnexResult {
  units: MappedSql[];
  problems: SourceProblem[];
  /** How many links of the chain were schema builder calls. */
  consumed: number;
}

/** Emits generated SQL; keywords stand for `span` (the expression that declared the statement). */
class Emitter {
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

const wrap = (name: string) => name.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
const columnize = (columns: string[]) => columns.map(wrap).join(', ');
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** knex's default names (`_indexCommand`): `<table>_<cols>_<type>` lower case; PostgreSQL keeps 63 bytes. */
const knexName = (table: string, columns: string[], type: string) =>
  clipBytes(`${table.replace(/\.|-/g, '_')}_${columns.join('_')}_${type}`.toLowerCase(), MAX_IDENTIFIER_BYTES);

/** `.onDelete('CASCADE')`: from the property name to the closing parenthesis. */
export function linkSpan(link: ChainLink): Span {
  const callee = link.call ? unwrap(link.call.callee) : link.node;
  const property = callee.type === 'MemberExpression' ? callee.property : callee;
  return { start: property.start ?? 0, end: link.node.end ?? 0 };
}

export function knexSchemaChain(links: ChainLink[], scope: Scope): KnexResult {
  const problems: SourceProblem[] = [];
  let consumed = 0;
  while (consumed < links.length && links[consumed].call && SCHEMA_BUILDER_METHODS.has(links[consumed].name)) consumed++;
  const calls = links.slice(0, consumed);
  // knex reads the builder's schema when it compiles: the last withSchema of the chain applies to all of it.
  const withSchema = calls.filter((l) => l.name === 'withSchema').pop();
  const schema = withSchema ? stringOf(evaluate(withSchema.call!.arguments[0] ?? withSchema.node, scope)) : undefined;
  const out = new MappedSql();
  for (const link of calls) {
    // Every link's node runs from the chain's root (`knex`) to the end of its own call.
    const e = new Emitter(spanOf(link.node));
    const args = link.call!.arguments.map((a) => evaluate(a, scope));
    const argSpan = (i: number) => (link.call!.arguments[i] ? spanOf(link.call!.arguments[i]) : linkSpan(link));
    const qualified = (name: string) => (schema ? `${wrap(schema)}.${wrap(name)}` : wrap(name));
    const name = stringOf(args[0]);
    switch (link.name) {
      case 'createTable':
      case 'createTableIfNotExists':
      case 'table':
      case 'alterTable': {
        const fn = link.call!.arguments[1] && unwrap(link.call!.arguments[1]);
        if (name === undefined || !fn || (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression')) {
          problems.push(unknownProblem(link, 'table name or callback'));
          break;
        }
        const builder = readTableCallback(fn, scope, problems);
        const method = link.name === 'createTable' ? 'create' : link.name === 'createTableIfNotExists' ? 'createIfNot' : 'alter';
        compileTable(e, builder, { method, name, nameSpan: argSpan(0), schema, qualified: qualified(name) });
        out.append(e.sql);
        break;
      }
      case 'dropTable':
      case 'dropTableIfExists':
        if (name === undefined) problems.push(unknownProblem(link, 'table name'));
        else {
          e.kw(link.name === 'dropTable' ? 'drop table ' : 'drop table if exists ').at(qualified(name), argSpan(0)).end();
          out.append(e.sql);
        }
        break;
      case 'renameTable': {
        const to = stringOf(args[1]);
        if (name === undefined || to === undefined) problems.push(unknownProblem(link, 'table name'));
        else {
          e.kw('alter table ').at(qualified(name), argSpan(0)).kw(' rename to ').at(wrap(to), argSpan(1)).end();
          out.append(e.sql);
        }
        break;
      }
      case 'createSchema':
      case 'createSchemaIfNotExists':
        if (name !== undefined) {
          e.kw(link.name === 'createSchema' ? 'create schema ' : 'create schema if not exists ').at(wrap(name), argSpan(0)).end();
          out.append(e.sql);
        }
        break;
      case 'dropSchema':
      case 'dropSchemaIfExists':
        if (name !== undefined) {
          e.kw(link.name === 'dropSchema' ? 'drop schema ' : 'drop schema if exists ').at(wrap(name), argSpan(0));
          e.kw(booleanOf(args[1]) ? ' cascade' : '').end();
          out.append(e.sql);
        }
        break;
      case 'raw': {
        const sql = link.call!.arguments[0] && sqlText(link.call!.arguments[0], scope);
        if (sql) out.append(sql).atomic(';\n', linkSpan(link));
        break;
      }
      default:
        // withSchema, hasTable, hasColumn, extensions: nothing for the model.
        break;
    }
  }
  return { units: out.text ? [out] : [], problems, consumed };
}

function unknownProblem(link: ChainLink, what: string): SourceProblem {
  return {
    severity: 'info',
    code: 'unsupported',
    message: `The ${what} of this knex call is only known when the migration runs; FK Lens leaves it out of the model.`,
    span: linkSpan(link),
  };
}

// ---- Table callbacks ----------------------------------------------------------------------------------------

interface Modifier {
  args: JsValue[];
  span: Span;
}

interface ColumnCall {
  type: string;
  args: JsValue[];
  name?: string;
  nameSpan: Span;
  typeSpan: Span;
  /** The whole statement that declared the column. */
  span: Span;
  modifiers: Map<string, Modifier>;
  alter: { nullable: boolean; type: boolean } | undefined;
}

interface ForeignData {
  columns: string[];
  columnsSpan: Span;
  keyName?: string;
  keyNameSpan?: Span;
  references?: string[];
  referencesSpan?: Span;
  inTable?: string;
  inTableSpan?: Span;
  onDelete?: Modifier;
  onUpdate?: Modifier;
  deferrable?: Modifier;
}

interface TableStatement {
  method: string;
  args: JsValue[];
  span: Span;
  foreign?: ForeignData;
}

interface TableBuilder {
  columns: ColumnCall[];
  statements: TableStatement[];
  inherits?: { name: string; span: Span };
}

const COLUMN_TYPES = new Set([
  'tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'decimal', 'float', 'double', 'real', 'bit', 'boolean', 'serial',
  'date', 'datetime', 'timestamp', 'time', 'year', 'geometry', 'geography', 'point', 'char', 'varchar', 'tinytext',
  'tinyText', 'text', 'mediumtext', 'mediumText', 'longtext', 'longText', 'binary', 'varbinary', 'tinyblob', 'tinyBlob',
  'mediumblob', 'mediumBlob', 'blob', 'longblob', 'longBlob', 'enum', 'set', 'bool', 'dateTime', 'increments',
  'bigincrements', 'bigIncrements', 'integer', 'biginteger', 'bigInteger', 'string', 'json', 'jsonb', 'uuid', 'enu',
  'specificType',
]);
const TABLE_METHODS = new Set([
  'index', 'primary', 'unique', 'dropPrimary', 'dropPrimaryIfExists', 'dropUnique', 'dropUniqueIfExists', 'dropIndex',
  'dropForeign', 'dropForeignIfExists', 'renameColumn', 'dropColumn', 'dropColumns', 'setNullable', 'dropNullable',
]);
const FOREIGN_METHODS = new Set(['references', 'inTable', 'on', 'onDelete', 'onUpdate', 'deferrable', 'withKeyName']);
const COLUMN_KEYS = new Set(['index', 'primary', 'unique']);
const ALIASES: Record<string, string> = { default: 'defaultTo', defaultsTo: 'defaultTo', notNull: 'notNullable' };

/** Runs through a `(table) => { ... }` callback the way knex's TableBuilder records it (nothing executes). */
function readTableCallback(fn: t.ArrowFunctionExpression | t.FunctionExpression, scope: Scope, problems: SourceProblem[]): TableBuilder {
  const builder: TableBuilder = { columns: [], statements: [] };
  const param = fn.params[0];
  const tableName = param?.type === 'Identifier' ? param.name : undefined;
  const inner = fn.body.type === 'BlockStatement' ? scope.with(fn.body.body) : scope;
  const visit = (node: t.Node): void => {
    const n = unwrap(node);
    if (n.type === 'BlockStatement') n.body.forEach(visit);
    else if (n.type === 'ExpressionStatement') visit(n.expression);
    else if (n.type === 'IfStatement') {
      visit(n.consequent);
      if (n.alternate) visit(n.alternate);
    } else if (n.type === 'SequenceExpression') n.expressions.forEach(visit);
    else if (n.type === 'CallExpression') {
      const { root, links } = flattenChain(n);
      const isTable = (root.type === 'Identifier' && root.name === tableName) || root.type === 'ThisExpression';
      if (isTable && links[0]?.call) readTableChain(links, { start: root.start ?? 0, end: n.end ?? 0 }, inner, builder, problems);
    }
  };
  visit(fn.body);
  return builder;
}

function readTableChain(links: ChainLink[], span: Span, scope: Scope, builder: TableBuilder, problems: SourceProblem[]): void {
  const [head, ...rest] = links;
  const args = head.call!.arguments.map((a) => evaluate(a, scope));
  const argSpan = (i: number) => (head.call!.arguments[i] ? spanOf(head.call!.arguments[i]) : linkSpan(head));
  const push = (method: string, margs: JsValue[], foreign?: ForeignData) => {
    const statement: TableStatement = { method, args: margs, span, foreign };
    builder.statements.push(statement);
    return statement;
  };
  const foreignLinks = (foreign: ForeignData, link: ChainLink): boolean => {
    const a = link.call?.arguments.map((x) => evaluate(x, scope)) ?? [];
    const at = link.call?.arguments[0] ? spanOf(link.call.arguments[0]) : linkSpan(link);
    switch (link.name) {
      case 'references': {
        const value = stringsOf(a[0]);
        if (a[0]?.kind === 'string' && value && value[0].includes('.')) {
          const pieces = value[0].split('.');
          foreign.inTable = pieces[0];
          foreign.references = [pieces[1]];
          foreign.inTableSpan = foreign.referencesSpan = at;
        } else {
          foreign.references = value;
          foreign.referencesSpan = at;
        }
        return true;
      }
      case 'inTable':
      case 'on':
        foreign.inTable = stringOf(a[0]);
        foreign.inTableSpan = at;
        return true;
      case 'withKeyName':
        foreign.keyName = stringOf(a[0]);
        foreign.keyNameSpan = at;
        return true;
      case 'onDelete':
      case 'onUpdate':
      case 'deferrable':
        foreign[link.name] = { args: a, span: linkSpan(link) };
        return true;
      default:
        return false;
    }
  };

  if (COLUMN_TYPES.has(head.name)) {
    const type = head.name.toLowerCase();
    const increments = type.includes('increments');
    const column: ColumnCall = {
      type,
      args,
      name: stringOf(args[0]) ?? (args[0] === undefined && increments ? 'id' : undefined),
      nameSpan: head.call!.arguments[0] ? argSpan(0) : linkSpan(head),
      typeSpan: linkSpan(head),
      span,
      modifiers: new Map(),
      alter: undefined,
    };
    if (column.name === undefined) {
      problems.push({ severity: 'info', code: 'unsupported', message: 'The name of this column is only known when the migration runs; FK Lens leaves it out of the model.', span });
      return;
    }
    builder.columns.push(column);
    let foreign: ForeignData | undefined;
    for (const link of rest) {
      const a = link.call?.arguments.map((x) => evaluate(x, scope)) ?? [];
      const name = ALIASES[link.name] ?? link.name;
      if (name === 'references') {
        foreign = { columns: [column.name], columnsSpan: column.nameSpan };
        push('foreign', [], foreign);
      }
      if (foreign && foreignLinks(foreign, link)) continue;
      if (COLUMN_KEYS.has(name)) {
        if (!increments) push(name, [{ kind: 'string', value: column.name, node: head.node }, ...a]);
      } else if (name === 'notNullable') column.modifiers.set('nullable', { args: [{ kind: 'boolean', value: false, node: link.node }], span: linkSpan(link) });
      else if (name === 'alter') {
        const options = a[0];
        column.alter = { nullable: booleanOf(prop(options, 'alterNullable')) ?? true, type: booleanOf(prop(options, 'alterType')) ?? true };
      } else column.modifiers.set(name, { args: a, span: linkSpan(link) });
    }
    return;
  }
  if (head.name === 'foreign') {
    const columns = stringsOf(args[0]);
    if (!columns) {
      problems.push({ severity: 'info', code: 'unsupported', message: 'The columns of this foreign key are only known when the migration runs; FK Lens leaves it out of the model.', span });
      return;
    }
    const foreign: ForeignData = { columns, columnsSpan: argSpan(0), keyName: stringOf(args[1]), keyNameSpan: head.call!.arguments[1] ? argSpan(1) : undefined };
    push('foreign', [], foreign);
    for (const link of rest) foreignLinks(foreign, link);
    return;
  }
  if (head.name === 'timestamps') {
    let [useTimestamps, defaultToNow, camel] = [booleanOf(args[0]), booleanOf(args[1]), booleanOf(args[2])];
    if (args[0]?.kind === 'object') [useTimestamps, defaultToNow, camel] = ['useTimestamps', 'defaultToNow', 'useCamelCase'].map((k) => booleanOf(prop(args[0], k)));
    for (const name of camel ? ['createdAt', 'updatedAt'] : ['created_at', 'updated_at']) {
      const modifiers = new Map<string, Modifier>();
      if (defaultToNow) {
        modifiers.set('nullable', { args: [{ kind: 'boolean', value: false, node: head.node }], span: linkSpan(head) });
        modifiers.set('defaultTo', { args: [{ kind: 'raw', sql: 'CURRENT_TIMESTAMP', node: head.node }], span: linkSpan(head) });
      }
      builder.columns.push({ type: useTimestamps ? 'timestamp' : 'datetime', args: [], name, nameSpan: linkSpan(head), typeSpan: linkSpan(head), span, modifiers, alter: undefined });
    }
    return;
  }
  if (head.name === 'dropTimestamps') {
    push('dropColumn', [{ kind: 'array', items: (booleanOf(args[0]) ? ['createdAt', 'updatedAt'] : ['created_at', 'updated_at']).map((value) => ({ kind: 'string' as const, value, node: head.node })), node: head.node }]);
    return;
  }
  if (head.name === 'inherits') {
    const name = stringOf(args[0]);
    if (name) builder.inherits = { name, span: argSpan(0) };
    return;
  }
  if (TABLE_METHODS.has(head.name)) push(head.name === 'dropColumns' ? 'dropColumn' : head.name, args);
}

// ---- Compiling to SQL, as knex's PostgreSQL dialect does ------------------------------------------------------

interface TableTarget {
  method: 'create' | 'createIfNot' | 'alter';
  name: string;
  nameSpan: Span;
  schema?: string;
  qualified: string;
}

function compileTable(e: Emitter, builder: TableBuilder, target: TableTarget): void {
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
        if (predicate) return; // a partial unique index from a query builder: not read
      }
      const indexName = wrap(name ?? knexName(raw, columns, 'unique'));
      if (useConstraint) table().kw(` add constraint ${indexName} unique (${columnize(columns)})${deferrable ? ` deferrable initially ${deferrable}` : ''}`);
      else e.kw(`create unique index ${indexName} on `).at(target.qualified, target.nameSpan).kw(` (${columnize(columns)})`);
      return e.end();
    }
    case 'index': {
      if (!columns) return;
      const options = s.args[2];
      if (prop(options, 'predicate')) return; // a partial index from a query builder: not read
      const using = stringOf(options) ?? stringOf(prop(options, 'storageEngineIndexType'));
      const unique = stringOf(prop(options, 'indexType'))?.toLowerCase() === 'unique';
      e.kw(`create${unique ? ' unique' : ''} index ${wrap(stringOf(s.args[1]) ?? knexName(raw, columns, 'index'))} on `).at(target.qualified, target.nameSpan);
      e.kw(`${using ? ` using ${using}` : ''} (${columnize(columns)})`);
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
