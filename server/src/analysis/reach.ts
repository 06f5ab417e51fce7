/**
 * Cascade reach: what one DELETE (or key UPDATE) of a table's rows does to the rest of the database, by
 * following the foreign keys that point at it the way PostgreSQL's referential-integrity triggers do.
 *
 * How PostgreSQL runs them (each point is shown by a real PostgreSQL in test/pg/reach.test.ts and
 * test/pg/cascade-order.test.ts):
 * - Every FK puts AFTER ROW triggers on its parent table (`RI_ConstraintTrigger_a_<oid>`). Deleting a parent row
 *   queues one event per trigger, in trigger-name order, which is the order the constraints were created. The
 *   events run at the end of the statement. A cascade's own DELETE / UPDATE queues the child rows' events behind
 *   the ones already waiting, so the queue runs level by level: level 1 acts on the rows the statement
 *   deleted, level 2 on the rows level 1 deleted, and so on; inside a level, in the order the rows were deleted
 *   and, for one row, in constraint creation order.
 * - ON DELETE CASCADE deletes the child rows; ON UPDATE CASCADE rewrites the child's FK columns, which matters
 *   further only for FKs that reference exactly those columns. SET NULL / SET DEFAULT rewrite the child's
 *   columns (`SET NULL (cols)` only the listed ones) and stop there.
 * - RESTRICT and NO ACTION are both checked by their trigger, in that queue, at the end of the statement: the
 *   statement fails when a child row still points at a removed key at that moment. RESTRICT cannot be
 *   deferred; NO ACTION DEFERRABLE INITIALLY DEFERRED is checked at commit. (NO ACTION also passes when another
 *   row has taken over the old key by then, which only a key UPDATE can do.)
 *
 * So when one DELETE both deletes a table's rows by cascade (at level d) and checks or rewrites the same rows
 * through another FK (at level c), the level order decides: c > d, the rows are gone and nothing happens;
 * c < d, the check fails (the rewrite happens, then the rows go); c = d, the trigger order decides: a
 * *conflict* when the two orders give different results. This reasons about rows that all belong to the
 * deleted row (every FK of a reached row points at rows the same DELETE removes), which is what one tenant's or
 * one user's data looks like; it is exactly what test/pg/reach.test.ts checks with one row per table.
 *
 * For MySQL and SQLite histories the tree and the lists are the same, but the timing is not modelled (their
 * engines check row by row): nodes on tables the cascade also deletes carry no `timing`.
 *
 * Every walk here is iterative and linear in the tables and FKs reached (no recursion on the JS stack, however
 * deep the chain); the tree built for display is capped (`maxNodes`), the lists are complete. Pure: model in,
 * plain data out.
 */
import type { HistoryModel } from '../model/replay';
import { hasDefault, type FkAction, type ForeignKey, type Table } from '../model/schema';

export type ReachOperation = 'DELETE' | 'UPDATE';
/** What the operation does to the rows of a reached table. */
export type ReachEffect = 'delete' | 'update' | 'set-null' | 'set-default' | 'blocked';

/**
 * What a blocking (RESTRICT / NO ACTION) or rewriting (SET NULL / SET DEFAULT) node of a DELETE comes to, given
 * when the same DELETE deletes the child table's rows by cascade:
 * - `applies`: the cascade does not delete them: the check blocks the statement when such rows exist, the
 *   columns are rewritten;
 * - `after-delete`: the cascade deletes them at an earlier level (or, for a check deferred to commit, at any
 *   level): the check finds nothing, the UPDATE touches nothing;
 * - `before-delete`: they are deleted only at a later level: the check still finds them and fails, the columns
 *   are rewritten and the rows deleted afterwards;
 * - `same-level`: both happen at the same level and the trigger order decides; `conflict` is set when the two
 *   orders give different results (a check; a rewrite to NULL of a NOT NULL column).
 */
export type ReachTiming = 'applies' | 'after-delete' | 'before-delete' | 'same-level';

export interface ReachNode {
  /** The child table reached. */
  table: Table;
  effect: ReachEffect;
  /** The FK of `table` that points at the parent node's table. */
  via: ForeignKey;
  /** Columns set to NULL / DEFAULT (honours `SET NULL (cols)`), else the FK's columns. */
  columns: string[];
  /** The level of the trigger queue at which this happens: 1 for the root's direct children. */
  depth: number;
  /** Only expanded 'delete' / 'update' nodes have children. */
  children: ReachNode[];
  /** The table is already on the path from the root: not expanded again. */
  cycle?: boolean;
  /** The table was already reached elsewhere (at this level or a shallower one): not expanded again. */
  repeated?: boolean;
  /** Blocked / set-null / set-default nodes of a DELETE in a PostgreSQL history (see ReachTiming). */
  timing?: ReachTiming;
  /** The level at which the same DELETE deletes `table`'s rows by cascade, when it does. */
  deletedAt?: number;
  /** The outcome depends on the order PostgreSQL fires the triggers (`timing` is 'same-level'): see `Reach.conflicts`. */
  conflict?: boolean;
  /** Blocked nodes: when the engine checks the FK (see BlockingEntry.checkedAt). */
  checkedAt?: BlockingEntry['checkedAt'];
}

export interface ReachEntry {
  table: Table;
  depth: number;
  via: ForeignKey;
  columns: string[];
}

export interface BlockingEntry extends ReachEntry {
  action: 'RESTRICT' | 'NO ACTION';
  /**
   * When the engine checks it. PostgreSQL: RESTRICT and NO ACTION at the end of the statement (RESTRICT cannot be
   * deferred), NO ACTION DEFERRABLE INITIALLY DEFERRED at commit. MySQL (InnoDB) checks both row by row, at once;
   * SQLite checks RESTRICT at once and NO ACTION at the end of the statement (at commit when deferred).
   */
  checkedAt: 'immediately' | 'end of statement' | 'commit';
  /** The cascade deletes the same table's rows too, but only at this (later) level, after the check. */
  deletedAt?: number;
}

/** One DELETE whose outcome depends on the order PostgreSQL fires two triggers. */
export interface ReachConflict {
  /** The table whose rows are both deleted by cascade and checked / rewritten, at the same level. */
  table: Table;
  /** That level. */
  level: number;
  /** The CASCADE FK of `table` whose trigger deletes the rows first (its parent's rows go at level - 1). */
  cascade: ForeignKey;
  /** The FK of `table` that checks the same rows (RESTRICT / NO ACTION) or sets a NOT NULL column to NULL. */
  other: ForeignKey;
  /**
   * The two FKs whose triggers, on the rows of one table, fire in creation order and so decide which of the two
   * runs first: [the one leading to `cascade`, the one leading to `other`]. They are `cascade` and `other`
   * themselves when both point at the same table.
   */
  decidedBy: [ForeignKey, ForeignKey];
  /** Which runs first with the constraints created in this history's order. */
  firstInHistory: 'cascade' | 'other';
  /** What happens when `other` runs first: a foreign-key violation (check) or a not-null violation (rewrite). */
  failure: 'foreign-key' | 'not-null';
}

export interface Reach {
  root: Table;
  operation: ReachOperation;
  /** The tree (built on first use, at most `maxNodes` nodes). */
  readonly children: ReachNode[];
  /** Every distinct table cascading deletes reach (not the root itself), in the order PostgreSQL deletes them. */
  deletes: ReachEntry[];
  /** UPDATE: tables whose FK columns ON UPDATE CASCADE rewrites. */
  updates: ReachEntry[];
  /** Columns set to NULL in rows that remain (rows the cascade deletes anyway are not counted). */
  setsNull: ReachEntry[];
  setsDefault: ReachEntry[];
  /** RESTRICT / NO ACTION FKs that make the statement fail when such child rows exist: timing 'applies' or 'before-delete'. */
  blockedBy: BlockingEntry[];
  /** Outcomes that depend on trigger order (DELETE in a PostgreSQL history). */
  conflicts: ReachConflict[];
  /** CASCADE cycles met while walking (a self-reference is a cycle of length 1), each in path order; at most MAX_CYCLES. */
  cycles: ForeignKey[][];
  /** How many cycles were met (`cycles` lists the first MAX_CYCLES). */
  cycleCount: number;
  /** Deepest level at which rows are deleted / updated (0 when nothing cascades). */
  depth: number;
  /** The tree was cut at `maxNodes` nodes (the lists and counts are complete). */
  truncated: boolean;
}

export interface ReachOptions {
  /** Stop building the tree after this many nodes (default 5000). */
  maxNodes?: number;
}

const DEFAULT_MAX_NODES = 5000;
export const MAX_CYCLES = 20;

// ---------------------------------------------------------------------------------------------------------
// The FK graph of a model, built once per model (models are immutable once built)

/** The order in which PostgreSQL fires the RI triggers on one table: trigger names carry the OID, i.e. constraint creation order. */
export function byCreation(a: ForeignKey, b: ForeignKey): number {
  return a.step - b.step || (a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : 0) || a.location.span.start - b.location.span.start;
}

export interface CascadeEdge {
  fk: ForeignKey;
  /** Dense index of the child table (fk.tableId). */
  child: number;
  /** Dense index of the parent table (fk.refTableId). */
  parent: number;
}

export interface CascadeGraph {
  model: HistoryModel;
  /** Tables by dense index (model order, i.e. creation order). */
  tables: Table[];
  index: Map<number, number>;
  /** Per parent: the enforced FKs pointing at it whose child exists, in trigger firing order. */
  incoming: CascadeEdge[][];
  /** ON DELETE CASCADE edges per parent, in firing order, as flat arrays: parent p's are delStart[p] .. delStart[p+1]. */
  delStart: Int32Array;
  delChild: Int32Array;
  /** The parent (dense index) of each ON DELETE CASCADE edge. */
  delParent: Int32Array;
  delFk: ForeignKey[];
  /** Position of each FK among its parent's triggers (incoming order). */
  position: Map<ForeignKey, number>;
  /**
   * Per child table: its own FKs that can conflict with a cascade deleting its rows: RESTRICT / NO ACTION checked
   * at the end of the statement, SET NULL / SET DEFAULT that write NULL into a NOT NULL column.
   */
  checks: CascadeEdge[][];
  /** The history's timing is PostgreSQL's (see the file comment). */
  postgres: boolean;
}

const graphs = new WeakMap<HistoryModel, CascadeGraph>();

export function cascadeGraph(model: HistoryModel): CascadeGraph {
  let g = graphs.get(model);
  if (g) return g;
  const tables = model.tables;
  const index = new Map<number, number>();
  tables.forEach((t, i) => index.set(t.id, i));
  const incoming: CascadeEdge[][] = tables.map(() => []);
  const checks: CascadeEdge[][] = tables.map(() => []);
  for (const fk of model.foreignKeys) {
    if (!fk.enforced) continue;
    const child = index.get(fk.tableId);
    const parent = index.get(fk.refTableId);
    if (child === undefined || parent === undefined) continue;
    const edge = { fk, child, parent };
    incoming[parent].push(edge);
    if (canConflict(fk, tables[child])) checks[child].push(edge);
  }
  const position = new Map<ForeignKey, number>();
  let cascades = 0;
  for (const list of incoming) {
    list.sort((a, b) => byCreation(a.fk, b.fk));
    list.forEach((e, i) => {
      position.set(e.fk, i);
      if (e.fk.onDelete === 'CASCADE') cascades++;
    });
  }
  const delStart = new Int32Array(tables.length + 1);
  const delChild = new Int32Array(cascades);
  const delParent = new Int32Array(cascades);
  const delFk: ForeignKey[] = new Array(cascades);
  let k = 0;
  for (let p = 0; p < tables.length; p++) {
    delStart[p] = k;
    for (const e of incoming[p]) if (e.fk.onDelete === 'CASCADE') (delChild[k] = e.child), (delParent[k] = p), (delFk[k++] = e.fk);
  }
  delStart[tables.length] = k;
  const dialect = model.history.dialect ?? 'postgres';
  g = { model, tables, index, incoming, delStart, delChild, delParent, delFk, position, checks, postgres: dialect === 'postgres' };
  graphs.set(model, g);
  return g;
}

/** RESTRICT / NO ACTION checked at the end of the statement, or a SET NULL / SET DEFAULT that writes NULL into a NOT NULL column. */
function canConflict(fk: ForeignKey, table: Table): boolean {
  if (fk.onDelete === 'RESTRICT') return true;
  if (fk.onDelete === 'NO ACTION') return !(fk.deferrable && fk.initiallyDeferred);
  if (fk.onDelete === 'SET NULL' || fk.onDelete === 'SET DEFAULT') return rewriteFails(fk, table);
  return false;
}

/** ON DELETE SET NULL / SET DEFAULT writes NULL into a NOT NULL column (a SET DEFAULT column without a default). */
export function rewriteFails(fk: ForeignKey, table: Table): boolean {
  const names = fk.setColumns ?? fk.columns;
  const columns = table.columns.filter((c) => names.includes(c.name));
  if (fk.onDelete === 'SET NULL') return columns.some((c) => c.notNull);
  if (fk.onDelete === 'SET DEFAULT') return columns.some((c) => c.notNull && !hasDefault(c));
  return false;
}

/** FKs pointing at each table, per model, in model order. */
const incomingCache = new WeakMap<HistoryModel, Map<number, ForeignKey[]>>();

/** Every FK of the model that points at `tableId` (its children's FKs, self-references included). */
export function referencingForeignKeys(model: HistoryModel, tableId: number): ForeignKey[] {
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
  return index.get(tableId) ?? [];
}

// ---------------------------------------------------------------------------------------------------------
// Levels: the order in which one DELETE removes tables' rows

/** Arrays for `deleteLevels`, reused from one root to the next (only the entries a walk touched are reset). */
export interface LevelScratch {
  /** Level at which each table's rows are first deleted; -1: not deleted. */
  level: Int32Array;
  /** The ON DELETE CASCADE edge (index into delFk / delChild) that first deletes each table; -1 for the root. */
  via: Int32Array;
  /** Position of each deleted table in `order`. */
  rank: Int32Array;
  /** Deleted tables in the order PostgreSQL deletes them (order[0] is the root); `count` of them. */
  order: Int32Array;
  count: number;
  /** For each deleted table, its ancestor on the first-deletion path at level ANCHOR_LEVEL (itself when shallower): a path's first steps without walking it all. */
  anchor: Int32Array;
}

export const ANCHOR_LEVEL = 8;

export function levelScratch(g: CascadeGraph): LevelScratch {
  const n = g.tables.length;
  const s: LevelScratch = { level: new Int32Array(n).fill(-1), via: new Int32Array(n).fill(-1), rank: new Int32Array(n), order: new Int32Array(n), count: 0, anchor: new Int32Array(n) };
  return s;
}

/**
 * One DELETE of a row of `root`: which tables' rows go, at which level and through which FK first, in the
 * order PostgreSQL deletes them (breadth first, each table's cascades in trigger order). O(tables and
 * cascading FKs reached).
 */
export function deleteLevels(g: CascadeGraph, root: number, s: LevelScratch): LevelScratch {
  for (let i = 0; i < s.count; i++) {
    const t = s.order[i];
    s.level[t] = -1;
    s.via[t] = -1;
  }
  s.order[0] = root;
  s.level[root] = 0;
  s.via[root] = -1;
  s.rank[root] = 0;
  s.anchor[root] = root;
  let count = 1;
  for (let head = 0; head < count; head++) {
    const p = s.order[head];
    const next = s.level[p] + 1;
    for (let k = g.delStart[p], end = g.delStart[p + 1]; k < end; k++) {
      const c = g.delChild[k];
      if (s.level[c] >= 0) continue;
      s.level[c] = next;
      s.via[c] = k;
      s.rank[c] = count;
      s.anchor[c] = next <= ANCHOR_LEVEL ? c : s.anchor[p];
      s.order[count++] = c;
    }
  }
  s.count = count;
  return s;
}

/** The level of the deepest deleted table and the first table (in deletion order) at that level. */
export function deepestDeleted(s: LevelScratch): { depth: number; table: number } {
  let depth = 0;
  let table = s.order[0];
  for (let i = 0; i < s.count; i++) {
    const t = s.order[i];
    if (s.level[t] > depth) (depth = s.level[t]), (table = t);
  }
  return { depth, table };
}

/** The conflict of `check` (an edge of `g.checks`) in the DELETE `s` describes, when the two happen at the same level. */
export function conflictAt(g: CascadeGraph, s: LevelScratch, check: CascadeEdge): ReachConflict | undefined {
  const x = check.child;
  const y = check.parent;
  const dx = s.level[x];
  if (dx < 1 || s.level[y] < 0 || s.level[y] + 1 !== dx) return undefined;
  const cascadeEdge = s.via[x];
  const cascade = g.delFk[cascadeEdge];
  const p = g.delParent[cascadeEdge];
  let decidedBy: [ForeignKey, ForeignKey];
  let firstInHistory: 'cascade' | 'other';
  if (p === y) {
    decidedBy = [cascade, check.fk];
    firstInHistory = g.position.get(cascade)! < g.position.get(check.fk)! ? 'cascade' : 'other';
  } else {
    // Both parents are deleted at level dx - 1; walk up to the table where their paths part.
    let a = p;
    let b = y;
    let ea = -1;
    let eb = -1;
    while (a !== b) {
      ea = s.via[a];
      eb = s.via[b];
      a = g.delParent[ea];
      b = g.delParent[eb];
    }
    decidedBy = [g.delFk[ea], g.delFk[eb]];
    firstInHistory = s.rank[p] < s.rank[y] ? 'cascade' : 'other';
  }
  return {
    table: g.tables[x],
    level: dx,
    cascade,
    other: check.fk,
    decidedBy,
    firstInHistory,
    failure: check.fk.onDelete === 'RESTRICT' || check.fk.onDelete === 'NO ACTION' ? 'foreign-key' : 'not-null',
  };
}

// ---------------------------------------------------------------------------------------------------------
// The reach of one table

/** A table reached, with the columns an UPDATE changed in it (DELETE: every table once, `changed` undefined). */
interface State {
  table: number;
  changed?: string[];
  level: number;
  /** The state it was reached from, and the edge; -1 / undefined for the root. */
  parent: number;
  via?: CascadeEdge;
}

export function computeReach(model: HistoryModel, tableId: number, operation: ReachOperation, options: ReachOptions = {}): Reach {
  const g = cascadeGraph(model);
  const rootIndex = g.index.get(tableId);
  if (rootIndex === undefined) throw new Error(`computeReach: no table with id ${tableId}`);
  const root = g.tables[rootIndex];
  const maxNodes = Math.max(1, options.maxNodes ?? DEFAULT_MAX_NODES);

  // The tables reached, breadth first in trigger order. DELETE: each table once, at its first deletion.
  // UPDATE: each (table, changed columns) once.
  const states: State[] = [{ table: rootIndex, level: 0, parent: -1 }];
  const stateOf = new Map<string, number>([[stateKey(operation, rootIndex, undefined), 0]]);
  const relevant = (st: State, e: CascadeEdge) => operation === 'DELETE' || !st.changed || e.fk.refColumns.some((c) => st.changed!.includes(c));
  const cascades = (e: CascadeEdge) => (operation === 'DELETE' ? e.fk.onDelete : e.fk.onUpdate) === 'CASCADE';
  for (let head = 0; head < states.length; head++) {
    const st = states[head];
    for (const e of g.incoming[st.table]) {
      if (!relevant(st, e) || !cascades(e)) continue;
      const changed = operation === 'UPDATE' ? e.fk.columns : undefined;
      const key = stateKey(operation, e.child, changed);
      if (stateOf.has(key)) continue;
      stateOf.set(key, states.length);
      states.push({ table: e.child, changed, level: st.level + 1, parent: head, via: e });
    }
  }
  // Level at which DELETE first deletes each table's rows. Not the root: the statement deletes the rows it
  // names, while the root's rows that point at them (a tree's children) are other rows, deleted only by a cascade.
  const deletedLevel = new Map<number, number>();
  if (operation === 'DELETE') for (const st of states) if (st.parent >= 0) deletedLevel.set(st.table, st.level);

  // Ancestors in the tree of states, for cycles: pre/post order numbers from an iterative walk.
  const { tin, tout } = eulerTour(states);
  const isAncestor = (a: number, b: number) => tin[a] <= tin[b] && tout[b] <= tout[a];

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
    cycleCount: 0,
    depth: 0,
    truncated: false,
  };
  const seenTable = new Set<number>([rootIndex]);
  for (const st of states) {
    if (st.parent < 0) continue;
    reach.depth = Math.max(reach.depth, st.level);
    if (operation === 'DELETE' || !seenTable.has(st.table)) {
      seenTable.add(st.table);
      const entry = { table: g.tables[st.table], depth: st.level, via: st.via!.fk, columns: st.via!.fk.columns };
      (operation === 'DELETE' ? reach.deletes : reach.updates).push(entry);
    }
  }

  // Every FK pointing at a reached table: what it comes to. One pass over the states, in tree order.
  let nodes = 0;
  const seenFk = new Set<ForeignKey>();
  const levels = operation === 'DELETE' && g.postgres ? levelsOf(g, rootIndex) : undefined;
  const info: { state: number; edge: CascadeEdge; node: Omit<ReachNode, 'children'> }[] = [];
  for (let si = 0; si < states.length; si++) {
    const st = states[si];
    for (const e of g.incoming[st.table]) {
      if (!relevant(st, e)) continue;
      nodes++;
      const action: FkAction = operation === 'DELETE' ? e.fk.onDelete : e.fk.onUpdate;
      const effect = effectOf(action, operation);
      const depth = st.level + 1;
      const columns = (effect === 'set-null' || effect === 'set-default') && operation === 'DELETE' && e.fk.setColumns ? e.fk.setColumns : e.fk.columns;
      const node: Omit<ReachNode, 'children'> = { table: g.tables[e.child], effect, via: e.fk, columns, depth };
      if (effect === 'delete' || effect === 'update') {
        const target = stateOf.get(stateKey(operation, e.child, operation === 'UPDATE' ? e.fk.columns : undefined))!;
        if (states[target].via !== e) {
          if (isAncestor(target, si)) {
            node.cycle = true;
            if (reach.cycleCount++ < MAX_CYCLES) reach.cycles.push(cyclePath(states, target, si, e.fk));
          } else node.repeated = true;
        }
      } else {
        if (effect === 'blocked') node.checkedAt = checkedAt(model, e.fk, action);
        const deletedAt = deletedLevel.get(e.child);
        if (deletedAt !== undefined) node.deletedAt = deletedAt;
        if (operation === 'UPDATE') node.timing = 'applies';
        else if (deletedAt === undefined) node.timing = 'applies';
        else if (g.postgres) {
          const checkedAt = effect === 'blocked' && action === 'NO ACTION' && e.fk.deferrable && e.fk.initiallyDeferred ? Infinity : depth;
          node.timing = deletedAt < checkedAt ? 'after-delete' : deletedAt > checkedAt ? 'before-delete' : 'same-level';
          if (node.timing === 'same-level') {
            const conflict = levels && conflictAt(g, levels, e);
            if (conflict && g.checks[e.child].includes(e)) {
              node.conflict = true;
              if (!seenFk.has(e.fk)) reach.conflicts.push(conflict);
            }
          }
        }
        if (!seenFk.has(e.fk)) {
          seenFk.add(e.fk);
          const entry = { table: node.table, depth, via: e.fk, columns };
          if (effect === 'blocked' && (node.timing === undefined ? deletedAt === undefined : node.timing === 'applies' || node.timing === 'before-delete')) {
            reach.blockedBy.push({
              ...entry,
              action: action === 'RESTRICT' ? 'RESTRICT' : 'NO ACTION',
              checkedAt: node.checkedAt!,
              ...(node.timing === 'before-delete' ? { deletedAt } : {}),
            });
          } else if (node.timing === 'applies' && effect === 'set-null') reach.setsNull.push(entry);
          else if (node.timing === 'applies' && effect === 'set-default') reach.setsDefault.push(entry);
        }
      }
      if (info.length < maxNodes) info.push({ state: si, edge: e, node });
    }
  }
  reach.truncated = nodes > maxNodes;

  // The tree, built when first asked for (code lenses and the rules only need the lists).
  let tree: ReachNode[] | undefined;
  Object.defineProperty(reach, 'children', {
    enumerable: true,
    get(): ReachNode[] {
      if (tree) return tree;
      tree = [];
      const nodeOfState: (ReachNode | undefined)[] = [];
      for (const { state, edge, node } of info) {
        const parent = state === 0 ? undefined : nodeOfState[state];
        // A node whose parent was cut is left out (info is in breadth-first order, so parents come first).
        if (state !== 0 && !parent) continue;
        const full: ReachNode = { ...node, children: [] };
        (parent ? parent.children : tree).push(full);
        if ((full.effect === 'delete' || full.effect === 'update') && !full.cycle && !full.repeated) {
          const target = stateOf.get(stateKey(operation, edge.child, operation === 'UPDATE' ? edge.fk.columns : undefined))!;
          nodeOfState[target] = full;
        }
      }
      return tree;
    },
  });
  return reach;
}

function stateKey(operation: ReachOperation, table: number, changed: string[] | undefined): string {
  return operation === 'DELETE' || !changed ? String(table) : `${table}:${changed.join('\0')}`;
}

function levelsOf(g: CascadeGraph, root: number): LevelScratch {
  return deleteLevels(g, root, levelScratch(g));
}

/** Pre- and post-order numbers of the tree of states (parent links), by an iterative depth-first walk. */
function eulerTour(states: State[]): { tin: Int32Array; tout: Int32Array } {
  const n = states.length;
  const first = new Int32Array(n).fill(-1);
  const next = new Int32Array(n).fill(-1);
  for (let i = n - 1; i > 0; i--) {
    const p = states[i].parent;
    next[i] = first[p];
    first[p] = i;
  }
  const tin = new Int32Array(n);
  const tout = new Int32Array(n);
  const stack = new Int32Array(n);
  const cursor = new Int32Array(n);
  let clock = 0;
  let top = 0;
  stack[0] = 0;
  cursor[0] = first[0];
  tin[0] = clock++;
  while (top >= 0) {
    const v = stack[top];
    const c = cursor[v];
    if (c >= 0) {
      cursor[v] = next[c];
      tin[c] = clock++;
      cursor[c] = first[c];
      stack[++top] = c;
    } else {
      tout[v] = clock++;
      top--;
    }
  }
  return { tin, tout };
}

/** The FKs of the loop from state `ancestor` down to state `from`, closed by `closing` (which points back at `ancestor`'s table). */
function cyclePath(states: State[], ancestor: number, from: number, closing: ForeignKey): ForeignKey[] {
  const fks: ForeignKey[] = [closing];
  for (let s = from; s !== ancestor; s = states[s].parent) fks.push(states[s].via!.fk);
  return fks.reverse();
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

/** When the history's engine checks a RESTRICT / NO ACTION FK (see BlockingEntry.checkedAt). */
function checkedAt(model: HistoryModel, fk: ForeignKey, action: FkAction): BlockingEntry['checkedAt'] {
  const dialect = model.history.dialect ?? 'postgres';
  if (dialect === 'mysql') return 'immediately';
  if (action === 'RESTRICT') return dialect === 'sqlite' ? 'immediately' : 'end of statement';
  return fk.deferrable && fk.initiallyDeferred ? 'commit' : 'end of statement';
}

// ---------------------------------------------------------------------------------------------------------
// Showing a tree

/** A node of a reach tree cut to a size that can be shown. */
export interface ShownNode {
  node: ReachNode;
  children: ShownNode[];
  /** Nodes under this one that were cut (hidden children with everything below them). */
  hidden: number;
}

/**
 * Cuts a reach tree to at most `maxShown` nodes, keeping them in breadth-first order so that the shallow,
 * most consequential levels are shown first. `hidden` on each kept node (and the returned `hidden` for the
 * root level) counts what was left out below it, for an "and N more" line. Iterative: any depth.
 */
export function cutTree(children: ReachNode[], maxShown: number): { shown: ShownNode[]; hidden: number } {
  const root: ShownNode[] = [];
  let rootHidden = 0;
  let budget = Math.max(0, maxShown);
  const queue: { list: ReachNode[]; into: ShownNode[]; owner: ShownNode | undefined }[] = [{ list: children, into: root, owner: undefined }];
  for (let head = 0; head < queue.length; head++) {
    const { list, into, owner } = queue[head];
    for (const node of list) {
      if (budget > 0) {
        budget--;
        const shown: ShownNode = { node, children: [], hidden: 0 };
        into.push(shown);
        if (node.children.length) queue.push({ list: node.children, into: shown.children, owner: shown });
      } else if (owner) owner.hidden += sizeOf(node);
      else rootHidden += sizeOf(node);
    }
  }
  return { shown: root, hidden: rootHidden };
}

/** Nodes in the subtree of `node`, itself included (iterative). */
function sizeOf(node: ReachNode): number {
  let size = 0;
  const stack: ReachNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    size++;
    for (const c of n.children) stack.push(c);
  }
  return size;
}

/** One line of a cut tree in display order (depth first, parents before children): the node, or an "and N more" line. */
export type ShownLine = { kind: 'node'; node: ReachNode; indent: number } | { kind: 'more'; count: number; indent: number };

/** The lines of a cut tree in display order, without recursion (a renderer just prints them). */
export function shownLines(cut: { shown: ShownNode[]; hidden: number }): ShownLine[] {
  const lines: ShownLine[] = [];
  type Item = { shown: ShownNode; indent: number } | { more: number; indent: number };
  const stack: Item[] = [];
  if (cut.hidden) stack.push({ more: cut.hidden, indent: 0 });
  for (let i = cut.shown.length - 1; i >= 0; i--) stack.push({ shown: cut.shown[i], indent: 0 });
  while (stack.length) {
    const item = stack.pop()!;
    if ('more' in item) {
      lines.push({ kind: 'more', count: item.more, indent: item.indent });
      continue;
    }
    const { shown, indent } = item;
    lines.push({ kind: 'node', node: shown.node, indent });
    if (shown.hidden) stack.push({ more: shown.hidden, indent: indent + 1 });
    for (let i = shown.children.length - 1; i >= 0; i--) stack.push({ shown: shown.children[i], indent: indent + 1 });
  }
  return lines;
}
