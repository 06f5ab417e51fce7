/**
 * The ERD over LSP (dist/server.js over stdio): `fklens/erd` returns the graph of the workspace folder, and
 * an edit makes the server send `fklens/modelChanged`, after which the graph holds the edit; `fklens/erdTableAt` names
 * the table under a cursor.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { ErdGraph } from '../../server/src/features/erd/graph';

const server = resolve(__dirname, '../../../dist/server.js');
const dir = mkdtempSync(join(tmpdir(), 'fklens-erd-lsp-'));
const child = spawn(process.execPath, [server, '--stdio'], { stdio: 'pipe', cwd: tmpdir() });
const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
let changes = 0;
connection.onNotification('fklens/modelChanged', () => {
  changes++;
});
connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
connection.onRequest('client/registerCapability', () => null);
connection.onRequest('window/workDoneProgress/create', () => null);
connection.listen();

after(async () => {
  try {
    await connection.sendRequest('shutdown');
    connection.sendNotification('exit');
  } catch {
    child.kill();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('fklens/erd answers with the graph and follows edits', async () => {
  const schema = 'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users ON DELETE CASCADE);\n';
  writeFileSync(join(dir, 'schema.sql'), schema);
  const uri = pathToFileURL(dir).href;
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'shop' }], capabilities: { workspace: { configuration: true } } });
  connection.sendNotification('initialized', {});
  const graph = await until('the first graph', async () => {
    const g = await connection.sendRequest<ErdGraph>('fklens/erd');
    return g.tables.length === 2 ? g : undefined;
  });
  assert.deepEqual(graph.folders, [{ name: '', uri }]);
  assert.deepEqual(graph.edges.map((e) => [e.fromColumns, e.onDelete, e.parentEnd]), [[['user_id'], 'CASCADE', 'one']]);
  assert.deepEqual(graph.blast[graph.edges[0].to].deleted, [graph.edges[0].from]);

  const seen = changes;
  const docUri = `${uri}/schema.sql`;
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri: docUri, languageId: 'sql', version: 1, text: schema + 'CREATE TABLE notes (id int PRIMARY KEY, order_id int REFERENCES orders ON DELETE SET NULL);\n' } });
  await until('fklens/modelChanged', () => (changes > seen ? true : undefined));
  const next = await connection.sendRequest<ErdGraph>('fklens/erd');
  assert.equal(next.tables.length, 3);
  assert.deepEqual(next.blast[graph.edges[0].to].setNull.map((k) => k.split('.').pop()), ['notes']);
});

test('fklens/erdTableAt: the graph key of the table under the cursor, by a name or inside its CREATE TABLE; null elsewhere', async () => {
  const uri = pathToFileURL(dir).href;
  const docUri = `${uri}/schema.sql`;
  const graph = await connection.sendRequest<ErdGraph>('fklens/erd');
  const key = (name: string) => graph.tables.find((t) => t.name === name)!.key;
  const at = (line: number, character: number, u = docUri) => connection.sendRequest<string | null>('fklens/erdTableAt', { textDocument: { uri: u }, position: { line, character } });
  // schema.sql as opened above: users on line 0, orders on line 1, notes on line 2.
  assert.equal(await at(0, 15), key('users'), 'on the name');
  assert.equal(await at(1, 40), key('orders'), 'on a column of orders');
  assert.equal(await at(1, 75), key('users'), 'on REFERENCES users');
  assert.equal(await at(2, 20), key('notes'));
  assert.equal(await at(9, 0), null, 'past the end');
  assert.equal(await at(0, 0, `${uri}/nothing.sql`), null, 'a file FK Lens does not know');
});
