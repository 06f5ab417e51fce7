/** What the four cascade rules share: DELETE reaches from every table a cascade starts at, and paths in them. */
import type { HistoryModel } from '../../model/replay';
import type { ForeignKey, Table } from '../../model/schema';
import { computeReach, type Reach, type ReachNode } from '../reach';
import { tableLabel } from '../rule';

const cache = new WeakMap<HistoryModel, Reach[]>();

/** The DELETE reach of every table some ON DELETE CASCADE points at (models are immutable: cached per model). */
export function cascadeReaches(history: HistoryModel): Reach[] {
  let reaches = cache.get(history);
  if (!reaches) {
    const roots = new Set<number>();
    for (const fk of history.foreignKeys) if (fk.enforced && fk.onDelete === 'CASCADE' && history.tableById.has(fk.refTableId)) roots.add(fk.refTableId);
    reaches = [...roots].map((id) => computeReach(history, id, 'DELETE'));
    cache.set(history, reaches);
  }
  return reaches;
}

/** The nodes from the root's child down to the first node that satisfies `match` (depth first, shallowest found kept). */
export function pathTo(reach: Reach, match: (node: ReachNode) => boolean): ReachNode[] | undefined {
  let best: ReachNode[] | undefined;
  const walk = (nodes: ReachNode[], path: ReachNode[]) => {
    for (const node of nodes) {
      const here = [...path, node];
      if (match(node) && (!best || here.length < best.length)) best = here;
      if (!best || here.length < best.length) walk(node.children, here);
    }
  };
  walk(reach.children, []);
  return best;
}

/** The deepest chain of cascading deletes. */
export function deepestPath(reach: Reach): ReachNode[] {
  let best: ReachNode[] = [];
  const walk = (nodes: ReachNode[], path: ReachNode[]) => {
    for (const node of nodes) {
      if (node.effect !== 'delete') continue;
      const here = [...path, node];
      if (here.length > best.length) best = here;
      walk(node.children, here);
    }
  };
  walk(reach.children, []);
  return best;
}

/** `users -> orders -> order_items`. */
export function pathLabel(root: Table, path: ReachNode[]): string {
  return [root, ...path.map((n) => n.table)].map(tableLabel).join(' -> ');
}

/** Where a finding about a cascading FK points: its ON DELETE clause when written. */
export function onDeleteSpan(fk: ForeignKey) {
  return fk.location.onDeleteSpan ?? fk.location.span;
}
