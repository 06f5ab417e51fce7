/**
 * The FK Lens language server. LSP wiring only: it feeds editor and disk contents into one Workspace per
 * workspace folder and translates what the core reports into LSP messages. The analysis itself lives in
 * sources/, model/, workspace/, analysis/ and features/, none of which know about LSP.
 *
 * Transport: whatever the command line says (`--node-ipc` when VS Code starts it, `--stdio` for other
 * editors, `--socket=` / `--pipe=`), handled by createConnection.
 */
import './heap';
import { existsSync, promises as fsp } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as nodePath from 'node:path';
import {
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  ResponseError,
  ErrorCodes,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type DidChangeConfigurationParams,
  type DidChangeWatchedFilesParams,
  type InitializeParams,
  type InitializeResult,
  type RenameFilesParams,
  type WorkDoneProgressReporter,
  type WorkspaceFolder,
  type WorkspaceFoldersChangeEvent,
  WatchKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initPostgresParser } from './sources/sql/postgres';
import { isJsMigrationCandidate, JS_MIGRATION_GLOBS } from './workspace/jsMigrations';
import { isRubySource, RAILS_GLOBS } from './workspace/railsApps';
import { Workspace, type WorkspaceModel } from './workspace/workspace';
import type { DiscoveryOptions } from './workspace/discovery';
import { readCandidate, scanWorkspace, skipReason } from './workspace/disk';
import type { SourceFile } from './sources/events';
import { computeDiagnostics, type FileDiagnostic } from './features/diagnostics';
import { CONFIG_FILE, DEFAULT_DOCS_BASE_URL, resolveConfig, settingsLayer, type FkLensConfig } from './config/config';
import { loadConfigFile, type LoadedConfigFile } from './config/load';
import { configDiagnostics } from './lsp/config';
import { toLspDiagnostic } from './lsp/diagnostics';
import { registerLanguageFeatures, type FolderView } from './lsp/features';
import { registerErd } from './lsp/erd';
import { registerStatus } from './lsp/status';
import { contains, fsPathOf, isUnder, newFolder, normalizeKey, uriFor, uriToFsPath, type Folder, type Location } from './lsp/folders';

const VERSION = process.env.FKLENS_VERSION ?? 'dev';
/** Files read without include globs: SQL and Prisma schemas (discovery.ts decides the rest). */
const SCHEMA_FILE = /\.(sql|prisma)$/i;
/** While indexing, give the event loop a turn this often so requests and edits are not starved. */
const YIELD_EVERY_MS = 50;
/** How long to wait for the client to answer a request of ours (settings, progress) before going on without. */
const CLIENT_REPLY_MS = 5000;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

// ---------------------------------------------------------------------------------------------------------
// Folders

let folders: Folder[] = [];
const loose = newFolder('', 'loose files', '', true);

function folderFromProtocol(folder: WorkspaceFolder): Folder | undefined {
  const fsPath = uriToFsPath(folder.uri);
  if (!fsPath) {
    log(`Ignoring workspace folder ${folder.uri}: only file: folders are supported.`);
    return undefined;
  }
  return newFolder(folder.uri, folder.name || nodePath.basename(fsPath), fsPath);
}

/** The innermost workspace folder holding a path (nested folders each own their own files). */
function ownerOf(fsPath: string): Folder | undefined {
  const key = normalizeKey(fsPath);
  let best: Folder | undefined;
  for (const folder of folders) {
    if (contains(folder.key, key) && (!best || folder.key.length > best.key.length)) best = folder;
  }
  return best;
}

/** Maps a document or file URI to the folder that owns it and the path inside it. */
function locate(uri: unknown): Location | undefined {
  const fsPath = uriToFsPath(uri);
  if (!fsPath) return undefined;
  const folder = ownerOf(fsPath);
  if (folder) {
    const rel = nodePath.relative(folder.fsPath, fsPath).split(nodePath.sep).join('/');
    return { folder, rel, fsPath };
  }
  const rel = fsPath.split(nodePath.sep).join('/').replace(/^\/+/, '');
  return { folder: loose, rel, fsPath };
}

// ---------------------------------------------------------------------------------------------------------
// Logging and guards

function log(message: string): void {
  try {
    connection.console.log(message);
  } catch {
    // The connection is gone; nothing to report to.
  }
}

function logError(context: string, err: unknown): void {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    connection.console.error(`${context}: ${detail}`);
  } catch {
    // The connection is gone.
  }
}

/** Wraps a handler so that neither a throw nor a rejected promise escapes it. */
function guard<A extends unknown[]>(context: string, handler: (...args: A) => unknown): (...args: A) => void {
  return (...args: A) => {
    try {
      const result = handler(...args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(undefined, (err: unknown) => logError(context, err));
      }
    } catch (err) {
      logError(context, err);
    }
  };
}

/**
 * Disk events (file events, closes, renames, settings) and index runs are applied one after the other, so a
 * slow read cannot overtake a later event and an index run never misses a change made while it reads.
 * Editor changes do not wait: they are applied at once (and laid over a new index before it is swapped in).
 */
let fileQueue: Promise<void> = Promise.resolve();
function enqueue(context: string, job: () => Promise<void> | void): Promise<void> {
  fileQueue = fileQueue.then(job).catch((err: unknown) => logError(context, err));
  return fileQueue;
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

process.on('uncaughtException', (err) => logError('uncaught exception', err));
process.on('unhandledRejection', (err) => logError('unhandled rejection', err));

// ---------------------------------------------------------------------------------------------------------
// Client capabilities and settings

const client = {
  configuration: false,
  configurationDynamic: false,
  watchedFilesDynamic: false,
  workspaceFolders: false,
  relatedInformation: false,
};

/** Settings pushed with didChangeConfiguration, used when the client cannot be asked (no workspace/configuration). */
let pushedSettings: unknown;

/** The folder's configuration: its `.fklens.json`, overridden by the fklens.* settings. Problems are logged. */
async function fetchConfig(folder: Folder): Promise<FkLensConfig> {
  const file = folder.loose ? { layer: {}, problems: [], issues: [] } : await loadConfigFile(folder.fsPath);
  const settings = settingsLayer(await fetchSettings(folder));
  for (const problem of [...file.problems, ...settings.problems]) log(problem);
  if (!folder.loose) publishConfigDiagnostics(folder, file);
  return resolveConfig(file.layer, settings.layer);
}

/** Folders whose `.fklens.json` has diagnostics showing (cleared once the file is fixed or gone). */
const configWithProblems = new Set<string>();

function publishConfigDiagnostics(folder: Folder, file: LoadedConfigFile): void {
  const uri = `${folder.uri}/${CONFIG_FILE}`;
  const diagnostics = file.issues.length ? configDiagnostics(file) : [];
  if (!diagnostics.length && !configWithProblems.has(uri)) return;
  if (diagnostics.length) configWithProblems.add(uri);
  else configWithProblems.delete(uri);
  connection.sendDiagnostics({ uri, diagnostics }).catch((err: unknown) => logError('publishing the .fklens.json diagnostics', err));
}

async function fetchSettings(folder: Folder): Promise<unknown> {
  let section: unknown;
  if (client.configuration) {
    try {
      section = await withTimeout(
        connection.workspace.getConfiguration(folder.loose ? { section: 'fklens' } : { scopeUri: folder.uri, section: 'fklens' }),
        CLIENT_REPLY_MS,
        undefined,
      );
    } catch (err) {
      logError('reading the fklens settings', err);
    }
  } else {
    section = (pushedSettings as { fklens?: unknown } | undefined)?.fklens;
  }
  return section;
}

const sameOptions = (a: DiscoveryOptions, b: DiscoveryOptions) => JSON.stringify(a) === JSON.stringify(b);

// ---------------------------------------------------------------------------------------------------------
// Parser

let parserLoaded = false;
let parserReady: Promise<void> = Promise.resolve();

function loadParser(): void {
  parserReady = initPostgresParser().then(
    () => {
      parserLoaded = true;
    },
    (err: unknown) => {
      // Keep going: readers report the failure per file instead of the server dying.
      parserLoaded = true;
      logError('loading the PostgreSQL parser (libpg-query.wasm)', err);
      void connection.window.showErrorMessage('FK Lens could not load its PostgreSQL parser; see the FK Lens output.');
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Analysis and diagnostics

/**
 * Edits are analysed at once when the server is idle (no fixed debounce). An analysis runs in slices: between
 * slices it gives the event loop a turn (requests and further edits get through) and stops when a change of its
 * folder superseded it; the folder is then analysed again from its newest text, so edits made while an analysis
 * runs are coalesced into the next one. Hovers, completion and code lenses answer from the last finished model
 * meanwhile (Folder.model). One runner analyses one folder at a time.
 */
const dirty = new Set<Folder>();
let runner: Promise<void> | undefined;
/** A slice of analysis work runs at most about this long before the event loop gets a turn. */
const SLICE_MS = 15;

function schedule(folder: Folder): void {
  dirty.add(folder);
  folder.changes++;
  startRunner();
}

function startRunner(): void {
  runner ??= runAnalyses().finally(() => {
    runner = undefined;
    if (dirty.size) startRunner();
  });
}

/** Resolves when no analysis is running or due. */
async function analysesDone(): Promise<void> {
  while (runner) await runner;
}

async function runAnalyses(): Promise<void> {
  // Let the notifications already received (a burst of didChange) be applied first.
  await yieldToEventLoop();
  if (!parserLoaded) await parserReady;
  while (dirty.size) {
    const folder = [...dirty][0];
    dirty.delete(folder);
    if (!folder.loose && !folders.includes(folder)) continue;
    // Before the first scan, the index run schedules the folder once it is done.
    if (!folder.indexed) continue;
    try {
      await analyze(folder);
    } catch (err) {
      logError(`analysing ${folder.name}`, err);
    }
  }
}

/** Reads what changed, replays, runs the rules and publishes; returns early when a newer change superseded it. */
async function analyze(folder: Folder): Promise<void> {
  const workspace = folder.workspace;
  const at = folder.changes;
  const superseded = () => folder.changes !== at || folder.workspace !== workspace;
  let sliceStart = Date.now();
  try {
    for (const _ of workspace.readPending()) {
      if (Date.now() - sliceStart < SLICE_MS) continue;
      await yieldToEventLoop();
      if (superseded()) return;
      sliceStart = Date.now();
    }
  } catch (err) {
    logError(`reading the files of ${folder.name}`, err);
  }
  if (superseded()) return;
  let model: WorkspaceModel;
  try {
    model = workspace.model();
  } catch (err) {
    logError(`analysing ${folder.name}`, err);
    model = readersOnly(workspace);
  }
  let diagnostics: Map<string, FileDiagnostic[]>;
  try {
    diagnostics = computeDiagnostics(model, (path) => workspace.text(path), { config: folder.config.analysis, onNote: log });
  } catch (err) {
    logError(`computing diagnostics of ${folder.name}`, err);
    return;
  }
  publish(folder, diagnostics);
  folder.model = model;
  features.modelChanged(model);
  erd.modelChanged();
  status.modelChanged();
}

/** When the replay fails, still show what each file's reader found (syntax errors above all). */
function readersOnly(workspace: Workspace): WorkspaceModel {
  const sources = new Map<string, SourceFile>();
  for (const path of workspace.filePaths()) {
    try {
      const source = workspace.source(path);
      if (source) sources.set(path, source);
    } catch (err) {
      logError(`reading ${path}`, err);
    }
  }
  return { histories: [], sources };
}

/**
 * The rule pages shipped beside the server (dist/../docs/rules, in the VSIX too): unless the user set a
 * `docsBaseUrl`, a diagnostic's code opens the page of the installed version, offline.
 */
const SHIPPED_DOCS = nodePath.resolve(__dirname, '..', 'docs', 'rules');
const SHIPPED_DOCS_URL = existsSync(SHIPPED_DOCS) ? pathToFileURL(SHIPPED_DOCS).href + '/' : undefined;

function docsBaseFor(folder: Folder): string {
  const configured = folder.config.docsBaseUrl;
  return configured === DEFAULT_DOCS_BASE_URL && SHIPPED_DOCS_URL ? SHIPPED_DOCS_URL : configured;
}

function publish(folder: Folder, diagnostics: Map<string, FileDiagnostic[]>): void {
  const next = new Map<string, { uri: string; hash: string }>();
  for (const [rel, list] of diagnostics) {
    const uri = uriFor(folder, rel);
    const context = { docsBaseUrl: docsBaseFor(folder), uriOf: (file: string) => uriFor(folder, file), relatedInformation: client.relatedInformation };
    const lsp = list.map((d) => toLspDiagnostic(d, context));
    const hash = JSON.stringify(lsp);
    const previous = folder.published.get(rel);
    if (previous && previous.uri !== uri) send(previous.uri, []);
    // Only what changed is sent: a file's list, or whether it is open (an open file's list carries its version).
    const openDoc = documents.get(uri);
    const state = hash + (openDoc ? '\0open' : '');
    next.set(rel, { uri, hash: state });
    if (previous && previous.uri === uri && previous.hash === state) continue;
    send(uri, lsp, openDoc?.version);
  }
  for (const [rel, previous] of folder.published) {
    if (!next.has(rel)) send(previous.uri, [], documents.get(previous.uri)?.version);
  }
  folder.published = next;
}

function clearDiagnostics(folder: Folder): void {
  for (const previous of folder.published.values()) send(previous.uri, []);
  folder.published = new Map();
}

function send(uri: string, diagnostics: Diagnostic[], version?: number): void {
  connection.sendDiagnostics({ uri, version, diagnostics }).catch((err: unknown) => logError('publishing diagnostics', err));
}

// ---------------------------------------------------------------------------------------------------------
// Indexing

interface IndexResult {
  folders: number;
  files: number;
  durationMs: number;
}

const nullReporter: WorkDoneProgressReporter = { begin() {}, report() {}, done() {} };

async function startProgress(): Promise<WorkDoneProgressReporter> {
  try {
    // A client that never answers must not stall indexing: go on without progress after a while.
    return await withTimeout(connection.window.createWorkDoneProgress(), CLIENT_REPLY_MS, nullReporter);
  } catch (err) {
    logError('creating a progress indicator', err);
    return nullReporter;
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Reads the folders from disk into fresh Workspaces, parses them, swaps them in and publishes diagnostics. */
async function indexFolders(targets: Folder[]): Promise<IndexResult> {
  const started = Date.now();
  if (!targets.length) return { folders: 0, files: 0, durationMs: 0 };
  const progress = await startProgress();
  progress.begin('FK Lens', 0, 'scanning the workspace…', false);
  status.indexing(true);
  let fileCount = 0;
  try {
    const jobs: { folder: Folder; generation: number; workspace: Workspace; config: FkLensConfig }[] = [];
    for (const folder of targets) {
      const generation = ++folder.generation;
      const config = await fetchConfig(folder);
      const options = config.migrations;
      let files = new Map<string, string>();
      try {
        const scan = await scanWorkspace(folder.fsPath, options, config.files);
        files = scan.files;
        for (const skipped of scan.skipped) log(`Skipping ${skipped.path}: ${skipReason(skipped.reason, skipped)}.`);
      } catch (err) {
        logError(`reading ${folder.fsPath}`, err);
      }
      if (generation !== folder.generation || !folders.includes(folder)) continue;
      const workspace = new Workspace(options);
      for (const [rel, text] of files) {
        // A nested workspace folder owns its own files.
        if (ownerOf(fsPathOf(folder, rel)) !== folder) continue;
        if (workspace.setFile(rel, text)) fileCount++;
      }
      overlayOpenDocuments(folder, workspace);
      jobs.push({ folder, generation, workspace, config });
    }

    const message = `indexing ${fileCount} file${fileCount === 1 ? '' : 's'}`;
    progress.report(0, message);
    await parserReady;
    const toParse = jobs.map((job) => historyFiles(job.workspace));
    const total = toParse.reduce((n, list) => n + list.length, 0);
    let parsed = 0;
    let lastYield = Date.now();
    for (let j = 0; j < jobs.length; j++) {
      const job = jobs[j];
      for (const path of toParse[j]) {
        if (job.generation !== job.folder.generation) break;
        try {
          job.workspace.source(path);
        } catch (err) {
          logError(`reading ${path}`, err);
        }
        parsed++;
        if (Date.now() - lastYield >= YIELD_EVERY_MS) {
          progress.report(Math.min(99, Math.floor((parsed / Math.max(1, total)) * 100)), message);
          await yieldToEventLoop();
          lastYield = Date.now();
        }
      }
      const { folder } = job;
      if (job.generation !== folder.generation || !folders.includes(folder)) continue;
      // Edits made while parsing went to the old workspace; the editor's text wins.
      overlayOpenDocuments(folder, job.workspace);
      folder.workspace = job.workspace;
      folder.options = job.config.migrations;
      folder.config = job.config;
      folder.indexed = true;
      schedule(folder);
    }
    // The index run ends once its diagnostics are out.
    await analysesDone();
    log(`Indexed ${fileCount} files in ${jobs.length} folder(s) in ${Date.now() - started} ms.`);
  } finally {
    progress.done();
    status.indexing(false);
  }
  return { folders: targets.length, files: fileCount, durationMs: Date.now() - started };
}

function historyFiles(workspace: Workspace): string[] {
  try {
    return workspace.histories().flatMap((history) => history.files);
  } catch (err) {
    logError('planning the migration histories', err);
    return workspace.filePaths();
  }
}

function overlayOpenDocuments(folder: Folder, workspace: Workspace): void {
  for (const [rel, uri] of folder.open) {
    const doc = documents.get(uri);
    if (doc) workspace.setFile(rel, doc.getText());
  }
}

/** Re-indexes folders once the disk events received so far are applied. */
function reindex(targets: Folder[]): Promise<IndexResult> {
  return new Promise<IndexResult>((resolve, reject) => {
    void enqueue('re-indexing', async () => {
      try {
        resolve(await indexFolders(targets));
      } catch (err) {
        reject(err);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Keeping the workspaces current

/** Same rules as the initial scan (workspace/disk.ts): size limit, symlinks out of the folder, text only. */
async function readDiskFile(folder: Folder, rel: string): Promise<string | undefined> {
  const read = await readCandidate(folder.fsPath, rel, folder.config.files);
  if (typeof read === 'string') return read;
  if (read.reason !== 'dangling-symlink' && read.reason !== 'unreadable') log(`Skipping ${fsPathOf(folder, rel)}: ${skipReason(read.reason, read)}.`);
  return undefined;
}

/** Makes the workspace hold the disk's version of a file (unless the editor has it open). */
async function syncFromDisk(folder: Folder, rel: string): Promise<void> {
  if (folder.loose || folder.open.has(rel)) return;
  const text = await readDiskFile(folder, rel);
  if (folder.open.has(rel)) return; // opened while reading: the editor wins
  const workspace = folder.workspace;
  const changed = text === undefined ? workspace.deleteFile(rel) : workspace.setFile(rel, text);
  if (changed) schedule(folder);
}

/** A file or a whole directory went away on disk. */
function deleteFromDisk(folder: Folder, rel: string): void {
  let changed = false;
  const paths = folder.workspace.hasFile(rel) ? [rel] : folder.workspace.filePaths();
  for (const path of paths) {
    if (!isUnder(path, rel) || folder.open.has(path)) continue;
    changed = folder.workspace.deleteFile(path) || changed;
    folder.uris.delete(path);
  }
  if (changed) schedule(folder);
}

function syncOpenDocument(document: TextDocument): void {
  const location = locate(document.uri);
  if (!location) return;
  const { folder, rel } = location;
  folder.open.set(rel, document.uri);
  folder.workspace.setFile(rel, document.getText());
  schedule(folder);
}

function closeDocument(uri: string): void {
  const location = locate(uri);
  if (!location) return;
  const { folder, rel } = location;
  if (folder.open.get(rel) === uri) folder.open.delete(rel);
  if (folder.loose) {
    if (folder.workspace.deleteFile(rel)) schedule(folder);
    return;
  }
  // The disk's text wins again (it differs when the editor closed without saving).
  void enqueue('re-reading a closed file', () => syncFromDisk(folder, rel));
}

async function applyFileEvents(params: DidChangeWatchedFilesParams): Promise<void> {
  // Several watchers may report the same change; the last event per URI decides.
  const latest = new Map<string, number>();
  for (const change of params?.changes ?? []) {
    if (change && typeof change.uri === 'string') latest.set(change.uri, change.type);
  }
  for (const [uri, type] of latest) {
    const location = locate(uri);
    if (!location || location.folder.loose) continue;
    const { folder, rel } = location;
    if (rel === CONFIG_FILE) {
      // The folder's .fklens.json was created, changed or deleted: its severities apply at once.
      await applySettings([folder]);
    } else if (type === FileChangeType.Deleted) {
      deleteFromDisk(folder, rel);
    } else if (SCHEMA_FILE.test(rel) || isJsMigrationCandidate(rel) || isRubySource(rel) || folder.workspace.hasFile(rel)) {
      folder.uris.set(rel, uri);
      await syncFromDisk(folder, rel);
    } else if (type === FileChangeType.Created) {
      // Some clients report a new folder (copied or moved in) rather than each file in it.
      const stat = await fsp.stat(location.fsPath).catch(() => undefined);
      if (stat?.isDirectory()) await addDirectory(folder, rel, location.fsPath);
    }
  }
}

async function applyRenames(params: RenameFilesParams): Promise<void> {
  for (const file of params?.files ?? []) {
    const from = locate(file?.oldUri);
    const to = locate(file?.newUri);
    if (from && !from.folder.loose) deleteFromDisk(from.folder, from.rel);
    if (!to || to.folder.loose) continue;
    const stat = await fsp.stat(to.fsPath).catch(() => undefined);
    if (stat?.isDirectory()) await addDirectory(to.folder, to.rel, to.fsPath);
    else {
      if (SCHEMA_FILE.test(to.rel) || isJsMigrationCandidate(to.rel) || isRubySource(to.rel)) to.folder.uris.set(to.rel, file.newUri);
      await syncFromDisk(to.folder, to.rel);
    }
  }
}

/** A directory appeared (moved or copied in): read the schema files under it. */
async function addDirectory(folder: Folder, rel: string, fsPath: string): Promise<void> {
  // Default rules here (every .sql file, ignored folders skipped): the folder's include / exclude globs are
  // relative to the folder, and the planner applies them to every file the workspace holds anyway.
  const files = (await scanWorkspace(fsPath, {}, { ...folder.config.files, boundary: folder.fsPath })).files;
  let changed = false;
  for (const [sub, text] of files) {
    const path = rel ? `${rel}/${sub}` : sub;
    if (folder.open.has(path) || ownerOf(fsPathOf(folder, path)) !== folder) continue;
    changed = folder.workspace.setFile(path, text) || changed;
  }
  if (changed) schedule(folder);
}

async function applySettings(targets: Folder[] = folders): Promise<void> {
  const changed: Folder[] = [];
  for (const folder of targets) {
    // A folder not indexed yet reads its settings when its first index runs.
    if (!folder.indexed) continue;
    const config = await fetchConfig(folder);
    if (!sameOptions(config.migrations, folder.options)) changed.push(folder);
    else if (JSON.stringify(config) !== JSON.stringify(folder.config)) {
      // Severities, options, protected tables, checkFrom: analyse again, no need to read the files again.
      folder.config = config;
      schedule(folder);
    }
  }
  if (targets === folders) {
    const looseConfig = await fetchConfig(loose);
    if (!sameOptions(looseConfig.migrations, loose.options)) {
      loose.options = looseConfig.migrations;
      loose.workspace.setOptions(loose.options);
    }
    if (JSON.stringify(looseConfig) !== JSON.stringify(loose.config)) {
      loose.config = looseConfig;
      schedule(loose);
    }
  }
  // New include / exclude globs can change which files are read at all: read the folder again.
  if (changed.length) await indexFolders(changed);
}

async function applyFolderChanges(event: WorkspaceFoldersChangeEvent): Promise<void> {
  for (const removed of event?.removed ?? []) {
    const fsPath = uriToFsPath(removed?.uri);
    const key = fsPath ? normalizeKey(fsPath) : undefined;
    const index = folders.findIndex((f) => f.key === key || f.uri === String(removed?.uri).replace(/\/+$/, ''));
    if (index < 0) continue;
    const [folder] = folders.splice(index, 1);
    folder.generation++;
    clearDiagnostics(folder);
  }
  for (const added of event?.added ?? []) {
    const folder = folderFromProtocol(added);
    if (folder && !folders.some((f) => f.key === folder.key)) folders.push(folder);
  }
  // Ownership of files (nested folders, loose files) may have moved: start over from disk.
  for (const folder of folders) clearDiagnostics(folder);
  for (const folder of folders) folder.open.clear();
  clearDiagnostics(loose);
  loose.open.clear();
  loose.workspace = new Workspace(loose.options);
  for (const doc of documents.all()) {
    const location = locate(doc.uri);
    if (!location) continue;
    location.folder.open.set(location.rel, doc.uri);
    if (location.folder.loose) loose.workspace.setFile(location.rel, doc.getText());
  }
  schedule(loose);
  await indexFolders(folders);
}

// ---------------------------------------------------------------------------------------------------------
// LSP handlers

const folderView = (folder: Folder): FolderView => ({
  workspace: folder.workspace,
  // The last finished analysis; before the first one, the model is built on demand.
  lastModel: () => folder.model ?? folder.workspace.model(),
  uriOf: (rel) => uriFor(folder, rel),
  scopeUri: folder.loose ? undefined : folder.uri,
});
const features = registerLanguageFeatures(connection, {
  locate: (uri) => {
    const location = locate(uri);
    return location && { ...folderView(location.folder), rel: location.rel };
  },
  folders: () => [...folders, loose].map(folderView),
  ready: () => parserReady,
});

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const caps = params.capabilities ?? {};
  client.configuration = !!caps.workspace?.configuration;
  client.configurationDynamic = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
  client.watchedFilesDynamic = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
  client.workspaceFolders = !!caps.workspace?.workspaceFolders;
  client.relatedInformation = !!caps.textDocument?.publishDiagnostics?.relatedInformation;
  features.initialize(caps);

  const given: WorkspaceFolder[] =
    params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []);
  folders = [];
  for (const wf of given) {
    const folder = folderFromProtocol(wf);
    if (folder && !folders.some((f) => f.key === folder.key)) folders.push(folder);
  }
  loadParser();

  return {
    capabilities: {
      ...features.capabilities,
      textDocumentSync: {
        openClose: true,
        change: TextDocumentSyncKind.Incremental,
        save: { includeText: false },
      },
      workspace: {
        workspaceFolders: { supported: true, changeNotifications: true },
        fileOperations: {
          didRename: {
            filters: [
              { scheme: 'file', pattern: { glob: '**/*.{sql,prisma}', matches: 'file', options: { ignoreCase: true } } },
              ...[...JS_MIGRATION_GLOBS, ...RAILS_GLOBS].map((glob) => ({ scheme: 'file', pattern: { glob, matches: 'file' as const } })),
              { scheme: 'file', pattern: { glob: '**/*', matches: 'folder' } },
            ],
          },
        },
      },
    },
    serverInfo: { name: 'fklens', version: VERSION },
  };
});

connection.onInitialized(
  guard('initialized', async () => {
    if (client.watchedFilesDynamic) {
      await connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: '**/*.{sql,prisma}' },
            { globPattern: `**/${CONFIG_FILE}` },
            ...[...JS_MIGRATION_GLOBS, ...RAILS_GLOBS].map((globPattern) => ({ globPattern })),
            // A deleted folder is reported as one event for the folder (not its files): watch deletions of anything.
            { globPattern: '**/*', kind: WatchKind.Delete },
          ],
        })
        .catch((err: unknown) => logError('registering the file watcher', err));
    }
    if (client.configurationDynamic) {
      await connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'fklens' })
        .catch((err: unknown) => logError('registering for settings changes', err));
    }
    if (client.workspaceFolders) {
      try {
        connection.workspace.onDidChangeWorkspaceFolders(
          guard('workspace folders changed', (event: WorkspaceFoldersChangeEvent) =>
            enqueue('workspace folders changed', () => applyFolderChanges(event)),
          ),
        );
      } catch (err) {
        logError('listening for workspace folder changes', err);
      }
    }
    loose.config = await fetchConfig(loose);
    loose.options = loose.config.migrations;
    loose.workspace.setOptions(loose.options);
    await reindex(folders);
  }),
);

documents.onDidChangeContent(guard('document changed', (event) => syncOpenDocument(event.document)));
documents.onDidSave(guard('document saved', (event) => syncOpenDocument(event.document)));
documents.onDidClose(guard('document closed', (event) => closeDocument(event.document.uri)));

connection.onDidChangeWatchedFiles(
  guard('watched files changed', (params: DidChangeWatchedFilesParams) =>
    enqueue('watched files changed', () => applyFileEvents(params)),
  ),
);

connection.workspace.onDidRenameFiles(
  guard('files renamed', (params: RenameFilesParams) => enqueue('files renamed', () => applyRenames(params))),
);

connection.onDidChangeConfiguration(
  guard('settings changed', (params: DidChangeConfigurationParams) => {
    pushedSettings = params?.settings;
    features.settingsChanged();
    return enqueue('settings changed', () => applySettings());
  }),
);

connection.onRequest('fklens/reindex', async (): Promise<IndexResult> => {
  try {
    return await reindex(folders);
  } catch (err) {
    logError('fklens/reindex', err);
    throw new ResponseError(ErrorCodes.InternalError, `Re-indexing failed: ${err instanceof Error ? err.message : String(err)}`);
  }
});

const status = registerStatus(connection, () => [...folders, loose].map((f) => ({ name: f.name, indexed: f.indexed, model: () => f.model ?? f.workspace.model(), uriOf: (file: string) => uriFor(f, file) })));
const erd = registerErd(
  connection,
  () => [...folders, loose].map((f) => ({ name: f.name, uri: f.uri, indexed: f.indexed, model: () => f.model ?? f.workspace.model() })),
  (uri) => {
    const l = locate(uri);
    return l && { folderUri: l.folder.uri, rel: l.rel };
  },
);

connection.onShutdown(() => {
  dirty.clear();
});

documents.listen(connection);
connection.listen();
