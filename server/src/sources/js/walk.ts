/**
 * Finds a migration's `up` and walks it in the order the code would run, collecting the SQL each call would
 * send (SQL strings, knex schema builder chains, TypeORM query runner calls) as units for the PostgreSQL
 * reader. Nothing runs: the walk only looks at the syntax tree.
 */
import type { Dialect, EventCondition, SourceProblem } from '../events';
import type { Span } from '../text';
import { ConditionReader, type Decision } from './conditions';
import { DB_MIGRATE_METHODS, dbMigrateCall } from './dbMigrate';
import { knexSchemaChain, SCHEMA_BUILDER_METHODS } from './knex';
import type { MappedSql } from './mappedSql';
import { isPgm, pgmCall, pgmContext, PGM_METHODS, type PgmContext } from './nodePgMigrate';
import { declarationOf, flattenChain, propertyName, Scope, spanOf, unwrap, type ChainLink, type t } from './parse';
import { bindPlaceholders, placeholderStyle } from './placeholders';
import { isSequelizeMigration, SEQUELIZE_METHODS, sequelizeCall } from './sequelize';
import { typeormCall, TYPEORM_METHODS } from './typeorm';
import { evaluate, sqlText } from './values';

/** Methods whose first argument is SQL the call sends: knex `raw`, TypeORM / Sequelize / pg `query`, db-migrate `runSql`, postgres.js `unsafe`. */
const SQL_METHODS = new Set(['raw', 'query', 'runSql', 'unsafe']);
const PROMISE_CALLBACKS = new Set(['then', 'catch', 'finally']);
/**
 * Calls that change the schema in some tool's API: one FK Lens could not read is reported as skipped (the model
 * may miss what it does), never silently dropped.
 */
const SCHEMA_CALLS = new Set([
  'createTable', 'alterTable', 'dropTable', 'renameTable', 'addColumn', 'addColumns', 'removeColumn', 'dropColumn', 'dropColumns',
  'changeColumn', 'renameColumn', 'addIndex', 'removeIndex', 'createIndex', 'dropIndex', 'addForeignKey', 'removeForeignKey',
  'createForeignKey', 'createForeignKeys', 'dropForeignKey', 'dropForeignKeys', 'addConstraint', 'removeConstraint',
  'createPrimaryKey', 'dropPrimaryKey', 'createUniqueConstraint', 'dropUniqueConstraint', 'createSchema', 'dropSchema',
]);
/** Iteration helpers whose callback runs once per element. */
const ITERATORS = new Set(['forEach', 'map', 'flatMap', 'reduce']);
/** Unrolled loops run at most this many times each. */
const MAX_UNROLL = 100;
/** Helper functions called from `up` are followed this deep. */
const MAX_CALL_DEPTH = 8;

export interface WalkResult {
  units: MappedSql[];
  problems: SourceProblem[];
  /** An `up` was found. */
  hasUp: boolean;
}

/** `shorthands`: node-pg-migrate's shorthands of the earlier migrations of the history (see pgmContext). */
export function walkMigration(program: t.Program, dialect: Dialect = 'postgres', shorthands?: string): WalkResult {
  const scope = Scope.of(program);
  const ups = upFunctions(program, scope);
  const walker = new Walker(dialect, isSequelizeMigration(program, ups), pgmContext(program, scope, ups, shorthands));
  for (const fn of ups) walker.runFunction(fn, scope);
  // node-pg-migrate sends its steps once `up` has returned: what the code runs itself (`pgm.db.query`) goes first.
  return { units: [...walker.units, ...walker.steps], problems: walker.problems, hasUp: ups.length > 0 };
}

// ---- Finding up ---------------------------------------------------------------------------------------------

/**
 * `exports.up = fn`, `module.exports = { up }`, `export async function up`, `export const up = ...`, and a
 * class's `up` method (TypeORM, and `module.exports = class ...`). Only `up`: `down` never counts.
 */
export function upFunctions(program: t.Program, scope: Scope): t.Function[] {
  const found: t.Function[] = [];
  const add = (node: t.Node | null | undefined) => {
    const fn = node && asFunction(node, scope);
    if (fn && !found.includes(fn)) found.push(fn);
  };
  const fromObject = (node: t.Node) => {
    const n = unwrap(node);
    if (n.type === 'ObjectExpression') {
      for (const p of n.properties) {
        if (p.type === 'ObjectMethod' && keyName(p.key) === 'up' && p.kind === 'method') add(p);
        else if (p.type === 'ObjectProperty' && keyName(p.key) === 'up') add(p.value);
      }
    } else if (n.type === 'ClassExpression') fromClass(n);
    else if (n.type === 'CallExpression') {
      // A wrapper around the migration: `createTransactionalMigration(async function up(knex) {...}, ...)`,
      // `defineMigration({ up })`.
      for (const arg of n.arguments) {
        const a = unwrap(arg);
        if (a.type === 'FunctionExpression' && a.id?.name === 'up') add(a);
        else if (a.type === 'ObjectExpression') fromObject(a);
      }
    } else if (n.type === 'Identifier') {
      const init = scope.constant(n.name);
      if (init) fromObject(init);
    }
  };
  const fromClass = (c: t.ClassDeclaration | t.ClassExpression) => {
    for (const member of c.body.body) {
      if ((member.type === 'ClassMethod' && member.kind === 'method' && !member.static && keyName(member.key) === 'up') ||
        (member.type === 'ClassProperty' && keyName(member.key) === 'up')) {
        add(member.type === 'ClassMethod' ? member : member.value);
      }
    }
  };
  // TypeScript compiled to ES5: `C.prototype.up = function (queryRunner) {...}`, at the top or in the class's IIFE.
  const prototypeUps = (statements: t.Statement[], depth: number): void => {
    for (const statement of statements) {
      if (statement.type === 'ExpressionStatement' && statement.expression.type === 'AssignmentExpression' && statement.expression.left.type === 'MemberExpression') {
        const names = flattenChain(statement.expression.left).links.map((l) => l.name);
        if (names.length >= 2 && names[names.length - 1] === 'up' && names[names.length - 2] === 'prototype') add(statement.expression.right);
      }
      if (depth > 0) for (const iife of iifeBodies(statement)) prototypeUps(iife, depth - 1);
    }
  };
  prototypeUps(program.body, 2);
  for (const statement of program.body) {
    const declaration = declarationOf(statement);
    if (declaration?.type === 'FunctionDeclaration' && declaration.id?.name === 'up' && statement.type === 'ExportNamedDeclaration') add(declaration);
    if (declaration?.type === 'VariableDeclaration' && statement.type === 'ExportNamedDeclaration') {
      for (const d of declaration.declarations) if (d.id.type === 'Identifier' && d.id.name === 'up') add(d.init);
    }
    if (declaration?.type === 'ClassDeclaration') fromClass(declaration);
    // `export { down, up };` (bundlers write ES modules this way), `export { migrateUp as up }`.
    if (statement.type === 'ExportNamedDeclaration' && !statement.source) {
      for (const specifier of statement.specifiers) {
        if (specifier.type === 'ExportSpecifier' && keyName(specifier.exported) === 'up') add(specifier.local);
      }
    }
    if (statement.type === 'ExportDefaultDeclaration') {
      const d = statement.declaration;
      if (d.type === 'ClassDeclaration') fromClass(d);
      else if (d.type !== 'FunctionDeclaration' && d.type !== 'TSDeclareFunction') fromObject(d);
    }
    if (statement.type === 'ExpressionStatement' && statement.expression.type === 'AssignmentExpression') {
      const { left, right } = statement.expression;
      const target = left.type === 'MemberExpression' ? flattenChain(left) : undefined;
      const path = target && target.root.type === 'Identifier' ? [target.root.name, ...target.links.map((l) => l.name)].join('.') : '';
      if (path === 'exports.up' || path === 'module.exports.up') add(right);
      else if (path === 'module.exports' || path === 'exports.default' || path === 'module.exports.default') fromObject(right);
    }
  }
  return found;
}

/** Bodies of functions a statement calls at once: `var C = (function () {...}())`, `(function () {...})()`. */
function iifeBodies(statement: t.Statement): t.Statement[][] {
  const inits: t.Node[] = [];
  if (statement.type === 'VariableDeclaration') for (const d of statement.declarations) if (d.init) inits.push(d.init);
  if (statement.type === 'ExpressionStatement') inits.push(statement.expression.type === 'AssignmentExpression' ? statement.expression.right : statement.expression);
  const bodies: t.Statement[][] = [];
  for (const init of inits) {
    const n = unwrap(init);
    const callee = n.type === 'CallExpression' ? unwrap(n.callee) : undefined;
    if (callee && (callee.type === 'FunctionExpression' || callee.type === 'ArrowFunctionExpression') && callee.body.type === 'BlockStatement') bodies.push(callee.body.body);
  }
  return bodies;
}

function keyName(key: t.Node): string | undefined {
  return key.type === 'Identifier' ? key.name : key.type === 'StringLiteral' ? key.value : undefined;
}

/** Where a loop or a `try` is written: from its keyword to its body (the whole statement is too long to name). */
function head(s: t.Loop | t.TryStatement): Span {
  const body = s.type === 'TryStatement' ? s.block : s.body;
  const start = s.start ?? 0;
  return { start, end: s.type === 'TryStatement' ? start + 3 : Math.max(start, (body.start ?? start) - 1) };
}

function asFunction(node: t.Node, scope: Scope): t.Function | undefined {
  const n = unwrap(node);
  if (n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type === 'ObjectMethod' || n.type === 'ClassMethod') return n;
  if (n.type === 'Identifier') return scope.fn(n.name);
  return undefined;
}

// ---- Walking ------------------------------------------------------------------------------------------------

class Walker {
  readonly units: MappedSql[] = [];
  /** node-pg-migrate's steps (`pgm.*` calls): sent after `up` returns, in call order. */
  readonly steps: MappedSql[] = [];
  readonly problems: SourceProblem[] = [];
  private readonly active = new Set<t.Function>();
  /** The run-time conditions of the code being walked, outermost first. */
  private conditions: EventCondition[] = [];
  private nextCondition = 1;
  private readonly reader: ConditionReader;

  /**
   * @param sequelize the file is a Sequelize migration: its query interface calls are Sequelize's.
   * @param pgm node-pg-migrate's context, when the file is written for it: `pgm.*` calls are its builder's.
   */
  constructor(dialect: Dialect, private readonly sequelize = false, private readonly pgm?: PgmContext) {
    this.reader = new ConditionReader(dialect);
  }

  /** A condition's value when known without running the code. */
  private readonly known = (test: t.Node, scope: Scope): boolean | undefined => {
    const decision = this.reader.decide(test, scope);
    return decision.kind === 'known' ? decision.value : undefined;
  };

  /** Runs `fn` with `args` bound to its first parameters (a `.then` callback's value, a loop's element). */
  runFunction(fn: t.Function, scope: Scope, args: t.Expression[] = []): void {
    if (this.active.has(fn) || this.active.size >= MAX_CALL_DEPTH) return;
    this.active.add(fn);
    try {
      let inner = scope;
      fn.params.forEach((param, i) => {
        const arg = args[i] && unwrap(args[i]);
        // `helper(knex)` into `function helper(knex)`: the name already means the same thing.
        if (arg && param.type === 'Identifier' && !(arg.type === 'Identifier' && arg.name === param.name)) inner = inner.bind(param.name, args[i]);
      });
      if (fn.body.type === 'BlockStatement') this.statements(fn.body.body, inner.with(fn.body.body));
      else this.execute(fn.body, inner);
    } finally {
      this.active.delete(fn);
    }
  }

  // ---- Conditions ---------------------------------------------------------------------------------------

  /** Runs `walk` with `condition` added to the current conditions. */
  private under(condition: EventCondition, walk: () => void): void {
    const saved = this.conditions;
    this.conditions = [...saved, condition];
    try {
      walk();
    } finally {
      this.conditions = saved;
    }
  }

  /** A fresh condition for one decision (both arms of it share the id), written at `where` (a node, or a range). */
  private condition(decision: Decision, where: t.Node | Span): EventCondition {
    const id = this.nextCondition++;
    const span = 'type' in where ? spanOf(where) : where;
    return decision.kind === 'test' ? { id, test: decision.test, negated: decision.negated, span } : { id, test: { kind: 'unknown' }, negated: false, span };
  }

  /** Walks one arm of a decision: always, never, or under the condition (`other`: the else arm). */
  private arm(decision: Decision, condition: EventCondition, other: boolean, walk: () => void): void {
    if (decision.kind === 'known') {
      if (decision.value !== other) walk();
      return;
    }
    this.under(other ? { ...condition, negated: !condition.negated } : condition, walk);
  }

  // ---- Statements --------------------------------------------------------------------------------------

  private statements(list: t.Statement[], scope: Scope): void {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      // `if (test) return;` (or a branch that always leaves): the rest of the block runs when the test fails.
      if (s.type === 'IfStatement' && !s.alternate && exits(s.consequent)) {
        this.execute(s.test, scope);
        const decision = this.reader.decide(s.test, scope);
        if (decision.kind === 'known' && !decision.value) continue;
        const condition = this.condition(decision, s.test);
        this.arm(decision, condition, false, () => this.block(s.consequent, scope));
        if (decision.kind === 'known') return;
        const rest = list.slice(i + 1);
        this.arm(decision, condition, true, () => this.statements(rest, scope));
        return;
      }
      this.statement(s, scope);
    }
  }

  private block(s: t.Statement, scope: Scope): void {
    if (s.type === 'BlockStatement') this.statements(s.body, scope.with(s.body));
    else this.statement(s, scope);
  }

  private statement(s: t.Statement, scope: Scope): void {
    switch (s.type) {
      case 'ExpressionStatement':
        return this.execute(s.expression, scope);
      case 'VariableDeclaration':
        for (const d of s.declarations) {
          // `const now = knex.raw('CURRENT_TIMESTAMP')` (no await): a fragment kept to be given to a query builder
          // as a value, not a statement (knex sends a raw only when it is awaited or its promise is used).
          const init = d.init && unwrap(d.init);
          if (d.init && !(init?.type === 'CallExpression' && isRawFragment(init))) this.execute(d.init, scope);
        }
        return;
      case 'ReturnStatement':
        if (s.argument) this.execute(s.argument, scope);
        return;
      case 'IfStatement': {
        this.execute(s.test, scope);
        const decision = this.reader.decide(s.test, scope);
        const condition = this.condition(decision, s.test);
        this.arm(decision, condition, false, () => this.block(s.consequent, scope));
        if (s.alternate) this.arm(decision, condition, true, () => this.block(s.alternate!, scope));
        return;
      }
      case 'SwitchStatement':
        return this.switchStatement(s, scope);
      case 'BlockStatement':
        return this.block(s, scope);
      case 'ForOfStatement':
        return this.forOf(s, scope);
      case 'ForStatement':
      case 'ForInStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        // Runs any number of times (often over query results): what it does applies only where it fits.
        return this.under(this.condition({ kind: 'unknown' }, head(s)), () => this.block(s.body, scope));
      case 'LabeledStatement':
        return this.block(s.body, scope);
      case 'TryStatement': {
        // The catch runs only when the try failed: of the two, the first that applies counts.
        const condition = this.condition({ kind: 'unknown' }, head(s));
        this.under(condition, () => this.block(s.block, scope));
        if (s.handler) this.under({ ...condition, negated: true }, () => this.block(s.handler!.body, scope));
        if (s.finalizer) this.block(s.finalizer, scope);
        return;
      }
      default:
        return;
    }
  }

  /** `for (const t of ['a', 'b'])` runs once per element; over anything else, under an unknown condition. */
  private forOf(s: t.ForOfStatement, scope: Scope): void {
    const items = constantItems(s.right, scope);
    const variable = s.left.type === 'VariableDeclaration' ? s.left.declarations[0]?.id : s.left;
    if (items && variable?.type === 'Identifier') {
      for (const item of items) this.block(s.body, scope.bind(variable.name, item));
      return;
    }
    this.under(this.condition({ kind: 'unknown' }, head(s)), () => this.block(s.body, scope));
  }

  private switchStatement(s: t.SwitchStatement, scope: Scope): void {
    // TypeScript's ES5 generators (`switch (_a.label) { case 0: ... case 1: ... }`): the steps of one run, in order.
    const discriminant = unwrap(s.discriminant);
    if (discriminant.type === 'MemberExpression' && propertyName(discriminant) === 'label' && s.cases.every((c) => c.test?.type === 'NumericLiteral')) {
      for (const c of s.cases) this.statements(c.consequent, scope);
      return;
    }
    let falling = false;
    for (const c of s.cases) {
      const decision: Decision = c.test
        ? this.reader.decide({ type: 'BinaryExpression', operator: '===', left: s.discriminant, right: c.test } as t.BinaryExpression, scope)
        : { kind: 'unknown' };
      const runs: boolean = falling || (decision.kind === 'known' && decision.value);
      if (runs) this.statements(c.consequent, scope);
      else if (decision.kind !== 'known') this.under(this.condition({ kind: 'unknown' }, c.test ?? c), () => this.statements(c.consequent, scope));
      falling = runs && !c.consequent.some((x) => x.type === 'BreakStatement' || exits(x));
      if (runs && !falling) return;
    }
  }

  private execute(expression: t.Node, scope: Scope): void {
    const n = unwrap(expression);
    switch (n.type) {
      case 'AwaitExpression':
      case 'YieldExpression':
        if (n.argument) this.execute(n.argument, scope);
        return;
      case 'SequenceExpression':
        for (const e of n.expressions) this.execute(e, scope);
        return;
      case 'ConditionalExpression': {
        this.execute(n.test, scope);
        const decision = this.reader.decide(n.test, scope);
        const condition = this.condition(decision, n.test);
        this.arm(decision, condition, false, () => this.execute(n.consequent, scope));
        this.arm(decision, condition, true, () => this.execute(n.alternate, scope));
        return;
      }
      case 'LogicalExpression': {
        // `exists || createTable(...)`: the right side runs only when the left one does not decide.
        this.execute(n.left, scope);
        const decision: Decision = n.operator === '??' ? { kind: 'unknown' } : this.reader.decide(n.left, scope);
        this.arm(decision, this.condition(decision, n.left), n.operator === '||', () => this.execute(n.right, scope));
        return;
      }
      case 'AssignmentExpression':
        return this.execute(n.right, scope);
      case 'ArrayExpression':
        // Steps in order (`async.series([...])`, `Promise.all([...])`): functions among them run too.
        for (const e of n.elements) {
          if (!e) continue;
          const element = unwrap(e.type === 'SpreadElement' ? e.argument : e);
          if (element.type === 'ArrowFunctionExpression' || element.type === 'FunctionExpression') this.runFunction(element, scope);
          else this.execute(element, scope);
        }
        return;
      case 'TaggedTemplateExpression':
        if (isSqlTag(n.tag)) this.unit(sqlText(n, scope));
        return;
      case 'CallExpression':
      case 'OptionalCallExpression':
        return this.call(n as t.CallExpression, scope);
      default:
        return;
    }
  }

  private unit(sql: MappedSql | undefined): void {
    if (sql && sql.text.trim()) this.push([sql]);
  }

  /** Units of SQL the code sends here (`to`: or later, node-pg-migrate's steps), under the current conditions. */
  private push(units: MappedSql[], problems: SourceProblem[] = [], to: MappedSql[] = this.units): void {
    for (const u of units) {
      if (this.conditions.length) u.conditions = this.conditions;
      to.push(u);
    }
    this.problems.push(...problems);
  }

  private call(call: t.CallExpression, scope: Scope): void {
    const { root, links } = flattenChain(call);
    const rootRuns = root.type === 'CallExpression' || root.type === 'TaggedTemplateExpression' || root.type === 'AwaitExpression';
    if (links.length && rootRuns) this.execute(root, scope);

    const schemaAt = links.findIndex((l, i) => l.name === 'schema' && !l.call && links[i + 1]?.call && SCHEMA_BUILDER_METHODS.has(links[i + 1].name));
    if (schemaAt >= 0) {
      const result = knexSchemaChain(links.slice(schemaAt + 1), scope, this.known);
      this.push(result.units, result.problems);
      const consumed = links.slice(schemaAt + 1, schemaAt + 1 + result.consumed);
      this.callbacks(links.slice(schemaAt + 1 + result.consumed), scope, consumed[consumed.length - 1]);
      return;
    }
    if (links.length) {
      // Everything before the last link runs first (`knex.raw(a).then(...)`).
      let first = links.length - 1;
      while (first > 0 && PROMISE_CALLBACKS.has(links[first].name)) first--;
      let head = links[first];
      // `db.createTable.bind(db, 'x', {...})` (async.series steps): the bound call, run where it is listed.
      if (head.name === 'bind' && head.call && first > 0 && !links[first - 1].call) {
        const bound = { ...head.call, callee: links[first - 1].node, arguments: head.call.arguments.slice(1) } as t.CallExpression;
        head = { name: links[first - 1].name, call: bound, node: bound };
        first--;
      }
      if (ITERATORS.has(head.name) && head.call) return this.iterate(head, first > 0 ? links[first - 1].node : root, scope);
      if (first > 0 && links[first - 1].call) this.execute(links[first - 1].node, scope);
      if (head.call) this.method(head, root, scope);
      this.callbacks(links.slice(first + 1), scope, head);
      return;
    }
    const callee = unwrap(call.callee);
    const local = callee.type === 'Identifier' ? scope.fn(callee.name) : callee.type === 'ArrowFunctionExpression' || callee.type === 'FunctionExpression' ? callee : undefined;
    if (local) return this.runFunction(local, scope, call.arguments.filter((a): a is t.Expression => a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder'));
    this.arguments(call, scope);
  }

  /** `['a', 'b'].forEach((t) => ...)`: once per constant element; over anything else, under an unknown condition. */
  private iterate(link: ChainLink, over: t.Node, scope: Scope): void {
    const fn = link.call!.arguments[0] && unwrap(link.call!.arguments[0]);
    const callback = fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') ? fn : fn?.type === 'Identifier' ? scope.fn(fn.name) : undefined;
    if (!callback) return this.arguments(link.call!, scope);
    const items = constantItems(over, scope);
    const at = link.name === 'reduce' ? 1 : 0;
    if (items) {
      for (const item of items) this.runFunction(callback, scope, at ? [{ type: 'Identifier', name: 'undefined' } as t.Identifier, item] : [item]);
      return;
    }
    if (unwrap(over).type === 'CallExpression' || unwrap(over).type === 'AwaitExpression') this.execute(over, scope);
    this.under(this.condition({ kind: 'unknown' }, link.node), () => this.runFunction(callback, scope));
  }

  private method(link: ChainLink, root: t.Node, scope: Scope): void {
    const call = link.call!;
    const first = call.arguments[0];
    if (SQL_METHODS.has(link.name) && first && first.type !== 'SpreadElement' && first.type !== 'ArgumentPlaceholder') {
      let sql = sqlText(first, scope);
      if (sql) {
        const bindings = placeholderStyle(link.name, call, scope);
        if (bindings) {
          const bound = bindPlaceholders(sql, bindings.style, bindings.values);
          sql = bound.sql;
          sql.placeholders = bound.count;
        }
        this.unit(sql);
        // db-migrate style: the callback runs after the SQL.
        return this.arguments({ ...call, arguments: call.arguments.slice(1) }, scope);
      }
      const a = unwrap(first);
      if (a.type !== 'ArrowFunctionExpression' && a.type !== 'FunctionExpression' && a.type !== 'ObjectExpression') {
        this.problems.push({
          severity: 'info',
          code: 'unsupported',
          message: `The SQL this \`${link.name}\` call sends is only known when the migration runs; FK Lens leaves it out of the model.`,
          span: spanOf(call),
        });
      }
    }
    if (this.pgm && PGM_METHODS.has(link.name) && isPgm(root, scope, this.pgm)) {
      const result = pgmCall(link.name, call, scope, this.pgm);
      return this.push(result.units, result.problems, this.steps);
    }
    if (this.sequelize && SEQUELIZE_METHODS.has(link.name)) {
      const result = sequelizeCall(link.name, call, scope);
      if (result) {
        this.push(result.units, result.problems);
        return;
      }
    }
    if (DB_MIGRATE_METHODS.has(link.name)) {
      const result = dbMigrateCall(link.name, call, scope);
      if (result) {
        this.push(result.units, result.problems);
        // Callbacks run after the call (`db.createTable(name, columns, callback)`).
        return this.arguments(call, scope);
      }
    }
    if (TYPEORM_METHODS.has(link.name)) {
      const result = typeormCall(link.name, call, scope);
      if (result) {
        this.push(result.units, result.problems);
        return;
      }
    }
    if (root.type === 'Identifier' && root.name === 'Promise' && first && first.type !== 'SpreadElement' && first.type !== 'ArgumentPlaceholder') return this.execute(first, scope);
    if (SCHEMA_CALLS.has(link.name)) {
      this.problems.push({
        severity: 'info',
        code: 'unsupported',
        message: `FK Lens does not read this \`${link.name}\` call; what it changes in the schema is not in the model.`,
        span: spanOf(call),
      });
    }
    this.arguments(call, scope);
  }

  /** `.then(cb)` / `.catch` / `.finally` after a chain: the callbacks run after it (`then`'s with the chain's value). */
  private callbacks(links: ChainLink[], scope: Scope, value?: ChainLink): void {
    // Only a guard's value means something to the walk (`hasTable(...).then((exists) => ...)`).
    let result = value && (value.name === 'hasTable' || value.name === 'hasColumn' || value.name === 'tableExists') ? value.node : undefined;
    for (const link of links) {
      if (!link.call || !PROMISE_CALLBACKS.has(link.name)) continue;
      if (link.name === 'catch') {
        this.under(this.condition({ kind: 'unknown' }, link.node), () => this.arguments(link.call!, scope));
        continue;
      }
      this.arguments(link.call, scope, link.name === 'then' && result ? [result] : []);
      result = undefined;
    }
  }

  /** Functions passed to a call run (`knex.transaction(async trx => ...)`, `.then(cb)`); calls passed to it run too. */
  private arguments(call: t.CallExpression, scope: Scope, values: t.Expression[] = []): void {
    for (const arg of call.arguments) {
      const a = unwrap(arg);
      // `.orWhere(knex.raw('LENGTH(??) > 0', [...]))`: a raw fragment given to a query builder is a value, not a statement.
      if (a.type === 'CallExpression' && isRawFragment(a)) continue;
      if (a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression') this.runFunction(a, scope, values);
      else if (a.type === 'Identifier' && scope.fn(a.name)) this.runFunction(scope.fn(a.name)!, scope, values);
      else if (a.type === 'CallExpression' || a.type === 'AwaitExpression' || a.type === 'ArrayExpression' || a.type === 'TaggedTemplateExpression') this.execute(a, scope);
    }
  }
}

/** `x.raw(...)` (not `x.schema.raw`): knex's SQL fragment. */
function isRawFragment(call: t.CallExpression): boolean {
  const { links } = flattenChain(call);
  return links.length >= 1 && links[links.length - 1].name === 'raw' && !links.some((l) => l.name === 'schema');
}

/** Does this statement always leave the function (return / throw, or a block ending in one)? */
function exits(s: t.Statement): boolean {
  if (s.type === 'ReturnStatement' || s.type === 'ThrowStatement') return true;
  if (s.type === 'BlockStatement') return s.body.length > 0 && exits(s.body[s.body.length - 1]);
  return false;
}

/** The elements of a constant array (literal or a const), when few enough to unroll. */
function constantItems(node: t.Node, scope: Scope): t.Expression[] | undefined {
  let n = unwrap(node);
  for (let depth = 0; n.type === 'Identifier' && depth < 8; depth++) {
    const init = scope.constant(n.name);
    if (!init) return undefined;
    n = unwrap(init);
  }
  if (n.type === 'CallExpression') {
    // `Object.keys({...})`, `Object.entries` are run-time values: left unknown.
    return undefined;
  }
  if (n.type !== 'ArrayExpression' || n.elements.length > MAX_UNROLL) return undefined;
  const items: t.Expression[] = [];
  for (const e of n.elements) {
    if (!e || e.type === 'SpreadElement') return undefined;
    if (evaluate(e, scope).kind === 'unknown') return undefined;
    items.push(e);
  }
  return items;
}

/** `sql\`...\``, `sql.unsafe\`...\``, `Prisma.sql\`...\``, `sql.type(x)\`...\``. */
function isSqlTag(tag: t.Node): boolean {
  const n = unwrap(tag);
  if (n.type === 'Identifier') return n.name.toLowerCase() === 'sql';
  if (n.type === 'MemberExpression') return propertyName(n)?.toLowerCase() === 'sql' || isSqlTag(n.object);
  if (n.type === 'CallExpression') return isSqlTag(n.callee);
  return false;
}
