/**
 * A knex table callback (`(table) => { table.integer('x').references(...) ... }`) read the way knex's
 * TableBuilder records it: columns with their modifiers, and table statements (keys, indexes, drops, renames)
 * in call order. Nothing runs.
 */
import type { SourceProblem } from '../events';
import type { Span } from '../text';
import { flattenChain, spanOf, unwrap, type ChainLink, type Scope, type t } from './parse';
import { booleanOf, evaluate, prop, stringOf, stringsOf, type JsValue } from './values';

/** `.onDelete('CASCADE')`: from the property name to the closing parenthesis. */
export function linkSpan(link: ChainLink): Span {
  const callee = link.call ? unwrap(link.call.callee) : link.node;
  const property = callee.type === 'MemberExpression' ? callee.property : callee;
  return { start: property.start ?? 0, end: link.node.end ?? 0 };
}

export interface Modifier {
  args: JsValue[];
  span: Span;
}

export interface ColumnCall {
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

export interface ForeignData {
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

export interface TableStatement {
  method: string;
  args: JsValue[];
  span: Span;
  foreign?: ForeignData;
}

export interface TableBuilder {
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
const COLUMN_KEYS = new Set(['index', 'primary', 'unique']);
const ALIASES: Record<string, string> = { default: 'defaultTo', defaultsTo: 'defaultTo', notNull: 'notNullable' };

/** A condition's value when it is known without running the code (which engine the migration runs on). */
export type KnownCondition = (test: t.Node, scope: Scope) => boolean | undefined;

/**
 * Runs through a `(table) => { ... }` callback the way knex's TableBuilder records it (nothing executes). A
 * branch whose condition is known not to hold (`if (isMySQL)` in a PostgreSQL history) is left out; of one
 * whose condition is not known, both branches count (the table's statement is one).
 */
export function readTableCallback(fn: t.ArrowFunctionExpression | t.FunctionExpression, scope: Scope, problems: SourceProblem[], known: KnownCondition = () => undefined): TableBuilder {
  const builder: TableBuilder = { columns: [], statements: [] };
  const param = fn.params[0];
  const tableName = param?.type === 'Identifier' ? param.name : undefined;
  const inner = fn.body.type === 'BlockStatement' ? scope.with(fn.body.body) : scope;
  const visit = (node: t.Node): void => {
    const n = unwrap(node);
    if (n.type === 'BlockStatement') n.body.forEach(visit);
    else if (n.type === 'ExpressionStatement') visit(n.expression);
    else if (n.type === 'IfStatement') {
      const value = known(n.test, inner);
      if (value !== false) visit(n.consequent);
      if (n.alternate && value !== true) visit(n.alternate);
    } else if (n.type === 'SequenceExpression') n.expressions.forEach(visit);
    else if (n.type === 'CallExpression') {
      const { root, links } = flattenChain(n);
      const isTable = (root.type === 'Identifier' && root.name === tableName) || root.type === 'ThisExpression';
      if (isTable && links[0]?.call) readTableChain(links, { start: root.start ?? 0, end: n.end ?? 0 }, inner, builder, problems);
      // `const textColumn = isMySQL ? table.string.bind(table) : table.text.bind(table); textColumn('x')...`
      const bound = root.type === 'CallExpression' && tableName ? boundColumnMethod(root, tableName, inner, known) : undefined;
      if (bound) readTableChain([{ name: bound, call: root as t.CallExpression, node: root as t.Expression }, ...links], { start: root.start ?? 0, end: n.end ?? 0 }, inner, builder, problems);
    }
  };
  visit(fn.body);
  return builder;
}

/** The table method a local function stands for: `table.text.bind(table)`, or the known branch of `c ? a : b`. */
function boundColumnMethod(call: t.CallExpression, tableName: string, scope: Scope, known: KnownCondition): string | undefined {
  const callee = unwrap(call.callee);
  let value = callee.type === 'Identifier' ? scope.constant(callee.name) : undefined;
  for (let depth = 0; value && depth < 4; depth++) {
    const n = unwrap(value);
    if (n.type === 'ConditionalExpression') {
      const test = known(n.test, scope);
      if (test === undefined) return undefined;
      value = test ? n.consequent : n.alternate;
      continue;
    }
    const { root, links } = flattenChain(n);
    if (root.type !== 'Identifier' || root.name !== tableName || links.length !== 2 || links[1].name !== 'bind' || links[0].call) return undefined;
    return COLUMN_TYPES.has(links[0].name) ? links[0].name : undefined;
  }
  return undefined;
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
