// What is under a point of the topology view: a vertex box first (they are drawn on top), then the
// nearest edge within a few screen pixels of its polyline, then the smallest group box. Boxes and
// edge bounds are collected once per layout; a pick is a scan (a few thousand rectangle tests and
// the segments of the few edges whose bounds are near: well under a millisecond).
import type { Box, GraphLayout, ShapedGraph } from './contracts.js';
import { contains, distanceToPolyline, polylineBounds, type Polyline } from './geometry.js';

export interface TopologyPick {
  type: 'vertex' | 'edge' | 'group';
  id: string;
}

/** Edges are picked within this many screen pixels of their line. */
export const EDGE_PICK_PIXELS = 5;

export interface PickIndex {
  /** In drawing order: a later vertex is drawn over an earlier one, so it is tested first. */
  vertices: { id: string; box: Box }[];
  edges: { id: string; points: Polyline; bounds: Box }[];
  groups: { id: string; box: Box }[];
}

export function buildPickIndex(graph: ShapedGraph, layout: GraphLayout): PickIndex {
  const vertices: PickIndex['vertices'] = [];
  for (const v of graph.vertices) {
    const box = layout.vertices[v.id];
    if (box !== undefined) vertices.push({ id: v.id, box });
  }
  vertices.reverse();
  const edges: PickIndex['edges'] = [];
  for (const e of graph.edges) {
    const points = layout.edges[e.id];
    if (points !== undefined && points.length >= 4) edges.push({ id: e.id, points, bounds: polylineBounds(points) });
  }
  const groups: PickIndex['groups'] = [];
  for (const g of graph.groups) {
    const box = layout.groups[g.id];
    if (box !== undefined) groups.push({ id: g.id, box });
  }
  return { vertices, edges, groups };
}

/** What is at world point (x, y); `tolerance` is the edge distance in world units. */
export function pickTopology(index: PickIndex, x: number, y: number, tolerance: number): TopologyPick | undefined {
  for (const v of index.vertices) if (contains(v.box, x, y)) return { type: 'vertex', id: v.id };
  let edge: string | undefined;
  let best = tolerance;
  for (const e of index.edges) {
    const b = e.bounds;
    if (x < b.x - best || x > b.x + b.width + best || y < b.y - best || y > b.y + b.height + best) continue;
    const d = distanceToPolyline(e.points, x, y);
    if (d <= best) {
      best = d;
      edge = e.id;
    }
  }
  if (edge !== undefined) return { type: 'edge', id: edge };
  let group: { id: string; area: number } | undefined;
  for (const g of index.groups) {
    if (!contains(g.box, x, y)) continue;
    const area = g.box.width * g.box.height;
    if (group === undefined || area < group.area) group = { id: g.id, area };
  }
  return group === undefined ? undefined : { type: 'group', id: group.id };
}
