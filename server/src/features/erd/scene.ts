/**
 * What the diagram shows for a view: which tables (filtered by schema and source, or the N hops around a
 * focused table), which of their columns (all, or only the key columns in a big view, the rest behind a
 * "+N columns" row), which tables are collapsed to their header, and which schemas are folded into one box
 * (a big view groups by schema so that thousands of tables never reach the layout at once).
 */
import type { ErdColumn, ErdEdge, ErdGraph, ErdTable } from './graph';

export interface ErdView {
  /** Schemas shown; empty: all. */
  schemas: string[];
  /** Sources (histories) shown; empty: all. */
  sources: string[];
  /** Show only the tables within `hops` FK steps of this table (either direction). */
  focus?: string;
  hops: number;
  /** Tables drawn as their header only. */
  collapsed: string[];
  /**
   * Which columns a table shows: all of them, or its keys (primary key, FK and unique columns, and the
   * columns an FK references); 'auto' shows the keys when more than KEYS_LIMIT tables, or ROWS_LIMIT
   * columns in all, are drawn.
   * The tables in `full`, and the focused table when it has at most FOCUS_FULL_LIMIT columns, show every column.
   */
  columns: 'auto' | 'all' | 'keys';
  /** Tables shown with every column whatever `columns` says. */
  full: string[];
  /** 'auto' folds schemas into one box each when more than GROUP_LIMIT tables would be drawn. */
  group: 'auto' | 'on' | 'off';
  /** Schemas unfolded by the user while grouping. */
  expanded: string[];
}

export const GROUP_LIMIT = 150;
/** Above this many drawn tables, columns: 'auto' shows the key columns only. */
export const KEYS_LIMIT = 12;
/** Above this many columns in all, columns: 'auto' shows the key columns only too. */
export const ROWS_LIMIT = 160;
/** The focused table shows every column up to this many; a wider one shows its keys like the rest. */
export const FOCUS_FULL_LIMIT = 24;

export function defaultView(): ErdView {
  return { schemas: [], sources: [], hops: 1, collapsed: [], columns: 'auto', full: [], group: 'auto', expanded: [] };
}

export interface SceneTable {
  kind: 'table';
  id: string;
  table: ErdTable;
  collapsed: boolean;
  /** The columns drawn, in table order (none when collapsed). */
  rows: ErdColumn[];
  /** Columns left out (drawn as one "+N columns" row). */
  hidden: number;
}

export interface SceneSchema {
  kind: 'schema';
  id: string;
  schema: string;
  tables: number;
}

export type SceneNode = SceneTable | SceneSchema;

export interface SceneEdge {
  id: string;
  from: string;
  to: string;
  /** Set for an FK between two drawn tables. */
  fk?: ErdEdge;
  /** Number of FKs folded into an edge that touches a schema box. */
  count: number;
}

export interface Scene {
  nodes: SceneNode[];
  edges: SceneEdge[];
  /** Tables that pass the filters (drawn or folded). */
  visibleTables: number;
  grouped: boolean;
}

export const tableNodeId = (key: string) => 't:' + key;
export const schemaNodeId = (schema: string) => 's:' + schema;

export function buildScene(graph: ErdGraph, view: ErdView): Scene {
  const schemas = new Set(view.schemas);
  const sources = new Set(view.sources);
  let tables = graph.tables.filter((t) => (!schemas.size || schemas.has(t.schema)) && (!sources.size || sources.has(t.source)));
  if (view.focus && graph.tables.some((t) => t.key === view.focus)) {
    const near = neighbourhood(graph, view.focus, Math.max(0, view.hops));
    const passing = new Set(tables.map((t) => t.key));
    tables = graph.tables.filter((t) => near.has(t.key) && (t.key === view.focus || passing.has(t.key)));
  }
  const shown = new Set(tables.map((t) => t.key));
  const grouped = !view.focus && (view.group === 'on' || (view.group === 'auto' && tables.length > GROUP_LIMIT));
  const expanded = new Set(view.expanded);
  const collapsed = new Set(view.collapsed);
  const full = new Set(view.full);
  const drawn = grouped ? tables.filter((t) => expanded.has(t.schema)).length : tables.length;
  const rows = grouped ? 0 : tables.reduce((n, t) => n + t.columns.length, 0);
  const keysOnly = view.columns === 'keys' || (view.columns === 'auto' && (drawn > KEYS_LIMIT || rows > ROWS_LIMIT));
  const referenced = keysOnly ? referencedColumns(graph) : new Map<string, Set<string>>();
  const rowsOf = (t: ErdTable): ErdColumn[] => {
    if (collapsed.has(t.key)) return [];
    if (!keysOnly || full.has(t.key) || (t.key === view.focus && t.columns.length <= FOCUS_FULL_LIMIT)) return t.columns;
    const refs = referenced.get(t.key);
    return t.columns.filter((c) => c.pk || c.fk || c.unique || refs?.has(c.name));
  };
  const nodes: SceneNode[] = [];
  const nodeOf = new Map<string, string>();
  const schemaCounts = new Map<string, number>();
  for (const t of tables) {
    if (grouped && !expanded.has(t.schema)) {
      schemaCounts.set(t.schema, (schemaCounts.get(t.schema) ?? 0) + 1);
      nodeOf.set(t.key, schemaNodeId(t.schema));
    } else {
      const rows = rowsOf(t);
      nodes.push({ kind: 'table', id: tableNodeId(t.key), table: t, collapsed: collapsed.has(t.key), rows, hidden: collapsed.has(t.key) ? 0 : t.columns.length - rows.length });
      nodeOf.set(t.key, tableNodeId(t.key));
    }
  }
  for (const [schema, count] of schemaCounts) nodes.push({ kind: 'schema', id: schemaNodeId(schema), schema, tables: count });
  const edges: SceneEdge[] = [];
  const folded = new Map<string, SceneEdge>();
  for (const e of graph.edges) {
    if (!shown.has(e.from) || !shown.has(e.to)) continue;
    const from = nodeOf.get(e.from)!;
    const to = nodeOf.get(e.to)!;
    if (from.startsWith('t:') && to.startsWith('t:')) {
      edges.push({ id: 'e:' + e.key, from, to, fk: e, count: 1 });
      continue;
    }
    if (from === to) continue;
    const id = `g:${from}\u0000${to}`;
    const existing = folded.get(id);
    if (existing) existing.count++;
    else folded.set(id, { id, from, to, count: 1 });
  }
  edges.push(...folded.values());
  return { nodes, edges, visibleTables: tables.length, grouped };
}

/** Per table key, the columns some FK references (a composite key's columns are not marked unique one by one). */
function referencedColumns(graph: ErdGraph): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const e of graph.edges) {
    const set = map.get(e.to) ?? new Set<string>();
    for (const c of e.toColumns) set.add(c);
    map.set(e.to, set);
  }
  return map;
}

/** Tables within `hops` FK steps of `key`, following FKs both ways. */
export function neighbourhood(graph: ErdGraph, key: string, hops: number): Set<string> {
  const adjacent = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = adjacent.get(a);
    if (list) list.push(b);
    else adjacent.set(a, [b]);
  };
  for (const e of graph.edges) {
    link(e.from, e.to);
    link(e.to, e.from);
  }
  const seen = new Set([key]);
  let frontier = [key];
  for (let d = 0; d < hops && frontier.length; d++) {
    const next: string[] = [];
    for (const k of frontier) {
      for (const n of adjacent.get(k) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return seen;
}
