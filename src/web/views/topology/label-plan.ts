// Which texts the topology view shows at the current camera, and where (screen pixels). Pure: the
// view hands the plan to its BitmapText pool (labels.ts), tests check it without a browser.
//
// Text follows the zoom like the boxes it belongs to and appears only once it is big enough to
// read; what is off screen is skipped, and a frame draws at most MAX_LABELS texts however big the
// graph. Rate labels give way to vertex boxes and to busier edges' labels rather than cover them.
import type { Camera } from '../../url-state.js';
import type { Rgb } from '../occupancy/palette.js';
import type { Box, GraphLayout, ShapedGraph, ShapedVertex } from './contracts.js';
import { alphaOf, emphasisOf, QUESTION_RADIUS } from './draw.js';
import { CHAR_WIDTH, pointAlong, polylineLength, truncate, vertexParts, type VertexParts } from './geometry.js';
import { GROUP_HEADER } from './layout.js';
import { KIND_STYLES, edgeStyleOf, healthColor, healthOf, hexOf, trafficLabel, type TopologyPalette } from './topology-palette.js';

export type LabelFont = 'name' | 'small' | 'badge' | 'group' | 'rate';

/** The size each font's glyphs are rasterised at; labels are scaled from it. */
export const FONT_SIZE: Record<LabelFont, number> = { name: 14, small: 12, badge: 13, group: 14, rate: 11 };

export interface LabelSpec {
  /** Stable per label ("v:<id>", "e:<id>", …) so a label that stays on screen keeps its glyphs. */
  key: string;
  text: string;
  font: LabelFont;
  x: number;
  y: number;
  /** 0 = left/top, 0.5 = centre, 1 = right/bottom. */
  anchorX: number;
  anchorY: number;
  scale: number;
  color: number;
  alpha: number;
  /** Drawn on a plate of the background colour: text that lies over lines (group names, rates). */
  plate?: boolean;
}

/** Text that would be smaller than this (pixels) is not drawn... */
export const MIN_TEXT_PX = 6;
/** ...and text drawn is at least this big (a name at 6 px still fits its box at 7). */
export const MIN_DRAWN_TEXT_PX = 7;
/** Above this, text stops growing with the zoom (the glyphs would blur). */
export const MAX_TEXT_PX = 22;
/** Rate labels appear from this zoom on (they would cover the picture before). */
export const RATE_LABEL_MIN_SCALE = 0.6;
export const MAX_LABELS = 1500;
/** Edges shorter than this on screen get no rate label (it would float free of its edge). */
export const MIN_LABELLED_EDGE_PX = 24;

/** What the plan needs that depends only on the graph, the layout and the selection. */
export interface LabelIndex {
  vertices: { vertex: ShapedVertex; box: Box; parts: VertexParts; alpha: number }[];
  groups: { id: string; text: string; box: Box }[];
  /** Edges with a rate label or a "?" mark, busiest first. */
  edges: { id: string; x: number; y: number; length: number; rate: string; requestRate: number; question: boolean; alpha: number }[];
}

export function indexLabels(graph: ShapedGraph, layout: GraphLayout, selected: string | null): LabelIndex {
  const emphasis = emphasisOf(graph, selected);
  const index: LabelIndex = { vertices: [], groups: [], edges: [] };
  for (const group of graph.groups) {
    const box = layout.groups[group.id];
    if (box === undefined) continue;
    const count = Object.values(group.counts).reduce((sum, n) => sum + (n ?? 0), 0);
    index.groups.push({ id: group.id, text: count > 0 ? `${group.label} · ${count}` : group.label, box });
  }
  for (const vertex of graph.vertices) {
    const box = layout.vertices[vertex.id];
    if (box === undefined) continue;
    index.vertices.push({ vertex, box, parts: vertexParts(box, vertex), alpha: alphaOf(vertex.dim, emphasis && emphasis.vertices.has(vertex.id)) });
  }
  for (const edge of graph.edges) {
    const points = layout.edges[edge.id];
    if (points === undefined || points.length < 4) continue;
    const rate = trafficLabel(edge.traffic);
    const question = edgeStyleOf(edge) === 'unexplained';
    if (rate === '' && !question) continue;
    const mid = pointAlong(points, 0.5);
    index.edges.push({ id: edge.id, x: mid.x, y: mid.y, length: polylineLength(points), rate, requestRate: edge.traffic?.requestRate ?? 0, question, alpha: alphaOf(edge.dim, emphasis && emphasis.edges.has(edge.id)) });
  }
  // Where rate labels compete for room, the busiest edges get theirs.
  index.edges.sort((a, b) => b.requestRate - a.requestRate);
  return index;
}

export function planLabels(index: LabelIndex, camera: Camera, view: { width: number; height: number }, palette: TopologyPalette, max = MAX_LABELS): LabelSpec[] {
  const s = camera.scale;
  const labels: LabelSpec[] = [];
  const text = hexOf(palette.text);
  const muted = hexOf(palette.mutedText);
  const sx = (x: number) => x * s + camera.x;
  const sy = (y: number) => y * s + camera.y;
  const visible = (b: Box) => sx(b.x) < view.width && sy(b.y) < view.height && sx(b.x + b.width) > 0 && sy(b.y + b.height) > 0;
  const push = (label: LabelSpec) => {
    if (labels.length < max) labels.push(label);
  };

  for (const { id, text: groupText, box } of index.groups) {
    if (!visible(box) || box.width * s < 60) continue;
    const px = Math.min(16, Math.max(11, 16 * s));
    const scale = px / FONT_SIZE.group;
    const chars = (box.width * s - 16) / (CHAR_WIDTH * px);
    // In the band the layout leaves at the top of the group; when the band is too thin for the
    // smallest readable text, just above the group (in the gap between groups), never over its
    // first row of vertices.
    const band = GROUP_HEADER * s;
    const y = band >= px + 4 ? sy(box.y) + (band - px) / 2 : sy(box.y) - px - 2;
    push({ key: `g:${id}`, text: truncate(groupText, chars), font: 'group', x: sx(box.x) + 8, y, anchorX: 0, anchorY: 0, scale, color: muted, alpha: 1, plate: true });
  }

  for (const { vertex, box, parts, alpha } of index.vertices) {
    if (labels.length >= max) break;
    const namePx = parts.nameSize * s;
    if (namePx < MIN_TEXT_PX || !visible(box)) continue;
    const nameScale = Math.min(Math.max(namePx, MIN_DRAWN_TEXT_PX), MAX_TEXT_PX) / FONT_SIZE.name;
    const right = parts.deny !== undefined ? Math.min(parts.textRight, parts.deny.x - parts.deny.r) : parts.textRight;
    const nameChars = ((right - parts.textX) * s) / (CHAR_WIDTH * FONT_SIZE.name * nameScale);
    push({ key: `v:${vertex.id}`, text: truncate(vertex.name, nameChars), font: 'name', x: sx(parts.textX), y: sy(parts.nameY), anchorX: 0, anchorY: 0, scale: nameScale, color: text, alpha });

    // The second line (replicas, or what the vertex is) has smaller text: it appears later.
    const secondPx = parts.secondSize * s;
    if (secondPx >= MIN_TEXT_PX) {
      const secondScale = Math.min(Math.max(secondPx, MIN_DRAWN_TEXT_PX), MAX_TEXT_PX) / FONT_SIZE.small;
      const health = healthOf(vertex.ready, vertex.desired);
      if (health !== undefined) {
        const color = health === 'healthy' || health === 'idle' ? muted : hexOf(healthColor(health, palette));
        push({ key: `r:${vertex.id}`, text: `${vertex.ready ?? 0}/${vertex.desired}`, font: 'small', x: sx(parts.textRight), y: sy(parts.secondY), anchorX: 1, anchorY: 0, scale: secondScale, color, alpha });
      } else {
        const second = vertex.kind === 'Namespace' ? `namespace · ${vertex.count ?? 0} objects` : kindLabel(vertex.kind);
        const chars = ((parts.textRight - parts.textX) * s) / (CHAR_WIDTH * FONT_SIZE.small * secondScale);
        push({ key: `k:${vertex.id}`, text: truncate(second, chars), font: 'small', x: sx(parts.textX), y: sy(parts.secondY), anchorX: 0, anchorY: 0, scale: secondScale, color: muted, alpha });
      }
    }
    const badgePx = parts.badge.width * s;
    if (badgePx >= 14) {
      const style = KIND_STYLES[vertex.kind];
      const letters = style.letters;
      const px = Math.min(badgePx * badgeLetterSize(letters), MAX_TEXT_PX);
      push({
        key: `b:${vertex.id}`, text: letters, font: 'badge',
        x: sx(parts.badge.x + parts.badge.width / 2), y: sy(parts.badge.y + parts.badge.height / 2) + (style.shape === 'triangle' ? badgePx * 0.1 : 0),
        anchorX: 0.5, anchorY: 0.5, scale: px / FONT_SIZE.badge, color: hexOf(badgeInk(vertex.kind, palette)), alpha,
      });
    }
  }

  // Rate labels never cover a vertex box or another rate label: where they would, they are left out.
  const taken = new RectGrid();
  if (s >= RATE_LABEL_MIN_SCALE) {
    for (const { box } of index.vertices) if (visible(box)) taken.add(sx(box.x), sy(box.y), box.width * s, box.height * s);
  }
  for (const edge of index.edges) {
    if (labels.length >= max) break;
    const x = sx(edge.x);
    const y = sy(edge.y);
    if (x < -200 || y < -20 || x > view.width + 200 || y > view.height + 20) continue;
    if (edge.question) {
      push({ key: `q:${edge.id}`, text: '?', font: 'badge', x, y, anchorX: 0.5, anchorY: 0.5, scale: (QUESTION_RADIUS * 1.5) / FONT_SIZE.badge, color: 0x111111, alpha: edge.alpha });
    }
    if (edge.rate === '' || s < RATE_LABEL_MIN_SCALE || edge.length * s < MIN_LABELLED_EDGE_PX) continue;
    // All of the label where it has room, else just the rate (the first part), else none.
    const bottom = y - (edge.question ? QUESTION_RADIUS + 2 : 4);
    const height = FONT_SIZE.rate * 1.3;
    for (const rate of [edge.rate, edge.rate.split(' · ')[0] ?? '']) {
      const width = rate.length * CHAR_WIDTH * FONT_SIZE.rate + 6;
      if (taken.hits(x - width / 2, bottom - height, width, height)) continue;
      taken.add(x - width / 2, bottom - height, width, height);
      push({ key: `e:${edge.id}`, text: rate, font: 'rate', x, y: bottom, anchorX: 0.5, anchorY: 1, scale: 1, color: text, alpha: edge.alpha, plate: true });
      break;
    }
  }
  return labels;
}

/** Screen rectangles in buckets of a coarse grid: "does this rectangle overlap any taken so far?" */
class RectGrid {
  private static readonly CELL = 64;
  private readonly cells = new Map<number, [number, number, number, number][]>();

  add(x: number, y: number, w: number, h: number): void {
    const rect: [number, number, number, number] = [x, y, x + w, y + h];
    this.each(x, y, w, h, (key) => {
      const list = this.cells.get(key);
      if (list === undefined) this.cells.set(key, [rect]);
      else list.push(rect);
      return false;
    });
  }

  hits(x: number, y: number, w: number, h: number): boolean {
    return this.each(x, y, w, h, (key) => (this.cells.get(key) ?? []).some(([x0, y0, x1, y1]) => x < x1 && x + w > x0 && y < y1 && y + h > y0));
  }

  /** Calls `visit` for each grid cell the rectangle touches, until it returns true. */
  private each(x: number, y: number, w: number, h: number, visit: (key: number) => boolean): boolean {
    const c = RectGrid.CELL;
    // Cells beyond the screen by far are clamped: a huge box (zoomed in) must not visit millions.
    const clamp = (v: number) => Math.max(-64, Math.min(1024, Math.floor(v / c)));
    for (let cy = clamp(y); cy <= clamp(y + h); cy++) {
      for (let cx = clamp(x); cx <= clamp(x + w); cx++) if (visit(cy * 4096 + cx)) return true;
    }
    return false;
  }
}

/** Letter size as a share of the badge: two or three letters must fit its width too. */
function badgeLetterSize(letters: string): number {
  return letters.length > 1 ? 0.38 : 0.55;
}

/** Letters on a filled badge take its ink colour; in a ring (hollow) they take the ring's colour. */
export function badgeInk(kind: ShapedVertex['kind'], palette: TopologyPalette): Rgb {
  const style = KIND_STYLES[kind];
  const category = palette.categories[style.category];
  return style.shape === 'ring' ? category.fill : category.ink;
}

/** The second line of a vertex that has no replicas: what it is, in words. */
function kindLabel(kind: ShapedVertex['kind']): string {
  switch (kind) {
    case 'ExternalService': return 'Service (ExternalName)';
    case 'Outside': return 'outside the cluster';
    default: return kind;
  }
}
