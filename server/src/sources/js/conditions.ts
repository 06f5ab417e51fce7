/**
 * What a run-time condition of a migration means, read statically. Some are known from the history alone:
 * which database the code runs against (`knex.client.config.client.includes('pg')`, TypeORM's
 * `connection.options.type`, Sequelize's `getDialect()`), and the error argument of a callback (a migration
 * that was applied took its success path). Guards on the schema (`knex.schema.hasTable`, `hasColumn`,
 * TypeORM's `queryRunner.hasTable`) are tests the replay decides from the model. Anything else is unknown.
 */
import type { Dialect, EventCondition } from '../events';
import { flattenChain, spanOf, unwrap, type Scope, type t } from './parse';
import { evaluate, stringOf } from './values';

export type Decision = { kind: 'known'; value: boolean } | { kind: 'test'; test: EventCondition['test']; negated: boolean } | { kind: 'unknown' };

const UNKNOWN: Decision = { kind: 'unknown' };
const known = (value: boolean): Decision => ({ kind: 'known', value });

/**
 * The strings each way of asking for the engine gives, per dialect: knex's `client.config.client` is the name
 * the project configured (any of knex's aliases), `client.dialect` / `client.driverName` are knex's own.
 */
const ENGINE_NAMES: Record<string, Record<Dialect, string[]>> = {
  client: {
    postgres: ['pg', 'postgres', 'postgresql', 'pg-native', 'pgnative'],
    mysql: ['mysql', 'mysql2'],
    sqlite: ['sqlite3', 'sqlite', 'better-sqlite3'],
    cockroach: ['cockroachdb'],
    clickhouse: [],
    mssql: ['mssql', 'tedious'],
  },
  dialect: { postgres: ['postgresql'], mysql: ['mysql', 'mysql2'], sqlite: ['sqlite3', 'better-sqlite3'], cockroach: ['cockroachdb'], clickhouse: [], mssql: ['mssql'] },
  driverName: { postgres: ['pg'], mysql: ['mysql', 'mysql2'], sqlite: ['sqlite3', 'better-sqlite3'], cockroach: ['pg'], clickhouse: [], mssql: ['mssql'] },
  /** TypeORM's DataSourceOptions.type. */
  type: { postgres: ['postgres'], mysql: ['mysql', 'mariadb'], sqlite: ['sqlite', 'better-sqlite3'], cockroach: ['cockroachdb'], clickhouse: [], mssql: ['mssql'] },
  /** Sequelize's getDialect() / options.dialect. */
  sequelize: { postgres: ['postgres'], mysql: ['mysql', 'mariadb'], sqlite: ['sqlite'], cockroach: ['postgres'], clickhouse: [], mssql: ['mssql'] },
};

const MAX_DEPTH = 12;

/** `isPostgres`, `isMySQL`, `isSQLite`, ...: a helper that tests for one engine. */
const ENGINE_PREDICATE = /^is(Postgres|PostgreSQL|Pg|MySQL|MySQL8|MariaDB|SQLite|SQLite3|Cockroach|CockroachDB)$/i;
const PREDICATE_ENGINES: Record<string, Dialect> = {
  postgres: 'postgres', postgresql: 'postgres', pg: 'postgres', mysql: 'mysql', mysql8: 'mysql', mariadb: 'mysql',
  sqlite: 'sqlite', sqlite3: 'sqlite', cockroach: 'cockroach', cockroachdb: 'cockroach',
};
/** `getDatabaseClient(knex)`, `getDialect()`, `getClient()`: a helper that returns the engine's name. */
const ENGINE_NAME_HELPER = /^get(?:Database|Db)?(?:Client|Dialect|Driver|Vendor)(?:Name|Type)?$/;

export class ConditionReader {
  constructor(private readonly dialect: Dialect) {}

  decide(node: t.Node, scope: Scope, depth = 0): Decision {
    const n = unwrap(node);
    if (depth > MAX_DEPTH) return UNKNOWN;
    switch (n.type) {
      case 'BooleanLiteral':
        return known(n.value);
      case 'AwaitExpression':
        return this.decide(n.argument, scope, depth + 1);
      case 'UnaryExpression':
        if (n.operator !== '!') return UNKNOWN;
        return negate(this.decide(n.argument, scope, depth + 1));
      case 'LogicalExpression': {
        if (n.operator === '??') return UNKNOWN;
        const [a, b] = [this.decide(n.left, scope, depth + 1), this.decide(n.right, scope, depth + 1)];
        const stop = n.operator === '||';
        if (a.kind === 'known') return a.value === stop ? a : b;
        if (b.kind === 'known') return b.value === stop ? b : a;
        return UNKNOWN;
      }
      case 'Identifier': {
        // A callback's error argument: the run that recorded the migration as applied had none.
        if (/^err(or)?$/i.test(n.name) && !scope.constant(n.name)) return known(false);
        const init = scope.constant(n.name);
        return init ? this.decide(init, scope, depth + 1) : UNKNOWN;
      }
      case 'CallExpression':
        return this.call(n, scope, depth);
      case 'BinaryExpression':
        return this.engineTest(n, scope, depth);
      default:
        return UNKNOWN;
    }
  }

  private call(call: t.CallExpression, scope: Scope, depth: number): Decision {
    const { links } = flattenChain(call);
    const last = links[links.length - 1];
    const args = call.arguments;
    if (last && (last.name === 'hasTable' || last.name === 'hasColumn')) return schemaTest(last.name, links, args, scope);
    if (last?.name === 'tableExists' && args[0] && args[0].type !== 'SpreadElement' && args[0].type !== 'ArgumentPlaceholder') return tableExists(args[0], scope);
    if (last && ['includes', 'startsWith', 'endsWith', 'test', 'match'].includes(last.name)) return this.engineTest(call, scope, depth);
    // Helpers named for the engine they test (`DatabaseInfo.isSQLite(knex)`, `isPostgres(knex)`), local or imported.
    const helper = last?.name ?? (unwrap(call.callee).type === 'Identifier' ? (unwrap(call.callee) as t.Identifier).name : '');
    const engine = ENGINE_PREDICATE.exec(helper);
    if (engine && !(links.length === 0 && scope.fn(helper))) return known(PREDICATE_ENGINES[engine[1].toLowerCase()] === this.dialect);
    // A local helper returning one expression (`const isPg = (knex) => knex.client.config.client === 'pg'`).
    const callee = unwrap(call.callee);
    if (!links.length && callee.type === 'Identifier') {
      const fn = scope.fn(callee.name);
      const body = fn && (fn.body.type === 'BlockStatement' ? singleReturn(fn.body) : fn.body);
      if (body) return this.decide(body, scope, depth + 1);
    }
    return UNKNOWN;
  }

  /** A test on the engine's name: decided when it comes out the same for every name the engine goes by. */
  private engineTest(node: t.Node, scope: Scope, depth: number): Decision {
    let names: string[] | undefined;
    const valueOf = (e: t.Node): string | undefined => {
      const found = this.engineNames(e, scope, depth + 1);
      if (found) {
        names = found;
        return ENGINE_PLACEHOLDER;
      }
      return stringOf(evaluate(e, scope));
    };
    const outcome = (name: string): boolean | undefined => evaluateTest(unwrap(node), valueOf, name);
    // Find the engine expression first (valueOf records it), then try every name.
    outcome('');
    if (!names) return UNKNOWN;
    // A test that names one of the engine's names (`client.includes('pg')`) was written for the name the project
    // configured: the code works on its own set-up. Otherwise it must come out the same for every name.
    const named = names.find((name) => stringLiterals(node).includes(name));
    const results = new Set((named ? [named] : names).map((name) => outcome(name)));
    if (results.size !== 1 || results.has(undefined)) return UNKNOWN;
    return known([...results][0]!);
  }

  /** The names an expression that asks for the engine can have, or undefined when it does not ask. */
  private engineNames(node: t.Node, scope: Scope, depth: number): string[] | undefined {
    const n = unwrap(node);
    if (depth > MAX_DEPTH) return undefined;
    if (n.type === 'Identifier') {
      const init = scope.constant(n.name);
      return init ? this.engineNames(init, scope, depth + 1) : undefined;
    }
    if (n.type === 'AwaitExpression') return this.engineNames(n.argument, scope, depth + 1);
    const { links } = flattenChain(n);
    const path = links.map((l) => l.name).join('.');
    const names = (kind: string) => ENGINE_NAMES[kind][this.dialect];
    if (/(^|\.)client\.config\.client$/.test(path)) return names('client');
    if (/(^|\.)client\.dialect$/.test(path)) return names('dialect');
    if (/(^|\.)client\.driverName$/.test(path)) return names('driverName');
    if (/(^|\.)(connection|driver|dataSource)(\.driver)?\.options\.type$/.test(path)) return names('type');
    if (/(^|\.)sequelize\.(getDialect|options\.dialect)$/.test(path) || /(^|\.)getDialect$/.test(path)) return names('sequelize');
    // A helper that names the engine (`getDatabaseClient(knex) === 'mysql'`): one of the engine's usual names.
    const callee = n.type === 'CallExpression' ? unwrap(n.callee) : undefined;
    const helper = links.length ? links[links.length - 1].name : callee?.type === 'Identifier' ? callee.name : '';
    if (n.type === 'CallExpression' && ENGINE_NAME_HELPER.test(helper) && !(callee?.type === 'Identifier' && scope.fn(helper))) {
      return [...new Set([...names('client'), ...names('sequelize'), ...names('dialect')])];
    }
    return undefined;
  }
}

const ENGINE_PLACEHOLDER = '\u0000engine';

/** The string literals written in an expression. */
function stringLiterals(node: t.Node, out: string[] = []): string[] {
  const n = unwrap(node);
  if (n.type === 'StringLiteral') out.push(n.value);
  else if (n.type === 'BinaryExpression' || n.type === 'LogicalExpression') {
    stringLiterals(n.left, out);
    stringLiterals(n.right, out);
  } else if (n.type === 'CallExpression') {
    for (const a of n.arguments) if (a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder') stringLiterals(a, out);
    stringLiterals(n.callee, out);
  } else if (n.type === 'MemberExpression') stringLiterals(n.object, out);
  else if (n.type === 'ArrayExpression') for (const e of n.elements) if (e && e.type !== 'SpreadElement') stringLiterals(e, out);
  return out;
}

/** Evaluates a comparison / string test with the engine's name standing for the engine expression. */
function evaluateTest(n: t.Node, valueOf: (e: t.Node) => string | undefined, engine: string): boolean | undefined {
  const v = (e: t.Node) => {
    const s = valueOf(e);
    return s === ENGINE_PLACEHOLDER ? engine : s;
  };
  if (n.type === 'BinaryExpression') {
    if (n.left.type === 'PrivateName') return undefined;
    if (['===', '==', '!==', '!='].includes(n.operator)) {
      const [a, b] = [v(n.left), v(n.right)];
      if (a === undefined || b === undefined) return undefined;
      return n.operator.startsWith('!') ? a !== b : a === b;
    }
    // `client.indexOf('pg') !== -1` and the like are written with !== / >=; `x.indexOf(y) >= 0`:
    if (['>=', '>', '<'].includes(n.operator) && n.left.type === 'CallExpression') {
      const index = indexOfCall(n.left, v);
      const bound = n.right.type === 'NumericLiteral' ? n.right.value : n.right.type === 'UnaryExpression' && n.right.argument.type === 'NumericLiteral' ? -n.right.argument.value : undefined;
      if (index === undefined || bound === undefined) return undefined;
      return n.operator === '>=' ? index >= bound : n.operator === '>' ? index > bound : index < bound;
    }
    return undefined;
  }
  if (n.type === 'CallExpression') {
    const callee = unwrap(n.callee);
    if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return undefined;
    const method = callee.property.name;
    const arg = n.arguments[0];
    if (!arg || arg.type === 'SpreadElement' || arg.type === 'ArgumentPlaceholder') return undefined;
    const object = unwrap(callee.object);
    if (object.type === 'RegExpLiteral' && method === 'test') {
      const s = v(arg);
      return s === undefined ? undefined : new RegExp(object.pattern, object.flags).test(s);
    }
    if (object.type === 'ArrayExpression' && method === 'includes') {
      const s = v(arg);
      const items = object.elements.map((e) => (e && e.type !== 'SpreadElement' ? v(e) : undefined));
      return s === undefined || items.includes(undefined) ? undefined : items.includes(s);
    }
    const s = v(object);
    if (s === undefined) return undefined;
    if (method === 'match' && unwrap(arg).type === 'RegExpLiteral') {
      const re = unwrap(arg) as t.RegExpLiteral;
      return new RegExp(re.pattern, re.flags).test(s);
    }
    const a = v(arg);
    if (a === undefined) return undefined;
    if (method === 'includes') return s.includes(a);
    if (method === 'startsWith') return s.startsWith(a);
    if (method === 'endsWith') return s.endsWith(a);
  }
  return undefined;
}

function indexOfCall(call: t.CallExpression, v: (e: t.Node) => string | undefined): number | undefined {
  const callee = unwrap(call.callee);
  const arg = call.arguments[0];
  if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier' || callee.property.name !== 'indexOf' || !arg || arg.type === 'SpreadElement' || arg.type === 'ArgumentPlaceholder') return undefined;
  const [s, a] = [v(callee.object), v(arg)];
  return s === undefined || a === undefined ? undefined : s.indexOf(a);
}

function negate(d: Decision): Decision {
  if (d.kind === 'known') return known(!d.value);
  if (d.kind === 'test') return { ...d, negated: !d.negated };
  return d;
}

function singleReturn(body: t.BlockStatement): t.Expression | undefined {
  const statements = body.body.filter((s) => s.type !== 'EmptyStatement');
  return statements.length === 1 && statements[0].type === 'ReturnStatement' ? statements[0].argument ?? undefined : undefined;
}

/** Sequelize's `queryInterface.tableExists(t)`: a string is one name (dots included) in public, or `{ tableName, schema }`. */
function tableExists(node: t.Expression, scope: Scope): Decision {
  const value = evaluate(node, scope);
  const name = stringOf(value) ?? (value.kind === 'object' ? stringOf(value.props.get('tableName')) : undefined);
  const schemaValue = value.kind === 'object' ? value.props.get('schema') : undefined;
  const schema = schemaValue ? stringOf(schemaValue) : 'public';
  if (name === undefined || schema === undefined) return UNKNOWN;
  return { kind: 'test', test: { kind: 'has_table', table: { schema, name, span: spanOf(node) } }, negated: false };
}

/** `knex.schema[.withSchema(s)].hasTable(t)` / `hasColumn(t, c)`, TypeORM's `queryRunner.hasTable(t)` / `hasColumn(t, c)`. */
function schemaTest(method: string, links: ReturnType<typeof flattenChain>['links'], args: t.CallExpression['arguments'], scope: Scope): Decision {
  const arg = (i: number) => {
    const a = args[i];
    return a && a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder' ? a : undefined;
  };
  const withSchema = links.find((l) => l.name === 'withSchema')?.call?.arguments[0];
  const schema = withSchema && withSchema.type !== 'SpreadElement' && withSchema.type !== 'ArgumentPlaceholder' ? stringOf(evaluate(withSchema, scope)) : undefined;
  const tableNode = arg(0);
  const tableValue = tableNode && evaluate(tableNode, scope);
  // TypeORM accepts a Table too.
  const name = stringOf(tableValue) ?? (tableValue?.kind === 'new' ? stringOf(tableValue.arg?.kind === 'object' ? tableValue.arg.props.get('name') : undefined) : undefined);
  if (!tableNode || name === undefined) return UNKNOWN;
  const parts = name.split('.');
  const table = { schema: schema ?? (parts.length > 1 ? parts[0] : undefined), name: parts[parts.length - 1], span: spanOf(tableNode) };
  if (method === 'hasTable') return { kind: 'test', test: { kind: 'has_table', table }, negated: false };
  const columnNode = arg(1);
  const column = columnNode && stringOf(evaluate(columnNode, scope));
  if (column === undefined) return UNKNOWN;
  return { kind: 'test', test: { kind: 'has_column', table, column }, negated: false };
}
