/** The model as the CLI's `model --json` prints it (the format the foundation issue specifies). */
import { LineIndex } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { indexesServing } from './indexing';
import { historyGaps, type GapCode } from './partial';
import type { SourceLocation } from './schema';

export interface LocationJson {
  file: string;
  line: number;
  column: number;
}

export interface ForeignKeyJson {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  setColumns: string[] | null;
  deferrable: boolean;
  initiallyDeferred: boolean;
  match: string;
  validated: boolean;
  indexed: boolean;
  indexedBy: string[];
  location: LocationJson;
}

export interface TableJson {
  schema: string;
  name: string;
  columns: { name: string; type: string; notNull: boolean; default: string | null }[];
  primaryKey: string[];
  uniques: string[][];
  indexes: { name: string; columns: (string | null)[]; unique: boolean; partial: boolean; where: string | null }[];
  location: LocationJson;
}

/** Something FK Lens skipped in a history, and where. */
export interface PartialReasonJson {
  code: GapCode;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A history FK Lens could not read whole: what it skipped. */
export interface PartialHistoryJson {
  /** The history's id (its folder; `.` for the root). */
  history: string;
  tool: string;
  reasons: PartialReasonJson[];
}

export interface ModelJson {
  foreignKeys: ForeignKeyJson[];
  tables: TableJson[];
  /** The histories that are partial (empty when FK Lens read everything). */
  partial: PartialHistoryJson[];
}

/** Every partial history of the model with its reasons, 1-based lines and columns (UTF-16); `display` maps file paths. */
export function partialJson(model: WorkspaceModel, display: (file: string) => string = (f) => f): PartialHistoryJson[] {
  const out: PartialHistoryJson[] = [];
  for (const history of model.histories) {
    const gaps = historyGaps(history);
    if (!gaps.length) continue;
    out.push({
      history: history.history.id || '.',
      tool: history.history.tool,
      reasons: gaps.map((g) => {
        const lines = model.sources.get(g.file)?.lines ?? new LineIndex('');
        const clamp = (n: number) => Math.min(Math.max(0, n), lines.text.length);
        const start = lines.position(clamp(g.span.start));
        const end = lines.position(clamp(Math.max(g.span.start, g.span.end)));
        return { code: g.code, message: g.message, file: display(g.file), line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
      }),
    });
  }
  return out;
}

/** One line per partial history: `db/migrations: partial: FK Lens skipped 3 things (2 unsupported, 1 unknown-table); first at db/migrations/0003.sql:12`. */
export function partialSummary(partial: PartialHistoryJson[]): string[] {
  return partial.map((p) => {
    const counts = new Map<string, number>();
    for (const r of p.reasons) counts.set(r.code, (counts.get(r.code) ?? 0) + 1);
    const first = p.reasons[0];
    const kinds = [...counts].map(([code, n]) => `${n} ${code}`).join(', ');
    return `${p.history}: partial history: FK Lens skipped ${p.reasons.length} statement${p.reasons.length === 1 ? '' : 's'} (${kinds}), first at ${first.file}:${first.line}; findings that may rest on them are not errors.`;
  });
}

export function modelJson(model: WorkspaceModel): ModelJson {
  const where = (loc: SourceLocation): LocationJson => {
    const p = (model.sources.get(loc.file)?.lines ?? new LineIndex('')).position(loc.span.start);
    return { file: loc.file, line: p.line + 1, column: p.character + 1 };
  };
  const foreignKeys: ForeignKeyJson[] = [];
  const tables: TableJson[] = [];
  for (const history of model.histories) {
    for (const table of history.tables) {
      tables.push({
        schema: table.schema,
        name: table.name,
        columns: table.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull, default: c.default ?? null })),
        primaryKey: table.primaryKey?.columns ?? [],
        uniques: table.uniques.map((u) => u.columns),
        indexes: table.indexes.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique, partial: i.where !== undefined, where: i.where ?? null })),
        location: where(table.location),
      });
      for (const fk of table.foreignKeys) {
        const parent = history.tableById.get(fk.refTableId)!;
        const serving = indexesServing(fk, table);
        foreignKeys.push({
          name: fk.name,
          schema: table.schema,
          table: table.name,
          columns: fk.columns,
          refSchema: parent.schema,
          refTable: parent.name,
          refColumns: fk.refColumns,
          onDelete: fk.onDelete,
          onUpdate: fk.onUpdate,
          setColumns: fk.setColumns,
          deferrable: fk.deferrable,
          initiallyDeferred: fk.initiallyDeferred,
          match: fk.match,
          validated: fk.validated,
          indexed: serving.length > 0,
          indexedBy: serving.map((i) => i.name),
          location: where(fk.location),
        });
      }
    }
  }
  return { foreignKeys, tables, partial: partialJson(model) };
}
