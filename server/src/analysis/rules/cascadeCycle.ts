/** `cascade-cycle`: ON DELETE CASCADE foreign keys that form a cycle (self-reference: info; several tables: warning, one finding per cycle group). */
import type { ForeignKey } from '../../model/schema';
import { byCreation, type CascadeGraph } from '../reach';
import { foreignKeyRef, tableLabel, type Finding, type Rule } from '../rule';
import { cascadeSummary, count, MAX_RELATED, onDeleteSpan } from './cascadeShared';

/** A cycle longer than this is shown by its first and last tables. */
const SHOWN_TABLES = 8;

export const cascadeCycle: Rule = {
  id: 'cascade-cycle',
  perHistory: true,
  defaultSeverity: 'warning',
  title: 'Cycle of cascading deletes',
  description:
    'ON DELETE CASCADE foreign keys form a cycle. A table referencing itself (a tree: comments and their replies) is common and reported as info: deleting a node deletes its whole subtree. A cycle through several tables (warning) means deleting a row of any of them can come back around and delete rows of the table the DELETE started from, and rows can only be inserted with deferred constraints. Tables whose cascades lead into one another are reported once, as one group.',
  check({ histories }) {
    const findings: Finding[] = [];
    for (const history of histories) {
      const { graph: g, components, componentOf } = cascadeSummary(history);
      const label = (id: number) => tableLabel(history.tableById.get(id));
      // Self-references: one info each.
      for (let k = 0; k < g.delFk.length; k++) {
        const fk = g.delFk[k];
        if (fk.tableId !== fk.refTableId) continue;
        findings.push({
          rule: 'cascade-cycle',
          file: fk.location.file,
          span: onDeleteSpan(fk),
          severity: 'info',
          message: `${label(fk.tableId)} references itself with ON DELETE CASCADE (${fk.name}): deleting a row deletes every row below it, however deep the tree.`,
          fk: foreignKeyRef(history, fk),
        });
      }
      // Cycles through several tables: one warning per group, on the FK created last (the one that closed it).
      components.forEach((component, c) => {
        const inside: ForeignKey[] = [];
        for (const p of component.tables)
          for (let k = g.delStart[p]; k < g.delStart[p + 1]; k++) if (componentOf[g.delChild[k]] === c && g.delChild[k] !== p) inside.push(g.delFk[k]);
        const at = inside.reduce((a, b) => (byCreation(a, b) >= 0 ? a : b));
        const cycle = cycleThrough(g, at, componentOf, c);
        const tables = cycle.map((fk) => label(fk.refTableId));
        tables.push(tables[0]);
        const loop =
          tables.length <= SHOWN_TABLES + 1
            ? tables.join(' -> ')
            : [...tables.slice(0, SHOWN_TABLES - 3), `… (${count(tables.length - SHOWN_TABLES)} more)`, ...tables.slice(-3)].join(' -> ');
        const group = component.tables.length > cycle.length ? ` It is part of a group of ${count(component.tables.length)} tables whose deletes cascade into one another (${count(inside.length)} foreign keys).` : '';
        findings.push({
          rule: 'cascade-cycle',
          file: at.location.file,
          span: onDeleteSpan(at),
          message: `ON DELETE CASCADE foreign keys form a cycle through ${count(cycle.length)} tables: ${loop}. Deleting a row of any of them can cascade back to the table the DELETE started from.${group}`,
          related: cycle
            .filter((fk) => fk !== at)
            .slice(0, MAX_RELATED)
            .map((fk) => ({ file: fk.location.file, span: onDeleteSpan(fk), message: `${label(fk.tableId)} -> ${label(fk.refTableId)} (${fk.name})` })),
          fk: foreignKeyRef(history, at),
        });
      });
    }
    return findings;
  },
};

/**
 * The shortest cycle through `at` inside its group, in delete order: `at` (its parent's deletes cascade into its
 * table), then the FKs back from its table to its parent. Breadth first from at's table, inside the group.
 */
function cycleThrough(g: CascadeGraph, at: ForeignKey, componentOf: Int32Array, c: number): ForeignKey[] {
  const start = g.index.get(at.tableId)!;
  const goal = g.index.get(at.refTableId)!;
  const via = new Map<number, number>([[start, -1]]);
  const queue = [start];
  for (let head = 0; head < queue.length && !via.has(goal); head++) {
    const p = queue[head];
    for (let k = g.delStart[p]; k < g.delStart[p + 1]; k++) {
      const child = g.delChild[k];
      if (componentOf[child] !== c || via.has(child)) continue;
      via.set(child, k);
      queue.push(child);
    }
  }
  const back: ForeignKey[] = [];
  for (let t = goal; t !== start; ) {
    const k = via.get(t)!;
    back.push(g.delFk[k]);
    t = g.index.get(g.delFk[k].refTableId)!;
  }
  return [at, ...back.reverse()];
}
