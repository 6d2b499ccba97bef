// Topology layout in a worker: how long the layout of a shaped graph takes, and how one added
// workload settles. The graph is the deterministic synthetic topology (src/web/views/topology/
// testing/synthetic.ts) at each size, shaped with no filters and no collapsing (the worst case:
// every vertex laid out). The layout runs where it runs in the browser, off the main thread: a
// node:worker_threads worker running the same layout service (layout.ts, createLayoutService) as
// the browser's layout worker, with one ELK instance (elk.bundled.js, which lays out on the
// worker's own thread).
//
// Per size:
//   1. cold: the first layout in a fresh worker (ELK's code not yet compiled by V8);
//   2. warm: median of 3 more full layouts (the layout cache emptied before each, ELK warm);
//   3. one added workload settles: with the layout of the graph in the worker's cache, the graph
//      with one more workload (withAddedWorkload, 3 different places, back to the base graph in
//      between) is posted; the time until its layout arrives, how many of the existing vertices
//      moved, how many of those are in other groups, the largest displacement, and how far the
//      added workload landed from the Service it calls (centre to centre, the largest of the 3).
// Times are wall times from posting to receiving (what the page waits for); "worker" is the time
// layoutGraph itself reported. The machine's load average is printed: on a busy machine the
// times grow, the moved counts do not.
//
// Run: node --import tsx bench/topology-layout-bench.ts [sizes…]     (default 200 2000 5000)
import os from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import ELK from 'elkjs/lib/elk.bundled.js';
import { DEFAULT_TOPOLOGY_FILTER, type Box, type GraphLayout, type LayoutRequest, type LayoutResponse, type ShapedGraph } from '../src/web/views/topology/contracts.js';
import { createLayoutService } from '../src/web/views/topology/layout.js';
import { shapeGraph } from '../src/web/views/topology/shape.js';
import { syntheticTopology, withAddedWorkload } from '../src/web/views/topology/testing/synthetic.js';
import { median, report } from './support/stats.js';

/** The bench's envelope around the layout worker's own request: `fresh` empties the layout cache. */
interface BenchRequest {
  fresh: boolean;
  request: LayoutRequest;
}

interface Timed {
  layout: GraphLayout;
  wallMs: number;
}

class LayoutThread {
  // In Node 20 `execArgv: ['--import', 'tsx']` leaves a worker unable to load .ts files (its hooks
  // do not reach the worker's imports), so the entry is a line of JavaScript that loads this file
  // through tsx's API instead.
  private readonly worker = new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}))`, { eval: true });
  private nextId = 1;

  post(graph: ShapedGraph, fresh: boolean): Promise<Timed> {
    const id = this.nextId++;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const onMessage = (response: LayoutResponse) => {
        if (response.id !== id) return;
        this.worker.off('message', onMessage);
        if ('error' in response) reject(new Error(response.error));
        else resolve({ layout: response.layout, wallMs: performance.now() - started });
      };
      this.worker.on('message', onMessage);
      this.worker.postMessage({ fresh, request: { id, graph } } satisfies BenchRequest);
    });
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

interface Row {
  size: number;
  vertices: number;
  edges: number;
  groups: number;
  shapeMs: number;
  coldMs: number;
  coldWorkerMs: number;
  warmMs: number;
  warmWorkerMs: number;
  settleMs: number;
  settleWorkerMs: number;
  moved: string;
  movedOther: number;
  maxMove: number;
  maxAddedDistance: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const sizes = args.length > 0 ? args : [200, 2000, 5000];
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stdout.write(`topology layout in a worker thread; ${os.cpus().length} CPUs, load average ${load}\n\n`);
  const rows: Row[] = [];
  for (const size of sizes) rows.push(await measure(size));
  process.stdout.write('\n| vertices (edges, groups) | shape | cold layout | warm layout (median of 3) | one added workload settles | existing vertices moved | of them in other groups | largest move | added workload to its Service |\n');
  process.stdout.write('|---|---|---|---|---|---|---|---|---|\n');
  for (const r of rows) {
    process.stdout.write(
      `| ${r.vertices} (${r.edges}, ${r.groups}) | ${r.shapeMs.toFixed(1)} ms | ${r.coldMs.toFixed(0)} ms (worker ${r.coldWorkerMs.toFixed(0)}) | ${r.warmMs.toFixed(0)} ms (worker ${r.warmWorkerMs.toFixed(0)}) | ${r.settleMs.toFixed(0)} ms (worker ${r.settleWorkerMs.toFixed(0)}) | ${r.moved} | ${r.movedOther} | ${r.maxMove.toFixed(0)} px | ${r.maxAddedDistance.toFixed(0)} px |\n`,
    );
  }
}

async function measure(size: number): Promise<Row> {
  const topology = syntheticTopology({ vertices: size });
  const shapeStarted = performance.now();
  const graph = shapeGraph(topology, DEFAULT_TOPOLOGY_FILTER, undefined, { collapseThreshold: Infinity });
  const shapeMs = performance.now() - shapeStarted;
  const label = `${graph.vertices.length} vertices`;

  const thread = new LayoutThread();
  const cold = await thread.post(graph, true);
  const warm: Timed[] = [];
  for (let i = 0; i < 3; i++) warm.push(await thread.post(graph, true));
  report(`${label}: cold layout (worker)`, `${cold.wallMs.toFixed(0)} ms`, `(${cold.layout.ms.toFixed(0)} ms in layoutGraph)`);
  const warmMs = median(warm.map((w) => w.wallMs));
  const warmWorkerMs = median(warm.map((w) => w.layout.ms));
  report(`${label}: warm layout, median of 3`, `${warmMs.toFixed(0)} ms`, `(${warmWorkerMs.toFixed(0)} ms in layoutGraph)`);

  // The worker's cache now holds the base graph's layout (the last request).
  const base = (warm.at(-1) as Timed).layout;
  const groupOf = new Map(graph.vertices.map((v) => [v.id, v.group]));
  const settles: Timed[] = [];
  const movedCounts: number[] = [];
  let movedOther = 0;
  let maxMove = 0;
  let maxAddedDistance = 0;
  for (const nth of [0, 101, 202]) {
    const { topology: changed, added } = withAddedWorkload(topology, nth);
    const settled = await thread.post(shapeGraph(changed, DEFAULT_TOPOLOGY_FILTER, undefined, { collapseThreshold: Infinity }), false);
    settles.push(settled);
    let moved = 0;
    for (const [id, before] of Object.entries(base.vertices)) {
      const after = settled.layout.vertices[id] as Box;
      const distance = Math.hypot(after.x - before.x, after.y - before.y);
      if (distance === 0) continue;
      moved++;
      maxMove = Math.max(maxMove, distance);
      if (groupOf.get(id) !== added.namespace) movedOther++;
    }
    movedCounts.push(moved);
    const call = changed.edges.find((e) => e.from === added.id) as { to: string };
    const [a, s] = [settled.layout.vertices[added.id] as Box, settled.layout.vertices[call.to] as Box];
    maxAddedDistance = Math.max(maxAddedDistance, Math.hypot(a.x + a.width / 2 - (s.x + s.width / 2), a.y + a.height / 2 - (s.y + s.height / 2)));
    report(`${label}: + ${added.id}`, `${settled.wallMs.toFixed(0)} ms`, `${moved} of ${graph.vertices.length} moved`);
    await thread.post(graph, false); // back to the base graph (and its layout) for the next one
  }
  await thread.stop();
  return {
    size,
    vertices: graph.vertices.length,
    edges: graph.edges.length,
    groups: graph.groups.length,
    shapeMs,
    coldMs: cold.wallMs,
    coldWorkerMs: cold.layout.ms,
    warmMs,
    warmWorkerMs,
    settleMs: median(settles.map((s) => s.wallMs)),
    settleWorkerMs: median(settles.map((s) => s.layout.ms)),
    moved: movedCounts.join(' / '),
    movedOther,
    maxMove,
    maxAddedDistance,
  };
}

// Last, after the declarations above: the same file is the main program and the worker.
if (!isMainThread) {
  // elk.bundled.js is CommonJS: in Node its default export is the module, whose `default` is ELK.
  const elk = new ELK.default();
  let layout = createLayoutService(elk);
  parentPort?.on('message', async ({ fresh, request }: BenchRequest) => {
    if (fresh) layout = createLayoutService(elk);
    parentPort?.postMessage(await layout(request));
  });
} else {
  await main();
}
