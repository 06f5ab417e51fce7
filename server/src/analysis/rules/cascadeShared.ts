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

/**
 * The nodes from the root's child down to the shallowest node that deletes rows of `table` (of equally shallow
 * ones, the first in tree order), or undefined when no cascade reaches it. One breadth-first walk per reach
 * finds the first deleting node of every table at once (kept per reach), instead of a search per table.
 */
export function deletePathTo(reach: Reach, table: Table): ReachNode[] | undefined {
  let index = firstDeletes.get(reach);
  if (!index) firstDeletes.set(reach, (index = indexFirstDeletes(reach)));
  let node = index.first.get(table);
  if (!node) return undefined;
  const path: ReachNode[] = [];
  for (; node; node = index.parent.get(node)) path.push(node);
  return path.reverse();
}

const firstDeletes = new WeakMap<Reach, { first: Map<Table, ReachNode>; parent: Map<ReachNode, ReachNode> }>();

function indexFirstDeletes(reach: Reach): { first: Map<Table, ReachNode>; parent: Map<ReachNode, ReachNode> } {
  const first = new Map<Table, ReachNode>();
  const parent = new Map<ReachNode, ReachNode>();
  // Breadth first: depth by depth, and inside a depth in the order of the paths, so the first node met for a
  // table is the one a depth-first search that keeps the shortest match would keep.
  const queue: ReachNode[] = [...reach.children];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    if (node.effect === 'delete' && !first.has(node.table)) first.set(node.table, node);
    for (const child of node.children) {
      parent.set(child, node);
      queue.push(child);
    }
  }
  return { first, parent };
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
