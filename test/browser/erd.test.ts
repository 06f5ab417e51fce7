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
import { REPO, inkShares, launchChromium, rendered, renders, screenshot, serveWebview, watch, type PageProblems, type Rect } from '../support/browser';
import { CORPUS, corpusSkip, postgresSources } from '../support/corpus';
import { initPostgresParser } from '../../server/src/sources/sql/postgres';
import { openWorkspace } from '../../server/src/workspace/open';
import { Workspace } from '../../server/src/workspace/workspace';
import { computeReach } from '../../server/src/analysis/reach';
import { buildErdGraph, findTable, tableKey, type ErdGraph } from '../../server/src/features/erd/graph';
import { erdMermaid } from '../../server/src/features/erd/mermaid';
import { mostReferenced, searchTables } from '../../server/src/features/erd/find';
import { neighbourhood } from '../../server/src/features/erd/scene';
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

/** A project of the corpus by its id. */
async function corpusProject(id: string): Promise<{ id: string; dir: string; graph: ErdGraph; history: HistoryModel }> {
  const dir = join(CORPUS, id, 'files');
  const model = (await openWorkspace(dir)).model();
  const history = model.histories.reduce((a, b) => (b.tables.length > a.tables.length ? b : a));
  return { id, dir, graph: buildErdGraph([{ name: '', model }]), history };
}

/** The table whose DELETE deletes rows of the most tables. */
function widestBlast(history: HistoryModel) {
  return history.tables.map((t) => ({ t, n: computeReach(history, t.id, 'DELETE').deletes.length })).reduce((a, b) => (b.n > a.n ? b : a)).t;
}

let largest: Promise<{ id: string; dir: string; graph: ErdGraph; history: HistoryModel }> | undefined;
/** The largest PostgreSQL source of the corpus (by tables), read once for all the tests. */
function largestCorpusProject(): Promise<{ id: string; dir: string; graph: ErdGraph; history: HistoryModel }> {
  largest ??= findLargestCorpusProject();
  return largest;
}

async function findLargestCorpusProject(): Promise<{ id: string; dir: string; graph: ErdGraph; history: HistoryModel }> {
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
async function webviewHarness(viewport = { width: 1400, height: 900 }) {
  const server = await serveWebview((origin) =>
    erdPageHtml({ kind: 'webview', nonce: 'test-nonce-123', cspSource: origin, scriptUri: `${origin}/erd.js`, styleUri: `${origin}/erd.css`, workerUri: `${origin}/elk-worker.min.js` }),
  );
  const page = await browser.newPage({ viewport });
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
  /** Opens the page and hands it a graph (as the extension does), waiting for the first drawing. */
  const start = async (graph: ErdGraph, focus?: string) => {
    await page.goto(`${server.origin}/index.html`);
    await waitPosted('ready');
    await send({ type: 'graph', graph, focus });
    await rendered(page);
  };
  return { server, page, problems, posted, waitPosted, send, start };
}

/** What the page shows of a table: its title's font size on screen, its header's and box's screen rectangles, and the canvas's. */
async function onScreen(page: Page, key: string) {
  return page.evaluate((k) => {
    const g = [...document.querySelectorAll('g.erd-table')].find((x) => x.getAttribute('data-key') === k);
    if (!g) return undefined;
    const title = g.querySelector('.erd-title') as SVGTextElement;
    const ctm = title.getScreenCTM()!;
    const r = (e: Element) => {
      const b = e.getBoundingClientRect();
      return { x: b.x, y: b.y, width: b.width, height: b.height };
    };
    return { fontPx: parseFloat(getComputedStyle(title).fontSize) * Math.hypot(ctm.a, ctm.b), header: r(g.querySelector('.erd-header')!), box: r(g.querySelector('.erd-frame')!), canvas: r(document.querySelector('.canvas')!) };
  }, key);
}

const inside = (r: Rect, c: Rect) => r.x >= c.x - 1 && r.y >= c.y - 1 && r.x + r.width <= c.x + c.width + 1 && r.y + r.height <= c.y + c.height + 1;

/** Share of the canvas the whole drawing covers (after Fit): a tall narrow column in a wide panel covers little. */
async function coverage(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.querySelector('.canvas')!.getBoundingClientRect();
    const d = document.querySelector('g.erd-content')!.getBoundingClientRect();
    const w = Math.max(0, Math.min(c.right, d.right) - Math.max(c.left, d.left));
    const h = Math.max(0, Math.min(c.bottom, d.bottom) - Math.max(c.top, d.top));
    return (w * h) / (c.width * c.height);
  });
}

const zoomOf = async (page: Page) => Number(/scale\(([\d.]+)\)/.exec((await page.getAttribute('g.erd-viewport', 'transform')) ?? '')?.[1]);

test('a real project (86 tables) in a half-width panel: opens on the most referenced table, readable; the whole graph one click away, using the panel\'s width', { skip: corpusSkip() }, async () => {
  const project = await largestCorpusProject();
  assert.ok(project.graph.tables.length >= 80, `${project.id} has ${project.graph.tables.length} tables`);
  const { server, page, problems, start } = await webviewHarness({ width: 720, height: 860 });
  try {
    await start(project.graph);
    const hub = mostReferenced(project.graph)!;
    const incoming = (k: string) => project.graph.edges.filter((e) => e.to === k && e.from !== k).length;
    assert.ok(project.graph.tables.every((t) => incoming(t.key) <= incoming(hub.key)), 'the most referenced table');
    // Focused: the table and its neighbours, the table selected, its name readable and its header on screen.
    assert.deepEqual((await tableKeys(page)).sort(), [...neighbourhood(project.graph, hub.key, 1)].sort());
    assert.deepEqual(await classedKeys(page, 'selected'), [hub.key]);
    const shown = (await onScreen(page, hub.key))!;
    assert.ok(shown.fontPx >= 10, `table names at ${shown.fontPx.toFixed(1)} px on screen`);
    assert.ok(inside(shown.header, shown.canvas), 'the focused table\'s header is in view');
    const neighbour = (await tableKeys(page)).find((k) => k !== hub.key)!;
    assert.ok((await onScreen(page, neighbour))!.fontPx >= 10, 'its neighbours at the same zoom');
    assert.match(await page.locator('.status').innerText(), new RegExp(`focus: ${hub.name} ±1`));
    await screenshot(page, `corpus-${project.id}-focused`);

    // One click: every table and every FK, fitted, covering the panel rather than a narrow column of it.
    await page.click('button:text-is("Show all")');
    await rendered(page, 2);
    assert.equal(await page.locator('g.erd-table').count(), project.graph.tables.length, 'every table drawn');
    assert.equal(await page.locator('g.erd-viewport path.erd-line').count(), project.graph.edges.length, 'every FK drawn');
    assert.ok((await coverage(page)) >= 0.5, `the drawing covers ${(100 * (await coverage(page))).toFixed(0)} % of a half-width panel`);
    assert.ok(await page.locator('g.erd-group', { hasText: 'No foreign key' }).count(), 'tables without FKs grouped aside');
    await screenshot(page, `corpus-${project.id}-whole`);
    // A wide panel gets a wide layout.
    await page.setViewportSize({ width: 1600, height: 800 });
    await page.click('button:text-is("Show all")');
    await rendered(page, 3);
    assert.ok((await coverage(page)) >= 0.5, `the drawing covers ${(100 * (await coverage(page))).toFixed(0)} % of a wide panel`);
    await screenshot(page, `corpus-${project.id}-whole-wide`);
    assertClean(problems);
  } finally {
    await page.close();
    await server.close();
  }
});

test('the blast radius at any zoom: the rest dimmed strongly, told apart in pixels at the whole-graph zoom; Fit radius; a structured details pane', { skip: corpusSkip() }, async () => {
  const project = await largestCorpusProject();
  const { server, page, problems, start } = await webviewHarness({ width: 720, height: 860 });
  try {
    await start(project.graph);
    await page.click('button:text-is("Show all")');
    await rendered(page, 2);
    const source = project.graph.tables[0].source;
    const root = widestBlast(project.history);
    const rootKey = tableKey(source, root);
    const got = await clickBlast(page, rootKey);
    const want = expectedBlast(project.history, source, root.name);
    assert.deepEqual([got.deleted, got.setNull, got.setDefault, got.blocked], [want.deleted, want.setNull, want.setDefault, want.blocked]);
    assert.ok(want.deleted.length >= 20, `${root.name} cascades to ${want.deleted.length} tables`);

    // At the zoom that shows every table, each table of the radius stands out and each other one hardly shows.
    await page.click('button:text-is("Fit")');
    assert.ok((await zoomOf(page)) < 0.3, 'a small zoom');
    const radius = new Set([rootKey, ...want.deleted, ...want.setNull, ...want.setDefault, ...want.blocked]);
    const boxes = await page.$$eval('g.erd-table', (gs) =>
      gs.map((g) => {
        const b = g.querySelector('.erd-frame')!.getBoundingClientRect();
        return { key: g.getAttribute('data-key')!, rect: { x: b.x + 2, y: b.y + 2, width: b.width - 4, height: b.height - 4 } };
      }),
    );
    const shares = await inkShares(browser, await page.screenshot(), boxes.map((b) => b.rect), [255, 255, 255]);
    const lit = shares.filter((_, i) => radius.has(boxes[i].key));
    const dim = shares.filter((_, i) => !radius.has(boxes[i].key));
    assert.ok(dim.length > 5 && lit.length > 20);
    const faint = boxes.filter((b, i) => radius.has(b.key) && shares[i] < 0.5).map((b) => `${b.key} ${JSON.stringify(b.rect)}`);
    assert.ok(Math.min(...lit) >= 0.5, `every table of the radius is coloured (least: ${Math.min(...lit).toFixed(2)}: ${faint.join(', ')})`);
    assert.ok(Math.max(...dim) <= 0.15, `every other table is faint (most: ${Math.max(...dim).toFixed(2)})`);
    await screenshot(page, `corpus-${project.id}-blast-whole`);

    // Fit radius: every table of the radius in view, closer than the whole graph.
    const whole = await zoomOf(page);
    await page.click('.details button:text-is("Fit radius")');
    assert.ok((await zoomOf(page)) > whole);
    for (const key of radius) assert.ok(inside((await onScreen(page, key))!.box, (await onScreen(page, key))!.canvas), `${key} in view`);
    await screenshot(page, `corpus-${project.id}-blast`);

    // The details pane: one list per effect, each table a button, names without the schema (one schema here).
    const pane = page.locator('section.details');
    assert.match(await pane.locator('.details-summary').innerText(), new RegExp(`^DELETE FROM ${root.name} deletes rows of ${want.deleted.length} tables`));
    const sections = await pane.locator('details.effect').evaluateAll((ds) => ds.map((d) => ({ title: d.querySelector('summary')!.textContent!.trim(), chips: [...d.querySelectorAll('button.chip')].map((b) => b.getAttribute('data-key')!).sort() })));
    const lists = [['Deleted', want.deleted], ['Set NULL', want.setNull], ['Set DEFAULT', want.setDefault], ['Blocking the DELETE', want.blocked]].filter(([, l]) => l.length) as [string, string[]][];
    assert.deepEqual(sections, lists.map(([title, keys]) => ({ title: `${title} (${keys.length})`, chips: keys })));
    const chipTexts = await pane.locator('button.chip').allInnerTexts();
    assert.ok(chipTexts.every((t) => !t.includes('.')), 'no schema prefix when the radius is in one schema');
    const height = await pane.evaluate((e) => e.getBoundingClientRect().height);
    assert.ok(height <= 0.32 * 860, `the pane takes ${height} px of 860`);
    // A table of the list: centred in the diagram, the selection kept.
    const other = want.setNull[0] ?? want.deleted[want.deleted.length - 1];
    const chip = pane.locator(`button.chip[data-key="${other}"]`).first();
    // Long lists start folded (only the first lists open): unfold its list as a user would.
    if (!(await chip.isVisible())) await chip.locator('xpath=ancestor::details[1]/summary').click();
    await chip.click();
    assert.ok((await offCentre(page, other)) < 3, 'centred');
    assert.deepEqual(await classedKeys(page, 'selected'), [rootKey]);
    // Folded to its heading.
    await pane.locator('button.details-fold').click();
    assert.ok((await pane.evaluate((e) => e.getBoundingClientRect().height)) < 40);
    assertClean(problems);
  } finally {
    await page.close();
    await server.close();
  }
});

test('search: a hit count, Enter steps through the hits, a table found by a name it had before a rename, tall tables centred by their header', { skip: corpusSkip('harbor-migrations') }, async () => {
  const project = await largestCorpusProject();
  const { server, page, problems, start } = await webviewHarness({ width: 720, height: 860 });
  try {
    await start(project.graph);
    const hitsFor = (q: string) => searchTables(project.graph, q);
    await page.fill('input[type=search]', 'task');
    const n = hitsFor('task').length;
    assert.ok(n > 3);
    assert.equal(await page.locator('.hits').innerText(), `${n} matches`);
    // The hits are marked wherever drawn.
    assert.deepEqual(await classedKeys(page, 'search-hit'), hitsFor('task').map((x) => x.table.key).filter((k) => neighbourhood(project.graph, mostReferenced(project.graph)!.key, 1).has(k)).sort());
    await page.press('input[type=search]', 'Enter');
    await page.waitForFunction(() => document.querySelector('.hits')?.textContent?.startsWith('1 of'));
    await page.press('input[type=search]', 'Enter');
    assert.equal(await page.locator('.hits').innerText(), `2 of ${n}`);
    await page.press('input[type=search]', 'Shift+Enter');
    assert.equal(await page.locator('.hits').innerText(), `1 of ${n}`);
    await page.fill('input[type=search]', 'no such table at all');
    assert.equal(await page.locator('.hits').innerText(), 'no match');

    // A table taller than the panel (every column shown): centred across, its header in view near the top.
    await page.click('button:text-is("Show all")');
    await page.selectOption('select.columns', 'all');
    const before = await renders(page);
    await rendered(page, before + 1);
    const tall = project.graph.tables.reduce((a, b) => (b.columns.length > a.columns.length ? b : a));
    await page.fill('input[type=search]', tall.name);
    await page.press('input[type=search]', 'Enter');
    const shown = (await onScreen(page, tall.key))!;
    assert.ok(shown.box.height > shown.canvas.height, `${tall.name} (${tall.columns.length} columns) is taller than the panel`);
    assert.ok(inside(shown.header, shown.canvas), 'its header is in view');
    assert.ok(shown.header.y - shown.canvas.y < shown.canvas.height / 4, 'near the top');
    assert.ok(Math.abs(shown.box.x + shown.box.width / 2 - (shown.canvas.x + shown.canvas.width / 2)) < 3, 'centred across');
    assert.ok(shown.fontPx >= 10);
    await screenshot(page, `corpus-${project.id}-search-tall`);
    assertClean(problems);
  } finally {
    await page.close();
    await server.close();
  }

  // harbor renamed cve_whitelist to cve_allowlist: the old name finds the table, and says so.
  const harbor = await corpusProject('harbor-migrations');
  const renamed = findTable(harbor.graph, 'cve_allowlist')!;
  assert.deepEqual(renamed.formerNames, ['cve_whitelist']);
  const h = await webviewHarness({ width: 720, height: 860 });
  try {
    await h.start(harbor.graph);
    await h.page.fill('input[type=search]', 'cve_whitelist');
    assert.equal(await h.page.locator('.hits').innerText(), '1 match');
    await h.page.press('input[type=search]', 'Enter');
    await h.page.waitForFunction((k) => document.querySelector('g.erd-table.revealed')?.getAttribute('data-key') === k, renamed.key);
    assert.match(await h.page.locator('.status').innerText(), /cve_allowlist \(formerly cve_whitelist\)/);
    assert.ok((await offCentre(h.page, renamed.key)) < 3);
    assertClean(h.problems);
  } finally {
    await h.page.close();
    await h.server.close();
  }
});

test('the webview page with the extension played by the test: opening on a given table, messages, exports, state, live update', { skip: corpusSkip() }, async () => {
  const project = await largestCorpusProject();
  const { server, page, problems, posted, waitPosted, send, start } = await webviewHarness();
  try {
    const source = project.graph.tables[0].source;
    const root = widestBlast(project.history);
    const rootKey = tableKey(source, root);
    // Opened for a table (the one under the cursor): focused on it.
    await start(project.graph, rootKey);
    assert.deepEqual(await classedKeys(page, 'selected'), [rootKey]);
    assert.deepEqual((await tableKeys(page)).sort(), [...neighbourhood(project.graph, rootKey, 1)].sort());
    assert.ok((await onScreen(page, rootKey))!.fontPx >= 10);
    await page.click('button:text-is("Show all")');
    await rendered(page, 2);
    assert.equal(await page.locator('g.erd-table').count(), project.graph.tables.length);
    await screenshot(page, `corpus-${project.id}`);

    // Double-click asks the extension to open the definition.
    await page.locator(`g.erd-table[data-key="${rootKey}"] .erd-title`).dblclick();
    assert.ok((await posted()).some((m) => m.type === 'open' && m.key === rootKey));

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

    // Pan, then reload: the view comes back from setState, not the opening view.
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
    assert.deepEqual(await classedKeys(page, 'selected'), [rootKey], 'selection restored');
    assert.equal(await page.locator('g.erd-table').count(), project.graph.tables.length, 'the whole graph, as it was');

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
    await send({ type: 'focus', key: rootKey, hops: 1 });
    await rendered(page, n + 2);
    assert.deepEqual((await tableKeys(page)).sort(), [...neighbourhood(next, rootKey, 1)].sort());
    // "Show all N in ERD" (the blast radius): every table of the radius in view.
    await send({ type: 'focus', key: rootKey, radius: true });
    await rendered(page, n + 3);
    const want = expectedBlast(project.history, source, root.name);
    for (const key of [rootKey, ...want.deleted, ...want.setNull]) assert.ok(inside((await onScreen(page, key))!.box, (await onScreen(page, key))!.canvas), `${key} in view`);
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
    // A blast radius across two schemas: the details pane names tables with their schema.
    const t0 = findTable(graph, 's2.t0')!.key;
    await page.locator(`g.erd-table[data-key="${t0}"] .erd-title`).click();
    const chips = await page.locator('section.details button.chip').evaluateAll((bs) => bs.map((b) => b.textContent ?? ''));
    assert.ok(chips.includes('s3.t0') && chips.includes('s2.t1'), chips.join(', '));
    assert.deepEqual(chips.slice(0, 3), ['s2.t1', 's2.t2', 's2.t3'], 'in natural order');
    assert.match(await page.locator('section.details .details-name').innerText(), /^s2\.t0$/);
    assertClean(problems);
  } finally {
    await page.close();
    await server.close();
  }
});

/** Mermaid's own parser in a blank page: parse (yes / no) and the diagram it builds (entities, attributes, relationships). */
async function mermaidPage() {
  const page = await browser.newPage();
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
  /** What Mermaid understood, with its entity codes decoded: the names a reader of the rendered diagram sees. */
  const diagram = (text: string) =>
    page.evaluate(async (t) => {
      type Api = { parse(text: string): Promise<unknown>; mermaidAPI: { getDiagramFromText(t: string): Promise<{ db: { getEntities(): Map<string, { alias: string; attributes: { name: string; comment?: string }[] }>; getRelationships(): unknown[] } }> } };
      const m = (window as unknown as { mermaid: Api }).mermaid;
      await m.parse(t);
      const d = await m.mermaidAPI.getDiagramFromText(t);
      // Mermaid's own placeholders for entity codes (#35; -> 'ﬂ°°35¶ß', #quot; -> 'ﬂ°quot¶ß'), decoded as its renderer does.
      const decode = (s: string) => s.replace(/ﬂ°°(\d+)¶ß/g, (_, n: string) => String.fromCodePoint(Number(n))).replace(/ﬂ°(\w+)¶ß/g, (_, n: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>' })[n] ?? `&${n};`);
      return {
        entities: [...d.db.getEntities().entries()].map(([id, e]) => ({ id, alias: decode(e.alias || ''), attributes: e.attributes.map((a) => ({ name: a.name, comment: decode(a.comment ?? '') })) })),
        relationships: d.db.getRelationships().length,
      };
    }, text);
  /** Renders the text to SVG; returns what an injection would leave behind. */
  const render = (text: string) =>
    page.evaluate(async (t) => {
      const m = (window as unknown as { mermaid: { initialize(c: unknown): void; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
      m.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const { svg } = await m.render('fuzz' + Math.random().toString(36).slice(2), t);
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      return { scripts: doc.querySelectorAll('script').length, images: doc.querySelectorAll('img, image').length, handlers: [...doc.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length, text: doc.documentElement.textContent ?? '' };
    }, text);
  return { page, parse, diagram, render };
}

/** Mermaid reads a workspace's diagram as the workspace has it: every table, column and FK, every exact name. */
async function assertMermaidFaithful(m: Awaited<ReturnType<typeof mermaidPage>>, graph: ErdGraph, what: string): Promise<string> {
  const text = erdMermaid(graph);
  const parsed = await m.parse(text);
  assert.deepEqual(parsed, { ok: true, type: 'er' }, `${what}: ${JSON.stringify(parsed)}\n${text}`);
  const d = await m.diagram(text);
  assert.equal(d.relationships, graph.edges.length, `${what}: one relationship per FK`);
  const qualify = new Set(graph.tables.map((t) => t.schema)).size > 1 || graph.tables.some((t) => t.schema !== 'public');
  const entities = d.entities.filter((e) => e.attributes.length || graph.tables.some((t) => !t.columns.length));
  assert.equal(entities.length, graph.tables.length, `${what}: one entity per table`);
  const byName = new Map(entities.map((e) => [e.alias || e.id, e]));
  for (const t of graph.tables) {
    const exact = qualify ? `${t.schema}.${t.name}` : t.name;
    const e = byName.get(exact);
    assert.ok(e, `${what}: the entity of ${JSON.stringify(exact)} shows that name (entities: ${JSON.stringify([...byName.keys()])})`);
    assert.equal(e.attributes.length, t.columns.length, `${what}: columns of ${JSON.stringify(exact)}`);
    t.columns.forEach((c, i) => {
      const a = e.attributes[i];
      assert.ok(a.name === c.name || a.comment.startsWith(c.name), `${what}: column ${JSON.stringify(c.name)} shows as ${JSON.stringify(a)}`);
    });
  }
  return text;
}

/** Identifiers that are hard for Mermaid: its key words, its comment and directive markers, quotes, brackets, line breaks. */
const HOSTILE_NAMES = [
  'style', 'end', 'classDef', 'class', 'subgraph', 'erDiagram', 'accTitle', 'accDescr', 'direction', 'one', 'many', 'to', 'only', 'zero', 'u', 'PK', 'fk', 'UK',
  '%%', '%% comment', '%%{init: {"theme": "forest"}}%%', 'a"b', "it's", '[x]', '{y}', '(z)', 'x\ny', 'line\r\nbreak', 'tab\there', 'back\\slash', '#quot;', '#35;', 'a:b', 'style x: #f00;',
  '<img src=x onerror=alert(1)>', '`code`', 'a||--o{b', 'x ~T~', 'Événement', '日本語', '😀 emoji', 'bidi\u202eevil', 'sep\u2028line', 'end_', 'STYLE', '1st', '_', '-',
];

/** A small deterministic generator (mulberry32), so that a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUZZ_PIECES = ['%', '%%', '{', '}', '[', ']', '(', ')', '"', "'", '`', '\n', '\r', '\t', '\\', '#', ';', ':', '|', 'o{', '||', '--', '..', '<', '>', '&', '~', '*', ' ', 'é', '日', '😀', '\u202e', '\u2028', 'style', 'end', 'class', 'one', 'to', 'pk', 'init', 'x', 'y', '1'];

function fuzzName(r: () => number): string {
  let name = '';
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) name += FUZZ_PIECES[Math.floor(r() * FUZZ_PIECES.length)];
  return name.slice(0, 40);
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

test('Mermaid: every PostgreSQL corpus project parses with Mermaid\'s own parser, every table, column and FK there', { skip: corpusSkip() }, async () => {
  const m = await mermaidPage();
  try {
    for (const s of postgresSources()) {
      await assertMermaidFaithful(m, buildErdGraph([{ name: '', model: (await openWorkspace(s.dir)).model() }]), s.id);
    }
  } finally {
    await m.page.close();
  }
});

test('Mermaid: hostile names and a generated fuzz set parse with Mermaid\'s own parser, names intact, nothing injected', async () => {
  const m = await mermaidPage();
  try {
    // The parser can say no.
    assert.equal((await m.parse('erDiagram\n  a ||--o{ b c d : "x"\n')).ok, false);
    assert.equal((await m.parse('erDiagram\n    style {\n        int id\n    }\n')).ok, false, 'a bare key word is refused');
    assert.equal((await m.parse('erDiagram\n    a["50%"]\n')).ok, false, 'a % in an alias is refused');
    const shop =
      readFileSync(join(REPO, 'examples/shop/db/migrations/0001_users_and_catalog.up.sql'), 'utf8').replace(/\busers\b/g, `"${HOSTILE} users"`) +
      '\nCREATE TABLE "no columns" ();\nCREATE TABLE keys (pk int PRIMARY KEY, fk int, "UK" int, "1st" text);\n';
    const workspace = new Workspace();
    workspace.setFile('schema.sql', shop);
    const text = await assertMermaidFaithful(m, buildErdGraph([{ name: '', model: workspace.model() }]), 'shop with hostile names');
    assert.match(text, /\n {4}no_columns\["no columns"\]\n/);
    assert.match(text, /integer pk_ PK "pk"\n {8}integer fk_ "fk"\n/);

    // Each hostile name as a table, a column and an FK column, in one schema and across two.
    const parts = ['CREATE SCHEMA "%%{init}%%";'];
    HOSTILE_NAMES.forEach((name, i) => {
      const parent = i ? `, ${q(HOSTILE_NAMES[i - 1] + ' ref')} int REFERENCES ${q(HOSTILE_NAMES[i - 1])}` : '';
      parts.push(`CREATE TABLE ${q(name)} (id int PRIMARY KEY, ${q(name + ' col')} text NOT NULL${parent});`);
    });
    parts.push(`CREATE TABLE "%%{init}%%".${q('end')} (id int PRIMARY KEY, x int REFERENCES ${q('style')});`);
    const hostile = new Workspace();
    hostile.setFile('schema.postgres.sql', parts.join('\n'));
    const graph = buildErdGraph([{ name: '', model: hostile.model() }]);
    assert.equal(graph.tables.length, HOSTILE_NAMES.length + 1);
    const hostileText = await assertMermaidFaithful(m, graph, 'hostile names');
    assert.ok(!hostileText.includes('%'), 'no % left: no directive, no comment');
    const rendered = await m.render(hostileText);
    assert.deepEqual([rendered.scripts, rendered.images, rendered.handlers], [0, 0, 0], 'no element or handler injected');
    assert.ok(rendered.text.includes('<img src=x onerror=alert(1)>'), 'the markup-like name shows as text');
    assert.ok(rendered.text.includes('%%{init: {"theme": "forest"}}%%'), 'the directive-like name shows as text');

    // A generated fuzz set: 5 workspaces of 30 tables with random names, columns and FKs.
    for (let seed = 1; seed <= 5; seed++) {
      const r = rng(seed);
      const names = new Set<string>();
      while (names.size < 30) {
        const name = fuzzName(r);
        if (name.trim() && !names.has(name)) names.add(name);
      }
      const list = [...names];
      const sql = list.map((name, i) => {
        const cols = new Set<string>();
        const count = 1 + Math.floor(r() * 4);
        while (cols.size < count) cols.add(fuzzName(r) + ' c');
        const fk = i > 0 && r() < 0.8 ? `, ${q(fuzzName(r) + ' fk')} int REFERENCES ${q(list[Math.floor(r() * i)])}` : '';
        return `CREATE TABLE ${q(name)} (id int PRIMARY KEY, ${[...cols].map((c) => `${q(c)} text`).join(', ')}${fk});`;
      });
      const w = new Workspace();
      w.setFile('schema.postgres.sql', sql.join('\n'));
      const g = buildErdGraph([{ name: '', model: w.model() }]);
      assert.equal(g.tables.length, list.length, `seed ${seed}: every table read`);
      await assertMermaidFaithful(m, g, `fuzz seed ${seed}`);
    }
  } finally {
    await m.page.close();
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
