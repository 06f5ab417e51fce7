/**
 * The ERD page. Receives the graph (from the extension by message, or inlined by the CLI), lays the current
 * view out with elkjs in a web worker, draws it with the shared renderer, and handles pan / zoom / fit,
 * search (current and former names), filters, focus mode, selection with the delete blast radius and its
 * details pane, collapsing, exports and state.
 *
 * Opening: when the whole view would be too small to read in the panel, the diagram opens focused on the
 * table it was asked for (the one under the cursor) or else on the most referenced table, with its
 * neighbours, at a readable zoom; "Show all" and "Fit" are one click away.
 */
import ELK from 'elkjs/lib/elk-api.js';
import { mostReferenced, searchTables, type SearchHit } from '../server/src/features/erd/find';
import { uniqueSuffixes } from '../server/src/features/labels';
import type { ErdGraph, ErdTable } from '../server/src/features/erd/graph';
import { GEOMETRY, layoutScene, nodeSize, type ElkLike, type PlacedScene } from '../server/src/features/erd/layout';
import { erdMermaid } from '../server/src/features/erd/mermaid';
import { buildScene, defaultView, type ErdView, type Scene } from '../server/src/features/erd/scene';
import { EDGE_STYLES, renderScene, SVG_NS } from '../server/src/features/erd/svg';
import { renderDetails, type DetailsState } from './details';
import { toDom, h, type Refs } from './dom';
import { exportPng, exportSvg } from './exporting';
import { createHost, type Host } from './host';
import { centreTransform, DETAIL_ZOOM, FAR_ZOOM, fitTransform, fitZoom, keepInView, READABLE_ZOOM, union, zoomAbout, type Box, type Transform } from './viewport';

interface Persisted {
  view: ErdView;
  transform?: Transform;
  selected?: string;
}

/** `radius`: select the table and fit the view to its DELETE blast radius. */
type FromHost = { type: 'graph'; graph: ErdGraph; focus?: string; radius?: boolean } | { type: 'focus'; key: string; hops?: number; radius?: boolean };

/** Where the viewport goes after the next drawing. */
type Pending = { kind: 'fit' } | { kind: 'open'; key: string } | { kind: 'centre'; key: string } | { kind: 'radius'; key: string };

/** What tests and the benchmark read. */
interface Metrics {
  renders: number;
  lastLayoutMs: number;
  lastRenderMs: number;
  firstRenderMs?: number;
  drawnTables: number;
  error?: string;
  /** The view the last drawing shows (focus, hops, ...), for tests. */
  view?: ErdView;
}

const metrics: Metrics = { renders: 0, lastLayoutMs: 0, lastRenderMs: 0, drawnTables: 0 };
(window as unknown as { fklensErd: Metrics }).fklensErd = metrics;
const started = performance.now();

const app = document.getElementById('app')!;
const host: Host = createHost();
let graph: ErdGraph | undefined;
let tablesByKey = new Map<string, ErdTable>();
/** Files as people read them: the shortest path suffix that tells them apart. */
let fileLabel = new Map<string, string>();
const whereOf = (t: ErdTable) => `${fileLabel.get(t.file) ?? t.file}:${t.line + 1}`;
let view: ErdView = defaultView();
let transform: Transform = { x: 0, y: 0, k: 1 };
let selected: string | undefined;
let placed: PlacedScene | undefined;
let refs: Refs = { tables: new Map(), schemas: new Map(), edges: new Map() };
let layoutSeq = 0;
let pending: Pending | undefined;
let hasViewport = false;
let elk: Promise<ElkLike> | undefined;
const detailsState: DetailsState = { folded: false };
let hits: SearchHit[] = [];
let hitIndex = -1;

// ---------------------------------------------------------------------------------------------------------
// Page structure (all text by text nodes)

const search = h('input', { type: 'search', placeholder: 'Find table…', 'aria-label': 'Find a table by its name or a former name (Enter: next, Shift+Enter: previous)', list: 'erd-table-names' });
const hitCount = h('span', { class: 'hits', 'aria-live': 'polite' });
const names = h('datalist', { id: 'erd-table-names' });
const schemaFilter = h('details', { class: 'filter' });
const sourceFilter = h('details', { class: 'filter' });
const hops = h('input', { type: 'number', min: '0', max: '9', value: String(defaultView().hops), 'aria-label': 'Hops around the focused table' });
const focusButton = h('button', { type: 'button', title: 'Show only the tables around the selected one' }, 'Focus');
const allButton = h('button', { type: 'button', title: 'Show every table again' }, 'Show all');
const groupSelect = h('select', { 'aria-label': 'Group by schema' }, h('option', { value: 'auto' }, 'Group: auto'), h('option', { value: 'on' }, 'Group by schema'), h('option', { value: 'off' }, 'No grouping'));
const columnsSelect = h(
  'select',
  { 'aria-label': 'Columns shown', class: 'columns' },
  h('option', { value: 'auto' }, 'Columns: auto'),
  h('option', { value: 'keys' }, 'Key columns'),
  h('option', { value: 'all' }, 'All columns'),
);
const fitButton = h('button', { type: 'button', title: 'Fit the diagram (0)' }, 'Fit');
const zoomIn = h('button', { type: 'button', title: 'Zoom in (+)', 'aria-label': 'Zoom in' }, '+');
const zoomOut = h('button', { type: 'button', title: 'Zoom out (-)', 'aria-label': 'Zoom out' }, '−');
const exportSvgButton = h('button', { type: 'button' }, 'SVG');
const exportPngButton = h('button', { type: 'button' }, 'PNG');
const exportMermaidButton = h('button', { type: 'button' }, 'Mermaid');
const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
const details = h('section', { class: 'details', 'aria-label': 'Selected table' });
const svg = document.createElementNS(SVG_NS, 'svg');
svg.setAttribute('class', 'erd');
svg.setAttribute('tabindex', '0');
svg.setAttribute('aria-label', 'Entity relationship diagram. Tab to a table, Enter to select, Shift+Enter to open its definition.');
const viewport = document.createElementNS(SVG_NS, 'g');
viewport.setAttribute('class', 'erd-viewport');
svg.appendChild(viewport);
const canvas = h('div', { class: 'canvas' });
canvas.appendChild(svg);

/** The legend: one line when the panel is wide, folded to its title when it is not. */
function legend(): HTMLElement {
  const fold = h('details', { class: 'legend-fold' });
  fold.open = window.innerWidth >= 1100;
  const box = h('div', { class: 'legend', 'aria-label': 'Legend' });
  for (const style of EDGE_STYLES) {
    const sample = document.createElementNS(SVG_NS, 'svg');
    sample.setAttribute('class', 'erd');
    sample.setAttribute('width', '36');
    sample.setAttribute('height', '10');
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('class', `erd-edge ${style.className}`);
    const line = document.createElementNS(SVG_NS, 'path');
    line.setAttribute('class', 'erd-line');
    line.setAttribute('d', 'M2,5 L34,5');
    g.appendChild(line);
    sample.appendChild(g);
    box.append(h('span', { class: 'legend-item' }, sample, style.label));
  }
  for (const [cls, label] of [['deleted', 'deleted'], ['set-null', 'set NULL'], ['set-default', 'set DEFAULT'], ['blocked', 'blocks the DELETE']]) {
    box.append(h('span', { class: 'legend-item' }, h('span', { class: `swatch blast-${cls}` }), label));
  }
  box.append(h('span', { class: 'legend-item' }, "ends: || one, |o zero or one, o< many (crow's foot)"));
  fold.append(h('summary', {}, 'Legend'), box);
  return fold;
}

app.append(
  h(
    'div',
    { class: 'toolbar', role: 'toolbar' },
    h('span', { class: 'group search' }, search, hitCount),
    names,
    schemaFilter,
    sourceFilter,
    h('span', { class: 'group' }, focusButton, h('label', {}, 'hops ', hops), allButton),
    groupSelect,
    columnsSelect,
    h('span', { class: 'group' }, zoomOut, zoomIn, fitButton),
    h('span', { class: 'group', 'aria-label': 'Export' }, 'Export: ', exportSvgButton, exportPngButton, exportMermaidButton),
  ),
  status,
  canvas,
  details,
  legend(),
);

// ---------------------------------------------------------------------------------------------------------
// Layout engine: elkjs's worker, started from a blob of the bundle's worker script

function workerSource(): Promise<string> {
  const inline = document.getElementById('fklens-elk-worker');
  if (inline) {
    const bytes = Uint8Array.from(atob(inline.textContent ?? ''), (c) => c.charCodeAt(0));
    return Promise.resolve(new TextDecoder().decode(bytes));
  }
  const url = app.dataset.worker;
  if (!url) return Promise.reject(new Error('no layout worker given'));
  return fetch(url).then((r) => {
    if (!r.ok) throw new Error(`layout worker: HTTP ${r.status}`);
    return r.text();
  });
}

function layoutEngine(): Promise<ElkLike> {
  elk ??= workerSource().then((source) => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    return new ELK({ workerFactory: () => new Worker(url) }) as unknown as ElkLike;
  });
  return elk;
}

// ---------------------------------------------------------------------------------------------------------
// State

function persist(): void {
  host.setState<Persisted>({ view, transform, selected });
}

function setStatus(text: string): void {
  status.textContent = text;
}

function applyTransform(): void {
  viewport.setAttribute('transform', `translate(${round(transform.x)},${round(transform.y)}) scale(${round(transform.k, 1000)})`);
  svg.classList.toggle('far', transform.k < FAR_ZOOM);
}

function round(n: number, by = 10): number {
  return Math.round(n * by) / by;
}

// ---------------------------------------------------------------------------------------------------------
// Graph and view

/** `opening`: the first graph of a page with no saved view; `asked`: the table the diagram was opened for. */
function setGraph(next: ErdGraph, opening = false, asked?: string): void {
  graph = next;
  tablesByKey = new Map(next.tables.map((t) => [t.key, t]));
  fileLabel = uniqueSuffixes(next.tables.map((t) => t.file));
  // Keep the view, minus what no longer exists.
  view = {
    ...view,
    schemas: view.schemas.filter((s) => next.schemas.includes(s)),
    sources: view.sources.filter((s) => next.sources.some((x) => x.id === s)),
    focus: view.focus && tablesByKey.has(view.focus) ? view.focus : undefined,
    collapsed: view.collapsed.filter((k) => tablesByKey.has(k)),
    full: view.full.filter((k) => tablesByKey.has(k)),
  };
  if (selected && !tablesByKey.has(selected)) selected = undefined;
  if (opening) open(asked && tablesByKey.has(asked) ? asked : undefined);
  names.replaceChildren(...next.tables.map((t) => h('option', { value: `${t.schema}.${t.name}` })));
  buildFilters();
  updateHits();
  void relayout();
}

/**
 * The first view of a diagram: every table when the whole view can be read in the panel; otherwise the
 * asked-for table (or the most referenced one) with its neighbours, at a readable zoom.
 */
function open(asked: string | undefined): void {
  if (!graph) return;
  const whole = buildScene(graph, { ...view, focus: undefined });
  const drawn = (key: string) => whole.nodes.some((n) => n.kind === 'table' && n.table.key === key);
  if (whole.nodes.length && estimatedFitZoom(whole) >= READABLE_ZOOM && (!asked || drawn(asked))) {
    view = { ...view, focus: undefined };
    selected = asked;
    pending = asked ? { kind: 'open', key: asked } : { kind: 'fit' };
    return;
  }
  const key = asked ?? mostReferenced(graph, new Set(graph.tables.filter(passesFilters).map((t) => t.key)))?.key;
  if (!key) return;
  view = { ...view, focus: key, hops: view.focus === key ? view.hops : defaultView().hops };
  selected = key;
  pending = { kind: 'open', key };
}

function passesFilters(t: ErdTable): boolean {
  return (!view.schemas.length || view.schemas.includes(t.schema)) && (!view.sources.length || view.sources.includes(t.source));
}

/** About the zoom at which `scene` would fit the canvas, from its boxes' area (before laying it out). */
function estimatedFitZoom(scene: Scene): number {
  let area = 0;
  let widest = 0;
  for (const n of scene.nodes) {
    const s = nodeSize(n);
    area += (s.width + 70) * (s.height + 40);
    widest = Math.max(widest, s.width);
  }
  const { width, height } = canvasSize();
  return Math.min(Math.sqrt((width * height) / Math.max(1, area)), width / Math.max(1, widest + 40));
}

function checkboxList(container: HTMLDetailsElement, title: string, items: { id: string; label: string }[], chosen: string[], apply: (ids: string[]) => void): void {
  const active = new Set(chosen);
  const summary = h('summary', {}, `${title} (${active.size ? active.size : 'all'})`);
  const list = h('div', { class: 'filter-list' });
  for (const item of items) {
    const box = h('input', { type: 'checkbox' });
    box.checked = active.has(item.id);
    box.addEventListener('change', () => {
      if (box.checked) active.add(item.id);
      else active.delete(item.id);
      summary.textContent = `${title} (${active.size ? active.size : 'all'})`;
      apply(items.filter((i) => active.has(i.id)).map((i) => i.id));
    });
    list.append(h('label', {}, box, item.label));
  }
  const open = container.open;
  container.replaceChildren(summary, list);
  container.open = open;
}

function buildFilters(): void {
  if (!graph) return;
  checkboxList(schemaFilter, 'Schemas', graph.schemas.map((s) => ({ id: s, label: s })), view.schemas, (ids) => {
    view = { ...view, schemas: ids };
    void relayout();
  });
  checkboxList(sourceFilter, 'Sources', graph.sources.map((s) => ({ id: s.id, label: s.label })), view.sources, (ids) => {
    view = { ...view, sources: ids };
    void relayout();
  });
  sourceFilter.hidden = graph.sources.length < 2;
  groupSelect.value = view.group;
  columnsSelect.value = view.columns;
  hops.value = String(view.hops);
}

async function relayout(): Promise<void> {
  if (!graph) return;
  const seq = ++layoutSeq;
  const scene = buildScene(graph, view);
  if (!scene.nodes.length) {
    viewport.replaceChildren();
    placed = undefined;
    setStatus(graph.tables.length ? 'No table matches the filters.' : 'No tables found in this workspace yet.');
    return;
  }
  setStatus(`Laying out ${scene.nodes.length} boxes…`);
  const t0 = performance.now();
  let result: PlacedScene;
  try {
    const { width, height } = canvasSize();
    result = await layoutScene(await layoutEngine(), scene, { aspect: width / height });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    metrics.error = message;
    setStatus(`Layout failed: ${message}`);
    host.post({ type: 'error', message: `ERD layout failed: ${message}` });
    return;
  }
  if (seq !== layoutSeq) return; // a newer layout is on its way
  const t1 = performance.now();
  draw(result);
  const t2 = performance.now();
  metrics.renders++;
  metrics.lastLayoutMs = t1 - t0;
  metrics.lastRenderMs = t2 - t1;
  metrics.firstRenderMs ??= t2 - started;
  metrics.drawnTables = refs.tables.size;
  metrics.view = view;
  const folded = scene.grouped ? `, ${scene.nodes.filter((n) => n.kind === 'schema').length} schemas folded (click one to open it)` : '';
  const focus = view.focus ? `, focus: ${tablesByKey.get(view.focus)?.name ?? ''} ±${view.hops} (Show all: every table)` : '';
  setStatus(`${scene.visibleTables} of ${graph.tables.length} tables, ${scene.edges.length} edges${folded}${focus}. Layout ${Math.round(t1 - t0)} ms.`);
  applyHighlight();
  const next = pending;
  pending = undefined;
  if (next?.kind === 'fit') fit();
  else if (next?.kind === 'open') openAt(next.key);
  else if (next?.kind === 'centre' && refs.tables.has(next.key)) centreOn(next.key);
  else if (next?.kind === 'radius') fitRadius(next.key);
  else if (!hasViewport) fit();
  hasViewport = true;
  markHits();
  persist();
}

function draw(result: PlacedScene): void {
  placed = result;
  refs = { tables: new Map(), schemas: new Map(), edges: new Map() };
  const tree = renderScene(result, { interactive: true, graph });
  const nodes = tree.children.filter((c) => typeof c !== 'string' && c.tag !== 'style').map((c) => toDom(c, refs));
  const defs = nodes.find((n) => (n as Element).tagName === 'defs');
  for (const old of Array.from(svg.querySelectorAll(':scope > defs'))) old.remove();
  if (defs) svg.insertBefore(defs, viewport);
  viewport.replaceChildren(...nodes.filter((n) => n !== defs));
  applyTransform();
}

// ---------------------------------------------------------------------------------------------------------
// Selection and the blast radius

function applyHighlight(): void {
  const classes = ['selected', 'neighbour', 'blast-deleted', 'blast-set-null', 'blast-set-default', 'blast-blocked', 'dimmed'];
  for (const g of refs.tables.values()) g.classList.remove(...classes);
  for (const g of refs.edges.values()) g.classList.remove('highlight', 'dimmed');
  svg.classList.remove('has-selection');
  if (!graph || !selected || !tablesByKey.has(selected)) {
    details.replaceChildren();
    return;
  }
  const table = tablesByKey.get(selected)!;
  const blast = graph.blast[selected];
  renderDetails(details, table, blast, tablesByKey, whereOf(table), detailsState, {
    reveal: (key) => void reveal(key),
    open: (key) => openDefinition(key),
    fitRadius: () => fitRadius(selected!),
    close: () => select(undefined),
  });
  if (!refs.tables.has(selected)) return;
  svg.classList.add('has-selection');
  // A table can be reached several ways (deleted by one cascade, set NULL through another FK): every effect shows.
  const effect = new Map<string, string[]>();
  const mark = (keys: string[], cls: string) => {
    for (const k of keys) effect.set(k, [...(effect.get(k) ?? []), cls]);
  };
  if (blast) {
    mark(blast.setDefault, 'blast-set-default');
    mark(blast.setNull, 'blast-set-null');
    mark(blast.blocked, 'blast-blocked');
    mark(blast.deleted, 'blast-deleted');
  }
  const neighbours = new Set<string>();
  for (const e of graph.edges) {
    if (e.from === selected) neighbours.add(e.to);
    if (e.to === selected) neighbours.add(e.from);
    const edge = refs.edges.get(e.key);
    if (!edge) continue;
    if (e.from === selected || e.to === selected || (effect.has(e.from) && (effect.has(e.to) || e.to === selected))) edge.classList.add('highlight');
    else edge.classList.add('dimmed');
  }
  for (const [key, g] of refs.tables) {
    if (key === selected) g.classList.add('selected');
    else if (effect.has(key)) g.classList.add(...effect.get(key)!);
    else if (neighbours.has(key)) g.classList.add('neighbour');
    else g.classList.add('dimmed');
    if (neighbours.has(key) && key !== selected) g.classList.add('neighbour');
  }
}

/** The selected table and every table its DELETE reaches. */
function radiusOf(key: string): string[] {
  const b = graph?.blast[key];
  return [key, ...(b ? [...b.deleted, ...b.setNull, ...b.setDefault, ...b.blocked] : [])];
}

/** Selects `key` and fits the view to its blast radius, showing every table when some of it is not drawn. */
function fitRadius(key: string): void {
  if (!graph || !tablesByKey.has(key)) return;
  selected = key;
  const keys = radiusOf(key);
  if (!keys.every((k) => refs.tables.has(k))) {
    const t = tablesByKey.get(key)!;
    view = { ...view, focus: undefined, schemas: [], sources: [], expanded: [...new Set([...view.expanded, t.schema, ...keys.map((k) => tablesByKey.get(k)?.schema ?? t.schema)])] };
    buildFilters();
    pending = { kind: 'radius', key };
    void relayout();
    return;
  }
  const box = union(keys.map(boxOf).filter((b): b is Box => !!b));
  applyHighlight();
  if (box) setTransform(fitTransform(box, canvasSize(), DETAIL_ZOOM));
  persist();
}

function select(key: string | undefined): void {
  selected = key;
  applyHighlight();
  persist();
}

// ---------------------------------------------------------------------------------------------------------
// Viewport

function contentSize(): { width: number; height: number } {
  return placed ? { width: placed.width + 40, height: placed.height + 40 } : { width: 1, height: 1 };
}

function canvasSize(): { width: number; height: number } {
  return { width: canvas.clientWidth || 800, height: canvas.clientHeight || 600 };
}

function setTransform(t: Transform): void {
  transform = t;
  applyTransform();
  persist();
}

function fit(): void {
  const { width, height } = contentSize();
  setTransform(fitTransform({ x: 0, y: 0, width, height }, canvasSize()));
}

function boxOf(key: string): Box | undefined {
  const n = placed?.nodes.find((p) => p.node.kind === 'table' && p.node.table.key === key);
  return n ? { x: n.x + 20, y: n.y + 20, width: n.width, height: n.height } : undefined;
}

/** Centres a table at a readable zoom (or the current one, when larger), its header in view. */
function centreOn(key: string): void {
  const box = boxOf(key);
  if (!box) return;
  setTransform(centreTransform(box, canvasSize(), Math.max(transform.k, READABLE_ZOOM), GEOMETRY.headerHeight));
}

/** The opening view of a table: the whole drawing when it fits readably, else the table at a readable zoom. */
function openAt(key: string): void {
  const { width, height } = contentSize();
  if (fitZoom({ width, height }, canvasSize()) >= READABLE_ZOOM) {
    fit();
    return;
  }
  // The drawing centred at a readable zoom, then moved as little as needed to show the whole table (or its header).
  const box = boxOf(key);
  if (!box) return fit();
  const centred = centreTransform({ x: 0, y: 0, width, height }, canvasSize(), DETAIL_ZOOM, GEOMETRY.headerHeight);
  setTransform(keepInView(centred, box, canvasSize()));
}

function zoomAt(factor: number, cx: number, cy: number): void {
  setTransform(zoomAbout(transform, factor, cx, cy));
}

let drag: { x: number; y: number; tx: number; ty: number; id: number } | undefined;
svg.addEventListener('pointerdown', (e) => {
  if ((e.target as Element).closest('.erd-table, .erd-schema')) return;
  drag = { x: e.clientX, y: e.clientY, tx: transform.x, ty: transform.y, id: e.pointerId };
  svg.setPointerCapture(e.pointerId);
});
svg.addEventListener('pointermove', (e) => {
  if (!drag || e.pointerId !== drag.id) return;
  transform = { ...transform, x: drag.tx + e.clientX - drag.x, y: drag.ty + e.clientY - drag.y };
  applyTransform();
});
svg.addEventListener('pointerup', (e) => {
  if (!drag) return;
  const moved = Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3;
  drag = undefined;
  if (!moved && !(e.target as Element).closest('.erd-table, .erd-schema')) select(undefined);
  persist();
});
svg.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
  },
  { passive: false },
);

// ---------------------------------------------------------------------------------------------------------
// Tables: click, double-click, keyboard, collapse; schema boxes open on click

function keyOf(target: EventTarget | null, kind: 'table' | 'schema'): string | undefined {
  const g = (target as Element | null)?.closest(kind === 'table' ? '.erd-table' : '.erd-schema');
  return g?.getAttribute('data-key') ?? undefined;
}

/** The header's − / +: down to the header and back (to the columns the view shows). */
function toggleCollapsed(key: string): void {
  const collapsed = new Set(view.collapsed);
  if (collapsed.has(key)) collapsed.delete(key);
  else collapsed.add(key);
  view = { ...view, collapsed: [...collapsed], full: view.full.filter((k) => k !== key) };
  void relayout();
}

/** The "+ N more columns" row: every column of that table. */
function showAllColumns(key: string): void {
  view = { ...view, full: [...new Set([...view.full, key])], collapsed: view.collapsed.filter((k) => k !== key) };
  void relayout();
}

function expandSchema(schema: string): void {
  view = { ...view, expanded: [...new Set([...view.expanded, schema])] };
  void relayout();
}

function openDefinition(key: string): void {
  if (host.standalone) {
    const t = tablesByKey.get(key);
    if (t) setStatus(`${t.schema}.${t.name} is defined in ${whereOf(t)}`);
    return;
  }
  host.post({ type: 'open', key });
}

svg.addEventListener('click', (e) => {
  const schema = keyOf(e.target, 'schema');
  if (schema) return expandSchema(schema);
  const key = keyOf(e.target, 'table');
  if (!key) return;
  if ((e.target as Element).classList.contains('erd-toggle')) return toggleCollapsed(key);
  if ((e.target as Element).classList.contains('erd-more')) return showAllColumns(key);
  select(key);
});
svg.addEventListener('dblclick', (e) => {
  const key = keyOf(e.target, 'table');
  if (key && !(e.target as Element).classList.contains('erd-toggle') && !(e.target as Element).classList.contains('erd-more')) openDefinition(key);
});
svg.addEventListener('keydown', (e) => {
  const schema = keyOf(e.target, 'schema');
  const key = keyOf(e.target, 'table');
  if (schema && (e.key === 'Enter' || e.key === ' ')) {
    e.preventDefault();
    expandSchema(schema);
  } else if (key && e.key === 'Enter' && e.shiftKey) {
    e.preventDefault();
    openDefinition(key);
  } else if (key && (e.key === 'Enter' || e.key === ' ')) {
    e.preventDefault();
    select(key);
  } else if (key && (e.key === 'c' || e.key === 'C')) {
    toggleCollapsed(key);
  } else if (e.key === 'Escape') select(undefined);
  else if (e.key === '+' || e.key === '=') zoomAt(1.25, canvas.clientWidth / 2, canvas.clientHeight / 2);
  else if (e.key === '-') zoomAt(0.8, canvas.clientWidth / 2, canvas.clientHeight / 2);
  else if (e.key === '0') fit();
});
svg.addEventListener('focusin', (e) => {
  // Keep a table reached with Tab on screen.
  const key = keyOf(e.target, 'table');
  const box = key ? boxOf(key) : undefined;
  if (!box) return;
  const x = transform.x + box.x * transform.k;
  const y = transform.y + box.y * transform.k;
  if (x < 0 || y < 0 || x + box.width * transform.k > canvas.clientWidth || y + box.height * transform.k > canvas.clientHeight) centreOn(key!);
});

// ---------------------------------------------------------------------------------------------------------
// Toolbar

/** Recomputes the search hits for the box's text and marks the drawn ones. */
function updateHits(): void {
  hits = graph ? searchTables(graph, search.value) : [];
  hitIndex = -1;
  showHitCount();
  markHits();
}

function showHitCount(): void {
  if (!search.value.trim()) hitCount.textContent = '';
  else if (!hits.length) hitCount.textContent = 'no match';
  else if (hitIndex < 0) hitCount.textContent = `${hits.length} match${hits.length === 1 ? '' : 'es'}`;
  else hitCount.textContent = `${hitIndex + 1} of ${hits.length}`;
}

function markHits(): void {
  const keys = new Set(hits.map((x) => x.table.key));
  const current = hitIndex >= 0 ? hits[hitIndex]?.table.key : undefined;
  for (const [key, g] of refs.tables) {
    g.classList.toggle('search-hit', keys.has(key));
    g.classList.toggle('search-current', key === current);
  }
}

/** Shows the next (or previous) hit: brought into the drawing if needed, and centred by its header. */
function stepHit(by: number): void {
  if (!hits.length) {
    setStatus(search.value.trim() ? `No table matches "${search.value.trim()}".` : '');
    showHitCount();
    return;
  }
  hitIndex = (hitIndex + by + hits.length) % hits.length;
  showHitCount();
  const hit = hits[hitIndex];
  const t = hit.table;
  const says = `${t.schema}.${t.name}${hit.formerName ? ` (formerly ${hit.formerName})` : ''}, ${whereOf(t)}`;
  setStatus(says);
  // A relayout (the table was not drawn) writes its own status: this one comes back after it.
  void reveal(t.key).then(() => setStatus(says));
}

/** Brings a table into the drawn scene (filters, folded schema, focus) and centres it by its header. */
function reveal(key: string): Promise<void> {
  const t = tablesByKey.get(key);
  if (!t) return Promise.resolve();
  if (refs.tables.has(key)) {
    centreOn(key);
    markHits();
    flash(key);
    return Promise.resolve();
  }
  view = {
    ...view,
    schemas: view.schemas.length && !view.schemas.includes(t.schema) ? [...view.schemas, t.schema] : view.schemas,
    sources: view.sources.length && !view.sources.includes(t.source) ? [...view.sources, t.source] : view.sources,
    expanded: [...new Set([...view.expanded, t.schema])],
    focus: view.focus ? key : undefined,
  };
  if (view.focus) selected = key;
  buildFilters();
  pending = { kind: 'centre', key };
  return relayout().then(() => flash(key));
}

/** Marks a table as the one just shown, and gives it the keyboard focus. */
function flash(key: string): void {
  for (const g of refs.tables.values()) g.classList.remove('revealed');
  const g = refs.tables.get(key);
  if (!g) return;
  g.classList.add('revealed');
  g.focus({ preventScroll: true });
}

search.addEventListener('input', updateHits);
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    if (hitIndex < 0 && !hits.length) updateHits();
    stepHit(e.shiftKey ? -1 : 1);
  } else if (e.key === 'Escape') {
    search.value = '';
    updateHits();
  }
});

function focusOn(key: string, n = view.hops): void {
  view = { ...view, focus: key, hops: n };
  hops.value = String(n);
  selected = key;
  pending = { kind: 'open', key };
  void relayout();
}

focusButton.addEventListener('click', () => {
  if (selected) focusOn(selected, Number(hops.value) || 0);
  else setStatus('Select a table first (click it), then Focus.');
});
hops.addEventListener('change', () => {
  const n = Math.max(0, Math.min(9, Number(hops.value) || 0));
  view = { ...view, hops: n };
  if (view.focus) void relayout();
});
allButton.addEventListener('click', () => {
  view = { ...view, focus: undefined, schemas: [], sources: [] };
  buildFilters();
  pending = { kind: 'fit' };
  void relayout();
});
groupSelect.addEventListener('change', () => {
  view = { ...view, group: groupSelect.value as ErdView['group'], expanded: [] };
  void relayout();
});
columnsSelect.addEventListener('change', () => {
  view = { ...view, columns: columnsSelect.value as ErdView['columns'], full: [] };
  void relayout();
});
fitButton.addEventListener('click', fit);
zoomIn.addEventListener('click', () => zoomAt(1.25, canvas.clientWidth / 2, canvas.clientHeight / 2));
zoomOut.addEventListener('click', () => zoomAt(0.8, canvas.clientWidth / 2, canvas.clientHeight / 2));

function currentSvg(): { text: string; width: number; height: number } | undefined {
  const content = viewport.querySelector(':scope > .erd-content') as SVGGElement | null;
  if (!placed || !content) return undefined;
  const { width, height } = contentSize();
  return { text: exportSvg(svg, content, Math.ceil(width), Math.ceil(height)), width: Math.ceil(width), height: Math.ceil(height) };
}

exportSvgButton.addEventListener('click', () => {
  const s = currentSvg();
  if (s) host.post({ type: 'save', format: 'svg', data: s.text, name: 'erd.svg' });
});
exportPngButton.addEventListener('click', () => {
  const s = currentSvg();
  if (!s) return;
  exportPng(s.text, s.width, s.height).then(
    (data) => host.post({ type: 'save', format: 'png', data, name: 'erd.png' }),
    (err: unknown) => setStatus(`PNG export failed: ${err instanceof Error ? err.message : String(err)}`),
  );
});
exportMermaidButton.addEventListener('click', () => {
  if (!graph) return;
  const shown = new Set(buildScene(graph, { ...view, group: 'off' }).nodes.map((n) => (n.kind === 'table' ? n.table.key : '')));
  host.post({ type: 'save', format: 'mermaid', data: erdMermaid(graph, graph.tables.filter((t) => shown.has(t.key))), name: 'erd.mmd' });
});

// ---------------------------------------------------------------------------------------------------------
// Messages and start-up

window.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as FromHost;
  if (!message || typeof message !== 'object') return;
  if (message.type === 'graph' && message.graph) {
    const first = !graph && !restored;
    if (message.focus && !first) {
      view = { ...view, focus: message.focus };
      selected = message.focus;
      pending = { kind: 'open', key: message.focus };
    }
    setGraph(message.graph, first, message.focus);
    if (message.radius && message.focus) pending = { kind: 'radius', key: message.focus };
  } else if (message.type === 'focus' && typeof message.key === 'string') {
    if (message.radius) fitRadius(message.key);
    else focusOn(message.key, message.hops ?? view.hops);
  }
});

const saved = host.getState<Persisted>();
/** A view was saved (the panel was hidden or reloaded): it comes back as it was, no opening view. */
const restored = !!saved?.view;
if (saved?.view) {
  view = { ...defaultView(), ...saved.view };
  selected = saved.selected;
  if (saved.transform) {
    transform = saved.transform;
    hasViewport = true;
  }
}

const inline = document.getElementById('fklens-erd-data');
if (inline) {
  const data = JSON.parse(inline.textContent ?? '{}') as { graph: ErdGraph; view: ErdView | null };
  if (data.view && !saved) view = { ...defaultView(), ...data.view };
  // A focus asked for on the command line (fklens erd --focus) is kept as asked.
  const asked = !restored && view.focus;
  if (asked) {
    selected = asked;
    pending = { kind: 'open', key: asked };
  }
  setGraph(data.graph, !restored && !asked);
} else {
  setStatus('Waiting for the model…');
  host.post({ type: 'ready' });
}
