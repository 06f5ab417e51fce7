/**
 * Cascade reach: what one DELETE (or key UPDATE) of a table's rows does to the rest of the database, by
 * following the foreign keys that point at it the way PostgreSQL's referential-integrity triggers do.
 *
 * - ON DELETE CASCADE deletes the child rows, whose own children are then handled the same way;
 *   ON UPDATE CASCADE rewrites the child's FK columns, which matters further only for FKs that reference
 *   exactly those columns.
 * - SET NULL / SET DEFAULT rewrite the child's columns (`SET NULL (cols)` only the listed ones) and stop there.
 * - RESTRICT / NO ACTION make the statement fail when a child row still points at a removed key: RESTRICT at
 *   once, NO ACTION at the end of the statement (at commit when DEFERRABLE INITIALLY DEFERRED).
 *
 * The tree is built breadth first, so every table is expanded at its shallowest occurrence; later occurrences
 * are marked `repeated` (or `cycle` when the table is an ancestor on the path) and not expanded again.
 * Pure: model in, plain data out.
 */
import type { HistoryModel } from '../model/replay';
import type { FkAction, ForeignKey, Table } from '../model/schema';

export type ReachOperation = 'DELETE' | 'UPDATE';
/** What the operation does to the rows of a reached table. */
export type ReachEffect = 'delete' | 'update' | 'set-null' | 'set-default' | 'blocked';

export interface ReachNode {
  /** The child table reached. */
  table: Table;
  effect: ReachEffect;
  /** The FK of `table` that points at the parent node's table. */
  via: ForeignKey;
  /** Columns set to NULL / DEFAULT (honours `SET NULL (cols)`), else the FK's columns. */
  columns: string[];
  /** 1 for the root's direct children. */
  depth: number;
  /** Only 'delete' / 'update' nodes have children. */
  children: ReachNode[];
  /** The table is already on the path from the root: not expanded again. */
  cycle?: boolean;
  /** The table was already expanded elsewhere in the tree: not expanded again. */
  repeated?: boolean;
  /** The table is both deleted by a cascade and blocked / set null / set default through another FK. */
  conflict?: boolean;
}

export interface ReachEntry {
  table: Table;
  depth: number;
  via: ForeignKey;
  columns: string[];
}

export interface BlockingEntry extends ReachEntry {
  action: 'RESTRICT' | 'NO ACTION';
  /** When PostgreSQL checks it. */
  checkedAt: 'immediately' | 'end of statement' | 'commit';
}

export interface ReachConflict {
  table: Table;
  /** The CASCADE FKs through which the table's rows are deleted. */
  cascades: ForeignKey[];
  /** The FKs through which the same table blocks the statement or has columns rewritten. */
  others: ForeignKey[];
}

export interface Reach {
  root: Table;
  operation: ReachOperation;
  /** The tree. */
  children: ReachNode[];
  /** Every distinct table cascading deletes reach (not the root itself), shallowest first. */
  deletes: ReachEntry[];
  /** UPDATE: tables whose FK columns ON UPDATE CASCADE rewrites. */
  updates: ReachEntry[];
  setsNull: ReachEntry[];
  setsDefault: ReachEntry[];
  /** RESTRICT / NO ACTION FKs whose child table is not itself deleted by the cascade. */
  blockedBy: BlockingEntry[];
  conflicts: ReachConflict[];
  /** CASCADE cycles met while walking (a self-reference is a cycle of length 1), each in path order. */
  cycles: ForeignKey[][];
  /** Deepest cascade level (0 when nothing cascades). */
  depth: number;
  /** `maxNodes` was hit: the tree and lists are incomplete. */
  truncated: boolean;
}

export interface ReachOptions {
  /** Stop building the tree after this many nodes (default 5000). */
  maxNodes?: number;
}

const DEFAULT_MAX_NODES = 5000;

/** FKs pointing at each table, per model (models are immutable once built). */
const incomingCache = new WeakMap<HistoryModel, Map<number, ForeignKey[]>>();

function incomingIndex(model: HistoryModel): Map<number, ForeignKey[]> {
  let index = incomingCache.get(model);
  if (!index) {
    index = new Map();
    for (const fk of model.foreignKeys) {
      let list = index.get(fk.refTableId);
      if (!list) index.set(fk.refTableId, (list = []));
      list.push(fk);
    }
    incomingCache.set(model, index);
  }
  return index;
}

/** Every FK of the model that points at `tableId` (its children's FKs, self-references included). */
export function referencingForeignKeys(model: HistoryModel, tableId: number): ForeignKey[] {
  return incomingIndex(model).get(tableId) ?? [];
}

interface Pending {
  node: ReachNode | undefined;
  tableId: number;
  /** UPDATE only: the columns of this table whose values change (undefined: the root, any key). */
  changed?: string[];
  parent?: Pending;
  via?: ForeignKey;
}

export function computeReach(model: HistoryModel, tableId: number, operation: ReachOperation, options: ReachOptions = {}): Reach {
  const root = model.tableById.get(tableId);
  if (!root) throw new Error(`computeReach: no table with id ${tableId}`);
  const maxNodes = Math.max(1, options.maxNodes ?? DEFAULT_MAX_NODES);
  const incoming = incomingIndex(model);
  const reach: Reach = {
    root,
    operation,
    children: [],
    deletes: [],
    updates: [],
    setsNull: [],
    setsDefault: [],
    blockedBy: [],
    conflicts: [],
    cycles: [],
    depth: 0,
    truncated: false,
  };

  const expanded = new Set<number>([tableId]);
  const queue: Pending[] = [{ node: undefined, tableId }];
  const all: ReachNode[] = [];
  let count = 0;

  for (let head = 0; head < queue.length; head++) {
    const item = queue[head];
    const depth = (item.node?.depth ?? 0) + 1;
    const target = item.node ? item.node.children : reach.children;
    for (const fk of incoming.get(item.tableId) ?? []) {
      if (!fk.enforced) continue;
      // A key UPDATE reaches an FK only when it references columns whose values change.
      if (operation === 'UPDATE' && item.changed && !fk.refColumns.some((c) => item.changed!.includes(c))) continue;
      const table = model.tableById.get(fk.tableId);
      if (!table) continue;
      if (count >= maxNodes) {
        reach.truncated = true;
        break;
      }
      const action: FkAction = operation === 'DELETE' ? fk.onDelete : fk.onUpdate;
      const effect = effectOf(action, operation);
      const columns =
        (effect === 'set-null' || effect === 'set-default') && operation === 'DELETE' && fk.setColumns ? fk.setColumns : fk.columns;
      const node: ReachNode = { table, effect, via: fk, columns, depth, children: [] };
      target.push(node);
      all.push(node);
      count++;
      if (effect !== 'delete' && effect !== 'update') continue;
      reach.depth = Math.max(reach.depth, depth);
      const pending: Pending = { node, tableId: table.id, changed: operation === 'UPDATE' ? fk.columns : undefined, parent: item, via: fk };
      const cycle = cyclePath(pending);
      if (cycle) {
        node.cycle = true;
        reach.cycles.push(cycle);
        continue;
      }
      if (expanded.has(table.id) && operation === 'DELETE') {
        node.repeated = true;
        continue;
      }
      expanded.add(table.id);
      queue.push(pending);
    }
    if (reach.truncated) break;
  }

  collect(reach, all, tableId);
  return reach;
}

function effectOf(action: FkAction, operation: ReachOperation): ReachEffect {
  switch (action) {
    case 'CASCADE':
      return operation === 'DELETE' ? 'delete' : 'update';
    case 'SET NULL':
      return 'set-null';
    case 'SET DEFAULT':
      return 'set-default';
    default:
      return 'blocked';
  }
}

/** When the table of `p` is already on its path from the root: the FKs of the loop, in path order. */
function cyclePath(p: Pending): ForeignKey[] | undefined {
  const fks: ForeignKey[] = [p.via!];
  for (let a = p.parent; a; a = a.parent) {
    if (a.tableId === p.tableId) return fks.reverse();
    if (!a.via) break;
    fks.push(a.via);
  }
  return undefined;
}

function collect(reach: Reach, all: ReachNode[], rootId: number): void {
  const deleted = new Map<number, ReachEntry>();
  const updated = new Map<number, ReachEntry>();
  const entry = (n: ReachNode): ReachEntry => ({ table: n.table, depth: n.depth, via: n.via, columns: n.columns });
  // `all` is in breadth-first order, so the first entry of a table is its shallowest.
  for (const n of all) {
    if (n.effect === 'delete' && n.table.id !== rootId && !deleted.has(n.table.id)) deleted.set(n.table.id, entry(n));
    if (n.effect === 'update' && !updated.has(n.table.id)) updated.set(n.table.id, entry(n));
  }
  reach.deletes = [...deleted.values()];
  reach.updates = [...updated.values()];

  const seen = new Set<ForeignKey>();
  for (const n of all) {
    if (seen.has(n.via)) continue;
    seen.add(n.via);
    if (n.effect === 'set-null') reach.setsNull.push(entry(n));
    else if (n.effect === 'set-default') reach.setsDefault.push(entry(n));
    else if (n.effect === 'blocked' && !deleted.has(n.table.id)) {
      const fk = n.via;
      const action = reach.operation === 'DELETE' ? fk.onDelete : fk.onUpdate;
      reach.blockedBy.push({
        ...entry(n),
        action: action === 'RESTRICT' ? 'RESTRICT' : 'NO ACTION',
        checkedAt: action === 'RESTRICT' ? 'immediately' : fk.deferrable && fk.initiallyDeferred ? 'commit' : 'end of statement',
      });
    }
  }

  // A table deleted by a cascade and, through another FK, blocked or rewritten: the outcome depends on the
  // order in which PostgreSQL fires the triggers.
  if (reach.operation === 'DELETE') {
    const byTable = new Map<number, ReachNode[]>();
    for (const n of all) {
      let list = byTable.get(n.table.id);
      if (!list) byTable.set(n.table.id, (list = []));
      list.push(n);
    }
    for (const nodes of byTable.values()) {
      const cascades = unique(nodes.filter((n) => n.effect === 'delete').map((n) => n.via));
      const others = unique(nodes.filter((n) => n.effect !== 'delete').map((n) => n.via));
      if (!cascades.length || !others.length) continue;
      for (const n of nodes) n.conflict = true;
      reach.conflicts.push({ table: nodes[0].table, cascades, others });
    }
  }
}

function unique<T>(list: T[]): T[] {
  return [...new Set(list)];
}
