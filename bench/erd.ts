/**
 * Benchmark of the ERD page in chromium (prints figures; not a test): first render and interactions on the
 * largest PostgreSQL source of the corpus and on the foundation's benchmark workspace (2,200 tables).
 *   npm run bench:erd      (needs `npm run build` and /usr/bin/chromium)
 */
/// <reference lib="dom" />
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { buildErdGraph, type ErdGraph } from '../server/src/features/erd/graph';
import { erdPageHtml } from '../server/src/features/erd/page';
import { initPostgresParser } from '../server/src/sources/sql/postgres';
import { openWorkspace } from '../server/src/workspace/open';
import { launchChromium, serveWebview } from '../test/support/browser';
import { postgresSources } from '../test/support/corpus';
import { generateBenchWorkspace } from './workspace';

type Metrics = { renders: number; lastLayoutMs: number; lastRenderMs: number; firstRenderMs?: number; drawnTables: number; error?: string };

/** Runs `action` in the page and waits until the diagram was drawn again (or one frame, when `redraw` is false). */
async function timed(page: Page, action: string, redraw: boolean): Promise<{ ms: number; layoutMs: number }> {
  // A string expression: evaluated by the debugger protocol, so the page's CSP (no eval) does not apply to it.
  return page.evaluate(`(async () => {
    const m = window.fklensErd;
    const before = m.renders;
    const t0 = performance.now();
    ${action}
    if (${redraw}) {
      while (m.renders === before) {
        if (m.error) throw new Error(m.error);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return { ms: performance.now() - t0, layoutMs: ${redraw} ? m.lastLayoutMs : 0 };
  })()`) as Promise<{ ms: number; layoutMs: number }>;
}

const clickOn = (selector: string) =>
  `document.querySelector(${JSON.stringify(selector)}).dispatchEvent(new MouseEvent('click', { bubbles: true }));`;

/** First renders are measured this many times (a fresh page each), and the median printed: the machine is shared. */
const RUNS = Math.max(1, Number(process.env.FKLENS_BENCH_RUNS ?? 3));

/** FKLENS_BENCH_WEBVIEW_REF=DIR: also measure the first render with the webview build in DIR (e.g. a copy of main's dist/webview), in the same run. */
const REFERENCE = process.env.FKLENS_BENCH_WEBVIEW_REF;

async function measure(label: string, graph: ErdGraph, interactions: (page: Page) => Promise<string[]>): Promise<void> {
  if (REFERENCE) await measure1(`${label} [reference build ${REFERENCE}]`, graph, interactions, REFERENCE);
  await measure1(label, graph, interactions);
}

async function measure1(label: string, graph: ErdGraph, interactions: (page: Page) => Promise<string[]>, root?: string): Promise<void> {
  const server = await serveWebview(
    (origin) => erdPageHtml({ kind: 'webview', nonce: 'bench', cspSource: origin, scriptUri: `${origin}/erd.js`, styleUri: `${origin}/erd.css`, workerUri: `${origin}/elk-worker.min.js` }),
    root,
  );
  const browser = await launchChromium();
  try {
    const runs: FirstRender[] = [];
    let page: Page | undefined;
    for (let i = 0; i < RUNS; i++) {
      await page?.close();
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      runs.push(await firstRender(page, server.origin, graph));
    }
    const first = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
    const json = JSON.stringify(graph);
    console.log(`${label}: ${graph.tables.length} tables, ${graph.edges.length} FKs, graph JSON ${(json.length / 1e6).toFixed(2)} MB`);
    console.log(
      `  first render (message in -> drawn, incl. layout worker start), median of ${runs.length}: ${first.ms.toFixed(0)} ms ` +
        `(runs ${runs.map((r) => r.ms.toFixed(0)).join(', ')}; layout ${first.layoutMs.toFixed(0)} ms, DOM ${first.renderMs.toFixed(0)} ms, ${first.drawn} tables drawn; ${first.status})`,
    );
    for (const line of await interactions(page!)) console.log('  ' + line);
  } finally {
    await browser.close();
    await server.close();
  }
}

interface FirstRender {
  ms: number;
  layoutMs: number;
  renderMs: number;
  drawn: number;
  status: string | null | undefined;
}

async function firstRender(page: Page, origin: string, graph: ErdGraph): Promise<FirstRender> {
  await page.addInitScript(() => {
    const w = window as unknown as { __posted: unknown[]; acquireVsCodeApi(): unknown };
    w.__posted = [];
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__posted.push(m), getState: () => undefined, setState: () => undefined });
  });
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  const json = JSON.stringify(graph);
  const first = await page.evaluate(async (text) => {
    const m = (window as unknown as { fklensErd: Metrics }).fklensErd;
    const t0 = performance.now();
    window.postMessage({ type: 'graph', graph: JSON.parse(text) }, '*');
    while (m.renders === 0) {
      if (m.error) throw new Error(m.error);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return { ms: performance.now() - t0, layoutMs: m.lastLayoutMs, renderMs: m.lastRenderMs, drawn: m.drawnTables, status: document.querySelector('.status')?.textContent };
  }, json);
  return first;
}

const fmt = (label: string, t: { ms: number; layoutMs: number }) => `${label}: ${t.ms.toFixed(0)} ms${t.layoutMs ? ` (layout ${t.layoutMs.toFixed(0)} ms)` : ''}`;

async function main(): Promise<void> {
  await initPostgresParser();
  // The largest PostgreSQL source of the corpus, by tables.
  let largest: { id: string; graph: ErdGraph } | undefined;
  for (const s of postgresSources()) {
    const graph = buildErdGraph([{ name: '', model: (await openWorkspace(s.dir)).model() }]);
    if (!largest || graph.tables.length > largest.graph.tables.length) largest = { id: s.id, graph };
  }
  const hub = (g: ErdGraph) => Object.entries(g.blast).reduce((a, b) => (b[1].deleted.length > a[1].deleted.length ? b : a))[0];
  await measure(`corpus ${largest!.id}`, largest!.graph, async (page) => {
    const key = hub(largest!.graph);
    const table = largest!.graph.tables.find((t) => t.key === key)!;
    const click = await timed(page, clickOn(`g.erd-table[data-key="${key.replace(/"/g, '\\"')}"] .erd-title`), false);
    const search = await timed(
      page,
      `const s = document.querySelector('input[type=search]'); s.value = ${JSON.stringify(table.name)}; s.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));`,
      false,
    );
    const focus = await timed(page, clickOn('.toolbar button[title^="Show only"]'), true);
    const all = await timed(page, clickOn('.toolbar button[title^="Show every"]'), true);
    return [fmt(`click ${table.name} (blast radius highlight)`, click), fmt('search + centre', search), fmt('focus mode (hops as set, relayout)', focus), fmt('back to all tables (relayout)', all)];
  });

  const root = resolve(__dirname, '../../bench/workspace');
  generateBenchWorkspace(root, Number(process.env.FKLENS_BENCH_COPIES ?? 25));
  const t0 = performance.now();
  const model = (await openWorkspace(root)).model();
  const t1 = performance.now();
  const graph = buildErdGraph([{ name: '', model }]);
  const t2 = performance.now();
  console.log(`benchmark workspace: model ${(t1 - t0).toFixed(0)} ms, ERD graph with every table's blast radius ${(t2 - t1).toFixed(0)} ms`);
  await measure('benchmark workspace (bench/workspace)', graph, async (page) => {
    const open = await timed(page, clickOn('g.erd-schema[data-key="copy_07"]'), true);
    const key = hub(graph);
    const table = graph.tables.find((t) => t.key === key)!;
    const search = await timed(
      page,
      `const s = document.querySelector('input[type=search]'); s.value = ${JSON.stringify(`${table.schema}.${table.name}`)}; s.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));`,
      true,
    );
    const click = await timed(page, clickOn(`g.erd-table[data-key="${key.replace(/"/g, '\\"')}"] .erd-title`), false);
    const focus = await timed(page, clickOn('.toolbar button[title^="Show only"]'), true);
    const pan = await timed(page, `const g = document.querySelector('svg.erd'); g.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, clientX: 400, clientY: 300, bubbles: true, cancelable: true }));`, false);
    const ungroup = process.env.FKLENS_BENCH_UNGROUPED
      ? [fmt('every table at once, no grouping (relayout)', await timed(page, `const s = document.querySelector('.toolbar select'); s.value = 'off'; s.dispatchEvent(new Event('change')); ${clickOn('.toolbar button[title^="Show every"]')}`, true))]
      : ['(FKLENS_BENCH_UNGROUPED=1 also lays out all tables at once without grouping)'];
    return [
      fmt('open one schema (88 tables, relayout)', open),
      fmt(`search ${table.schema}.${table.name} in a folded schema (opens it, relayout, centre)`, search),
      fmt('click (blast radius highlight)', click),
      fmt('focus mode (hops as set, relayout)', focus),
      fmt('zoom (wheel)', pan),
      ...ungroup,
    ];
  });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
