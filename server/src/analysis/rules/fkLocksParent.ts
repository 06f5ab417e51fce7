/**
 * `fk-locks-parent`: a statement takes ACCESS EXCLUSIVE on a referenced table it does not name. Dropping an FK
 * (DROP CONSTRAINT, DROP TABLE of the child, DROP COLUMN) or re-creating it (ALTER COLUMN TYPE of an FK column)
 * drops its triggers on the parent, and that needs the parent's strongest lock: reads of the parent stop until
 * the migration commits, and while the statement waits for the lock, every later query on the parent waits too.
 */
import { loadsIntoEmptyDatabase } from '../../sources/migrationFile';
import { tableLabel, type Finding, type Rule } from '../rule';
import { withGaps } from '../gaps';
import type { StatementLocks } from '../../model/replay';
import { earlierMigrationsText, inSameTransaction, listWords, reportedSteps, lockTimeoutInEffect, statementHead, unsureOfLockTimeout } from './lockStatements';

export const FK_LOCKS_PARENT = 'fk-locks-parent';

/** Earlier migrations a finding names as related locations, at most. */
const MAX_EARLIER = 5;

export const fkLocksParent: Rule = {
  id: FK_LOCKS_PARENT,
  // PostgreSQL's table locks; CockroachDB changes schemas online.
  dialects: ['postgres'],
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Statement takes ACCESS EXCLUSIVE on a referenced table it does not name',
  description:
    'Dropping a foreign key (ALTER TABLE ... DROP CONSTRAINT, DROP TABLE of the child, DROP COLUMN of an FK column) or re-creating it (ALTER COLUMN ... TYPE of an FK column) removes the FK\'s triggers from the referenced table, which takes an ACCESS EXCLUSIVE lock on that table although the statement does not name it. Until the migration\'s transaction ends nothing can read or write the parent, and while the statement waits for the lock behind any open transaction on the parent, every later query on the parent queues behind it. Reported for parents created by an earlier migration, unless the same migration alters or drops the parent itself (it locks it the same way anyway) or a lock_timeout is in effect (the wait is then bounded: the statement fails instead of stalling the parent).',
  check({ histories, settings }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      if (loadsIntoEmptyDatabase(history.history.tool)) continue;
      // Tables a migration takes ACCESS EXCLUSIVE on by name anyway (it alters or drops them): locking them once more through an FK changes nothing.
      const namedByStep = new Map<number, Set<number>>();
      for (const s of history.locks) {
        for (const l of s.locks) {
          if (l.mode !== 'ACCESS EXCLUSIVE' || (l.reason !== 'named' && l.reason !== 'dropped')) continue;
          let set = namedByStep.get(s.step);
          if (!set) namedByStep.set(s.step, (set = new Set()));
          set.add(l.tableId);
        }
      }
      const candidates: { s: StatementLocks; finding: Finding }[] = [];
      // The statement of the current migration that last took ACCESS EXCLUSIVE on each table.
      const heldBy = new Map<number, StatementLocks>();
      let step = -1;
      for (const s of history.locks) {
        if (s.step !== step) {
          step = s.step;
          heldBy.clear();
        }
        // A parent an earlier statement of the same transaction holds already: this statement neither waits for it
        // nor holds it any longer (the finding of that statement says it).
        const held = (id: number) => {
          const earlier = heldBy.get(id);
          return !!earlier && inSameTransaction(history, earlier, s);
        };
        const parents = s.locks.filter((l) => l.reason === 'fk-parent' && l.mode === 'ACCESS EXCLUSIVE' && l.createdStep < s.step && !namedByStep.get(s.step)?.has(l.tableId) && !held(l.tableId));
        for (const l of s.locks) if (l.mode === 'ACCESS EXCLUSIVE') heldBy.set(l.tableId, s);
        // With a lock_timeout the wait is bounded: the statement fails instead of stalling the parent's queries.
        if (lockTimeoutInEffect(history, s)) continue;
        if (!parents.length) continue;
        const tables = listWords(parents.map((l) => tableLabel({ schema: l.schema, name: l.table })));
        const via = listWords([...new Set(parents.map((l) => l.via).filter((v): v is string => !!v))]);
        const finding: Finding = {
          rule: FK_LOCKS_PARENT,
          severity: 'warning',
          file: s.file,
          span: statementHead(s),
          message:
            `${s.summary} takes an ACCESS EXCLUSIVE lock on ${tables}, which it does not name: dropping or re-creating ${via || 'its FK'} changes its triggers on ${tables}. ` +
            `Until the migration commits no query can read or write ${tables}, and while the statement waits for that lock behind an open transaction, every later query on ${tables} waits too. ` +
            `Set a short lock_timeout before it (and retry), or run it while ${tables} ${parents.length === 1 ? 'is' : 'are'} quiet.`,
        };
        candidates.push({ s, finding: withGaps(finding, unsureOfLockTimeout(history, s)) });
      }
      // Old migrations of a history that never sets lock_timeout: only the newest migration's findings (see reportedSteps).
      const steps = [...new Set(candidates.map((c) => c.s.step))];
      const { reported, earlier } = reportedSteps(history, steps, settings.reviewed);
      const others = earlierMigrationsText(earlier.length, 'parents');
      // The first such statement of each earlier migration.
      const earlierSteps = new Set(earlier);
      const earliest = candidates.filter((c, i) => earlierSteps.has(c.s.step) && (i === 0 || candidates[i - 1].s.step !== c.s.step)).map((c) => c.s);
      for (const { s, finding } of candidates) {
        if (!reported.has(s.step)) continue;
        const related = earliest.slice(-MAX_EARLIER).reverse().map((e) => ({ file: e.file, span: statementHead(e), message: `an earlier migration, also without lock_timeout: ${e.summary}` }));
        findings.push({ ...finding, message: finding.message + others, ...(related.length ? { related: [...(finding.related ?? []), ...related] } : {}) });
      }
    }
    return findings;
  },
};
