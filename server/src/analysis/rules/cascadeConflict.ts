/**
 * `cascade-conflict`: one DELETE whose outcome depends on the order PostgreSQL fires two RI triggers: a table's
 * rows are deleted by cascade at the same level of the trigger queue at which another FK of the same table
 * checks them (RESTRICT / NO ACTION) or sets a NOT NULL column of theirs to NULL. See analysis/reach.ts.
 */
import type { HistoryModel } from '../../model/replay';
import type { ForeignKey } from '../../model/schema';
import type { ReachConflict } from '../reach';
import { foreignKeyRef, tableLabel, type Finding, type RelatedLocation, type Rule } from '../rule';
import { cascadeSummary, listed, MAX_RELATED, onDeleteSpan } from './cascadeShared';

export const cascadeConflict: Rule = {
  id: 'cascade-conflict',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'DELETE whose outcome depends on trigger order',
  description:
    'One DELETE deletes a table\'s rows by ON DELETE CASCADE at the same level of the cascade at which another foreign key of the same table checks those rows (RESTRICT, NO ACTION) or sets a NOT NULL column of theirs to NULL. PostgreSQL runs the referential-integrity triggers level by level, and inside a level in the order the rows were deleted and the constraints were created: if the cascade runs first the rows are gone and the DELETE succeeds; if the check runs first the DELETE fails. Which one happens depends on constraint creation order, which differs between databases built differently (a restore from a dump, for one). A table reached by two cascades, or checked one level after its rows were deleted (a self-reference deleted by the same cascade), is not a conflict.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const group of cascadeSummary(history).conflicts) {
        const c = group.example;
        const others = group.roots.filter((r) => r !== c.root);
        const also = group.rootCount > 1 ? ` The same holds when deleting a row of ${listed(others.map(tableLabel), group.rootCount - 1, 'or')}.` : '';
        findings.push({
          rule: 'cascade-conflict',
          file: c.other.location.file,
          span: onDeleteSpan(c.other),
          message: conflictMessage(history, c) + also,
          related: conflictRelated(history, c),
          fk: foreignKeyRef(history, c.other),
        });
      }
    }
    return findings;
  },
};

/** Which rows, which order, and what happens in each. */
export function conflictMessage(history: HistoryModel, c: ReachConflict & { root: { schema: string; name: string } }): string {
  const name = (id: number) => tableLabel(history.tableById.get(id));
  const x = tableLabel(c.table);
  const p = name(c.cascade.refTableId);
  const y = name(c.other.refTableId);
  const other = `${c.other.name} (ON DELETE ${c.other.onDelete} -> ${y})`;
  const what = c.failure === 'foreign-key' ? `${other} checks them` : `${other} sets their ${(c.other.setColumns ?? c.other.columns).join(', ')} to NULL`;
  const failure = c.failure === 'foreign-key' ? 'fails with a foreign-key violation' : 'fails with a not-null violation';
  const [a, b] = c.decidedBy;
  const sameRow = a === c.cascade && b === c.other;
  const where = sameRow ? `both for the deleted ${p} row` : `at level ${c.level}, for the ${p} and ${y} rows deleted at level ${c.level - 1}`;
  const decided = sameRow
    ? 'The two triggers fire in constraint creation order'
    : `Which fires first follows which of those rows went first, set by the creation order of ${a.name} and ${b.name} on ${name(a.refTableId)}`;
  const first = c.firstInHistory === 'cascade' ? a : b;
  const [today, otherwise] = c.firstInHistory === 'cascade' ? ['succeeds', failure] : [failure, 'succeeds'];
  return (
    `Deleting a row of ${tableLabel(c.root)} succeeds or fails depending on trigger order: ${c.cascade.name} (ON DELETE CASCADE -> ${p}) deletes ${x} rows and ${what}, ${where}. ` +
    `${decided}: here ${first.name} comes first, so the DELETE ${today}; built in another order (as a restore from a dump can be), it ${otherwise}.`
  );
}

function conflictRelated(history: HistoryModel, c: ReachConflict): RelatedLocation[] {
  const x = tableLabel(c.table);
  const related: RelatedLocation[] = [{ file: c.cascade.location.file, span: onDeleteSpan(c.cascade), message: `${x} rows are deleted through ${c.cascade.name} at level ${c.level}` }];
  const seen = new Set<ForeignKey>([c.cascade, c.other]);
  for (const fk of c.decidedBy) {
    if (seen.has(fk)) continue;
    seen.add(fk);
    related.push({ file: fk.location.file, span: onDeleteSpan(fk), message: `${fk.name} (${tableLabel(history.tableById.get(fk.tableId))}) fires in creation order on ${tableLabel(history.tableById.get(fk.refTableId))}` });
  }
  return related.slice(0, MAX_RELATED);
}


