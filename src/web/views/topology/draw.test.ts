import { describe, expect, it } from 'vitest';
import { LIGHT } from '../occupancy/palette.js';
import { buildDrawing, buildOverlay, createDrawing, createOverlay, emphasisOf, segmentsOf } from './draw.js';
import { arrowSize } from './geometry.js';
import { gridLayout, sampleGraph } from './testing/drawing-fixtures.js';
import { DIM_ALPHA, FADE_ALPHA, GLYPH_SHAPES, edgeLook, topologyPalette } from './topology-palette.js';
import type { TriBuffer } from './tri-buffer.js';

const palette = topologyPalette(LIGHT);
const graph = sampleGraph();
const layout = gridLayout(graph);

/** Quads drawn into a box buffer (4 vertices each). */
const quads = (b: TriBuffer) => b.vertexCount / 4;

describe('buildDrawing', () => {
  const drawing = createDrawing();
  buildDrawing(drawing, graph, layout, palette, null);

  it('draws a box per group and per vertex, plus bars, stack and glyphs', () => {
    expect(quads(drawing.groups)).toBe(graph.groups.length);
    const withBars = graph.vertices.filter((v) => v.desired !== undefined);
    const filledBars = withBars.filter((v) => (v.ready ?? 0) > 0 && (v.desired ?? 0) > 0);
    const collapsed = graph.vertices.filter((v) => v.kind === 'Namespace');
    expect(quads(drawing.vertices)).toBe(graph.vertices.length + withBars.length + filledBars.length + collapsed.length);
    const denied = graph.vertices.filter((v) => v.defaultDeny);
    const questions = graph.edges.filter((e) => e.evidence === 'observed');
    // A badge per vertex; a backing disc and the mark per default-deny; a disc per "?".
    expect(quads(drawing.glyphs)).toBe(graph.vertices.length + 2 * denied.length + questions.length);
  });

  it('draws a quad per segment and a triangle arrowhead per edge, a bar on denied edges', () => {
    let expected = 0;
    for (const e of graph.edges) {
      expected += segmentsOf(layout.edges[e.id]!).length * 6 + 3;
      if (e.denied) expected += 6;
    }
    expect(drawing.edges.indexCount).toBe(expected);
  });

  it('writes colour, dash pattern and width in pixels as the edge style says', () => {
    const e = graph.edges.find((x) => x.types.includes('selects') && x.evidence === 'declared')!;
    const look = edgeLook(e, palette);
    const first = findVertexAt(drawing.edges, layout.edges[e.id]!.slice(0, 2));
    expect(drawing.edges.read(first, 'aDash')).toEqual([...look.dash, 0, 0].slice(0, 4));
    expect(drawing.edges.read(first, 'aColor').slice(0, 3).map((c) => Math.round(c * 255))).toEqual([...look.color]);
    // Across: half the width plus half a pixel of antialiasing fringe, and the half width.
    const [across, half] = drawing.edges.read(first, 'aAcross');
    expect(half).toBeCloseTo(look.width / 2);
    expect(Math.abs(across!)).toBeCloseTo(look.width / 2 + 0.5);
  });

  it('ends the line inside the arrowhead and points the arrowhead back along the last segment', () => {
    const e = graph.edges[0]!;
    const points = layout.edges[e.id]!;
    const look = edgeLook(e, palette);
    const arrow = arrowSize(look.width);
    // The arrowhead is the last three vertices of this edge: tip first, then the base corners.
    const drawn = createDrawing();
    buildDrawing(drawn, { ...graph, edges: [e] }, layout, palette, null);
    const n = drawn.edges.vertexCount;
    const tip = drawn.edges.read(n - 3, 'aPosition');
    expect(tip).toEqual(points.slice(-2));
    expect(drawn.edges.read(n - 3, 'aOffset')).toEqual([0, 0]);
    const seg = segmentsOf(points).at(-1)!;
    for (const corner of [n - 2, n - 1]) {
      const [ox, oy] = drawn.edges.read(corner, 'aOffset');
      // Behind the tip by the arrow length (dot product with the direction).
      expect(ox! * seg.ux + oy! * seg.uy).toBeCloseTo(-arrow.length, 3);
    }
    // The last segment's end vertices are pulled back inside the arrowhead.
    const [ox, oy] = drawn.edges.read(n - 4, 'aOffset');
    expect(ox! * seg.ux + oy! * seg.uy).toBeLessThan(0);
  });

  it('dims what the query dims', () => {
    const dimmed = graph.vertices.find((v) => v.dim)!;
    const box = layout.vertices[dimmed.id]!;
    const i = findVertexAt(drawing.vertices, [box.x, box.y]);
    expect(drawing.vertices.read(i, 'aFill')[3]).toBeCloseTo(DIM_ALPHA);
    const clear = graph.vertices.find((v) => !v.dim)!;
    const j = findVertexAt(drawing.vertices, [layout.vertices[clear.id]!.x, layout.vertices[clear.id]!.y]);
    expect(drawing.vertices.read(j, 'aFill')[3]).toBe(1);
  });

  it('uses the shape of each kind for its badge', () => {
    const ingress = layout.vertices['Ingress/shop/web']!;
    let found = false;
    for (let i = 0; i < drawing.glyphs.vertexCount; i++) {
      const [x, y] = drawing.glyphs.read(i, 'aPosition');
      if (x! > ingress.x && x! < ingress.x + ingress.width && y! > ingress.y && y! < ingress.y + ingress.height) {
        expect(GLYPH_SHAPES[drawing.glyphs.read(i, 'aShape')[0]!]).toBe('diamond');
        found = true;
      }
    }
    expect(found).toBe(true);
  });

  it('skips what the layout does not place', () => {
    const partial = { ...layout, vertices: { ...layout.vertices }, edges: { ...layout.edges } };
    delete partial.vertices['Deployment/shop/cart'];
    delete partial.edges[graph.edges[0]!.id];
    const d = createDrawing();
    buildDrawing(d, graph, partial, palette, null);
    expect(d.vertices.vertexCount).toBeLessThan(drawing.vertices.vertexCount);
    expect(d.edges.indexCount).toBeLessThan(drawing.edges.indexCount);
  });
});

describe('selection', () => {
  const selected = 'Deployment/shop/cart';

  it('highlights the selected vertex, its neighbours and its edges', () => {
    const e = emphasisOf(graph, selected)!;
    expect([...e.vertices].sort()).toEqual(['Deployment/shop/cart', 'Deployment/shop/frontend', 'Namespace/data', 'Service/shop/cart', 'StatefulSet/shop/db'].sort());
    expect(e.edges.size).toBe(graph.edges.filter((x) => x.from === selected || x.to === selected).length);
    expect(emphasisOf(graph, 'not/there')).toBeUndefined();
    expect(emphasisOf(graph, null)).toBeUndefined();
  });

  it('fades the rest and outlines the selected vertex', () => {
    const d = createDrawing();
    buildDrawing(d, graph, layout, palette, selected);
    const alphaAt = (id: string) => d.vertices.read(findVertexAt(d.vertices, [layout.vertices[id]!.x, layout.vertices[id]!.y]), 'aFill')[3];
    expect(alphaAt('Ingress/shop/web')).toBeCloseTo(FADE_ALPHA);
    expect(alphaAt('Service/shop/cart')).toBe(1);
    const i = findVertexAt(d.vertices, [layout.vertices[selected]!.x, layout.vertices[selected]!.y]);
    expect(d.vertices.read(i, 'aBox')[3]).toBe(3);
    expect(d.vertices.read(i, 'aBorder').slice(0, 3).map((c) => Math.round(c * 255))).toEqual([...palette.selected]);
  });
});

describe('buildOverlay', () => {
  it('outlines a hovered vertex or group, redraws a hovered edge over a halo, and clears', () => {
    const o = createOverlay();
    buildOverlay(o, graph, layout, palette, 'Service/shop/cart');
    expect(o.boxes.vertexCount).toBe(4);
    expect(o.lines.vertexCount).toBe(0);
    const e = graph.edges[1]!;
    buildOverlay(o, graph, layout, palette, e.id);
    expect(o.boxes.vertexCount).toBe(0);
    expect(o.lines.indexCount).toBe(2 * (segmentsOf(layout.edges[e.id]!).length * 6 + 3));
    buildOverlay(o, graph, layout, palette, 'shop');
    expect(o.boxes.vertexCount).toBe(4);
    buildOverlay(o, graph, layout, palette, undefined);
    expect(o.boxes.vertexCount + o.lines.vertexCount).toBe(0);
  });
});

/** The first vertex of a buffer anchored at a world point. */
function findVertexAt(buffer: TriBuffer, [x, y]: number[]): number {
  for (let i = 0; i < buffer.vertexCount; i++) {
    const [px, py] = buffer.read(i, 'aPosition');
    if (px === x && py === y) return i;
  }
  throw new Error(`no vertex at ${x},${y}`);
}
