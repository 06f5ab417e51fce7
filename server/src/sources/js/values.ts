/**
 * Static values of JS expressions (literals, constants, arrays, objects, `new Table({...})`), and SQL text
 * of string expressions with a map back into the file. Whatever depends on running the code is `unknown`.
 */
import { MappedSql } from './mappedSql';
import { flattenChain, spanOf, unwrap, type Scope, type t } from './parse';

export type JsValue =
  | { kind: 'string'; value: string; node: t.Node }
  | { kind: 'number'; value: number; node: t.Node }
  | { kind: 'boolean'; value: boolean; node: t.Node }
  | { kind: 'null'; node: t.Node }
  | { kind: 'array'; items: JsValue[]; node: t.Node }
  | { kind: 'object'; props: Map<string, JsValue>; node: t.Node }
  /** `knex.raw('...')`, `knex.fn.now()`: SQL text used as a value (a default). */
  | { kind: 'raw'; sql: string; node: t.Node }
  /** `new Table({...})` and the like: the class name and its first argument. */
  | { kind: 'new'; className: string; arg?: JsValue; node: t.Node }
  | { kind: 'unknown'; node: t.Node };

const MAX_DEPTH = 20;

export function evaluate(node: t.Node, scope: Scope, depth = 0): JsValue {
  const n = unwrap(node);
  if (depth > MAX_DEPTH) return { kind: 'unknown', node: n };
  switch (n.type) {
    case 'StringLiteral':
      return { kind: 'string', value: n.value, node: n };
    case 'NumericLiteral':
      return { kind: 'number', value: n.value, node: n };
    case 'BooleanLiteral':
      return { kind: 'boolean', value: n.value, node: n };
    case 'NullLiteral':
      return { kind: 'null', node: n };
    case 'UnaryExpression': {
      const v = evaluate(n.argument, scope, depth + 1);
      if (n.operator === '-' && v.kind === 'number') return { kind: 'number', value: -v.value, node: n };
      if (n.operator === '!' && v.kind === 'boolean') return { kind: 'boolean', value: !v.value, node: n };
      return { kind: 'unknown', node: n };
    }
    case 'TemplateLiteral':
    case 'BinaryExpression': {
      const sql = sqlText(n, scope, depth + 1);
      return sql && !sql.hasUnknowns ? { kind: 'string', value: sql.text, node: n } : { kind: 'unknown', node: n };
    }
    case 'Identifier': {
      if (n.name === 'undefined') return { kind: 'unknown', node: n };
      const init = scope.constant(n.name);
      return init ? { ...evaluate(init, scope, depth + 1), node: n } : { kind: 'unknown', node: n };
    }
    case 'ArrayExpression':
      return {
        kind: 'array',
        items: n.elements.map((e) => (e && e.type !== 'SpreadElement' ? evaluate(e, scope, depth + 1) : { kind: 'unknown' as const, node: e ?? n })),
        node: n,
      };
    case 'ObjectExpression': {
      const props = new Map<string, JsValue>();
      for (const p of n.properties) {
        if (p.type !== 'ObjectProperty' || p.computed) continue;
        const key = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'StringLiteral' ? p.key.value : undefined;
        if (key !== undefined) props.set(key, evaluate(p.value, scope, depth + 1));
      }
      return { kind: 'object', props, node: n };
    }
    case 'NewExpression': {
      const callee = unwrap(n.callee);
      const className = callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' && callee.property.type === 'Identifier' ? callee.property.name : '';
      const first = n.arguments[0];
      return { kind: 'new', className, arg: first && first.type !== 'SpreadElement' ? evaluate(first, scope, depth + 1) : undefined, node: n };
    }
    case 'CallExpression':
      return rawValue(n, scope, depth) ?? { kind: 'unknown', node: n };
    default:
      return { kind: 'unknown', node: n };
  }
}

/** `x.raw('now()')`, `x.fn.now()` (knex defaults) and `pgm.func('now()')` (node-pg-migrate) as SQL values. */
function rawValue(call: t.CallExpression, scope: Scope, depth: number): JsValue | undefined {
  const { root, links } = flattenChain(call);
  const last = links[links.length - 1];
  if (last?.name === 'raw' && call.arguments[0]) {
    const sql = sqlText(call.arguments[0], scope, depth + 1);
    return sql && !sql.hasUnknowns ? { kind: 'raw', sql: sql.text, node: call } : undefined;
  }
  if (last?.name === 'now' && links[links.length - 2]?.name === 'fn') return { kind: 'raw', sql: 'CURRENT_TIMESTAMP', node: call };
  // node-pg-migrate's `pgm.func('current_timestamp')` / `PgLiteral.create(...)`: SQL sent as written.
  const pgLiteral = last?.name === 'create' && links.length === 1 && root.type === 'Identifier' && root.name === 'PgLiteral';
  if ((last?.name === 'func' || pgLiteral) && call.arguments[0]) {
    const sql = stringOf(evaluate(call.arguments[0], scope, depth + 1));
    return sql !== undefined ? { kind: 'raw', sql, node: call } : undefined;
  }
  return undefined;
}

export const stringOf = (v: JsValue | undefined): string | undefined => (v?.kind === 'string' ? v.value : undefined);
export const numberOf = (v: JsValue | undefined): number | undefined => (v?.kind === 'number' ? v.value : undefined);
export const booleanOf = (v: JsValue | undefined): boolean | undefined => (v?.kind === 'boolean' ? v.value : undefined);
export const prop = (v: JsValue | undefined, key: string): JsValue | undefined => (v?.kind === 'object' ? v.props.get(key) : undefined);

/** The whole `key: value` property of an object literal (for ranges like `onDelete: 'CASCADE'`). */
export function propertyNode(o: JsValue, key: string): t.ObjectProperty | undefined {
  const node = unwrap(o.node);
  if (node.type !== 'ObjectExpression') return undefined;
  return node.properties.find((p): p is t.ObjectProperty => p.type === 'ObjectProperty' && ((p.key.type === 'Identifier' && p.key.name === key) || (p.key.type === 'StringLiteral' && p.key.value === key)));
}

/** A string or an array of strings (knex column lists); undefined when any part is unknown. */
export function stringsOf(v: JsValue | undefined): string[] | undefined {
  if (v?.kind === 'string') return [v.value];
  if (v?.kind !== 'array') return undefined;
  const out = v.items.map(stringOf);
  return out.every((s): s is string => s !== undefined) ? out : undefined;
}

// ---- SQL text of string expressions ---------------------------------------------------------------------

/**
 * The text of a string expression as SQL, every character mapped back into the file: string literals,
 * template literals (a `${}` whose value is a known constant becomes that value, any other is unknown),
 * `+` concatenation, `[...].join(sep)`, and constants referred to by name. Undefined when it is not a string.
 */
export function sqlText(node: t.Node, scope: Scope, depth = 0): MappedSql | undefined {
  const n = unwrap(node);
  if (depth > MAX_DEPTH) return undefined;
  switch (n.type) {
    case 'StringLiteral':
      return decodeInto(new MappedSql(), rawOf(n, 1), (n.start ?? 0) + 1);
    case 'TemplateLiteral':
      return templateText(n, scope, depth);
    case 'TaggedTemplateExpression':
      return templateText(n.quasi, scope, depth);
    case 'BinaryExpression': {
      if (n.operator !== '+' || n.left.type === 'PrivateName') return undefined;
      const left = sqlText(n.left, scope, depth + 1) ?? valueText(n.left, scope, depth);
      const right = sqlText(n.right, scope, depth + 1) ?? valueText(n.right, scope, depth);
      return left && right ? left.append(right) : undefined;
    }
    case 'Identifier': {
      const init = scope.constant(n.name);
      return init ? sqlText(init, scope, depth + 1) : undefined;
    }
    case 'CallExpression':
      return joinedText(n, scope, depth);
    default:
      return undefined;
  }
}

/** A number or other constant inside a concatenation, as text standing for its expression. */
function valueText(node: t.Node, scope: Scope, depth: number): MappedSql | undefined {
  const v = evaluate(node, scope, depth + 1);
  if (v.kind === 'number' || v.kind === 'boolean') return new MappedSql().atomic(String(v.value), spanOf(node));
  return new MappedSql().unknown(spanOf(node));
}

function templateText(template: t.TemplateLiteral, scope: Scope, depth: number): MappedSql {
  const out = new MappedSql();
  template.quasis.forEach((quasi, i) => {
    decodeInto(out, quasi.value.raw, quasi.start ?? 0);
    const expression = template.expressions[i];
    if (!expression) return;
    // The part runs from its `${` (where this quasi ends) to its `}` (just before the next quasi).
    const span = { start: quasi.end ?? 0, end: template.quasis[i + 1]?.start ?? expression.end ?? 0 };
    const value = evaluate(expression, scope, depth + 1);
    if (value.kind === 'string' || value.kind === 'number') out.atomic(String(value.value), span);
    else out.unknown(span);
  });
  return out;
}

/** `['CREATE TABLE a (', 'id int', ')'].join('\n')`. */
function joinedText(call: t.CallExpression, scope: Scope, depth: number): MappedSql | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier' || callee.property.name !== 'join') return undefined;
  const array = unwrap(callee.object);
  if (array.type !== 'ArrayExpression') return undefined;
  const separator = call.arguments[0] ? stringOf(evaluate(call.arguments[0], scope, depth + 1)) : ',';
  if (separator === undefined) return undefined;
  const out = new MappedSql();
  for (const [i, element] of array.elements.entries()) {
    if (i > 0 && separator) out.atomic(separator, spanOf(call.arguments[0] ?? callee.property));
    if (!element || element.type === 'SpreadElement') return undefined;
    const part = sqlText(element, scope, depth + 1);
    if (!part) return undefined;
    out.append(part);
  }
  return out;
}

function rawOf(literal: t.StringLiteral, quote: number): string {
  const raw = (literal.extra?.raw as string | undefined) ?? JSON.stringify(literal.value);
  return raw.slice(quote, raw.length - quote);
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };

/**
 * Appends the value of a string literal's source text (between its quotes), mapping plain runs character by
 * character and each escape sequence to its own range.
 */
function decodeInto(out: MappedSql, raw: string, jsStart: number): MappedSql {
  let i = 0;
  while (i < raw.length) {
    const slash = raw.indexOf('\\', i);
    const runEnd = slash < 0 ? raw.length : slash;
    if (runEnd > i) out.exact(raw.slice(i, runEnd), jsStart + i);
    if (slash < 0) break;
    const { value, length } = escapeAt(raw, slash);
    out.atomic(value, { start: jsStart + slash, end: jsStart + slash + length });
    i = slash + length;
  }
  return out;
}

function escapeAt(raw: string, at: number): { value: string; length: number } {
  const c = raw[at + 1] ?? '';
  if (c in SIMPLE_ESCAPES && !(c === '0' && /[0-9]/.test(raw[at + 2] ?? ''))) return { value: SIMPLE_ESCAPES[c], length: 2 };
  if (c === '\r') return { value: '', length: raw[at + 2] === '\n' ? 3 : 2 };
  if (c === '\n' || c === '\u2028' || c === '\u2029') return { value: '', length: 2 };
  if (c === 'x') return { value: String.fromCharCode(parseInt(raw.slice(at + 2, at + 4), 16) || 0), length: 4 };
  if (c === 'u') {
    if (raw[at + 2] === '{') {
      const close = raw.indexOf('}', at + 3);
      const code = parseInt(raw.slice(at + 3, close), 16) || 0;
      return { value: String.fromCodePoint(Math.min(code, 0x10ffff)), length: close - at + 1 };
    }
    return { value: String.fromCharCode(parseInt(raw.slice(at + 2, at + 6), 16) || 0), length: 6 };
  }
  const octal = /^[0-7]{1,3}/.exec(raw.slice(at + 1, at + 4));
  if (octal) return { value: String.fromCharCode(parseInt(octal[0], 8) & 0xff), length: 1 + octal[0].length };
  return { value: c, length: 2 };
}
