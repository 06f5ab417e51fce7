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
