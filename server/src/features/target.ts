/**
 * What is under a position of a SQL file: a table, a column, or a foreign key of the model.
 *
 * First the model's own ranges (the table name of its CREATE TABLE, column names, each FK's clause, column
 * lists and REFERENCES target), which follow renames because the model keeps them per object. Then, for
 * names the model keeps no range of (ALTER TABLE / DROP TABLE / CREATE INDEX ... ON targets, DELETE FROM,
 * UPDATE, INSERT INTO in any SQL file), the lexer finds the name at the position and it is resolved with the
 * search_path in effect at that statement, as the replay would (every file starts a fresh session).
 * Pure: model and offsets in, model objects out.
 */
import type { HistoryModel } from '../model/replay';
import type { Column, ForeignKey, Index, Table } from '../model/schema';
import type { SourceFile } from '../sources/events';
import { isOp, isWord, tokenize, type Token } from '../sources/sql/lexer';
import type { Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';

/** Where a table name stands, which decides what a hover on it shows (UPDATE: the key-update reach). */
export type TableContext = 'create' | 'references' | 'alter' | 'drop' | 'delete' | 'update' | 'index' | 'insert';

export type Target =
  | { kind: 'table'; history: HistoryModel; table: Table; span: Span; context: TableContext; fk?: ForeignKey }
  | {
      kind: 'column';
      history: HistoryModel;
      table: Table;
      column: Column;
      span: Span;
      /** declaration: its name where it is defined; fk-columns / ref-columns: inside an FK's column lists. */
      role: 'declaration' | 'fk-columns' | 'ref-columns';
      fk?: ForeignKey;
    }
  | { kind: 'foreign-key'; history: HistoryModel; fk: ForeignKey; span: Span }
  | { kind: 'index'; history: HistoryModel; table: Table; index: Index; span: Span };

const DEFAULT_SEARCH_PATH = ['$user', 'public'];

// ---------------------------------------------------------------------------------------------------------
// Histories and names

const historyByFile = new WeakMap<WorkspaceModel, Map<string, HistoryModel>>();

/** The history (database) a file belongs to. */
export function historyOf(model: WorkspaceModel, file: string): HistoryModel | undefined {
  let map = historyByFile.get(model);
  if (!map) {
    map = new Map();
    for (const history of model.histories) for (const source of history.sources) map.set(source.path, history);
    historyByFile.set(model, map);
  }
  return map.get(file);
}

const tablesByName = new WeakMap<HistoryModel, Map<string, Table>>();

function nameIndex(history: HistoryModel): Map<string, Table> {
  let map = tablesByName.get(history);
  if (!map) {
    map = new Map(history.tables.map((t) => [`${t.schema}.${t.name}`, t]));
    tablesByName.set(history, map);
  }
  return map;
}

/** A table by its name as written (schema optional), through the search_path as PostgreSQL resolves it. */
export function lookupTable(history: HistoryModel, name: { schema?: string; name: string }, searchPath = DEFAULT_SEARCH_PATH): Table | undefined {
  const index = nameIndex(history);
  if (name.schema) return index.get(`${name.schema}.${name.name}`);
  for (const schema of searchPath) {
    if (schema === '$user') continue;
    const table = index.get(`${schema}.${name.name}`);
    if (table) return table;
  }
  return undefined;
}

/** The search_path in effect at `offset` of a file: the last SET search_path before it (each file starts afresh). */
export function searchPathAt(source: SourceFile, offset: number): string[] {
  let path = DEFAULT_SEARCH_PATH;
  for (const event of source.events) {
    if (event.statement.start >= offset) break;
    if (event.kind === 'set_search_path') path = event.schemas;
  }
  return path;
}

/** The statement of a file that holds `offset` (its end included), by binary search over the reader's ranges. */
export function statementAt(source: SourceFile, offset: number): Span | undefined {
  const list = source.statements;
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const s = list[found];
  // The terminating semicolon is not part of the range; a cursor on it still belongs to the statement.
  return offset <= s.end + 1 ? s : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The model's ranges

interface Entry {
  span: Span;
  kind: 'table' | 'column' | 'fk' | 'fk-columns' | 'ref-table' | 'ref-columns' | 'index';
  table: Table;
  column?: Column;
  fk?: ForeignKey;
  index?: Index;
}

const entriesCache = new WeakMap<HistoryModel, Map<string, Entry[]>>();

/**
 * Every range the model knows, per file, in the order: tables, columns, indexes, FKs (later wins a tie).
 * Built for all files of the history in one pass the first time any file is asked for.
 */
function entriesOf(history: HistoryModel, file: string): Entry[] {
  let perFile = entriesCache.get(history);
  if (!perFile) {
    perFile = new Map();
    const add = (entry: Entry, at: string) => {
      let list = perFile!.get(at);
      if (!list) perFile!.set(at, (list = []));
      list.push(entry);
    };
    for (const table of history.tables) {
      add({ span: table.location.span, kind: 'table', table }, table.location.file);
      for (const column of table.columns) add({ span: column.location.span, kind: 'column', table, column }, column.location.file);
      for (const index of table.indexes) if (!index.constraint) add({ span: index.location.span, kind: 'index', table, index }, index.location.file);
    }
    for (const fk of history.foreignKeys) {
      const loc = fk.location;
      const table = history.tableById.get(fk.tableId);
      const parent = history.tableById.get(fk.refTableId);
      if (!table || !parent) continue;
      add({ span: loc.span, kind: 'fk', table, fk }, loc.file);
      if (loc.nameSpan) add({ span: loc.nameSpan, kind: 'fk', table, fk }, loc.file);
      if (loc.onDeleteSpan) add({ span: loc.onDeleteSpan, kind: 'fk', table, fk }, loc.file);
      if (loc.onUpdateSpan) add({ span: loc.onUpdateSpan, kind: 'fk', table, fk }, loc.file);
      if (loc.columnsSpan) add({ span: loc.columnsSpan, kind: 'fk-columns', table, fk }, loc.file);
      if (loc.refTableSpan) add({ span: loc.refTableSpan, kind: 'ref-table', table: parent, fk }, loc.file);
      if (loc.refColumnsSpan) add({ span: loc.refColumnsSpan, kind: 'ref-columns', table: parent, fk }, loc.file);
    }
    entriesCache.set(history, perFile);
  }
  return perFile.get(file) ?? [];
}

/** Builds the position index of every history ahead of the first request (the server calls it when idle). */
export function prepareTargets(model: WorkspaceModel): void {
  for (const history of model.histories) entriesOf(history, '');
  for (const source of model.sources.values()) historyOf(model, source.path);
}

const within = (span: Span, offset: number) => span.start <= offset && offset <= span.end;

/** The column named by the identifier at `offset` inside a column list. */
function columnInList(text: string, span: Span, offset: number, table: Table): { column: Column; span: Span } | undefined {
  for (const token of tokenize(text, span.start, span.end)) {
    if ((token.kind !== 'word' && token.kind !== 'quoted') || !within(token, offset)) continue;
    const column = table.columns.find((c) => c.name === token.value);
    return column ? { column, span: { start: token.start, end: token.end } } : undefined;
  }
  return undefined;
}

function fromEntries(history: HistoryModel, source: SourceFile, offset: number): Target | undefined {
  let best: Entry | undefined;
  for (const entry of entriesOf(history, source.path)) {
    if (!within(entry.span, offset)) continue;
    if (!best || entry.span.end - entry.span.start <= best.span.end - best.span.start) best = entry;
  }
  if (!best) return undefined;
  const text = source.lines.text;
  switch (best.kind) {
    case 'table':
      return { kind: 'table', history, table: best.table, span: best.span, context: 'create' };
    case 'column':
      return { kind: 'column', history, table: best.table, column: best.column!, span: best.span, role: 'declaration' };
    case 'index':
      return { kind: 'index', history, table: best.table, index: best.index!, span: best.span };
    case 'fk':
      return { kind: 'foreign-key', history, fk: best.fk!, span: best.span };
    case 'ref-table':
      return { kind: 'table', history, table: best.table, span: best.span, context: 'references', fk: best.fk };
    case 'fk-columns':
    case 'ref-columns': {
      const found = columnInList(text, best.span, offset, best.table);
      if (!found) return { kind: 'foreign-key', history, fk: best.fk!, span: best.span };
      const role = best.kind === 'fk-columns' ? 'fk-columns' : 'ref-columns';
      return { kind: 'column', history, table: best.table, column: found.column, span: found.span, role, fk: best.fk };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Names the model keeps no range of

export interface NameAt {
  schema?: string;
  name: string;
  /** The whole (possibly qualified) name. */
  span: Span;
  context: TableContext;
}

const isIdent = (t: Token | undefined) => !!t && (t.kind === 'word' || t.kind === 'quoted');

/** The table name at `offset` in one statement, with the clause it stands in; undefined when none is there. */
export function tableNameAt(text: string, statement: Span, offset: number): NameAt | undefined {
  const tokens = tokenize(text, statement.start, Math.min(text.length, statement.end + 1));
  const k = tokens.findIndex((t) => isIdent(t) && within(t, offset));
  if (k < 0) return undefined;
  // The qualified name around k: [schema .] name
  let first = k;
  let last = k;
  if (isOp(tokens[k - 1], '.') && isIdent(tokens[k - 2])) first = k - 2;
  else if (isOp(tokens[k + 1], '.') && isIdent(tokens[k + 2])) last = k + 2;
  if (isOp(tokens[first - 1], '.') || isOp(tokens[last + 1], '.')) return undefined; // column.x or db.schema.table
  const context = contextBefore(tokens, first);
  if (!context) return undefined;
  const name = tokens[last].value;
  const schema = first !== last ? tokens[first].value : undefined;
  return { schema, name, span: { start: tokens[first].start, end: tokens[last].end }, context };
}

function contextBefore(tokens: Token[], first: number): TableContext | undefined {
  let i = first - 1;
  // DROP TABLE a, b, c: walk back over the earlier names of the list.
  while (isOp(tokens[i], ',') && tokens[0] && isWord(tokens[0], 'drop')) {
    i--;
    while (isIdent(tokens[i]) || isOp(tokens[i], '.')) i--;
  }
  while (isWord(tokens[i], 'if', 'not', 'exists', 'only')) i--;
  const prev = tokens[i];
  const lead = tokens[0];
  if (!prev) return undefined;
  if (isWord(prev, 'references')) return 'references';
  if (isWord(prev, 'table')) {
    if (isWord(lead, 'create')) return 'create';
    if (isWord(lead, 'alter')) return 'alter';
    if (isWord(lead, 'drop')) return 'drop';
    return undefined;
  }
  if (isWord(prev, 'from') && isWord(lead, 'delete') && i === 1) return 'delete';
  if (isWord(prev, 'update') && i === 0) return 'update';
  if (isWord(prev, 'into') && isWord(lead, 'insert') && i === 1) return 'insert';
  if (isWord(prev, 'on') && isWord(lead, 'create') && tokens.slice(1, i).some((t) => isWord(t, 'index'))) return 'index';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------

/** What is at `offset` (UTF-16) of `file`, or undefined. */
export function targetAt(model: WorkspaceModel, file: string, offset: number): Target | undefined {
  const source = model.sources.get(file);
  if (!source) return undefined;
  const history = historyOf(model, file);
  if (history) {
    const hit = fromEntries(history, source, offset);
    if (hit) return hit;
  }
  const statement = statementAt(source, offset);
  if (!statement) return undefined;
  const name = tableNameAt(source.lines.text, statement, offset);
  if (!name) return undefined;
  const searchPath = searchPathAt(source, statement.start);
  // The file's own database first; a file of queries (seeds, scripts) may name tables of another history.
  if (history) {
    const table = tableAsNamedAt(history, file, statement.start, name, searchPath);
    if (table) return { kind: 'table', history, table, span: name.span, context: name.context };
  }
  for (const h of model.histories) {
    const table = h !== history ? lookupTable(h, name, searchPath) : undefined;
    if (table) return { kind: 'table', history: h, table, span: name.span, context: name.context };
  }
  return undefined;
}

/**
 * The final table that a name written at `offset` of a history's file stands for: the name is carried
 * through the renames, schema moves and drops that come after it in the timeline (a table renamed later is
 * still found from its old name; one dropped later is not the table a newer one of that name is).
 */
export function tableAsNamedAt(
  history: HistoryModel,
  file: string,
  offset: number,
  name: { schema?: string; name: string },
  searchPath: string[],
): Table | undefined {
  const step = history.sources.findIndex((s) => s.path === file);
  if (step < 0) return lookupTable(history, name, searchPath);
  const schemas = name.schema ? [name.schema] : searchPath.filter((s) => s !== '$user');
  for (const schema of schemas) {
    const final = carryForward(history, step, offset, schema, name.name);
    if (final) {
      const table = lookupTable(history, final);
      if (table) return table;
    }
  }
  return undefined;
}

function carryForward(history: HistoryModel, step: number, offset: number, schema: string, name: string): { schema: string; name: string } | undefined {
  let current = { schema, name };
  for (let i = step; i < history.sources.length; i++) {
    let path = DEFAULT_SEARCH_PATH;
    for (const event of history.sources[i].events) {
      if (event.kind === 'set_search_path') path = event.schemas;
      if (i === step && event.statement.start < offset) continue;
      const names = (q: { schema?: string; name: string }) =>
        q.name === current.name && (q.schema ? q.schema === current.schema : path.includes(current.schema));
      switch (event.kind) {
        case 'rename_table':
          if (names(event.target)) current = { ...current, name: event.to };
          break;
        case 'set_schema':
          if (event.objectKind === 'table' && names(event.target)) current = { ...current, schema: event.newSchema };
          break;
        case 'rename_schema':
          if (event.from === current.schema) current = { ...current, schema: event.to };
          break;
        case 'drop_table':
          if (event.names.some(names)) return undefined;
          break;
        case 'drop_schema':
          if (event.names.some((n) => n.name === current.schema)) return undefined;
          break;
      }
    }
  }
  return current;
}
