/** The bundled language server (dist/server.js) over stdio, for the benchmarks that talk to it as an editor does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: unknown[];
}

export interface BenchServer {
  connection: MessageConnection;
  child: ChildProcess;
  rootUri: string;
  /** The URI of a workspace-relative path. */
  uri(file: string): string;
  /** Resolves with the next publication for `uri` that satisfies `check`. */
  nextDiagnostics(uri: string, check: (p: PublishedDiagnostics) => boolean): Promise<PublishedDiagnostics>;
  /**
   * Opens a document, then makes `count` edits alternating between `edited` and `original`, each time waiting for
   * the diagnostics of that version; the milliseconds from each change to them. Closes the document.
   */
  timedEdits(uri: string, original: string, edited: string, count: number): Promise<number[]>;
  /** Current and peak resident set size of the server process, in MiB (Linux /proc). */
  memory(): { rssMiB: number; peakMiB: number } | undefined;
  stop(): Promise<void>;
}

/** `dist`: the folder of the bundle to run (default: this repository's dist/). Resolves once the folder is indexed. */
export async function startServer(root: string, dist = resolve(__dirname, '../../dist')): Promise<BenchServer> {
  const server = resolve(dist, 'server.js');
  if (!existsSync(server)) throw new Error(`${server} is missing: run \`npm run build\``);
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  let indexed: () => void = () => undefined;
  const ready = new Promise<void>((r) => (indexed = r));
  const waiting: { uri: string; check: (p: PublishedDiagnostics) => boolean; resolve: (p: PublishedDiagnostics) => void }[] = [];
  connection.onNotification('window/logMessage', (p: { message: string }) => {
    if (/^Indexed \d+ files/.test(p.message)) indexed();
  });
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i].uri === p.uri && waiting[i].check(p)) waiting.splice(i, 1)[0].resolve(p);
    }
  });
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const nextDiagnostics = (uri: string, check: (p: PublishedDiagnostics) => boolean) =>
    new Promise<PublishedDiagnostics>((resolve) => waiting.push({ uri, check, resolve }));
  const rootUri = pathToFileURL(root).href;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'bench' }],
    capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await connection.sendNotification('initialized', {});
  await ready;
  return {
    connection,
    child,
    rootUri,
    uri: (file) => `${rootUri}/${file.split('/').map(encodeURIComponent).join('/')}`,
    nextDiagnostics,
    async timedEdits(uri, original, edited, count) {
      let version = 1;
      const opened = nextDiagnostics(uri, (p) => p.version === 1);
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version, text: original } });
      // A file without findings gets no publication when opened: go on after a while.
      await Promise.race([opened, new Promise((r) => setTimeout(r, 2000))]);
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const v = ++version;
        const published = nextDiagnostics(uri, (p) => p.version === v);
        const t = performance.now();
        await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text: i % 2 === 0 ? edited : original }] });
        await published;
        times.push(performance.now() - t);
      }
      await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      return times;
    },
    memory() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
        return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
      } catch {
        return undefined;
      }
    },
    async stop() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } finally {
        connection.dispose();
        child.kill();
      }
    },
  };
}
