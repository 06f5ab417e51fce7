/**
 * The ERD's views at real-project scale, without a browser: key columns only in big views, the layout's use
 * of the panel's shape (components packed, tables without FKs grouped aside), search by current and former
 * names, the table an ERD opens on (under the cursor, else the most referenced), Mermaid's key words and
 * pre-processing, and the viewport arithmetic of the webview.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { Workspace } from '../../server/src/workspace/workspace';
import { openWorkspace } from '../../server/src/workspace/open';
import { buildErdGraph, findTable, type ErdGraph } from '../../server/src/features/erd/graph';
import { mostReferenced, namesFor, searchTables } from '../../server/src/features/erd/find';
import { uniqueSuffixes } from '../../server/src/features/labels';
import { erdTableAt } from '../../server/src/features/erd/at';
import { buildScene, defaultView, KEYS_LIMIT } from '../../server/src/features/erd/scene';
import { fullestLayer, layoutScene, packRows, type PlacedScene } from '../../server/src/features/erd/layout';
import { erdMermaid, mermaidIdent, mermaidText, mermaidType } from '../../server/src/features/erd/mermaid';
import { renderScene, serializeSvg } from '../../server/src/features/erd/svg';
import { centreTransform, fitTransform, keepInView, READABLE_ZOOM } from '../../webview/viewport';
import { CORPUS } from '../support/corpus';

before(async () => {
  await initPostgresParser();
});

const graphOf = (files: Record<string, string>): { graph: ErdGraph; workspace: Workspace } => {
  const workspace = new Workspace();
  for (const [path, text] of Object.entries(files)) workspace.setFile(path, text);
  return { graph: buildErdGraph([{ name: '', model: workspace.model() }]), workspace };
};

/** A hub referenced by `n` tables of 12 columns each, plus `lone` tables without FKs. */
function hubSql(n: number, lone = 0): string {
  const cols = (p: string) => Array.from({ length: 10 }, (_, i) => `${p}_c${i} text`).join(', ');
  const parts = [`CREATE TABLE hub (id bigint PRIMARY KEY, code text UNIQUE, ${cols('h')});`];
  for (let i = 0; i < n; i++) parts.push(`CREATE TABLE child_${i} (id bigint PRIMARY KEY, hub_id bigint NOT NULL REFERENCES hub ON DELETE CASCADE, ${cols('c')});`);
  for (let i = 0; i < lone; i++) parts.push(`CREATE TABLE lone_${i} (id bigint PRIMARY KEY, note text);`);
  return parts.join('\n');
}

const overlaps = (placed: PlacedScene) =>
  placed.nodes.some((a) => placed.nodes.some((b) => a !== b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height));

test('a big view shows key columns only, the rest as one "+N more columns" row; the focused table shows all', () => {
  const { graph } = graphOf({ 'schema.sql': hubSql(KEYS_LIMIT + 3) });
  const scene = buildScene(graph, defaultView());
  const child = scene.nodes.find((n) => n.kind === 'table' && n.table.name === 'child_0');
  assert.ok(child && child.kind === 'table');
  assert.deepEqual(child.rows.map((c) => c.name), ['id', 'hub_id'], 'PK and FK columns');
  assert.equal(child.hidden, 10);
  const hub = scene.nodes.find((n) => n.kind === 'table' && n.table.name === 'hub');
  assert.ok(hub && hub.kind === 'table');
  assert.deepEqual(hub.rows.map((c) => c.name), ['id', 'code'], 'the referenced key and a unique column');
  const svg = serializeSvg(renderScene({ scene, nodes: [], edges: [], groups: [], width: 0, height: 0 }));
  assert.ok(svg.startsWith('<svg'));
  // Small views, 'all', the focused table and tables opened one by one show every column.
  const small = graphOf({ 'schema.sql': hubSql(3) }).graph;
  assert.ok(buildScene(small, defaultView()).nodes.every((n) => n.kind === 'table' && n.hidden === 0));
  assert.ok(buildScene(graph, { ...defaultView(), columns: 'all' }).nodes.every((n) => n.kind === 'table' && n.hidden === 0));
  const focused = buildScene(graph, { ...defaultView(), focus: findTable(graph, 'hub')!.key, hops: 1 });
  assert.equal(focused.nodes.find((n) => n.kind === 'table' && n.table.name === 'hub')!.kind === 'table' && (focused.nodes.find((n) => n.kind === 'table' && n.table.name === 'hub') as { hidden: number }).hidden, 0);
  const opened = buildScene(graph, { ...defaultView(), full: [findTable(graph, 'child_1')!.key] });
  assert.equal((opened.nodes.find((n) => n.kind === 'table' && n.table.name === 'child_1') as { hidden: number }).hidden, 0);
});

test('layout: a hub with 40 children uses the panel\'s width instead of one tall column; lone tables grouped aside', async () => {
  const { graph } = graphOf({ 'schema.sql': hubSql(40, 9) });
  const scene = buildScene(graph, { ...defaultView(), columns: 'all' });
  for (const aspect of [1, 1.8]) {
    const placed = await layoutScene(new ELK(), scene, { aspect });
    const ratio = placed.width / placed.height;
    assert.ok(ratio > aspect / 2 && ratio < aspect * 2, `shape ${placed.width}x${placed.height} (${ratio.toFixed(2)}) for a panel of ${aspect}`);
    assert.ok(!overlaps(placed), 'no two boxes overlap');
    assert.equal(placed.edges.length, graph.edges.length, 'every FK is routed');
    // The nine tables without FKs sit together in one labelled box that overlaps no other table.
    assert.equal(placed.groups.length, 1);
    const group = placed.groups[0];
    assert.equal(group.label, 'No foreign key (9)');
    const lone = placed.nodes.filter((n) => n.node.kind === 'table' && n.node.table.name.startsWith('lone_'));
    assert.equal(lone.length, 9);
    for (const n of lone) assert.ok(n.x >= group.x && n.y >= group.y && n.x + n.width <= group.x + group.width && n.y + n.height <= group.y + group.height, n.node.id);
    for (const n of placed.nodes.filter((x) => !lone.includes(x))) {
      assert.ok(n.x >= group.x + group.width || n.x + n.width <= group.x || n.y >= group.y + group.height || n.y + n.height <= group.y, `${n.node.id} outside the group`);
    }
    // Edges start and end on the boxes' sides: from the parent's key row to the child's FK row.
    for (const e of placed.edges) {
      const from = placed.nodes.find((n) => n.node.id === e.edge.to)!;
      const to = placed.nodes.find((n) => n.node.id === e.edge.from)!;
      assert.ok(Math.abs(e.points[0].x - (from.x + from.width)) < 1 && Math.abs(e.points[e.points.length - 1].x - to.x) < 1, e.edge.id);
    }
  }
  // Without the bound on layers the 40 children stand in one column, about eight times taller than wide.
  const unbounded: ElkNode = await new ELK().layout({
    id: 'r',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT' },
    children: scene.nodes.filter((n) => !n.id.includes('lone_')).map((n) => ({ id: n.id, width: 300, height: 250 })),
    edges: scene.edges.map((e) => ({ id: e.id, sources: [e.to], targets: [e.from] })),
  });
  assert.ok(unbounded.width! / unbounded.height! < 0.2, 'the shape the bound avoids');
});

test('layout helpers: fullest layer, row packing', () => {
  assert.equal(fullestLayer([{ x: 0, width: 10 }, { x: 2, width: 5 }, { x: 30, width: 10 }, { x: 31, width: 2 }, { x: 32, width: 2 }]), 3);
  const packed = packRows([{ width: 100, height: 50 }, { width: 100, height: 80 }, { width: 100, height: 20 }], 210, 10);
  assert.deepEqual(packed.at, [{ x: 110, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 90 }]);
  assert.deepEqual([packed.width, packed.height], [210, 110]);
});

test('the real projects: whole-graph layouts near the panel\'s shape, no overlaps', async (t) => {
  for (const id of ['triggerdev-prisma', 'langfuse-prisma', 'danbooru-structure']) {
    const dir = join(CORPUS, id, 'files');
    if (!existsSync(dir)) {
      t.skip(`${id} not in the corpus`);
      continue;
    }
    const graph = buildErdGraph([{ name: '', model: (await openWorkspace(dir)).model() }]);
    const placed = await layoutScene(new ELK(), buildScene(graph, defaultView()), { aspect: 1 });
    const ratio = placed.width / placed.height;
    assert.ok(ratio > 0.5 && ratio < 2, `${id}: ${Math.round(placed.width)}x${Math.round(placed.height)}`);
    assert.ok(!overlaps(placed), id);
    assert.equal(placed.nodes.length, graph.tables.length);
  }
});

test('search: current names, former names (renamed tables), exact matches first; most referenced; names and file labels', () => {
  const { graph } = graphOf({
    '001_init.up.sql': 'CREATE TABLE accounts (id int PRIMARY KEY);\nCREATE TABLE job_runs (id int PRIMARY KEY, account_id int REFERENCES accounts);\nCREATE TABLE runs_archive (id int PRIMARY KEY);\n',
    '002_rename.up.sql': 'ALTER TABLE job_runs RENAME TO task_runs;\nALTER TABLE task_runs RENAME TO runs;\nCREATE TABLE notes (id int PRIMARY KEY, account_id int REFERENCES accounts, run_id int REFERENCES runs);\n',
  });
  const runs = findTable(graph, 'runs')!;
  assert.deepEqual(runs.formerNames, ['job_runs', 'task_runs'], 'oldest first');
  assert.deepEqual(searchTables(graph, 'job_runs').map((h) => [h.table.name, h.formerName]), [['runs', 'job_runs']]);
  assert.deepEqual(searchTables(graph, 'TASK_RUNS').map((h) => h.table.name), ['runs']);
  assert.deepEqual(searchTables(graph, 'runs').map((h) => h.table.name), ['runs', 'runs_archive'], 'the exact match first');
  assert.deepEqual(searchTables(graph, 'public.acc').map((h) => h.table.name), ['accounts']);
  assert.deepEqual(searchTables(graph, '  '), []);
  assert.equal(mostReferenced(graph)!.name, 'accounts');
  assert.equal(mostReferenced(graph, new Set([runs.key, findTable(graph, 'notes')!.key]))!.name, 'runs');
  const two = graphOf({ 'a.sql': 'CREATE SCHEMA audit; CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE audit.t (id int PRIMARY KEY);' }).graph;
  assert.deepEqual([...namesFor(two.tables).values()].sort(), ['audit.t', 'public.t']);
  assert.deepEqual([...namesFor(graph.tables).values()].sort(), ['accounts', 'notes', 'runs', 'runs_archive']);
  assert.deepEqual(
    [...uniqueSuffixes(['m/2019-01_a/up.sql', 'm/2019-02_b/up.sql', 'schema.sql', 'x/schema.sql', 'y/z/schema.sql']).values()],
    ['2019-01_a/up.sql', '2019-02_b/up.sql', 'schema.sql', 'x/schema.sql', 'z/schema.sql'],
  );
});

test('the table an ERD opens on: a name under the cursor, a position inside CREATE TABLE, a Prisma model beside its migrations', async () => {
  const sql = 'CREATE TABLE users (\n  id int PRIMARY KEY,\n  email text\n);\nCREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\nALTER TABLE users RENAME TO customers;\n';
  const { graph, workspace } = graphOf({ 'schema.sql': sql });
  const model = workspace.model();
  const key = (name: string) => findTable(graph, name)!.key;
  assert.equal(erdTableAt(model, 'schema.sql', sql.indexOf('users'), 0), key('customers'), 'the old name leads to the renamed table');
  assert.equal(erdTableAt(model, 'schema.sql', sql.indexOf('email'), 0), key('customers'), 'a column of it');
  assert.equal(erdTableAt(model, 'schema.sql', sql.indexOf(');'), 0), key('customers'), 'inside its CREATE TABLE');
  assert.equal(erdTableAt(model, 'schema.sql', sql.indexOf('REFERENCES users') + 12, 0), key('customers'));
  assert.equal(erdTableAt(model, 'schema.sql', sql.indexOf('orders'), 0), key('orders'));
  assert.equal(erdTableAt(model, 'nope.sql', 0, 0), undefined);
  // Prisma: the schema beside its migrations stands for the migrated tables.
  const prisma = 'datasource db {\n  provider = "postgresql"\n  url = env("DB")\n}\n\nmodel User {\n  id    Int     @id\n  posts Post[]\n}\n\nmodel Post {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n}\n';
  const migration = 'CREATE TABLE "User" ("id" INTEGER NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\nCREATE TABLE "Post" ("id" INTEGER NOT NULL, "userId" INTEGER NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));\nALTER TABLE "Post" ADD CONSTRAINT "Post_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;\n';
  const p = graphOf({ 'prisma/schema.prisma': prisma, 'prisma/migrations/20240101000000_init/migration.sql': migration, 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n' });
  const pm = p.workspace.model();
  assert.ok(pm.companions?.length, 'the schema is a companion of the migrations');
  const post = findTable(p.graph, 'Post')!;
  assert.equal(erdTableAt(pm, 'prisma/schema.prisma', prisma.indexOf('model Post') + 7, 0), post.key);
  assert.equal(erdTableAt(pm, 'prisma/schema.prisma', prisma.indexOf('userId Int') + 2, 0), post.key);
  assert.equal(erdTableAt(pm, 'prisma/schema.prisma', 5, 0), undefined, 'the datasource block is no table');
});

test('Mermaid: key words and directives never reach Mermaid as such', () => {
  for (const word of ['style', 'end', 'classDef', 'CLASS', 'subgraph', 'erDiagram', 'one', 'many', 'to', 'accTitle', 'pk']) {
    assert.equal(mermaidIdent(word), `${word}_`, word);
  }
  assert.equal(mermaidIdent('styles'), 'styles');
  assert.equal(mermaidType('uk'), 'type_uk');
  assert.equal(mermaidText('a%%{init: {"theme":"dark"}}%%\nb'), 'a#37;#37;#123;init#58; #123;#34;theme#34;#58;#34;dark#34;#125;#125;#37;#37;#10;b');
  assert.equal(mermaidText('Événement 日本 ok'), 'Événement 日本 ok');
  const { graph } = graphOf({
    'schema.sql':
      'CREATE TABLE style (id int PRIMARY KEY, "end" int, "classDef" text);\n' +
      'CREATE TABLE "end" (id int PRIMARY KEY, style_id int REFERENCES style, "%%{init: {}}%%" text);\n' +
      'CREATE TABLE "a""b\nc" (id int PRIMARY KEY, "x\\y" int REFERENCES "end");\n',
  });
  const text = erdMermaid(graph);
  assert.ok(!text.includes('%'), 'no % anywhere: no directive, no comment');
  assert.ok(!/\\/.test(text), 'no backslash');
  assert.equal(text.split('\n').filter((l) => l.includes('"')).every((l) => (l.match(/"/g) ?? []).length === 2), true, 'one quoted string per line, closed');
  assert.match(text, /\n {4}style_\["style"\] \{\n/);
  assert.match(text, /\n {4}end_\["end"\] \{\n/);
  assert.match(text, /\n {4}a_b_c\["a#34;b#10;c"\] \{\n/);
  assert.match(text, /integer x_y FK "x#92;y"/);
});

test('viewport: fit a box, centre a table, by its header when it is taller than the canvas', () => {
  const canvas = { width: 800, height: 600 };
  const fit = fitTransform({ x: 0, y: 0, width: 1600, height: 600 }, canvas);
  assert.ok(Math.abs(fit.k - 768 / 1600) < 1e-9);
  const small = centreTransform({ x: 100, y: 100, width: 200, height: 100 }, canvas, 1, 26);
  assert.deepEqual(small, { k: 1, x: 400 - 200, y: 300 - 150 });
  // 2,000 px tall: the header (top of the box) lands a tenth of the canvas from the top, centred across.
  const tall = centreTransform({ x: 100, y: 100, width: 200, height: 2000 }, canvas, READABLE_ZOOM, 26);
  assert.equal(tall.x, 400 - 200 * READABLE_ZOOM);
  assert.ok(Math.abs(tall.y + 100 * READABLE_ZOOM - 60) < 1e-9);
  // Kept in view: a box off the right edge comes back with a margin; one in view does not move; a huge one shows its corner.
  const t = { x: 0, y: 0, k: 1 };
  assert.deepEqual(keepInView(t, { x: 900, y: 100, width: 100, height: 50 }, canvas, 20), { x: -220, y: 0, k: 1 });
  assert.deepEqual(keepInView(t, { x: 100, y: 100, width: 100, height: 50 }, canvas, 20), t);
  assert.deepEqual(keepInView(t, { x: 100, y: 100, width: 2000, height: 50 }, canvas, 20), { x: -80, y: 0, k: 1 });
});
