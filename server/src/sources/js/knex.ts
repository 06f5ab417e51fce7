/**
 * knex's schema builder, read statically: a `knex.schema...` chain and its table callbacks become the SQL
 * knex's PostgreSQL dialect would send (knexTable.ts reads the callbacks, knexSql.ts writes the SQL), with every
 * piece mapped to the JS expression it came from. The PostgreSQL reader then reads that SQL like any other.
 */
import type { SourceProblem } from '../events';
import { compileTable, Emitter, wrap } from './knexSql';
import { linkSpan, readTableCallback, type KnownCondition } from './knexTable';
import { MappedSql } from './mappedSql';
import { spanOf, unwrap, type ChainLink, type Scope } from './parse';
import { bindPlaceholders, placeholderStyle } from './placeholders';
import { booleanOf, evaluate, sqlText, stringOf } from './values';

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

export function knexSchemaChain(links: ChainLink[], scope: Scope, known?: KnownCondition): KnexResult {
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
        const builder = readTableCallback(fn, scope, problems, known);
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
        let sql = link.call!.arguments[0] && sqlText(link.call!.arguments[0], scope);
        const bindings = placeholderStyle('raw', link.call!, scope);
        if (sql && bindings) {
          const bound = bindPlaceholders(sql, bindings.style, bindings.values);
          sql = bound.sql;
          out.placeholders += bound.count;
        }
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
