/** The ERD core: graph edges and blast radius, Mermaid text, the SVG renderer's escaping, the scene's folding. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { computeReach } from '../../server/src/analysis/reach';
import { buildErdGraph, findTable, type ErdGraph } from '../../server/src/features/erd/graph';
import { erdMermaid, mermaidIdent } from '../../server/src/features/erd/mermaid';
import { buildScene, defaultView, neighbourhood } from '../../server/src/features/erd/scene';
import { layoutScene } from '../../server/src/features/erd/layout';
import { renderScene, serializeSvg } from '../../server/src/features/erd/svg';
import { erdPageHtml, jsonForScript } from '../../server/src/features/erd/page';

export const HOSTILE = '<img src=x onerror=alert(1)>';

const SQL = `
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE);
CREATE TABLE order_items (order_id bigint REFERENCES orders ON DELETE CASCADE, n int, PRIMARY KEY (order_id, n));
CREATE TABLE reviews (id bigint PRIMARY KEY, user_id bigint REFERENCES users ON DELETE SET NULL);
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders ON DELETE RESTRICT);
CREATE TABLE "${HOSTILE}" (id int PRIMARY KEY, "a&b" text, user_id bigint DEFAULT 0 REFERENCES users ON DELETE SET DEFAULT);
`;

let graph: ErdGraph;
let workspace: Workspace;

before(async () => {
  await initPostgresParser();
  workspace = new Workspace();
  workspace.setFile('schema.sql', SQL);
  graph = buildErdGraph([{ name: '', model: workspace.model() }]);
});

const key = (name: string) => findTable(graph, name)!.key;

test('one edge per FK, from the FK columns to the referenced columns, with its ON DELETE', () => {
  assert.equal(graph.tables.length, 6);
  assert.equal(graph.edges.length, 5);
  const e = graph.edges.find((x) => x.from === key('orders'))!;
  assert.deepEqual([e.to, e.fromColumns, e.toColumns, e.onDelete, e.parentEnd, e.childEnd], [key('users'), ['user_id'], ['id'], 'CASCADE', 'one', 'many']);
  const r = graph.edges.find((x) => x.from === key('reviews'))!;
  assert.equal(r.parentEnd, 'zero-or-one', 'a nullable FK: zero or one parent');
  const users = graph.tables.find((t) => t.name === 'users')!;
  assert.deepEqual(users.columns.map((c) => [c.name, c.pk, c.unique, c.notNull]), [['id', true, false, true], ['email', false, true, true]]);
  assert.equal(users.file, 'schema.sql');
  assert.equal(users.line, 1);
});

test('the blast radius of every table is the reach engine\'s DELETE reach', () => {
  const history = workspace.model().histories[0];
  for (const t of history.tables) {
    const reach = computeReach(history, t.id, 'DELETE');
    const names = (list: { table: { name: string } }[]) => list.map((x) => x.table.name).sort();
    const blast = graph.blast[key(t.name)] ?? { deleted: [], setNull: [], setDefault: [], blocked: [] };
    const back = (keys: string[]) => keys.map((k) => graph.tables.find((x) => x.key === k)!.name).sort();
    assert.deepEqual(back(blast.deleted), names(reach.deletes), t.name);
    assert.deepEqual(back(blast.setNull), names(reach.setsNull), t.name);
    assert.deepEqual(back(blast.setDefault), names(reach.setsDefault), t.name);
    assert.deepEqual(back(blast.blocked), names(reach.blockedBy), t.name);
  }
  const users = graph.blast[key('users')];
  assert.deepEqual([users.deleted.length, users.setNull.length, users.setDefault.length, users.blocked.length], [2, 1, 1, 1]);
});

test('Mermaid: one relationship line per FK with crow\'s-foot ends, names made safe', () => {
  const text = erdMermaid(graph);
  const relations = text.split('\n').filter((l) => / : "/.test(l));
  assert.equal(relations.length, graph.edges.length);
  assert.ok(relations.includes('    users ||..o{ orders : "user_id"'), relations.join('\n'));
  assert.ok(relations.includes('    orders ||--o{ order_items : "order_id"'), 'identifying: the FK columns are in the PK, which makes them NOT NULL');
  assert.ok(relations.includes('    users |o..o{ reviews : "user_id"'));
  assert.ok(!text.includes('<img'), 'no markup survives');
  assert.match(text, /img_src_x_onerror_alert_1\["#60;img src=x onerror=alert\(1\)#62;"\] \{/);
  assert.equal(mermaidIdent('1st table'), 'x_1st_table');
});

test('scene: filters, focus hops and folding big schemas', () => {
  const focus = buildScene(graph, { ...defaultView(), focus: key('order_items'), hops: 1 });
  assert.deepEqual(focus.nodes.map((n) => (n.kind === 'table' ? n.table.name : '')).sort(), ['order_items', 'orders']);
  assert.deepEqual([...neighbourhood(graph, key('order_items'), 2)].map((k) => k.split('.').pop()).sort(), ['invoices', 'order_items', 'orders', 'users']);
  const grouped = buildScene(graph, { ...defaultView(), group: 'on' });
  assert.deepEqual(grouped.nodes.map((n) => n.kind + ':' + (n.kind === 'schema' ? n.tables : '')), ['schema:6']);
  const opened = buildScene(graph, { ...defaultView(), group: 'on', expanded: ['public'] });
  assert.equal(opened.nodes.length, 6);
  assert.equal(buildScene(graph, { ...defaultView(), schemas: ['nope'] }).nodes.length, 0);
});

test('SVG: every table name is text, escaped; laid out by elkjs without overlaps', async () => {
  const placed = await layoutScene(new ELK(), buildScene(graph, defaultView()));
  const svg = serializeSvg(renderScene(placed, { graph }));
  assert.ok(!svg.includes('<img'), 'the hostile name is not markup');
  assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(svg.includes('a&amp;b'));
  for (const t of graph.tables) assert.ok(svg.includes(`>${t.name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}<`), t.name);
  for (const a of placed.nodes) {
    for (const b of placed.nodes) {
      if (a === b) continue;
      const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      assert.ok(!overlap, 'boxes do not overlap');
    }
  }
  assert.equal(placed.edges.length, graph.edges.length, 'every FK is routed');
});

test('page: strict CSP with a nonce, data inlined without a way out of its script element', () => {
  const html = erdPageHtml({ kind: 'standalone', nonce: 'abc', script: 'console.log("</script><script>alert(1)</script>")', style: '', workerSource: 'x', graph });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: blob:; style-src 'nonce-abc'; script-src 'nonce-abc'; worker-src blob:">/);
  assert.equal(html.match(/<\/script>/g)!.length, 3, 'only the three script elements close');
  assert.ok(!jsonForScript({ a: HOSTILE }).includes('<'));
  const webview = erdPageHtml({ kind: 'webview', nonce: 'n1', cspSource: 'https://res', scriptUri: 'https://res/erd.js', styleUri: 'https://res/erd.css', workerUri: 'https://res/w.js' });
  assert.match(webview, /default-src 'none'; img-src https:\/\/res data: blob:; style-src https:\/\/res 'nonce-n1'; script-src 'nonce-n1'; worker-src https:\/\/res blob:/);
  assert.ok(!/<script(?![^>]*nonce="n1")/.test(webview.replace(/<script type="(application\/json|text\/plain)"/g, '')), 'every script carries the nonce');
});
