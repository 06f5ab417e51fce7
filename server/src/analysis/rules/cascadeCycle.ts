/** `cascade-cycle`: ON DELETE CASCADE foreign keys that form a cycle (self-reference: info; several tables: warning). */
import type { ForeignKey } from '../../model/schema';
import { foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';
import { cascadeReaches, onDeleteSpan } from './cascadeShared';

export const cascadeCycle: Rule = {
  id: 'cascade-cycle',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Cycle of cascading deletes',
  description:
    'ON DELETE CASCADE foreign keys form a cycle. A table referencing itself (a tree: comments and their replies) is common and reported as info: deleting a node deletes its whole subtree. A cycle through several tables (warning) means deleting a row of any of them can come back around and delete rows of the table the DELETE started from, and rows can only be inserted with deferred constraints.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      const seen = new Set<string>();
      for (const reach of cascadeReaches(history)) {
        for (const cycle of reach.cycles) {
          if (cycle.some((fk) => fk.onDelete !== 'CASCADE')) continue;
          const key = cycle.map((fk) => `${fk.tableId}:${fk.name}`).sort().join('|');
          if (seen.has(key)) continue;
          seen.add(key);
          const ordered = [...cycle].sort((a, b) => a.step - b.step || (a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : 0) || a.location.span.start - b.location.span.start);
          const at = ordered[ordered.length - 1]; // the FK that closed the cycle
          const self = cycle.length === 1;
          const label = (fk: ForeignKey) => tableLabel(history.tableById.get(fk.tableId));
          const loop = [...cycle.map((fk) => tableLabel(history.tableById.get(fk.refTableId))), tableLabel(history.tableById.get(cycle[cycle.length - 1].tableId))].join(' -> ');
          findings.push({
            rule: 'cascade-cycle',
            file: at.location.file,
            span: onDeleteSpan(at),
            severity: self ? 'info' : 'warning',
            message: self
              ? `${label(at)} references itself with ON DELETE CASCADE (${at.name}): deleting a row deletes every row below it, however deep the tree.`
              : `ON DELETE CASCADE foreign keys form a cycle through ${cycle.length} tables: ${loop}. Deleting a row of any of them can cascade back to the table the DELETE started from.`,
            related: cycle.filter((fk) => fk !== at).map((fk) => ({ file: fk.location.file, span: onDeleteSpan(fk), message: `${label(fk)} -> ${tableLabel(history.tableById.get(fk.refTableId))} (${fk.name})` })),
            fk: foreignKeyRef(history, at),
          });
        }
      }
    }
    return findings;
  },
};
