/**
 * The ERD panel: a webview showing dist/webview/ (nothing else may load), fed with the graph the language
 * server builds (`fklens/erd`), refreshed when the server reports a model change, restored after a reload
 * by a WebviewPanelSerializer (the page keeps its view with setState). Exports go through a save dialog.
 * "Show ERD" from an editor opens beside it, on the table under the cursor (`fklens/erdTableAt`); a table's
 * definition opens in the editor that already shows its file, if any.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { findTable, type ErdGraph } from '../../server/src/features/erd/graph';
import { erdPageHtml } from '../../server/src/features/erd/page';

const VIEW_TYPE = 'fklens.erd';
const ERD_REQUEST = 'fklens/erd';
const ERD_TABLE_AT_REQUEST = 'fklens/erdTableAt';
const MODEL_CHANGED = 'fklens/modelChanged';

/** The second argument of `fklens.showErdFor`: `blastRadius` selects the table and fits the view to what its DELETE reaches. */
export interface ShowErdOptions {
  blastRadius?: boolean;
}

type FromWebview =
  | { type: 'ready' }
  | { type: 'open'; key: string }
  | { type: 'save'; format: 'svg' | 'png' | 'mermaid'; data: string; name: string }
  | { type: 'error'; message: string };

export class ErdPanels implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private graph: ErdGraph | undefined;
  private ready = false;
  private pendingFocus: string | undefined;
  private pendingRadius = false;
  private listening: LanguageClient | undefined;
  private notification: vscode.Disposable | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: () => LanguageClient | undefined,
    private readonly log: (message: string) => void,
  ) {
    this.disposables.push(
      vscode.commands.registerCommand('fklens.showErd', () => this.show()),
      vscode.commands.registerCommand('fklens.showErdFor', (table?: unknown, options?: unknown) => this.showFor(table, options)),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => this.adopt(panel),
      }),
    );
  }

  /** Called whenever a language client (re)starts: listen for its model-change notifications. */
  clientStarted(client: LanguageClient): void {
    if (this.listening === client) return;
    this.notification?.dispose();
    this.listening = client;
    this.notification = client.onNotification(MODEL_CHANGED, () => {
      if (this.panel && this.ready) void this.refresh();
    });
    if (this.panel && this.ready) void this.refresh();
  }

  /** "Show ERD": beside the active editor, on the table under its cursor (when there is one). */
  async show(): Promise<void> {
    const key = await this.tableAtCursor();
    if (key) {
      await this.open(key, false);
      return;
    }
    await this.reveal();
  }

  private async reveal(): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const beside = vscode.window.activeTextEditor !== undefined;
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'FK Lens ERD', beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, this.options());
    this.adopt(panel);
  }

  /** The graph key of the table under the active editor's cursor, from the language server. */
  private async tableAtCursor(): Promise<string | undefined> {
    const editor = vscode.window.activeTextEditor;
    const client = this.client();
    if (!editor || !client?.isRunning()) return undefined;
    try {
      const key = await client.sendRequest<string | null>(ERD_TABLE_AT_REQUEST, {
        textDocument: { uri: editor.document.uri.toString() },
        position: editor.selection.active,
      });
      return key ?? undefined;
    } catch (err) {
      this.log(`ERD: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** Shows the diagram on a table: focused on it, or with its blast radius fitted. */
  private async open(key: string, radius: boolean): Promise<void> {
    this.pendingFocus = key;
    this.pendingRadius = radius;
    await this.reveal();
    if (this.ready) {
      this.pendingFocus = undefined;
      this.pendingRadius = false;
      void this.panel?.webview.postMessage({ type: 'focus', key, radius });
    }
  }

  async showFor(table: unknown, options?: unknown): Promise<void> {
    const radius = !!options && typeof options === 'object' && (options as ShowErdOptions).blastRadius === true;
    let name = typeof table === 'string' ? table : undefined;
    if (!name) {
      const graph = await this.fetchGraph();
      const pick = await vscode.window.showQuickPick(
        (graph?.tables ?? []).map((t) => ({ label: `${t.schema}.${t.name}`, description: t.file })),
        { placeHolder: 'Table to show in the ERD' },
      );
      if (!pick) return;
      name = pick.label;
    }
    const graph = this.graph ?? (await this.fetchGraph());
    const found = graph && findTable(graph, name);
    if (!found) {
      void vscode.window.showWarningMessage(`FK Lens: no table named ${name} in the model.`);
      return;
    }
    await this.open(found.key, radius);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.options = this.options();
    panel.webview.html = this.html(panel.webview);
    const messages = panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m));
    panel.onDidDispose(() => {
      messages.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
    const client = this.client();
    if (client) this.clientStarted(client);
  }

  private html(webview: vscode.Webview): string {
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', name)).toString();
    return erdPageHtml({
      kind: 'webview',
      nonce: randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
      scriptUri: asset('erd.js'),
      styleUri: asset('erd.css'),
      workerUri: asset('elk-worker.min.js'),
    });
  }

  private async fetchGraph(): Promise<ErdGraph | undefined> {
    const client = this.client();
    if (!client || !client.isRunning()) return undefined;
    try {
      this.graph = await client.sendRequest<ErdGraph>(ERD_REQUEST);
      return this.graph;
    } catch (err) {
      this.log(`ERD: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  private async refresh(): Promise<void> {
    const graph = await this.fetchGraph();
    if (!graph || !this.panel) return;
    const focus = this.pendingFocus;
    const radius = this.pendingRadius;
    this.pendingFocus = undefined;
    this.pendingRadius = false;
    void this.panel.webview.postMessage({ type: 'graph', graph, focus, radius });
  }

  private async onMessage(m: FromWebview): Promise<void> {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'ready') {
      this.ready = true;
      await this.refresh();
    } else if (m.type === 'open') await this.openDefinition(m.key);
    else if (m.type === 'save') await this.save(m.format, m.data, m.name);
    else if (m.type === 'error') this.log(m.message);
  }

  private async openDefinition(key: string): Promise<void> {
    const graph = this.graph;
    const table = graph?.tables.find((t) => t.key === key);
    if (!graph || !table) return;
    const base = graph.folders[table.folder]?.uri;
    const uri = base ? vscode.Uri.joinPath(vscode.Uri.parse(base), ...table.file.split('/')) : vscode.Uri.file('/' + table.file);
    const position = new vscode.Position(table.line, table.character);
    const selection = new vscode.Range(position, position);
    const same = (u: vscode.Uri) => u.toString() === uri.toString();
    // The editor that already shows the file, else the group that has it in a tab, else another group than the diagram's.
    const visible = vscode.window.visibleTextEditors.find((e) => same(e.document.uri));
    const tabbed = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && same(t.input.uri)));
    const other = vscode.window.tabGroups.all.find((g) => g.viewColumn !== this.panel?.viewColumn);
    const viewColumn = visible?.viewColumn ?? tabbed?.viewColumn ?? other?.viewColumn ?? vscode.ViewColumn.Beside;
    const options: vscode.TextDocumentShowOptions = { selection, viewColumn, preserveFocus: false };
    const editor = visible ? await vscode.window.showTextDocument(visible.document, options) : await vscode.window.showTextDocument(uri, options);
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async save(format: 'svg' | 'png' | 'mermaid', data: string, name: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const filters: Record<string, string[]> =
      format === 'png' ? { 'PNG image': ['png'] } : format === 'svg' ? { 'SVG image': ['svg'] } : { 'Mermaid diagram': ['mmd', 'md'] };
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters });
    if (!target) return;
    const bytes = format === 'png' ? Buffer.from(data, 'base64') : Buffer.from(data, 'utf8');
    await vscode.workspace.fs.writeFile(target, bytes);
    vscode.window.setStatusBarMessage(`FK Lens: saved ${target.fsPath}`, 5000);
  }

  dispose(): void {
    this.notification?.dispose();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
