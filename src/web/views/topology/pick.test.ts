import { describe, expect, it } from 'vitest';
import type { GraphLayout, ShapedGraph } from './contracts.js';
import { contains, pointAlong } from './geometry.js';
import { buildPickIndex, pickTopology } from './pick.js';
import { gridLayout, sampleGraph } from './testing/drawing-fixtures.js';

/** Two vertices in one group, an edge between them running under a third vertex, a nested group. */
const graph: ShapedGraph = {
  groups: [
    { id: 'big', label: 'big', collapsed: false, counts: {} },
    { id: 'small', label: 'small', collapsed: false, counts: {} },
  ],
  vertices: [
    { id: 'a', kind: 'Deployment', name: 'a', group: 'big', dim: false, width: 100, height: 40 },
    { id: 'b', kind: 'Service', name: 'b', group: 'big', dim: false, width: 100, height: 40 },
    { id: 'c', kind: 'Pod', name: 'c', group: 'small', dim: false, width: 100, height: 40 },
  ],
  edges: [
    { id: 'a->b', from: 'a', to: 'b', types: ['config'], edges: [], evidence: 'declared', dim: false },
    { id: 'b->a', from: 'b', to: 'a', types: ['selects'], edges: [], evidence: 'declared', dim: false },
  ],
};

const layout: GraphLayout = {
  width: 1000,
  height: 500,
  groups: { big: { x: 0, y: 0, width: 1000, height: 500 }, small: { x: 400, y: 300, width: 300, height: 150 } },
  vertices: { a: { x: 50, y: 100, width: 100, height: 40 }, b: { x: 800, y: 100, width: 100, height: 40 }, c: { x: 450, y: 100, width: 100, height: 40 } },
  edges: {
    // Straight across, under c.
    'a->b': [150, 120, 800, 120],
    // An elbow below: down, across, up.
    'b->a': [850, 140, 850, 250, 100, 250, 100, 140],
  },
  ms: 1,
};

const index = buildPickIndex(graph, layout);
const pick = (x: number, y: number, tolerance = 5) => pickTopology(index, x, y, tolerance);

describe('pickTopology', () => {
  it('picks a vertex box first, even where an edge runs under it', () => {
    expect(pick(60, 110)).toEqual({ type: 'vertex', id: 'a' });
    expect(pick(500, 120)).toEqual({ type: 'vertex', id: 'c' });
    // Box edges count as inside.
    expect(pick(150, 140)).toEqual({ type: 'vertex', id: 'a' });
  });

  it('picks an edge within the tolerance of its polyline, not beyond', () => {
    expect(pick(300, 123)).toEqual({ type: 'edge', id: 'a->b' });
    expect(pick(300, 125)).toEqual({ type: 'edge', id: 'a->b' });
    expect(pick(300, 126)).toEqual({ type: 'group', id: 'big' });
    // On a bend and along a vertical segment of the elbow.
    expect(pick(853, 252)).toEqual({ type: 'edge', id: 'b->a' });
    expect(pick(847, 200)).toEqual({ type: 'edge', id: 'b->a' });
    // The tolerance is in world units: the view passes pixels divided by the zoom.
    expect(pick(300, 140, 25)).toEqual({ type: 'edge', id: 'a->b' });
  });

  it('picks the nearest of two edges within the tolerance', () => {
    const near: GraphLayout = { ...layout, edges: { 'a->b': [150, 120, 800, 120], 'b->a': [800, 126, 150, 126] } };
    const idx = buildPickIndex(graph, near);
    expect(pickTopology(idx, 400, 122, 5)).toEqual({ type: 'edge', id: 'a->b' });
    expect(pickTopology(idx, 400, 124, 5)).toEqual({ type: 'edge', id: 'b->a' });
  });

  it('picks the smallest group box containing the point, else nothing', () => {
    expect(pick(420, 320)).toEqual({ type: 'group', id: 'small' });
    expect(pick(20, 400)).toEqual({ type: 'group', id: 'big' });
    expect(pick(1200, 50)).toBeUndefined();
  });

  it('picks the vertex drawn last where boxes overlap', () => {
    const overlapping: GraphLayout = { ...layout, vertices: { ...layout.vertices, b: { x: 80, y: 110, width: 100, height: 40 } } };
    expect(pickTopology(buildPickIndex(graph, overlapping), 100, 120, 5)).toEqual({ type: 'vertex', id: 'b' });
  });

  it('finds every vertex of a laid-out graph at its centre, and every edge at its middle', () => {
    const g = sampleGraph();
    const l = gridLayout(g);
    const idx = buildPickIndex(g, l);
    for (const v of g.vertices) {
      const b = l.vertices[v.id]!;
      expect(pickTopology(idx, b.x + b.width / 2, b.y + b.height / 2, 5)).toEqual({ type: 'vertex', id: v.id });
    }
    for (const e of g.edges) {
      // A point along the edge, one unit off the line, that no vertex box covers.
      const p = l.edges[e.id]!;
      const free = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8].map((f) => pointAlong(p, f)).find((q) => !Object.values(l.vertices).some((b) => contains(b, q.x - q.dy, q.y + q.dx)))!;
      expect(free).toBeDefined();
      expect(pickTopology(idx, free.x - free.dy, free.y + free.dx, 3)).toMatchObject({ type: 'edge' });
    }
  });
});
