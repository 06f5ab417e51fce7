/**
 * Places a scene with ELK (elkjs, layered algorithm, orthogonal edges). Sizes come from the text they hold,
 * measured with a fixed monospace advance so that the CLI (no browser) and the webview agree. Each FK edge
 * runs from the referenced column's row (east side of the parent) to the FK column's row (west side of the
 * child), so parents stand left of their children. The ELK instance is passed in: the CLI uses elkjs's
 * bundled build, the webview its web worker.
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

export interface PlacedScene {
  scene: Scene;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export function clip(text: string, max = GEOMETRY.maxChars): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export function tableTitle(t: ErdTable): string {
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
}

export function nullMarker(c: ErdColumn): string {
  return c.notNull && !c.pk ? 'NN' : '';
}

function tableSize(node: SceneNode): { width: number; height: number; nameChars: number; typeChars: number } {
  const g = GEOMETRY;
  if (node.kind === 'schema') {
    const chars = Math.max(clip(node.schema).length + 2, `${node.tables} tables`.length);
    return { width: Math.ceil(chars * g.charWidth * 1.1 + 2 * g.padX + 20), height: g.schemaHeight, nameChars: 0, typeChars: 0 };
  }
  const title = clip(tableTitle(node.table)).length + 3;
  let nameChars = 0;
  let typeChars = 0;
  for (const c of node.table.columns) {
    nameChars = Math.max(nameChars, clip(c.name).length);
    typeChars = Math.max(typeChars, clip(c.type).length);
  }
  const rowChars = g.markerChars + nameChars + 2 + typeChars + 4;
  const width = Math.ceil(Math.max(title * 1.1, rowChars, 16) * g.charWidth + 2 * g.padX);
  const rows = node.collapsed ? 0 : node.table.columns.length;
  return { width, height: g.headerHeight + rows * g.rowHeight + (rows ? 4 : 0), nameChars, typeChars };
}

/** The y of a column's row centre inside its table (the header's centre when collapsed or unknown). */
export function columnY(node: SceneNode, column: string | undefined): number {
  const g = GEOMETRY;
  if (node.kind === 'schema') return g.schemaHeight / 2;
  if (node.collapsed || column === undefined) return g.headerHeight / 2;
  const i = node.table.columns.findIndex((c) => c.name === column);
  return i < 0 ? g.headerHeight / 2 : g.headerHeight + 2 + i * g.rowHeight + g.rowHeight / 2;
}

const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '70',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '8',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
  'elk.separateConnectedComponents': 'true',
  'elk.spacing.componentComponent': '50',
  'elk.layered.mergeEdges': 'false',
};

export async function layoutScene(elk: ElkLike, scene: Scene): Promise<PlacedScene> {
  const byId = new Map(scene.nodes.map((n) => [n.id, n]));
  const sizes = new Map(scene.nodes.map((n) => [n.id, tableSize(n)]));
  const ports = new Map<string, ElkPort[]>();
  const addPort = (nodeId: string, port: ElkPort) => {
    const list = ports.get(nodeId);
    if (list) list.push(port);
    else ports.set(nodeId, [port]);
  };
  const elkEdges: ElkExtendedEdge[] = [];
  for (const e of scene.edges) {
    // Drawn parent -> child: the parent is e.to.
    const parent = byId.get(e.to)!;
    const child = byId.get(e.from)!;
    if (e.fk) {
      const out = `${e.id}|out`;
      const inn = `${e.id}|in`;
      addPort(parent.id, { id: out, x: sizes.get(parent.id)!.width, y: columnY(parent, e.fk.toColumns[0]), width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } });
      addPort(child.id, { id: inn, x: 0, y: columnY(child, e.fk.fromColumns[0]), width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } });
      elkEdges.push({ id: e.id, sources: [out], targets: [inn] });
    } else {
      elkEdges.push({ id: e.id, sources: [parent.id], targets: [child.id] });
    }
  }
  const root: ElkNode = {
    id: 'root',
    layoutOptions: LAYOUT_OPTIONS,
    children: scene.nodes.map((n) => ({
      id: n.id,
      width: sizes.get(n.id)!.width,
      height: sizes.get(n.id)!.height,
      ports: ports.get(n.id) ?? [],
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
    })),
    edges: elkEdges,
  };
  const laid = await elk.layout(root);
  const nodes: PlacedNode[] = (laid.children ?? []).map((c) => {
    const s = sizes.get(c.id)!;
    return { node: byId.get(c.id)!, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? s.width, height: c.height ?? s.height, nameChars: s.nameChars, typeChars: s.typeChars };
  });
  const sceneEdges = new Map(scene.edges.map((e) => [e.id, e]));
  const edges: PlacedEdge[] = [];
  for (const e of (laid.edges ?? []) as ElkExtendedEdge[]) {
    const section = e.sections?.[0];
    const edge = sceneEdges.get(e.id);
    if (!section || !edge) continue;
    edges.push({ edge, points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x, y: p.y })) });
  }
  return { scene, nodes, edges, width: laid.width ?? 0, height: laid.height ?? 0 };
}
