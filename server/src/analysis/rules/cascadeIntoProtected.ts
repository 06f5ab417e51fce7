/** `cascade-into-protected`: a cascading delete reaches a table the configuration declares protected. */
import type { ForeignKey, Table } from '../../model/schema';
import { foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';
import { cascadeReaches, deletePathTo, onDeleteSpan, pathLabel } from './cascadeShared';

export function isProtected(table: Table, protectedTables: string[]): boolean {
  const full = `${table.schema}.${table.name}`.toLowerCase();
  const name = table.name.toLowerCase();
  return protectedTables.some((p) => {
    const wanted = p.trim().toLowerCase();
    return wanted.includes('.') ? wanted === full : wanted === name;
  });
}

export const cascadeIntoProtected: Rule = {
  id: 'cascade-into-protected',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Cascading delete into a protected table',
  description:
    'A DELETE cascades into a table listed in `protectedTables` (for example orders, payments, audit_log): deleting a user silently erases records that must be kept. Use ON DELETE RESTRICT (or SET NULL) on the protected table\'s foreign key, or soft-delete the parent.',
  check({ histories, settings }) {
    const findings: Finding[] = [];
    if (!settings.protectedTables.length) return findings;
    for (const history of histories) {
      const byFk = new Map<ForeignKey, { roots: Table[]; path: string }>();
      for (const reach of cascadeReaches(history)) {
        for (const entry of reach.deletes) {
          if (!isProtected(entry.table, settings.protectedTables)) continue;
          const path = deletePathTo(reach, entry.table);
          const via = path?.[path.length - 1].via ?? entry.via;
          const found = byFk.get(via);
          const label = path ? pathLabel(reach.root, path) : `${tableLabel(reach.root)} -> ${tableLabel(entry.table)}`;
          if (found) {
            found.roots.push(reach.root);
            if (label.length > found.path.length) found.path = label;
          } else byFk.set(via, { roots: [reach.root], path: label });
        }
      }
      for (const [fk, { roots, path }] of byFk) {
        const table = history.tableById.get(fk.tableId);
        const names = roots.map(tableLabel);
        const shown = names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
        findings.push({
          rule: 'cascade-into-protected',
          file: fk.location.file,
          span: onDeleteSpan(fk),
          message: `${tableLabel(table)} is protected, but deleting a row of ${shown} deletes its rows by cascade (${path}).`,
          fk: foreignKeyRef(history, fk),
        });
      }
    }
    return findings;
  },
};
