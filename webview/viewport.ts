/**
 * The viewport's arithmetic: where the diagram sits in the canvas (translate, then scale) so that a box fits,
 * or a table shows centred with its header in view. Pure: boxes and canvas sizes in, transforms out.
 */

export interface Transform {
  x: number;
  y: number;
  k: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** The zoom at which the diagram's 12 px text shows at about 11 px: readable. */
export const READABLE_ZOOM = 0.9;
/** The zoom a table is shown at when the whole view cannot be readable (text at about 11.4 px). */
export const DETAIL_ZOOM = 0.95;
/** Below this zoom the diagram is an overview: the selected table gets a tint that shows at any size. */
export const FAR_ZOOM = 0.45;
export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 4;

const clampZoom = (k: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));

/** The largest zoom (at most `max`) at which `box` fits in the canvas with `margin` pixels around it. */
export function fitZoom(box: Size, canvas: Size, max = 2, margin = 16): number {
  const w = Math.max(1, canvas.width - 2 * margin);
  const h = Math.max(1, canvas.height - 2 * margin);
  return clampZoom(Math.min(max, w / Math.max(1, box.width), h / Math.max(1, box.height)));
}

/** `box` fitted and centred in the canvas. */
export function fitTransform(box: Box, canvas: Size, max = 2): Transform {
  const k = fitZoom(box, canvas, max);
  return { k, x: canvas.width / 2 - (box.x + box.width / 2) * k, y: canvas.height / 2 - (box.y + box.height / 2) * k };
}

/**
 * A table at zoom `k`, centred on the canvas; a table too tall to show whole is centred horizontally with its
 * header near the top, so that its name and first columns are what shows.
 */
export function centreTransform(box: Box, canvas: Size, k: number, headerHeight: number): Transform {
  k = clampZoom(k);
  const x = canvas.width / 2 - (box.x + box.width / 2) * k;
  if (box.height * k <= canvas.height * 0.9) return { k, x, y: canvas.height / 2 - (box.y + box.height / 2) * k };
  // The header's centre a little below the top: the margin is a tenth of the canvas, at least one header.
  const top = Math.max(canvas.height * 0.1, headerHeight * k);
  return { k, x, y: top - box.y * k };
}

/** The smallest box holding all of `boxes`. */
export function union(boxes: Box[]): Box | undefined {
  if (!boxes.length) return undefined;
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x, y, width: right - x, height: bottom - y };
}

/** Zoom by `factor` about the canvas point (cx, cy). */
export function zoomAbout(t: Transform, factor: number, cx: number, cy: number): Transform {
  const k = clampZoom(t.k * factor);
  const f = k / t.k;
  return { k, x: cx - (cx - t.x) * f, y: cy - (cy - t.y) * f };
}

/**
 * `t` moved as little as needed for `box` to be in view with `margin` around it; a box too big for the canvas
 * keeps its top left corner (its header) in view.
 */
export function keepInView(t: Transform, box: Box, canvas: Size, margin = 24): Transform {
  const shift = (start: number, size: number, room: number) => {
    const end = start + size;
    if (size > room - 2 * margin || start < margin) return margin - start;
    if (end > room - margin) return room - margin - end;
    return 0;
  };
  const dx = shift(t.x + box.x * t.k, box.width * t.k, canvas.width);
  const dy = shift(t.y + box.y * t.k, box.height * t.k, canvas.height);
  return { ...t, x: t.x + dx, y: t.y + dy };
}
