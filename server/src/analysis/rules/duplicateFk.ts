/** `duplicate-fk`: two FKs with the same columns to the same target. */
import type { ForeignKey } from '../../model/schema';
import { laterChanges, lead } from '../finalSchema';
import { columnsLabel, foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';

export const duplicateFk: Rule = {
  id: 'duplicate-fk',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Duplicate foreign key',
  description:
    'Two foreign keys of one table have the same columns and reference the same columns of the same table. The second one checks nothing the first does not; it doubles the trigger work of every INSERT, UPDATE and parent DELETE, and when their actions differ the outcome of a DELETE depends on trigger order.',
  tags: ['unnecessary'],
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const table of history.tables) {
        if (!mayRepeat(table.foreignKeys)) continue;
        const first = new Map<string, ForeignKey>();
        const ordered = [...table.foreignKeys].sort((a, b) => a.step - b.step || a.location.span.start - b.location.span.start);
        for (const fk of ordered) {
          const pairs = fk.columns.map((c, i) => `${c}=${fk.refColumns[i] ?? ''}`).sort();
          const key = `${fk.refTableId}:${pairs.join(',')}`;
          const original = first.get(key);
          if (!original) {
            first.set(key, fk);
            continue;
          }
          const parent = history.tableById.get(fk.refTableId);
          // Two keys that only a later rename made the same: say so, and link the rename.
          const later = laterChanges(history, fk);
          findings.push({
            rule: 'duplicate-fk',
            file: fk.location.file,
            span: fk.location.nameSpan ?? fk.location.columnsSpan ?? fk.location.span,
            message: lead(later.changed, `Foreign key ${fk.name} repeats ${original.name}: both make ${columnsLabel(table, fk.columns)} reference ${columnsLabel(parent, fk.refColumns)}.`),
            related: [{ file: original.location.file, span: original.location.nameSpan ?? original.location.span, message: `${original.name} is declared here` }, ...later.related],
            fk: foreignKeyRef(history, fk),
          });
        }
      }
    }
    return findings;
  },
};

/** Whether two of the FKs reference the same table (only then can one repeat the other). */
function mayRepeat(fks: ForeignKey[]): boolean {
  for (let i = 1; i < fks.length; i++) {
    for (let j = 0; j < i; j++) if (fks[i].refTableId === fks[j].refTableId) return true;
  }
  return false;
}
