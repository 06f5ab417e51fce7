/**
 * LSP side of the ERD: the `fklens/erd` request returns the graph of every indexed folder (features/erd),
 * `fklens/erdTableAt` the graph key of the table at a position of a document (the diagram opens on it), and
 * `fklens/modelChanged` tells the client, shortly after an analysis, that the graph may have changed.
 */
import type { Connection, Position } from 'vscode-languageserver/node';
import { ResponseError, ErrorCodes } from 'vscode-languageserver/node';
import { erdTableAt } from '../features/erd/at';
import { buildErdGraph, type ErdGraph, type ErdInput } from '../features/erd/graph';
import type { WorkspaceModel } from '../workspace/workspace';

export const ERD_REQUEST = 'fklens/erd';
export const ERD_TABLE_AT_REQUEST = 'fklens/erdTableAt';
export const MODEL_CHANGED_NOTIFICATION = 'fklens/modelChanged';

export interface ErdTableAtParams {
  textDocument: { uri: string };
  position: Position;
}

/** A document's folder (its URI, as in ErdFolderSource) and path relative to it. */
export type ErdLocate = (uri: string) => { folderUri: string; rel: string } | undefined;

export interface ErdFolderSource {
  name: string;
  uri: string;
  indexed: boolean;
  model(): WorkspaceModel;
}

const NOTIFY_DELAY_MS = 200;

export function registerErd(connection: Connection, folders: () => ErdFolderSource[], locate?: ErdLocate): { modelChanged(): void } {
  /** The folders the graph is built from, in its order (ErdTable.folder is an index into this list). */
  const inputs = (): ErdInput[] => {
    const list = folders()
      .filter((f) => f.indexed)
      .map((f) => ({ name: f.name, uri: f.uri, model: f.model() }))
      .filter((f) => f.model.histories.some((h) => h.tables.length));
    // One folder: no folder prefix in the labels.
    if (list.length === 1) list[0] = { ...list[0], name: '' };
    return list;
  };
  connection.onRequest(ERD_REQUEST, (): ErdGraph => {
    try {
      return buildErdGraph(inputs());
    } catch (err) {
      throw new ResponseError(ErrorCodes.InternalError, `Building the ERD failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  connection.onRequest(ERD_TABLE_AT_REQUEST, (params: ErdTableAtParams): string | null => {
    try {
      const where = locate?.(params?.textDocument?.uri);
      if (!where || !params.position) return null;
      const list = inputs();
      const folder = list.findIndex((f) => f.uri === where.folderUri);
      const lines = folder < 0 ? undefined : list[folder].model.sources.get(where.rel)?.lines;
      if (!lines) return null;
      return erdTableAt(list[folder].model, where.rel, lines.offset(params.position), folder) ?? null;
    } catch (err) {
      throw new ResponseError(ErrorCodes.InternalError, `Finding the table at the cursor failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    modelChanged() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        connection.sendNotification(MODEL_CHANGED_NOTIFICATION, {}).catch(() => undefined);
      }, NOTIFY_DELAY_MS);
    },
  };
}
