/**
 * node-pg-migrate's `pgm` API (`pgm.createTable(name, columns, options)`, `addColumns`, `addConstraint`,
 * `createIndex`, `sql`, ...), read statically: each call becomes the SQL node-pg-migrate 9 builds for it (its
 * operations/ modules), every piece mapped to the JS expression it came from. What it builds, read from its
 * source and checked by running it (test/pg/node-pg-migrate.test.ts):
 * - names are quoted whole (`'public.users'` is one table named `public.users`); `{ schema, name }` is
 *   `"schema"."name"`; with the runner's `decamelize` option off (its default);
 * - a column: `"name" TYPE [DEFAULT v] [UNIQUE] [PRIMARY KEY] [NOT NULL] [CHECK (c)] [CONSTRAINT "n"] REFERENCES
 *   x [MATCH m] [ON DELETE a] [ON UPDATE b] [DEFERRABLE INITIALLY DEFERRED|IMMEDIATE]`; the type goes through the
 *   shorthands (the built-in `id` = `serial` primary key, and the file's own `exports.shorthands`) and the type
 *   adapters (`int` -> `integer`, `string` -> `text` ...); `references: 'users'` is quoted, one starting with `"`
 *   or ending with `)` is sent as written; an inline key is unnamed (PostgreSQL names it `<table>_<col>_fkey`)
 *   unless `referencesConstraintName` names it; several `primaryKey` columns make `CONSTRAINT "<table>_pkey"`;
 * - table constraints (`constraints` of createTable, the options of addConstraint) in the order check, unique,
 *   primaryKey, foreignKeys, exclude, named `<table>_chck[_i]`, `<table>_uniq_<cols>`, `<table>_pkey`,
 *   `<table>_fk_<cols>` (addConstraint's name, when given, names each of them);
 * - an index is named `<table>_<cols>[_unique]_index` unless `name` is given (dropIndex computes the same name).
 * Shorthands apply as node-pg-migrate's runner passes them on: each file's over those of the files before it.
 * The runner's `decamelize` option (off by default) is not seen.
 */
import type { SourceProblem } from '../events';
import type { Span } from '../text';
import { MappedSql, quoteName, sqlLiteral } from './mappedSql';
import { flattenChain, parseJs, Scope, spanOf, unwrap, type t } from './parse';
import { booleanOf, evaluate, numberOf, prop, sqlText, stringOf, type JsValue } from './values';

/** The `pgm` methods read here (aliases included). */
export const PGM_METHODS = new Set([
  'createTable', 'dropTable', 'renameTable', 'alterTable', 'addColumns', 'addColumn', 'dropColumns', 'dropColumn',
  'renameColumn', 'alterColumn', 'addConstraint', 'createConstraint', 'dropConstraint', 'renameConstraint',
  'createIndex', 'addIndex', 'dropIndex', 'renameIndex', 'sql', 'createSchema', 'dropSchema', 'renameSchema',
]);

/** Types node-pg-migrate renames (utils/types.ts TYPE_ADAPTERS). */
const TYPE_ADAPTERS: Record<string, string> = { int: 'integer', string: 'text', float: 'real', double: 'double precision', datetime: 'timestamp', bool: 'boolean' };

export interface PgmResult {
  units: MappedSql[];
  problems: SourceProblem[];
}

/** A column's options after the shorthands: each value with the span it stands for in the call. */
type Options = Map<string, JsValue>;

/** What the walk needs to read one node-pg-migrate file: the names `pgm` goes by and the file's shorthands. */
export interface PgmContext {
  /** up's first parameter (usually `pgm`). */
  names: Set<string>;
  /** The shorthands in effect: earlier migrations' (node-pg-migrate passes them on), then the file's own. */
  shorthands: Map<string, JsValue>;
  /** The file's own `shorthands` object literal, if any. */
  own?: t.ObjectExpression;
  /** This file or an earlier one has shorthands FK Lens cannot read (`require('./shorthands')`, a spread ...). */
  unreadable: boolean;
}

const quote = quoteName;

/**
 * The node-pg-migrate context of a file, or undefined when it is not written for node-pg-migrate: it imports
 * `node-pg-migrate`, exports `shorthands`, or its `up` takes a parameter named `pgm`.
 */
export function pgmContext(program: t.Program, scope: Scope, ups: t.Function[], inherited?: string): PgmContext | undefined {
  const names = new Set<string>();
  for (const fn of ups) {
    const p = fn.params[0];
    if (p?.type === 'Identifier') names.add(p.name);
  }
  let shorthands: JsValue | undefined;
  let imports = false;
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration' && statement.source.value === 'node-pg-migrate') imports = true;
    if (statement.type === 'ExportNamedDeclaration' && statement.declaration?.type === 'VariableDeclaration') {
      for (const d of statement.declaration.declarations) if (d.id.type === 'Identifier' && d.id.name === 'shorthands' && d.init) shorthands = evaluate(d.init, scope);
    }
    if (statement.type === 'ExpressionStatement' && statement.expression.type === 'AssignmentExpression' && statement.expression.left.type === 'MemberExpression') {
      const { root, links } = flattenChain(statement.expression.left);
      const path = root.type === 'Identifier' ? [root.name, ...links.map((l) => l.name)].join('.') : '';
      if (path === 'exports.shorthands' || path === 'module.exports.shorthands') shorthands = evaluate(statement.expression.right, scope);
      if (path === 'module.exports') shorthands ??= prop(evaluate(statement.expression.right, scope), 'shorthands');
    }
    if (statement.type === 'VariableDeclaration') {
      for (const d of statement.declarations) {
        const init = d.init && unwrap(d.init);
        if (init?.type === 'CallExpression' && init.callee.type === 'Identifier' && init.callee.name === 'require' && init.arguments[0]?.type === 'StringLiteral' && init.arguments[0].value === 'node-pg-migrate') imports = true;
      }
    }
  }
  if (!imports && !shorthands && !names.has('pgm')) return undefined;
  const map = inheritedShorthands(inherited);
  let own = shorthands && unwrap(shorthands.node);
  // `exports.shorthands = undefined` (node-pg-migrate's template): none.
  const none = !shorthands || shorthands.kind === 'null' || (own?.type === 'Identifier' && own.name === 'undefined');
  // `const shorthands = {...}; exports.shorthands = shorthands;`: the literal is what later files get.
  for (let depth = 0; own?.type === 'Identifier' && depth < 8; depth++) {
    const init = scope.constant(own.name);
    own = init && unwrap(init);
  }
  if (shorthands?.kind === 'object') for (const [k, v] of shorthands.props) map.set(k, v);
  const literal = own?.type === 'ObjectExpression' && own.properties.every((p) => p.type === 'ObjectProperty' && !p.computed) ? own : undefined;
  const ownUnreadable = !none && !literal;
  return { names, shorthands: map, own: literal, unreadable: ownUnreadable || map.has(UNREADABLE) };
}

/** Stands, among the shorthands passed on, for a file whose shorthands FK Lens could not read. */
const UNREADABLE = '\0unreadable';
/** What facts.ts passes on for such a file (readContext joins them). */
export const UNREADABLE_SHORTHANDS = 'null';

/**
 * PostgreSQL type names (and node-pg-migrate's adapters) a migration writes as a column's type; with shorthands
 * FK Lens cannot read, any other single word may be one of them.
 */
const TYPE_WORDS = new Set([
  'integer', 'int', 'int2', 'int4', 'int8', 'smallint', 'bigint', 'serial', 'serial4', 'serial8', 'bigserial', 'smallserial',
  'text', 'varchar', 'char', 'character', 'citext', 'name', 'boolean', 'bool', 'uuid', 'json', 'jsonb', 'xml', 'bytea',
  'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'numeric', 'decimal', 'real', 'float', 'float4',
  'float8', 'double', 'money', 'inet', 'cidr', 'macaddr', 'tsvector', 'tsquery', 'point', 'string', 'datetime', 'oid',
]);

/**
 * The shorthands earlier migrations of the history define (their object literals' text, oldest first, as
 * `inheritedShorthands` in workspace/jsMigrations.ts joins them): later ones replace earlier ones by name, as
 * node-pg-migrate's runner merges them. Their values stand for no range of this file.
 */
function inheritedShorthands(inherited: string | undefined): Map<string, JsValue> {
  const map = new Map<string, JsValue>();
  if (!inherited) return map;
  const parsed = parseJs('shorthands.js', `[${inherited}]`);
  const statement = parsed.ok ? parsed.program.body[0] : undefined;
  const array = statement?.type === 'ExpressionStatement' ? unwrap(statement.expression) : undefined;
  if (array?.type !== 'ArrayExpression') return map;
  for (const element of array.elements) {
    const value = element && element.type !== 'SpreadElement' ? detach(evaluate(element, Scope.empty)) : undefined;
    if (value?.kind === 'object') for (const [k, v] of value.props) map.set(k, v);
    else map.set(UNREADABLE, { kind: 'null', node: SYNTHETIC });
  }
  return map;
}

/** A value parsed from another file: known parts kept, ranges dropped (they would point into this file). */
function detach(v: JsValue): JsValue {
  switch (v.kind) {
    case 'object':
      if (v.node !== SYNTHETIC && !plainObject(v)) return { kind: 'unknown', node: SYNTHETIC };
      return { kind: 'object', props: new Map([...v.props].map(([k, x]) => [k, detach(x)])), node: SYNTHETIC };
    case 'array':
      return { kind: 'array', items: v.items.map(detach), node: SYNTHETIC };
    case 'new':
      return { kind: 'new', className: v.className, arg: v.arg && detach(v.arg), node: SYNTHETIC };
    default:
      return { ...v, node: SYNTHETIC };
  }
}

/** Is `root` the migration builder (`pgm`, or a helper's parameter bound to it)? */
export function isPgm(root: t.Node, scope: Scope, context: PgmContext): boolean {
  let n = unwrap(root);
  for (let depth = 0; n.type === 'Identifier' && depth < 8; depth++) {
    if (context.names.has(n.name) && !scope.constant(n.name)) return true;
    const init = scope.constant(n.name);
    if (!init) return false;
    n = unwrap(init);
  }
  return false;
}

export function pgmCall(method: string, call: t.CallExpression, scope: Scope, context: PgmContext): PgmResult {
  const nodes = call.arguments.filter((a): a is t.Expression => a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder');
  const args = nodes.map((a) => evaluate(a, scope));
  const callSpan = spanOf(call);
  const spanAt = (i: number) => (nodes[i] ? spanOf(nodes[i]) : callSpan);
  const out = new MappedSql();
  const problems: SourceProblem[] = [];
  const kw = (text: string, span: Span = callSpan) => out.atomic(text, span);
  const skip = (what: string, span: Span = callSpan): PgmResult => ({ units: [], problems: [unknownProblem(method, what, span)] });
  if (call.arguments.length !== nodes.length) return skip('arguments');
  const name = (i: number) => nameOf(args[i], spanAt(i));

  switch (method) {
    case 'createTable': {
      const table = name(0);
      const columns = args[1];
      const options = args[2];
      if (!table) return skip('table name', spanAt(0));
      if (columns?.kind !== 'object' || !plainObject(columns)) return skip('columns', spanAt(1));
      if (options && options.kind !== 'object') return skip('options', spanAt(2));
      for (const key of ['partition', 'like']) if (prop(options, key)) return skip(`\`${key}\` option`, propSpan(options!, key) ?? spanAt(2));
      const parsed = columnLines(table, columns, context, false);
      if ('problem' in parsed) return { units: [], problems: [parsed.problem] };
      const tableConstraints = options ? prop(options, 'constraints') : undefined;
      if (tableConstraints && (tableConstraints.kind !== 'object' || !plainObject(tableConstraints))) return skip('constraints', spanOf(tableConstraints.node));
      const constraintOptions: Options = new Map(tableConstraints?.kind === 'object' ? tableConstraints.props : []);
      if (parsed.primaryKey) {
        if (constraintOptions.has('primaryKey')) return skip('primary key');
        constraintOptions.set('primaryKey', parsed.primaryKey);
      }
      const constraints = constraintLines(table, constraintOptions, undefined, tableConstraints ? spanOf(tableConstraints.node) : callSpan);
      if ('problem' in constraints) return { units: [], problems: [constraints.problem] };
      const flags = [booleanOf(prop(options, 'temporary')) ? ' TEMPORARY' : '', booleanOf(prop(options, 'unlogged')) ? ' UNLOGGED' : ''].join('');
      kw(`CREATE${flags} TABLE${booleanOf(prop(options, 'ifNotExists')) ? ' IF NOT EXISTS' : ''} `).atomic(table.sql, table.span).atomic(' (\n', callSpan);
      [...parsed.lines, ...constraints].forEach((line, i) => {
        if (i > 0) kw(',\n');
        kw('  ').append(line);
      });
      kw('\n)');
      const inherits = prop(options, 'inherits');
      if (inherits) {
        const parent = nameOf(inherits, spanOf(inherits.node));
        if (!parent) return skip('`inherits` option', spanOf(inherits.node));
        kw(' INHERITS (').atomic(parent.sql, parent.span).atomic(')', callSpan);
      }
      kw(';\n');
      break;
    }
    case 'addColumns':
    case 'addColumn': {
      const table = name(0);
      const columns = args[1];
      if (!table) return skip('table name', spanAt(0));
      if (columns?.kind !== 'object' || !plainObject(columns)) return skip('columns', spanAt(1));
      const parsed = columnLines(table, columns, context, true);
      if ('problem' in parsed) return { units: [], problems: [parsed.problem] };
      const add = `  ADD ${booleanOf(prop(args[2], 'ifNotExists')) ? 'IF NOT EXISTS ' : ''}`;
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic('\n', callSpan);
      parsed.lines.forEach((line, i) => {
        if (i > 0) kw(',\n');
        kw(add).append(line);
      });
      kw(';\n');
      break;
    }
    case 'dropColumns':
    case 'dropColumn': {
      const table = name(0);
      if (!table) return skip('table name', spanAt(0));
      const list = args[1];
      const columns = list?.kind === 'string' ? [list] : list?.kind === 'array' ? list.items : list?.kind === 'object' && plainObject(list) ? [...list.props.keys()].map((k) => ({ kind: 'string' as const, value: k, node: list.node })) : undefined;
      const names = columns?.map((c) => nameOf(c, spanOf(c.node)));
      if (!names || !names.length || names.some((n) => !n)) return skip('columns', spanAt(1));
      const options = args[2];
      const ifExists = booleanOf(prop(options, 'ifExists')) ? 'IF EXISTS ' : '';
      const cascade = booleanOf(prop(options, 'cascade')) ? ' CASCADE' : '';
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic('\n', callSpan);
      names.forEach((n, i) => kw(i > 0 ? ',\n  DROP ' : '  DROP ').atomic(`${ifExists}${n!.sql}${cascade}`, n!.span));
      kw(';\n');
      break;
    }
    case 'renameColumn':
    case 'renameConstraint':
    case 'renameTable':
    case 'renameIndex':
    case 'renameSchema': {
      // `ALTER TABLE t RENAME [CONSTRAINT] a TO b`, `ALTER TABLE|INDEX|SCHEMA a RENAME TO b`.
      const onTable = method === 'renameColumn' || method === 'renameConstraint';
      const names = (onTable ? [0, 1, 2] : [0, 1]).map(name);
      if (names.some((n) => !n)) return skip('names');
      const [owner, from, to] = onTable ? names : [undefined, ...names];
      const head = method === 'renameIndex' ? 'ALTER INDEX ' : method === 'renameSchema' ? 'ALTER SCHEMA ' : 'ALTER TABLE ';
      if (owner) kw(head).atomic(owner.sql, owner.span).atomic(method === 'renameConstraint' ? ' RENAME CONSTRAINT ' : ' RENAME ', callSpan).atomic(from!.sql, from!.span);
      else kw(head).atomic(from!.sql, from!.span).atomic(' RENAME', callSpan);
      kw(' TO ').atomic(to!.sql, to!.span).atomic(';\n', callSpan);
      break;
    }
    case 'dropTable': {
      const table = name(0);
      if (!table) return skip('table name', spanAt(0));
      kw(`DROP TABLE${booleanOf(prop(args[1], 'ifExists')) ? ' IF EXISTS' : ''} `).atomic(table.sql, table.span).atomic(`${booleanOf(prop(args[1], 'cascade')) ? ' CASCADE' : ''};\n`, callSpan);
      break;
    }
    case 'alterTable':
      // Row level security, UNLOGGED / LOGGED: nothing the model holds.
      break;
    case 'alterColumn': {
      const [table, column] = [name(0), name(1)];
      const options = args[2];
      if (!table || !column) return skip('names');
      if (options?.kind !== 'object' || !plainObject(options)) return skip('options', spanAt(2));
      const actions: MappedSql[] = [];
      const at = (key: string) => propSpan(options, key) ?? spanAt(2);
      const def = prop(options, 'default');
      if (def?.kind === 'null') actions.push(new MappedSql().atomic('DROP DEFAULT', at('default')));
      else if (def) actions.push(new MappedSql().atomic('SET DEFAULT ', at('default')).append(defaultSql(def)));
      const type = prop(options, 'type');
      if (type) {
        const text = stringOf(type);
        if (text === undefined) return skip('type', spanOf(type.node));
        const using = prop(options, 'using');
        const usingText = using ? stringOf(using) : undefined;
        if (using && usingText === undefined) return skip('`using` expression', spanOf(using.node));
        const collation = stringOf(prop(options, 'collation'));
        actions.push(new MappedSql().atomic(`SET DATA TYPE ${TYPE_ADAPTERS[text] ?? text}${collation ? ` COLLATE ${collation}` : ''}${usingText ? ` USING ${usingText}` : ''}`, at('type')));
      }
      const notNull = prop(options, 'notNull');
      if (notNull && booleanOf(notNull) === undefined) return skip('`notNull`', spanOf(notNull.node));
      if (booleanOf(notNull)) actions.push(new MappedSql().atomic('SET NOT NULL', at('notNull')));
      else if (booleanOf(notNull) === false || booleanOf(prop(options, 'allowNull'))) actions.push(new MappedSql().atomic('DROP NOT NULL', at(notNull ? 'notNull' : 'allowNull')));
      if (!actions.length) break;
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic('\n', callSpan);
      actions.forEach((a, i) => kw(`${i > 0 ? ',\n' : ''}  ALTER `).atomic(column.sql, column.span).atomic(' ', callSpan).append(a));
      kw(';\n');
      break;
    }
    case 'addConstraint':
    case 'createConstraint': {
      const table = name(0);
      if (!table) return skip('table name', spanAt(0));
      const constraintName = args[1]?.kind === 'null' ? undefined : name(1);
      if (args[1]?.kind !== 'null' && !constraintName) return skip('constraint name', spanAt(1));
      const spec = args[2];
      const lines: MappedSql[] = [];
      if (spec?.kind === 'string' || (spec && spec.kind === 'unknown' && sqlText(spec.node, scope))) {
        const text = sqlText(spec.node, scope)!;
        const line = new MappedSql();
        if (constraintName) line.atomic('CONSTRAINT ', spanAt(1)).atomic(constraintName.sql, constraintName.span).atomic(' ', spanAt(1));
        lines.push(line.append(text));
      } else if (spec?.kind === 'object' && plainObject(spec)) {
        const parsed = constraintLines(table, spec.props, constraintName, spanAt(2));
        if ('problem' in parsed) return { units: [], problems: [parsed.problem] };
        lines.push(...parsed);
      } else return skip('constraint', spanAt(2));
      if (!lines.length) return skip('constraint', spanAt(2));
      kw('ALTER TABLE ').atomic(table.sql, table.span).atomic('\n', callSpan);
      lines.forEach((line, i) => kw(i > 0 ? ',\n  ADD ' : '  ADD ').append(line));
      kw(';\n');
      break;
    }
    case 'dropConstraint': {
      const [table, constraint] = [name(0), name(1)];
      if (!table || !constraint) return skip('names');
      const options = args[2];
      kw(`ALTER TABLE${booleanOf(prop(options, 'ifTableExists')) ? ' IF EXISTS' : ''} `).atomic(table.sql, table.span);
      kw(` DROP CONSTRAINT${booleanOf(prop(options, 'ifExists')) ? ' IF EXISTS' : ''} `).atomic(constraint.sql, constraint.span);
      kw(`${booleanOf(prop(options, 'cascade')) ? ' CASCADE' : ''};\n`);
      break;
    }
    case 'createIndex':
    case 'addIndex':
    case 'dropIndex': {
      const table = name(0);
      if (!table) return skip('table name', spanAt(0));
      const options = args[2];
      if (options && (options.kind !== 'object' || !plainObject(options))) return skip('options', spanAt(2));
      const columns = indexColumns(args[1]);
      if (!columns) return skip('columns', spanAt(1));
      const unique = booleanOf(prop(options, 'unique')) === true;
      const given = prop(options, 'name');
      let indexName: string | undefined;
      if (given) indexName = stringOf(given);
      else if (!columns.some((c) => c.literal)) indexName = `${table.name}_${columns.map((c) => c.name).join('_')}${unique ? '_unique' : ''}_index`;
      if (indexName === undefined) return skip('index name', given ? spanOf(given.node) : spanAt(1));
      const indexSql = (table.schema !== undefined ? `${quote(table.schema)}.` : '') + quote(indexName);
      const nameSpan = given ? spanOf(given.node) : callSpan;
      const concurrently = booleanOf(prop(options, 'concurrently')) ? ' CONCURRENTLY' : '';
      if (method === 'dropIndex') {
        kw(`DROP INDEX${concurrently}${booleanOf(prop(options, 'ifExists')) ? ' IF EXISTS' : ''} `).atomic(indexSql, nameSpan).atomic(`${booleanOf(prop(options, 'cascade')) ? ' CASCADE' : ''};\n`, callSpan);
        break;
      }
      // A schema-qualified index name (a `{ schema, name }` table) is refused by PostgreSQL: the index goes in the table's schema.
      const method_ = stringOf(prop(options, 'method'));
      const where = prop(options, 'where');
      const whereText = where ? sqlText(where.node, scope) : undefined;
      if (where && !whereText) return skip('`where` predicate', spanOf(where.node));
      const include = prop(options, 'include');
      const includeNames = include ? (include.kind === 'array' ? include.items : [include]).map((v) => nameOf(v, spanOf(v.node))) : [];
      if (includeNames.some((n) => !n)) return skip('`include` columns', spanOf(include!.node));
      const nulls = stringOf(prop(options, 'nulls'));
      kw(`CREATE${unique ? ' UNIQUE' : ''} INDEX${concurrently}${booleanOf(prop(options, 'ifNotExists')) ? ' IF NOT EXISTS' : ''} `).atomic(quote(indexName), nameSpan);
      kw(' ON ').atomic(table.sql, table.span).atomic(`${method_ ? ` USING ${method_}` : ''} (`, callSpan);
      columns.forEach((c, i) => kw(i > 0 ? ', ' : '').atomic(c.sql, c.span));
      kw(')');
      if (includeNames.length) kw(` INCLUDE (${includeNames.map((n) => n!.sql).join(', ')})`, spanOf(include!.node));
      if (nulls) kw(` NULLS ${nulls.toUpperCase()}`, propSpan(options!, 'nulls'));
      if (whereText) kw(' WHERE ', propSpan(options!, 'where')).append(whereText);
      kw(';\n');
      break;
    }
    case 'createSchema':
    case 'dropSchema': {
      const schema = name(0);
      if (!schema) return skip('schema name', spanAt(0));
      if (method === 'createSchema') kw(`CREATE SCHEMA${booleanOf(prop(args[1], 'ifNotExists')) ? ' IF NOT EXISTS' : ''} `).atomic(schema.sql, schema.span).atomic(';\n', callSpan);
      else kw(`DROP SCHEMA${booleanOf(prop(args[1], 'ifExists')) ? ' IF EXISTS' : ''} `).atomic(schema.sql, schema.span).atomic(`${booleanOf(prop(args[1], 'cascade')) ? ' CASCADE' : ''};\n`, callSpan);
      break;
    }
    case 'sql': {
      const text = nodes[0] ? sqlText(nodes[0], scope) : undefined;
      if (!text) return skip('SQL', spanAt(0));
      const mapping = args[1];
      if (mapping) {
        if (mapping.kind !== 'object' || !plainObject(mapping)) return skip('`{name}` values', spanAt(1));
        const replacements: { start: number; end: number; text: string; unknown?: boolean }[] = [];
        for (const [key, value] of mapping.props) {
          const valueText = value.kind === 'string' ? quote(value.value) : value.kind === 'number' || value.kind === 'boolean' ? String(value.value) : value.kind === 'object' ? nameOf(value, spanOf(value.node))?.sql : undefined;
          for (let at = text.text.indexOf(`{${key}}`); at >= 0; at = text.text.indexOf(`{${key}}`, at + 1)) {
            replacements.push({ start: at, end: at + key.length + 2, text: valueText ?? '', unknown: valueText === undefined });
          }
        }
        out.append(text.replaced(replacements));
      } else out.append(text);
      if (!out.text.trimEnd().endsWith(';')) kw(';');
      kw('\n');
      break;
    }
    default:
      return skip('call');
  }
  return { units: out.text ? [out] : [], problems };
}

function unknownProblem(method: string, what: string, span: Span): SourceProblem {
  return {
    severity: 'info',
    code: 'unsupported',
    message: `FK Lens does not read the ${what} of this node-pg-migrate \`${method}\` call (only known when the migration runs, or a form it does not follow); what it changes in the schema is not in the model.`,
    span,
  };
}

interface Name {
  name: string;
  schema?: string;
  sql: string;
  span: Span;
}

/** mOptions.literal: a string quoted whole, `{ schema, name }` as `"schema"."name"`. */
function nameOf(v: JsValue | undefined, span: Span): Name | undefined {
  if (v?.kind === 'string') return { name: v.value, sql: quote(v.value), span };
  if (v?.kind === 'object') {
    const name = stringOf(prop(v, 'name'));
    const schemaValue = prop(v, 'schema');
    const schema = stringOf(schemaValue);
    if (name === undefined || (schemaValue && schema === undefined)) return undefined;
    return { name, schema: schema || undefined, sql: (schema ? `${quote(schema)}.` : '') + quote(name), span };
  }
  return undefined;
}

/** An object literal without spreads or computed keys: what it holds is known. */
function plainObject(v: JsValue): boolean {
  const n = unwrap(v.node);
  return n.type === 'ObjectExpression' && n.properties.every((p) => p.type === 'ObjectProperty' && !p.computed);
}

function propSpan(o: JsValue, key: string): Span | undefined {
  const n = unwrap(o.node);
  if (n.type !== 'ObjectExpression') return undefined;
  const p = n.properties.find((x): x is t.ObjectProperty => x.type === 'ObjectProperty' && ((x.key.type === 'Identifier' && x.key.name === key) || (x.key.type === 'StringLiteral' && x.key.value === key)));
  return p ? spanOf(p) : undefined;
}

/** escapeValue: NULL, booleans, numbers, strings (dollar-quoted by node-pg-migrate; a literal here), arrays, `pgm.func(...)`. */
function defaultSql(v: JsValue): MappedSql {
  const span = spanOf(v.node);
  const text = valueText(v);
  return text === undefined ? new MappedSql().unknown(span) : new MappedSql().atomic(text, span);
}

function valueText(v: JsValue): string | undefined {
  switch (v.kind) {
    case 'null':
      return 'NULL';
    case 'boolean':
    case 'number':
      return String(v.value);
    case 'string':
      return sqlLiteral(v.value);
    case 'raw':
      return v.sql;
    case 'new':
      // `new PgLiteral('now()')`: sent as written.
      return v.className === 'PgLiteral' && v.arg?.kind === 'string' ? v.arg.value : undefined;
    case 'array': {
      const items = v.items.map(valueText);
      return items.every((i): i is string => i !== undefined) ? `ARRAY[${items.join(',').replace(/ARRAY/g, '')}]` : undefined;
    }
    default:
      return undefined;
  }
}

/** applyType: the column's options over its shorthand chain (the built-in `id`, then the file's), the type adapted. */
function applyType(spec: JsValue, context: PgmContext): Options | string {
  const own = toOptions(spec);
  if (!own) return 'column';
  const typeOf = (o: Options) => stringOf(o.get('type'));
  if (typeOf(own) === undefined) return 'type';
  const first = typeOf(own)!;
  if (context.unreadable && !context.shorthands.has(first) && /^[A-Za-z_]\w*$/.test(first) && (first === 'id' || !TYPE_WORDS.has(first.toLowerCase()))) {
    return `type \`${first}\` (it may be a shorthand of a migration whose shorthands FK Lens cannot read)`;
  }
  const chain: string[] = [first];
  let ext: Options | undefined;
  for (;;) {
    const last = chain[chain.length - 1];
    const short = context.shorthands.get(last) ?? (last === 'id' ? BUILT_IN_ID : undefined);
    if (!short) break;
    const options = toOptions(short);
    if (!options || typeOf(options) === undefined) return 'shorthand';
    const merged: Options = new Map(options);
    if (ext) for (const [k, v] of ext) if (k !== 'type') merged.set(k, v);
    ext = merged;
    if (chain.includes(typeOf(ext)!)) return 'shorthand';
    chain.push(typeOf(ext)!);
  }
  const result: Options = new Map(ext ?? []);
  for (const [k, v] of own) result.set(k, v);
  const type = typeOf(ext ?? own)!;
  result.set('type', { kind: 'string', value: TYPE_ADAPTERS[type] ?? type, node: (own.get('type') ?? spec).node });
  return result;
}

const SYNTHETIC = { type: 'StringLiteral', value: '' } as t.Node;
const BUILT_IN_ID: JsValue = {
  kind: 'object',
  props: new Map<string, JsValue>([['type', { kind: 'string', value: 'serial', node: SYNTHETIC }], ['primaryKey', { kind: 'boolean', value: true, node: SYNTHETIC }]]),
  node: SYNTHETIC,
};

function toOptions(v: JsValue): Options | undefined {
  if (v.kind === 'string') return new Map([['type', v]]);
  if (v.kind === 'object' && (v.node === SYNTHETIC || plainObject(v))) return new Map(v.props);
  return undefined;
}

/** parseColumns: one line per column; several primary key columns become one table constraint (createTable only). */
function columnLines(table: Name, columns: JsValue & { kind: 'object' }, context: PgmContext, adding: boolean): { lines: MappedSql[]; primaryKey?: JsValue } | { problem: SourceProblem } {
  const node = unwrap(columns.node) as t.ObjectExpression;
  const specs: { name: string; nameSpan: Span; span: Span; options: Options }[] = [];
  for (const p of node.properties as t.ObjectProperty[]) {
    const key = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'StringLiteral' ? p.key.value : p.key.type === 'NumericLiteral' ? String(p.key.value) : undefined;
    const spec = key === undefined ? undefined : columns.props.get(key);
    if (key === undefined || !spec) return { problem: unknownProblem(adding ? 'addColumns' : 'createTable', 'columns', spanOf(p)) };
    const options = applyType(spec, context);
    if (typeof options === 'string') return { problem: unknownProblem(adding ? 'addColumns' : 'createTable', `column \`${key}\`'s ${options}`, spanOf(p)) };
    specs.push({ name: key, nameSpan: spanOf(p.key), span: spanOf(p), options });
  }
  const primary = specs.filter((s) => truthy(s.options.get('primaryKey')));
  const several = primary.length > 1;
  const lines: MappedSql[] = [];
  for (const s of specs) {
    const o = s.options;
    const at = (key: string) => {
      const v = o.get(key);
      const span = v ? spanOf(v.node) : undefined;
      // Values from a shorthand stand for the column that uses it.
      return span && span.start >= s.span.start && span.end <= s.span.end ? span : s.span;
    };
    const line = new MappedSql().atomic(quote(s.name), s.nameSpan).atomic(' ', s.span);
    const type = stringOf(o.get('type'))!;
    const array = o.get('array');
    line.atomic(array && booleanOf(array) === true ? `${type} ARRAY` : numberOf(array) !== undefined ? `${type} ARRAY[${numberOf(array)}]` : type, at('type'));
    for (const key of ['collation', 'check', 'expressionGenerated', 'sequenceGenerated', 'references', 'default', 'unique', 'primaryKey', 'notNull', 'deferrable']) {
      const v = o.get(key);
      if (v && v.kind === 'unknown') return { problem: unknownProblem(adding ? 'addColumns' : 'createTable', `column \`${s.name}\`'s \`${key}\``, at(key)) };
    }
    const collation = stringOf(o.get('collation'));
    if (collation) line.atomic(` COLLATE ${collation}`, at('collation'));
    const def = o.get('default');
    if (def && def.node !== undefined) line.atomic(' DEFAULT ', at('default')).append(defaultSql(def));
    if (truthy(o.get('unique'))) line.atomic(' UNIQUE', at('unique'));
    if (truthy(o.get('primaryKey')) && !several) line.atomic(' PRIMARY KEY', at('primaryKey'));
    if (truthy(o.get('notNull'))) line.atomic(' NOT NULL', at('notNull'));
    const check = o.get('check');
    if (check) {
      const c = stringOf(check);
      if (c === undefined) return { problem: unknownProblem('createTable', `column \`${s.name}\`'s check`, at('check')) };
      line.atomic(` CHECK (${c})`, at('check'));
    }
    const references = o.get('references');
    if (references && truthy(references)) {
      const constraintName = o.get('referencesConstraintName');
      const named = constraintName ? stringOf(constraintName) : o.get('referencesConstraintComment') ? `${table.name}_fk_${s.name}` : undefined;
      if (constraintName && named === undefined) return { problem: unknownProblem('createTable', 'constraint name', at('referencesConstraintName')) };
      if (named) line.atomic(` CONSTRAINT ${quote(named)}`, constraintName ? at('referencesConstraintName') : at('references'));
      const clause = referencesClause(o, at);
      if (!clause) return { problem: unknownProblem('createTable', `column \`${s.name}\`'s reference`, at('references')) };
      line.atomic(' ', at('references')).append(clause);
    }
    if (truthy(o.get('deferrable'))) line.atomic(` DEFERRABLE INITIALLY ${truthy(o.get('deferred')) ? 'DEFERRED' : 'IMMEDIATE'}`, at('deferrable'));
    const sequence = o.get('sequenceGenerated');
    if (sequence && truthy(sequence)) {
      const precedence = stringOf(prop(sequence, 'precedence'));
      if (!precedence) return { problem: unknownProblem('createTable', 'identity', at('sequenceGenerated')) };
      line.atomic(` GENERATED ${precedence} AS IDENTITY`, at('sequenceGenerated'));
    }
    const generated = o.get('expressionGenerated');
    if (generated && truthy(generated)) {
      const expression = stringOf(generated);
      if (expression === undefined) return { problem: unknownProblem('createTable', 'generated expression', at('expressionGenerated')) };
      line.atomic(` GENERATED ALWAYS AS (${expression}) STORED`, at('expressionGenerated'));
    }
    lines.push(line);
  }
  if (!several || adding) return { lines };
  const first = primary[0];
  const key = first.options.get('primaryKey')!;
  return { lines, primaryKey: { kind: 'array', items: primary.map((p) => ({ kind: 'string' as const, value: p.name, node: key.node })), node: key.node } };
}

/** JS truthiness of a known value (`primaryKey: true`, `unique: 1`). */
function truthy(v: JsValue | undefined): boolean {
  if (!v) return false;
  switch (v.kind) {
    case 'boolean':
      return v.value;
    case 'number':
      return v.value !== 0;
    case 'string':
      return v.value !== '';
    case 'null':
      return false;
    default:
      return true;
  }
}

/** parseReferences: `REFERENCES x [MATCH m] [ON DELETE a] [ON UPDATE b]`. */
function referencesClause(o: Options, at: (key: string) => Span): MappedSql | undefined {
  const references = o.get('references')!;
  let target: string | undefined;
  if (references.kind === 'string') target = references.value.startsWith('"') || references.value.endsWith(')') ? references.value : quote(references.value);
  else target = nameOf(references, at('references'))?.sql;
  if (target === undefined) return undefined;
  const out = new MappedSql().atomic(`REFERENCES ${target}`, at('references'));
  for (const [key, words] of [['match', 'MATCH'], ['onDelete', 'ON DELETE'], ['onUpdate', 'ON UPDATE']] as const) {
    const v = o.get(key);
    if (!v || !truthy(v)) continue;
    const text = stringOf(v);
    if (text === undefined) return undefined;
    out.atomic(` ${words} ${text}`, at(key));
  }
  return out;
}

const toArray = (v: JsValue): JsValue[] => (v.kind === 'array' ? v.items : [v]);

/** parseConstraints: check, unique, primaryKey, foreignKeys, exclude, each named by `optionName` or by default. */
function constraintLines(table: Name, options: Options, optionName: Name | undefined, fallback: Span): MappedSql[] | { problem: SourceProblem } {
  const lines: MappedSql[] = [];
  const fail = (what: string, v?: JsValue) => ({ problem: unknownProblem('constraints', what, v ? spanOf(v.node) : fallback) });
  const nameSql = (defaultName: string, span: Span) => new MappedSql().atomic('CONSTRAINT ', span).atomic(optionName ? optionName.sql : quote(defaultName), optionName ? optionName.span : span).atomic(' ', span);
  for (const key of options.keys()) {
    if (!['check', 'unique', 'primaryKey', 'foreignKeys', 'exclude', 'deferrable', 'deferred', 'comment'].includes(key)) return fail(`\`${key}\` option`, options.get(key));
  }
  const check = options.get('check');
  if (check) {
    const checks = check.kind === 'array' ? check.items : [check];
    for (const [i, c] of checks.entries()) {
      const text = stringOf(c);
      if (text === undefined) return fail('check', c);
      lines.push(nameSql(check.kind === 'array' ? `${table.name}_chck_${i + 1}` : `${table.name}_chck`, spanOf(c.node)).atomic(`CHECK (${text})`, spanOf(c.node)));
    }
  }
  const unique = options.get('unique');
  if (unique) {
    const sets = toArray(unique).some((u) => u.kind === 'array') ? toArray(unique) : [unique];
    for (const set of sets) {
      const columns = toArray(set).map(stringOf);
      if (columns.some((c) => c === undefined)) return fail('unique columns', set);
      const span = spanOf(set.node);
      lines.push(nameSql(`${table.name}_uniq_${columns.join('_')}`, span).atomic(`UNIQUE (${columns.map((c) => quote(c!)).join(', ')})`, span));
    }
  }
  const primaryKey = options.get('primaryKey');
  if (primaryKey) {
    const columns = toArray(primaryKey).map(stringOf);
    if (columns.some((c) => c === undefined)) return fail('primary key columns', primaryKey);
    const span = spanOf(primaryKey.node);
    lines.push(nameSql(`${table.name}_pkey`, span).atomic(`PRIMARY KEY (${columns.map((c) => quote(c!)).join(', ')})`, span));
  }
  const foreignKeys = options.get('foreignKeys');
  if (foreignKeys) {
    for (const fk of toArray(foreignKeys)) {
      if (fk.kind !== 'object' || !plainObject(fk)) return fail('foreign key', fk);
      const span = spanOf(fk.node);
      const columns = prop(fk, 'columns') ? toArray(prop(fk, 'columns')!).map(stringOf) : [];
      if (!columns.length || columns.some((c) => c === undefined)) return fail('foreign key columns', fk);
      const explicit = prop(fk, 'referencesConstraintName');
      const explicitName = explicit ? stringOf(explicit) : undefined;
      if (explicit && explicitName === undefined) return fail('constraint name', explicit);
      const at = (key: string) => {
        const v = prop(fk, key);
        return v ? spanOf(v.node) : span;
      };
      const clause = prop(fk, 'references') ? referencesClause(fk.props, at) : undefined;
      if (!clause) return fail('foreign key reference', fk);
      const line = new MappedSql().atomic('CONSTRAINT ', span);
      if (explicitName) line.atomic(quote(explicitName), at('referencesConstraintName'));
      else if (optionName) line.atomic(optionName.sql, optionName.span);
      else line.atomic(quote(`${table.name}_fk_${columns.join('_')}`), span);
      lines.push(line.atomic(` FOREIGN KEY (${columns.map((c) => quote(c!)).join(', ')}) `, at('columns')).append(clause));
    }
  }
  const exclude = options.get('exclude');
  if (exclude) {
    const text = stringOf(exclude);
    if (text === undefined) return fail('exclusion constraint', exclude);
    lines.push(nameSql(`${table.name}_excl`, spanOf(exclude.node)).atomic(`EXCLUDE ${text}`, spanOf(exclude.node)));
  }
  const deferrable = options.get('deferrable');
  if (deferrable && deferrable.kind === 'unknown') return fail('`deferrable`', deferrable);
  if (truthy(deferrable)) for (const line of lines) line.atomic(` DEFERRABLE INITIALLY ${truthy(options.get('deferred')) ? 'DEFERRED' : 'IMMEDIATE'}`, spanOf(deferrable!.node));
  return lines;
}

interface IndexColumn {
  name: string;
  sql: string;
  span: Span;
  /** `pgm.func(...)`: the index then needs a name. */
  literal: boolean;
}

/** generateColumnsString: a name (an expression when it has other characters), `{ name, opclass, sort }`, `pgm.func(...)`. */
function indexColumns(v: JsValue | undefined): IndexColumn[] | undefined {
  if (!v) return undefined;
  const out: IndexColumn[] = [];
  for (const item of toArray(v)) {
    const span = spanOf(item.node);
    if (item.kind === 'raw') {
      out.push({ name: item.sql, sql: item.sql, span, literal: true });
      continue;
    }
    const name = item.kind === 'string' ? item.value : item.kind === 'object' ? stringOf(prop(item, 'name')) : undefined;
    if (name === undefined) return undefined;
    let sql = !/[^\w".]/.test(name) ? quote(name) : /\)$/.test(name) ? name : `(${name})`;
    if (item.kind === 'object') {
      const opclass = prop(item, 'opclass');
      const sort = stringOf(prop(item, 'sort'));
      if (opclass) {
        const o = nameOf(opclass, spanOf(opclass.node));
        if (!o) return undefined;
        sql += ` ${o.sql}`;
      }
      if (sort) sql += ` ${sort}`;
    }
    out.push({ name, sql, span, literal: false });
  }
  return out.length ? out : undefined;
}
