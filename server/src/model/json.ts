/** The model as the CLI's `model --json` prints it (the format the foundation issue specifies). */
import { LineIndex } from '../sources/text';
import type { WorkspaceModel } from '../workspace/workspace';
import { indexesServing } from './indexing';
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

export interface ModelJson {
  foreignKeys: ForeignKeyJson[];
  tables: TableJson[];
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
  return { foreignKeys, tables };
}
