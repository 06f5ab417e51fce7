/**
 * LSP side of the ERD: the `fklens/erd` request returns the graph of every indexed folder (features/erd),
 * and `fklens/modelChanged` tells the client, shortly after an analysis, that the graph may have changed.
 */
import type { Connection } from 'vscode-languageserver/node';
import { ResponseError, ErrorCodes } from 'vscode-languageserver/node';
import { buildErdGraph, type ErdGraph } from '../features/erd/graph';
import type { WorkspaceModel } from '../workspace/workspace';

export const ERD_REQUEST = 'fklens/erd';
export const MODEL_CHANGED_NOTIFICATION = 'fklens/modelChanged';

export interface ErdFolderSource {
  name: string;
  uri: string;
  indexed: boolean;
  model(): WorkspaceModel;
}

const NOTIFY_DELAY_MS = 200;

export function registerErd(connection: Connection, folders: () => ErdFolderSource[]): { modelChanged(): void } {
  connection.onRequest(ERD_REQUEST, (): ErdGraph => {
    try {
      const inputs = folders()
        .filter((f) => f.indexed)
        .map((f) => ({ name: f.name, uri: f.uri, model: f.model() }))
        .filter((f) => f.model.histories.some((h) => h.tables.length));
      // One folder: no folder prefix in the labels.
      if (inputs.length === 1) inputs[0] = { ...inputs[0], name: '' };
      return buildErdGraph(inputs);
    } catch (err) {
      throw new ResponseError(ErrorCodes.InternalError, `Building the ERD failed: ${err instanceof Error ? err.message : String(err)}`);
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
