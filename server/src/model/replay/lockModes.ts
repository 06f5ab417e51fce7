/**
 * PostgreSQL's table lock modes as facts: their order, the conflict table of the documentation ("Table-Level Lock
 * Modes"), and what a mode keeps other sessions from doing. Checked against waiting sessions in
 * test/pg/locks.test.ts.
 */
import type { LockMode } from '../../sources/events';
import { LOCK_MODES } from '../../sources/events';

export type { LockMode };

const RANK = new Map<LockMode, number>(LOCK_MODES.map((m, i) => [m, i]));

export function lockRank(mode: LockMode): number {
  return RANK.get(mode) ?? 0;
}

/** PostgreSQL's conflict table ("Table-Level Lock Modes"): which modes cannot be held at once with `mode`. */
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': [...LOCK_MODES],
};

export function lockConflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/**
 * What a lock keeps other sessions from doing on the table while it is held (or waited for: later requests
 * queue behind a waiting one they conflict with): `reads` (SELECT, ACCESS SHARE), `writes` (INSERT / UPDATE /
 * DELETE, ROW EXCLUSIVE), `ddl` (ALTER / DROP and the other statements that take ACCESS EXCLUSIVE; every mode
 * blocks them).
 */
export type Blocked = 'reads' | 'writes' | 'ddl';

export function lockBlocks(mode: LockMode): Blocked[] {
  const out: Blocked[] = [];
  if (lockConflicts(mode, 'ACCESS SHARE')) out.push('reads');
  if (lockConflicts(mode, 'ROW EXCLUSIVE')) out.push('writes');
  out.push('ddl');
  return out;
}

/** Does the mode make the FK checks of other tables' writes wait (their FOR KEY SHARE row locks take ROW SHARE here)? */
export function blocksForeignKeyChecks(mode: LockMode): boolean {
  return lockConflicts(mode, 'ROW SHARE');
}
