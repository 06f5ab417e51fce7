/** `cascade-conflict`: one DELETE reaches a table both by CASCADE and through an FK that blocks or sets NULL / DEFAULT. */
import type { ForeignKey } from '../../model/schema';
import { foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';
import { cascadeReaches, onDeleteSpan } from './cascadeShared';

export const cascadeConflict: Rule = {
  id: 'cascade-conflict',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Conflicting actions on one table in one DELETE',
  description:
    'One DELETE reaches a table through an ON DELETE CASCADE path and, at the same time, through another foreign key that RESTRICTs, is NO ACTION, or SETs NULL / DEFAULT. Whether the DELETE succeeds, and which rows are left, depends on the order in which PostgreSQL fires the referential-integrity triggers (by trigger name), not on anything the schema states.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      const seen = new Set<string>();
      for (const reach of cascadeReaches(history)) {
        for (const conflict of reach.conflicts) {
          for (const other of conflict.others) {
            const key = `${other.tableId}:${other.name}:${conflict.cascades.map((f) => f.name).sort().join(',')}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const table = tableLabel(conflict.table);
            const parentOf = (fk: ForeignKey) => tableLabel(history.tableById.get(fk.refTableId));
            const rewrites = other.onDelete === 'SET NULL' || other.onDelete === 'SET DEFAULT';
            const via = conflict.cascades.map((f) => `${f.name} -> ${parentOf(f)}`).join(', ');
            findings.push({
              rule: 'cascade-conflict',
              file: other.location.file,
              span: onDeleteSpan(other),
              // Rows both deleted and rewritten end up deleted; rows both deleted and blocked may or may not fail the DELETE.
              severity: rewrites ? 'info' : 'warning',
              message: rewrites
                ? `Deleting a row of ${tableLabel(reach.root)} deletes ${table} rows by cascade (via ${via}) and also ${other.onDelete === 'SET NULL' ? 'sets' : 'resets'} ${table}.${other.columns.join(', ')} ` +
                  `(${other.name}, ON DELETE ${other.onDelete} -> ${parentOf(other)}): the same rows are updated and deleted in an order that depends on the order PostgreSQL fires its triggers.`
                : `Deleting a row of ${tableLabel(reach.root)} deletes ${table} rows by cascade (via ${via}), while ${other.name} (ON DELETE ${other.onDelete} -> ${parentOf(other)}) forbids removing what they reference: ` +
                  `whether the DELETE succeeds depends on the order PostgreSQL fires its triggers.`,
              related: conflict.cascades.map((fk) => ({ file: fk.location.file, span: onDeleteSpan(fk), message: `${table} rows are deleted through ${fk.name}` })),
              fk: foreignKeyRef(history, other),
            });
          }
        }
      }
    }
    return findings;
  },
};
