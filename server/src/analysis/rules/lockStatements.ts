/**
 * What the lock rules share: where a finding about a statement's locks points (the statement's head: its
 * keywords and the table it names), and how a lock reads in a message.
 */
import type { HistoryModel, StatementLocks, TableLock } from '../../model/replay';
import type { SourceFile } from '../../sources/events';
import type { MigrationTool } from '../../sources/migrationFile';
import type { Span } from '../../sources/text';
import { unsureBetween, type Unsure } from '../gaps';
import { tableLabel } from '../rule';
import { FILE_TRANSACTION } from './validateInSameTransaction';
import { earlierMigrationsText as earlierText, stepsToReport } from './practice';

/** Does the tool run the whole migration as one transaction (so a SET LOCAL outside BEGIN lasts for the file)? */
function fileIsOneTransaction(tool: MigrationTool, source: SourceFile | undefined): boolean {
  if (!source) return false;
  // knex runs each migration in a transaction unless it exports `config = { transaction: false }`; TypeORM unless `transaction = false`.
  if (tool === 'knex') return !/\bconfig\s*=\s*\{[^}]*\btransaction\s*:\s*false/.test(source.lines.text);
  if (tool === 'typeorm') return !/\btransaction\s*=\s*false\b/.test(source.lines.text);
  const how = FILE_TRANSACTION[tool];
  return !!how && !how.optOut?.(source);
}

/** A lock_timeout set earlier in the statement's session, or in its transaction, is in effect for it. */
export function lockTimeoutInEffect(history: HistoryModel, s: StatementLocks): boolean {
  const t = s.lockTimeout;
  if (!t) return false;
  // SET LOCAL outside BEGIN only lasts when the tool wraps the file in a transaction (otherwise PostgreSQL ignores it).
  return !t.local || t.inExplicitTransaction || fileIsOneTransaction(history.history.tool, history.sources[s.step]);
}

/**
 * Does `later` run in the same transaction as `earlier` (an earlier statement of the same migration), so that a lock
 * `earlier` took is still held? Inside one BEGIN ... COMMIT, or in a file the tool runs as one transaction, with no
 * COMMIT or ROLLBACK between them.
 */
export function inSameTransaction(history: HistoryModel, earlier: StatementLocks, later: StatementLocks): boolean {
  if (earlier.step !== later.step || earlier.concurrently || later.concurrently) return false;
  const source = history.sources[earlier.step];
  if (!source) return false;
  const ended = source.events.some(
    (e) => (e.kind === 'commit' || e.kind === 'rollback') && e.statement.start >= earlier.statement.end && e.statement.start < later.statement.start,
  );
  if (ended) return false;
  return (earlier.inExplicitTransaction && later.inExplicitTransaction) || fileIsOneTransaction(history.history.tool, source);
}

/**
 * The first step of the history whose migration sets a lock_timeout (that turns it on), or -1. From there on setting
 * one is the project's practice, and the lock rules judge every migration; before it, or in a history that never sets
 * one, the migrations have most likely run long ago (or the connection sets it where FK Lens cannot see): the lock
 * rules then report only the newest migration that needs one, and say how many earlier ones do too.
 */
export function lockTimeoutAdopted(history: HistoryModel): number {
  return history.sources.findIndex((source) => source?.events.some((e) => e.kind === 'set_lock_timeout' && e.enabled));
}

/** The migrations the lock rules report, of those with findings (`steps`, in order): see practice.ts. */
export function reportedSteps(history: HistoryModel, steps: number[], reviewed: readonly string[] = []): { reported: Set<number>; earlier: number[] } {
  return stepsToReport(history, steps, lockTimeoutAdopted(history), reviewed);
}

/** ` No migration of this history sets lock_timeout, and 3 earlier ones lock ...`: what a finding standing for earlier migrations adds. */
export function earlierMigrationsText(earlier: number, locked: string): string {
  return earlierText(earlier, 'sets lock_timeout', 'lock', locked);
}

/** `ALTER TABLE items`, `DROP TABLE items`: from the statement's start to the end of the first table it names. */
export function statementHead(s: StatementLocks): Span {
  const name = s.names.find((n) => n.end > s.statement.start && n.end <= s.statement.end);
  return { start: s.statement.start, end: name ? name.end : s.statement.end };
}

const tableOf = (l: TableLock) => tableLabel({ schema: l.schema, name: l.table });

/** `ACCESS EXCLUSIVE on orders and SHARE ROW EXCLUSIVE on users and addresses`: the tables grouped by mode, strongest first. */
export function locksText(locks: TableLock[]): string {
  const byMode = new Map<string, string[]>();
  for (const l of locks) byMode.set(l.mode, [...(byMode.get(l.mode) ?? []), tableOf(l)]);
  return [...byMode].map(([mode, tables]) => `${mode} on ${listWords(tables)}`).join(' and ');
}

/** `orders and users` */
export function tablesText(locks: TableLock[]): string {
  return listWords([...new Set(locks.map(tableOf))]);
}

/** `a, b and c` */
export function listWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** A statement FK Lens skipped earlier in the same migration may have set lock_timeout. */
export function unsureOfLockTimeout(history: HistoryModel, s: StatementLocks): Unsure | undefined {
  return unsureBetween(history, { step: s.step, offset: 0 }, { step: s.step, offset: s.statement.start }, 'a SET lock_timeout');
}
