/** `cascade-into-protected`: a cascading delete reaches a table the configuration declares protected. */
import type { ForeignKey, Table } from '../../model/schema';
import { foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';
import { cascadeSummary, listed, onDeleteSpan } from './cascadeShared';

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
      const { graph: g } = cascadeSummary(history);
      // Which tables cascade into each table: a walk up the ON DELETE CASCADE links, per protected table's parent.
      const parentsOf: number[][] = g.tables.map(() => []);
      const fkInto: ForeignKey[][] = g.tables.map(() => []);
      for (let p = 0; p < g.tables.length; p++)
        for (let k = g.delStart[p]; k < g.delStart[p + 1]; k++) {
          parentsOf[g.delChild[k]].push(p);
          fkInto[g.delChild[k]].push(g.delFk[k]);
        }
      g.tables.forEach((table, t) => {
        if (!isProtected(table, settings.protectedTables)) return;
        for (const fk of fkInto[t]) {
          if (fk.refTableId === fk.tableId) continue; // a self-reference only deletes rows of a table already being deleted
          const start = g.index.get(fk.refTableId)!;
          // Breadth first up from the parent: every table whose DELETE reaches it, and the next step towards it.
          const next = new Map<number, number>([[start, t]]);
          const queue = [start];
          for (let head = 0; head < queue.length; head++)
            for (const up of parentsOf[queue[head]]) {
              if (next.has(up) || up === t) continue;
              next.set(up, queue[head]);
              queue.push(up);
            }
          const roots = queue.slice().sort((a, b) => a - b);
          const farthest = queue[queue.length - 1];
          const path: string[] = [];
          for (let at = farthest; ; at = next.get(at)!) {
            path.push(tableLabel(g.tables[at]));
            if (at === t) break;
          }
          const shownPath = path.length > 8 ? [...path.slice(0, 4), `… (${path.length - 7} more)`, ...path.slice(-3)] : path;
          findings.push({
            rule: 'cascade-into-protected',
            file: fk.location.file,
            span: onDeleteSpan(fk),
            message: `${tableLabel(table)} is protected, but deleting a row of ${listed(roots.slice(0, 5).map((r) => tableLabel(g.tables[r])), roots.length, 'or')} deletes its rows by cascade (${shownPath.join(' -> ')}).`,
            fk: foreignKeyRef(history, fk),
          });
        }
      });
    }
    return findings;
  },
};
