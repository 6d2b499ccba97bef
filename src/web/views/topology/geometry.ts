// Pure geometry of the topology drawing, shared by the canvas, the SVG export, picking and the
// test hook: polylines (length, the point halfway, distance to a point, arrowheads) and where the
// parts of a vertex box go (badge, name, replica bar, default-deny mark).
import type { Box, GraphLayout, ShapedGraph } from './contracts.js';

/** A polyline as the layout gives it: x0, y0, x1, y1, … */
export type Polyline = readonly number[];

export function polylineLength(points: Polyline): number {
  let length = 0;
  for (let i = 2; i + 1 < points.length; i += 2) length += Math.hypot(points[i]! - points[i - 2]!, points[i + 1]! - points[i - 1]!);
  return length;
}

/** A point on a polyline with the unit direction of the segment it lies on. */
export interface PointOnLine {
  x: number;
  y: number;
  dx: number;
  dy: number;
}

/**
 * The point at a fraction (0..1) of a polyline's length, with its direction. A polyline of zero
 * length gives its first point and direction (1, 0).
 */
export function pointAlong(points: Polyline, fraction: number): PointOnLine {
  const total = polylineLength(points);
  let remaining = Math.min(1, Math.max(0, fraction)) * total;
  let last: PointOnLine = { x: points[0] ?? 0, y: points[1] ?? 0, dx: 1, dy: 0 };
  for (let i = 2; i + 1 < points.length; i += 2) {
    const ax = points[i - 2]!;
    const ay = points[i - 1]!;
    const bx = points[i]!;
    const by = points[i + 1]!;
    const len = Math.hypot(bx - ax, by - ay);
    if (len === 0) continue;
    const dx = (bx - ax) / len;
    const dy = (by - ay) / len;
    if (remaining <= len) return { x: ax + dx * remaining, y: ay + dy * remaining, dx, dy };
    remaining -= len;
    last = { x: bx, y: by, dx, dy };
  }
  return last;
}

/** Distance from (px, py) to the segment a–b. */
export function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const lengthSquared = vx * vx + vy * vy;
  const t = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * vx + (py - ay) * vy) / lengthSquared));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/** Distance from (px, py) to the nearest point of a polyline (Infinity for fewer than two points). */
export function distanceToPolyline(points: Polyline, px: number, py: number): number {
  let best = Infinity;
  for (let i = 2; i + 1 < points.length; i += 2) {
    const d = distanceToSegment(px, py, points[i - 2]!, points[i - 1]!, points[i]!, points[i + 1]!);
    if (d < best) best = d;
  }
  return best;
}

export function polylineBounds(points: Polyline): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return minX > maxX ? { x: 0, y: 0, width: 0, height: 0 } : { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/**
 * How much thinner than their nominal width lines are drawn at a zoom: full width from half size
 * on, down to 40 % when zoomed far out, where thousands of edges of a few pixels each would bury
 * the boxes they connect.
 */
export function lineScaleAt(scale: number): number {
  return Math.min(1, Math.max(0.4, scale / 0.5));
}

/** Arrowhead length and width for a line of a given width (all in the same unit). */
export function arrowSize(lineWidth: number): { length: number; width: number } {
  return { length: 7 + 1.6 * lineWidth, width: 6 + 1.6 * lineWidth };
}

/**
 * The arrowhead at a polyline's end: tip, then the two base corners (x, y each), pointing along
 * the last segment of non-zero length. Undefined when the polyline has no length.
 */
export function arrowHead(points: Polyline, length: number, width: number): [number, number, number, number, number, number] | undefined {
  const n = points.length;
  if (n < 4) return undefined;
  const tipX = points[n - 2]!;
  const tipY = points[n - 1]!;
  for (let i = n - 4; i >= 0; i -= 2) {
    const dx = tipX - points[i]!;
    const dy = tipY - points[i + 1]!;
    const len = Math.hypot(dx, dy);
    if (len === 0) continue;
    const ux = dx / len;
    const uy = dy / len;
    const baseX = tipX - ux * length;
    const baseY = tipY - uy * length;
    const hx = -uy * (width / 2);
    const hy = ux * (width / 2);
    return [tipX, tipY, baseX + hx, baseY + hy, baseX - hx, baseY - hy];
  }
  return undefined;
}

/**
 * The world rectangle a drawing covers: its groups, vertices (with `vertexMargin` more on the
 * right and bottom, for a collapsed namespace's stacked box) and edges. The layout's own size when
 * nothing is laid out.
 */
export function drawingBounds(graph: ShapedGraph, layout: GraphLayout, vertexMargin = 0): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const include = (x0: number, y0: number, x1: number, y1: number) => {
    if (x0 < minX) minX = x0;
    if (y0 < minY) minY = y0;
    if (x1 > maxX) maxX = x1;
    if (y1 > maxY) maxY = y1;
  };
  for (const g of graph.groups) {
    const b = layout.groups[g.id];
    if (b) include(b.x, b.y, b.x + b.width, b.y + b.height);
  }
  for (const v of graph.vertices) {
    const b = layout.vertices[v.id];
    if (b) include(b.x, b.y, b.x + b.width + vertexMargin, b.y + b.height + vertexMargin);
  }
  for (const e of graph.edges) {
    const p = layout.edges[e.id];
    if (p) for (let i = 0; i + 1 < p.length; i += 2) include(p[i]!, p[i + 1]!, p[i]!, p[i + 1]!);
  }
  return minX > maxX ? { x: 0, y: 0, width: layout.width, height: layout.height } : { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function contains(box: Box, x: number, y: number): boolean {
  return x >= box.x && y >= box.y && x <= box.x + box.width && y <= box.y + box.height;
}

// --- vertex boxes --------------------------------------------------------------------------------

/** Where the parts of a vertex box go, in world units. */
export interface VertexParts {
  /** The kind badge: a square on the left. */
  badge: Box;
  /** Left edge and right limit of the text column. */
  textX: number;
  textRight: number;
  /** Top of the first line (the name) and of the second (kind, count, or the replica bar's text). */
  nameY: number;
  secondY: number;
  /** Text heights of the two lines. */
  nameSize: number;
  secondSize: number;
  /** Workloads: the replica health bar, left of the "ready/desired" text. */
  bar?: Box;
  /** The default-deny mark: a circle over the top-right corner. */
  deny?: { x: number; y: number; r: number };
  /** Corner radius of the box. */
  radius: number;
}

export function vertexParts(box: Box, vertex: { desired?: number | undefined; defaultDeny?: boolean | undefined }): VertexParts {
  const { x, y, width: w, height: h } = box;
  const pad = Math.min(8, h * 0.15);
  const badgeSize = Math.max(0, Math.min(h - 2 * pad, 28, w * 0.3));
  const badge = { x: x + pad, y: y + (h - badgeSize) / 2, width: badgeSize, height: badgeSize };
  const textX = badge.x + badgeSize + pad;
  const textRight = x + w - pad;
  // Text follows the box height, up to the size that suits an ordinary vertex (a collapsed
  // namespace is taller, not meant to shout).
  const nameSize = Math.min(h * 0.3, 13);
  const secondSize = Math.min(h * 0.24, 10.5);
  const nameY = y + pad * 0.8;
  const secondY = y + h - pad * 0.8 - secondSize;
  const parts: VertexParts = { badge, textX, textRight, nameY, secondY, nameSize, secondSize, radius: Math.min(6, h * 0.15) };
  if (vertex.desired !== undefined) {
    // The bar leaves room on its right for "ready/desired" (about five characters of the second line).
    const barHeight = Math.max(3, h * 0.1);
    const textRoom = secondSize * 3.4;
    parts.bar = { x: textX, y: secondY + (secondSize - barHeight) / 2, width: Math.max(0, textRight - textRoom - textX), height: barHeight };
  }
  if (vertex.defaultDeny) {
    const r = h * 0.2;
    parts.deny = { x: x + w - r * 0.5, y: y + r * 0.5, r };
  }
  return parts;
}

/** Shortens text to a number of characters, with an ellipsis. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const max = Math.floor(maxChars);
  return max <= 1 ? '' : `${text.slice(0, max - 1)}…`;
}

/** Average advance of a character of our sans-serif font, as a share of its size. */
export const CHAR_WIDTH = 0.58;
