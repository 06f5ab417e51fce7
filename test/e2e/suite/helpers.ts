/**
 * Helpers for the tests that run inside VS Code's extension host (mocha, see ./index.ts): the scenario this run
 * belongs to, waiting for the extension and its diagnostics, the language server's process, and the UI driver
 * (Playwright, outside VS Code) for what only the window shows: panels, hovers, webviews, screenshots.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'fklens.fklens';

/** What the runner (../run.ts) tells the tests about this run; see `Scenario` there. */
export interface E2EContext {
  /** Scenario name (also the prefix of its screenshots). */
  run: string;
  /** The opened folder ('' when none). */
  workspace: string;
  /** Whether the workspace should activate FK Lens on its own. */
  expectActive: boolean;
  /** A schema / migration file of the workspace, relative to it, that the diagnostics tests edit. */
  editFile?: string;
  /** The folder (relative) where new migration files go. */
  migrationsDir?: string;
  /** Set when FK Lens is installed from the VSIX: the extensions folder it was installed into. */
  installedIn?: string;
}

export function e2eContext(): E2EContext {
  const raw = process.env.FKLENS_E2E_CONTEXT;
  if (!raw) throw new Error('FKLENS_E2E_CONTEXT is not set: run the end-to-end tests through test/e2e/run.ts');
  return JSON.parse(raw) as E2EContext;
}

export function workspaceUri(rel: string): vscode.Uri {
  return vscode.Uri.file(path.join(e2eContext().workspace, ...rel.split('/')));
}

/** Marks the tests' own output in the window's log (../driver/code-server.mjs prints only marked lines). */
const TEST_OUTPUT_MARK = '[fklens-e2e] ';

/** Prints a line of test output (mocha's reporter prints through this too). */
export function log(...args: unknown[]): void {
  console.log((ui.available ? TEST_OUTPUT_MARK : '') + format(...args));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something other than undefined / false and returns that. Diagnostics and UI
 * reach the window a moment after the server computes them, so every check of them waits.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(100);
  }
}

export function fklens(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this window`);
  return ext;
}

/** Waits until FK Lens has activated by itself (its activation events), without forcing it. */
export async function activated(timeoutMs = 30000): Promise<vscode.Extension<unknown>> {
  return waitFor('FK Lens to activate', () => fklens().isActive && fklens(), timeoutMs);
}

/** FK Lens's diagnostics of a file (the language server publishes under the source 'fklens'). */
export function diagnosticsOf(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'fklens');
}

export function codeOf(d: vscode.Diagnostic): string {
  const code = d.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code ?? '');
}

/** Waits until the file has a diagnostic matching `match`, and returns it. */
export function diagnosticAppears(uri: vscode.Uri, match: (d: vscode.Diagnostic) => boolean, what: string, timeoutMs?: number): Promise<vscode.Diagnostic> {
  return waitFor(`${what} in ${path.basename(uri.fsPath)}`, () => diagnosticsOf(uri).find(match), timeoutMs);
}

/** Waits until the file has no diagnostic matching `match`. */
export async function diagnosticGoes(uri: vscode.Uri, match: (d: vscode.Diagnostic) => boolean, what: string, timeoutMs?: number): Promise<void> {
  await waitFor(`${what} to go from ${path.basename(uri.fsPath)}`, () => !diagnosticsOf(uri).some(match), timeoutMs);
}

/** Writes a broken migration on disk, waits for its diagnostic, deletes it and waits for the diagnostic to go. */
export async function brokenMigrationRoundTrip(name: string): Promise<void> {
  const ctx = e2eContext();
  assert.ok(ctx.migrationsDir, 'the scenario names no migrations folder');
  const uri = workspaceUri(`${ctx.migrationsDir}/9999_${name}.up.sql`);
  const isSyntaxError = (d: vscode.Diagnostic) => codeOf(d) === 'syntax-error';
  writeFileSync(uri.fsPath, `CREATE TABLE ${name}_ok (id int PRIMARY KEY);\nCREATE TABLOE ${name}_broken (id int);\n`);
  try {
    const d = await diagnosticAppears(uri, isSyntaxError, 'a syntax-error diagnostic of the new file');
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], [1, 7, 13]);
  } finally {
    rmSync(uri.fsPath, { force: true });
  }
  await diagnosticGoes(uri, isSyntaxError, 'the deleted file\'s diagnostic');
}

// ---------------------------------------------------------------------------------------------------------
// The CLI (expected results) and documents

export interface CliFinding {
  rule: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Runs FK Lens's CLI (the bundle beside the extension) in the workspace folder and parses its JSON output. */
export function cli<T>(...args: string[]): T {
  const out = execFileSync(process.execPath, [path.join(fklens().extensionPath, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    cwd: e2eContext().workspace,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  return JSON.parse(out) as T;
}

/** The position of the `nth` occurrence of `needle` in a document (plus `delta` characters). */
export function positionOf(doc: vscode.TextDocument, needle: string, delta = 0, nth = 0): vscode.Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = doc.getText().indexOf(needle, at + 1);
    assert.ok(at >= 0, `"${needle}" (#${i + 1}) not found in ${path.basename(doc.uri.fsPath)}`);
  }
  return doc.positionAt(at + delta);
}

export function markdownOf(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

/** Markdown source with its backslash escapes removed (names and paths are escaped in FK Lens's hovers). */
export function unescapeMarkdown(md: string): string {
  return md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/**
 * Applies a code action as VS Code does: its edit, then its command. An edit that needs confirmation waits in
 * the refactor preview: it is applied there, as the user would.
 */
export async function applyCodeAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit) {
    let settled = false;
    const applying = Promise.resolve(vscode.workspace.applyEdit(action.edit)).finally(() => (settled = true));
    while (!settled) {
      await sleep(250);
      if (!settled) await vscode.commands.executeCommand('refactorPreview.apply').then(undefined, () => undefined);
    }
    assert.ok(await applying, `the edit of "${action.title}" applies`);
  }
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

/**
 * Runs the hover's "Peek N tables" link (its command and arguments, as a click would) and returns the text of
 * the `fklens:` document it opens.
 */
export async function peekFromHover(markdown: string): Promise<string> {
  const m = /\]\(command:fklens\.peekTable\?([^)\s]+)\)/.exec(markdown);
  assert.ok(m, `a peek link in the hover:\n${markdown}`);
  const args = JSON.parse(decodeURIComponent(m[1])) as unknown[];
  await vscode.commands.executeCommand('fklens.peekTable', ...args);
  const table = (args[0] as { table: string }).table;
  const doc = await waitFor(`the peek document of ${table}`, () =>
    vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'fklens' && JSON.parse(d.uri.query).table === table && d.getText().length > 0),
  );
  const text = doc.getText();
  // Leave the window as it was: no peek, no editor of the document, one editor group.
  await vscode.commands.executeCommand('closeReferenceSearch');
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'fklens');
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
  await vscode.commands.executeCommand('workbench.action.joinAllGroups');
  return text;
}

/** Quick-fix code actions at a diagnostic. */
export function quickFixes(uri: vscode.Uri, d: vscode.Diagnostic): Thenable<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
}

/**
 * Runs `command` with the caret at a position in the given editor (in front and focused) and waits for
 * `selector` showing `text`, retrying: the first request can open its widget before the editor has the focus
 * or before the content is ready.
 */
async function showAtUi(given: vscode.TextEditor, at: vscode.Position, command: string, selector: string, text: string, timeout: number, attempts: number): Promise<string[]> {
  // The editor of that document in front and focused (another group may have taken the focus).
  const editor = await vscode.window.showTextDocument(given.document, { viewColumn: given.viewColumn, preserveFocus: false });
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand(command);
    try {
      return await ui.waitFor(selector, { text, timeout });
    } catch (err) {
      lastError = err;
      await ui.call('press', { key: 'Escape' });
    }
  }
  throw lastError;
}

/** Shows the hover at a position through the UI and waits for `text` in it. */
export function showHoverUi(given: vscode.TextEditor, at: vscode.Position, text: string): Promise<string[]> {
  return showAtUi(given, at, 'editor.action.showHover', parts.hover, text, 5000, 4);
}

/** Opens the quick-fix menu at a position through the UI and waits for an entry with `text`. */
export function showQuickFixUi(given: vscode.TextEditor, at: vscode.Position, text: string): Promise<string[]> {
  return showAtUi(given, at, 'editor.action.quickFix', '.action-widget', text, 6000, 3);
}

export interface UiBox {
  width: number;
  height: number;
  scrollHeight: number;
  lineHeight: number;
  text: string;
  links: { text: string; href: string | null; dataHref: string | null; title: string | null }[];
  images: number;
}

// ---------------------------------------------------------------------------------------------------------
// The language server process

/** Process ids of FK Lens language servers started by this extension host (its child processes). */
export function serverPids(): number[] {
  const serverScript = path.join(fklens().extensionPath, 'dist', 'server.js');
  const children: { pid: number; args: string }[] = [];
  if (existsSync('/proc/self/stat')) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) continue;
        children.push({ pid: Number(name), args: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ') });
      } catch {
        // The process ended while we looked.
      }
    }
  } else {
    for (const line of execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n')) {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      if (m && Number(m[2]) === process.pid) children.push({ pid: Number(m[1]), args: m[3] });
    }
  }
  return children.filter((c) => c.args.includes(serverScript)).map((c) => c.pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until exactly one language server runs and returns its pid. */
export function runningServer(what = 'the FK Lens language server to run', timeoutMs = 30000): Promise<number> {
  return waitFor(what, () => {
    const pids = serverPids().filter(isAlive);
    return pids.length === 1 ? pids[0] : undefined;
  }, timeoutMs);
}

// ---------------------------------------------------------------------------------------------------------
// The UI driver (Playwright, outside VS Code). Absent when the tests run in a desktop VS Code: UI checks skip.

export interface UiRequest {
  selector?: string;
  /** Frames to enter first, outermost first, e.g. ['iframe.webview', 'iframe#active-frame']. */
  frames?: string[];
  text?: string;
  gone?: boolean;
  timeout?: number;
  name?: string;
  key?: string;
}

export interface UiRect {
  x: number;
  y: number;
  width: number;
  height: number;
  /** The font size as drawn on screen, in pixels. */
  fontPx: number;
  text: string;
}

export const ui = {
  available: !!process.env.FKLENS_E2E_DRIVER,

  async call<T = Record<string, unknown>>(action: string, request: UiRequest = {}): Promise<T> {
    const base = process.env.FKLENS_E2E_DRIVER;
    if (!base) throw new Error('no UI driver in this run (FKLENS_E2E_DRIVER is not set)');
    const res = await fetch(`${base}/${encodeURIComponent(action)}`, { method: 'POST', body: JSON.stringify(request) });
    const body = (await res.json()) as { result?: T; error?: string };
    if (!res.ok || body.error) throw new Error(`UI action ${action} failed: ${body.error ?? res.status}`);
    return body.result as T;
  },

  /** Saves test-results/screenshots/<run>-<name>.png (no-op without a driver). */
  async screenshot(name: string, request: UiRequest = {}): Promise<void> {
    if (ui.available) await ui.call('screenshot', { ...request, name });
  },

  async texts(selector: string, frames?: string[]): Promise<string[]> {
    return (await ui.call<{ texts: string[] }>('texts', { selector, frames })).texts;
  },

  /** Rectangles (frame coordinates) and on-screen font sizes of the elements matching `selector`. */
  async rects(selector: string, frames?: string[]): Promise<UiRect[]> {
    return (await ui.call<{ rects: UiRect[] }>('rects', { selector, frames })).rects;
  },

  /** Waits until an element matching `selector` (containing `text`) is visible; `gone`: until none is. */
  async waitFor(selector: string, options: Omit<UiRequest, 'selector'> = {}): Promise<string[]> {
    return (await ui.call<{ texts: string[] }>('waitFor', { ...options, selector })).texts;
  },
};

/** Selectors of workbench parts, in one place so a VS Code update means one fix. */
export const parts = {
  problemsPanel: '.markers-panel',
  problemRow: '.markers-panel .monaco-list-row',
  editorSquiggleError: '.monaco-editor .squiggly-error',
  hover: '.monaco-hover',
  codeLens: '.monaco-editor .codelens-decoration',
  webviewFrames: ['iframe.webview', 'iframe#active-frame'],
};
