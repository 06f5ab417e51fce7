/**
 * Finding tables in the ERD graph: the search box (current and former names, exact matches first), the table
 * a diagram opens on when nothing is asked for (the most referenced one), and how a list of tables is named
 * for people (the schema only when the list spans several).
 */
import type { ErdGraph, ErdTable } from './graph';

export interface SearchHit {
  table: ErdTable;
  /** The former name that matched, when the current one did not. */
  formerName?: string;
}

/**
 * Tables whose name, `schema.name` or former name matches `text` (case-insensitive): exact matches first,
 * then names that start with it, then names that contain it; in graph order within each rank.
 */
export function searchTables(graph: ErdGraph, text: string): SearchHit[] {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const ranked: { hit: SearchHit; rank: number; order: number }[] = [];
  graph.tables.forEach((table, order) => {
    const rankOf = (name: string) => {
      const n = name.toLowerCase();
      const qualified = `${table.schema}.${name}`.toLowerCase();
      if (n === q || qualified === q) return 0;
      if (n.startsWith(q) || qualified.startsWith(q)) return 1;
      if (qualified.includes(q)) return 2;
      return undefined;
    };
    const current = rankOf(table.name);
    let best: { rank: number; formerName?: string } | undefined = current === undefined ? undefined : { rank: current };
    for (const former of table.formerNames ?? []) {
      const r = rankOf(former);
      if (r !== undefined && (!best || r < best.rank)) best = { rank: r, formerName: former };
    }
    if (best) ranked.push({ hit: best.formerName === undefined ? { table } : { table, formerName: best.formerName }, rank: best.rank, order });
  });
  return ranked.sort((a, b) => a.rank - b.rank || a.order - b.order).map((r) => r.hit);
}

/** The table most FKs reference (ties: the one with the larger DELETE reach, then graph order), among `keys` when given. */
export function mostReferenced(graph: ErdGraph, keys?: Set<string>): ErdTable | undefined {
  const incoming = new Map<string, number>();
  for (const e of graph.edges) if (e.from !== e.to) incoming.set(e.to, (incoming.get(e.to) ?? 0) + 1);
  const reach = (key: string) => {
    const b = graph.blast[key];
    return b ? b.deleted.length + b.setNull.length + b.setDefault.length : 0;
  };
  let best: ErdTable | undefined;
  for (const t of graph.tables) {
    if (keys && !keys.has(t.key)) continue;
    if (!best) {
      best = t;
      continue;
    }
    const d = (incoming.get(t.key) ?? 0) - (incoming.get(best.key) ?? 0);
    if (d > 0 || (d === 0 && reach(t.key) > reach(best.key))) best = t;
  }
  return best;
}

/** Names for a list of tables: `name`, or `schema.name` for all of them when they span several schemas. */
export function namesFor(tables: ErdTable[]): Map<string, string> {
  const qualify = new Set(tables.map((t) => t.schema)).size > 1;
  return new Map(tables.map((t) => [t.key, qualify ? `${t.schema}.${t.name}` : t.name]));
}
