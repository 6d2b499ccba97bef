import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPOLOGY_FILTER, type Box, type GraphLayout, type ShapedEdge, type ShapedGraph, type ShapedVertex } from './contracts.js';
import { createLayoutService, ELK_BUDGET, GROUP_HEADER, GROUP_PADDING, layoutGraph, straightEdge, type LayoutState } from './layout.js';
import { NAMESPACE_VERTEX_HEIGHT, NAMESPACE_VERTEX_WIDTH, shapeGraph, VERTEX_HEIGHT, VERTEX_WIDTH } from './shape.js';
import { syntheticTopology, withAddedWorkload } from './testing/synthetic.js';

const realElk = new ELK();

/** ELK that records the vertex ids of each block it is asked to lay out. */
function recordingElk() {
  const calls: string[][][] = [];
  return {
    calls,
    layout<T extends ElkNode>(graph: T) {
      calls.push((graph.children ?? []).map((block) => (block.children ?? []).map((v) => v.id)));
      return realElk.layout(graph);
    },
  };
}

// Small graphs built by hand: vertices `${group}/${name}`, edges with their declared types.
function v(group: string, name: string, size: [number, number] = [VERTEX_WIDTH, VERTEX_HEIGHT]): ShapedVertex {
  return { id: `Deployment/${group}/${name}`, kind: 'Deployment', name, group, dim: false, width: size[0], height: size[1] };
}
function e(from: ShapedVertex, to: ShapedVertex, types: ShapedEdge['types'] = ['config']): ShapedEdge {
  return { id: `${from.id}->${to.id}`, from: from.id, to: to.id, types, edges: [], evidence: 'declared', dim: false };
}
function graphOf(vertices: ShapedVertex[], edges: ShapedEdge[]): ShapedGraph {
  const groups = [...new Set(vertices.map((x) => x.group))].sort().map((id) => ({ id, label: id, collapsed: false, counts: {} }));
  return { groups, vertices, edges };
}

const within = (inner: Box, outer: Box) => inner.x >= outer.x - 1e-6 && inner.y >= outer.y - 1e-6 && inner.x + inner.width <= outer.x + outer.width + 1e-6 && inner.y + inner.height <= outer.y + outer.height + 1e-6;
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
/** Whether a point lies on the border of a box (within half a pixel). */
const onBorder = (x: number, y: number, b: Box) => {
  const inOuter = x >= b.x - 0.5 && x <= b.x + b.width + 0.5 && y >= b.y - 0.5 && y <= b.y + b.height + 0.5;
  const inInner = x > b.x + 0.5 && x < b.x + b.width - 0.5 && y > b.y + 0.5 && y < b.y + b.height - 0.5;
  return inOuter && !inInner;
};

function expectSound(graph: ShapedGraph, layout: GraphLayout): void {
  const boxes = Object.entries(layout.vertices);
  expect(boxes).toHaveLength(graph.vertices.length);
  for (const vertex of graph.vertices) {
    const box = layout.vertices[vertex.id] as Box;
    expect([box.width, box.height]).toEqual([vertex.width, vertex.height]);
    const group = layout.groups[vertex.group] as Box;
    const content = { x: group.x + GROUP_PADDING, y: group.y + GROUP_HEADER, width: group.width - 2 * GROUP_PADDING, height: group.height - GROUP_HEADER - GROUP_PADDING };
    expect(within(box, content), `${vertex.id} inside its group`).toBe(true);
  }
  // Sorted by x, so that only neighbours in x need comparing.
  const sorted = boxes.map(([, b]) => b).sort((a, b) => a.x - b.x);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && (sorted[j] as Box).x < (sorted[i] as Box).x + (sorted[i] as Box).width; j++) {
      expect(overlap(sorted[i] as Box, sorted[j] as Box)).toBe(false);
    }
  }
  const groups = Object.values(layout.groups);
  for (const [i, a] of groups.entries()) for (const b of groups.slice(i + 1)) expect(overlap(a, b)).toBe(false);
  for (const g of groups) expect(g.x + g.width <= layout.width + 1e-6 && g.y + g.height <= layout.height + 1e-6).toBe(true);
  for (const edge of graph.edges) {
    const points = layout.edges[edge.id] as number[];
    expect(points.length, edge.id).toBeGreaterThanOrEqual(4);
    expect(points.length % 2).toBe(0);
    expect(onBorder(points[0] as number, points[1] as number, layout.vertices[edge.from] as Box), `${edge.id} starts at its source`).toBe(true);
    expect(onBorder(points.at(-2) as number, points.at(-1) as number, layout.vertices[edge.to] as Box), `${edge.id} ends at its target`).toBe(true);
  }
  expect(layout.ms).toBeGreaterThan(0);
}

describe('layoutGraph', () => {
  it('places every vertex at its size inside its group, nothing overlapping, every edge from border to border', async () => {
    const graph = shapeGraph(syntheticTopology({ vertices: 300, seed: 5 }), DEFAULT_TOPOLOGY_FILTER, undefined);
    const layout = await layoutGraph(realElk, graph);
    expectSound(graph, layout);
    expect(Object.keys(layout.groups).sort()).toEqual(graph.groups.map((g) => g.id));
  });

  it('draws edges between groups as one straight segment', async () => {
    const a = v('a', 'x');
    const b = v('b', 'y');
    const graph = graphOf([a, b], [e(a, b)]);
    const layout = await layoutGraph(realElk, graph);
    expect(layout.edges[e(a, b).id]).toEqual(straightEdge(layout.vertices[a.id] as Box, layout.vertices[b.id] as Box));
    expect(layout.edges[e(a, b).id]).toHaveLength(4);
  });

  it('routes edges inside a group with ELK, left to right', async () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => v('ns', n)) as [ShapedVertex, ShapedVertex, ShapedVertex, ShapedVertex];
    const graph = graphOf([a, b, c, d], [e(a, b), e(a, c), e(b, d), e(c, d)]);
    const layout = await layoutGraph(realElk, graph);
    expectSound(graph, layout);
    const x = (id: string) => (layout.vertices[id] as Box).x;
    expect(x(a.id)).toBeLessThan(x(b.id));
    expect(x(b.id)).toBeLessThan(x(d.id));
    // a → b and a → c leave a on different rows: at least one of them bends.
    expect(Math.max((layout.edges[e(a, b).id] as number[]).length, (layout.edges[e(a, c).id] as number[]).length)).toBeGreaterThan(4);
  });

  it('packs a namespace of 200 unconnected workloads into a block, not a column', async () => {
    const vertices = Array.from({ length: 200 }, (_, i) => v('big', `w-${String(i).padStart(3, '0')}`));
    const layout = await layoutGraph(realElk, graphOf(vertices, []));
    const box = layout.groups.big as Box;
    expect(box.width / box.height).toBeGreaterThan(0.8);
    expect(box.width / box.height).toBeLessThan(4);
    // Rows in id order: the first vertices share the top row.
    expect((layout.vertices[vertices[1]!.id] as Box).y).toBe((layout.vertices[vertices[0]!.id] as Box).y);
  });

  it('draws a collapsed namespace as one box in its group', async () => {
    const graph = shapeGraph(syntheticTopology({ vertices: 300, seed: 5 }), DEFAULT_TOPOLOGY_FILTER, undefined, { collapseThreshold: 10 });
    const collapsed = graph.groups.filter((g) => g.collapsed);
    expect(collapsed.length).toBeGreaterThan(0);
    const layout = await layoutGraph(realElk, graph);
    expectSound(graph, layout);
    for (const g of collapsed) {
      const box = layout.vertices[`Namespace/${g.id}`] as Box;
      expect([box.width, box.height]).toEqual([NAMESPACE_VERTEX_WIDTH, NAMESPACE_VERTEX_HEIGHT]);
      expect(layout.groups[g.id]).toEqual({ x: box.x - GROUP_PADDING, y: box.y - GROUP_HEADER, width: box.width + 2 * GROUP_PADDING, height: box.height + GROUP_HEADER + GROUP_PADDING });
    }
  });

  it('lays out an over-budget component along its backbone, other edges straight', async () => {
    // One Service per workload (selects), and every workload configured to call the next three.
    const workloads = Array.from({ length: ELK_BUDGET.vertices }, (_, i) => v('dense', `w-${String(i).padStart(2, '0')}`));
    const services = workloads.map((w) => ({ ...w, id: `Service/dense/${w.name}`, kind: 'Service' as const }));
    const edges = [
      ...workloads.map((w, i) => e(services[i] as ShapedVertex, w, ['selects'])),
      ...workloads.flatMap((w, i) => [1, 2, 3].map((k) => e(w, services[(i + k) % services.length] as ShapedVertex))),
    ];
    const graph = graphOf([...workloads, ...services], edges);
    const elk = recordingElk();
    const layout = await layoutGraph(elk, graph);
    expectSound(graph, layout);
    // Every block is a Service and its workload, laid out without ELK; the config edges are straight.
    expect(elk.calls).toEqual([]);
    for (const edge of edges) expect(layout.edges[edge.id]).toHaveLength(4);
    const service = layout.vertices[services[0]!.id] as Box;
    const workload = layout.vertices[workloads[0]!.id] as Box;
    expect(service.y).toBe(workload.y);
    expect(service.x).toBeLessThan(workload.x);
  });

  it('keeps a component whole a little over the budget, and split a little under it (hysteresis)', async () => {
    // A Service per workload and two config edges per workload: exactly at the budget.
    const half = ELK_BUDGET.vertices / 2;
    const workloads = Array.from({ length: half }, (_, i) => v('app', `w-${String(i).padStart(2, '0')}`));
    const services = workloads.map((w) => ({ ...w, id: `Service/app/${w.name}`, kind: 'Service' as const }));
    const edges = [
      ...workloads.map((w, i) => e(services[i] as ShapedVertex, w, ['selects'])),
      ...workloads.flatMap((w, i) => [1, 2].map((k) => e(w, services[(i + k) % half] as ShapedVertex))),
    ];
    expect(edges.length).toBeLessThanOrEqual(ELK_BUDGET.edges);
    const atBudget = graphOf([...workloads, ...services], edges);
    const extra = v('app', 'extra');
    const overBudget = graphOf([...workloads, ...services, extra], [...edges, e(extra, services[0] as ShapedVertex)]);
    const blockSizes = (elk: ReturnType<typeof recordingElk>) => elk.calls.flatMap((call) => call.map((block) => block.length));

    const whole = recordingElk();
    const first = await layoutGraph(whole, atBudget);
    expect(blockSizes(whole)).toEqual([ELK_BUDGET.vertices]);
    const grown = recordingElk();
    await layoutGraph(grown, overBudget, first);
    expect(blockSizes(grown)).toEqual([ELK_BUDGET.vertices + 1]);

    // Laid out afresh, the bigger graph is over the budget: Service–workload pairs, no ELK.
    const fresh = recordingElk();
    const split = await layoutGraph(fresh, overBudget);
    expect(blockSizes(fresh)).toEqual([]);
    const shrunk = recordingElk();
    await layoutGraph(shrunk, atBudget, split);
    expect(blockSizes(shrunk)).toEqual([]);
  });

  it('gives the same layout for the same graph', async () => {
    const graph = shapeGraph(syntheticTopology({ vertices: 250, seed: 8 }), DEFAULT_TOPOLOGY_FILTER, undefined);
    const a = await layoutGraph(realElk, graph);
    const b = await layoutGraph(realElk, graph);
    expect(b.vertices).toEqual(a.vertices);
    expect(b.edges).toEqual(a.edges);
    expect(b.groups).toEqual(a.groups);
  });
});

describe('layoutGraph: stability', () => {
  // Three namespaces, each a chain block of three and two single workloads.
  function small(extra: (vertices: ShapedVertex[], edges: ShapedEdge[]) => void = () => {}): ShapedGraph {
    const vertices: ShapedVertex[] = [];
    const edges: ShapedEdge[] = [];
    for (const ns of ['a', 'b', 'c']) {
      const [x, y, z] = ['x', 'y', 'z'].map((n) => v(ns, n)) as [ShapedVertex, ShapedVertex, ShapedVertex];
      vertices.push(x, y, z, v(ns, 'p'), v(ns, 'q'));
      edges.push(e(x, y), e(y, z));
    }
    extra(vertices, edges);
    return graphOf(vertices, edges);
  }

  it('reuses an unchanged layout as it is, without ELK', async () => {
    const graph = small();
    const first = await layoutGraph(realElk, graph);
    const elk = recordingElk();
    const second = await layoutGraph(elk, structuredClone(graph), first);
    expect(elk.calls).toEqual([]);
    expect(second.vertices).toEqual(first.vertices);
    expect(second.edges).toEqual(first.edges);
    // Whole groups are taken over, not packed again from cached blocks.
    for (const [id, group] of first.cache.groups) expect(second.cache.groups.get(id)).toBe(group);
  });

  it('sends only the changed block to ELK and moves nothing in other groups', async () => {
    const first = await layoutGraph(realElk, small());
    const added = v('b', 'w');
    const graph = small((vertices, edges) => {
      vertices.push(added);
      edges.push(e(vertices.find((x) => x.id === 'Deployment/b/z') as ShapedVertex, added));
    });
    const elk = recordingElk();
    const second = await layoutGraph(elk, graph, first);
    expect(elk.calls).toEqual([[['Deployment/b/w', 'Deployment/b/x', 'Deployment/b/y', 'Deployment/b/z']]]);
    expectSound(graph, second);
    for (const [id, box] of Object.entries(first.vertices)) if (!id.includes('/b/')) expect(second.vertices[id], id).toEqual(box);
    expect(second.groups.a).toEqual(first.groups.a);
    expect(second.cache.groups.get('a')).toBe(first.cache.groups.get('a'));
    expect(second.cache.groups.get('b')).not.toBe(first.cache.groups.get('b'));
  });

  it('keeps block layouts cached while their group is reused whole', async () => {
    const first = await layoutGraph(realElk, small());
    // c changes while b does not; then b changes (a new single workload): b's chain comes from the cache.
    const second = await layoutGraph(realElk, small((vertices) => vertices.push(v('c', 'new'))), first);
    const elk = recordingElk();
    const third = await layoutGraph(elk, small((vertices) => vertices.push(v('c', 'new'), v('b', 'new'))), second);
    expect(elk.calls).toEqual([]);
    expect(third.vertices['Deployment/b/x']).toEqual(second.vertices['Deployment/b/x']);
  });

  it('lets other groups move only when a group outgrows its slot, and never overlap', async () => {
    const first = await layoutGraph(realElk, small());
    const grown = small((vertices) => {
      for (let i = 0; i < 60; i++) vertices.push(v('a', `more-${i}`));
    });
    const second = await layoutGraph(realElk, grown, first);
    expectSound(grown, second);
    expect(second.groups.a!.width * second.groups.a!.height).toBeGreaterThan(first.groups.a!.width * first.groups.a!.height * 2);
  });

  it('adding one workload to a 2,000-vertex graph moves nothing in other groups and little in its own', { timeout: 180_000 }, async () => {
    const topology = syntheticTopology({ vertices: 2000 });
    const noCollapse = { collapseThreshold: Infinity };
    const before = await layoutGraph(realElk, shapeGraph(topology, DEFAULT_TOPOLOGY_FILTER, undefined, noCollapse));
    let sameGroup = 0;
    let unmovedInGroup = 0;
    let slotsKept = 0;
    const additions = [0, 51, 102, 153, 204];
    for (const nth of additions) {
      const { topology: changed, added } = withAddedWorkload(topology, nth);
      const graph = shapeGraph(changed, DEFAULT_TOPOLOGY_FILTER, undefined, noCollapse);
      const after: LayoutState = await layoutGraph(realElk, graph, before);
      expect(after.vertices[added.id]).toBeDefined();
      const group = added.namespace as string;
      const slotKept = sameBox(after.cache.packing?.slots.get(group), before.cache.packing?.slots.get(group));
      if (slotKept) slotsKept++;
      for (const [id, box] of Object.entries(before.vertices)) {
        const now = after.vertices[id] as Box;
        if (id.split('/')[1] === group) {
          sameGroup++;
          if (now.x === box.x && now.y === box.y) unmovedInGroup++;
        } else if (slotKept) {
          expect(now, `${id} (added to ${group})`).toEqual(box);
        }
      }
    }
    // The slack of a slot absorbs one more workload.
    expect(slotsKept).toBe(additions.length);
    expect(unmovedInGroup / sameGroup).toBeGreaterThan(0.8);
  });
});

function sameBox(a: Box | undefined, b: Box | undefined): boolean {
  return a !== undefined && b !== undefined && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

describe('createLayoutService', () => {
  it('answers each request with its layout, reusing the last one', async () => {
    const elk = recordingElk();
    const layout = createLayoutService(elk);
    const graph = shapeGraph(syntheticTopology({ vertices: 120, seed: 2 }), DEFAULT_TOPOLOGY_FILTER, undefined);
    const [one, two] = await Promise.all([layout({ id: 1, graph }), layout({ id: 2, graph })]);
    expect(one.id).toBe(1);
    expect(two.id).toBe(2);
    if (!('layout' in one) || !('layout' in two)) throw new Error('expected layouts');
    expect(two.layout.vertices).toEqual(one.layout.vertices);
    expect(elk.calls).toHaveLength(1);
    // Only GraphLayout crosses the worker boundary, not the cache.
    expect(Object.keys(one.layout).sort()).toEqual(['edges', 'groups', 'height', 'ms', 'vertices', 'width']);
  });

  it('answers a failed layout with its error and keeps going', async () => {
    let fail = true;
    const layout = createLayoutService({
      layout<T extends ElkNode>(graph: T) {
        return fail ? Promise.reject(new Error('ELK exploded')) : realElk.layout(graph);
      },
    });
    const [a, b] = [v('ns', 'a'), v('ns', 'b')];
    const graph = graphOf([a, b, v('ns', 'c')], [e(a, b), e(b, a)]);
    expect(await layout({ id: 7, graph })).toEqual({ id: 7, error: 'ELK exploded' });
    fail = false;
    const next = await layout({ id: 8, graph });
    expect('layout' in next && Object.keys(next.layout.vertices)).toHaveLength(3);
  });
});
