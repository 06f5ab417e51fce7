/**
 * Finds a migration's `up` and walks it in the order the code would run, collecting the SQL each call would
 * send (SQL strings, knex schema builder chains, TypeORM query runner calls) as units for the PostgreSQL
 * reader. Nothing runs: the walk only looks at the syntax tree.
 */
import type { SourceProblem } from '../events';
import { knexSchemaChain, SCHEMA_BUILDER_METHODS } from './knex';
import type { MappedSql } from './mappedSql';
import { declarationOf, flattenChain, propertyName, Scope, spanOf, unwrap, type ChainLink, type t } from './parse';
import { typeormCall, TYPEORM_METHODS } from './typeorm';
import { sqlText } from './values';

/** Methods whose first argument is SQL the call sends: knex `raw`, TypeORM / Sequelize / pg `query`, db-migrate `runSql`, postgres.js `unsafe`. */
const SQL_METHODS = new Set(['raw', 'query', 'runSql', 'unsafe']);
const PROMISE_CALLBACKS = new Set(['then', 'catch', 'finally']);
/** Helper functions called from `up` are followed this deep. */
const MAX_CALL_DEPTH = 8;

export interface WalkResult {
  units: MappedSql[];
  problems: SourceProblem[];
  /** An `up` was found. */
  hasUp: boolean;
}

export function walkMigration(program: t.Program): WalkResult {
  const walker = new Walker();
  const scope = Scope.of(program);
  const ups = upFunctions(program, scope);
  for (const fn of ups) walker.runFunction(fn, scope);
  return { units: walker.units, problems: walker.problems, hasUp: ups.length > 0 };
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
    else if (n.type === 'Identifier') {
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
  for (const statement of program.body) {
    const declaration = declarationOf(statement);
    if (declaration?.type === 'FunctionDeclaration' && declaration.id?.name === 'up' && statement.type === 'ExportNamedDeclaration') add(declaration);
    if (declaration?.type === 'VariableDeclaration' && statement.type === 'ExportNamedDeclaration') {
      for (const d of declaration.declarations) if (d.id.type === 'Identifier' && d.id.name === 'up') add(d.init);
    }
    if (declaration?.type === 'ClassDeclaration') fromClass(declaration);
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

function keyName(key: t.Node): string | undefined {
  return key.type === 'Identifier' ? key.name : key.type === 'StringLiteral' ? key.value : undefined;
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
  readonly problems: SourceProblem[] = [];
  private readonly active = new Set<t.Function>();

  runFunction(fn: t.Function, scope: Scope): void {
    if (this.active.has(fn) || this.active.size >= MAX_CALL_DEPTH) return;
    this.active.add(fn);
    try {
      if (fn.body.type === 'BlockStatement') this.statements(fn.body.body, scope.with(fn.body.body));
      else this.execute(fn.body, scope);
    } finally {
      this.active.delete(fn);
    }
  }

  private statements(list: t.Statement[], scope: Scope): void {
    for (const s of list) this.statement(s, scope);
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
        for (const d of s.declarations) if (d.init) this.execute(d.init, scope);
        return;
      case 'ReturnStatement':
        if (s.argument) this.execute(s.argument, scope);
        return;
      case 'IfStatement':
        // The condition is only known at run time; both branches are read.
        this.execute(s.test, scope);
        this.block(s.consequent, scope);
        if (s.alternate) this.block(s.alternate, scope);
        return;
      case 'BlockStatement':
        return this.block(s, scope);
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'LabeledStatement':
        return this.block(s.body, scope);
      case 'TryStatement':
        this.block(s.block, scope);
        if (s.finalizer) this.block(s.finalizer, scope);
        return;
      default:
        return;
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
      case 'ConditionalExpression':
        this.execute(n.test, scope);
        this.execute(n.consequent, scope);
        this.execute(n.alternate, scope);
        return;
      case 'LogicalExpression':
        this.execute(n.left, scope);
        this.execute(n.right, scope);
        return;
      case 'AssignmentExpression':
        return this.execute(n.right, scope);
      case 'ArrayExpression':
        for (const e of n.elements) if (e) this.execute(e.type === 'SpreadElement' ? e.argument : e, scope);
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
    if (sql && sql.text.trim()) this.units.push(sql);
  }

  private call(call: t.CallExpression, scope: Scope): void {
    const { root, links } = flattenChain(call);
    const rootRuns = root.type === 'CallExpression' || root.type === 'TaggedTemplateExpression' || root.type === 'AwaitExpression';
    if (links.length && rootRuns) this.execute(root, scope);

    const schemaAt = links.findIndex((l, i) => l.name === 'schema' && !l.call && links[i + 1]?.call && SCHEMA_BUILDER_METHODS.has(links[i + 1].name));
    if (schemaAt >= 0) {
      const result = knexSchemaChain(links.slice(schemaAt + 1), scope);
      this.units.push(...result.units);
      this.problems.push(...result.problems);
      this.callbacks(links.slice(schemaAt + 1 + result.consumed), scope);
      return;
    }
    if (links.length) {
      // Everything before the last link runs first (`knex.raw(a).then(...)`).
      let first = links.length - 1;
      while (first > 0 && PROMISE_CALLBACKS.has(links[first].name)) first--;
      const head = links[first];
      if (first > 0 && links[first - 1].call) this.execute(links[first - 1].node, scope);
      if (head.call) this.method(head, root, scope);
      this.callbacks(links.slice(first + 1), scope);
      return;
    }
    const callee = unwrap(call.callee);
    const local = callee.type === 'Identifier' ? scope.fn(callee.name) : callee.type === 'ArrowFunctionExpression' || callee.type === 'FunctionExpression' ? callee : undefined;
    if (local) return this.runFunction(local, scope);
    this.arguments(call, scope);
  }

  private method(link: ChainLink, root: t.Node, scope: Scope): void {
    const call = link.call!;
    const first = call.arguments[0];
    if (SQL_METHODS.has(link.name) && first && first.type !== 'SpreadElement' && first.type !== 'ArgumentPlaceholder') {
      const sql = sqlText(first, scope);
      if (sql && link.name === 'raw' && call.arguments.length > 1 && sql.text.includes('?')) {
        this.problems.push({
          severity: 'info',
          code: 'unsupported',
          message: 'FK Lens does not fill in knex.raw bindings (`?`, `??`); this statement is left out of the model.',
          span: spanOf(call),
        });
        return;
      }
      if (sql) {
        this.unit(sql);
        // db-migrate style: the callback runs after the SQL.
        return this.arguments({ ...call, arguments: call.arguments.slice(1) }, scope);
      }
    }
    if (TYPEORM_METHODS.has(link.name)) {
      const result = typeormCall(link.name, call, scope);
      if (result) {
        this.units.push(...result.units);
        this.problems.push(...result.problems);
        return;
      }
    }
    if (root.type === 'Identifier' && root.name === 'Promise' && first && first.type !== 'SpreadElement' && first.type !== 'ArgumentPlaceholder') return this.execute(first, scope);
    this.arguments(call, scope);
  }

  /** `.then(cb)` / `.catch` / `.finally` after a chain: the callbacks run after it. */
  private callbacks(links: ChainLink[], scope: Scope): void {
    for (const link of links) if (link.call && PROMISE_CALLBACKS.has(link.name)) this.arguments(link.call, scope);
  }

  /** Functions passed to a call run (`knex.transaction(async trx => ...)`, `.then(cb)`); calls passed to it run too. */
  private arguments(call: t.CallExpression, scope: Scope): void {
    for (const arg of call.arguments) {
      const a = unwrap(arg);
      if (a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression') this.runFunction(a, scope);
      else if (a.type === 'Identifier' && scope.fn(a.name)) this.runFunction(scope.fn(a.name)!, scope);
      else if (a.type === 'CallExpression' || a.type === 'AwaitExpression' || a.type === 'ArrayExpression' || a.type === 'TaggedTemplateExpression') this.execute(a, scope);
    }
  }
}

/** `sql\`...\``, `sql.unsafe\`...\``, `Prisma.sql\`...\``, `sql.type(x)\`...\``. */
function isSqlTag(tag: t.Node): boolean {
  const n = unwrap(tag);
  if (n.type === 'Identifier') return n.name.toLowerCase() === 'sql';
  if (n.type === 'MemberExpression') return propertyName(n)?.toLowerCase() === 'sql' || isSqlTag(n.object);
  if (n.type === 'CallExpression') return isSqlTag(n.callee);
  return false;
}
