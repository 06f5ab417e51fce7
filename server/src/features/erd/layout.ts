/**
 * Places a scene. Sizes come from the text they hold, measured with a fixed monospace advance so that the
 * CLI (no browser) and the webview agree. Each connected group of tables (a component) is laid out by ELK
 * (elkjs, layered algorithm, left to right, orthogonal edges) with a bound on how many tables one layer may
 * hold, chosen so that the component's shape follows the panel's (a hub table with 50 children makes
 * several short columns, not one tall one). The components are then packed in rows to the panel's aspect
 * ratio, largest first, and the tables without any FK in the scene are grouped aside in a labelled box.
 * Each FK edge runs from the referenced column's row (east side of the parent) to the FK column's row (west
 * side of the child), so parents stand left of their children; edges from one column share its port, so
 * ELK routes them as one branching line rather than a band of parallel ones. The ELK instance is passed in:
 * the CLI uses elkjs's bundled build, the webview its web worker.
 */
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api';
import type { ErdColumn, ErdTable } from './graph';
import type { Scene, SceneEdge, SceneNode } from './scene';

export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export const GEOMETRY = {
  charWidth: 7.25,
  fontSize: 12,
  headerHeight: 26,
  rowHeight: 18,
  padX: 8,
  markerChars: 6,
  maxChars: 40,
  schemaHeight: 46,
  /** Space between packed components, and the isolated-tables box's padding and title. */
  componentGap: 60,
  groupPad: 16,
  groupTitle: 28,
};

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  node: SceneNode;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Column widths in characters (tables only). */
  nameChars: number;
  typeChars: number;
}

export interface PlacedEdge {
  edge: SceneEdge;
  points: Point[];
}

/** A labelled box drawn behind some tables (the tables without FKs). */
export interface PlacedGroup {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedScene {
  scene: Scene;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  groups: PlacedGroup[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Width / height of the space the diagram is shown in (the panel); the layout aims for that shape. */
  aspect?: number;
}

/** 16:10, for output with no panel (the CLI's SVG). */
export const DEFAULT_ASPECT = 1.6;

export function clip(text: string, max = GEOMETRY.maxChars): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export function tableTitle(t: ErdTable): string {
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
}

export function nullMarker(c: ErdColumn): string {
  return c.notNull && !c.pk ? 'NN' : '';
}

/** The text of the row that stands for the columns a table leaves out. */
export function moreColumnsText(hidden: number): string {
  return `+ ${hidden} more column${hidden === 1 ? '' : 's'}`;
}

/** How many rows a table draws: its columns, plus one for the columns left out. */
export function rowCount(node: SceneNode): number {
  if (node.kind !== 'table' || node.collapsed) return 0;
  return node.rows.length + (node.hidden ? 1 : 0);
}

/** A box's size in the diagram's units (before zoom), from the text it holds. */
export function nodeSize(node: SceneNode): { width: number; height: number; nameChars: number; typeChars: number } {
  const g = GEOMETRY;
  if (node.kind === 'schema') {
    const chars = Math.max(clip(node.schema).length + 2, `${node.tables} tables`.length);
    return { width: Math.ceil(chars * g.charWidth * 1.1 + 2 * g.padX + 20), height: g.schemaHeight, nameChars: 0, typeChars: 0 };
  }
  const title = clip(tableTitle(node.table)).length + 3;
  // Widths come from the columns drawn (a collapsed table keeps the width of all of them).
  let nameChars = 0;
  let typeChars = 0;
  for (const c of node.collapsed ? node.table.columns : node.rows) {
    nameChars = Math.max(nameChars, clip(c.name).length);
    typeChars = Math.max(typeChars, clip(c.type).length);
  }
  const more = node.hidden ? moreColumnsText(node.hidden).length : 0;
  const rowChars = g.markerChars + Math.max(nameChars + 2 + typeChars + 4, more);
  const width = Math.ceil(Math.max(title * 1.1, rowChars, 16) * g.charWidth + 2 * g.padX);
  const rows = rowCount(node);
  return { width, height: g.headerHeight + rows * g.rowHeight + (rows ? 4 : 0), nameChars, typeChars };
}

/** The y of a column's row centre inside its table (the header's centre when collapsed or not drawn). */
export function columnY(node: SceneNode, column: string | undefined): number {
  const g = GEOMETRY;
  if (node.kind === 'schema') return g.schemaHeight / 2;
  if (node.collapsed || column === undefined) return g.headerHeight / 2;
  const i = node.rows.findIndex((c) => c.name === column);
  return i < 0 ? g.headerHeight / 2 : g.headerHeight + 2 + i * g.rowHeight + g.rowHeight / 2;
}

const LAYERED = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '70',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '8',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
  'elk.layered.mergeEdges': 'false',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
  'elk.separateConnectedComponents': 'false',
};

/** The components of the scene's graph (node indexes), largest first; single nodes without edges apart. */
function components(scene: Scene): { groups: number[][]; isolated: number[] } {
  const index = new Map(scene.nodes.map((n, i) => [n.id, i]));
  const parent = scene.nodes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const linked = new Set<number>();
  for (const e of scene.edges) {
    const a = index.get(e.from)!;
    const b = index.get(e.to)!;
    if (a !== b) {
      linked.add(a);
      linked.add(b);
      parent[find(a)] = find(b);
    }
  }
  const byRoot = new Map<number, number[]>();
  const isolated: number[] = [];
  scene.nodes.forEach((_, i) => {
    if (!linked.has(i)) return isolated.push(i);
    const r = find(i);
    const list = byRoot.get(r);
    if (list) list.push(i);
    else byRoot.set(r, [i]);
  });
  return { groups: [...byRoot.values()].sort((a, b) => b.length - a.length || a[0] - b[0]), isolated };
}

/** How many tables the fullest layer (column) of a laid-out component holds: layers do not overlap in x. */
export function fullestLayer(children: { x?: number; width?: number }[]): number {
  const spans = children.map((c) => [c.x ?? 0, (c.x ?? 0) + (c.width ?? 0)]).sort((p, q) => p[0] - q[0]);
  let best = 0;
  let end = -Infinity;
  let count = 0;
  for (const [from, to] of spans) {
    if (from < end) count++;
    else count = 1;
    end = Math.max(end, to);
    best = Math.max(best, count);
  }
  return best;
}

/** Below this share of the panel's aspect ratio a component counts as too tall, and is laid out again. */
const TOO_TALL = 1 / 1.8;
const shapeError = (width: number, height: number, aspect: number) => Math.abs(Math.log(width / Math.max(1, height) / aspect));

/**
 * Packs boxes into rows (largest first) no wider than about `targetWidth`; returns their positions and the
 * size of the whole.
 */
export function packRows(boxes: { width: number; height: number }[], targetWidth: number, gap: number): { at: Point[]; width: number; height: number } {
  const at: Point[] = boxes.map(() => ({ x: 0, y: 0 }));
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b].height - boxes[a].height || a - b);
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const i of order) {
    const b = boxes[i];
    if (x > 0 && x + b.width > targetWidth) {
      y += rowHeight + gap;
      x = 0;
      rowHeight = 0;
    }
    at[i] = { x, y };
    x += b.width + gap;
    rowHeight = Math.max(rowHeight, b.height);
    width = Math.max(width, x - gap);
  }
  return { at, width, height: y + rowHeight };
}

/** The width to aim for when packing boxes of this total area into the given shape. */
function targetWidthFor(boxes: { width: number; height: number }[], aspect: number, gap: number): number {
  const area = boxes.reduce((s, b) => s + (b.width + gap) * (b.height + gap), 0);
  return Math.max(Math.sqrt(area * aspect), ...boxes.map((b) => b.width));
}

export async function layoutScene(elk: ElkLike, scene: Scene, options: LayoutOptions = {}): Promise<PlacedScene> {
  const g = GEOMETRY;
  const aspect = options.aspect && Number.isFinite(options.aspect) && options.aspect > 0 ? Math.min(8, Math.max(0.125, options.aspect)) : DEFAULT_ASPECT;
  const byId = new Map(scene.nodes.map((n) => [n.id, n]));
  const sizes = new Map(scene.nodes.map((n) => [n.id, nodeSize(n)]));
  const { groups, isolated } = components(scene);
  const componentOf = new Map<string, number>();
  groups.forEach((list, c) => list.forEach((i) => componentOf.set(scene.nodes[i].id, c)));

  // Ports: one per (table, column, side), shared by every edge that leaves or enters that row.
  const ports = new Map<string, Map<string, ElkPort>>();
  const portOf = (node: SceneNode, column: string | undefined, side: 'EAST' | 'WEST'): string => {
    const y = columnY(node, column);
    const id = `${node.id}|${side}|${y}`;
    let list = ports.get(node.id);
    if (!list) ports.set(node.id, (list = new Map()));
    if (!list.has(id)) list.set(id, { id, x: side === 'EAST' ? sizes.get(node.id)!.width : 0, y, width: 0, height: 0, layoutOptions: { 'elk.port.side': side } });
    return id;
  };
  const edgesOf: ElkExtendedEdge[][] = groups.map(() => []);
  for (const e of scene.edges) {
    // Drawn parent -> child: the parent is e.to.
    const parent = byId.get(e.to)!;
    const child = byId.get(e.from)!;
    const list = edgesOf[componentOf.get(parent.id)!];
    if (e.fk) list.push({ id: e.id, sources: [portOf(parent, e.fk.toColumns[0], 'EAST')], targets: [portOf(child, e.fk.fromColumns[0], 'WEST')] });
    else list.push({ id: e.id, sources: [parent.id], targets: [child.id] });
  }
  const elkNode = (n: SceneNode): ElkNode => ({
    id: n.id,
    width: sizes.get(n.id)!.width,
    height: sizes.get(n.id)!.height,
    ports: [...(ports.get(n.id)?.values() ?? [])],
    layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
  });
  const component = (c: number, bound?: number): ElkNode => {
    const layoutOptions: Record<string, string> = { ...LAYERED };
    if (bound !== undefined) {
      layoutOptions['elk.layered.layering.strategy'] = 'COFFMAN_GRAHAM';
      layoutOptions['elk.layered.layering.coffmanGraham.layerBound'] = String(bound);
    }
    return { id: `component:${c}`, layoutOptions, children: groups[c].map((i) => elkNode(scene.nodes[i])), edges: edgesOf[c] };
  };
  // One ELK run lays out every component (the root only holds them); packing is ours, below.
  const run = async (list: ElkNode[]) => (list.length ? ((await elk.layout({ id: 'root', layoutOptions: { 'elk.algorithm': 'org.eclipse.elk.fixed' }, children: list })).children ?? []) : []);
  const laidOut = await run(groups.map((_, c) => component(c)));
  // A component much taller than the panel (a hub whose children fill one layer) is laid out again with fewer
  // tables per layer; the shape nearer the panel's wins.
  const again = laidOut
    .map((c, k) => ({ c, k }))
    .filter(({ c, k }) => groups[k].length >= 10 && (c.width ?? 0) / Math.max(1, c.height ?? 0) < aspect * TOO_TALL)
    .map(({ c, k }) => component(k, Math.max(2, Math.ceil(fullestLayer(c.children ?? []) * Math.sqrt((c.width ?? 0) / Math.max(1, c.height ?? 0) / aspect)))));
  for (const c of await run(again)) {
    const k = Number(c.id.slice('component:'.length));
    const before = laidOut[k];
    if (shapeError(c.width ?? 0, c.height ?? 0, aspect) < shapeError(before.width ?? 0, before.height ?? 0, aspect)) laidOut[k] = c;
  }
  const laid = { children: laidOut };

  // Boxes to pack: each component, then the isolated tables as one labelled box. The shapes tried for that box
  // and the row widths tried for the whole: the packing nearest the panel's shape wins.
  const boxes: { width: number; height: number }[] = (laid.children ?? []).map((c) => ({ width: c.width ?? 0, height: c.height ?? 0 }));
  const loneSizes = isolated.map((i) => sizes.get(scene.nodes[i].id)!);
  const titled = groups.length > 0 && isolated.length > 0;
  let best: { lone?: ReturnType<typeof packRows>; loneBox?: { width: number; height: number }; all: { width: number; height: number }[]; packed: ReturnType<typeof packRows> } | undefined;
  for (const loneAspect of isolated.length ? [aspect / 3, aspect, aspect * 3] : [aspect]) {
    const lone = isolated.length ? packRows(loneSizes, targetWidthFor(loneSizes, loneAspect, 28), 28) : undefined;
    const loneBox = lone && (titled ? { width: Math.max(lone.width, 260) + 2 * g.groupPad, height: lone.height + 2 * g.groupPad + g.groupTitle } : { width: lone.width, height: lone.height });
    const all = loneBox ? [...boxes, loneBox] : boxes;
    const target = targetWidthFor(all, aspect, g.componentGap);
    for (const f of [0.7, 1, 1.4, 2]) {
      const packed = packRows(all, target * f, g.componentGap);
      if (!best || shapeError(packed.width, packed.height, aspect) < shapeError(best.packed.width, best.packed.height, aspect) - 1e-9) best = { lone, loneBox, all, packed };
    }
  }
  const { lone, loneBox, all, packed } = best!;

  const nodes: PlacedNode[] = [];
  const place = (n: SceneNode, x: number, y: number) => {
    const s = sizes.get(n.id)!;
    nodes.push({ node: n, x, y, width: s.width, height: s.height, nameChars: s.nameChars, typeChars: s.typeChars });
  };
  const edges: PlacedEdge[] = [];
  const sceneEdges = new Map(scene.edges.map((e) => [e.id, e]));
  (laid.children ?? []).forEach((c, k) => {
    const { x: dx, y: dy } = packed.at[k];
    for (const child of c.children ?? []) place(byId.get(child.id)!, dx + (child.x ?? 0), dy + (child.y ?? 0));
    for (const e of (c.edges ?? []) as ElkExtendedEdge[]) {
      const section = e.sections?.[0];
      const edge = sceneEdges.get(e.id);
      if (!section || !edge) continue;
      edges.push({ edge, points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: dx + p.x, y: dy + p.y })) });
    }
  });
  const groupsPlaced: PlacedGroup[] = [];
  if (lone && loneBox) {
    const { x, y } = packed.at[all.length - 1];
    const inset = titled ? { x: g.groupPad, y: g.groupPad + g.groupTitle } : { x: 0, y: 0 };
    isolated.forEach((i, j) => place(scene.nodes[i], x + inset.x + lone.at[j].x, y + inset.y + lone.at[j].y));
    if (titled) {
      const tables = isolated.every((i) => scene.nodes[i].kind === 'table');
      groupsPlaced.push({ label: `${tables ? 'No foreign key' : 'Not linked to the rest'} (${isolated.length})`, x, y, ...loneBox });
    }
  }
  return { scene, nodes, edges, groups: groupsPlaced, width: packed.width, height: packed.height };
}
