/**
 * End-to-end test of the bundled language server (dist/server.js, built by `npm run build`): started with
 * `--stdio` like any editor would, spoken to over JSON-RPC, with a temporary workspace folder on disk.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type MessageReader,
  type MessageWriter,
} from 'vscode-jsonrpc/node';

const repoRoot = resolve(__dirname, '../../..');
const serverModule = join(repoRoot, 'dist/server.js');
const WAIT_MS = 30_000;

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number;
  codeDescription?: { href: string };
  source?: string;
  message: string;
  relatedInformation?: { location: { uri: string; range: Range }; message: string }[];
  tags?: number[];
  data?: { rule: string; fk?: { historyId: string; tableId: number; name: string; table: string; columns: string[] } };
}
interface PublishDiagnosticsParams {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}

const GOOD = `-- tables without problems
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE products (id bigint PRIMARY KEY, sku text UNIQUE);
`;

const BAD = `CREATE TABLE good1 (id int PRIMARY KEY);
CREATE TABLE bad (id int PRIMARY KEY, g1 int REFERENCES good1 (id) ON DELETE EXPLODE);
CREATE TABLE good2 (id int PRIMARY KEY, label text);
`;

const WITH_SYNTAX_ERROR = `CREATE TABLE t1 (id int PRIMARY KEY);
CREATE TABLE t2 (id int PRIMARY KEY,, name text);
`;

const ANOTHER_SYNTAX_ERROR = `CREATE TABLE n1 (id int PRIMARY KEY);
CREATE TABLE n2 (id int PRIMARY KEY,, name text);
`;

/** Line/character of the first occurrence of `needle` (start and end). */
function rangeOf(text: string, needle: string): Range {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in text`);
  const position = (at: number): Position => {
    const before = text.slice(0, at);
    const line = before.split('\n').length - 1;
    return { line, character: at - (before.lastIndexOf('\n') + 1) };
  };
  return { start: position(offset), end: position(offset + needle.length) };
}

const before_ = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const covers = (outer: Range, inner: Range) => before_(outer.start, inner.start) && before_(inner.end, outer.end);

/** Random text without NUL: letters, SQL punctuation, quotes, dollars, control characters, non-BMP characters. */
function randomText(length: number): string {
  const alphabet = "abcxyzSELECTCREATETABLE ();,'\"$$--/**/\n\t\r\\{}[]<>=!?0123456789éß€\u0001\u0007\u00a0\u2028";
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) {
    const b = bytes[i];
    if (b === 255) out += '😀';
    else out += alphabet[b % alphabet.length];
  }
  return out;
}

class TestClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly published: PublishDiagnosticsParams[] = [];
  readonly progress: { token: unknown; value: { kind: string; title?: string; message?: string; percentage?: number } }[] = [];
  readonly registrations: { id: string; method: string; registerOptions?: unknown }[] = [];
  readonly logs: string[] = [];
  /** `fklens/status` notifications: indexing, and the partial histories (server/src/lsp/status.ts). */
  readonly statuses: { indexing: boolean; histories: number; partial: { history: string; reasons: { code: string; uri: string; range: Range }[] }[] }[] = [];
  settings: unknown = { migrations: { include: [], exclude: [], order: 'auto' } };
  configurationRequests = 0;
  stderr = '';
  readonly connection: MessageConnection;
  private exited: Promise<number | null>;

  constructor(readonly child: ChildProcess, reader: MessageReader, writer: MessageWriter) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    this.connection = createMessageConnection(reader, writer);
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.set(params.uri, params);
      this.published.push(params);
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
    });
    this.connection.onNotification('fklens/status', (params: TestClient['statuses'][number]) => {
      this.statuses.push(params);
    });
    this.connection.onNotification('$/progress', (params: TestClient['progress'][number]) => {
      this.progress.push(params);
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', (params: { registrations: TestClient['registrations'] }) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    this.connection.onRequest('window/showMessageRequest', () => null);
    this.connection.onNotification('window/showMessage', (params: { message: string }) => {
      this.logs.push(params.message);
    });
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => {
      this.configurationRequests++;
      return params.items.map(() => this.settings);
    });
    this.connection.listen();
  }

  /** Over stdio, as editors other than VS Code start it. */
  static start(): TestClient {
    // Started from another directory: the bundle must find libpg-query.wasm next to itself, not in the cwd.
    const child = spawn(process.execPath, [serverModule, '--stdio'], { stdio: 'pipe', cwd: tmpdir() });
    return new TestClient(child, new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  }

  /** Over node IPC, as vscode-languageclient starts it (TransportKind.ipc). */
  static fork(): TestClient {
    const child = fork(serverModule, ['--node-ipc', `--clientProcessId=${process.pid}`], { cwd: tmpdir(), silent: true });
    return new TestClient(child, new IPCMessageReader(child), new IPCMessageWriter(child));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  notify(method: string, params: unknown): void {
    void this.connection.sendNotification(method, params);
  }

  request<R>(method: string, params?: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** Polls until `check` returns a value (not undefined/false), or fails after WAIT_MS. */
  async waitFor<T>(what: string, check: () => T | undefined | false): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false) return value;
      if (!this.alive) assert.fail(`server exited while waiting for ${what}\n${this.stderr}\n${this.logs.join('\n')}`);
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\nlogs:\n${this.logs.join('\n')}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits for a publication for `uri` after `since` (an index into `published`) that satisfies `check`. */
  waitForDiagnostics(uri: string, since: number, what: string, check: (p: PublishDiagnosticsParams) => boolean = () => true) {
    return this.waitFor(what, () => this.published.slice(since).reverse().find((p) => p.uri === uri && check(p)));
  }

  async stop(): Promise<number | null> {
    // Unref'd timers: a pending timeout must not keep the test process alive.
    const timeout = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms).unref());
    if (this.alive) {
      try {
        await Promise.race([this.request('shutdown'), timeout(5000, undefined)]);
        this.notify('exit', undefined);
      } catch {
        // Fall through to kill.
      }
    }
    const code = await Promise.race([this.exited, timeout(5000, 'timeout' as const)]);
    if (code === 'timeout') {
      this.child.kill();
      return null;
    }
    this.connection.dispose();
    return code;
  }
}

let dir: string;
let folderUri: string;
let lsp: TestClient;
const uriOf = (name: string) => `${folderUri}/${name}`;

before(async () => {
  assert.ok(existsSync(serverModule), `${serverModule} is missing: run \`npm run build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'fklens-lsp-'));
  writeFileSync(join(dir, 'a_good.sql'), GOOD);
  writeFileSync(join(dir, 'b_bad.sql'), BAD);
  folderUri = pathToFileURL(dir).href;
  lsp = TestClient.start();
});

after(async () => {
  if (process.env.FKLENS_TEST_VERBOSE) {
    console.log(lsp.logs.join('\n'));
    for (const p of lsp.published) console.log(p.uri, p.version, JSON.stringify(p.diagnostics).slice(0, 400));
  }
  if (lsp) await lsp.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('initialize answers with incremental sync and the server info', async () => {
  const result = await lsp.request<{ capabilities: Record<string, any>; serverInfo?: { name: string } }>('initialize', {
    processId: process.pid,
    rootUri: folderUri,
    workspaceFolders: [{ uri: folderUri, name: 'tmp' }],
    capabilities: {
      workspace: {
        configuration: true,
        workspaceFolders: true,
        didChangeWatchedFiles: { dynamicRegistration: true },
        didChangeConfiguration: { dynamicRegistration: true },
        fileOperations: { didRename: true },
      },
      window: { workDoneProgress: true },
      textDocument: {
        synchronization: { didSave: true },
        publishDiagnostics: { versionSupport: true, relatedInformation: true },
      },
    },
  });
  assert.equal(result.capabilities.textDocumentSync.change, 2, 'incremental sync');
  assert.equal(result.capabilities.textDocumentSync.openClose, true);
  assert.equal(result.serverInfo?.name, 'fklens');
  assert.ok(result.capabilities.workspace.fileOperations.didRename.filters.length > 0);
  lsp.notify('initialized', {});
});

test('indexes the workspace with progress and reports the syntax error at the bad token', async () => {
  const bad = uriOf('b_bad.sql');
  const published = await lsp.waitForDiagnostics(bad, 0, 'diagnostics of b_bad.sql');
  assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
  const [d] = published.diagnostics;
  assert.equal(d.source, 'fklens');
  assert.equal(d.code, 'syntax-error');
  assert.equal(d.severity, 1);
  const token = rangeOf(BAD, 'EXPLODE');
  assert.ok(covers(d.range, token), `range ${JSON.stringify(d.range)} should cover EXPLODE ${JSON.stringify(token)}`);
  assert.deepEqual(d.range, token, 'exactly the bad token');

  // The good file has nothing to report.
  assert.equal(lsp.diagnostics.get(uriOf('a_good.sql'))?.diagnostics.length ?? 0, 0);

  // Progress: begin ... "indexing 2 files" ... end.
  await lsp.waitFor('progress end', () => lsp.progress.some((p) => p.value.kind === 'end'));
  const begin = lsp.progress.find((p) => p.value.kind === 'begin');
  assert.equal(begin?.value.title, 'FK Lens');
  assert.ok(
    lsp.progress.some((p) => /indexing 2 files/.test(p.value.message ?? '')),
    JSON.stringify(lsp.progress),
  );

  // Dynamic registrations: the watcher for **/*.{sql,prisma} and the settings section.
  const watcher = lsp.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
  assert.ok(watcher, JSON.stringify(lsp.registrations));
  const watchers = (watcher.registerOptions as { watchers: { globPattern: string; kind?: number }[] }).watchers;
  assert.equal(watchers[0].globPattern, '**/*.{sql,prisma}');
  assert.ok(watchers.some((w) => w.globPattern === '**/*' && w.kind === 4), 'deletions of folders are watched');
  assert.ok(lsp.configurationRequests > 0, 'settings were asked for');
});

test('fklens/status: indexing, then the partial history and the statement FK Lens skipped in it', async () => {
  assert.equal(lsp.statuses[0]?.indexing, true, 'indexing is announced first');
  const done = await lsp.waitFor('status after indexing', () => lsp.statuses.find((s) => !s.indexing && s.partial.length));
  assert.equal(done.histories, 1);
  assert.deepEqual(
    done.partial.map((p) => [p.history, p.reasons.map((r) => [r.code, r.uri, r.range.start.line])]),
    [['.', [['syntax-error', uriOf('b_bad.sql'), 1]]]],
  );
});

test('an incremental change that fixes the text clears the diagnostic', async () => {
  const uri = uriOf('b_bad.sql');
  lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: BAD } });
  const since = lsp.published.length;
  lsp.notify('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: rangeOf(BAD, 'EXPLODE'), text: 'CASCADE' }],
  });
  const fixed = await lsp.waitForDiagnostics(uri, since, 'diagnostics after the fix', (p) => p.version === 2);
  assert.deepEqual(
    fixed.diagnostics.filter((d) => d.code === 'syntax-error'),
    [],
  );
  // Nothing is skipped any more: the history is complete.
  await lsp.waitFor('status: complete', () => lsp.statuses.at(-1)?.partial.length === 0);
});

test('closing a document without saving: the disk text wins again', async () => {
  const uri = uriOf('b_bad.sql');
  const since = lsp.published.length;
  lsp.notify('textDocument/didClose', { textDocument: { uri } });
  const again = await lsp.waitForDiagnostics(uri, since, 'syntax error back after close', (p) =>
    p.diagnostics.some((d) => d.code === 'syntax-error'),
  );
  assert.equal(again.diagnostics.length, 1);
  assert.equal(again.version, undefined, 'closed documents are published without a version');
});

test('an open document with text different from disk wins over disk', async () => {
  const uri = uriOf('a_good.sql');
  let since = lsp.published.length;
  lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: WITH_SYNTAX_ERROR } });
  const opened = await lsp.waitForDiagnostics(uri, since, 'diagnostics of the editor text', (p) => p.diagnostics.length > 0);
  assert.equal(opened.version, 1);
  assert.equal(opened.diagnostics.length, 1);
  assert.equal(opened.diagnostics[0].range.start.line, 1);

  // A change on disk while the document is open does not replace the editor's text.
  writeFileSync(join(dir, 'a_good.sql'), GOOD + '-- touched\n');
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 2 }] });
  lsp.notify('textDocument/didSave', { textDocument: { uri } });
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(lsp.diagnostics.get(uri)?.diagnostics.length, 1, 'still the editor text');

  since = lsp.published.length;
  lsp.notify('textDocument/didClose', { textDocument: { uri } });
  const closed = await lsp.waitForDiagnostics(uri, since, 'diagnostics cleared after close', (p) => p.diagnostics.length === 0);
  assert.deepEqual(closed.diagnostics, []);
});

test('watched-file create, delete and rename are applied', async () => {
  const created = uriOf('c_new.sql');
  writeFileSync(join(dir, 'c_new.sql'), ANOTHER_SYNTAX_ERROR);
  let since = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: created, type: 1 }] });
  await lsp.waitForDiagnostics(created, since, 'diagnostics of a created file', (p) => p.diagnostics.length === 1);

  // Renamed on disk: the diagnostics move with the file.
  const renamed = uriOf('d_renamed.sql');
  renameSync(join(dir, 'c_new.sql'), join(dir, 'd_renamed.sql'));
  since = lsp.published.length;
  lsp.notify('workspace/didRenameFiles', { files: [{ oldUri: created, newUri: renamed }] });
  await lsp.waitForDiagnostics(created, since, 'old name cleared', (p) => p.diagnostics.length === 0);
  await lsp.waitForDiagnostics(renamed, since, 'new name reported', (p) => p.diagnostics.length === 1);

  // Deleted on disk (the watcher may report it twice).
  unlinkSync(join(dir, 'd_renamed.sql'));
  since = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', {
    changes: [
      { uri: renamed, type: 3 },
      { uri: renamed, type: 3 },
    ],
  });
  await lsp.waitForDiagnostics(renamed, since, 'diagnostics cleared after delete', (p) => p.diagnostics.length === 0);

  // A folder moved in, renamed, then deleted: each reported once for the folder, not per file.
  const outside = mkdtempSync(join(tmpdir(), 'fklens-lsp-outside-'));
  writeFileSync(join(outside, 'x.sql'), ANOTHER_SYNTAX_ERROR);
  renameSync(outside, join(dir, 'sub'));
  since = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf('sub'), type: 1 }] });
  await lsp.waitForDiagnostics(uriOf('sub/x.sql'), since, 'a file of a folder moved in', (p) => p.diagnostics.length === 1);

  renameSync(join(dir, 'sub'), join(dir, 'moved'));
  since = lsp.published.length;
  lsp.notify('workspace/didRenameFiles', { files: [{ oldUri: uriOf('sub'), newUri: uriOf('moved') }] });
  await lsp.waitForDiagnostics(uriOf('sub/x.sql'), since, 'old folder cleared', (p) => p.diagnostics.length === 0);
  await lsp.waitForDiagnostics(uriOf('moved/x.sql'), since, 'renamed folder reported', (p) => p.diagnostics.length === 1);

  rmSync(join(dir, 'moved'), { recursive: true });
  since = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf('moved'), type: 3 }] });
  await lsp.waitForDiagnostics(uriOf('moved/x.sql'), since, 'deleted folder cleared', (p) => p.diagnostics.length === 0);
});

/** A Prisma schema's datasource (PostgreSQL) and a User model with posts: the start of the schemas below. */
const PRISMA_HEAD = [
  'datasource db {',
  '  provider = "postgresql"',
  '  url      = env("DATABASE_URL")',
  '}',
  'model User {',
  '  id    Int    @id',
  '  posts Post[]',
  '}',
];

test('a schema.prisma created on disk is read: its findings arrive with the rule id as code', async () => {
  const schema = [
    ...PRISMA_HEAD,
    'model Post {',
    '  id       Int  @id',
    '  authorId Int',
    '  author   User @relation(fields: [authorId], references: [id], onDelete: SetNull)',
    '}',
    '',
  ].join('\n');
  mkdirSync(join(dir, 'prisma'), { recursive: true });
  writeFileSync(join(dir, 'prisma/schema.prisma'), schema);
  const uri = uriOf('prisma/schema.prisma');
  const since = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 1 }] });
  const published = await lsp.waitForDiagnostics(uri, since, 'diagnostics of schema.prisma', (p) => p.diagnostics.length === 2);
  assert.deepEqual(published.diagnostics.map((d) => [d.code, d.range.start.line]).sort(), [
    ['prisma-missing-index', 11],
    ['prisma-set-null-required', 11],
  ]);
  unlinkSync(join(dir, 'prisma/schema.prisma'));
  const cleared = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 3 }] });
  await lsp.waitForDiagnostics(uri, cleared, 'cleared after delete', (p) => p.diagnostics.length === 0);
});

test('a Rails db/schema.rb created on disk is read; edited in the editor, its findings follow the text', async () => {
  const schema = [
    'ActiveRecord::Schema[8.1].define(version: 2026_01_01_000000) do',
    '  create_table "users", force: :cascade do |t|',
    '  end',
    '  create_table "posts", force: :cascade do |t|',
    '    t.bigint "user_id", null: false',
    '  end',
    '  add_foreign_key "posts", "users", on_delete: :nullify',
    'end',
    '',
  ].join('\n');
  mkdirSync(join(dir, 'app/db'), { recursive: true });
  writeFileSync(join(dir, 'app/db/schema.rb'), schema);
  const uri = uriOf('app/db/schema.rb');
  const since = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 1 }] });
  const published = await lsp.waitForDiagnostics(uri, since, 'diagnostics of schema.rb', (p) => p.diagnostics.some((d) => d.code === 'set-null-on-not-null'));
  const codes = published.diagnostics.map((d) => [d.code, d.range.start.line]);
  assert.ok(codes.some(([c, l]) => c === 'set-null-on-not-null' && l === 6), JSON.stringify(codes));
  // Typed in the editor: the column becomes nullable, the error goes.
  lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ruby', version: 1, text: schema } });
  const edited = lsp.published.length;
  lsp.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: schema.replace('"user_id", null: false', '"user_id"') }] });
  await lsp.waitForDiagnostics(uri, edited, 'the error gone after the edit', (p) => !p.diagnostics.some((d) => d.code === 'set-null-on-not-null'));
  lsp.notify('textDocument/didClose', { textDocument: { uri } });
  unlinkSync(join(dir, 'app/db/schema.rb'));
  const cleared = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 3 }] });
  await lsp.waitForDiagnostics(uri, cleared, 'cleared after delete', (p) => p.diagnostics.length === 0);
});

/** Applies LSP text edits (non-overlapping; inserts at one position keep their order) to a text. */
function applyLspEdits(text: string, edits: { range: Range; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const ordered = edits.map((e, i) => ({ e, i, at: offset(e.range.start), end: offset(e.range.end) })).sort((a, b) => b.at - a.at || b.i - a.i);
  let out = text;
  for (const { e, at, end } of ordered) out = out.slice(0, at) + e.newText + out.slice(end);
  return out;
}

test('Prisma quick-fixes: @@index for a relation without an index clears the diagnostic; fix all adds every @@index', async () => {
  const schema = [
    ...PRISMA_HEAD,
    'model Post {',
    '  id       Int       @id',
    '  authorId Int',
    '  author   User      @relation(fields: [authorId], references: [id], onDelete: SetNull)',
    '  comments Comment[]',
    '}',
    'model Comment {',
    '  id     Int  @id',
    '  postId Int',
    '  post   Post @relation(fields: [postId], references: [id]) }',
    '',
  ].join('\n');
  mkdirSync(join(dir, 'app/prisma'), { recursive: true });
  writeFileSync(join(dir, 'app/prisma/schema.prisma'), schema);
  const uri = uriOf('app/prisma/schema.prisma');
  let since = lsp.published.length;
  lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'prisma', version: 1, text: schema } });
  const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => d.code).sort();
  const first = await lsp.waitForDiagnostics(uri, since, 'the Prisma findings', (p) => p.version === 1 && p.diagnostics.length === 3);
  assert.deepEqual(codes(first), ['prisma-missing-index', 'prisma-missing-index', 'prisma-set-null-required']);
  const missing = first.diagnostics.find((d) => d.code === 'prisma-missing-index' && d.range.start.line === 11)!;
  assert.ok(missing, JSON.stringify(first.diagnostics));

  type Action = { title: string; kind: string; isPreferred?: boolean; diagnostics?: unknown[]; edit: { changes: Record<string, { range: Range; newText: string }[]> } };
  const actions = await lsp.request<Action[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: missing.range,
    context: { diagnostics: [missing], only: ['quickfix'] },
  });
  assert.deepEqual(actions.map((a) => [a.title, a.kind, a.isPreferred]), [
    ['Add @@index([authorId]) to Post', 'quickfix', true],
    ['Ignore prisma-missing-index on this line', 'quickfix', undefined],
    ['Ignore prisma-missing-index in this file', 'quickfix', undefined],
    ['Show documentation for prisma-missing-index', 'quickfix', undefined],
  ]);
  const fixedText = applyLspEdits(schema, actions[0].edit.changes[uri]);
  assert.match(fixedText, /  comments Comment\[\]\n  @@index\(\[authorId\]\)\n\}\nmodel Comment/);
  since = lsp.published.length;
  lsp.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixedText }] });
  const second = await lsp.waitForDiagnostics(uri, since, 'diagnostics after the fix', (p) => p.version === 2);
  assert.deepEqual(codes(second), ['prisma-missing-index', 'prisma-set-null-required'], 'only Post.author is fixed');
  assert.equal(second.diagnostics.find((d) => d.code === 'prisma-missing-index')!.range.start.line, 18);

  // The set-null fixes are offered, none preferred (each changes the data model or what a delete does).
  const setNull = second.diagnostics.find((d) => d.code === 'prisma-set-null-required')!;
  const setNullActions = await lsp.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: setNull.range, context: { diagnostics: [setNull] } });
  assert.deepEqual(setNullActions.map((a) => [a.title, !!a.isPreferred]), [
    ['Make relation Post.author optional (authorId nullable)', false],
    ['Use onDelete: Cascade', false],
    ['Use onDelete: Restrict', false],
    ['Ignore prisma-set-null-required on this line', false],
    ['Ignore prisma-set-null-required in this file', false],
    ['Show documentation for prisma-set-null-required', false],
  ]);

  // Fix all: the preferred fix of every diagnostic (the @@index of Comment); SetNull is left to the user.
  const all = await lsp.request<Action[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
    context: { diagnostics: second.diagnostics, only: ['source.fixAll.fklens'] },
  });
  assert.deepEqual(all.map((a) => a.kind), ['source.fixAll.fklens']);
  const allText = applyLspEdits(fixedText, all[0].edit.changes[uri]);
  assert.match(allText, /references: \[id\]\)\n  @@index\(\[postId\]\)\n\}\n$/);
  since = lsp.published.length;
  lsp.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: allText }] });
  const third = await lsp.waitForDiagnostics(uri, since, 'diagnostics after fix all', (p) => p.version === 3);
  assert.deepEqual(codes(third), ['prisma-set-null-required']);

  // "Ignore on this line" writes a `//` comment above the relation, and the finding is gone.
  const left = third.diagnostics[0];
  const ignoreActions = await lsp.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: left.range, context: { diagnostics: [left] } });
  const ignore = ignoreActions.find((a) => a.title === 'Ignore prisma-set-null-required on this line')!;
  const ignoredText = applyLspEdits(allText, ignore.edit.changes[uri]);
  assert.match(ignoredText, /\n  \/\/ fklens-ignore prisma-set-null-required\n  author   User/);
  since = lsp.published.length;
  lsp.notify('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ text: ignoredText }] });
  const fourth = await lsp.waitForDiagnostics(uri, since, 'diagnostics after the ignore comment', (p) => p.version === 4);
  assert.deepEqual(codes(fourth), []);
  since = lsp.published.length;
  lsp.notify('textDocument/didChange', { textDocument: { uri, version: 5 }, contentChanges: [{ text: allText }] });
  await lsp.waitForDiagnostics(uri, since, 'the finding back without the comment', (p) => p.version === 5 && p.diagnostics.length === 1);

  lsp.notify('textDocument/didClose', { textDocument: { uri } });
  rmSync(join(dir, 'app'), { recursive: true, force: true });
  since = lsp.published.length;
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 3 }] });
  await lsp.waitForDiagnostics(uri, since, 'cleared after delete', (p) => p.diagnostics.length === 0);
});

test('settings changes re-index the folder', async () => {
  const bad = uriOf('b_bad.sql');
  let since = lsp.published.length;
  lsp.settings = { migrations: { include: [], exclude: ['b_bad.sql'], order: 'auto' } };
  lsp.notify('workspace/didChangeConfiguration', { settings: { fklens: lsp.settings } });
  await lsp.waitForDiagnostics(bad, since, 'excluded file cleared', (p) => p.diagnostics.length === 0);

  since = lsp.published.length;
  lsp.settings = { migrations: { include: [], exclude: [], order: 'auto' } };
  lsp.notify('workspace/didChangeConfiguration', { settings: null });
  await lsp.waitForDiagnostics(bad, since, 'file back after the exclude is removed', (p) => p.diagnostics.length === 1);
});

test('survives garbage input and keeps answering', async () => {
  // 1 MB of random bytes on disk (mostly invalid UTF-8, NUL bytes), and invalid UTF-8 in an otherwise valid file.
  writeFileSync(join(dir, 'random-bytes.sql'), randomBytes(1024 * 1024));
  writeFileSync(
    join(dir, 'latin1.sql'),
    Buffer.concat([Buffer.from('CREATE TABLE caf'), Buffer.from([0xe9, 0xff, 0xfe, 0xc3, 0x28]), Buffer.from(' (id int);\n')]),
  );
  lsp.notify('workspace/didChangeWatchedFiles', {
    changes: [
      { uri: uriOf('random-bytes.sql'), type: 1 },
      { uri: uriOf('latin1.sql'), type: 1 },
    ],
  });

  // 1 MB of random text in the editor, and an unterminated dollar quote.
  const randomUri = uriOf('random-text.sql');
  let since = lsp.published.length;
  lsp.notify('textDocument/didOpen', { textDocument: { uri: randomUri, languageId: 'sql', version: 1, text: randomText(1024 * 1024) } });
  const dollarUri = uriOf('dollar.sql');
  lsp.notify('textDocument/didOpen', {
    textDocument: {
      uri: dollarUri,
      languageId: 'sql',
      version: 1,
      text: 'CREATE TABLE ok (id int PRIMARY KEY);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\nCREATE TABLE t (id int);\n',
    },
  });

  // Malformed or unexpected messages.
  lsp.notify('textDocument/didChange', {
    textDocument: { uri: uriOf('never-opened.sql'), version: 5 },
    contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }],
  });
  lsp.notify('textDocument/didOpen', { textDocument: { uri: 'untitled:Untitled-1', languageId: 'sql', version: 1, text: 'SELECT' } });
  lsp.notify('textDocument/didOpen', { textDocument: { uri: 'file:///no/such/folder/loose.sql', languageId: 'sql', version: 1, text: 'CREATE TABLE (' } });
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: 'not a uri', type: 1 }, { uri: 42, type: 2 }, null] });
  lsp.notify('workspace/didChangeWatchedFiles', null);
  lsp.notify('workspace/didRenameFiles', { files: [{ oldUri: 'x', newUri: null }] });
  lsp.notify('textDocument/didClose', { textDocument: { uri: 'file:///nowhere.sql' } });
  lsp.notify('fklens/unknownNotification', { what: 'ever' });

  const dollar = await lsp.waitForDiagnostics(dollarUri, since, 'diagnostics of the unterminated dollar quote', (p) => p.diagnostics.length > 0);
  assert.ok(dollar.diagnostics.every((d) => d.source === 'fklens'));
  const random = await lsp.waitForDiagnostics(randomUri, since, 'diagnostics of the random text', (p) => p.diagnostics.length > 0);
  assert.ok(random.diagnostics.length <= 200, `capped: ${random.diagnostics.length}`);
  // A file outside every workspace folder is still checked.
  await lsp.waitForDiagnostics('file:///no/such/folder/loose.sql', since, 'diagnostics of a loose file', (p) => p.diagnostics.length > 0);

  // Unknown requests get an error answer, not a crash.
  await assert.rejects(lsp.request('fklens/noSuchRequest', {}));

  // Still answering real requests, and the whole workspace is re-read.
  since = lsp.published.length;
  const result = await lsp.request<{ files: number; folders: number; durationMs: number }>('fklens/reindex');
  assert.equal(result.folders, 1);
  assert.ok(result.files >= 3, JSON.stringify(result));
  await lsp.waitForDiagnostics(uriOf('b_bad.sql'), 0, 'bad file still reported', (p) => p.diagnostics.length === 1);
  assert.ok(lsp.alive, 'the server is still running');
});

const RULES_SQL = `CREATE TABLE r_users (id bigint PRIMARY KEY);
CREATE TABLE r_reviews (
    id      bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES r_users (id) ON DELETE SET NULL
);
`;

test('rule diagnostics: code, link to the rule page, related information, data for quick-fixes', async () => {
  const uri = uriOf('rules.sql');
  const since = lsp.published.length;
  writeFileSync(join(dir, 'rules.sql'), RULES_SQL);
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 1 }] });
  const published = await lsp.waitForDiagnostics(uri, since, 'rule diagnostics of rules.sql', (p) => p.diagnostics.length === 2);
  const setNull = published.diagnostics.find((d) => d.code === 'set-null-on-not-null')!;
  assert.ok(setNull, JSON.stringify(published.diagnostics));
  assert.equal(setNull.severity, 1);
  assert.deepEqual(setNull.range, rangeOf(RULES_SQL, 'ON DELETE SET NULL'));
  // Without a docsBaseUrl: the page shipped with the server (docs/rules beside dist/), which exists.
  const page = setNull.codeDescription?.href ?? '';
  assert.equal(page, pathToFileURL(resolve(__dirname, '../../../docs/rules/set-null-on-not-null.md')).href);
  assert.ok(existsSync(fileURLToPath(page)));
  assert.deepEqual(setNull.relatedInformation, [{ location: { uri, range: rangeOf(RULES_SQL, 'NOT NULL') }, message: 'r_reviews.user_id is NOT NULL' }]);
  assert.equal(setNull.data?.rule, 'set-null-on-not-null');
  assert.deepEqual({ name: setNull.data?.fk?.name, table: setNull.data?.fk?.table, columns: setNull.data?.fk?.columns }, { name: 'r_reviews_user_id_fkey', table: 'r_reviews', columns: ['user_id'] });
  const index = published.diagnostics.find((d) => d.code === 'fk-missing-index')!;
  assert.equal(index.severity, 2);
  assert.deepEqual(index.range, rangeOf(RULES_SQL, 'user_id'), 'the FK column');
  const watcher = lsp.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
  assert.ok((watcher?.registerOptions as { watchers: { globPattern: string }[] }).watchers.some((w) => w.globPattern === '**/.fklens.json'));
});

test('severity changes apply live: .fklens.json created, changed and deleted; fklens.rules settings override it', async () => {
  const uri = uriOf('rules.sql');
  const configUri = uriOf('.fklens.json');
  const severityOf = (p: PublishDiagnosticsParams, code: string) => p.diagnostics.find((d) => d.code === code)?.severity;

  let since = lsp.published.length;
  writeFileSync(join(dir, '.fklens.json'), JSON.stringify({ rules: { 'fk-missing-index': 'error', 'set-null-on-not-null': 'off' } }));
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 1 }] });
  let p = await lsp.waitForDiagnostics(uri, since, 'fk-missing-index as error from .fklens.json', (x) => severityOf(x, 'fk-missing-index') === 1);
  assert.equal(severityOf(p, 'set-null-on-not-null'), undefined, 'turned off');

  since = lsp.published.length;
  lsp.settings = { migrations: { include: [], exclude: [], order: 'auto' }, rules: { 'fk-missing-index': 'info' }, protectedTables: null, checkFrom: '', docsBaseUrl: 'https://example.com/rules' };
  lsp.notify('workspace/didChangeConfiguration', { settings: { fklens: lsp.settings } });
  p = await lsp.waitForDiagnostics(uri, since, 'the setting wins over the file', (x) => severityOf(x, 'fk-missing-index') === 3);
  assert.equal(p.diagnostics.find((d) => d.code === 'fk-missing-index')?.codeDescription?.href, 'https://example.com/rules/fk-missing-index.md');
  assert.equal(severityOf(p, 'set-null-on-not-null'), undefined, 'the file still turns set-null-on-not-null off');

  since = lsp.published.length;
  lsp.settings = { migrations: { include: [], exclude: [], order: 'auto' } };
  lsp.notify('workspace/didChangeConfiguration', { settings: null });
  unlinkSync(join(dir, '.fklens.json'));
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 3 }] });
  p = await lsp.waitForDiagnostics(uri, since, 'defaults again', (x) => severityOf(x, 'fk-missing-index') === 2 && severityOf(x, 'set-null-on-not-null') === 1);

  // Suppressions are applied in the editor too, and an unused one is faded.
  since = lsp.published.length;
  lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: RULES_SQL.replace('CREATE TABLE r_reviews', '-- fklens-ignore fk-missing-index\n-- fklens-ignore duplicate-fk\nCREATE TABLE r_reviews') } });
  p = await lsp.waitForDiagnostics(uri, since, 'suppressed in the editor', (x) => x.version === 1 && !severityOf(x, 'fk-missing-index'));
  const unused = p.diagnostics.find((d) => d.code === 'unused-suppression');
  assert.deepEqual(unused?.tags, [1]);
  assert.equal(unused?.severity, 3);
  since = lsp.published.length;
  lsp.notify('textDocument/didClose', { textDocument: { uri } });
  unlinkSync(join(dir, 'rules.sql'));
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 3 }] });
  await lsp.waitForDiagnostics(uri, since, 'rules.sql gone', (x) => x.diagnostics.length === 0);
});

test('a malformed .fklens.json is a diagnostic on that file (not a silent fallback); fixing or deleting it clears it', async () => {
  const configUri = uriOf('.fklens.json');
  let since = lsp.published.length;
  writeFileSync(join(dir, '.fklens.json'), '{\n  "rules": {\n    "fk-missing-index": "error",\n  }\n}\n');
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 1 }] });
  let p = await lsp.waitForDiagnostics(configUri, since, 'the JSON error on .fklens.json', (x) => x.diagnostics.length > 0);
  assert.equal(p.diagnostics.length, 1);
  assert.equal(p.diagnostics[0].severity, 1);
  assert.equal(p.diagnostics[0].code, 'config-error');
  assert.equal(p.diagnostics[0].range.start.line, 3, 'at the } after the trailing comma');
  assert.match(p.diagnostics[0].message, /not valid JSON/);

  since = lsp.published.length;
  writeFileSync(join(dir, '.fklens.json'), '{\n  "rules": { "fk-missing-index": "loud" },\n  "nope": 1\n}\n');
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 2 }] });
  p = await lsp.waitForDiagnostics(configUri, since, 'two bad values', (x) => x.diagnostics.length === 2);
  assert.deepEqual(
    p.diagnostics.map((d) => [d.severity, d.range.start.line, d.range.start.character]).sort(),
    [
      [2, 1, 13],
      [2, 2, 2],
    ],
    JSON.stringify(p.diagnostics),
  );

  since = lsp.published.length;
  unlinkSync(join(dir, '.fklens.json'));
  lsp.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 3 }] });
  await lsp.waitForDiagnostics(configUri, since, 'cleared', (x) => x.diagnostics.length === 0);
});

test('shuts down cleanly', async () => {
  const code = await lsp.stop();
  assert.equal(code, 0, lsp.stderr);
});

test('works over node IPC, the transport VS Code uses', async () => {
  const ipc = TestClient.fork();
  try {
    const result = await ipc.request<{ capabilities: Record<string, any> }>('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: [{ uri: folderUri, name: 'tmp' }],
      capabilities: {},
    });
    assert.equal(result.capabilities.textDocumentSync.change, 2);
    ipc.notify('initialized', {});
    const published = await ipc.waitForDiagnostics(uriOf('b_bad.sql'), 0, 'diagnostics over IPC', (p) => p.diagnostics.length > 0);
    assert.equal(published.diagnostics[0].code, 'syntax-error');
    assert.equal(ipc.registrations.length, 0, 'no dynamic registration without the client capability');
  } finally {
    assert.equal(await ipc.stop(), 0, ipc.stderr);
  }
});

test('multi-root: one model per folder, a nested folder owns its own files', async () => {
  const outer = mkdtempSync(join(tmpdir(), 'fklens-lsp-multi-'));
  const inner = join(outer, 'inner');
  const other = mkdtempSync(join(tmpdir(), 'fklens-lsp-other-'));
  mkdirSync(inner);
  writeFileSync(join(outer, 'one.sql'), WITH_SYNTAX_ERROR);
  writeFileSync(join(inner, 'two.sql'), WITH_SYNTAX_ERROR);
  // Same table names as `one.sql`: a different folder is a different database, so no duplicate-table.
  writeFileSync(join(other, 'three.sql'), 'CREATE TABLE t1 (id int PRIMARY KEY);\nCREATE TABLE t2 (id int PRIMARY KEY);\n');
  const [outerUri, innerUri, otherUri] = [outer, inner, other].map((p) => pathToFileURL(p).href);
  const multi = TestClient.start();
  try {
    await multi.request('initialize', {
      processId: process.pid,
      rootUri: outerUri,
      workspaceFolders: [
        { uri: outerUri, name: 'outer' },
        { uri: innerUri, name: 'inner' },
        { uri: otherUri, name: 'other' },
      ],
      capabilities: { workspace: { workspaceFolders: true } },
    });
    multi.notify('initialized', {});
    const one = await multi.waitForDiagnostics(`${outerUri}/one.sql`, 0, 'outer file', (p) => p.diagnostics.length > 0);
    const two = await multi.waitForDiagnostics(`${innerUri}/two.sql`, 0, 'inner file', (p) => p.diagnostics.length > 0);
    assert.equal(one.diagnostics.length, 1);
    assert.equal(two.diagnostics.length, 1);
    // The other folder has nothing to report.
    assert.equal(multi.published.filter((p) => p.uri === `${otherUri}/three.sql` && p.diagnostics.length).length, 0);
    // The nested file is read once (by the inner folder), not also by the outer one.
    const result = await multi.request<{ folders: number; files: number }>('fklens/reindex');
    assert.deepEqual({ folders: result.folders, files: result.files }, { folders: 3, files: 3 });

    // The inner folder removed from the workspace: its file now belongs to the outer folder, still checked.
    let since = multi.published.length;
    multi.notify('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: innerUri, name: 'inner' }] } });
    await multi.waitForDiagnostics(`${innerUri}/two.sql`, since, 'file owned by the outer folder', (p) => p.diagnostics.length > 0);
    const after = await multi.request<{ folders: number; files: number }>('fklens/reindex');
    assert.deepEqual({ folders: after.folders, files: after.files }, { folders: 2, files: 3 });

    // The other folder removed: its diagnostics are cleared.
    writeFileSync(join(other, 'three.sql'), WITH_SYNTAX_ERROR.replace(',,', ','));
    writeFileSync(join(other, 'four.sql'), ANOTHER_SYNTAX_ERROR);
    since = multi.published.length;
    multi.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: `${otherUri}/four.sql`, type: 1 }] });
    await multi.waitForDiagnostics(`${otherUri}/four.sql`, since, 'new file of the other folder', (p) => p.diagnostics.length > 0);
    since = multi.published.length;
    multi.notify('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: otherUri, name: 'other' }] } });
    await multi.waitForDiagnostics(`${otherUri}/four.sql`, since, 'removed folder cleared', (p) => p.diagnostics.length === 0);
  } finally {
    assert.equal(await multi.stop(), 0, multi.stderr);
    rmSync(outer, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------------------
// Language features on a migration history (examples/shop copied to a temporary folder)

describe('language features over stdio', () => {
  let shop: string;
  let shopUri: string;
  let client: TestClient;
  const file = (rel: string) => `${shopUri}/db/migrations/${rel}`;
  const USERS = '0001_users_and_catalog.up.sql';
  const ORDERS = '0002_orders.up.sql';
  const shopText = (rel: string) => readFileSync(join(shop, 'db/migrations', rel), 'utf8');
  const positionOf = (rel: string, needle: string, delta = 1): Position => {
    const text = shopText(rel);
    const at = text.indexOf(needle) + delta;
    const before = text.slice(0, at);
    return { line: before.split('\n').length - 1, character: at - (before.lastIndexOf('\n') + 1) };
  };

  before(async () => {
    shop = mkdtempSync(join(tmpdir(), 'fklens-lsp-shop-'));
    cpSync(join(repoRoot, 'examples/shop'), shop, { recursive: true });
    shopUri = pathToFileURL(shop).href;
    client = TestClient.start();
    client.settings = { migrations: { include: [], exclude: [], order: 'auto' }, codeLens: { enabled: true }, fixes: { concurrentIndex: true } };
    const init = await client.request<{ capabilities: Record<string, any> }>('initialize', {
      processId: process.pid,
      rootUri: shopUri,
      workspaceFolders: [{ uri: shopUri, name: 'shop' }],
      capabilities: {
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeConfiguration: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true, resourceOperations: ['create'], changeAnnotationSupport: { groupsOnLabel: true } },
          codeLens: { refreshSupport: true },
        },
        textDocument: { hover: { contentFormat: ['markdown'] } },
      },
    });
    for (const cap of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider', 'workspaceSymbolProvider']) {
      assert.equal(init.capabilities[cap], true, cap);
    }
    assert.deepEqual(init.capabilities.codeActionProvider.codeActionKinds, ['quickfix', 'source.fixAll.fklens']);
    client.connection.onRequest('workspace/codeLens/refresh', () => null);
    client.notify('initialized', {});
    await client.waitFor('the shop indexed', () => client.logs.some((l) => /^Indexed \d+ files/.test(l)));
  });

  after(async () => {
    if (client) assert.equal(await client.stop(), 0, client.stderr);
    if (shop) rmSync(shop, { recursive: true, force: true });
  });

  test('hover: the cascade reach of users, with links to each FK declaration', async () => {
    const hover = await client.request<{ contents: { kind: string; value: string }; range: Range }>('textDocument/hover', {
      textDocument: { uri: file(USERS) },
      position: positionOf(USERS, 'users ('),
    });
    assert.equal(hover.contents.kind, 'markdown');
    const lines = hover.contents.value.split('\n');
    assert.equal(lines[0], '**DELETE FROM users**: 3 tables deleted · 1 column set to NULL · blocked by `payments.order_id` (RESTRICT) · depth 2\\');
    // The links come right after the summary: the ERD, the peek (this document and position, the table), the declaration.
    const peek = /\[Peek 5 tables\]\(command:fklens\.peekTable\?([^)\s]+)\)/.exec(lines[1]);
    assert.ok(peek, lines[1]);
    assert.deepEqual(JSON.parse(decodeURIComponent(peek[1])), [{ uri: file(USERS), position: positionOf(USERS, 'users ('), table: 'public.users' }]);
    assert.match(lines[1], /^\[Show all 5 in ERD\]\(command:fklens\.showErdFor\?%5B%22public\.users%22%5D\)/);
    assert.ok(lines.some((l) => l.startsWith('- **deletes** [`orders`](' + file(ORDERS) + '#L3,')), hover.contents.value);
    // The peek's document: the whole trees and every FK pointing at users.
    const doc = await client.request<{ text: string }>('fklens/tableDocument', { uri: file(USERS), table: 'public.users' });
    assert.match(doc.text, /^users: declared at 0001_users_and_catalog\.up\.sql:2\n/);
    assert.match(doc.text, /\nDELETE FROM users: 3 tables deleted/);
    assert.match(doc.text, /\nUPDATE of the key of users: 0 tables updated/);
    assert.match(doc.text, /\nReferenced by 3 foreign keys:\n- orders\(user_id\) → users\(id\) ON DELETE CASCADE, ON UPDATE NO ACTION \(0002_orders\.up\.sql:3\)/);
    assert.equal(await client.request('fklens/tableDocument', { uri: file(USERS), table: 'public.nope' }), null);
    assert.deepEqual(hover.range.start, positionOf(USERS, 'users (', 0));
    // Nothing to show on a keyword.
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: file(USERS) }, position: { line: 1, character: 2 } }), null);
  });

  test('definition across files and references', async () => {
    const definition = await client.request<{ uri: string; range: Range }[]>('textDocument/definition', {
      textDocument: { uri: file(ORDERS) },
      position: positionOf(ORDERS, 'users (id)'),
    });
    assert.deepEqual(definition, [{ uri: file(USERS), range: { start: positionOf(USERS, 'users (', 0), end: positionOf(USERS, 'users (', 5) } }]);
    const references = await client.request<{ uri: string; range: Range }[]>('textDocument/references', {
      textDocument: { uri: file(USERS) },
      position: positionOf(USERS, 'users ('),
      context: { includeDeclaration: false },
    });
    // orders, reviews, addresses point at users (payments no longer: 0006 drops its FK); its primary key and unique email are indexes on it.
    assert.equal(references.filter((r) => r.uri !== file(USERS)).length, 3, JSON.stringify(references));
    assert.equal(references.length, 5);
  });

  test('document and workspace symbols', async () => {
    const symbols = await client.request<{ name: string; kind: number; children: { name: string; kind: number }[] }[]>('textDocument/documentSymbol', {
      textDocument: { uri: file(ORDERS) },
    });
    assert.deepEqual(symbols.map((s) => s.name), ['orders', 'order_items']);
    assert.deepEqual(symbols[1].children.map((c) => c.name), ['order_id', 'order_items_order_id_fkey', 'product_id', 'order_items_product_id_fkey', 'quantity', 'unit_price_cents', 'order_items_pkey']);
    const tables = await client.request<{ name: string; location: { uri: string } }[]>('workspace/symbol', { query: 'ordit' });
    assert.deepEqual(tables.map((t) => [t.name, t.location.uri]), [['order_items', file(ORDERS)]]);
  });

  test('code lens over CREATE TABLE, and the setting that turns it off', async () => {
    const lenses = await client.request<{ range: Range; command: { title: string; command: string; arguments?: unknown[] } }[]>('textDocument/codeLens', {
      textDocument: { uri: file(USERS) },
    });
    const first = lenses[0];
    assert.equal(first.command.title, 'referenced by 3 FKs · DELETE cascades to 3 tables · sets NULL / DEFAULT via 1 FK · blocked by 1');
    assert.equal(first.command.command, 'fklens.showReferences');
    assert.equal((first.command.arguments![2] as unknown[]).length, 3);
    assert.deepEqual(lenses[1].command, { title: 'ERD', command: 'fklens.showErdFor', arguments: ['public.users'] });
    // order_items is referenced by nothing: no lens, unless fklens.codeLens.unreferenced is on.
    const titles = async () => (await client.request<{ command: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri: file(ORDERS) } })).map((l) => l.command.title);
    assert.deepEqual((await titles()).filter((t) => t !== 'ERD').length, 1);
    client.settings = { ...(client.settings as object), codeLens: { enabled: true, unreferenced: true } };
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.waitFor('the "not referenced" lens', async () => (await titles()).includes('not referenced by any FK'));
    client.settings = { ...(client.settings as object), codeLens: { enabled: false } };
    client.notify('workspace/didChangeConfiguration', { settings: null });
    for (let i = 0; ; i++) {
      const after = await client.request<unknown[] | null>('textDocument/codeLens', { textDocument: { uri: file(USERS) } });
      if (after === null) break;
      assert.ok(i < 100, 'code lenses still shown after fklens.codeLens.enabled was turned off');
      await new Promise((r) => setTimeout(r, 50));
    }
    client.settings = { ...(client.settings as object), codeLens: { enabled: true } };
    client.notify('workspace/didChangeConfiguration', { settings: null });
  });

  test('completion after REFERENCES, inside its column list and after ON DELETE', async () => {
    // A scratch file outside the history: its own database has no tables, so the history's are offered.
    const uri = `${shopUri}/scratch/wishlist.sql`;
    const text = 'CREATE TABLE wishlist (id int PRIMARY KEY, user_id bigint REFERENCES ';
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const complete = async (t: string, version: number) => {
      client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: t }] });
      const lines = t.split('\n');
      return client.request<{ label: string; sortText: string; textEdit: { newText: string } }[]>('textDocument/completion', {
        textDocument: { uri },
        position: { line: lines.length - 1, character: lines[lines.length - 1].length },
      });
    };
    const tables = await complete(text, 2);
    assert.ok(['users', 'orders', 'products'].every((t) => tables.some((c) => c.label === t)), JSON.stringify(tables.map((c) => c.label)));
    const columns = await complete(text + 'users (', 3);
    assert.equal(columns.sort((a, b) => a.sortText.localeCompare(b.sortText))[0].label, 'id', 'primary key first');
    const actions = await complete(text + 'users (id) ON DELETE ', 4);
    assert.deepEqual(actions.map((a) => a.label).sort(), ['CASCADE', 'NO ACTION', 'RESTRICT', 'SET DEFAULT', 'SET NULL']);
    client.notify('textDocument/didClose', { textDocument: { uri } });
  });

  test('code actions: the missing-index fix creates a golang-migrate pair; fix all', async () => {
    // order_items.product_id has no index (0002); the diagnostic is issue 3's fk-missing-index on its columns.
    const range = { start: positionOf(ORDERS, 'product_id       bigint', 0), end: positionOf(ORDERS, 'product_id       bigint', 10) };
    const diagnostic = { range, source: 'fklens', code: 'fk-missing-index', severity: 2, message: 'no index' };
    const actions = await client.request<{ title: string; kind: string; isPreferred?: boolean; edit: { documentChanges: any[] } }[]>('textDocument/codeAction', {
      textDocument: { uri: file(ORDERS) },
      range,
      context: { diagnostics: [diagnostic] },
    });
    const quick = actions.find((a) => a.kind === 'quickfix')!;
    assert.equal(quick.title, 'Create index order_items_product_id_idx on order_items (product_id)');
    assert.equal(quick.isPreferred, true);
    const changes = quick.edit.documentChanges;
    assert.deepEqual(changes.filter((c) => c.kind === 'create').map((c) => c.uri.slice(shopUri.length)), [
      '/db/migrations/0007_add_index_order_items_product_id.up.sql',
      '/db/migrations/0007_add_index_order_items_product_id.down.sql',
    ]);
    assert.equal(changes[1].edits[0].newText, 'CREATE INDEX CONCURRENTLY IF NOT EXISTS order_items_product_id_idx ON order_items (product_id);\n');
    // Only new files: applied at once (no preview), then saved and the up migration opened beside.
    assert.equal((quick.edit as { changeAnnotations?: unknown }).changeAnnotations, undefined);
    assert.deepEqual((quick as { command?: { command: string; arguments: unknown[] } }).command, {
      title: 'Save and open the new migration files',
      command: 'fklens.saveCreatedFiles',
      arguments: [changes.filter((c) => c.kind === 'create').map((c) => c.uri), `${shopUri}/db/migrations/0007_add_index_order_items_product_id.up.sql`],
    });
    assert.ok(actions.some((a) => a.kind === 'source.fixAll.fklens'));
    // Every rule diagnostic also gets: ignore on this line, ignore in this file, show the rule's page.
    assert.deepEqual(actions.filter((a) => !a.edit || !a.edit.documentChanges.some((c) => c.kind === 'create')).map((a) => a.title).filter((t) => !t.startsWith('Fix all')), [
      'Ignore fk-missing-index on this line',
      'Ignore fk-missing-index in this file',
      'Show documentation for fk-missing-index',
    ]);
    const ignoreLine = actions.find((a) => a.title === 'Ignore fk-missing-index on this line')!;
    assert.deepEqual(ignoreLine.edit.documentChanges[0].edits, [{ range: { start: { line: range.start.line, character: 0 }, end: { line: range.start.line, character: 0 } }, newText: '    -- fklens-ignore fk-missing-index\n' }]);
    const ignoreFile = actions.find((a) => a.title === 'Ignore fk-missing-index in this file')!;
    assert.deepEqual(ignoreFile.edit.documentChanges[0].edits[0].newText, '-- fklens-ignore-file fk-missing-index\n');
    assert.deepEqual(actions.find((a) => a.title === 'Show documentation for fk-missing-index') as unknown, {
      title: 'Show documentation for fk-missing-index',
      kind: 'quickfix',
      diagnostics: [diagnostic],
      command: { title: 'Show documentation for fk-missing-index', command: 'fklens.showRuleDocs', arguments: ['fk-missing-index'] },
    });
    // The FK named in the diagnostic's data wins over the one under its range.
    const byData = await client.request<{ title: string }[]>('textDocument/codeAction', {
      textDocument: { uri: file(ORDERS) },
      range,
      context: { diagnostics: [{ ...diagnostic, data: { rule: 'fk-missing-index', fk: { schema: 'public', table: 'orders', name: 'orders_user_id_fkey', columns: ['user_id'] } } }] },
    });
    assert.equal(byData[0].title, 'Create index orders_user_id_idx1 on orders (user_id)');
    // Diagnostics of other tools get no action; rules without a fix only the ignore and documentation actions.
    const none = await client.request<{ title: string }[]>('textDocument/codeAction', {
      textDocument: { uri: file(ORDERS) },
      range,
      context: { diagnostics: [{ ...diagnostic, source: 'other' }, { ...diagnostic, code: 'cascade-depth' }] },
    });
    assert.deepEqual(none.map((a) => a.title), ['Ignore cascade-depth on this line', 'Ignore cascade-depth in this file', 'Show documentation for cascade-depth']);
  });

  test('a fix that rewrites a migration and creates another is shown in the refactor preview first', async () => {
    const SHIPPING = '0004_shipping_addresses.up.sql';
    const range = { start: positionOf(SHIPPING, 'ADD CONSTRAINT orders_shipping', 4), end: positionOf(SHIPPING, 'ON DELETE SET NULL;', 18) };
    const diagnostic = { range, source: 'fklens', code: 'fk-added-without-not-valid', severity: 2, message: 'not valid' };
    const actions = await client.request<{ title: string; edit: { documentChanges: any[]; changeAnnotations?: Record<string, { label: string; needsConfirmation: boolean }> } }[]>('textDocument/codeAction', {
      textDocument: { uri: file(SHIPPING) },
      range,
      context: { diagnostics: [diagnostic] },
    });
    const fix = actions.find((a) => /as NOT VALID/.test(a.title))!;
    assert.ok(fix, actions.map((a) => a.title).join(' | '));
    assert.deepEqual(Object.values(fix.edit.changeAnnotations!), [{ label: fix.title, description: '1 file changed, 2 files created', needsConfirmation: true }]);
    for (const change of fix.edit.documentChanges) {
      if (change.kind === 'create') assert.equal(change.annotationId, 'fklens-fix');
      else for (const e of change.edits) assert.equal(e.annotationId, 'fklens-fix');
    }
    // One file edited in place: no preview.
    const ignore = actions.find((a) => a.title === 'Ignore fk-added-without-not-valid on this line')!;
    assert.equal(ignore.edit.changeAnnotations, undefined);
  });
});

describe('responsiveness: long analyses never block requests, newer edits supersede them (issue 13)', () => {
  let work: string;
  let workUri: string;
  let client: TestClient;
  const SMALL = 'small.sql';
  const SMALL_TEXT = 'CREATE TABLE accounts (id bigint PRIMARY KEY);\nCREATE TABLE notes (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));\n';
  /**
   * `tables` tables, each referencing one of the first hundred (indexed), about 200 bytes each; one finding at the
   * end. Constraints are named: choosing default names is quadratic in the tables of a schema today, which is
   * not what this test is about.
   */
  const bigText = (tables: number, prefix: string) => {
    const out: string[] = [`CREATE TABLE ${prefix}0 (id bigint PRIMARY KEY, label text NOT NULL DEFAULT '');`];
    for (let i = 1; i < tables; i++) {
      out.push(`CREATE TABLE ${prefix}${i} (id bigint CONSTRAINT ${prefix}${i}_pk PRIMARY KEY, parent_id bigint NOT NULL CONSTRAINT ${prefix}${i}_fk REFERENCES ${prefix}${Math.floor(i / 100)} (id), label text CONSTRAINT ${prefix}${i}_ck CHECK (length(label) < 80));`);
      out.push(`CREATE INDEX ${prefix}${i}_parent ON ${prefix}${i} (parent_id);`);
    }
    out.push(`CREATE TABLE ${prefix}_last (id bigint PRIMARY KEY, first_id bigint REFERENCES ${prefix}0 (id));`);
    return out.join('\n') + '\n';
  };
  const hoverAccounts = async (): Promise<{ ms: number; value: string }> => {
    const t = performance.now();
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: `${workUri}/${SMALL}` },
      position: { line: 0, character: 'CREATE TABLE acc'.length },
    });
    return { ms: performance.now() - t, value: hover?.contents.value ?? '' };
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'fklens-lsp-busy-'));
    writeFileSync(join(work, SMALL), SMALL_TEXT);
    workUri = pathToFileURL(work).href;
    client = TestClient.start();
    await client.request('initialize', { processId: process.pid, rootUri: workUri, workspaceFolders: [{ uri: workUri, name: 'busy' }], capabilities: {} });
    client.notify('initialized', {});
    await client.waitFor('the folder indexed', () => client.logs.some((l) => /^Indexed \d+ files/.test(l)));
  });

  after(async () => {
    if (client) assert.equal(await client.stop(), 0, client.stderr);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a hover on another file is answered from the last model while a large file is analysed', async () => {
    const idle = await hoverAccounts();
    assert.match(idle.value, /DELETE FROM accounts/);
    // Large enough that its analysis takes well over a second (grown until it does, whatever the machine).
    let tables = 8000;
    for (let round = 0; ; round++) {
      const uri = `${workUri}/big_${round}.sql`;
      const since = client.published.length;
      const opened = performance.now();
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: bigText(tables, `r${round}_t`) } });
      const during = await hoverAccounts();
      // Whether the large file's diagnostics were out when the hover's answer came: they must not have been.
      const publishedBeforeHover = client.published.slice(since).some((p) => p.uri === uri && p.version === 1);
      await client.waitForDiagnostics(uri, since, `the diagnostics of ${tables} tables`, (p) => p.version === 1);
      const analysis = performance.now() - opened;
      client.notify('textDocument/didClose', { textDocument: { uri } });
      if (analysis < 1500 && round < 3) {
        tables *= 2;
        continue;
      }
      assert.match(during.value, /DELETE FROM accounts/, 'the hover has its content');
      // The old server answered only once the large file was analysed: the hover came after its diagnostics. Now
      // it is answered from the last model, before the analysis ends (an order, not a time: the machine may be busy).
      assert.ok(!publishedBeforeHover, `the hover (${during.ms.toFixed(0)} ms) was answered only after the large file's diagnostics (analysis ${analysis.toFixed(0)} ms)`);
      assert.ok(during.ms < analysis * 0.6, `hover ${during.ms.toFixed(0)} ms while the analysis took ${analysis.toFixed(0)} ms`);
      break;
    }
  });

  test('an edit made during a long analysis supersedes it: the outdated version is never published', async () => {
    const uri = `${workUri}/edited.sql`;
    let tables = 8000;
    let analysis = 0;
    // First the time one full analysis of the large text takes here.
    for (let round = 0; round < 4; round++) {
      const since = client.published.length;
      const t = performance.now();
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text: bigText(tables, `m${round}_t`) } });
      await client.waitForDiagnostics(uri, since, 'the large text analysed', (p) => p.version === 1);
      analysis = performance.now() - t;
      client.notify('textDocument/didClose', { textDocument: { uri } });
      if (analysis >= 1500) break;
      tables *= 2;
    }
    // A new large version (read again from scratch), then, while it is being analysed, a small one.
    const since = client.published.length;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 2, text: bigText(tables, 'x_t') } });
    await new Promise((r) => setTimeout(r, Math.min(400, analysis / 4)));
    const edited = performance.now();
    client.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: 'CREATE TABLE only_one (id bigint PRIMARY KEY,, x int);\n' }] });
    const final = await client.waitForDiagnostics(uri, since, 'the newest version', (p) => p.version === 3);
    const latency = performance.now() - edited;
    assert.equal(final.diagnostics[0]?.code, 'syntax-error');
    assert.equal(client.published.slice(since).filter((p) => p.uri === uri && p.version === 2).length, 0, 'version 2 was superseded, never published');
    assert.ok(latency < analysis * 0.5, `newest version after ${latency.toFixed(0)} ms; one analysis of the large text takes ${analysis.toFixed(0)} ms`);
  });
});
