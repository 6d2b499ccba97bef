// The whole topology as a standalone SVG, in the canvas's visual language, at world scale (one
// world unit is one SVG unit): the shapes are drawn as draw.ts draws them, and every text comes
// from the same label plan as the canvas's at 100 % (label-plan.ts), so the file shows what the
// view shows at that zoom, names shortened to their boxes and all.
//
// Every text from the cluster goes through `escapeXml`: a workload named `<script>` stays text.
// Each vertex and each edge is one <g> element (class "vertex" / "edge", with data-id) holding its
// shapes and texts, so the file can be styled or scripted by whoever opens it; edge labels (rates,
// the "?" of unexplained traffic) sit in a layer above the vertices, as on the canvas.
import type { Box, GraphLayout, ShapedEdge, ShapedGraph, ShapedVertex } from './contracts.js';
import { cssColor, type Rgb } from '../occupancy/palette.js';
import { arrowHead, arrowSize, CHAR_WIDTH, drawingBounds, pointAlong, vertexParts, type Polyline } from './geometry.js';
import { FONT_SIZE, indexLabels, planLabels, type LabelSpec } from './label-plan.js';
import { BAR_HALF_LENGTH, QUESTION_RADIUS } from './draw.js';
import { DIM_ALPHA, KIND_STYLES, edgeLook, healthColor, healthOf, rgbOf, trafficLabel, type GlyphShape, type TopologyPalette } from './topology-palette.js';

const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const MARGIN = 24;

export function topologySvg(graph: ShapedGraph, layout: GraphLayout, palette: TopologyPalette): string {
  const drawn = drawingBounds(graph, layout, 5);
  const bounds = { x: drawn.x - MARGIN, y: drawn.y - MARGIN, width: drawn.width + 2 * MARGIN, height: drawn.height + 2 * MARGIN };
  const texts = textsByOwner(graph, layout, palette, bounds);
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(bounds.width)}" height="${n(bounds.height)}" viewBox="${n(bounds.x)} ${n(bounds.y)} ${n(bounds.width)} ${n(bounds.height)}" font-family="${FONT_FAMILY}">`,
  );
  out.push('<title>kubeglance topology</title>');
  out.push(`<rect class="background" x="${n(bounds.x)}" y="${n(bounds.y)}" width="${n(bounds.width)}" height="${n(bounds.height)}" fill="${cssColor(palette.background)}"/>`);

  out.push('<g class="groups">');
  for (const group of graph.groups) {
    const box = layout.groups[group.id];
    if (box === undefined) continue;
    out.push(
      `<g class="group" data-id="${escapeXml(group.id)}">` +
        `<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}" rx="10" fill="${cssColor(palette.groupFill)}" stroke="${cssColor(palette.groupBorder)}"/>` +
        (texts.get(`g:${group.id}`) ?? []).map((t) => textSvg(t, palette, false)).join('') +
        '</g>',
    );
  }
  out.push('</g>');

  out.push('<g class="edges" fill="none" stroke-linejoin="round">');
  for (const edge of graph.edges) {
    const points = layout.edges[edge.id];
    if (points !== undefined && points.length >= 4) out.push(edgeSvg(edge, points, palette));
  }
  out.push('</g>');

  out.push('<g class="vertices">');
  for (const vertex of graph.vertices) {
    const box = layout.vertices[vertex.id];
    if (box !== undefined) out.push(vertexSvg(vertex, box, palette, texts.get(`v:${vertex.id}`) ?? []));
  }
  out.push('</g>');

  out.push('<g class="edge-labels">');
  for (const edge of graph.edges) {
    const labels = texts.get(`e:${edge.id}`);
    if (labels !== undefined) out.push(`<g class="edge-label" data-edge="${escapeXml(edge.id)}">${labels.map((t) => textSvg(t, palette, true)).join('')}</g>`);
  }
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}

/**
 * The canvas's labels at 100 %, in world coordinates, by what they belong to: `g:<group>`,
 * `v:<vertex>` (name, second line, badge letters) and `e:<edge>` (rate, "?").
 */
function textsByOwner(graph: ShapedGraph, layout: GraphLayout, palette: TopologyPalette, bounds: Box): Map<string, LabelSpec[]> {
  // The plan is in screen pixels: a camera at scale 1 that puts the bounds' corner at 0, 0.
  const camera = { x: -bounds.x, y: -bounds.y, scale: 1 };
  const plan = planLabels(indexLabels(graph, layout, null), camera, { width: bounds.width, height: bounds.height }, palette, Infinity);
  const byOwner = new Map<string, LabelSpec[]>();
  for (const spec of plan) {
    const kind = spec.key.slice(0, 1);
    const owner = kind === 'g' ? 'g' : kind === 'e' || kind === 'q' ? 'e' : 'v';
    const key = `${owner}:${spec.key.slice(2)}`;
    const world = { ...spec, x: spec.x + bounds.x, y: spec.y + bounds.y };
    const list = byOwner.get(key);
    if (list === undefined) byOwner.set(key, [world]);
    else list.push(world);
  }
  return byOwner;
}

function edgeSvg(edge: ShapedEdge, points: Polyline, palette: TopologyPalette): string {
  const look = edgeLook(edge, palette);
  const color = cssColor(look.color);
  const arrow = arrowSize(look.width);
  const parts: string[] = [];
  const dash = look.dash.length > 0 ? ` stroke-dasharray="${look.dash.map(n).join(' ')}"` : '';
  // The line stops inside the arrowhead, as on the canvas.
  parts.push(`<path d="${pathOf(shortenEnd(points, arrow.length * 0.7))}" stroke="${color}" stroke-width="${n(look.width)}"${dash}/>`);
  const head = arrowHead(points, arrow.length, arrow.width);
  if (head !== undefined) parts.push(`<path class="arrow" d="M${n(head[0])} ${n(head[1])}L${n(head[2])} ${n(head[3])}L${n(head[4])} ${n(head[5])}Z" fill="${color}"/>`);
  const mid = pointAlong(points, 0.5);
  if (look.bar) {
    const nx = -mid.dy * BAR_HALF_LENGTH;
    const ny = mid.dx * BAR_HALF_LENGTH;
    parts.push(`<path class="denied" d="M${n(mid.x + nx)} ${n(mid.y + ny)}L${n(mid.x - nx)} ${n(mid.y - ny)}" stroke="${color}" stroke-width="3"/>`);
  }
  if (look.question) parts.push(`<circle class="unexplained" cx="${n(mid.x)}" cy="${n(mid.y)}" r="${QUESTION_RADIUS}" fill="${color}"/>`);
  const rate = trafficLabel(edge.traffic);
  const title = `${edge.from} → ${edge.to}${edge.types.length > 0 ? ` (${edge.types.join(', ')})` : ''}${rate !== '' ? `: ${rate}` : ''}`;
  return (
    `<g class="edge" data-id="${escapeXml(edge.id)}" data-style="${look.style}" opacity="${n(look.alpha * (edge.dim ? DIM_ALPHA : 1))}">` +
    `<title>${escapeXml(title)}</title>${parts.join('')}</g>`
  );
}

function vertexSvg(vertex: ShapedVertex, box: Box, palette: TopologyPalette, texts: readonly LabelSpec[]): string {
  const parts = vertexParts(box, vertex);
  const style = KIND_STYLES[vertex.kind];
  const out: string[] = [];
  const rect = (b: Box, rx: number, fill: Rgb, stroke?: Rgb) =>
    `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="${n(rx)}" fill="${cssColor(fill)}"${stroke ? ` stroke="${cssColor(stroke)}"` : ''}/>`;
  if (vertex.kind === 'Namespace') out.push(rect({ ...box, x: box.x + 5, y: box.y + 5 }, parts.radius, palette.vertexFill, palette.vertexBorder));
  out.push(rect(box, parts.radius, palette.vertexFill, palette.vertexBorder));
  const b = parts.badge;
  out.push(glyphSvg(style.shape, b.x + b.width / 2, b.y + b.height / 2, b.width / 2, palette.categories[style.category].fill, palette.vertexFill));
  const health = healthOf(vertex.ready, vertex.desired);
  if (parts.bar !== undefined && health !== undefined) {
    const bar = parts.bar;
    out.push(rect(bar, bar.height / 2, palette.barBack));
    const desired = vertex.desired ?? 0;
    const share = desired > 0 ? Math.min(1, Math.max(0, (vertex.ready ?? 0) / desired)) : 0;
    if (share > 0) out.push(rect({ ...bar, width: bar.width * share }, bar.height / 2, healthColor(health, palette)));
  }
  if (parts.deny !== undefined) {
    const { x, y, r } = parts.deny;
    out.push(`<circle cx="${n(x)}" cy="${n(y)}" r="${n(r * 1.15)}" fill="${cssColor(palette.vertexFill)}"/>`);
    out.push(`<g class="default-deny">${glyphSvg('deny', x, y, r, palette.deny, palette.vertexFill)}</g>`);
  }
  // The vertex's own opacity dims its texts with it.
  for (const t of texts) out.push(textSvg(t, palette, false));
  const title = `${vertex.kind} ${vertex.name}${health !== undefined ? ` (${vertex.ready ?? 0}/${vertex.desired} ready)` : ''}${vertex.defaultDeny ? ', default-deny ingress' : ''}`;
  return `<g class="vertex" data-id="${escapeXml(vertex.id)}" data-kind="${escapeXml(vertex.kind)}"${vertex.dim ? ` opacity="${DIM_ALPHA}"` : ''}><title>${escapeXml(title)}</title>${out.join('')}</g>`;
}

/** A badge shape of half size `h` centred at (x, y), as the glyph shader draws it. */
function glyphSvg(shape: GlyphShape, x: number, y: number, h: number, fill: Rgb, cutout: Rgb): string {
  const color = cssColor(fill);
  const polygon = (corners: [number, number][]) => `<polygon points="${corners.map(([cx, cy]) => `${n(x + cx * h)},${n(y + cy * h)}`).join(' ')}" fill="${color}"/>`;
  let body: string;
  switch (shape) {
    case 'circle': body = `<circle cx="${n(x)}" cy="${n(y)}" r="${n(0.92 * h)}" fill="${color}"/>`; break;
    case 'ring': body = `<circle cx="${n(x)}" cy="${n(y)}" r="${n(0.7 * h)}" fill="none" stroke="${color}" stroke-width="${n(0.44 * h)}"/>`; break;
    case 'square': body = `<rect x="${n(x - 0.82 * h)}" y="${n(y - 0.82 * h)}" width="${n(1.64 * h)}" height="${n(1.64 * h)}" rx="${n(0.2 * h)}" fill="${color}"/>`; break;
    case 'diamond': body = polygon([[0, -1], [1, 0], [0, 1], [-1, 0]]); break;
    case 'hexagon': body = polygon([[-0.485, -0.84], [0.485, -0.84], [0.97, 0], [0.485, 0.84], [-0.485, 0.84], [-0.97, 0]]); break;
    case 'triangle': body = polygon([[0, -0.85], [0.95, 0.8], [-0.95, 0.8]]); break;
    case 'deny':
      body = `<circle cx="${n(x)}" cy="${n(y)}" r="${n(0.92 * h)}" fill="${color}"/><rect x="${n(x - 0.58 * h)}" y="${n(y - 0.17 * h)}" width="${n(1.16 * h)}" height="${n(0.34 * h)}" fill="${cssColor(cutout)}"/>`;
      break;
  }
  return `<g class="glyph glyph-${shape}">${body}</g>`;
}

/**
 * A planned label as SVG text: its anchor (0, 0.5, 1 of its width and height) becomes text-anchor
 * and a baseline about 0.85 of the size below the text's top; labels on plates get one. `alpha`:
 * whether the text carries its own opacity (not when inside an element that is dimmed itself).
 */
function textSvg(spec: LabelSpec, palette: TopologyPalette, alpha: boolean): string {
  const size = spec.scale * FONT_SIZE[spec.font];
  const anchor = spec.anchorX === 0 ? '' : ` text-anchor="${spec.anchorX === 1 ? 'end' : 'middle'}"`;
  const bold = spec.font === 'badge' || spec.font === 'group' ? ' font-weight="bold"' : '';
  const opacity = alpha && spec.alpha < 1 ? ` opacity="${n(spec.alpha)}"` : '';
  const top = spec.y - spec.anchorY * size * 1.15;
  let plate = '';
  if (spec.plate) {
    const width = spec.text.length * CHAR_WIDTH * size + 6;
    const left = spec.x - spec.anchorX * (width - 6) - 3;
    plate = `<rect class="plate" x="${n(left)}" y="${n(top - 1)}" width="${n(width)}" height="${n(size * 1.15 + 2)}" rx="3" fill="${cssColor(palette.groupFill)}" fill-opacity="0.85"/>`;
  }
  return `${plate}<text x="${n(spec.x)}" y="${n(top + size * 0.85)}" font-size="${n(size)}" fill="${cssColor(rgbOf(spec.color))}"${anchor}${bold}${opacity}>${escapeXml(spec.text)}</text>`;
}

/**
 * Text as XML character data or an attribute value: markup characters as entities, and characters
 * XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/U+FFFF) replaced by
 * U+FFFD, so that any name from a cluster gives a well-formed document.
 */
export function escapeXml(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

function pathOf(points: Polyline): string {
  let d = '';
  for (let i = 0; i + 1 < points.length; i += 2) d += `${i === 0 ? 'M' : 'L'}${n(points[i]!)} ${n(points[i + 1]!)}`;
  return d;
}

/** The polyline with its end moved back by `by` along the last segment (not past that segment's start). */
function shortenEnd(points: Polyline, by: number): number[] {
  const out = [...points];
  const k = out.length;
  const dx = out[k - 2]! - out[k - 4]!;
  const dy = out[k - 1]! - out[k - 3]!;
  const len = Math.hypot(dx, dy);
  if (len === 0) return out;
  const cut = Math.min(by, len);
  out[k - 2] = out[k - 2]! - (dx / len) * cut;
  out[k - 1] = out[k - 1]! - (dy / len) * cut;
  return out;
}

/** A number for SVG: at most two decimals, no trailing zeros. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}
