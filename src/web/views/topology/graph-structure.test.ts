import { describe, expect, it } from 'vitest';
import { sameStructure } from './graph-structure.js';
import { sampleGraph } from './testing/drawing-fixtures.js';

describe('sameStructure', () => {
  const graph = sampleGraph();

  it('ignores what does not move anything: readiness, traffic, dimming, marks', () => {
    const changed = sampleGraph();
    changed.vertices[3] = { ...changed.vertices[3]!, ready: 0, dim: true, defaultDeny: true };
    changed.edges[1] = { ...changed.edges[1]!, traffic: { requestRate: 9000 }, quiet: true, denied: true, dim: true };
    expect(sameStructure(graph, changed)).toBe(true);
  });

  it('sees added, removed, renamed, resized or regrouped vertices', () => {
    const added = sampleGraph();
    added.vertices.push({ ...added.vertices[1]!, id: 'Ingress/shop/other' });
    expect(sameStructure(graph, added)).toBe(false);
    const resized = sampleGraph();
    resized.vertices[2] = { ...resized.vertices[2]!, width: 300 };
    expect(sameStructure(graph, resized)).toBe(false);
    const moved = sampleGraph();
    moved.vertices[2] = { ...moved.vertices[2]!, group: 'data' };
    expect(sameStructure(graph, moved)).toBe(false);
  });

  it('sees changed edges and groups', () => {
    const rewired = sampleGraph();
    rewired.edges[0] = { ...rewired.edges[0]!, to: 'Service/shop/cart' };
    expect(sameStructure(graph, rewired)).toBe(false);
    const expanded = sampleGraph();
    expanded.groups[2] = { ...expanded.groups[2]!, collapsed: false };
    expect(sameStructure(graph, expanded)).toBe(false);
    const fewer = sampleGraph();
    fewer.edges.pop();
    expect(sameStructure(graph, fewer)).toBe(false);
  });
});
