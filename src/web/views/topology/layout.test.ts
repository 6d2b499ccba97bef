import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPOLOGY_FILTER, type Box, type GraphLayout, type ShapedEdge, type ShapedGraph, type ShapedVertex } from './contracts.js';
import type { Topology } from '../../../model/topology.js';
import { BLOCK_LAYOUT_OPTIONS, createLayoutService, ELK_BUDGET, GROUP_GAP, GROUP_HEADER, GROUP_PADDING, INCREMENTAL_LIMIT, layoutGraph, straightEdge, type LayoutState } from './layout.js';
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
    // One more workload: the component stays whole, the workload placed into it without ELK.
    const grown = recordingElk();
    const second = await layoutGraph(grown, overBudget, first);
    expect(blockSizes(grown)).toEqual([]);
    expect(second.cache.groups.get('app')?.whole.has(extra.id)).toBe(true);
    for (const [id, box] of Object.entries(first.vertices)) expect(second.vertices[id], id).toEqual(box);

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

  it('places a vertex added to a block next to its neighbour, without ELK, moving nothing', async () => {
    const first = await layoutGraph(realElk, small());
    const added = v('b', 'w');
    const z = v('b', 'z');
    const graph = small((vertices, edges) => {
      vertices.push(added);
      edges.push(e(z, added));
    });
    const elk = recordingElk();
    const second = await layoutGraph(elk, graph, first);
    expect(elk.calls).toEqual([]);
    expectSound(graph, second);
    for (const [id, box] of Object.entries(first.vertices)) expect(second.vertices[id], id).toEqual(box);
    // In the layer right of z (ELK's spacing between layers), level with it; the edge straight.
    const [w, zBox] = [second.vertices[added.id] as Box, second.vertices[z.id] as Box];
    expect([w.x, w.y]).toEqual([zBox.x + VERTEX_WIDTH + Number(BLOCK_LAYOUT_OPTIONS['elk.layered.spacing.nodeNodeBetweenLayers']), zBox.y]);
    expect(second.edges[e(z, added).id]).toHaveLength(4);
    // ELK's routes of the chain stay.
    expect(second.edges[e(v('b', 'x'), v('b', 'y')).id]).toEqual(first.edges[e(v('b', 'x'), v('b', 'y')).id]);
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

  it('adding one workload to a 2,000-vertex graph moves no existing vertex, in any group, without ELK', { timeout: 300_000 }, async () => {
    const noCollapse = { collapseThreshold: Infinity };
    let additions = 0;
    for (const seed of [1, 3]) {
      const topology = syntheticTopology({ vertices: 2000, seed });
      const before = await layoutGraph(realElk, shapeGraph(topology, DEFAULT_TOPOLOGY_FILTER, undefined, noCollapse));
      // Places spread over the graph, and the first Services of its densest block (the biggest laid out whole by ELK).
      const services = topology.vertices.filter((x) => x.kind === 'Service').map((x) => x.id);
      const densest = [...before.cache.groups.values()].flatMap((g) => g.blocks).filter((b) => b.mode === 'whole').sort((a, b) => b.vertices.length - a.vertices.length)[0];
      expect(densest?.vertices.length).toBeGreaterThan(ELK_BUDGET.vertices * 0.7);
      const intoDensest = densest!.vertices.filter((id) => id.startsWith('Service/')).slice(0, 3).map((id) => services.indexOf(id));
      for (const nth of [0, 51, 102, 153, 204, ...intoDensest]) {
        const { topology: changed, added } = withAddedWorkload(topology, nth);
        const graph = shapeGraph(changed, DEFAULT_TOPOLOGY_FILTER, undefined, noCollapse);
        const elk = recordingElk();
        const after: LayoutState = await layoutGraph(elk, graph, before);
        additions++;
        expect(elk.calls, added.id).toEqual([]);
        for (const [id, box] of Object.entries(before.vertices)) expect(after.vertices[id], `${id} (added to ${added.namespace})`).toEqual(box);
        for (const [id, box] of Object.entries(before.groups)) if (id !== added.namespace) expect(after.groups[id], id).toEqual(box);
        // Overlapping no other box, inside its group; its edge from border to border.
        expectSound(graph, after);
        if (intoDensest.includes(nth)) expect(densest!.vertices.every((id) => after.cache.groups.get(added.namespace as string)!.whole.has(id))).toBe(true);
      }
    }
    expect(additions).toBe(16);
  });

  it('removing vertices keeps every other vertex where it was, without ELK', { timeout: 120_000 }, async () => {
    const noCollapse = { collapseThreshold: Infinity };
    const topology = syntheticTopology({ vertices: 2000, seed: 3 });
    const before = await layoutGraph(realElk, shapeGraph(topology, DEFAULT_TOPOLOGY_FILTER, undefined, noCollapse));
    const densest = [...before.cache.groups.values()].flatMap((g) => g.blocks).filter((b) => b.mode === 'whole').sort((a, b) => b.vertices.length - a.vertices.length)[0]!;
    // A workload, a Service (its block may fall apart: the parts stay), and a workload of a namespace laid out on its backbone.
    const split = [...before.cache.groups.values()].flatMap((g) => g.blocks).find((b) => b.mode === 'split' && b.vertices.length > 2)!;
    const removals = [densest.vertices.find((id) => !id.startsWith('Service/'))!, densest.vertices.find((id) => id.startsWith('Service/'))!, split.vertices.find((id) => id.startsWith('Deployment/'))!];
    for (const removed of removals) {
      const graph = shapeGraph(withoutVertex(topology, removed), DEFAULT_TOPOLOGY_FILTER, undefined, noCollapse);
      const elk = recordingElk();
      const after = await layoutGraph(elk, graph, before);
      expect(elk.calls).toEqual([]);
      expect(after.vertices[removed]).toBeUndefined();
      for (const [id, box] of Object.entries(before.vertices)) if (id !== removed) expect(after.vertices[id], `${id} (${removed} removed)`).toEqual(box);
      expectSound(graph, after);
    }
  });
});

describe('layoutGraph: incremental changes and their limit', () => {
  // One namespace: a chain a00 → a01 → … (one ELK block) and single workloads s00, s01, ….
  function chainGroup(length: number, singles: number) {
    const chain = Array.from({ length }, (_, i) => v('ns', `a${String(i).padStart(2, '0')}`));
    const vertices = [...chain, ...Array.from({ length: singles }, (_, i) => v('ns', `s${String(i).padStart(2, '0')}`))];
    const edges = chain.slice(1).map((x, i) => e(chain[i] as ShapedVertex, x));
    return { chain, vertices, edges };
  }
  /** Positions relative to the first vertex: the shape of a block wherever it is. */
  const shape = (layout: GraphLayout, ids: readonly string[]) => {
    const origin = layout.vertices[ids[0] as string] as Box;
    return ids.map((id) => [(layout.vertices[id] as Box).x - origin.x, (layout.vertices[id] as Box).y - origin.y].map((n) => Math.round(n * 1000) / 1000));
  };

  it(`lays a block out afresh once its changes exceed ${INCREMENTAL_LIMIT.share * 100}% of it (at least ${INCREMENTAL_LIMIT.atLeast}), not before`, async () => {
    const { chain, vertices, edges } = chainGroup(8, 20);
    const singles = vertices.filter((x) => x.name.startsWith('s')).map((x) => x.id);
    let state = await layoutGraph(realElk, graphOf(vertices, edges));
    const added: ShapedVertex[] = [];
    // Each step adds one workload called by a chain vertex. 1 and 2 changes in a block of 9, 10: placed; 3 in 11: laid out afresh.
    for (const [step, from] of [chain[7], chain[3], chain[0]].entries()) {
      const b = v('ns', `b${step}`);
      added.push(b);
      edges.push(e(from as ShapedVertex, b));
      const graph = graphOf([...vertices, ...added], edges);
      const elk = recordingElk();
      const next = await layoutGraph(elk, graph, state);
      expectSound(graph, next);
      const blockIds = [...chain, ...added].map((x) => x.id);
      if (step < 2) {
        expect(elk.calls, `step ${step}`).toEqual([]);
        for (const [id, box] of Object.entries(state.vertices)) expect(next.vertices[id], id).toEqual(box);
      } else {
        expect(elk.calls).toEqual([[blockIds.sort()]]);
        // Quality recovers: the block as ELK lays it out from scratch.
        const fresh = await layoutGraph(realElk, graph);
        expect(shape(next, blockIds)).toEqual(shape(fresh, blockIds));
        // The rest of the group stays.
        for (const id of singles) expect(next.vertices[id], id).toEqual(state.vertices[id]);
      }
      state = next;
    }
  });

  it('keeps the positions of a block that only lost vertices, however far it drifted', async () => {
    const { chain, vertices, edges } = chainGroup(16, 30);
    const first = await layoutGraph(realElk, graphOf(vertices, edges));
    // Four workloads at once into a block of 16 (limit 5 of 20): placed incrementally.
    const added = [12, 13, 14, 15].map((i) => [chain[i] as ShapedVertex, v('ns', `b${i}`)] as const);
    const grownEdges = [...edges, ...added.map(([from, b]) => e(from, b))];
    const grownVertices = [...vertices, ...added.map(([, b]) => b)];
    const elk = recordingElk();
    const grown = await layoutGraph(elk, graphOf(grownVertices, grownEdges), first);
    expect(elk.calls).toEqual([]);
    // Half the chain goes: 4 changes in a block of 12 is over the limit (3), but nothing was gained.
    const gone = new Set(chain.slice(0, 8).map((x) => x.id));
    const shrunk = graphOf(grownVertices.filter((x) => !gone.has(x.id)), grownEdges.filter((x) => !gone.has(x.from) && !gone.has(x.to)));
    const shrinking = recordingElk();
    const after = await layoutGraph(shrinking, shrunk, grown);
    expect(shrinking.calls).toEqual([]);
    for (const x of shrunk.vertices) expect(after.vertices[x.id], x.id).toEqual(grown.vertices[x.id]);
    expectSound(shrunk, after);
    // One more workload into it: gained, and over the limit: laid out afresh.
    const last = v('ns', 'b-last');
    const regrown = graphOf([...shrunk.vertices, last], [...shrunk.edges, e(chain[8] as ShapedVertex, last)]);
    const again = recordingElk();
    expectSound(regrown, await layoutGraph(again, regrown, after));
    expect(again.calls.flat().map((block) => block.length)).toEqual([8 + 4 + 1]);
  });

  it('keeps both blocks in place when an edge joins them, and lays them out together when the smaller is big', async () => {
    const { chain, vertices, edges } = chainGroup(8, 10);
    const [p, q] = [v('ns', 'p'), v('ns', 'q')];
    const others = Array.from({ length: 4 }, (_, i) => v('ns', `c${i}`));
    const base = graphOf([...vertices, p, q, ...others], [...edges, e(p, q), ...others.slice(1).map((x, i) => e(others[i] as ShapedVertex, x))]);
    const first = await layoutGraph(realElk, base);
    // The pair joins the chain: 2 changes (p and q) in a block of 10: nothing moves, the joining edge gets a simple route.
    const joined = graphOf(base.vertices, [...base.edges, e(chain[7] as ShapedVertex, p)]);
    const elk = recordingElk();
    const second = await layoutGraph(elk, joined, first);
    expect(elk.calls).toEqual([]);
    for (const [id, box] of Object.entries(first.vertices)) expect(second.vertices[id], id).toEqual(box);
    expect((second.edges[e(chain[7] as ShapedVertex, p).id] as number[]).length).toBeLessThanOrEqual(6);
    expectSound(joined, second);
    // The chain of four joins as well: 6 changes in a block of 14: laid out afresh, as one block.
    const all = graphOf(base.vertices, [...joined.edges, e(chain[0] as ShapedVertex, others[0] as ShapedVertex)]);
    const merging = recordingElk();
    const third = await layoutGraph(merging, all, second);
    expect(merging.calls.flat().map((block) => block.length)).toEqual([14]);
    expectSound(all, third);
  });

  it('lets a group that outgrows its slot grow into the room its shelf has, moving no other group', async () => {
    // Groups a, c, d (tall: a star of ten) and b (short: two workloads); a and b on one shelf: b may grow down to a's height.
    const tall = ['a', 'c', 'd'].flatMap((ns) => Array.from({ length: 10 }, (_, i) => v(ns, `t${i}`)));
    const tallEdges = tall.filter((x) => x.name !== 't0').map((x) => e(v(x.group, 't0'), x));
    const short = [v('b', 'x'), v('b', 'y')];
    const base = graphOf([...tall, ...short], tallEdges);
    const first = await layoutGraph(realElk, base);
    expect(first.cache.packing?.shelves[0]).toEqual(['a', 'b']);
    const slot = first.cache.packing?.slots.get('b') as Box;
    const more = [v('b', 'z'), v('b', 'zz')];
    const grown = graphOf([...base.vertices, ...more], base.edges);
    const second = await layoutGraph(realElk, grown, first);
    expectSound(grown, second);
    const box = second.groups.b as Box;
    expect(box.height + GROUP_GAP).toBeGreaterThan(slot.height);
    for (const id of ['a', 'c', 'd']) expect(second.groups[id], id).toEqual(first.groups[id]);
    for (const [id, b] of Object.entries(first.vertices)) expect(second.vertices[id], id).toEqual(b);
  });
});

/** The topology without one vertex and its edges. */
function withoutVertex(topology: Topology, id: string): Topology {
  return { ...topology, vertices: topology.vertices.filter((x) => x.id !== id), edges: topology.edges.filter((x) => x.from !== id && x.to !== id) };
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
