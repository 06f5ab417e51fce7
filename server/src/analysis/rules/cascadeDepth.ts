/** `cascade-depth`: a DELETE of one table cascades deeper than `maxDepth` levels or into more than `maxTables` tables. */
import { cascadeGraph } from '../reach';
import { foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';
import { cappedPathLabel, cascadeSummary, count, listed, MAX_RELATED, onDeleteSpan, type RootSummary } from './cascadeShared';

export const cascadeDepth: Rule = {
  id: 'cascade-depth',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Deep or wide cascading delete',
  description:
    'Deleting one row of the table cascades through more than `maxDepth` levels of ON DELETE CASCADE, or into more than `maxTables` tables. One innocent-looking DELETE then removes rows from many tables, holds row locks on all of them, and fires a trigger per deleted row; it is also the easiest way to lose data by mistake. Tables whose deletes cascade into one another (a cycle) are reported once, together.',
  options: {
    maxDepth: { type: 'integer', default: 3, minimum: 1, description: 'Report a delete that cascades through more levels than this.' },
    maxTables: { type: 'integer', default: 10, minimum: 1, description: 'Report a delete that cascades into more tables than this.' },
  },
  check({ histories, options }) {
    const maxDepth = Number(options.maxDepth);
    const maxTables = Number(options.maxTables);
    const findings: Finding[] = [];
    for (const history of histories) {
      const { roots } = cascadeSummary(history);
      const exceeds = (r: RootSummary) => r.path.length > 0 && (r.depth > maxDepth || r.tables > maxTables);
      // Tables on one cascade cycle reach the same tables: one finding for the group, on its first table.
      const others = new Map<number, RootSummary[]>();
      for (const r of roots) if (r.component !== undefined && exceeds(r)) others.set(r.component, [...(others.get(r.component) ?? []), r]);
      for (const r of roots) {
        if (!exceeds(r)) continue;
        const group = r.component !== undefined ? others.get(r.component)! : [r];
        if (group[0] !== r) continue;
        const first = r.path.head[0];
        const reasons = [
          r.depth > maxDepth ? `${count(r.depth)} levels deep (more than ${maxDepth})` : '',
          r.tables > maxTables ? `into ${count(r.tables)} tables (more than ${maxTables})` : '',
        ].filter(Boolean);
        const rest = group.slice(1);
        const also = rest.length
          ? ` Deleting a row of any of the ${count(rest.length)} other tables on its cascade cycle (${listed(rest.map((o) => tableLabel(o.root)))}) reaches as many tables.`
          : '';
        findings.push({
          rule: 'cascade-depth',
          file: first.location.file,
          span: onDeleteSpan(first),
          message:
            r.depth > maxDepth
              ? `Deleting a row of ${tableLabel(r.root)} cascades ${reasons.join(' and ')}: ${cappedPathLabel(history, r.root, r.path)} (${count(r.depth)} level${r.depth === 1 ? '' : 's'}` +
                `${r.tables > r.path.length ? `, ${count(r.tables)} tables in all` : ''}).${also}`
              : // Wide rather than deep: the tables it deletes directly say more than its deepest chain.
                `Deleting a row of ${tableLabel(r.root)} cascades ${reasons.join(' and ')}, at most ${count(r.depth)} level${r.depth === 1 ? '' : 's'} down; directly into ${directCascades(history, r.root)}.${also}`,
          related: [...r.path.head.slice(1).map((fk, i) => ({ fk, level: i + 2 })), ...r.path.tail.map((fk, i) => ({ fk, level: r.path.length - r.path.tail.length + i + 1 }))]
            .slice(0, MAX_RELATED)
            .map(({ fk, level }) => ({ file: fk.location.file, span: onDeleteSpan(fk), message: `then ${tableLabel(history.tableById.get(fk.tableId))} (level ${level})` })),
          fk: foreignKeyRef(history, first),
        });
      }
    }
    return findings;
  },
};

/** The tables whose rows a DELETE of `root` deletes directly (ON DELETE CASCADE FKs pointing at it), listed with "and N more". */
function directCascades(history: Parameters<typeof cascadeGraph>[0], root: RootSummary['root']): string {
  const g = cascadeGraph(history);
  const p = g.index.get(root.id);
  if (p === undefined) return 'no table';
  const names = new Set<string>();
  for (let k = g.delStart[p]; k < g.delStart[p + 1]; k++) if (g.delChild[k] !== p) names.add(tableLabel(g.tables[g.delChild[k]]));
  return listed([...names], names.size);
}
