/**
 * The ERD's data: every table of every history with its columns and key markers, one edge per foreign key
 * (FK columns -> referenced columns) with crow's-foot ends derived from the model, and each table's DELETE
 * blast radius from the cascade reach engine. Plain JSON, so the same description feeds the webview (through
 * the language server), the CLI's SVG / Mermaid / HTML output and the tests.
 */
import { computeReach } from '../../analysis/reach';
import type { HistoryModel } from '../../model/replay';
import type { FkAction, ForeignKey, Table } from '../../model/schema';
import { LineIndex } from '../../sources/text';
import type { WorkspaceModel } from '../../workspace/workspace';

export interface ErdColumn {
  name: string;
  type: string;
  pk: boolean;
  fk: boolean;
  notNull: boolean;
  /** The column alone is a unique key (UNIQUE constraint or a full unique index on it). */
  unique: boolean;
}

export interface ErdTable {
  /** Stable across edits that do not rename the table: folder, history and qualified name. */
  key: string;
  folder: number;
  /** The history (migration set) the table belongs to: see ErdGraph.sources. */
  source: string;
  schema: string;
  name: string;
  /** Names the table had before a RENAME, oldest first (absent when never renamed). */
  formerNames?: string[];
  columns: ErdColumn[];
  /** Where the table was created (workspace-relative file, 0-based line / UTF-16 character). */
  file: string;
  line: number;
  character: number;
}

/** One end of a relationship, as crow's foot notation draws it. */
export type ErdEnd = 'one' | 'zero-or-one' | 'many';

export interface ErdEdge {
  key: string;
  name: string;
  /** The referencing (child) table and its FK columns. */
  from: string;
  fromColumns: string[];
  /** The referenced (parent) table and columns. */
  to: string;
  toColumns: string[];
  onDelete: FkAction;
  onUpdate: FkAction;
  /** How many parent rows one child row has: 'one' when every FK column is NOT NULL, else 'zero-or-one'. */
  parentEnd: 'one' | 'zero-or-one';
  /** How many child rows one parent row has: 'zero-or-one' when the FK columns are unique (one-to-one). */
  childEnd: 'many' | 'zero-or-one';
  /** The FK columns are part of the child's primary key. */
  identifying: boolean;
  validated: boolean;
  deferrable: boolean;
}

/** Every table a DELETE of one row of the table reaches, by effect (table keys). */
export interface ErdBlast {
  deleted: string[];
  setNull: string[];
  setDefault: string[];
  blocked: string[];
  truncated: boolean;
}

export interface ErdSource {
  id: string;
  folder: number;
  /** What the filter shows: the folder and the migration set. */
  label: string;
  tool: string;
}

export interface ErdGraph {
  folders: { name: string; uri?: string }[];
  sources: ErdSource[];
  schemas: string[];
  tables: ErdTable[];
  edges: ErdEdge[];
  /** Only tables that something references have an entry. */
  blast: Record<string, ErdBlast>;
}

export interface ErdInput {
  /** A label for the folder ('' for a single folder). */
  name: string;
  uri?: string;
  model: WorkspaceModel;
}

/** Bounds the reach walk of one table; a graph of thousands of tables stays quick to build. */
const MAX_REACH_NODES = 2000;

export function buildErdGraph(inputs: ErdInput[]): ErdGraph {
  const graph: ErdGraph = { folders: [], sources: [], schemas: [], tables: [], edges: [], blast: {} };
  const schemas = new Set<string>();
  inputs.forEach((input, folder) => {
    graph.folders.push(input.uri === undefined ? { name: input.name } : { name: input.name, uri: input.uri });
    for (const history of input.model.histories) {
      const source = `${folder}|${history.history.id}`;
      const where = input.name ? `${input.name}: ` : '';
      graph.sources.push({ id: source, folder, tool: history.history.tool, label: `${where}${history.history.id || '.'} (${history.history.tool})` });
      addHistory(graph, input.model, history, folder, source);
      for (const t of history.tables) schemas.add(t.schema);
    }
  });
  graph.schemas = [...schemas].sort();
  return graph;
}

export function tableKey(source: string, table: { schema: string; name: string }): string {
  return `${source}|${table.schema}.${table.name}`;
}

function addHistory(graph: ErdGraph, model: WorkspaceModel, history: HistoryModel, folder: number, source: string): void {
  const keyOf = (id: number) => {
    const t = history.tableById.get(id);
    return t ? tableKey(source, t) : undefined;
  };
  const referenced = new Set<number>();
  // The names each table had before a RENAME, from the replay's step facts (oldest first, the current one left out).
  const former = new Map<number, string[]>();
  for (const r of history.renames ?? []) {
    if (r.kind !== 'table') continue;
    const list = former.get(r.tableId) ?? [];
    if (!list.includes(r.from)) list.push(r.from);
    former.set(r.tableId, list);
  }
  for (const table of history.tables) {
    const formerNames = (former.get(table.id) ?? []).filter((n) => n !== table.name);
    const fkColumns = new Set(table.foreignKeys.flatMap((f) => f.columns));
    const pk = new Set(table.primaryKey?.columns ?? []);
    const uniqueSingles = new Set(uniqueKeys(table).filter((k) => k.length === 1).map((k) => k[0]));
    const position = (model.sources.get(table.location.file)?.lines ?? new LineIndex('')).position(table.location.span.start);
    graph.tables.push({
      key: tableKey(source, table),
      folder,
      source,
      schema: table.schema,
      name: table.name,
      ...(formerNames.length ? { formerNames } : {}),
      columns: table.columns.map((c) => ({
        name: c.name,
        type: c.type,
        pk: pk.has(c.name),
        fk: fkColumns.has(c.name),
        notNull: c.notNull,
        unique: uniqueSingles.has(c.name) && !(pk.size === 1 && pk.has(c.name)),
      })),
      file: table.location.file,
      line: position.line,
      character: position.character,
    });
    for (const fk of table.foreignKeys) {
      const to = keyOf(fk.refTableId);
      if (!to) continue;
      referenced.add(fk.refTableId);
      graph.edges.push(edgeOf(fk, table, tableKey(source, table), to));
    }
  }
  for (const id of referenced) {
    const reach = computeReach(history, id, 'DELETE', { maxNodes: MAX_REACH_NODES });
    const keys = (entries: { table: Table }[]) => [...new Set(entries.map((e) => tableKey(source, e.table)))];
    graph.blast[keyOf(id)!] = {
      deleted: keys(reach.deletes),
      setNull: keys(reach.setsNull),
      setDefault: keys(reach.setsDefault),
      blocked: keys(reach.blockedBy),
      truncated: reach.truncated,
    };
  }
}

function edgeOf(fk: ForeignKey, table: Table, from: string, to: string): ErdEdge {
  const columns = new Map(table.columns.map((c) => [c.name, c]));
  const allNotNull = fk.columns.every((c) => columns.get(c)?.notNull);
  const fkSet = new Set(fk.columns);
  const unique = uniqueKeys(table).some((k) => k.length > 0 && k.every((c) => fkSet.has(c)));
  const pk = table.primaryKey?.columns ?? [];
  return {
    key: `${from}|${fk.name}`,
    name: fk.name,
    from,
    fromColumns: fk.columns,
    to,
    toColumns: fk.refColumns,
    onDelete: fk.onDelete,
    onUpdate: fk.onUpdate,
    parentEnd: allNotNull ? 'one' : 'zero-or-one',
    childEnd: unique ? 'zero-or-one' : 'many',
    identifying: fk.columns.length > 0 && fk.columns.every((c) => pk.includes(c)),
    validated: fk.validated,
    deferrable: fk.deferrable,
  };
}

/** Column sets that no two rows share: the primary key, UNIQUE constraints, full unique indexes on plain columns. */
function uniqueKeys(table: Table): string[][] {
  const keys: string[][] = [];
  if (table.primaryKey) keys.push(table.primaryKey.columns);
  for (const u of table.uniques) keys.push(u.columns);
  for (const i of table.indexes) {
    if (i.unique && i.where === undefined && i.columns.every((c): c is string => c !== null)) keys.push(i.columns as string[]);
  }
  return keys;
}

/** Finds a table by `name`, `schema.name` or key (first match in graph order). */
export function findTable(graph: ErdGraph, name: string): ErdTable | undefined {
  const wanted = name.trim();
  return (
    graph.tables.find((t) => t.key === wanted) ??
    graph.tables.find((t) => `${t.schema}.${t.name}` === wanted) ??
    graph.tables.find((t) => t.name === wanted) ??
    graph.tables.find((t) => `${t.schema}.${t.name}`.toLowerCase() === wanted.toLowerCase() || t.name.toLowerCase() === wanted.toLowerCase())
  );
}
