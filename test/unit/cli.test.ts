/** The built CLI (dist/cli.js), as CI would call it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const cli = (...args: string[]) => spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8' });

test('fklens model --json prints the example shop model', () => {
  const r = cli('model', 'examples/shop', '--json');
  assert.equal(r.status, 0, r.stderr);
  const model = JSON.parse(r.stdout);
  const orders = model.foreignKeys.find((f: { table: string; columns: string[] }) => f.table === 'orders' && f.columns[0] === 'user_id');
  assert.deepEqual(
    { refTable: orders.refTable, refColumns: orders.refColumns, onDelete: orders.onDelete, indexed: orders.indexed, schema: orders.schema },
    { refTable: 'users', refColumns: ['id'], onDelete: 'CASCADE', indexed: true, schema: 'public' },
  );
  assert.match(orders.location.file, /^examples\/shop\/db\/migrations\/0002_orders\.up\.sql$/, 'relative to the current directory');
  assert.ok(orders.location.line > 1 && orders.location.column >= 1);
  assert.ok(model.tables.some((t: { name: string }) => t.name === 'order_items'));
});

test('fklens model prints a readable summary', () => {
  const r = cli('model', 'examples/shop');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /public\.orders\(user_id\) -> public\.users\(id\)\s+ON DELETE CASCADE/);
  assert.match(r.stdout, /\d+ foreign keys in \d+ tables; \d+ without a usable index\./);
});

test('a missing directory or a bad flag: one line on stderr and exit code 2', () => {
  const missing = cli('model', 'no/such/dir');
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /no\/such\/dir: no such file or directory/);
  const flag = cli('model', '--frobnicate');
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /unknown option '--frobnicate'/);
  assert.equal(flag.stderr.trim().split('\n').length, 1);
  const order = cli('model', '--order', 'sideways');
  assert.equal(order.status, 2);
  const command = cli('explode');
  assert.equal(command.status, 2);
});

test('fklens erd: SVG, Mermaid and HTML of the example; bad flags exit 2', () => {
  const svg = cli('erd', 'examples/shop');
  assert.equal(svg.status, 0, svg.stderr);
  assert.match(svg.stdout, /^<\?xml[^]*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="erd"/);
  for (const name of ['users', 'orders', 'order_items', 'payments']) assert.ok(svg.stdout.includes(`>${name}</text>`), name);
  const mermaid = cli('erd', 'examples/shop', '--format', 'mermaid');
  assert.equal(mermaid.status, 0, mermaid.stderr);
  assert.match(mermaid.stdout, /^erDiagram\n/);
  assert.ok(mermaid.stdout.includes('    users ||..o{ orders : "user_id"'));
  const focus = cli('erd', 'examples/shop', '--format', 'mermaid', '--focus', 'order_items', '--hops', '1');
  assert.deepEqual(focus.stdout.split('\n').filter((l) => / : "/.test(l)).map((l) => l.trim().split(' ')[0]).sort(), ['orders', 'products']);
  const out = join(mkdtempSync(join(tmpdir(), 'fklens-cli-')), 'erd.html');
  const html = cli('erd', 'examples/shop', '--format', 'html', '--out', out);
  assert.equal(html.status, 0, html.stderr);
  assert.match(html.stderr, /wrote .*erd\.html \(8 tables, 10 foreign keys\)/);
  assert.match(readFileSync(out, 'utf8'), /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.ok(!svg.stdout.includes('more column'), 'a small diagram shows every column');
  assert.match(cli('erd', 'examples/shop', '--columns', 'keys').stdout, /<text class="erd-more"[^>]*>\+ \d+ more columns?<\/text>/);
  assert.equal(cli('erd', 'examples/shop', '--columns', 'some').status, 2);
  assert.equal(cli('erd', 'examples/shop', '--format', 'png').status, 2);
  assert.equal(cli('erd', 'examples/shop', '--focus', 'no_such_table').status, 2);
  assert.equal(cli('erd', 'no/such/dir').status, 2);
  assert.equal(cli('erd', '--help').status, 0);
});
