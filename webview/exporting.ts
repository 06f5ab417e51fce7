/** Export of the current view: SVG text with the theme's colours pinned, and a PNG drawn from it. */
import { ERD_SVG_CSS } from '../server/src/features/erd/style';

const VARIABLES = [
  '--erd-font', '--erd-fg', '--erd-bg', '--erd-border', '--erd-header', '--erd-muted', '--erd-pk', '--erd-fk', '--erd-focus',
  '--erd-cascade', '--erd-set-null', '--erd-set-default', '--erd-restrict', '--erd-blast-deleted', '--erd-blast-set-null',
  '--erd-blast-set-default', '--erd-blast-blocked', '--erd-search', '--erd-selected-bg',
];

/** A standalone SVG of the whole scene drawn in `live` (identity transform, current highlights kept). */
export function exportSvg(live: SVGSVGElement, content: SVGGElement, width: number, height: number): string {
  const computed = getComputedStyle(live);
  const pinned = VARIABLES.map((v) => [v, computed.getPropertyValue(v).trim()] as const).filter(([, value]) => value);
  const clone = live.cloneNode(false) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  clone.removeAttribute('tabindex');
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  const background = computed.getPropertyValue('--erd-bg').trim();
  style.textContent = `svg.erd { ${pinned.map(([k, v]) => `${k}: ${v};`).join(' ')} }\n${ERD_SVG_CSS}`;
  clone.appendChild(style);
  if (background) {
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    for (const [k, v] of Object.entries({ x: '0', y: '0', width: String(width), height: String(height), fill: background })) rect.setAttribute(k, v);
    clone.appendChild(rect);
  }
  for (const child of Array.from(live.children)) {
    if (child === content.parentNode) continue;
    if (child.tagName === 'defs') clone.appendChild(child.cloneNode(true));
  }
  const inner = content.cloneNode(true) as SVGGElement;
  clone.appendChild(inner);
  return new XMLSerializer().serializeToString(clone);
}

/** PNG (base64, no data: prefix) of an SVG text, at `scale`, capped to a canvas browsers accept. */
export async function exportPng(svgText: string, width: number, height: number, scale = 2): Promise<string> {
  const max = 16_000;
  const k = Math.max(0.05, Math.min(scale, max / width, max / height, Math.sqrt(120_000_000 / (width * height))));
  const image = new Image();
  const loaded = new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('the diagram could not be drawn as an image'));
  });
  image.src = 'data:image/svg+xml;base64,' + bytesToBase64(new TextEncoder().encode(svgText));
  await loaded;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * k);
  canvas.height = Math.ceil(height * k);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.scale(k, k);
  ctx.drawImage(image, 0, 0, width, height);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
