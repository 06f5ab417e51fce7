/**
 * Bound parameters in SQL a migration sends with values: `knex.raw(sql, bindings)` (`?` values, `??`
 * identifiers, `:name` / `:name:` with an object), `db.runSql(sql, params)` (db-migrate: `?`),
 * `queryRunner.query(sql, params)` / `client.query` / `sql.unsafe` (`$1`), Sequelize's `query(sql,
 * { replacements | bind })` (`?` or `:name`, `$1` or `$name`). Each placeholder is read as the value it stands
 * for: the bound constant when the code spells it out, else a literal (an unknown name for an identifier, so a
 * statement naming it is left out of the model), mapped to the placeholder's own range. Placeholders are looked
 * for outside string literals, quoted names, comments and dollar-quoted bodies only, and never in `::type`,
 * `:=`, or the jsonb operators `?|` / `?&`.
 */
import { wrap } from './knexSql';
import { MappedSql, sqlLiteral } from './mappedSql';
import type { Scope, t } from './parse';
import { evaluate, prop, type JsValue } from './values';

/** How the tool marks placeholders. */
export type PlaceholderStyle = 'knex' | 'question' | 'dollar' | 'sequelize';

/** A bound value nobody knows: a string literal fits wherever a literal does (COMMENT IS, DEFAULT, SET x =). */
const SOME_VALUE = "'0'";

export interface Bound {
  sql: MappedSql;
  /** Placeholders read as values. */
  count: number;
}

/**
 * The placeholder style of one SQL call from its method and second argument; undefined when the call passes
 * no values (then `?` is the SQL's own, e.g. the jsonb operator).
 */
export function placeholderStyle(method: string, call: t.CallExpression, scope: Scope): { style: PlaceholderStyle; values?: JsValue } | undefined {
  const second = call.arguments[1];
  if (!second || second.type === 'SpreadElement' || second.type === 'ArgumentPlaceholder') return undefined;
  if (second.type === 'ArrowFunctionExpression' || second.type === 'FunctionExpression') return undefined;
  const values = evaluate(second, scope);
  switch (method) {
    case 'raw':
      return { style: 'knex', values };
    case 'runSql':
      return { style: 'question', values };
    case 'query': {
      if (values.kind === 'object') {
        const replacements = prop(values, 'replacements');
        if (replacements) return { style: 'sequelize', values: replacements };
        const bind = prop(values, 'bind');
        if (bind) return { style: 'dollar', values: bind };
        if (!prop(values, 'type') && !prop(values, 'transaction')) return { style: 'dollar', values };
        return undefined;
      }
      return { style: 'dollar', values };
    }
    case 'unsafe':
      return { style: 'dollar', values };
    default:
      return undefined;
  }
}

/** The SQL with its placeholders read as values (see the file comment). */
export function bindPlaceholders(sql: MappedSql, style: PlaceholderStyle, values: JsValue | undefined): Bound {
  const text = sql.text;
  const replacements: { start: number; end: number; text: string; unknown?: boolean }[] = [];
  const items = values?.kind === 'array' ? values.items : undefined;
  const named = values?.kind === 'object' ? values : undefined;
  // knex and Sequelize: `?` with an array of values, `:name` with an object (either, when the code does not say).
  const questions = style === 'question' || ((style === 'knex' || style === 'sequelize') && !named);
  const colons = (style === 'knex' || style === 'sequelize') && !items;
  let position = 0;
  const value = (v: JsValue | undefined) => literal(v) ?? SOME_VALUE;
  const identifier = (start: number, end: number, v: JsValue | undefined) =>
    replacements.push(v?.kind === 'string' ? { start, end, text: wrap(v.value) } : { start, end, text: '', unknown: true });

  for (let i = 0; i < text.length; ) {
    const skip = skipQuoted(text, i);
    if (skip > i) {
      i = skip;
      continue;
    }
    const c = text[i];
    const next = text[i + 1] ?? '';
    if (c === '?' && questions) {
      if (style === 'knex' && next === '?') {
        identifier(i, i + 2, items?.[position++]);
        i += 2;
        continue;
      }
      if (next === '|' || next === '&') {
        i += 2;
        continue;
      }
      replacements.push({ start: i, end: i + 1, text: value(items?.[position++]) });
      i++;
      continue;
    }
    if (c === '\\' && next === '?' && style === 'knex') {
      // knex's escaped question mark: the SQL's own `?` (a jsonb operator).
      replacements.push({ start: i, end: i + 2, text: '?' });
      i += 2;
      continue;
    }
    if (c === ':' && colons && text[i - 1] !== ':' && /[A-Za-z_]/.test(next)) {
      const name = /^[A-Za-z_]\w*/.exec(text.slice(i + 1))![0];
      const end = i + 1 + name.length;
      const isIdentifier = style === 'knex' && text[end] === ':' && text[end + 1] !== ':';
      // With the object spelled out, only its keys are placeholders (knex leaves other `:word`s alone).
      if (!named || named.props.has(name)) {
        if (isIdentifier) identifier(i, end + 1, named?.props.get(name));
        else replacements.push({ start: i, end, text: value(named?.props.get(name)) });
      }
      i = isIdentifier ? end + 1 : end;
      continue;
    }
    if (c === '$' && style === 'dollar' && /[0-9]/.test(next)) {
      const digits = /^\d+/.exec(text.slice(i + 1))![0];
      replacements.push({ start: i, end: i + 1 + digits.length, text: value(items?.[Number(digits) - 1]) });
      i += 1 + digits.length;
      continue;
    }
    if (c === '$' && style === 'dollar' && named && /[A-Za-z_]/.test(next) && !/[\w$]/.test(text[i - 1] ?? '')) {
      const name = /^[A-Za-z_]\w*/.exec(text.slice(i + 1))![0];
      if (text[i + 1 + name.length] !== '$' && named.props.has(name)) {
        replacements.push({ start: i, end: i + 1 + name.length, text: value(named.props.get(name)) });
      }
      i += 1 + name.length;
      continue;
    }
    i++;
  }
  return { sql: replacements.length ? sql.replaced(replacements) : sql, count: replacements.length };
}

function literal(v: JsValue | undefined): string | undefined {
  switch (v?.kind) {
    case 'string':
      return sqlLiteral(v.value);
    case 'number':
      return String(v.value);
    case 'boolean':
      return v.value ? 'true' : 'false';
    case 'null':
      return 'NULL';
    default:
      return undefined;
  }
}

/**
 * The end of the string literal, quoted name, comment or dollar-quoted body starting at `i`; `i` when none
 * does. An unterminated one runs to the end.
 */
export function skipQuoted(text: string, i: number): number {
  const c = text[i];
  if (c === "'" || c === '"') {
    const backslashes = c === "'" && /[eE]/.test(text[i - 1] ?? '') && !/\w/.test(text[i - 2] ?? '');
    for (let j = i + 1; j < text.length; j++) {
      if (backslashes && text[j] === '\\') j++;
      else if (text[j] === c) {
        if (text[j + 1] === c) j++;
        else return j + 1;
      }
    }
    return text.length;
  }
  if (c === '-' && text[i + 1] === '-') {
    const end = text.indexOf('\n', i);
    return end < 0 ? text.length : end + 1;
  }
  if (c === '/' && text[i + 1] === '*') {
    let depth = 0;
    for (let j = i; j < text.length - 1; j++) {
      if (text[j] === '/' && text[j + 1] === '*') {
        depth++;
        j++;
      } else if (text[j] === '*' && text[j + 1] === '/') {
        depth--;
        j++;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  if (c === '$' && !/[\w$]/.test(text[i - 1] ?? '')) {
    const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
    if (tag) {
      const end = text.indexOf(tag[0], i + tag[0].length);
      return end < 0 ? text.length : end + tag[0].length;
    }
  }
  return i;
}
