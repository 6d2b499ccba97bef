// Whether two shaped graphs need the same layout: the same groups, vertices (with their sizes) and
// edges (with their endpoints), in the same order. Readiness, traffic, dimming and marks do not
// move anything, so a graph that differs only in those is drawn at once on the layout at hand
// instead of waiting for the worker (traffic and readiness change every few seconds).
import type { ShapedGraph } from './contracts.js';

export function sameStructure(a: ShapedGraph, b: ShapedGraph): boolean {
  if (a === b) return true;
  if (a.groups.length !== b.groups.length || a.vertices.length !== b.vertices.length || a.edges.length !== b.edges.length) return false;
  for (let i = 0; i < a.groups.length; i++) {
    const x = a.groups[i]!;
    const y = b.groups[i]!;
    if (x.id !== y.id || x.collapsed !== y.collapsed) return false;
  }
  for (let i = 0; i < a.vertices.length; i++) {
    const x = a.vertices[i]!;
    const y = b.vertices[i]!;
    if (x.id !== y.id || x.group !== y.group || x.width !== y.width || x.height !== y.height) return false;
  }
  for (let i = 0; i < a.edges.length; i++) {
    const x = a.edges[i]!;
    const y = b.edges[i]!;
    if (x.id !== y.id || x.from !== y.from || x.to !== y.to) return false;
  }
  return true;
}
