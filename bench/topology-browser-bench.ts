// The topology view in headless Chromium (software GL, SwiftShader) at 1600×1000, on the real app
// path: a kubeglance server whose one cluster is a FakeSource holding the records of the synthetic
// topology (bench/browser/synthetic-cluster.ts: ~2.5 edges per vertex, with pods on nodes), the
// event stream, the browser's store, derivation, shaping, the layout worker (ELK) and PixiJS.
// Measured, per topology size (default ~200, ~2,000, ~5,000 vertices):
//   1. layout in the browser's worker and the first drawing: the worker's time for the first layout
//      of a fresh page (cold: ELK not yet compiled) and for a full layout later in the same page
//      (warm: the layout cache emptied by showing an empty namespace filter first, then the whole
//      graph again), each as the scene's layoutMs; navigation → the first complete drawing (the
//      whole graph drawn and the view idle, its GL work done); and filter change → drawn for the
//      warm layout. Above COLLAPSE_THRESHOLD the view collapses namespaces by default: the default
//      (collapsed) and, with `expand=` naming every namespace, the whole graph.
//   2. one added workload settles (at BENCH_PAN_SIZE): with the graph drawn and the camera fixed by
//      `cam=`, a Deployment, its Service and an env host naming an existing Service are upserted
//      through the FakeSource; the time from the upsert to the first frame showing the new vertices
//      and edges with the view idle (GL work done), the layout's worker time, and how many of the
//      vertices already there moved on screen, by how much at most. Three places (as in
//      bench/topology-layout-bench.ts), the workload removed again between them.
//   3. frame time while panning that graph (page-probe.js: an arrow key every frame, as
//      bench/browser-bench.ts pans the occupancy view), zoomed to fit and at zoom 1, against the
//      raw WebGL2 full-screen quad of browser-bench (bench/browser/pages/webgl-quad.html) panned
//      the same way in the same run: p50 / p95 and their ratio.
// Waiting happens in the page (bench/browser/topology-probe.js): times are taken there, at the
// animation frame that showed the awaited picture, not when the benchmark's polling noticed. Each
// page is a fresh browser context (a new layout worker); the browser's very first page load is a
// warm-up and not reported.
//
// The web app is dist/web as `npm run build` (or `npm run build:web`) made it, copied first (the
// e2e tests rebuild and delete dist/web while they run).
//
// Run: npm run build && node --expose-gc --import tsx bench/topology-browser-bench.ts
// Env: BENCH_TOPOLOGY_SIZES (200,2000,5000: synthetic vertex counts), BENCH_PAN_SIZE (2000: the size
//      of parts 2 and 3; must be one of the sizes), BENCH_PAN_SECONDS (10 per pan),
//      BENCH_WARM_RUNS (3), BENCH_SETTLE_RUNS (3), BENCH_EXPAND (1: also the expanded graph of sizes
//      that collapse; 0: not), BENCH_WEB_DIR (dist/web).
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ClusterRecord } from '../src/model/records.js';
import { stateOf } from '../src/model/testing/shop.js';
import { deriveTopology, type Topology } from '../src/model/topology.js';
import { COLLAPSE_THRESHOLD, DEFAULT_TOPOLOGY_FILTER, type TopologyFilter } from '../src/web/views/topology/contracts.js';
import { shapeGraph } from '../src/web/views/topology/shape.js';
import { syntheticTopology } from '../src/web/views/topology/testing/synthetic.js';
import { startFakeAppServer, type FakeAppServer } from './browser/fake-app-server.js';
import { addedWorkload, graphDifference, syntheticClusterRecords } from './browser/synthetic-cluster.js';
import { median, percentile } from './support/stats.js';
import { launchBrowser, newPage } from './browser/browser-support.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const HERE = path.join(ROOT, 'bench/browser');
/** Injected in this order: topology-probe.js wraps requestAnimationFrame before page-probe.js takes it. */
const PROBES = [path.join(HERE, 'topology-probe.js'), path.join(HERE, 'page-probe.js')];
const QUAD_PAGE = path.join(HERE, 'pages/webgl-quad.html');
/** The window of browser-bench.ts. */
const WIDTH = 1600;
const HEIGHT = 1000;
const CLUSTER = 'synthetic';

const SIZES = (process.env.BENCH_TOPOLOGY_SIZES ?? '200,2000,5000').split(',').map((s) => Number(s.trim()));
const PAN_SIZE = Number(process.env.BENCH_PAN_SIZE ?? 2000);
const PAN_SECONDS = Number(process.env.BENCH_PAN_SECONDS ?? 10);
const PAN_WARMUP_SECONDS = 1;
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 3);
const SETTLE_RUNS = Number(process.env.BENCH_SETTLE_RUNS ?? 3);
const EXPAND = process.env.BENCH_EXPAND !== '0';
const WEB_DIR = path.resolve(ROOT, process.env.BENCH_WEB_DIR ?? 'dist/web');
/** Where the added workload goes: the nth Service by id, as in topology-layout-bench.ts. */
const SETTLE_PLACES = [0, 101, 202];
/**
 * The topology controller derives at most once a second (DERIVE_INTERVAL_MS): a change is only
 * measured this long after the previous one was drawn, so that it is derived at once, as a single
 * change in a quiet cluster is.
 */
const QUIET_MS = 1_500;
/** A namespace that does not exist: the empty graph that empties the layout cache. */
const NO_NAMESPACE = 'bench-no-such-namespace';

for (const size of SIZES) if (!(size > 0)) throw new Error(`BENCH_TOPOLOGY_SIZES: not a size: ${process.env.BENCH_TOPOLOGY_SIZES}`);
if (!EXPAND && PAN_SIZE > COLLAPSE_THRESHOLD) throw new Error(`BENCH_PAN_SIZE ${PAN_SIZE} collapses by default: it needs BENCH_EXPAND=1`);
if (!SIZES.includes(PAN_SIZE)) throw new Error(`BENCH_PAN_SIZE ${PAN_SIZE} is not one of BENCH_TOPOLOGY_SIZES (${SIZES.join(',')})`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Epoch ms with sub-ms precision: the same clock as the probe's (performance.timeOrigin + performance.now() in the page). */
const epochNow = () => performance.timeOrigin + performance.now();
const loadNote = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;

function log(message: string): void {
  process.stderr.write(`[topology-bench] ${message}\n`);
}

// --- Browser and pages ---------------------------------------------------------------------------


interface ProbedPage {
  page: Page;
  errors: string[];
}

/**
 * Opens `url` with the probes injected. test/support/browser.ts's newPage navigates at once, so it
 * opens `first` (any page) and the page then goes to `url`. `config` becomes
 * window.__topologyBenchConfig (topology-probe.js).
 */
async function openProbed(browser: Browser, first: string, url: string, config: object = {}): Promise<ProbedPage> {
  const { page, errors } = await newPage(browser, first, { width: WIDTH, height: HEIGHT });
  await page.addInitScript({ content: `window.__topologyBenchConfig = ${JSON.stringify(config)};` });
  for (const probe of PROBES) await page.addInitScript({ path: probe });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors };
}

function evaluate<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/** What the view holds now, for messages. */
function viewSummary(page: Page): Promise<string> {
  return evaluate<string>(
    page,
    `(() => { const h = window.__kubeglance; if (!h) return 'no test hook'; const s = h.topology(); return \`\${s.vertices.length} vertices, \${s.edges.length} edges, pending \${s.pending}, idle \${h.topologyIdle()}, layout error \${s.layoutError ?? '-'}\`; })()`,
  ).catch((error: unknown) => String(error));
}

/**
 * Polls an expression in the page until its value is neither undefined, null nor false, and returns
 * it. (Not page.waitForFunction: with a string it compiles the predicate with eval in the page,
 * which kubeglance's CSP forbids.) The times measured are taken in the page, not here.
 */
async function pollPage<T>(page: Page, expression: string, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await evaluate<T | undefined | null | false>(page, expression);
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the view: ${await viewSummary(page)}`);
    await sleep(50);
  }
}

// --- The graphs ----------------------------------------------------------------------------------

interface Counts {
  vertices: number;
  edges: number;
}

interface Graph {
  size: number;
  topology: Topology;
  records: ClusterRecord[];
  namespaces: string[];
  /** The drawn graph of a filter (shaped in Node exactly as the browser shapes it). */
  shaped(filter: Partial<TopologyFilter>): Counts & { groups: number; collapsed: number };
}

function makeGraph(size: number): Graph {
  const topology = syntheticTopology({ vertices: size });
  const records = syntheticClusterRecords(topology);
  // What the browser will derive: the same graph, or the numbers below would be about another one.
  const derived = deriveTopology(stateOf(records));
  const difference = graphDifference(topology, derived);
  if (difference !== '') throw new Error(`the records of the ${size}-vertex synthetic topology derive to another graph: ${difference}`);
  const namespaces = [...new Set(topology.vertices.flatMap((v) => (v.namespace === undefined ? [] : [v.namespace])))].sort();
  return {
    size,
    topology,
    records,
    namespaces,
    shaped(filter) {
      const graph = shapeGraph(derived, { ...DEFAULT_TOPOLOGY_FILTER, ...filter }, undefined);
      return { vertices: graph.vertices.length, edges: graph.edges.length, groups: graph.groups.length, collapsed: graph.groups.filter((g) => g.collapsed).length };
    },
  };
}

interface Camera {
  x: number;
  y: number;
  scale: number;
}

/** The query string of the topology view with a filter. */
function topologySearch(filter: Partial<TopologyFilter> = {}, camera?: Camera): string {
  const parts = ['view=topology'];
  if (filter.namespaces?.length) parts.push(`ns=${filter.namespaces.join(',')}`);
  if (filter.expanded?.length) parts.push(`expand=${filter.expanded.join(',')}`);
  // formatCamera's rounding (url-state.ts): what a shared link holds.
  if (camera) parts.push(`cam=${Math.round(camera.x)},${Math.round(camera.y)},${Number(camera.scale.toPrecision(4))}`);
  return `?${parts.join('&')}`;
}

// --- 1. Layout and first drawing -----------------------------------------------------------------

interface LoadMarks {
  complete: number;
  rastered: number;
  layoutMs: number;
  vertices: number;
  edges: number;
}

interface WarmRun {
  /** Filter change → the whole graph drawn, idle, GL work done. */
  drawnMs: number;
  layoutMs: number;
}

interface LayoutCase {
  label: string;
  size: number;
  expanded: boolean;
  drawn: Counts & { groups: number; collapsed: number };
  cold: LoadMarks & { snapshotApplied: number | undefined };
  warm: WarmRun[];
}

/** Opens the topology view with a filter in a fresh page and waits for its first complete drawing (of `drawn`). */
async function openTopology(browser: Browser, server: FakeAppServer, filter: Partial<TopologyFilter>, drawn: Counts, what: string): Promise<{ probed: ProbedPage; marks: LoadMarks }> {
  const url = new URL(topologySearch(filter), server.url).href;
  const probed = await openProbed(browser, new URL('/healthz', server.url).href, url, { expect: { vertices: drawn.vertices, edges: drawn.edges } });
  const marks = await pollPage<LoadMarks>(probed.page, 'window.__topologyBench.marks.rastered !== undefined && window.__topologyBench.marks', 300_000, `the first complete drawing of ${what}`);
  return { probed, marks };
}

/**
 * Opens the topology view of `graph` in a fresh page (cold worker), waits for the complete drawing,
 * then lays it out again WARM_RUNS times. Returns the page, still open, for the caller to go on.
 */
async function layoutCase(browser: Browser, server: FakeAppServer, graph: Graph, expanded: boolean): Promise<{ result: LayoutCase; probed: ProbedPage; filter: Partial<TopologyFilter> }> {
  const filter: Partial<TopologyFilter> = expanded ? { expanded: graph.namespaces } : {};
  const drawn = graph.shaped(filter);
  const label = `${graph.topology.vertices.length.toLocaleString('en')} vertices${graph.topology.vertices.length > COLLAPSE_THRESHOLD ? (expanded ? ', expanded' : ', collapsed (default)') : ''}`;
  log(`${label}: opening the topology view (${drawn.vertices} vertices, ${drawn.edges} edges drawn)`);
  const search = topologySearch(filter);
  const { probed, marks } = await openTopology(browser, server, filter, drawn, label);
  const { page } = probed;
  const snapshotApplied = await evaluate<number | undefined>(page, `performance.getEntriesByName('kubeglance:snapshot-applied')[0]?.startTime`);
  log(`${label}: drawn at ${marks.rastered.toFixed(0)} ms, cold layout ${marks.layoutMs.toFixed(0)} ms`);

  // Warm: an empty graph empties the worker's layout cache (it keeps only what the last layout
  // used), then the whole graph again is a full layout by an ELK that has run before.
  const empty = graph.shaped({ ...filter, namespaces: [NO_NAMESPACE] });
  const warm: WarmRun[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    await evaluate(page, `window.__topologyBench.watch({ count: ${JSON.stringify({ vertices: empty.vertices, edges: empty.edges })} })`);
    await evaluate(page, `window.__topologyBench.navigate(${JSON.stringify(topologySearch({ ...filter, namespaces: [NO_NAMESPACE] }))})`);
    await pollPage(page, 'window.__topologyBench.watched()', 60_000, 'the empty graph');
    await evaluate(page, `window.__topologyBench.watch({ count: ${JSON.stringify({ vertices: drawn.vertices, edges: drawn.edges })} })`);
    const started = await evaluate<number>(page, `window.__topologyBench.navigate(${JSON.stringify(search)})`);
    const shown = await pollPage<{ at: number; layoutMs: number }>(page, 'window.__topologyBench.watched()', 300_000, `${label} laid out again`);
    warm.push({ drawnMs: shown.at - started, layoutMs: shown.layoutMs });
    log(`${label}: warm layout ${shown.layoutMs.toFixed(0)} ms, drawn ${(shown.at - started).toFixed(0)} ms after the filter change`);
  }
  return { result: { label, size: graph.size, expanded, drawn, cold: { ...marks, snapshotApplied }, warm }, probed, filter };
}

// --- 2. One added workload -----------------------------------------------------------------------

interface Positions {
  camera: Camera;
  view: { width: number; height: number };
  layoutMs: number;
  /** Screen box per vertex id: x, y, w, h. */
  vertices: Record<string, [number, number, number, number]>;
}

interface SettleRun {
  namespace: string;
  /** Upsert on the server → the frame showing the new vertices and edges (idle, GL work done). */
  settleMs: number;
  layoutMs: number;
  existing: number;
  moved: number;
  /** Of the moved vertices, those outside the namespace the workload was added to. */
  movedElsewhere: number;
  /** Largest move, on screen (CSS px) and in layout units (screen px at zoom 1). */
  maxMovePx: number;
  maxMoveWorld: number;
}

function positions(page: Page): Promise<Positions> {
  return evaluate<Positions>(page, 'window.__topologyBench.positions()');
}

/** The namespace of a vertex id (`Kind/namespace/name`; Outside and collapsed namespaces have none that matters here). */
const namespaceOf = (id: string) => id.split('/')[1] ?? '';

async function settleRuns(page: Page, server: FakeAppServer, graph: Graph, filter: Partial<TopologyFilter>, search: string): Promise<SettleRun[]> {
  const base = graph.shaped(filter);
  const runs: SettleRun[] = [];
  for (let i = 0; i < SETTLE_RUNS; i++) {
    const added = addedWorkload(graph.topology, SETTLE_PLACES[i % SETTLE_PLACES.length]! + Math.floor(i / SETTLE_PLACES.length), `bench-added-${i}`);
    await sleep(QUIET_MS);
    const before = await positions(page);
    await evaluate(page, `window.__topologyBench.watch(${JSON.stringify({ vertices: added.vertices, edges: added.edges })})`);
    const started = epochNow();
    server.source.emit(...added.records.map((record) => ({ type: 'upsert' as const, record })));
    const shown = await pollPage<{ at: number; layoutMs: number }>(page, 'window.__topologyBench.watched()', 120_000, `the added workload in ${added.namespace}`);
    const after = await positions(page);
    if (after.camera.x !== before.camera.x || after.camera.y !== before.camera.y || after.camera.scale !== before.camera.scale) throw new Error(`the camera moved (${JSON.stringify(before.camera)} → ${JSON.stringify(after.camera)}): ${search} does not fix it`);
    let moved = 0;
    let movedElsewhere = 0;
    let maxMovePx = 0;
    for (const [id, [x0, y0]] of Object.entries(before.vertices)) {
      const box = after.vertices[id];
      if (box === undefined) continue;
      const distance = Math.hypot(box[0] - x0, box[1] - y0);
      if (distance < 1e-6) continue;
      moved++;
      if (namespaceOf(id) !== added.namespace) movedElsewhere++;
      maxMovePx = Math.max(maxMovePx, distance);
    }
    const run = { namespace: added.namespace, settleMs: shown.at - started, layoutMs: shown.layoutMs, existing: Object.keys(before.vertices).length, moved, movedElsewhere, maxMovePx, maxMoveWorld: maxMovePx / after.camera.scale };
    runs.push(run);
    log(`+ workload in ${run.namespace}: drawn after ${run.settleMs.toFixed(0)} ms (layout ${run.layoutMs.toFixed(0)} ms); ${moved} of ${run.existing} moved, ${movedElsewhere} elsewhere, at most ${maxMovePx.toFixed(1)} px`);

    // Taken away again, so that every run adds to the same graph.
    await sleep(QUIET_MS);
    await evaluate(page, `window.__topologyBench.watch({ count: ${JSON.stringify({ vertices: base.vertices, edges: base.edges })} })`);
    server.source.emit(...added.records.map((record) => ({ type: 'delete' as const, kind: record.kind, uid: record.uid })));
    await pollPage(page, 'window.__topologyBench.watched()', 120_000, 'the added workload gone');
  }
  return runs;
}

// --- 3. Panning ----------------------------------------------------------------------------------

/** What page-probe.js's pan returns (its frame counts and draw times are the occupancy view's: not used here). */
interface PanRaw {
  intervals: number[];
  seconds: number;
}

interface PanResult {
  label: string;
  p50: number;
  p95: number;
  mean: number;
  max: number;
  fps: number;
  samples: number;
  /** Topology frames drawn per animation frame (undefined for the baseline). */
  drawnPerFrame: number | undefined;
  /** JS of the animation frame callbacks per animation frame (the pan step, the view's draw), p50 / p95. */
  jsP50: number;
  jsP95: number;
}

async function pan(page: Page, label: string, topology: boolean): Promise<PanResult> {
  const framesBefore = topology ? await evaluate<number>(page, 'window.__topologyBench.frames()') : 0;
  await evaluate(page, 'window.__topologyBench.startFrameCount()');
  const raw = await evaluate<PanRaw>(page, `window.__bench.pan(${PAN_SECONDS}, ${PAN_WARMUP_SECONDS})`);
  const js = await evaluate<number[]>(page, 'window.__topologyBench.stopFrameCount()');
  const framesAfter = topology ? await evaluate<number>(page, 'window.__topologyBench.frames()') : 0;
  const { intervals } = raw;
  const result: PanResult = {
    label,
    p50: percentile(intervals, 50),
    p95: percentile(intervals, 95),
    mean: intervals.reduce((a, b) => a + b, 0) / intervals.length,
    max: Math.max(...intervals),
    fps: intervals.length / raw.seconds,
    samples: intervals.length,
    // Counted over the whole call, warm-up included, like the animation frames it is divided by.
    drawnPerFrame: topology ? (framesAfter - framesBefore) / js.length : undefined,
    jsP50: percentile(js, 50),
    jsP95: percentile(js, 95),
  };
  log(`${label}: p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms (${result.samples} frames)`);
  return result;
}

/** browser-bench's baseline (a): the raw WebGL2 quad page, served by the browser itself (no server, no CSP). */
async function panQuad(browser: Browser, first: string): Promise<PanResult> {
  const url = 'http://baseline.invalid/webgl-quad.html';
  const { page, errors } = await newPage(browser, first, { width: WIDTH, height: HEIGHT });
  try {
    await page.route(url, (route) => route.fulfill({ path: QUAD_PAGE, contentType: 'text/html; charset=utf-8' }));
    for (const probe of PROBES) await page.addInitScript({ path: probe });
    await page.goto(url, { waitUntil: 'load' });
    await pollPage(page, 'window.__ready === true', 60_000, 'the WebGL2 quad page');
    await sleep(500);
    const result = await pan(page, 'raw WebGL2 full-screen quad (browser-bench baseline a)', false);
    if (errors.length > 0) log(`page errors in the quad page: ${errors.join('; ')}`);
    return result;
  } finally {
    await page.close();
  }
}

/** Panning the drawn graph: at the camera it has (about the fit), then at zoom 1 on its centre (labels drawn). */
async function panTopology(page: Page, filter: Partial<TopologyFilter>, fit: Positions): Promise<PanResult[]> {
  const results = [await pan(page, `topology, ${fit.camera.scale.toFixed(3)}× (whole graph in view)`, true)];
  const centre = { x: (fit.view.width / 2 - fit.camera.x) / fit.camera.scale, y: (fit.view.height / 2 - fit.camera.y) / fit.camera.scale };
  const zoomed = { scale: 1, x: fit.view.width / 2 - centre.x, y: fit.view.height / 2 - centre.y };
  await evaluate(page, `window.__topologyBench.navigate(${JSON.stringify(topologySearch(filter, zoomed))})`);
  await sleep(1_000); // the camera settles and the cached picture is redrawn at the new zoom
  results.push(await pan(page, 'topology, 1× (names readable)', true));
  return results;
}

// --- Report --------------------------------------------------------------------------------------

const ms = (v: number) => `${v.toFixed(0)} ms`;

function printLayoutTable(cases: LayoutCase[]): void {
  process.stdout.write(`\n### 1. Layout in the browser's worker, first drawing\n\n`);
  process.stdout.write(`| graph (synthetic) | drawn: vertices / edges / groups | cold layout (worker) | navigation → complete drawing | of which snapshot applied at | warm layout (worker), median of ${WARM_RUNS} | filter change → drawn (warm) |\n`);
  process.stdout.write('|---|---|---|---|---|---|---|\n');
  for (const c of cases) {
    const warmLayout = c.warm.length > 0 ? ms(median(c.warm.map((w) => w.layoutMs))) : '–';
    const warmDrawn = c.warm.length > 0 ? ms(median(c.warm.map((w) => w.drawnMs))) : '–';
    const drawn = `${c.drawn.vertices} / ${c.drawn.edges} / ${c.drawn.groups}${c.drawn.collapsed > 0 ? ` (${c.drawn.collapsed} collapsed)` : ''}`;
    const applied = c.cold.snapshotApplied === undefined ? '–' : ms(c.cold.snapshotApplied);
    process.stdout.write(`| ${c.label} | ${drawn} | ${ms(c.cold.layoutMs)} | ${ms(c.cold.rastered)} | ${applied} | ${warmLayout} | ${warmDrawn} |\n`);
  }
}

function printSettleTable(size: string, runs: SettleRun[]): void {
  process.stdout.write(`\n### 2. One added workload (Deployment + Service + env host) settles, ${size}, camera fixed\n\n`);
  process.stdout.write('| added in namespace | upsert → drawn (incl. the hub\'s 150 ms batch) | layout (worker) | existing vertices moved on screen | of them in other namespaces | largest move (screen px / layout px) |\n');
  process.stdout.write('|---|---|---|---|---|---|\n');
  for (const r of runs) {
    process.stdout.write(`| ${r.namespace} | ${ms(r.settleMs)} | ${ms(r.layoutMs)} | ${r.moved} of ${r.existing} | ${r.movedElsewhere} | ${r.maxMovePx.toFixed(1)} / ${r.maxMoveWorld.toFixed(0)} |\n`);
  }
  if (runs.length > 1) {
    process.stdout.write(`| median | ${ms(median(runs.map((r) => r.settleMs)))} | ${ms(median(runs.map((r) => r.layoutMs)))} | ${median(runs.map((r) => r.moved))} | ${median(runs.map((r) => r.movedElsewhere))} | ${median(runs.map((r) => r.maxMovePx)).toFixed(1)} / ${median(runs.map((r) => r.maxMoveWorld)).toFixed(0)} |\n`);
  }
}

function printPanTable(size: string, results: PanResult[], quad: PanResult): void {
  process.stdout.write(`\n### 3. Frame time while panning (an arrow key every frame, ${PAN_SECONDS} s each), ${size}\n\n`);
  process.stdout.write('| page | p50 | p95 | mean / max | fps | topology frames per animation frame | JS per frame p50 / p95 | ÷ quad p50 / p95 |\n');
  process.stdout.write('|---|---|---|---|---|---|---|---|\n');
  for (const r of [quad, ...results]) {
    const ratio = r === quad ? '1 / 1' : `${(r.p50 / quad.p50).toFixed(2)}× / ${(r.p95 / quad.p95).toFixed(2)}×`;
    const drawn = r.drawnPerFrame === undefined ? '–' : r.drawnPerFrame.toFixed(2);
    process.stdout.write(`| ${r.label} | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.mean.toFixed(1)} / ${r.max.toFixed(0)} ms | ${r.fps.toFixed(1)} | ${drawn} | ${r.jsP50.toFixed(1)} / ${r.jsP95.toFixed(1)} ms | ${ratio} |\n`);
  }
}

// --- Main ----------------------------------------------------------------------------------------

for (const file of ['index.html', 'assets/app.js', 'assets/layout-worker.js']) {
  if (!existsSync(path.join(WEB_DIR, file))) throw new Error(`${path.join(WEB_DIR, file)} is missing: run \`npm run build\` (or \`npm run build:web\`) first`);
}
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-topology-bench-'));
const webRoot = path.join(tmp, 'web');
cpSync(WEB_DIR, webRoot, { recursive: true });

const startedAt = performance.now();
const loadAtStart = loadNote();
const browser = await launchBrowser();
const layoutCases: LayoutCase[] = [];
let settle: SettleRun[] = [];
let pans: PanResult[] = [];
let quad: PanResult | undefined;
let panLabel = '';
try {
  for (const [i, size] of SIZES.entries()) {
    const graph = makeGraph(size);
    const server = await startFakeAppServer(webRoot, CLUSTER, graph.records);
    try {
      if (i === 0) {
        // The first page of a fresh browser also pays for starting its GPU process (SwiftShader)
        // and network service, which a user's browser did long before: one load, not measured.
        log('warming up the browser (one page load, not measured)');
        const { probed } = await openTopology(browser, server, {}, graph.shaped({}), 'the warm-up page');
        await probed.page.close();
      }
      const collapses = graph.shaped({}).collapsed > 0;
      for (const expanded of collapses && EXPAND ? [false, true] : [false]) {
        const { result, probed, filter } = await layoutCase(browser, server, graph, expanded);
        layoutCases.push(result);
        try {
          // Parts 2 and 3 on the graph with every vertex drawn (expanded, if it collapses by default).
          if (size === PAN_SIZE && expanded === collapses) {
            panLabel = `${result.drawn.vertices.toLocaleString('en')} vertices, ${result.drawn.edges.toLocaleString('en')} edges drawn`;
            // Fix the camera where "zoom to fit" put it, shifted a little: a camera equal to the fit
            // would leave the view fitting (it refits when the layout's bounds change).
            const fit = await positions(probed.page);
            const fixed = topologySearch(filter, { ...fit.camera, x: fit.camera.x + 8 });
            await evaluate(probed.page, `window.__topologyBench.navigate(${JSON.stringify(fixed)})`);
            await sleep(1_000);
            settle = await settleRuns(probed.page, server, graph, filter, fixed);
            pans = await panTopology(probed.page, filter, await positions(probed.page));
            quad = await panQuad(browser, new URL('/healthz', server.url).href);
          }
          if (probed.errors.length > 0) log(`page errors: ${probed.errors.join('; ')}`);
        } finally {
          await probed.page.close();
        }
      }
    } finally {
      await server.stop();
    }
  }

  process.stdout.write(`\n## kubeglance topology view in headless Chromium ${browser.version()} (SwiftShader WebGL), ${WIDTH}×${HEIGHT}\n\n`);
  process.stdout.write(`${os.cpus().length} CPUs; ${loadAtStart} at the start, ${loadNote()} at the end; ${((performance.now() - startedAt) / 1000).toFixed(0)} s in all\n`);
  printLayoutTable(layoutCases);
  if (settle.length > 0) printSettleTable(panLabel, settle);
  if (quad !== undefined) printPanTable(panLabel, pans, quad);
  const out = path.join(ROOT, '.artifacts/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'topology-browser-bench.json'), JSON.stringify({ width: WIDTH, height: HEIGHT, panSeconds: PAN_SECONDS, cpus: os.cpus().length, loadAverage: os.loadavg(), layout: layoutCases, settle, pan: pans, quad }, null, 2));
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}
