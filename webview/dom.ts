/** The renderer's element tree as DOM: elements by createElementNS, every name as a text node (never markup). */
import { SVG_NS, type SvgChild } from '../server/src/features/erd/svg';

export interface Refs {
  tables: Map<string, SVGGElement>;
  schemas: Map<string, SVGGElement>;
  edges: Map<string, SVGGElement>;
}

export function toDom(node: SvgChild, refs: Refs): Node {
  if (typeof node === 'string') return document.createTextNode(node);
  const element = document.createElementNS(SVG_NS, node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    if (name === 'xmlns') continue;
    element.setAttribute(name, String(value));
  }
  for (const child of node.children) element.appendChild(toDom(child, refs));
  if (node.ref) {
    element.setAttribute('data-key', node.ref.key);
    const map = node.ref.kind === 'table' ? refs.tables : node.ref.kind === 'schema' ? refs.schemas : refs.edges;
    map.set(node.ref.key, element as SVGGElement);
  }
  return element;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  for (const c of children) element.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return element;
}
