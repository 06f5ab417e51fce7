/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The ERD page in a real browser (Debian's chromium via playwright-core): the CLI's standalone HTML of
 * examples/shop and of a hostile workspace, and the webview page with this test playing the extension's part
 * (acquireVsCodeApi, postMessage) for the largest PostgreSQL project of the corpus. Screenshots go to
 * test-results/screenshots/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO, launchChromium, rendered, renders, screenshot, serveWebview, watch, type PageProblems } from '../support/browser';
import { corpusSkip, postgresSources } from '../support/corpus';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { openWorkspace } from '../../server/src/workspace/open';
import { Workspace } from '../../server/src/workspace/workspace';
import { computeReach } from '../../server/src/analysis/reach';
import { buildErdGraph, findTable, tableKey, type ErdGraph } from '../../server/src/features/erd/graph';
import { erdMermaid } from '../../server/src/features/erd/mermaid';
import { erdPageHtml } from '../../server/src/features/erd/page';
import type { HistoryModel } from '../../server/src/model/replay';

const HOSTILE = '<img src=x onerror=alert(1)>';
let browser: Browser;
let tmp: string;

before(async () => {
  browser = await launchChromium();
  await initPostgresParser();
  tmp = mkdtempSync(join(tmpdir(), 'fklens-erd-'));
});
after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `fklens erd DIR --format html` through the built CLI. */
function cliHtml(dir: string, name: string, ...extra: string[]): string {
  const out = join(tmp, `${name}.html`);
  const r = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), 'erd', dir, '--format', 'html', '--out', out, ...extra], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

async function openPage(url: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = await watch(page);
  await page.goto(url);
  return { page, problems };
}

function assertClean(problems: PageProblems): void {
  assert.deepEqual(problems.violations, [], 'no CSP violations');
  assert.deepEqual(problems.errors, [], 'no console errors');
  assert.deepEqual(problems.dialogs, [], 'no dialogs');
}

const tableKeys = (page: Page) => page.$$eval('g.erd-table', (gs) => gs.map((g) => g.getAttribute('data-key')!));
const classedKeys = (page: Page, cls: string) => page.$$eval(`g.erd-table.${cls}`, (gs) => gs.map((g) => g.getAttribute('data-key')!).sort());

/** What computeReach says a DELETE of `table` does, as graph keys. */
function expectedBlast(history: HistoryModel, source: string, table: string) {
  const root = history.tables.find((t) => t.name === table)!;
  const reach = computeReach(history, root.id, 'DELETE');
  const keys = (l: { table: { schema: string; name: string } }[]) => [...new Set(l.map((e) => tableKey(source, e.table)))].sort();
  return { deleted: keys(reach.deletes), setNull: keys(reach.setsNull), setDefault: keys(reach.setsDefault), blocked: keys(reach.blockedBy) };
}

async function clickBlast(page: Page, key: string) {
  await page.locator(`g.erd-table[data-key="${key}"] .erd-title`).click();
  return {
    selected: await classedKeys(page, 'selected'),
    deleted: await classedKeys(page, 'blast-deleted'),
    setNull: await classedKeys(page, 'blast-set-null'),
    setDefault: await classedKeys(page, 'blast-set-default'),
    blocked: await classedKeys(page, 'blast-blocked'),
  };
}

/** Distance of a table's box centre from the canvas centre, in pixels. */
async function offCentre(page: Page, key: string): Promise<number> {
  return page.evaluate((k) => {
    const g = [...document.querySelectorAll('g.erd-table')].find((x) => x.getAttribute('data-key') === k)!;
    const r = g.querySelector('.erd-frame')!.getBoundingClientRect();
    const c = document.querySelector('.canvas')!.getBoundingClientRect();
    return Math.hypot(r.x + r.width / 2 - (c.x + c.width / 2), r.y + r.height / 2 - (c.y + c.height / 2));
  }, key);
}

test('the CLI page of examples/shop: tables drawn, blast radius on click, search centres, keyboard, strict CSP', async () => {
  const dir = join(REPO, 'examples/shop');
  const { page, problems } = await openPage('file://' + cliHtml(dir, 'shop'));
  await rendered(page);
  const model = (await openWorkspace(dir)).model();
  const history = model.histories[0];
  const source = `0|${history.history.id}`;
  assert.deepEqual((await tableKeys(page)).sort(), history.tables.map((t) => tableKey(source, t)).sort());
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp ?? '', /default-src 'none'.*script-src 'nonce-/);
  assert.equal(await page.locator('g.erd-viewport path.erd-line').count(), history.foreignKeys.length, 'one line per FK');
  await screenshot(page, 'shop');

  // Click: the table, its neighbours and what a DELETE of one of its rows does, as computeReach says.
  const users = tableKey(source, { schema: 'public', name: 'users' });
  const got = await clickBlast(page, users);
  const want = expectedBlast(history, source, 'users');
  assert.deepEqual(got.selected, [users]);
  assert.deepEqual([got.deleted, got.setNull, got.setDefault, got.blocked], [want.deleted, want.setNull, want.setDefault, want.blocked]);
  assert.ok(want.deleted.length > 0, 'the example cascades from users');
  assert.match(await page.locator('.details').innerText(), /deletes rows of/);
  await screenshot(page, 'shop-blast-users');

  // Collapse a table to its header and back (the − / + in its header).
  const orders = tableKey(source, { schema: 'public', name: 'orders' });
  const height = () => page.$eval(`g.erd-table[data-key="${orders}"] .erd-frame`, (r) => Number(r.getAttribute('height')));
  const full = await height();
  await page.locator(`g.erd-table[data-key="${orders}"] .erd-toggle`).click();
  await rendered(page, 2);
  assert.equal(await height(), 26);
  await page.locator(`g.erd-table[data-key="${orders}"] .erd-toggle`).click();
  await rendered(page, 3);
  assert.equal(await height(), full);

  // Search: Enter centres the table.
  const reviews = tableKey(source, { schema: 'public', name: 'reviews' });
  await page.mouse.move(700, 500);
  await page.mouse.wheel(0, 600); // zoom out and away first
  await page.fill('input[type=search]', 'reviews');
  await page.press('input[type=search]', 'Enter');
  assert.ok((await offCentre(page, reviews)) < 3, 'search centred the table');
  assert.equal(await page.locator('g.erd-table.search-hit').getAttribute('data-key'), reviews);

  // Keyboard: tables are reachable with Tab, Enter selects.
  await page.locator('svg.erd').first().focus();
  let focused: string | null = null;
  for (let i = 0; i < 30 && !focused; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.closest('g.erd-table')?.getAttribute('data-key') ?? null);
  }
  assert.ok(focused, 'Tab reaches a table');
  await page.keyboard.press('Enter');
  assert.deepEqual(await classedKeys(page, 'selected'), [focused]);
  assertClean(problems);
  await page.close();
});

test('a table named like markup renders as text: no element, no script, no dialog', async () => {
  const dir = join(tmp, 'hostile');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'schema.sql'),
    `CREATE TABLE "${HOSTILE}" (id int PRIMARY KEY, "<b>bold</b>" text);\n` +
      `CREATE TABLE "</script><script>alert(2)</script>" (id int PRIMARY KEY, p int REFERENCES "${HOSTILE}" ON DELETE CASCADE);\n`,
  );
  const { page, problems } = await openPage('file://' + cliHtml(dir, 'hostile'));
  await rendered(page);
  await page.waitForTimeout(300);
  assert.equal(await page.locator('img').count(), 0, 'no img element');
  assert.equal(await page.locator('b').count(), 0, 'no b element');
  const titles = await page.$$eval('g.erd-table .erd-title', (ts) => ts.map((t) => t.textContent));
  assert.deepEqual(titles.sort(), ['</script><script>alert(2)</script>', HOSTILE].sort());
  assert.equal(await page.locator('g.erd-table').count(), 2);
  await page.locator('g.erd-table .erd-title', { hasText: HOSTILE }).click();
  assert.match(await page.locator('.details').innerText(), /<img src=x onerror=alert\(1\)>/);
  await screenshot(page, 'hostile');

  // The CLI's SVG of the same workspace: the name is text there too.
  const r = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), 'erd', dir, '--format', 'svg'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assertClean(problems);
  await page.close();
  // Parsed in a page of its own: the SVG's <style> is not the ERD page's to judge.
  const blank = await browser.newPage();
  const parsed = await blank.evaluate((svg) => {
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    return { error: doc.querySelector('parsererror')?.textContent ?? null, imgs: doc.getElementsByTagName('img').length, texts: [...doc.querySelectorAll('.erd-title')].map((t) => t.textContent) };
  }, r.stdout);
  assert.equal(parsed.error, null, 'well-formed SVG');
  assert.equal(parsed.imgs, 0);
  assert.ok(parsed.texts.includes(HOSTILE));
  await blank.close();
});

/** The largest PostgreSQL source of the corpus (by tables). */
async function largestCorpusProject(): Promise<{ id: string; dir: string; graph: ErdGraph; history: HistoryModel }> {
  let best: { id: string; dir: string; graph: ErdGraph; history: HistoryModel } | undefined;
  for (const s of postgresSources()) {
    const model = (await openWorkspace(s.dir)).model();
    const tables = model.histories.reduce((n, h) => n + h.tables.length, 0);
    if (!best || tables > best.graph.tables.length) {
      const history = model.histories.reduce((a, b) => (b.tables.length > a.tables.length ? b : a));
      best = { id: s.id, dir: s.dir, graph: buildErdGraph([{ name: '', model }]), history };
    }
  }
  return best!;
}

/** The webview page as the extension builds it, served from a loopback origin; the test plays the extension. */
async function webviewHarness() {
  const server = await serveWebview((origin) =>
    erdPageHtml({ kind: 'webview', nonce: 'test-nonce-123', cspSource: origin, scriptUri: `${origin}/erd.js`, styleUri: `${origin}/erd.css`, workerUri: `${origin}/elk-worker.min.js` }),
  );
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = await watch(page);
  await page.addInitScript(() => {
    const w = window as unknown as { __posted: unknown[]; acquireVsCodeApi(): unknown };
    w.__posted = [];
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => w.__posted.push(m),
      getState: () => JSON.parse(sessionStorage.getItem('vscode-state') ?? 'null'),
      setState: (s: unknown) => sessionStorage.setItem('vscode-state', JSON.stringify(s)),
    });
  });
  const posted = () => page.evaluate(() => (window as unknown as { __posted: { type: string; [k: string]: unknown }[] }).__posted);
  const waitPosted = (type: string) =>
    page.waitForFunction((t) => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === t), type, { timeout: 30_000 });
  const send = (message: unknown) => page.evaluate((m) => window.postMessage(m, '*'), message);
  return { server, page, problems, posted, waitPosted, send };
}

test('the webview page with the extension played by the test: corpus project, messages, exports, state, live update', { skip: corpusSkip() }, async () => {
  const project = await largestCorpusProject();
  const { server, page, problems, posted, waitPosted, send } = await webviewHarness();
  try {
    await page.goto(`${server.origin}/index.html`);
    await waitPosted('ready');
    await send({ type: 'graph', graph: project.graph });
    await rendered(page);
    assert.equal(await page.locator('g.erd-table').count(), project.graph.tables.length, `${project.id}: every table drawn`);
    assert.equal(await page.locator('g.erd-viewport path.erd-line').count(), project.graph.edges.length, 'every FK drawn');
    await screenshot(page, `corpus-${project.id}`);

    // The table with the largest blast radius: the highlight is computeReach's.
    const source = project.graph.tables[0].source;
    const root = project.history.tables
      .map((t) => ({ t, n: computeReach(project.history, t.id, 'DELETE').deletes.length }))
      .reduce((a, b) => (b.n > a.n ? b : a)).t;
    const got = await clickBlast(page, tableKey(source, root));
    const want = expectedBlast(project.history, source, root.name);
    assert.deepEqual([got.deleted, got.setNull, got.setDefault, got.blocked], [want.deleted, want.setNull, want.setDefault, want.blocked]);
    await screenshot(page, `corpus-${project.id}-blast`);

    // Double-click asks the extension to open the definition.
    await page.locator(`g.erd-table[data-key="${tableKey(source, root)}"] .erd-title`).dblclick();
    assert.ok((await posted()).some((m) => m.type === 'open' && m.key === tableKey(source, root)));

    // Exports go to the extension: SVG text with the names, a PNG, Mermaid text.
    await page.click('button:text-is("SVG")');
    await page.click('button:text-is("Mermaid")');
    await page.click('button:text-is("PNG")');
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string; format?: string }[] }).__posted.some((m) => m.format === 'png'), null, { timeout: 30_000 });
    const saves = (await posted()).filter((m) => m.type === 'save');
    const svg = saves.find((m) => m.format === 'svg')!.data as string;
    assert.ok(svg.startsWith('<svg') && svg.includes(root.name) && svg.includes('--erd-fg'), 'SVG with the theme colours pinned');
    const png = Buffer.from(saves.find((m) => m.format === 'png')!.data as string, 'base64');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal((saves.find((m) => m.format === 'mermaid')!.data as string).split('\n').filter((l) => / : "/.test(l)).length, project.graph.edges.length);

    // Pan, then reload: the view comes back from setState.
    await page.mouse.move(300, 600);
    await page.mouse.down();
    await page.mouse.move(420, 650, { steps: 4 });
    await page.mouse.up();
    const before = await page.getAttribute('g.erd-viewport', 'transform');
    await page.reload();
    await waitPosted('ready');
    await send({ type: 'graph', graph: project.graph });
    await rendered(page);
    assert.equal(await page.getAttribute('g.erd-viewport', 'transform'), before, 'viewport restored');
    assert.deepEqual(await classedKeys(page, 'selected'), [tableKey(source, root)], 'selection restored');

    // Live update: a new table arrives, the viewport stays.
    const workspace = await openWorkspace(project.dir);
    const histFiles = project.history.history.files;
    workspace.setFile(histFiles[histFiles.length - 1], workspace.text(histFiles[histFiles.length - 1]) + '\nCREATE TABLE erd_live_added (id int PRIMARY KEY);\n');
    const next = buildErdGraph([{ name: '', model: workspace.model() }]);
    const n = await renders(page);
    await send({ type: 'graph', graph: next });
    await rendered(page, n + 1);
    assert.equal(await page.locator('g.erd-table').count(), project.graph.tables.length + 1);
    assert.equal(await page.getAttribute('g.erd-viewport', 'transform'), before, 'viewport kept on update');

    // "Show in ERD" for a table: focus mode, N hops around it.
    assert.ok(findTable(next, 'erd_live_added'));
    await send({ type: 'focus', key: tableKey(source, root), hops: 1 });
    await rendered(page, n + 2);
    const neighbours = new Set([tableKey(source, root)]);
    for (const e of next.edges) {
      if (e.from === tableKey(source, root)) neighbours.add(e.to);
      if (e.to === tableKey(source, root)) neighbours.add(e.from);
    }
    assert.deepEqual((await tableKeys(page)).sort(), [...neighbours].sort());
    assertClean(problems);
  } finally {
    await page.close();
    await server.close();
  }
});

test('1,200 tables: folded by schema, a schema opens on click, focus mode, without a layout of everything', async () => {
  const schemas = 12;
  const per = 100;
  const parts: string[] = [];
  for (let s = 0; s < schemas; s++) {
    parts.push(`CREATE SCHEMA s${s};`);
    for (let t = 0; t < per; t++) {
      const fk = t > 0 ? `, parent_id int REFERENCES s${s}.t${Math.floor((t - 1) / 3)} ON DELETE CASCADE` : s > 0 ? `, other_id int REFERENCES s${s - 1}.t0` : '';
      parts.push(`CREATE TABLE s${s}.t${t} (id int PRIMARY KEY, name text NOT NULL${fk});`);
    }
  }
  const workspace = new Workspace();
  workspace.setFile('schema.sql', parts.join('\n'));
  const graph = buildErdGraph([{ name: '', model: workspace.model() }]);
  assert.equal(graph.tables.length, schemas * per);
  const { server, page, problems, waitPosted, send } = await webviewHarness();
  try {
    await page.goto(`${server.origin}/index.html`);
    await waitPosted('ready');
    await send({ type: 'graph', graph });
    await rendered(page);
    assert.equal(await page.locator('g.erd-schema').count(), schemas, 'one box per schema');
    assert.equal(await page.locator('g.erd-table').count(), 0);
    await screenshot(page, 'big-grouped');
    await page.locator('g.erd-schema[data-key="s3"]').click();
    await rendered(page, 2);
    assert.equal(await page.locator('g.erd-table').count(), per);
    assert.equal(await page.locator('g.erd-schema').count(), schemas - 1);
    // Search for a table in a folded schema opens it and centres the table.
    await page.fill('input[type=search]', 's7.t42');
    await page.press('input[type=search]', 'Enter');
    await rendered(page, 3);
    const key = findTable(graph, 's7.t42')!.key;
    await page.waitForFunction((k) => document.querySelector('g.erd-table.search-hit')?.getAttribute('data-key') === k, key);
    assert.ok((await offCentre(page, key)) < 3);
    // Focus: 1 hop around s7.t42 (its parent and its children).
    await page.locator(`g.erd-table[data-key="${key}"] .erd-title`).click();
    await page.fill('input[type=number]', '1');
    await page.click('button:text-is("Focus")');
    await rendered(page, 4);
    const around = new Set([key, ...graph.edges.filter((e) => e.from === key).map((e) => e.to), ...graph.edges.filter((e) => e.to === key).map((e) => e.from)]);
    assert.deepEqual((await tableKeys(page)).sort(), [...around].sort());
    assert.ok(around.size >= 2);
    await screenshot(page, 'big-focus');
    // Filter by schema: one schema of 100 tables is under the grouping limit, so its tables are drawn.
    await page.click('button:text-is("Show all")');
    await rendered(page, 5);
    await page.click('details.filter >> nth=0 >> summary');
    await page.check('details.filter >> nth=0 >> label:text-is("s2") >> input');
    await rendered(page, 6);
    const drawn = await tableKeys(page);
    assert.equal(drawn.length, per);
    assert.ok(drawn.every((k) => k.includes('|s2.')));
    assert.equal(await page.locator('g.erd-schema').count(), 0);
    assertClean(problems);
  } finally {
    await page.close();
    await server.close();
  }
});

test('the Mermaid output of every PostgreSQL corpus project parses with Mermaid\'s own parser', { skip: corpusSkip() }, async () => {
  const page = await browser.newPage();
  try {
    await page.setContent('<!DOCTYPE html><html><body></body></html>');
    await page.addScriptTag({ path: join(REPO, 'node_modules/mermaid/dist/mermaid.min.js') });
    const parse = (text: string) =>
      page.evaluate(async (t) => {
        const m = (window as unknown as { mermaid: { parse(text: string): Promise<unknown> } }).mermaid;
        try {
          const r = (await m.parse(t)) as { diagramType?: string } | false;
          return { ok: !!r, type: r ? r.diagramType : undefined };
        } catch (e) {
          return { ok: false, error: String((e as Error).message ?? e) };
        }
      }, text);
    // The parser can say no.
    assert.equal((await parse('erDiagram\n  a ||--o{ b c d : "x"\n')).ok, false);
    for (const s of postgresSources()) {
      const text = erdMermaid(buildErdGraph([{ name: '', model: (await openWorkspace(s.dir)).model() }]));
      const result = await parse(text);
      assert.deepEqual(result, { ok: true, type: 'er' }, `${s.id}: ${JSON.stringify(result)}`);
    }
    const hostile =
      readFileSync(join(REPO, 'examples/shop/db/migrations/0001_users_and_catalog.up.sql'), 'utf8').replace(/\busers\b/g, `"${HOSTILE} users"`) +
      '\nCREATE TABLE "no columns" ();\nCREATE TABLE keys (pk int PRIMARY KEY, fk int, "UK" int, "1st" text);\n';
    const workspace = new Workspace();
    workspace.setFile('schema.sql', hostile);
    const text = erdMermaid(buildErdGraph([{ name: '', model: workspace.model() }]));
    assert.match(text, /\n {4}no_columns\["no columns"\]\n/);
    assert.match(text, /integer pk_ PK\n {8}integer fk_\n/);
    assert.deepEqual(await parse(text), { ok: true, type: 'er' });
  } finally {
    await page.close();
  }
});

test('theme-aware: the diagram takes its colours from VS Code\'s theme variables (dark, high contrast)', async () => {
  const model = (await openWorkspace(join(REPO, 'examples/shop'))).model();
  const graph = buildErdGraph([{ name: '', model }]);
  for (const theme of [
    { name: 'dark', className: 'vscode-dark', vars: { '--vscode-editor-background': '#1e1e1e', '--vscode-editor-foreground': '#d4d4d4', '--vscode-foreground': '#cccccc', '--vscode-editorWidget-background': '#252526', '--vscode-editorWidget-border': '#454545' }, frame: 'rgb(30, 30, 30)', border: 'rgb(69, 69, 69)' },
    { name: 'high-contrast', className: 'vscode-high-contrast', vars: { '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff', '--vscode-contrastBorder': '#6fc3df' }, frame: 'rgb(0, 0, 0)', border: 'rgb(111, 195, 223)' },
  ]) {
    const { server, page, problems, waitPosted, send } = await webviewHarness();
    try {
      // VS Code puts the theme's colours on <html> and the theme kind as a class on <body>.
      await page.addInitScript((t) => {
        document.addEventListener('DOMContentLoaded', () => {
          for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
          document.body.classList.add(t.className);
        });
      }, theme);
      await page.goto(`${server.origin}/index.html`);
      await waitPosted('ready');
      await send({ type: 'graph', graph });
      await rendered(page);
      const colours = await page.$eval('g.erd-table .erd-frame', (r) => ({ fill: getComputedStyle(r).fill, stroke: getComputedStyle(r).stroke }));
      assert.deepEqual(colours, { fill: theme.frame, stroke: theme.border }, theme.name);
      await screenshot(page, `theme-${theme.name}`);
      assertClean(problems);
    } finally {
      await page.close();
      await server.close();
    }
  }
});
