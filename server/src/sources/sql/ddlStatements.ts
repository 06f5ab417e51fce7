/**
 * MySQL / SQLite statements -> schema events, from the statement's tokens (ddlTokens.ts). Statements that
 * do not touch tables, columns, keys or indexes produce nothing (views, triggers, routines, DML...).
 * MySQL's `KEY` / `INDEX` items and `ADD INDEX` / `DROP INDEX` commands become index events in the order
 * they were written, between the table commands around them, so the replay sees them in that order.
 */
import type { AlterTableCommand, AlterTableEvent, QualifiedName, SchemaEvent, SourceProblem } from '../events';
import type { Span } from '../text';
import { isOp, isWord, type Token } from './lexer';
import {
  closeParen,
  columnDefinition,
  elementList,
  identifier,
  isIdent,
  qualifiedAt,
  spanOf,
  splitTopLevel,
  tableItem,
  type TableItem,
  type TokenStream,
} from './ddlTokens';

export interface DdlStatement extends TokenStream {
  /** The statement's range in the file. */
  readonly span: Span;
}

export function ddlStatementEvents(s: DdlStatement, out: SchemaEvent[], problems: SourceProblem[]): void {
  const t = s.tokens;
  const w = (i: number) => (t[i]?.kind === 'word' ? t[i].value : '');
  switch (w(0)) {
    case 'create': {
      let i = 1;
      if (w(i) === 'or' && w(i + 1) === 'replace') i += 2;
      if (w(i) === 'temporary' || w(i) === 'temp') return; // temporary tables live for one session
      if (w(i) === 'table') return createTable(s, i + 1, out);
      if (w(i) === 'schema' || w(i) === 'database') {
        let j = i + 1;
        const ifNotExists = w(j) === 'if';
        if (ifNotExists) j += 3;
        if (isIdent(t[j])) out.push({ kind: 'create_schema', statement: s.span, name: identifier(s, t[j]), ifNotExists });
        return;
      }
      let unique = false;
      let method = 'btree';
      if (w(i) === 'unique') (unique = true), i++;
      else if (w(i) === 'fulltext' || w(i) === 'spatial') (method = w(i)), i++;
      if (w(i) === 'index') return createIndex(s, i + 1, unique, method, out);
      return;
    }
    case 'alter':
      if (w(1) === 'table' || (w(1) === 'ignore' && w(2) === 'table')) return alterTable(s, w(1) === 'table' ? 2 : 3, out, problems);
      return;
    case 'drop':
      return drop(s, out);
    case 'rename':
      if (w(1) === 'table' || w(1) === 'tables') return renameTables(s, 2, out);
      return;
    case 'use':
      if (isIdent(t[1])) out.push({ kind: 'set_search_path', statement: s.span, schemas: [identifier(s, t[1])] });
      return;
    case 'set':
      return setForeignKeyChecks(s, out);
    case 'pragma':
      if (w(1) === 'foreign_keys' && isOp(t[2], '=') && t[3]) {
        out.push({ kind: 'foreign_key_checks', statement: s.span, enabled: ['on', '1', 'true', 'yes'].includes(t[3].value.toLowerCase()) });
      }
      return;
    case 'begin':
    case 'start':
      if (w(0) === 'start' && w(1) !== 'transaction') return;
      out.push({ kind: 'begin', statement: s.span });
      return;
    case 'commit':
    case 'end':
      out.push({ kind: 'commit', statement: s.span });
      return;
    case 'rollback':
      if (w(1) !== 'to') out.push({ kind: 'rollback', statement: s.span });
      return;
  }
}

/** `SET FOREIGN_KEY_CHECKS = 0` (also inside a list: `SET @OLD=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0`). */
function setForeignKeyChecks(s: DdlStatement, out: SchemaEvent[]): void {
  const t = s.tokens;
  for (let i = 1; i + 2 < t.length; i++) {
    if (isWord(t[i], 'foreign_key_checks') && !isOp(t[i - 1], '@') && isOp(t[i + 1], '=')) {
      const value = t[i + 2].value.toLowerCase();
      out.push({ kind: 'foreign_key_checks', statement: s.span, enabled: !(value === '0' || value === 'off' || value === 'false') });
    }
  }
}

function createTable(s: DdlStatement, i: number, out: SchemaEvent[]): void {
  const t = s.tokens;
  let ifNotExists = false;
  if (isWord(t[i], 'if') && isWord(t[i + 1], 'not') && isWord(t[i + 2], 'exists')) (ifNotExists = true), (i += 3);
  const name = qualifiedAt(s, i);
  if (!name) return;
  i = name.next;
  const base = { kind: 'create_table' as const, statement: s.span, table: name.name, ifNotExists, columns: [], constraints: [], like: [], inherits: [], partitioned: false };
  if (isWord(t[i], 'like') || (isOp(t[i], '(') && isWord(t[i + 1], 'like'))) {
    const source = qualifiedAt(s, isOp(t[i], '(') ? i + 2 : i + 1);
    if (source) out.push({ ...base, like: [{ table: source.name, including: ['defaults', 'indexes', 'constraints'], excluding: [] }], asQuery: false });
    return;
  }
  if (!isOp(t[i], '(')) {
    out.push({ ...base, asQuery: true });
    return;
  }
  const close = closeParen(t, i);
  const event = { ...base, columns: [] as typeof base.columns, constraints: [] as typeof base.constraints, asQuery: false, withoutRowid: false };
  const indexes: SchemaEvent[] = [];
  for (const [a, b] of splitTopLevel(t, i + 1, close)) {
    const item = tableItem(s, a, b);
    if (!item) continue;
    if (item.kind === 'column') (event.columns as unknown[]).push(item.column);
    else if (item.kind === 'constraint') (event.constraints as unknown[]).push(item.constraint);
    else indexes.push(indexEvent(s, item, name.name));
  }
  for (let j = close + 1; j < t.length; j++) {
    if (isWord(t[j], 'without') && isWord(t[j + 1], 'rowid')) event.withoutRowid = true;
    if (isWord(t[j], 'as') || isWord(t[j], 'select')) event.asQuery = true;
  }
  out.push(event);
  out.push(...indexes);
}

function indexEvent(s: DdlStatement, item: Extract<TableItem, { kind: 'index' }>, table: QualifiedName): SchemaEvent {
  return {
    kind: 'create_index',
    statement: s.span,
    name: item.name,
    nameSpan: item.nameSpan ?? item.span,
    table,
    only: false,
    elements: item.elements,
    include: [],
    unique: item.unique,
    nullsNotDistinct: false,
    method: item.method,
    concurrently: false,
    ifNotExists: false,
  };
}

/** `[IF NOT EXISTS] [schema.]name [USING m] ON table [USING m] (elements) [WHERE ...]` from i. */
function createIndex(s: DdlStatement, i: number, unique: boolean, method: string, out: SchemaEvent[]): void {
  const t = s.tokens;
  let ifNotExists = false;
  if (isWord(t[i], 'if') && isWord(t[i + 1], 'not') && isWord(t[i + 2], 'exists')) (ifNotExists = true), (i += 3);
  const name = qualifiedAt(s, i);
  if (!name) return;
  i = name.next;
  if (isWord(t[i], 'using')) i += 2;
  if (!isWord(t[i], 'on')) return;
  const table = qualifiedAt(s, i + 1);
  if (!table) return;
  i = table.next;
  if (isWord(t[i], 'using')) i += 2;
  const list = elementList(s, i);
  if (!list) return;
  let where: string | undefined;
  let whereNotNullColumns: string[] | undefined;
  const w = list.next;
  if (isWord(t[w], 'where') && t.length > w + 1) {
    where = s.text.slice(t[w + 1].start, t[t.length - 1].end);
    whereNotNullColumns = notNullTests(s, w + 1);
  }
  // SQLite puts the index in the schema written before its name; the table is in the same schema.
  const tableName = name.name.schema && !table.name.schema ? { ...table.name, schema: name.name.schema } : table.name;
  out.push({
    kind: 'create_index',
    statement: s.span,
    name: name.name.name,
    nameSpan: name.name.span,
    table: tableName,
    only: false,
    elements: list.elements,
    include: [],
    unique,
    nullsNotDistinct: false,
    method,
    where,
    whereNotNullColumns,
    concurrently: false,
    ifNotExists,
  });
}

/** Columns of a predicate made only of `col IS NOT NULL` tests joined by AND; undefined otherwise. */
function notNullTests(s: DdlStatement, i: number): string[] | undefined {
  const t = s.tokens;
  const columns: string[] = [];
  while (i < t.length) {
    if (!(isIdent(t[i]) && isWord(t[i + 1], 'is') && isWord(t[i + 2], 'not') && isWord(t[i + 3], 'null'))) return undefined;
    columns.push(identifier(s, t[i]));
    i += 4;
    if (i < t.length && !isWord(t[i++], 'and')) return undefined;
  }
  return columns;
}

function drop(s: DdlStatement, out: SchemaEvent[]): void {
  const t = s.tokens;
  let i = 1;
  if (isWord(t[i], 'temporary')) i++;
  const what = t[i]?.value;
  const kind = what === 'table' || what === 'tables' ? 'drop_table' : what === 'index' ? 'drop_index' : what === 'view' ? 'drop_view' : what === 'schema' || what === 'database' ? 'drop_schema' : undefined;
  if (!kind) return;
  i++;
  let ifExists = false;
  if (isWord(t[i], 'if') && isWord(t[i + 1], 'exists')) (ifExists = true), (i += 2);
  const names: QualifiedName[] = [];
  let table: QualifiedName | undefined;
  while (i < t.length) {
    const name = qualifiedAt(s, i);
    if (!name) break;
    names.push(name.name);
    i = name.next;
    if (isWord(t[i], 'on') && kind === 'drop_index') {
      table = qualifiedAt(s, i + 1)?.name;
      break;
    }
    if (!isOp(t[i], ',')) break;
    i++;
  }
  const cascade = t.some((x) => isWord(x, 'cascade'));
  if (names.length) out.push({ kind, statement: s.span, names, ifExists, cascade, table });
}

/** MySQL `RENAME TABLE a TO b, c TO d`. */
function renameTables(s: DdlStatement, i: number, out: SchemaEvent[]): void {
  const t = s.tokens;
  while (i < t.length) {
    const from = qualifiedAt(s, i);
    if (!from || !isWord(t[from.next], 'to')) return;
    const to = qualifiedAt(s, from.next + 1);
    if (!to) return;
    out.push({ kind: 'rename_table', statement: s.span, target: from.name, ifExists: false, from: from.name.name, to: to.name.name, toSpan: to.name.span });
    i = to.next;
    if (!isOp(t[i], ',')) return;
    i++;
  }
}

// ---------------------------------------------------------------------------------------------- ALTER TABLE

function alterTable(s: DdlStatement, i: number, out: SchemaEvent[], problems: SourceProblem[]): void {
  const t = s.tokens;
  let ifExists = false;
  if (isWord(t[i], 'if') && isWord(t[i + 1], 'exists')) (ifExists = true), (i += 2);
  const name = qualifiedAt(s, i);
  if (!name) return;
  const table = name.name;
  let pending: AlterTableCommand[] = [];
  const flush = () => {
    if (pending.length) out.push({ kind: 'alter_table', statement: s.span, table, only: false, ifExists, commands: pending } satisfies AlterTableEvent);
    pending = [];
  };
  const emit = (event: SchemaEvent) => {
    flush();
    out.push(event);
  };
  for (const [a, b] of splitTopLevel(t, name.next, t.length)) {
    const span = spanOf(t[a], t[b - 1]);
    const cmd = alterCommand(s, a, b, span, table, emit, problems);
    if (cmd) pending.push(...cmd);
  }
  flush();
}

function alterCommand(
  s: DdlStatement,
  a: number,
  b: number,
  span: Span,
  table: QualifiedName,
  emit: (event: SchemaEvent) => void,
  problems: SourceProblem[],
): AlterTableCommand[] | undefined {
  const t = s.tokens;
  const w = (i: number) => (t[i]?.kind === 'word' ? t[i].value : '');
  const mysql = s.dialect === 'mysql';
  switch (w(a)) {
    case 'add': {
      let i = a + 1;
      if (w(i) === 'column') {
        i++;
      } else if (['constraint', 'primary', 'unique', 'foreign', 'check', 'key', 'index', 'fulltext', 'spatial'].includes(w(i))) {
        if (!mysql) {
          problems.push({
            severity: 'error',
            code: 'syntax-error',
            message: 'SQLite has no ALTER TABLE ... ADD CONSTRAINT: keys and foreign keys can only be declared in CREATE TABLE (rebuild the table to add one). SQLite rejects this statement.',
            span,
          });
          return undefined;
        }
        const item = tableItem(s, i, b);
        if (!item) return undefined;
        if (item.kind === 'index') {
          emit(indexEvent(s, item, table));
          return undefined;
        }
        if (item.kind === 'constraint') return [{ kind: 'add_constraint', constraint: item.constraint, span }];
        return undefined;
      }
      let ifNotExists = false;
      if (w(i) === 'if' && w(i + 1) === 'not' && w(i + 2) === 'exists') (ifNotExists = true), (i += 3);
      // MySQL `ADD (c1 INT, c2 INT)`.
      const ranges: [number, number][] = isOp(t[i], '(') ? splitTopLevel(t, i + 1, closeParen(t, i)) : [[i, b]];
      const out: AlterTableCommand[] = [];
      for (const [x, y] of ranges) {
        const column = columnDefinition(s, x, y);
        if (column) out.push({ kind: 'add_column', column, ifNotExists, span });
      }
      return out;
    }
    case 'drop': {
      let i = a + 1;
      if (w(i) === 'foreign' && w(i + 1) === 'key') i += 2;
      else if ((w(i) === 'constraint' || w(i) === 'check') && mysql) i++;
      else if (w(i) === 'primary' && w(i + 1) === 'key') return [{ kind: 'drop_constraint', name: 'PRIMARY', ifExists: false, cascade: false, span }];
      else if (w(i) === 'index' || w(i) === 'key') {
        const index = qualifiedAt(s, i + 1);
        if (index) emit({ kind: 'drop_index', statement: s.span, names: [index.name], ifExists: false, cascade: false, table });
        return undefined;
      } else {
        if (w(i) === 'column') i++;
        let ifExists = false;
        if (w(i) === 'if' && w(i + 1) === 'exists') (ifExists = true), (i += 2);
        if (!isIdent(t[i])) return undefined;
        return [{ kind: 'drop_column', column: identifier(s, t[i]), ifExists, cascade: false, span }];
      }
      let ifExists = false;
      if (w(i) === 'if' && w(i + 1) === 'exists') (ifExists = true), (i += 2);
      if (!isIdent(t[i])) return undefined;
      return [{ kind: 'drop_constraint', name: identifier(s, t[i]), ifExists, cascade: false, span, nameSpan: spanOf(t[i], t[i]) }];
    }
    case 'modify':
    case 'change': {
      let i = a + 1;
      if (w(i) === 'column') i++;
      let from: string | undefined;
      if (w(a) === 'change') {
        if (!isIdent(t[i])) return undefined;
        from = identifier(s, t[i]);
        i++;
      }
      const column = columnDefinition(s, i, b);
      if (!column) return undefined;
      return [{ kind: 'redefine_column', from: from ?? column.name, column, span }];
    }
    case 'alter': {
      let i = a + 1;
      if (w(i) === 'column') i++;
      if (!isIdent(t[i])) return undefined;
      const column = identifier(s, t[i]);
      if (w(i + 1) === 'drop' && w(i + 2) === 'default') return [{ kind: 'drop_default', column, span }];
      if (w(i + 1) === 'set' && w(i + 2) === 'default' && t[i + 3]) return [{ kind: 'set_default', column, default: s.text.slice(t[i + 3].start, t[b - 1].end), span }];
      return undefined;
    }
    case 'rename': {
      let i = a + 1;
      if (w(i) === 'column' || ((w(i) === 'index' || w(i) === 'key') && mysql)) {
        const isIndex = w(i) !== 'column';
        if (!isIdent(t[i + 1]) || w(i + 2) !== 'to' || !isIdent(t[i + 3])) return undefined;
        const from = identifier(s, t[i + 1]);
        const to = identifier(s, t[i + 3]);
        if (isIndex) {
          emit({ kind: 'rename_index', statement: s.span, target: { name: from, span: spanOf(t[i + 1], t[i + 1]) }, ifExists: false, from, to, toSpan: spanOf(t[i + 3], t[i + 3]), table });
        } else {
          emit({ kind: 'rename_column', statement: s.span, target: table, ifExists: false, from, to, toSpan: spanOf(t[i + 3], t[i + 3]) });
        }
        return undefined;
      }
      if (w(i) === 'to' || w(i) === 'as') i++;
      const to = qualifiedAt(s, i);
      // SQLite `RENAME a TO b` (COLUMN is optional there).
      if (to && w(to.next) === 'to' && isIdent(t[to.next + 1])) {
        emit({ kind: 'rename_column', statement: s.span, target: table, ifExists: false, from: to.name.name, to: identifier(s, t[to.next + 1]), toSpan: spanOf(t[to.next + 1], t[to.next + 1]) });
        return undefined;
      }
      if (to) emit({ kind: 'rename_table', statement: s.span, target: table, ifExists: false, from: table.name, to: to.name.name, toSpan: to.name.span });
      return undefined;
    }
    default:
      return undefined;
  }
}

export type { Token };
