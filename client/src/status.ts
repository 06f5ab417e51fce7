/**
 * The FK Lens status bar item: indexing, then how many histories are partial (FK Lens skipped something in
 * them, so findings that may rest on it are not errors). A click lists what was skipped and where (a quick
 * pick that opens the place); the output channel lists the same whenever it changes. Fed by the server's
 * `fklens/status` notification (server/src/lsp/status.ts, whose types are imported: erased from the bundle).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { FkLensStatus, StatusHistory } from '../../server/src/lsp/status';

export const SHOW_STATUS_COMMAND = 'fklens.showStatus';
const STATUS_NOTIFICATION = 'fklens/status';

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private status: FkLensStatus = { indexing: true, histories: 0, partial: [] };
  private notification: vscode.Disposable | undefined;
  private listening: LanguageClient | undefined;
  private logged = '';

  constructor(private readonly output: () => vscode.LogOutputChannel | undefined) {
    this.item = vscode.window.createStatusBarItem('fklens.status', vscode.StatusBarAlignment.Left, 0);
    this.item.name = 'FK Lens';
    this.item.command = SHOW_STATUS_COMMAND;
    this.render();
    this.item.show();
  }

  clientStarted(client: LanguageClient): void {
    if (this.listening === client) return;
    this.notification?.dispose();
    this.listening = client;
    this.notification = client.onNotification(STATUS_NOTIFICATION, (status: FkLensStatus) => this.update(status));
  }

  /** What the item shows now (for tests and the command). */
  get current(): { text: string; tooltip: string; status: FkLensStatus } {
    return { text: this.item.text, tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? ''), status: this.status };
  }

  update(status: FkLensStatus): void {
    this.status = status;
    this.render();
    this.log();
  }

  /** The click: what each partial history skipped, each entry opening its place; else the output channel. */
  async showDetails(): Promise<void> {
    const items = this.status.partial.flatMap((h) =>
      h.reasons.map((r) => ({
        label: `$(warning) ${historyLabel(h)}: ${r.code}`,
        description: `${vscode.workspace.asRelativePath(vscode.Uri.parse(r.uri))}:${r.range.start.line + 1}`,
        detail: r.message,
        reason: r,
      })),
    );
    if (!items.length) {
      this.output()?.show(true);
      return;
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: `FK Lens: ${this.status.partial.length} partial ${this.status.partial.length === 1 ? 'history' : 'histories'} (findings that may rest on what was skipped are not errors)`,
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    const { start, end } = picked.reason.range;
    await vscode.window.showTextDocument(vscode.Uri.parse(picked.reason.uri), {
      selection: new vscode.Range(start.line, start.character, end.line, end.character),
    });
  }

  dispose(): void {
    this.notification?.dispose();
    this.item.dispose();
  }

  private render(): void {
    const { indexing, histories, partial } = this.status;
    const skipped = partial.reduce((n, h) => n + h.reasons.length, 0);
    if (indexing) {
      this.item.text = '$(sync~spin) FK Lens';
      this.item.tooltip = 'FK Lens: indexing the workspace…';
    } else if (partial.length) {
      this.item.text = `$(warning) FK Lens: ${partial.length} partial`;
      this.item.tooltip =
        `FK Lens: ${partial.length} of ${histories} ${histories === 1 ? 'history is' : 'histories are'} partial: ${skipped} statement${skipped === 1 ? '' : 's'} skipped ` +
        `(${partial.map(historyLabel).join(', ')}). Findings that may rest on them are not errors. Click for details.`;
    } else {
      this.item.text = '$(check) FK Lens';
      this.item.tooltip = `FK Lens: ${histories} ${histories === 1 ? 'history' : 'histories'}, read completely.`;
    }
  }

  private log(): void {
    if (this.status.indexing) return;
    const lines = this.status.partial.flatMap((h) => [
      `Partial history ${historyLabel(h)}: FK Lens skipped ${h.reasons.length} statement${h.reasons.length === 1 ? '' : 's'}; findings that may rest on them are not errors.`,
      ...h.reasons.map((r) => `  ${vscode.workspace.asRelativePath(vscode.Uri.parse(r.uri))}:${r.range.start.line + 1}:${r.range.start.character + 1} ${r.code}: ${r.message}`),
    ]);
    const text = lines.join('\n');
    if (text === this.logged) return;
    if (lines.length) this.output()?.info(text);
    else if (this.logged) this.output()?.info('Every history is read completely now.');
    this.logged = text;
  }
}

function historyLabel(h: StatusHistory): string {
  return h.folder ? `${h.folder}: ${h.history}` : h.history;
}
