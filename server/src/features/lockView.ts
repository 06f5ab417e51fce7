/**
 * The lock section of a hover on a migration statement (its keywords, or a table name it writes): the tables it
 * locks with PostgreSQL's mode for each, what the mode blocks, how long it is held (catalog only, or while a
 * table is read or rewritten, then until the transaction ends), and the lock_timeout in effect. Built from the
 * replay's lock records (model/replay/locks.ts); names are escaped for Markdown (features/markdown.ts).
 */
import { blocksForeignKeyChecks, lockBlocks } from '../model/replay/lockModes';
import type { HistoryModel, StatementLocks, TableLock } from '../model/replay';
import { loadsIntoEmptyDatabase } from '../sources/migrationFile';
import { tokenize } from '../sources/sql/lexer';
import type { LineCol, Span } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { plural, positionOf, tableLabel } from './describe';
import { locationLabel } from './labels';
import { mdCode, mdLink, mdText } from './markdown';
import { historyOf } from './target';

export interface LockViewOptions {
  /** A link that opens a declaration (file, 0-based position); without it, file:line is shown as text. */
  link?: (file: string, position: LineCol) => string | undefined;
}

/** The lock records whose statement is under `offset`: on one of its table names, or on its leading keywords. */
export function locksAt(model: WorkspaceModel, file: string, offset: number): { history: HistoryModel; statements: StatementLocks[]; span: Span } | undefined {
  const history = historyOf(model, file);
  const text = model.sources.get(file)?.lines.text;
  // A schema loaded into an empty database waits for no lock: no lock section (the lock rules skip it too).
  if (!history || text === undefined || loadsIntoEmptyDatabase(history.history.tool)) return undefined;
  const found: StatementLocks[] = [];
  let span: Span | undefined;
  for (const s of history.locks) {
    if (s.file !== file || offset < s.statement.start - 1 || offset > s.statement.end + 1) {
      // A name of a JS statement may stand before it (the table of knex's alterTable callback).
      const name = s.file === file ? s.names.find((n) => n.start <= offset && offset <= n.end) : undefined;
      if (!name) continue;
      found.push(s);
      span ??= name;
      continue;
    }
    const name = s.names.find((n) => n.start <= offset && offset <= n.end);
    const head = name ? undefined : headOf(text, s);
    if (name || (head && head.start <= offset && offset <= head.end)) {
      found.push(s);
      span ??= name ?? head;
    }
  }
  return found.length && span ? { history, statements: found, span } : undefined;
}

/** `ALTER TABLE`, `CREATE INDEX CONCURRENTLY`, `knex.schema.alterTable`: the words before the first name or parenthesis. */
function headOf(text: string, s: StatementLocks): Span | undefined {
  const firstName = s.names.find((n) => n.start >= s.statement.start && n.end <= s.statement.end);
  const stop = firstName?.start ?? s.statement.end;
  let end: number | undefined;
  for (const token of tokenize(text, s.statement.start, stop)) {
    if (token.kind === 'op' && token.value !== '.') break;
    end = token.end;
  }
  return end === undefined ? undefined : { start: s.statement.start, end };
}

const REASON: Record<TableLock['reason'], string> = {
  named: '',
  created: 'created by it',
  dropped: 'dropped',
  'fk-parent': 'referenced',
  'fk-child': 'references it',
  partition: 'partition or inheritance relative',
  like: 'copied by LIKE',
};

function blocksText(lock: TableLock): string {
  const blocked = lockBlocks(lock.mode).map((b) => (b === 'ddl' ? 'DDL' : b));
  let text = `blocks ${blocked.length === 1 ? blocked[0] : `${blocked.slice(0, -1).join(', ')} and ${blocked[blocked.length - 1]}`}`;
  // Writes to a child check the parent's row with FOR KEY SHARE: ROW SHARE on the parent.
  if (lock.referenced && blocksForeignKeyChecks(lock.mode)) text += ', and writes to the tables that reference it (their FK checks lock its rows)';
  return text;
}

function lockLine(lock: TableLock): string {
  const name = mdCode(tableLabel({ schema: lock.schema, name: lock.table }));
  const why =
    lock.reason === 'fk-parent'
      ? ` (referenced by ${lock.via ? mdCode(lock.via) : 'its FK'}; the statement does not name it)`
      : lock.reason === 'fk-child'
        ? ` (references it through ${lock.via ? mdCode(lock.via) : 'an FK'})`
        : REASON[lock.reason]
          ? ` (${REASON[lock.reason]})`
          : '';
  const scan = lock.scan === 'rewrite' ? ' · rewritten' : lock.scan === 'scan' ? ' · every row read' : '';
  return `- **${lock.mode}** on ${name}${why}: ${blocksText(lock)}${scan}`;
}

function durationText(s: StatementLocks): string {
  if (s.concurrently) return 'Runs outside a transaction; SHARE UPDATE EXCLUSIVE lets reads and writes go on while it builds or drops the index.';
  const label = (l: TableLock) => mdCode(tableLabel({ schema: l.schema, name: l.table }));
  const rewritten = s.locks.filter((l) => l.scan === 'rewrite');
  const scanned = s.locks.filter((l) => l.scan === 'scan');
  const tables = (list: TableLock[]) => list.map(label).join(', ');
  if (rewritten.length) return `Held while ${tables(rewritten)} ${rewritten.length === 1 ? 'is' : 'are'} rewritten, then until the transaction ends.`;
  if (scanned.length) return `Held while every row of ${tables(scanned)} is read, then until the transaction ends.`;
  return 'Catalog change only: short once granted, then held until the transaction ends.';
}

function timeoutText(model: WorkspaceModel, s: StatementLocks, options: LockViewOptions): string {
  const t = s.lockTimeout;
  if (!t) return 'No lock_timeout is set before it: while it waits for a lock, later queries on that table that conflict with it queue behind it, with no limit.';
  const where = locationLabel(model, t);
  const position = positionOf(model, t);
  const target = position && options.link?.(t.file, position);
  const at = target ? mdLink(mdText(where), target) : mdCode(where);
  return `lock_timeout ${mdCode(t.value)}${t.local ? ' (SET LOCAL)' : ''}, set at ${at}: it gives up after that long instead of making queries queue.`;
}

/** The Markdown lock section for the statements under `offset`, or undefined. */
export function lockSection(model: WorkspaceModel, file: string, offset: number, options: LockViewOptions = {}): { markdown: string; span: Span } | undefined {
  const found = locksAt(model, file, offset);
  if (!found) return undefined;
  const parts = found.statements.map((s) => {
    const lines = [`**${mdText(s.summary)}**: locks ${plural(s.locks.length, 'table')}${s.lockTimeout ? ' · lock_timeout set' : ''}`, ''];
    for (const lock of s.locks) lines.push(lockLine(lock));
    lines.push('', durationText(s), '', timeoutText(model, s, options));
    return lines.join('\n');
  });
  return { markdown: parts.join('\n\n---\n\n'), span: found.span };
}

/** A hover with the lock section of the statement under `offset` first, when there is one. */
export function withLocks(
  model: WorkspaceModel,
  file: string,
  offset: number,
  hover: { markdown: string; span: Span } | undefined,
  options: LockViewOptions = {},
): { markdown: string; span: Span } | undefined {
  const locks = lockSection(model, file, offset, options);
  if (!locks) return hover;
  if (!hover) return locks;
  return { markdown: `${locks.markdown}\n\n---\n\n${hover.markdown}`, span: hover.span };
}
