/**
 * The VS Code side of FK Lens: starts the language server (dist/server.js, over IPC), forwards `.sql`,
 * `.prisma`, JS / TS migration and Rails schema file events to it, and contributes the commands. All analysis happens in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ErdPanels } from './erd';
import { registerPeek } from './peek';
import { RuleDocs } from './ruleDocs';
import { SHOW_STATUS_COMMAND, StatusItem } from './status';

const CLIENT_ID = 'fklens';
const CLIENT_NAME = 'FK Lens';

interface ReindexResult {
  folders: number;
  files: number;
  durationMs: number;
}

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let watcher: vscode.FileSystemWatcher | undefined;
/** JS / TS migrations and knexfiles (the server's JS_MIGRATION_GLOBS; kept literal so the client bundle stays small). */
const JS_MIGRATION_GLOBS = [
  '**/{migration,migrations,Migration,Migrations}/**/*.{js,cjs,mjs,ts,cts,mts}',
  '**/knexfile.{js,cjs,mjs,ts,cts,mts}',
  '**/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*.{js,cjs,mjs,ts,cts,mts}',
  '**/[0-9]*.[0-9]*.{js,cjs,mjs,ts,cts,mts}',
  '*.{js,cjs,mjs,ts,cts,mts}',
];
/** A Rails app's schema and migrations (the server's RAILS_GLOBS, literal for the same reason). */
const RAILS_GLOBS = ['**/db/schema.rb', '**/db/*_schema.rb', '**/db/migrate/*.rb', '**/db/*_migrate/*.rb'];
let jsWatchers: vscode.FileSystemWatcher[] = [];
let erd: ErdPanels | undefined;
let ruleDocs: RuleDocs | undefined;
let status: StatusItem | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  watcher = vscode.workspace.createFileSystemWatcher('**/*.{sql,prisma}');
  jsWatchers = [...JS_MIGRATION_GLOBS, ...RAILS_GLOBS].map((glob) => vscode.workspace.createFileSystemWatcher(glob));
  context.subscriptions.push(output, watcher, ...jsWatchers);

  context.subscriptions.push(
    vscode.commands.registerCommand('fklens.showOutput', () => output?.show(true)),
    vscode.commands.registerCommand('fklens.restartServer', () => restartServer(context)),
    vscode.commands.registerCommand('fklens.reindex', () => reindex()),
    vscode.commands.registerCommand('fklens.showReferences', showReferences),
    vscode.commands.registerCommand('fklens.saveCreatedFiles', saveCreatedFiles),
  );
  erd = new ErdPanels(context, () => client, log);
  context.subscriptions.push(erd);
  context.subscriptions.push(...registerPeek(() => client));
  ruleDocs = new RuleDocs(context);
  context.subscriptions.push(...ruleDocs.register());
  status = new StatusItem(() => output);
  context.subscriptions.push(status, vscode.commands.registerCommand(SHOW_STATUS_COMMAND, () => status?.showDetails()));

  await startServer(context);
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch {
      // Already stopped or never started: nothing to clean up.
    }
  }
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: {
      module,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--enable-source-maps', '--inspect=6019'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'sql' },
      { scheme: 'file', pattern: '**/*.sql' },
      { scheme: 'file', language: 'prisma' },
      { scheme: 'file', pattern: '**/*.prisma' },
      ...JS_MIGRATION_GLOBS.map((pattern) => ({ scheme: 'file', pattern })),
      ...RAILS_GLOBS.map((pattern) => ({ scheme: 'file', pattern })),
    ],
    synchronize: { fileEvents: watcher ? [watcher, ...jsWatchers] : jsWatchers },
    outputChannel: output,
    // The server publishes diagnostics for every file of a history, opened or not.
    diagnosticCollectionName: CLIENT_ID,
    // Hovers link to the ERD focused on a table and to the peek of a table; no other command may run from a hover.
    markdown: { isTrusted: { enabledCommands: ['fklens.showErdFor', 'fklens.peekTable'] }, supportHtml: false },
    middleware: ruleDocs?.middleware(),
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

async function startServer(context: vscode.ExtensionContext): Promise<void> {
  client = createClient(context);
  // Before start: the server reports indexing as soon as it is initialized.
  status?.clientStarted(client);
  try {
    await client.start();
    erd?.clientStarted(client);
  } catch (err) {
    log(`Could not start the FK Lens language server: ${describe(err)}`);
    void vscode.window
      .showErrorMessage('FK Lens: the language server did not start.', 'Show Output')
      .then((choice) => choice && output?.show(true));
  }
}

async function restartServer(context: vscode.ExtensionContext): Promise<void> {
  const current = client;
  try {
    if (current && current.state !== State.Stopped) {
      await current.restart();
      log('Language server restarted.');
      return;
    }
  } catch (err) {
    log(`Restart failed (${describe(err)}); starting a new server.`);
  }
  // Never started, stopped after repeated crashes, or restart failed: replace the client.
  if (current) {
    try {
      await current.dispose(2000);
    } catch {
      // The old client is gone either way.
    }
  }
  await startServer(context);
  if (client?.state === State.Running) log('Language server started.');
}

async function reindex(): Promise<void> {
  if (!client || client.state !== State.Running) {
    void vscode.window.showWarningMessage('FK Lens: the language server is not running. Run "FK Lens: Restart Language Server".');
    return;
  }
  try {
    const result = await client.sendRequest<ReindexResult>('fklens/reindex');
    const seconds = (result.durationMs / 1000).toFixed(1);
    vscode.window.setStatusBarMessage(`FK Lens: indexed ${result.files} files in ${seconds}s`, 5000);
    log(`Re-indexed ${result.files} files in ${result.folders} folder(s) in ${seconds}s.`);
  } catch (err) {
    log(`Re-index failed: ${describe(err)}`);
    void vscode.window.showErrorMessage(`FK Lens: re-index failed: ${describe(err)}`);
  }
}

interface LspPosition {
  line: number;
  character: number;
}

/** The code lens over CREATE TABLE sends LSP JSON; VS Code's references view wants its own types. */
async function showReferences(uri: string, position: LspPosition, locations: { uri: string; range: { start: LspPosition; end: LspPosition } }[]): Promise<void> {
  const pos = (p: LspPosition) => new vscode.Position(p.line, p.character);
  await vscode.commands.executeCommand(
    'editor.action.showReferences',
    vscode.Uri.parse(uri),
    pos(position),
    (locations ?? []).map((l) => new vscode.Location(vscode.Uri.parse(l.uri), new vscode.Range(pos(l.range.start), pos(l.range.end)))),
  );
}

function log(message: string): void {
  output?.info(message);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Run after a quick-fix that creates migration files (the code action's command): a workspace edit creates a
 * file empty on disk and leaves its text unsaved, and a migration tool would apply that empty file. The new files
 * are saved at once; edits to existing files stay unsaved for the user to review. The new migration (`open`) is
 * then shown beside the current file, so nothing is written silently.
 */
async function saveCreatedFiles(uris: unknown, open?: unknown): Promise<void> {
  if (!Array.isArray(uris)) return;
  const created: vscode.Uri[] = [];
  for (const raw of uris) {
    if (typeof raw !== 'string') continue;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === vscode.Uri.parse(raw).toString());
    if (!doc) continue;
    if (doc.isDirty && !(await doc.save())) log(`could not save ${doc.uri.fsPath}`);
    created.push(doc.uri);
  }
  const shown = typeof open === 'string' ? created.find((u) => u.toString() === vscode.Uri.parse(open).toString()) : undefined;
  if (!shown) return;
  await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
  const others = created.length - 1;
  vscode.window.setStatusBarMessage(`FK Lens: created ${vscode.workspace.asRelativePath(shown)}${others > 0 ? ` and ${others} more file${others > 1 ? 's' : ''}` : ''}`, 8000);
}
