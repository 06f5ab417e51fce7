/**
 * LSP side of the status bar item: the `fklens/status` notification tells the client whether FK Lens is
 * indexing and which histories are partial (model/partial.ts), with what was skipped and where. Sent when
 * indexing starts or ends, and shortly after an analysis when the partial state changed.
 */
import type { Connection } from 'vscode-languageserver/node';
import { historyGaps } from '../model/partial';
import type { WorkspaceModel } from '../workspace/workspace';

export const STATUS_NOTIFICATION = 'fklens/status';

/** Something a history skipped, as an LSP location (0-based). */
export interface StatusReason {
  code: string;
  message: string;
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface StatusHistory {
  /** The workspace folder's name (empty with one folder). */
  folder: string;
  /** The history's id (its folder path; `.` for the root). */
  history: string;
  reasons: StatusReason[];
}

export interface FkLensStatus {
  indexing: boolean;
  /** Histories in all indexed folders. */
  histories: number;
  partial: StatusHistory[];
}

export interface StatusFolderSource {
  name: string;
  indexed: boolean;
  model(): WorkspaceModel;
  uriOf(file: string): string;
}

const NOTIFY_DELAY_MS = 200;

export function registerStatus(connection: Connection, folders: () => StatusFolderSource[]): { indexing(on: boolean): void; modelChanged(): void } {
  let indexing = false;
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  const send = () => {
    let status: FkLensStatus;
    try {
      status = currentStatus(indexing, folders());
    } catch {
      return; // a model that cannot be built now is reported by the analysis itself
    }
    const key = JSON.stringify(status);
    if (key === last) return;
    last = key;
    connection.sendNotification(STATUS_NOTIFICATION, status).catch(() => undefined);
  };
  return {
    indexing(on) {
      indexing = on;
      if (timer) clearTimeout(timer);
      timer = undefined;
      send();
    },
    modelChanged() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        send();
      }, NOTIFY_DELAY_MS);
    },
  };
}

export function currentStatus(indexing: boolean, sources: StatusFolderSource[]): FkLensStatus {
  const indexed = sources.filter((f) => f.indexed);
  const named = indexed.filter((f) => f.model().histories.length).length > 1;
  const partial: StatusHistory[] = [];
  let histories = 0;
  for (const folder of indexed) {
    const model = folder.model();
    histories += model.histories.length;
    for (const history of model.histories) {
      const gaps = historyGaps(history);
      if (!gaps.length) continue;
      partial.push({
        folder: named ? folder.name : '',
        history: history.history.id || '.',
        reasons: gaps.map((g) => {
          const lines = model.sources.get(g.file)?.lines;
          const at = (offset: number) => lines?.position(Math.min(Math.max(0, offset), lines.text.length)) ?? { line: 0, character: 0 };
          return { code: g.code, message: g.message, uri: folder.uriOf(g.file), range: { start: at(g.span.start), end: at(Math.max(g.span.start, g.span.end)) } };
        }),
      });
    }
  }
  return { indexing, histories, partial };
}
