/** `cascade-depth`: a DELETE of one table cascades deeper than `maxDepth` levels or into more than `maxTables` tables. */
import { foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';
import { cascadeReaches, deepestPath, onDeleteSpan, pathLabel } from './cascadeShared';

export const cascadeDepth: Rule = {
  id: 'cascade-depth',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Deep or wide cascading delete',
  description:
    'Deleting one row of the table cascades through more than `maxDepth` levels of ON DELETE CASCADE, or into more than `maxTables` tables. One innocent-looking DELETE then removes rows from many tables, holds row locks on all of them, and fires a trigger per deleted row; it is also the easiest way to lose data by mistake.',
  options: {
    maxDepth: { type: 'integer', default: 3, minimum: 1, description: 'Report a delete that cascades through more levels than this.' },
    maxTables: { type: 'integer', default: 10, minimum: 1, description: 'Report a delete that cascades into more tables than this.' },
  },
  check({ histories, options }) {
    const maxDepth = Number(options.maxDepth);
    const maxTables = Number(options.maxTables);
    const findings: Finding[] = [];
    for (const history of histories) {
      for (const reach of cascadeReaches(history)) {
        const tables = reach.deletes.length;
        if (reach.depth <= maxDepth && tables <= maxTables) continue;
        const path = deepestPath(reach);
        if (!path.length) continue;
        const first = path[0].via;
        const reasons = [
          reach.depth > maxDepth ? `${reach.depth} levels deep (more than ${maxDepth})` : '',
          tables > maxTables ? `into ${tables} tables (more than ${maxTables})` : '',
        ].filter(Boolean);
        findings.push({
          rule: 'cascade-depth',
          file: first.location.file,
          span: onDeleteSpan(first),
          message:
            `Deleting a row of ${tableLabel(reach.root)} cascades ${reasons.join(' and ')}: ${pathLabel(reach.root, path)} (${reach.depth} level${reach.depth === 1 ? '' : 's'}` +
            `${tables > path.length ? `, ${tables} tables in all` : ''}).`,
          related: path.slice(1).map((n) => ({ file: n.via.location.file, span: onDeleteSpan(n.via), message: `then ${tableLabel(n.table)} (level ${n.depth})` })),
          fk: foreignKeyRef(history, first),
        });
      }
    }
    return findings;
  },
};
