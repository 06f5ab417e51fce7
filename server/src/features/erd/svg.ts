/**
 * Draws a placed scene as a tree of SVG elements: the one renderer behind the CLI's SVG (serialised to text
 * here, every name escaped) and the webview (turned into DOM nodes with createElementNS and text nodes, never
 * markup). Colours come from CSS classes (ERD_SVG_CSS) whose variables the webview maps to the VS Code theme.
 */
import type { FkAction } from '../../model/schema';
import type { ErdEdge, ErdGraph } from './graph';
import { GEOMETRY, clip, moreColumnsText, nullMarker, tableTitle, type PlacedEdge, type PlacedGroup, type PlacedNode, type PlacedScene, type Point } from './layout';

export interface SvgElement {
  tag: string;
  attrs: Record<string, string | number>;
  children: SvgChild[];
  /** What the element stands for, so the webview can wire events to it. */
  ref?: { kind: 'table' | 'schema' | 'edge'; key: string };
}
export type SvgChild = SvgElement | string;

export const SVG_NS = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number> = {}, children: SvgChild[] = []): SvgElement {
  return { tag, attrs, children };
}

export function actionClass(action: FkAction): string {
  switch (action) {
    case 'CASCADE':
      return 'cascade';
    case 'SET NULL':
      return 'set-null';
    case 'SET DEFAULT':
      return 'set-default';
    default:
      return 'restrict';
  }
}

export const EDGE_STYLES: { className: string; label: string }[] = [
  { className: 'cascade', label: 'ON DELETE CASCADE' },
  { className: 'set-null', label: 'ON DELETE SET NULL' },
  { className: 'set-default', label: 'ON DELETE SET DEFAULT' },
  { className: 'restrict', label: 'ON DELETE RESTRICT / NO ACTION' },
];

/** Crow's-foot end markers, drawn pointing +x with the entity at x = 20. */
function markers(): SvgElement {
  const m = (id: string, parts: SvgElement[]) =>
    el('marker', { id, viewBox: '0 0 22 14', refX: 21, refY: 7, markerWidth: 22, markerHeight: 14, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, parts);
  const bar = (x: number) => el('path', { d: `M${x},1 L${x},13`, class: 'erd-marker' });
  const circle = (x: number) => el('circle', { cx: x, cy: 7, r: 3.2, class: 'erd-marker hollow' });
  const crow = el('path', { d: 'M11,7 L21,1 M11,7 L21,7 M11,7 L21,13', class: 'erd-marker' });
  return el('defs', {}, [
    m('erd-one', [bar(12), bar(16)]),
    m('erd-zero-or-one', [circle(7), bar(15)]),
    m('erd-many', [circle(6), crow]),
  ]);
}

export interface RenderOptions {
  /** Make tables focusable and labelled (the webview). */
  interactive?: boolean;
  /** CSS put inside the SVG (standalone files). */
  css?: string;
  graph?: ErdGraph;
}

export function renderScene(placed: PlacedScene, options: RenderOptions = {}): SvgElement {
  const margin = 20;
  const width = Math.ceil(placed.width + 2 * margin);
  const height = Math.ceil(placed.height + 2 * margin);
  const names = new Map((options.graph?.tables ?? []).map((t) => [t.key, `${t.schema}.${t.name}`]));
  const edges = el('g', { class: 'erd-edges' }, placed.edges.map((e) => renderEdge(e, names)));
  const nodes = el('g', { class: 'erd-nodes' }, placed.nodes.map((n) => (n.node.kind === 'table' ? renderTable(n, options) : renderSchema(n, options))));
  const groups = el('g', { class: 'erd-groups' }, (placed.groups ?? []).map(renderGroup));
  const children: SvgChild[] = [];
  if (options.css) children.push(el('style', {}, [options.css]));
  children.push(markers(), el('g', { class: 'erd-content', transform: `translate(${margin},${margin})` }, [groups, edges, nodes]));
  return el('svg', { xmlns: SVG_NS, class: 'erd', width, height, viewBox: `0 0 ${width} ${height}` }, children);
}

function renderTable(n: PlacedNode, options: RenderOptions): SvgElement {
  if (n.node.kind !== 'table') throw new Error('not a table');
  const g = GEOMETRY;
  const t = n.node.table;
  const title = tableTitle(t);
  const children: SvgChild[] = [
    el('title', {}, [`${t.schema}.${t.name}${t.columns.length ? ` (${t.columns.length} columns)` : ''}`]),
    el('rect', { class: 'erd-frame', x: 0, y: 0, width: n.width, height: n.height, rx: 4 }),
    el('rect', { class: 'erd-header', x: 0, y: 0, width: n.width, height: g.headerHeight, rx: 4 }),
    el('text', { class: 'erd-title', x: g.padX, y: g.headerHeight / 2 + 4 }, [clip(title)]),
  ];
  if (options.interactive) {
    children.push(el('text', { class: 'erd-toggle', x: n.width - g.padX - 6, y: g.headerHeight / 2 + 4 }, [n.node.collapsed ? '+' : '−']));
  }
  if (!n.node.collapsed) {
    const nameX = g.padX + g.markerChars * g.charWidth;
    const typeX = nameX + (n.nameChars + 2) * g.charWidth;
    const nnX = typeX + (n.typeChars + 1) * g.charWidth;
    const rows = n.node.rows;
    rows.forEach((c, i) => {
      const y = g.headerHeight + 2 + i * g.rowHeight + g.rowHeight / 2 + 4;
      const key = c.pk ? 'PK' : c.unique ? 'UQ' : '';
      const row: SvgChild[] = [];
      if (key) row.push(el('text', { class: `erd-key ${c.pk ? 'pk' : 'uq'}`, x: g.padX, y }, [key]));
      if (c.fk) row.push(el('text', { class: 'erd-key fk', x: g.padX + 3 * g.charWidth, y }, ['FK']));
      row.push(el('text', { class: `erd-col${c.notNull ? ' not-null' : ''}`, x: nameX, y }, [clip(c.name)]));
      row.push(el('text', { class: 'erd-type', x: typeX, y }, [clip(c.type)]));
      const nn = nullMarker(c);
      if (nn) row.push(el('text', { class: 'erd-nn', x: nnX, y }, [nn]));
      children.push(el('g', { class: 'erd-row' }, row));
    });
    if (n.node.hidden) {
      const y = g.headerHeight + 2 + rows.length * g.rowHeight + g.rowHeight / 2 + 4;
      children.push(el('text', { class: 'erd-more', x: nameX, y }, [moreColumnsText(n.node.hidden)]));
    }
  }
  const attrs: Record<string, string | number> = { class: 'erd-table', transform: `translate(${round(n.x)},${round(n.y)})` };
  if (options.interactive) Object.assign(attrs, { tabindex: 0, role: 'button', 'aria-label': `table ${t.schema}.${t.name}` });
  const group = el('g', attrs, children);
  group.ref = { kind: 'table', key: t.key };
  return group;
}

function renderGroup(p: PlacedGroup): SvgElement {
  return el('g', { class: 'erd-group', transform: `translate(${round(p.x)},${round(p.y)})` }, [
    el('rect', { class: 'erd-group-frame', x: 0, y: 0, width: round(p.width), height: round(p.height), rx: 8 }),
    el('text', { class: 'erd-group-title', x: GEOMETRY.groupPad, y: GEOMETRY.groupPad + 8 }, [p.label]),
  ]);
}

function renderSchema(n: PlacedNode, options: RenderOptions): SvgElement {
  if (n.node.kind !== 'schema') throw new Error('not a schema');
  const g = GEOMETRY;
  const s = n.node;
  const attrs: Record<string, string | number> = { class: 'erd-schema', transform: `translate(${round(n.x)},${round(n.y)})` };
  if (options.interactive) Object.assign(attrs, { tabindex: 0, role: 'button', 'aria-label': `schema ${s.schema}, ${s.tables} tables: press Enter to expand` });
  const group = el('g', attrs, [
    el('title', {}, [`schema ${s.schema}: ${s.tables} tables`]),
    el('rect', { class: 'erd-frame', x: 0, y: 0, width: n.width, height: n.height, rx: 8 }),
    el('text', { class: 'erd-title', x: g.padX + 4, y: 19 }, [clip(s.schema)]),
    el('text', { class: 'erd-type', x: g.padX + 4, y: 36 }, [`${s.tables} tables`]),
  ]);
  group.ref = { kind: 'schema', key: s.schema };
  return group;
}

function renderEdge(p: PlacedEdge, names: Map<string, string>): SvgElement {
  const d = pathOf(p.points);
  const fk = p.edge.fk;
  if (!fk) {
    const mid = p.points[Math.floor(p.points.length / 2)];
    const group = el('g', { class: 'erd-edge folded' }, [
      el('title', {}, [`${p.edge.count} foreign key${p.edge.count === 1 ? '' : 's'}`]),
      el('path', { d }),
      el('text', { class: 'erd-count', x: round(mid.x + 4), y: round(mid.y - 4) }, [String(p.edge.count)]),
    ]);
    group.ref = { kind: 'edge', key: p.edge.id };
    return group;
  }
  const group = el('g', { class: `erd-edge ${actionClass(fk.onDelete)}` }, [
    el('title', {}, [edgeTitle(fk, names)]),
    el('path', { class: 'erd-hit', d }),
    el('path', { class: 'erd-line', d, 'marker-start': `url(#erd-${fk.parentEnd})`, 'marker-end': `url(#erd-${fk.childEnd})` }),
  ]);
  group.ref = { kind: 'edge', key: fk.key };
  return group;
}

export function edgeTitle(fk: ErdEdge, names: Map<string, string>): string {
  const name = (key: string) => names.get(key) ?? key.slice(key.lastIndexOf('|') + 1);
  return `${fk.name}: ${name(fk.from)}(${fk.fromColumns.join(', ')}) -> ${name(fk.to)}(${fk.toColumns.join(', ')}) ON DELETE ${fk.onDelete}`;
}

function pathOf(points: Point[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${round(p.x)},${round(p.y)}`).join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeXml(text: string): string {
  // Characters XML 1.0 forbids are dropped; the rest of the name stays readable.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** SVG text of a tree (element and attribute names are ours; every value and text is escaped). */
export function serializeSvg(node: SvgChild): string {
  if (typeof node === 'string') return escapeXml(node);
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  if (!node.children.length) return `<${node.tag}${attrs}/>`;
  return `<${node.tag}${attrs}>${node.children.map(serializeSvg).join('')}</${node.tag}>`;
}
