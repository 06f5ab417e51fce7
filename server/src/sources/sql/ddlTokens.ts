/**
 * Reading MySQL / SQLite DDL clauses from tokens: names, column lists, REFERENCES clauses, column
 * definitions and table constraints, each with the exact UTF-16 range it was written at. Shared by the
 * MySQL reader (whose parser gives almost no locations) and the SQLite reader (no parser fits there).
 */
import type { ColumnDefinition, ConstraintDefinition, FkAction, FkMatch, ForeignKeyClause, IndexElement, QualifiedName } from '../events';
import type { Span } from '../text';
import { isOp, isWord, type Token } from './lexer';
import type { SqlDialect } from './dialectLexer';

/** A statement's tokens and text; every index below is into `tokens`. */
export interface TokenStream {
  readonly text: string;
  readonly dialect: SqlDialect;
  readonly tokens: Token[];
}

export const isIdent = (t: Token | undefined): t is Token => !!t && (t.kind === 'word' || t.kind === 'quoted');

/** An identifier as written (words keep their case; quotes removed). */
export function identifier(s: TokenStream, t: Token): string {
  return t.kind === 'word' ? s.text.slice(t.start, t.end) : t.value;
}

export const spanOf = (from: Token, to: Token): Span => ({ start: from.start, end: to.end });

/** Index of the `)` closing the `(` at k (or the last token when unclosed). */
export function closeParen(tokens: Token[], k: number): number {
  let depth = 0;
  for (let i = k; i < tokens.length; i++) {
    if (isOp(tokens[i], '(')) depth++;
    else if (isOp(tokens[i], ')') && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** [from, to) split at commas outside parentheses, as index ranges. */
export function splitTopLevel(tokens: Token[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    else if (isOp(t, ',') && depth === 0) {
      if (i > start) out.push([start, i]);
      start = i + 1;
    }
  }
  if (to > start) out.push([start, to]);
  return out;
}

/** `name` or `schema.name` at k. */
export function qualifiedAt(s: TokenStream, k: number): { name: QualifiedName; next: number } | undefined {
  const first = s.tokens[k];
  if (!isIdent(first)) return undefined;
  if (isOp(s.tokens[k + 1], '.') && isIdent(s.tokens[k + 2])) {
    const second = s.tokens[k + 2];
    return { name: { schema: identifier(s, first), name: identifier(s, second), span: spanOf(first, second) }, next: k + 3 };
  }
  return { name: { name: identifier(s, first), span: spanOf(first, first) }, next: k + 1 };
}

/** `( a, b(10) DESC, (expr) )` at k: the element columns (undefined for expressions) and the list's range. */
export function elementList(s: TokenStream, k: number): { elements: IndexElement[]; span: Span; next: number } | undefined {
  if (!isOp(s.tokens[k], '(')) return undefined;
  const close = closeParen(s.tokens, k);
  const elements: IndexElement[] = [];
  for (const [a, b] of splitTopLevel(s.tokens, k + 1, close)) {
    const column = elementColumn(s, a, b);
    if (column !== undefined) elements.push({ column });
    else elements.push({ expression: s.text.slice(s.tokens[a].start, s.tokens[b - 1].end) });
  }
  return { elements, span: spanOf(s.tokens[k], s.tokens[close]), next: close + 1 };
}

const isNumber = (t: Token | undefined) => !!t && t.kind === 'number';

/** The column of a list element `col [(prefix)] [COLLATE x] [ASC|DESC]`, or undefined for an expression. */
function elementColumn(s: TokenStream, a: number, b: number): string | undefined {
  const t = s.tokens[a];
  if (!isIdent(t)) return undefined;
  let j = a + 1;
  if (isOp(s.tokens[j], '(') && isNumber(s.tokens[j + 1])) j = closeParen(s.tokens, j) + 1;
  while (j < b) {
    if (isWord(s.tokens[j], 'asc', 'desc')) j++;
    else if (isWord(s.tokens[j], 'collate')) j += 2;
    else return undefined;
  }
  return identifier(s, t);
}

export function nameList(s: TokenStream, k: number): { names: string[]; span: Span; next: number } | undefined {
  const list = elementList(s, k);
  if (!list) return undefined;
  return { names: list.elements.map((e) => e.column ?? e.expression ?? ''), span: list.span, next: list.next };
}

const ACTION_WORDS: Record<string, FkAction> = { cascade: 'CASCADE', restrict: 'RESTRICT' };

/** `REFERENCES t [(cols)] [MATCH m] [ON DELETE a] [ON UPDATE a] [[NOT] DEFERRABLE [INITIALLY ...]]` at k. */
export function referencesAt(
  s: TokenStream,
  k: number,
  end: number,
): { clause: ForeignKeyClause; deferrable: boolean; initiallyDeferred: boolean; next: number } | undefined {
  const target = qualifiedAt(s, k + 1);
  if (!target) return undefined;
  let i = target.next;
  const clause: ForeignKeyClause = {
    refTable: target.name,
    refColumns: [],
    onDelete: 'NO ACTION',
    onUpdate: 'NO ACTION',
    setColumns: null,
    match: 'SIMPLE',
    period: false,
  };
  const cols = nameList(s, i);
  if (cols) {
    clause.refColumns = cols.names;
    clause.refColumnsSpan = cols.span;
    i = cols.next;
  }
  let deferrable = false;
  let initiallyDeferred = false;
  while (i < end) {
    const t = s.tokens[i];
    if (isWord(t, 'on') && isWord(s.tokens[i + 1], 'delete', 'update')) {
      const which = s.tokens[i + 1].value;
      const a = s.tokens[i + 2];
      let action: FkAction | undefined;
      let last = i + 2;
      if (isWord(a, 'cascade', 'restrict')) action = ACTION_WORDS[a.value];
      else if (isWord(a, 'no') && isWord(s.tokens[i + 3], 'action')) (action = 'NO ACTION'), (last = i + 3);
      else if (isWord(a, 'set') && isWord(s.tokens[i + 3], 'null')) (action = 'SET NULL'), (last = i + 3);
      else if (isWord(a, 'set') && isWord(s.tokens[i + 3], 'default')) (action = 'SET DEFAULT'), (last = i + 3);
      if (!action) break;
      const span = spanOf(t, s.tokens[last]);
      if (which === 'delete') (clause.onDelete = action), (clause.onDeleteSpan = span);
      else (clause.onUpdate = action), (clause.onUpdateSpan = span);
      i = last + 1;
    } else if (isWord(t, 'match') && isWord(s.tokens[i + 1], 'full', 'partial', 'simple')) {
      clause.match = s.tokens[i + 1].value.toUpperCase() as FkMatch;
      i += 2;
    } else if (isWord(t, 'not') && isWord(s.tokens[i + 1], 'deferrable')) {
      deferrable = false;
      i += 2;
    } else if (isWord(t, 'deferrable')) {
      deferrable = true;
      i++;
    } else if (isWord(t, 'initially') && isWord(s.tokens[i + 1], 'deferred', 'immediate')) {
      initiallyDeferred = s.tokens[i + 1].value === 'deferred';
      i += 2;
    } else break;
  }
  return { clause, deferrable, initiallyDeferred: deferrable && initiallyDeferred, next: i };
}

function constraint(kind: ConstraintDefinition['kind'], span: Span, columnConstraint: boolean, fields: Partial<ConstraintDefinition> = {}): ConstraintDefinition {
  return { kind, columns: [], span, columnConstraint, deferrable: false, initiallyDeferred: false, notValid: false, notEnforced: false, ...fields };
}

/** Words that end a column's type and start its attributes. */
const ATTRIBUTE_WORDS: ReadonlySet<string> = new Set([
  'not', 'null', 'default', 'primary', 'unique', 'references', 'auto_increment', 'autoincrement', 'comment', 'collate',
  'check', 'constraint', 'generated', 'as', 'on', 'character', 'charset', 'key', 'invisible', 'visible', 'column_format',
  'storage', 'srid', 'first', 'after', 'engine_attribute', 'secondary_engine_attribute',
]);

/** A column definition over tokens [k, end). */
export function columnDefinition(s: TokenStream, k: number, end: number): ColumnDefinition | undefined {
  const nameTok = s.tokens[k];
  if (!isIdent(nameTok)) return undefined;
  let i = k + 1;
  const typeStart = i;
  while (i < end) {
    const t = s.tokens[i];
    if (isOp(t, '(')) i = closeParen(s.tokens, i) + 1;
    else if (t.kind === 'word' && !ATTRIBUTE_WORDS.has(t.value)) i++;
    else break;
  }
  const typeSpan = i > typeStart ? spanOf(s.tokens[typeStart], s.tokens[i - 1]) : undefined;
  const declared = typeSpan ? s.text.slice(typeSpan.start, typeSpan.end).replace(/\s+/g, ' ') : '';
  const column: ColumnDefinition = {
    name: identifier(s, nameTok),
    nameSpan: spanOf(nameTok, nameTok),
    type: declared.toLowerCase(),
    declaredType: declared.toLowerCase(),
    typeSpan,
    notNull: false,
    serial: false,
    generated: false,
    constraints: [],
    span: spanOf(nameTok, s.tokens[end - 1]),
  };
  let constraintName: { name: string; span: Span; first: Token } | undefined;
  const named = (first: Token) => {
    const n = constraintName;
    constraintName = undefined;
    return { start: n?.first ?? first, name: n?.name, nameSpan: n?.span };
  };
  while (i < end) {
    const t = s.tokens[i];
    const next = s.tokens[i + 1];
    if (isWord(t, 'constraint') && isIdent(next) && !isWord(next, 'primary', 'unique', 'references', 'check', 'not', 'null', 'default', 'foreign')) {
      constraintName = { name: identifier(s, next), span: spanOf(next, next), first: t };
      i += 2;
    } else if (isWord(t, 'constraint')) {
      i++;
    } else if (isWord(t, 'not') && isWord(next, 'null')) {
      column.notNull = true;
      column.notNullSpan = spanOf(t, next);
      i = skipConflict(s, i + 2, end);
    } else if (isWord(t, 'null')) {
      i++;
    } else if (isWord(t, 'default')) {
      const from = i + 1;
      i = expressionEnd(s, from, end);
      if (i > from) {
        column.default = s.text.slice(s.tokens[from].start, s.tokens[i - 1].end);
        column.defaultSpan = spanOf(t, s.tokens[i - 1]);
      }
    } else if (isWord(t, 'primary') && isWord(next, 'key')) {
      const n = named(t);
      let last = i + 1;
      if (isWord(s.tokens[last + 1], 'asc', 'desc')) last++;
      if (isWord(s.tokens[last + 1], 'autoincrement')) (last++, (column.serial = true));
      i = skipConflict(s, last + 1, end);
      column.constraints.push(constraint('primary', spanOf(n.start, s.tokens[i - 1]), true, { name: n.name, nameSpan: n.nameSpan, columns: [column.name], columnsSpan: column.nameSpan }));
    } else if (isWord(t, 'unique')) {
      const n = named(t);
      i = isWord(next, 'key') ? i + 2 : i + 1;
      i = skipConflict(s, i, end);
      column.constraints.push(constraint('unique', spanOf(n.start, s.tokens[i - 1]), true, { name: n.name, nameSpan: n.nameSpan, columns: [column.name], columnsSpan: column.nameSpan }));
    } else if (isWord(t, 'key')) {
      // MySQL `col INT KEY` is a primary key.
      column.constraints.push(constraint('primary', spanOf(t, t), true, { columns: [column.name], columnsSpan: column.nameSpan }));
      i++;
    } else if (isWord(t, 'references')) {
      const n = named(t);
      const ref = referencesAt(s, i, end);
      if (!ref) return column;
      column.constraints.push(
        constraint('foreign', spanOf(n.start, s.tokens[ref.next - 1]), true, {
          name: n.name,
          nameSpan: n.nameSpan,
          columns: [column.name],
          columnsSpan: column.nameSpan,
          foreign: ref.clause,
          deferrable: ref.deferrable,
          initiallyDeferred: ref.initiallyDeferred,
        }),
      );
      i = ref.next;
    } else if (isWord(t, 'auto_increment', 'autoincrement')) {
      column.serial = true;
      i++;
    } else if (isWord(t, 'check') && isOp(next, '(')) {
      named(t);
      i = closeParen(s.tokens, i + 1) + 1;
    } else if (isWord(t, 'generated') || isWord(t, 'as')) {
      column.generated = true;
      while (i < end && !isOp(s.tokens[i], '(')) i++;
      if (i < end) i = closeParen(s.tokens, i) + 1;
    } else if (isWord(t, 'on') && isWord(next, 'update')) {
      i = expressionEnd(s, i + 2, end);
    } else if (isWord(t, 'collate', 'comment', 'charset', 'column_format', 'storage', 'srid')) {
      i += 2;
    } else if (isWord(t, 'character') && isWord(next, 'set')) {
      i += 3;
    } else i++;
  }
  return column;
}

/** SQLite `ON CONFLICT <resolution>` after a column constraint. */
function skipConflict(s: TokenStream, i: number, end: number): number {
  if (i + 2 < end + 1 && isWord(s.tokens[i], 'on') && isWord(s.tokens[i + 1], 'conflict')) return Math.min(end, i + 3);
  return i;
}

/** End of a DEFAULT expression: a literal, a signed number, a call, a parenthesised expression. */
function expressionEnd(s: TokenStream, i: number, end: number): number {
  if (i >= end) return i;
  const t = s.tokens[i];
  if (isOp(t, '(')) return closeParen(s.tokens, i) + 1;
  if ((isOp(t, '-') || isOp(t, '+')) && i + 1 < end) return i + 2;
  if (isOp(s.tokens[i + 1], '(') && i + 1 < end) return closeParen(s.tokens, i + 1) + 1;
  return i + 1;
}

/** What one item of a CREATE TABLE body (or an ALTER TABLE ADD) is. */
export type TableItem =
  | { kind: 'column'; column: ColumnDefinition }
  | { kind: 'constraint'; constraint: ConstraintDefinition }
  | { kind: 'index'; name?: string; nameSpan?: Span; elements: IndexElement[]; unique: boolean; method: string; span: Span };

/**
 * A table-level item over [k, end): `[CONSTRAINT [name]] PRIMARY KEY | UNIQUE | FOREIGN KEY | CHECK`, MySQL
 * `KEY` / `INDEX` / `FULLTEXT` / `SPATIAL`, or else a column definition.
 */
export function tableItem(s: TokenStream, k: number, end: number): TableItem | undefined {
  let i = k;
  const first = s.tokens[k];
  let name: string | undefined;
  let nameSpan: Span | undefined;
  if (isWord(first, 'constraint')) {
    const n = s.tokens[k + 1];
    if (isIdent(n) && !isWord(n, 'primary', 'unique', 'foreign', 'check')) {
      name = identifier(s, n);
      nameSpan = spanOf(n, n);
      i = k + 2;
    } else i = k + 1;
  }
  const t = s.tokens[i];
  const last = s.tokens[end - 1];
  const whole = spanOf(first, last);
  if (isWord(t, 'primary') && isWord(s.tokens[i + 1], 'key')) {
    const j = skipIndexType(s, i + 2);
    const cols = nameList(s, j);
    if (!cols) return undefined;
    return { kind: 'constraint', constraint: constraint('primary', whole, false, { name, nameSpan, columns: cols.names, columnsSpan: cols.span }) };
  }
  if (isWord(t, 'unique')) {
    let j = i + 1;
    if (isWord(s.tokens[j], 'key', 'index')) j++;
    if (isIdent(s.tokens[j]) && !isOp(s.tokens[j], '(') && !isWord(s.tokens[j], 'using')) {
      name ??= identifier(s, s.tokens[j]);
      nameSpan ??= spanOf(s.tokens[j], s.tokens[j]);
      j++;
    }
    j = skipIndexType(s, j);
    const cols = nameList(s, j);
    if (!cols) return undefined;
    return { kind: 'constraint', constraint: constraint('unique', whole, false, { name, nameSpan, columns: cols.names, columnsSpan: cols.span }) };
  }
  if (isWord(t, 'foreign') && isWord(s.tokens[i + 1], 'key')) {
    let j = i + 2;
    // MySQL `FOREIGN KEY index_name (cols)`: the name is the index's, used as the FK's when no CONSTRAINT name.
    if (isIdent(s.tokens[j]) && !isOp(s.tokens[j], '(')) {
      if (!name) {
        name = identifier(s, s.tokens[j]);
        nameSpan = spanOf(s.tokens[j], s.tokens[j]);
      }
      j++;
    }
    const cols = nameList(s, j);
    if (!cols || !isWord(s.tokens[cols.next], 'references')) return undefined;
    const ref = referencesAt(s, cols.next, end);
    if (!ref) return undefined;
    return {
      kind: 'constraint',
      constraint: constraint('foreign', spanOf(first, s.tokens[ref.next - 1]), false, {
        name,
        nameSpan,
        columns: cols.names,
        columnsSpan: cols.span,
        foreign: ref.clause,
        deferrable: ref.deferrable,
        initiallyDeferred: ref.initiallyDeferred,
      }),
    };
  }
  if (isWord(t, 'check')) return { kind: 'constraint', constraint: constraint('check', whole, false, { name, nameSpan }) };
  if (s.dialect === 'mysql' && !name && isWord(t, 'key', 'index', 'fulltext', 'spatial')) {
    let j = i + 1;
    const method = isWord(t, 'fulltext', 'spatial') ? t.value : 'btree';
    if (method !== 'btree' && isWord(s.tokens[j], 'key', 'index')) j++;
    let indexName: string | undefined;
    let indexNameSpan: Span | undefined;
    if (isIdent(s.tokens[j]) && !isWord(s.tokens[j], 'using')) {
      indexName = identifier(s, s.tokens[j]);
      indexNameSpan = spanOf(s.tokens[j], s.tokens[j]);
      j++;
    }
    j = skipIndexType(s, j);
    const list = elementList(s, j);
    if (!list) return undefined;
    return { kind: 'index', name: indexName, nameSpan: indexNameSpan, elements: list.elements, unique: false, method, span: whole };
  }
  const column = columnDefinition(s, k, end);
  return column && { kind: 'column', column };
}

/** MySQL `USING BTREE|HASH` before a column list. */
function skipIndexType(s: TokenStream, j: number): number {
  return isWord(s.tokens[j], 'using') ? j + 2 : j;
}
