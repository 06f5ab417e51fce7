/**
 * What the four cascade rules share, computed once per model and kept with it (models are immutable):
 * - one walk per table some ON DELETE CASCADE points at (`deleteLevels`, linear in what it reaches, arrays
 *   reused from one table to the next): how deep and how wide its DELETE cascades, the deepest chain (only its
 *   ends are kept), and the conflicts met (grouped by the FK that checks or rewrites the rows);
 * - the strongly connected groups of ON DELETE CASCADE (cycles), once for the whole graph.
 * Memory stays linear in the model whatever the number of tables; nothing is kept per pair of tables.
 */
import type { HistoryModel } from '../../model/replay';
import type { ForeignKey, Table } from '../../model/schema';
import { cascadeGraph, conflictAt, deepestDeleted, deleteLevels, levelScratch, type CascadeGraph, type LevelScratch, type ReachConflict } from '../reach';
import { tableLabel } from '../rule';

/** How much of a long list a message names before "and N more". */
export const LISTED = 4;
/** How many related locations a cascade finding carries at most. */
export const MAX_RELATED = 6;
/** A long path is shown by its first and last tables. */
const PATH_HEAD = 5; // at most ANCHOR_LEVEL
const PATH_TAIL = 3;

export interface RootSummary {
  root: Table;
  /** Deepest level at which the DELETE deletes rows. */
  depth: number;
  /** Tables whose rows it deletes, the root not counted. */
  tables: number;
  /** The deepest chain of cascading deletes (first reached in deletion order): its first and last FKs, from the root down. */
  path: CappedPath;
  /** The cascade cycle group (strongly connected component) the root belongs to, when it is on a cycle of several tables. */
  component?: number;
}

export interface CappedPath {
  /** The first FKs of the path (at most PATH_HEAD + PATH_TAIL when the path is that short, then all of it). */
  head: ForeignKey[];
  /** The last PATH_TAIL FKs when the path is longer than head + tail, else empty. */
  tail: ForeignKey[];
  length: number;
}

export interface ConflictGroup {
  /** The FK that checks or rewrites rows a cascade deletes at the same level. */
  other: ForeignKey;
  /** The conflict shown: the one of the root with the shallowest level (then the first table). */
  example: ReachConflict & { root: Table };
  /** The roots whose DELETE meets it, the first LISTED + 1 of them, and how many in all. */
  roots: Table[];
  rootCount: number;
}

export interface CascadeComponent {
  /** Dense indexes of its tables. */
  tables: number[];
}

export interface CascadeSummary {
  graph: CascadeGraph;
  roots: RootSummary[];
  conflicts: ConflictGroup[];
  /** Cascade cycle groups of at least two tables. */
  components: CascadeComponent[];
  /** Component of each table (dense index), -1 when not on a cycle of several tables. */
  componentOf: Int32Array;
}

const cache = new WeakMap<HistoryModel, CascadeSummary>();

export function cascadeSummary(history: HistoryModel): CascadeSummary {
  let summary = cache.get(history);
  if (summary) return summary;
  const g = cascadeGraph(history);
  const { components, componentOf } = cascadeComponents(g);
  const roots: RootSummary[] = [];
  const groups = new Map<ForeignKey, ConflictGroup>();
  const s = levelScratch(g);
  const anyChecks = g.postgres && g.checks.some((list) => list.length);
  for (let r = 0; r < g.tables.length; r++) {
    if (g.delStart[r] === g.delStart[r + 1]) continue; // no ON DELETE CASCADE points at it
    deleteLevels(g, r, s);
    const { depth, table: deepest } = deepestDeleted(s);
    roots.push({
      root: g.tables[r],
      depth,
      tables: s.count - 1,
      path: cappedPath(g, s, deepest, depth),
      ...(componentOf[r] >= 0 ? { component: componentOf[r] } : {}),
    });
    if (!anyChecks) continue;
    for (let i = 1; i < s.count; i++) {
      for (const check of g.checks[s.order[i]]) {
        if (s.level[check.parent] < 0) continue;
        const conflict = conflictAt(g, s, check);
        if (!conflict) continue;
        const group = groups.get(check.fk);
        if (!group) groups.set(check.fk, { other: check.fk, example: { ...conflict, root: g.tables[r] }, roots: [g.tables[r]], rootCount: 1 });
        else {
          if (group.roots.length <= LISTED) group.roots.push(g.tables[r]);
          group.rootCount++;
          if (conflict.level < group.example.level) group.example = { ...conflict, root: g.tables[r] };
        }
      }
    }
  }
  summary = { graph: g, roots, conflicts: [...groups.values()], components, componentOf };
  cache.set(history, summary);
  return summary;
}

/**
 * The FKs from the root down to `table` along the first-deletion links, keeping only the ends of a long path:
 * the last ones by walking up from `table`, the first ones by walking up from its anchor (its ancestor at
 * ANCHOR_LEVEL), so a path of any length costs a few steps.
 */
function cappedPath(g: CascadeGraph, s: LevelScratch, table: number, length: number): CappedPath {
  const up = (from: number, steps: number): ForeignKey[] => {
    const fks: ForeignKey[] = [];
    for (let at = from, i = 0; i < steps; i++) {
      const k = s.via[at];
      fks.push(g.delFk[k]);
      at = g.delParent[k];
    }
    return fks.reverse();
  };
  if (length <= PATH_HEAD + PATH_TAIL) return { head: up(table, length), tail: [], length };
  const anchor = s.anchor[table];
  return { head: up(anchor, s.level[anchor]).slice(0, PATH_HEAD), tail: up(table, PATH_TAIL), length };
}

/** `users -> orders -> order_items`, or for a long path `t0 -> t1 -> … (4,991 more) -> t4998 -> t4999`. */
export function cappedPathLabel(history: HistoryModel, root: Table, path: CappedPath): string {
  const name = (fk: ForeignKey) => tableLabel(history.tableById.get(fk.tableId));
  const parts = [tableLabel(root), ...path.head.map(name)];
  if (path.tail.length) {
    const hidden = path.length - path.head.length - path.tail.length;
    if (hidden > 0) parts.push(`… (${count(hidden)} more)`);
    parts.push(...path.tail.map(name));
  }
  return parts.join(' -> ');
}

/** `a, b, c, d and 12 more` (or `a, b or c`) from the first names of a list of `total`. */
export function listed(names: string[], total = names.length, conjunction: 'and' | 'or' = 'and'): string {
  const shown = names.slice(0, LISTED);
  const more = total - shown.length;
  if (more > 0) return `${shown.join(', ')} ${conjunction} ${count(more)} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown[shown.length - 1]}` : shown.join('');
}

/** 4,991 */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Strongly connected groups of the ON DELETE CASCADE graph (Tarjan's algorithm, iterative): tables whose
 * deletes cascade into one another. Groups of one table are left out (a self-reference is not a group).
 */
export function cascadeComponents(g: CascadeGraph): { components: CascadeComponent[]; componentOf: Int32Array } {
  const n = g.tables.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callStack = new Int32Array(n);
  const cursor = new Int32Array(n);
  const componentOf = new Int32Array(n).fill(-1);
  const components: CascadeComponent[] = [];
  let sp = 0;
  let counter = 0;
  for (let start = 0; start < n; start++) {
    if (index[start] >= 0) continue;
    let top = 0;
    callStack[0] = start;
    index[start] = low[start] = counter++;
    cursor[start] = g.delStart[start];
    stack[sp++] = start;
    onStack[start] = 1;
    while (top >= 0) {
      const v = callStack[top];
      if (cursor[v] < g.delStart[v + 1]) {
        const w = g.delChild[cursor[v]++];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          cursor[w] = g.delStart[w];
          stack[sp++] = w;
          onStack[w] = 1;
          callStack[++top] = w;
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      if (low[v] === index[v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          members.push(w);
        } while (w !== v);
        if (members.length > 1) {
          for (const m of members) componentOf[m] = components.length;
          components.push({ tables: members.sort((a, b) => a - b) });
        }
      }
      top--;
      if (top >= 0) {
        const parent = callStack[top];
        low[parent] = Math.min(low[parent], low[v]);
      }
    }
  }
  return { components, componentOf };
}

/** Where a finding about a cascading FK points: its ON DELETE clause when written. */
export function onDeleteSpan(fk: ForeignKey) {
  return fk.location.onDeleteSpan ?? fk.location.span;
}
