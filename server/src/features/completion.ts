/**
 * Completion inside foreign-key clauses: after REFERENCES the tables of the file's database, after
 * `REFERENCES t (` that table's columns (primary key first, then unique keys, then the rest), and after
 * ON DELETE / ON UPDATE the five referential actions with what each does. Works on the current text, which
 * usually does not parse while it is being typed. Pure.
 */
import { referencingForeignKeys } from '../analysis/reach';
import type { HistoryModel } from '../model/replay';
import { quoteIdent, type FkAction, type Table } from '../model/schema';
import { mdCode, visible as visibleText } from './markdown';
import { isOp, isWord, tokenize, type Token } from '../sources/sql/lexer';
import type { Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { ACTIONS, actionDescription, columnsLabel, plural } from './describe';
import { historyOf, lookupTable, searchPathAt } from './target';

export interface CompletionEntry {
  label: string;
  kind: 'table' | 'column' | 'action';
  detail: string;
  documentation?: string;
  /** Sort key: lower first. */
  sortText: string;
  insertText: string;
  /** The text the entry replaces (the partial word before the cursor). */
  replace: Span;
}

const isIdent = (t: Token | undefined) => !!t && (t.kind === 'word' || t.kind === 'quoted');

export function completionsAt(model: WorkspaceModel, file: string, text: string, offset: number): CompletionEntry[] {
  const source = model.sources.get(file);
  // A file whose own database has no tables (a scratch file next to a migration history): the largest one's.
  let history = historyOf(model, file);
  if (!history?.tables.length) {
    for (const h of model.histories) if (!history || h.tables.length > history.tables.length) history = h;
  }
  // Tokens of the statement being typed: from the end of the last complete statement before the cursor.
  let start = 0;
  for (const s of source?.statements ?? []) {
    if (s.start <= offset && offset <= s.end) {
      start = s.start;
      break;
    }
    if (s.end < offset) start = s.end;
    else break;
  }
  let tokens = tokenize(text, start, offset);
  const semi = tokens.map((t) => isOp(t, ';')).lastIndexOf(true);
  if (semi >= 0) tokens = tokens.slice(semi + 1);
  // Inside a quote or a comment: nothing to complete.
  const last = tokens[tokens.length - 1];
  if (last && last.end > offset) return [];
  if (last && (last.kind === 'string' || last.kind === 'dollar')) return [];
  if (inComment(text, start, offset)) return [];

  // The word being typed (touching the cursor) is replaced; what comes before it decides the context.
  let replace: Span = { start: offset, end: offset };
  let before = tokens;
  if (last && isIdent(last) && last.end === offset) {
    replace = { start: last.start, end: last.end };
    before = tokens.slice(0, -1);
  }
  const n = before.length;
  const prev = before[n - 1];
  const prev2 = before[n - 2];

  if (isWord(prev, 'delete', 'update') && isWord(prev2, 'on')) return actionEntries(prev.value === 'delete' ? 'DELETE' : 'UPDATE', replace);
  if (!history) return [];
  const searchPath = source ? searchPathAt(source, offset) : undefined;
  if (isWord(prev, 'references')) return tableEntries(history, undefined, searchPath, replace);
  if (isOp(prev, '.') && isIdent(prev2) && isWord(before[n - 3], 'references')) {
    return tableEntries(history, prev2.value, searchPath, { start: replace.start, end: replace.end });
  }
  // REFERENCES [schema.]table ( col, col, <cursor>
  let k = n - 1;
  const listed: string[] = [];
  while (k >= 0 && (isIdent(before[k]) || isOp(before[k], ','))) {
    if (isIdent(before[k])) listed.push(before[k].value);
    k--;
  }
  if (isOp(before[k], '(') && isIdent(before[k - 1])) {
    const nameEnd = k - 1;
    const qualified = isOp(before[nameEnd - 1], '.') && isIdent(before[nameEnd - 2]);
    const keyword = before[qualified ? nameEnd - 3 : nameEnd - 1];
    if (isWord(keyword, 'references')) {
      const name = { schema: qualified ? before[nameEnd - 2].value : undefined, name: before[nameEnd].value };
      const table = lookupTable(history, name, searchPath);
      if (table) return columnEntries(table, listed, replace);
    }
  }
  return [];
}

function inComment(text: string, from: number, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(Math.max(from, lineStart), offset);
  // A `--` outside quotes on this line (the lexer skipped it, so no token ends after it).
  const tokens = tokenize(text, Math.max(from, lineStart), offset);
  const lastEnd = tokens.length ? tokens[tokens.length - 1].end - Math.max(from, lineStart) : 0;
  const dash = line.indexOf('--', lastEnd);
  if (dash >= 0) return true;
  const open = text.lastIndexOf('/*', offset);
  if (open < from) return false;
  const close = text.indexOf('*/', open + 2);
  return close < 0 || close + 2 > offset;
}

const ACTION_ORDER: Record<FkAction, number> = { 'NO ACTION': 4, RESTRICT: 3, CASCADE: 0, 'SET NULL': 1, 'SET DEFAULT': 2 };

function actionEntries(operation: 'DELETE' | 'UPDATE', replace: Span): CompletionEntry[] {
  return ACTIONS.map((action) => ({
    label: action,
    kind: 'action' as const,
    detail: `ON ${operation} ${action}`,
    documentation: actionDescription(action, operation),
    sortText: String(ACTION_ORDER[action]),
    insertText: action,
    replace,
  }));
}

function tableEntries(history: HistoryModel, schema: string | undefined, searchPath: string[] | undefined, replace: Span): CompletionEntry[] {
  const visible = (t: Table) => lookupTable(history, { name: t.name }, searchPath) === t;
  const out: CompletionEntry[] = [];
  for (const table of history.tables) {
    if (schema !== undefined && table.schema !== schema) continue;
    const bare = schema !== undefined || visible(table);
    const name = bare ? quoteIdent(table.name) : `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
    const key = table.primaryKey ? `PRIMARY KEY (${columnsLabel(table.primaryKey.columns)})` : 'no primary key';
    const incoming = referencingForeignKeys(history, table.id).length;
    out.push({
      label: name,
      kind: 'table',
      detail: visibleText(`table ${table.schema}.${table.name} · ${key}`),
      documentation: `${plural(table.columns.length, 'column')}: ${table.columns.map((c) => mdCode(c.name)).join(', ')}\n\nReferenced by ${plural(incoming, 'FK')}.`,
      sortText: (bare ? '0' : '1') + name,
      insertText: name,
      replace,
    });
  }
  return out;
}

function columnEntries(table: Table, listed: string[], replace: Span): CompletionEntry[] {
  const pk = table.primaryKey?.columns ?? [];
  const unique = new Set(table.uniques.flatMap((u) => u.columns));
  return table.columns
    .filter((c) => !listed.includes(c.name))
    .map((c) => {
      const rank = pk.includes(c.name) ? `0${pk.indexOf(c.name)}` : unique.has(c.name) ? '1' : '2';
      const role = pk.includes(c.name) ? 'primary key' : unique.has(c.name) ? 'unique' : '';
      return {
        label: quoteIdent(c.name),
        kind: 'column' as const,
        detail: [c.type, c.notNull ? 'NOT NULL' : '', role].filter(Boolean).join(' · '),
        sortText: `${rank}_${String(table.columns.indexOf(c)).padStart(4, '0')}`,
        insertText: quoteIdent(c.name),
        replace,
      };
    });
}
