/**
 * The ERD panel: a webview showing dist/webview/ (nothing else may load), fed with the graph the language
 * server builds (`fklens/erd`), refreshed when the server reports a model change, restored after a reload
 * by a WebviewPanelSerializer (the page keeps its view with setState). Exports go through a save dialog.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { findTable, type ErdGraph } from '../../server/src/features/erd/graph';
import { erdPageHtml } from '../../server/src/features/erd/page';

const VIEW_TYPE = 'fklens.erd';
const ERD_REQUEST = 'fklens/erd';
const MODEL_CHANGED = 'fklens/modelChanged';

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
      vscode.commands.registerCommand('fklens.showErdFor', (table?: unknown) => this.showFor(table)),
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

  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'FK Lens ERD', vscode.ViewColumn.Active, this.options());
    this.adopt(panel);
  }

  async showFor(table: unknown): Promise<void> {
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
    this.pendingFocus = found.key;
    await this.show();
    if (this.ready) {
      this.pendingFocus = undefined;
      void this.panel?.webview.postMessage({ type: 'focus', key: found.key });
    }
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
    this.pendingFocus = undefined;
    void this.panel.webview.postMessage({ type: 'graph', graph, focus });
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
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.Beside });
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
