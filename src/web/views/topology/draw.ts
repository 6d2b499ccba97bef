// The topology drawing as triangles: built once per layout (and again when the data, theme or
// selection changes), never per frame. A pan or zoom only changes the camera: line widths, dash
// patterns, arrowheads and marks are given in screen pixels as offsets from world anchors, which
// the vertex shader scales by the zoom (meshes.ts), so one build looks right at every zoom.
//
// Four buffers, drawn in this order: group boxes, edges, vertex boxes (with replica bars), glyphs
// (kind badges, default-deny marks, the "?" of unexplained traffic). A small overlay (hover) is
// built the same way and drawn outside the cached picture, so hovering redraws almost nothing.
import type { Box, GraphLayout, ShapedGraph, ShapedVertex } from './contracts.js';
import { arrowSize, pointAlong, vertexParts, type Polyline } from './geometry.js';
import { DIM_ALPHA, FADE_ALPHA, GLYPH_SHAPES, KIND_STYLES, edgeLook, healthColor, healthOf, type EdgeLook, type GlyphShape, type TopologyPalette } from './topology-palette.js';
import { TriBuffer, type AttributeLayout } from './tri-buffer.js';
import { rgba } from '../shader-color.js';

/**
 * Lines: a world anchor plus an offset in screen pixels; distance along the line (world, plus
 * pixels) for dashes; signed distance across (pixels) and the half width, for antialiased edges;
 * straight RGBA; dash pattern (on, off, on, off pixels; zeros: solid).
 */
export const LINE_LAYOUT: AttributeLayout = [['aPosition', 2], ['aOffset', 2], ['aDist', 2], ['aAcross', 2], ['aColor', 4], ['aDash', 4]];
/** Rounded boxes: world corners, world position inside the box, (width, height, radius, border px), fill and border RGBA. */
export const BOX_LAYOUT: AttributeLayout = [['aPosition', 2], ['aLocal', 2], ['aBox', 4], ['aFill', 4], ['aBorder', 4]];
/** Glyphs: world anchor plus pixel offset, position in the glyph (-1..1), (shape, half size world, half size px, 0), RGBA. */
export const GLYPH_LAYOUT: AttributeLayout = [['aPosition', 2], ['aOffset', 2], ['aLocal', 2], ['aShape', 4], ['aColor', 4]];

export interface GraphDrawing {
  groups: TriBuffer;
  edges: TriBuffer;
  vertices: TriBuffer;
  glyphs: TriBuffer;
}

export interface OverlayDrawing {
  lines: TriBuffer;
  boxes: TriBuffer;
}

export function createDrawing(): GraphDrawing {
  return { groups: new TriBuffer(BOX_LAYOUT), edges: new TriBuffer(LINE_LAYOUT, 4096), vertices: new TriBuffer(BOX_LAYOUT, 1024), glyphs: new TriBuffer(GLYPH_LAYOUT, 1024) };
}

export function createOverlay(): OverlayDrawing {
  return { lines: new TriBuffer(LINE_LAYOUT, 64), boxes: new TriBuffer(BOX_LAYOUT, 16) };
}

/** What a selection highlights: the selected vertex, its neighbours and the edges between them. */
export interface Emphasis {
  vertices: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

/** Undefined when nothing is selected or the selected vertex is not in the graph (nothing fades). */
export function emphasisOf(graph: ShapedGraph, selected: string | null): Emphasis | undefined {
  if (selected === null || !graph.vertices.some((v) => v.id === selected)) return undefined;
  const vertices = new Set([selected]);
  const edges = new Set<string>();
  for (const e of graph.edges) {
    if (e.from !== selected && e.to !== selected) continue;
    edges.add(e.id);
    vertices.add(e.from);
    vertices.add(e.to);
  }
  return { vertices, edges };
}

/** How opaque a vertex or edge is drawn: dimmed by the query, faded by a selection elsewhere. */
export function alphaOf(dim: boolean, emphasised: boolean | undefined): number {
  return (dim ? DIM_ALPHA : 1) * (emphasised === false ? FADE_ALPHA : 1);
}

/** Size of the "?" mark and of the bar across a denied edge, in screen pixels. */
export const QUESTION_RADIUS = 8;
export const BAR_HALF_LENGTH = 7;

/** Rebuilds the whole picture into `out` (buffers are reused). */
export function buildDrawing(out: GraphDrawing, graph: ShapedGraph, layout: GraphLayout, palette: TopologyPalette, selected: string | null): void {
  for (const buffer of Object.values(out)) buffer.clear();
  const emphasis = emphasisOf(graph, selected);
  for (const group of graph.groups) {
    const box = layout.groups[group.id];
    if (box === undefined) continue;
    addBox(out.groups, box, 10, 1, rgba(palette.groupFill, 1), rgba(palette.groupBorder, 1));
  }
  for (const edge of graph.edges) {
    const points = layout.edges[edge.id];
    if (points === undefined || points.length < 4) continue;
    const look = edgeLook(edge, palette);
    const alpha = look.alpha * alphaOf(edge.dim, emphasis && emphasis.edges.has(edge.id));
    addEdgeLine(out.edges, points, look, look.width, rgba(look.color, alpha));
    addEdgeMarks(out.edges, out.glyphs, points, look, alpha);
  }
  for (const vertex of graph.vertices) {
    const box = layout.vertices[vertex.id];
    if (box === undefined) continue;
    addVertex(out.vertices, out.glyphs, vertex, box, palette, alphaOf(vertex.dim, emphasis && emphasis.vertices.has(vertex.id)), vertex.id === selected);
  }
}

/** The hover overlay: an outline around a vertex or group, or an edge drawn again over a halo. */
export function buildOverlay(out: OverlayDrawing, graph: ShapedGraph, layout: GraphLayout, palette: TopologyPalette, hovered: string | undefined): void {
  out.lines.clear();
  out.boxes.clear();
  if (hovered === undefined) return;
  const vertexBox = layout.vertices[hovered];
  if (vertexBox !== undefined) {
    addBox(out.boxes, grow(vertexBox, 2), vertexParts(vertexBox, {}).radius + 2, 2, [0, 0, 0, 0], rgba(palette.selected, 1));
    return;
  }
  const edge = graph.edges.find((e) => e.id === hovered);
  const points = edge === undefined ? undefined : layout.edges[edge.id];
  if (edge !== undefined && points !== undefined && points.length >= 4) {
    const look = edgeLook(edge, palette);
    addEdgeLine(out.lines, points, { ...look, dash: [] }, look.width + 6, rgba(palette.selected, 0.35));
    addEdgeLine(out.lines, points, look, look.width, rgba(look.color, 1));
    return;
  }
  const groupBox = layout.groups[hovered];
  if (groupBox !== undefined) addBox(out.boxes, groupBox, 10, 2, [0, 0, 0, 0], rgba(palette.selected, 0.8));
}

// --- vertices ------------------------------------------------------------------------------------

function addVertex(boxes: TriBuffer, glyphs: TriBuffer, vertex: ShapedVertex, box: Box, palette: TopologyPalette, alpha: number, selected: boolean): void {
  const parts = vertexParts(box, vertex);
  const fill = rgba(palette.vertexFill, alpha);
  if (vertex.kind === 'Namespace') {
    // A collapsed namespace stands for many: a second box peeks out behind it, like a stack of cards.
    addBox(boxes, { ...box, x: box.x + 5, y: box.y + 5 }, parts.radius, 1, fill, rgba(palette.vertexBorder, alpha));
  }
  const border = selected ? rgba(palette.selected, 1) : rgba(palette.vertexBorder, alpha);
  addBox(boxes, box, parts.radius, selected ? 3 : 1, fill, border);
  if (parts.bar !== undefined) {
    const health = healthOf(vertex.ready, vertex.desired)!;
    const bar = parts.bar;
    addBox(boxes, bar, bar.height / 2, 0, rgba(palette.barBack, alpha), [0, 0, 0, 0]);
    const desired = vertex.desired ?? 0;
    const share = desired > 0 ? Math.min(1, Math.max(0, (vertex.ready ?? 0) / desired)) : 0;
    if (share > 0) addBox(boxes, { ...bar, width: bar.width * share }, bar.height / 2, 0, rgba(healthColor(health, palette), alpha), [0, 0, 0, 0]);
  }
  const style = KIND_STYLES[vertex.kind];
  const b = parts.badge;
  addGlyph(glyphs, b.x + b.width / 2, b.y + b.height / 2, b.width / 2, 0, style.shape, rgba(palette.categories[style.category].fill, alpha));
  if (parts.deny !== undefined) {
    // A disc of the box colour under the mark, so that the box border does not run through it.
    addGlyph(glyphs, parts.deny.x, parts.deny.y, parts.deny.r * 1.15, 0, 'circle', fill);
    addGlyph(glyphs, parts.deny.x, parts.deny.y, parts.deny.r, 0, 'deny', rgba(palette.deny, alpha));
  }
}

/** A rounded box; corners in world units, border width in pixels (0: none). */
export function addBox(buffer: TriBuffer, box: Box, radius: number, borderPx: number, fill: readonly number[], border: readonly number[]): void {
  const { x, y, width: w, height: h } = box;
  if (!(w > 0 && h > 0)) return;
  const r = Math.min(radius, w / 2, h / 2);
  const corner = (cx: number, cy: number) => buffer.vertex([x + cx, y + cy, cx, cy, w, h, r, borderPx, ...fill, ...border]);
  buffer.quad(corner(0, 0), corner(w, 0), corner(w, h), corner(0, h));
}

/**
 * A glyph centred at (x, y): half its size in world units plus pixels (a badge grows with the
 * zoom, a mark on an edge keeps its size on screen).
 */
function addGlyph(buffer: TriBuffer, x: number, y: number, halfWorld: number, halfPx: number, shape: GlyphShape, color: readonly number[]): void {
  const code = GLYPH_SHAPES.indexOf(shape);
  const corner = (sx: number, sy: number) => buffer.vertex([x + sx * halfWorld, y + sy * halfWorld, sx * halfPx, sy * halfPx, sx, sy, code, halfWorld, halfPx, 0, ...color]);
  buffer.quad(corner(-1, -1), corner(1, -1), corner(1, 1), corner(-1, 1));
}

// --- edges ---------------------------------------------------------------------------------------

/**
 * A polyline of `width` screen pixels with an arrowhead at its end. Each segment is a quad
 * extended by half the width at inner joints (square caps: no notch at a bend); the last one
 * stops inside the arrowhead, so a thick line does not poke out of its tip.
 */
function addEdgeLine(buffer: TriBuffer, points: Polyline, look: Pick<EdgeLook, 'dash'>, width: number, color: readonly number[]): void {
  const half = width / 2;
  // Half a pixel more on each side: the fragment shader fades that fringe (antialiasing).
  const reach = half + 0.5;
  const arrow = arrowSize(width);
  const segments = segmentsOf(points);
  // One vertex's values, reused (a big graph has a hundred thousand line vertices): what is the
  // same for the whole edge is written once.
  const values = LINE_VERTEX;
  values.fill(0);
  values[7] = half;
  values.set(color, 8);
  for (let k = 0; k < 4; k++) values[12 + k] = look.dash[k] ?? 0;
  let travelled = 0;
  segments.forEach((s, i) => {
    const capStart = i === 0 ? 0 : half;
    const capEnd = i === segments.length - 1 ? -arrow.length * 0.7 : half;
    const nx = -s.uy;
    const ny = s.ux;
    const v = (px: number, py: number, side: number, along: number, dist: number) => {
      values[0] = px;
      values[1] = py;
      values[2] = nx * reach * side + s.ux * along;
      values[3] = ny * reach * side + s.uy * along;
      values[4] = dist;
      values[5] = along;
      values[6] = reach * side;
      return buffer.vertex(values);
    };
    const a = v(s.ax, s.ay, 1, -capStart, travelled);
    const b = v(s.ax, s.ay, -1, -capStart, travelled);
    const c = v(s.bx, s.by, -1, capEnd, travelled + s.length);
    const d = v(s.bx, s.by, 1, capEnd, travelled + s.length);
    buffer.quad(a, b, c, d);
    travelled += s.length;
  });
  const last = segments[segments.length - 1];
  if (last === undefined) return;
  // The arrowhead: anchored at the tip, its corners as pixel offsets; solid and fully covered.
  const hw = arrow.width / 2;
  const baseX = -last.ux * arrow.length;
  const baseY = -last.uy * arrow.length;
  values.fill(0, 4, 8);
  values[7] = 1e3;
  values.fill(0, 12, 16);
  const tip = (ox: number, oy: number) => {
    values[0] = last.bx;
    values[1] = last.by;
    values[2] = ox;
    values[3] = oy;
    return buffer.vertex(values);
  };
  buffer.triangle(tip(0, 0), tip(baseX - last.uy * hw, baseY + last.ux * hw), tip(baseX + last.uy * hw, baseY - last.ux * hw));
}

/** Scratch for one line vertex: position 2, offset 2, distance 2, across 2, colour 4, dash 4 (LINE_LAYOUT). */
const LINE_VERTEX = new Float64Array(16);

/** The bar across a denied edge and the "?" disc of traffic no declaration explains, at the middle. */
function addEdgeMarks(lines: TriBuffer, glyphs: TriBuffer, points: Polyline, look: EdgeLook, alpha: number): void {
  if (!look.bar && !look.question) return;
  const mid = pointAlong(points, 0.5);
  if (look.bar) {
    const nx = -mid.dy * BAR_HALF_LENGTH;
    const ny = mid.dx * BAR_HALF_LENGTH;
    const tx = mid.dx * 1.5;
    const ty = mid.dy * 1.5;
    const color = rgba(look.color, alpha);
    const v = (ox: number, oy: number) => lines.vertex([mid.x, mid.y, ox, oy, 0, 0, 0, 1e3, ...color, 0, 0, 0, 0]);
    lines.quad(v(nx - tx, ny - ty), v(nx + tx, ny + ty), v(-nx + tx, -ny + ty), v(-nx - tx, -ny - ty));
  }
  if (look.question) addGlyph(glyphs, mid.x, mid.y, 0, QUESTION_RADIUS, 'circle', rgba(look.color, alpha));
}

interface Segment {
  ax: number;
  ay: number;
  bx: number;
  by: number;
  ux: number;
  uy: number;
  length: number;
}

/** The segments of a polyline with their unit directions, without zero-length ones. */
export function segmentsOf(points: Polyline): Segment[] {
  const segments: Segment[] = [];
  for (let i = 2; i + 1 < points.length; i += 2) {
    const ax = points[i - 2]!;
    const ay = points[i - 1]!;
    const bx = points[i]!;
    const by = points[i + 1]!;
    const length = Math.hypot(bx - ax, by - ay);
    if (length === 0) continue;
    segments.push({ ax, ay, bx, by, ux: (bx - ax) / length, uy: (by - ay) / length, length });
  }
  return segments;
}

// --- helpers ---------------------------------------------------------------------------------------

function grow(box: Box, by: number): Box {
  return { x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by };
}
