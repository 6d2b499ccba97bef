// kubeglance in the browser: headless Chromium (software GL, SwiftShader) at 1600×1000 showing
// the simulated cluster at each size, measuring:
//   1. time to first complete frame: navigation start → the first draw after which the snapshot
//      is applied and the view is idle
//      (its GL work done: a one-pixel readPixels after the draw waits for SwiftShader's raster)
//   2. frame time p50 / p95 while panning every frame with ≈500 pod changes/s arriving, as the
//      interval between animation frame callbacks, and as a ratio to two baselines measured in the
//      same run at the same size: (a) a raw WebGL2 page drawing a full-screen quad per frame,
//      (b) a naive PixiJS page with a ParticleContainer of one particle per pod
//      (goals at 150,000 pods: ≤ 2× (a), ≥ 4× faster than (b)); also the CPU time of all Chromium
//      processes per frame, which unlike the frame time does not depend on how busy the machine is
//   3. page JS heap after GC, after load and after 30 simulated minutes of churn (goal: < 10% growth)
//   4. snapshot bytes per pod on the wire (CDP encodedDataLength, in the encoding the page gets;
//      and gzip-only, fetched from Node) and uncompressed
//   5. an idle screen: main-thread busy time (CDP TaskDuration), Chromium CPU and frames drawn
//      over 10 s, with churn off (goal: 0 frames, near-zero CPU) and with the size's default churn
//
// The server is bench/browser/app-server.ts (the kubeglance server and flags, serving a web build
// of the benchmark's own); the baseline pages are bench/browser/pages/; page-probe.js is injected
// into every page and does the in-page timing.
//
// Run: node --expose-gc --import tsx bench/browser-bench.ts
// Env: BENCH_SIZES (medium,large,xl), BENCH_PAN_SECONDS (10), BENCH_IDLE_SECONDS (10),
//      BENCH_LOADS (3, page loads for the first-frame time), BENCH_CHURN (changes/s for ≈500 pod
//      changes/s: one number, or size=n,…), BENCH_HEAP_MINUTES (30 simulated minutes),
//      BENCH_HEAP_MAX_SECONDS (240, wall-time cap of the heap run per size),
//      BENCH_PARTS (load,idle,pan,heap)
//
// The demo has no time acceleration: "30 simulated minutes" is the number of churn operations
// 30 minutes at the size's default rate start (SIZES[size].churnPerSecond × 1,800), delivered at
// the faster pan rate; when that would take longer than BENCH_HEAP_MAX_SECONDS, fewer simulated
// minutes are run and reported as such.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { SIZES, type SimulatedSize } from '../src/sources/simulated/index.js';
import { formatKinds, StreamCounter, type StreamCounts } from './browser/stream-counter.js';
import { mib, percentile, report } from './support/stats.js';
import { launchBrowser, newPage } from './browser/browser-support.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const HERE = path.join(ROOT, 'bench/browser');
const PROBE = path.join(HERE, 'page-probe.js');
const WIDTH = 1600;
const HEIGHT = 1000;

const SIZE_LIST = (process.env.BENCH_SIZES ?? 'medium,large,xl').split(',').map((s) => s.trim()) as SimulatedSize[];
const PAN_SECONDS = Number(process.env.BENCH_PAN_SECONDS ?? 10);
const PAN_WARMUP_SECONDS = 1;
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const LOADS = Number(process.env.BENCH_LOADS ?? 3);
const HEAP_MINUTES = Number(process.env.BENCH_HEAP_MINUTES ?? 30);
const HEAP_MAX_SECONDS = Number(process.env.BENCH_HEAP_MAX_SECONDS ?? 240);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'load,idle,pan,heap').split(','));
/**
 * Churn operations per second that give about 500 pod changes per second on the stream (after
 * the hub's coalescing). An operation changes more pods the larger the cluster (scaling steps
 * and rollouts grow with the deployments): measured at about 2.1, 4.5 and 9 pod changes per
 * operation at medium, large and xl. The rate actually seen is measured and reported.
 */
const CHURN_FOR_500: Record<SimulatedSize, number> = { small: 250, medium: 240, large: 110, xl: 55 };

for (const size of SIZE_LIST) if (!(size in SIZES)) throw new Error(`BENCH_SIZES: unknown size "${size}"`);

function churnFor(size: SimulatedSize): number {
  const setting = process.env.BENCH_CHURN?.trim();
  if (setting === undefined || setting === '') return CHURN_FOR_500[size];
  if (/^\d+(\.\d+)?$/.test(setting)) return Number(setting);
  for (const part of setting.split(',')) {
    const [name, value] = part.split('=');
    if (name?.trim() === size && value !== undefined) return Number(value);
  }
  return CHURN_FOR_500[size];
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- Browser support -------------------------------------------------------------------------


interface ProbedPage {
  page: Page;
  cdp: CDPSession;
  errors: string[];
  snapshot: SnapshotTransfer;
  close(): Promise<void>;
}

interface SnapshotTransfer {
  requestId?: string;
  contentEncoding?: string;
  /** Bytes of the response headers as received. */
  headerBytes: number;
  /** Bytes on the wire for the whole response (headers and encoded body), at loadingFinished. */
  wireBytes: number;
  /** Body bytes after decoding. */
  bodyBytes: number;
  finished: boolean;
}

/**
 * Opens `url` at 1600×1000 with the probe injected and a CDP session attached before the
 * navigation (so that the snapshot request is seen). test/support/browser.ts's newPage navigates
 * at once, so it opens `first` (any page of the same server) and the page then goes to `url`.
 */
async function openProbed(browser: Browser, first: string, url: string): Promise<ProbedPage> {
  const { page, errors } = await newPage(browser, first, { width: WIDTH, height: HEIGHT });
  await page.addInitScript({ path: PROBE });
  const cdp = await page.context().newCDPSession(page);
  const snapshot: SnapshotTransfer = { headerBytes: 0, wireBytes: 0, bodyBytes: 0, finished: false };
  cdp.on('Network.responseReceived', (event) => {
    if (snapshot.requestId !== undefined || !event.response.url.includes('/api/v1/snapshot')) return;
    snapshot.requestId = event.requestId;
    snapshot.headerBytes = event.response.encodedDataLength;
    const headers = Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    snapshot.contentEncoding = headers['content-encoding'] ?? 'identity';
  });
  cdp.on('Network.dataReceived', (event) => {
    if (event.requestId === snapshot.requestId) snapshot.bodyBytes += event.dataLength;
  });
  cdp.on('Network.loadingFinished', (event) => {
    if (event.requestId !== snapshot.requestId) return;
    snapshot.wireBytes = event.encodedDataLength;
    snapshot.finished = true;
  });
  // No body buffering for DevTools: the xl snapshot is tens of megabytes.
  await cdp.send('Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
  await cdp.send('Performance.enable');
  await page.goto(url, { waitUntil: 'load' });
  return {
    page,
    cdp,
    errors,
    snapshot,
    async close() {
      await cdp.detach().catch(() => {});
      await page.close();
    },
  };
}

/** Used JS heap of the page after garbage collection (CDP HeapProfiler.collectGarbage). */
async function pageHeap(cdp: CDPSession): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    await sleep(100);
  }
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

/** Seconds the renderer's main thread has been busy (CDP Performance TaskDuration). */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
}

interface HookStats {
  frames: number;
  lastFrameMs: number;
  layouts: number;
  boxes: number;
  cells: number;
  seq: number | undefined;
  snapshotChars: number;
}

interface PageStream {
  deltas: number;
  deltaChars: number;
  /** Snapshot frames on the stream: the server resent everything (a client too slow for the deltas, or one too far behind). */
  snapshots: number;
  snapshotChars: number;
  snapshotAt: number[];
}

function pageStream(page: Page): Promise<PageStream> {
  return page.evaluate('window.__bench.stream') as Promise<PageStream>;
}

/** A note when the page got snapshot frames on its stream since `before`. */
function resyncNote(before: PageStream, after: PageStream): string {
  const n = after.snapshots - before.snapshots;
  return n === 0 ? '' : `; the page fell behind: ${n} snapshot frame(s) on its stream (${mib(after.snapshotChars - before.snapshotChars)} of JSON)`;
}

function appStats(page: Page): Promise<HookStats> {
  return page.evaluate('window.__kubeglance.stats()') as Promise<HookStats>;
}

/**
 * Polls a JavaScript expression in the page until it is true. (Not page.waitForFunction: with a
 * string it compiles the predicate with eval inside the page, which kubeglance's CSP forbids.)
 */
async function waitForExpression(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const started = performance.now();
  while (!(await page.evaluate(expression))) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await sleep(100);
  }
}

function waitIdle(page: Page, timeoutMs = 120_000): Promise<void> {
  return waitForExpression(page, 'window.__kubeglance !== undefined && window.__kubeglance.idle()', timeoutMs);
}

// --- CPU of every Chromium process, from /proc ----------------------------------------------

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

interface ChromiumCpu {
  total: number;
  gpu: number;
  renderer: number;
}

/** CPU seconds used so far by the browser's processes (children of this process other than node ones). */
function chromiumCpu(): ChromiumCpu {
  const processes = new Map<number, { ppid: number; comm: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      processes.set(Number(entry), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // gone meanwhile
    }
  }
  const cpu: ChromiumCpu = { total: 0, gpu: 0, renderer: 0 };
  const inBrowser = (pid: number): boolean => {
    for (let p = pid, depth = 0; depth < 10; depth++) {
      const info = processes.get(p);
      if (info === undefined) return false;
      if (info.comm === 'node' || info.comm.startsWith('esbuild')) return false;
      if (info.ppid === process.pid) return true;
      p = info.ppid;
    }
    return false;
  };
  for (const [pid, info] of processes) {
    if (!inBrowser(pid)) continue;
    const seconds = info.ticks / CLOCK_TICKS;
    cpu.total += seconds;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // gone meanwhile
    }
    if (cmdline.includes('--type=gpu-process')) cpu.gpu += seconds;
    else if (cmdline.includes('--type=renderer')) cpu.renderer += seconds;
  }
  return cpu;
}

function cpuDelta(from: ChromiumCpu, to: ChromiumCpu, seconds: number): ChromiumCpu {
  return { total: (to.total - from.total) / seconds, gpu: (to.gpu - from.gpu) / seconds, renderer: (to.renderer - from.renderer) / seconds };
}

// --- Builds and servers ------------------------------------------------------------------------

/**
 * The browser app built into `dir` as scripts/build-web.mjs builds it into dist/web (which the
 * e2e tests rebuild and delete while they run, so the benchmark has its own copy).
 */
async function buildWebApp(dir: string): Promise<void> {
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { app: path.join(ROOT, 'src/web/main.ts') },
    outdir: path.join(dir, 'assets'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    tsconfig: path.join(ROOT, 'tsconfig.web.json'),
    logLevel: 'warning',
  });
  copyFileSync(path.join(ROOT, 'src/web/index.html'), path.join(dir, 'index.html'));
  copyFileSync(path.join(ROOT, 'src/web/styles.css'), path.join(dir, 'assets/app.css'));
}

/** The baseline pages, bundled into `dir` and served from 127.0.0.1 (no CSP). Returns the base URL. */
async function serveBaselines(dir: string): Promise<{ url: string; close(): void }> {
  mkdirSync(dir, { recursive: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(HERE, 'pages/pixi-particles.js')],
    outfile: path.join(dir, 'pixi-particles.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    logLevel: 'warning',
  });
  copyFileSync(path.join(HERE, 'pages/webgl-quad.html'), path.join(dir, 'webgl-quad.html'));
  writeFileSync(path.join(dir, 'pixi-particles.html'), '<!doctype html><meta charset="utf-8"><title>pixi particles</title><script type="module" src="pixi-particles.js"></script><body></body>');
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>baselines</title>');
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  const server = http.createServer((request, response) => {
    const name = new URL(request.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    if (name === 'favicon.ico') return void response.writeHead(204).end();
    if (!/^[\w.-]+$/.test(name)) return void response.writeHead(404).end();
    try {
      const body = readFileSync(path.join(dir, name));
      response.writeHead(200, { 'content-type': types[path.extname(name)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

interface AppServer {
  url: string;
  /** Process start → the cluster is live (generation and initial sync of the simulated cluster). */
  liveMs: number;
  stop(): Promise<void>;
}

/** bench/browser/app-server.ts as a child process (the same flags and server as `kubeglance`). */
async function startAppServer(webRoot: string, size: SimulatedSize, churn: number | undefined): Promise<AppServer> {
  const args = [`--demo=${size}`, ...(churn === undefined ? [] : [`--demo-churn=${churn}`])];
  log(`starting kubeglance ${args.join(' ')}`);
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'app-server.ts'), '--web-root', webRoot, ...args], {
    cwd: ROOT,
    env: { ...process.env, KUBEGLANCE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /kubeglance listening on (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error('the kubeglance server exited before listening')));
  });
  for (;;) {
    const list = (await (await fetch(new URL('/api/v1/clusters', url))).json()) as { status: { phase: string } }[];
    if (list.length > 0 && list.every((c) => c.status.phase === 'live')) break;
    if (performance.now() - started > 600_000) throw new Error('the simulated cluster was not live within 10 minutes');
    await sleep(100);
  }
  return {
    url,
    liveMs: performance.now() - started,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// --- Measurements ------------------------------------------------------------------------------

interface PanRaw {
  intervals: number[];
  drawMs: number[];
  callbacks: number;
  frames: number;
  allFrames: number;
  seconds: number;
}

interface PanResult {
  p50: number;
  p95: number;
  mean: number;
  max: number;
  fps: number;
  /** Frames the page drew per animation frame callback (kubeglance: its own draws). */
  drawnPerCallback: number;
  /** JS time of kubeglance's draw calls, p50 and p95 (NaN for baselines). */
  drawP50: number;
  drawP95: number;
  /** Renderer main thread busy, seconds per second. */
  mainBusy: number;
  cpu: ChromiumCpu;
  /** CPU time of all Chromium processes, and of the GPU process (SwiftShader), per frame drawn: independent of how busy the machine is. */
  cpuPerFrameMs: number;
  gpuPerFrameMs: number;
  samples: number;
  wallSeconds: number;
}

async function pan(probed: ProbedPage): Promise<PanResult> {
  const cpu0 = chromiumCpu();
  const task0 = await taskSeconds(probed.cdp);
  const started = performance.now();
  const raw = (await probed.page.evaluate(`window.__bench.pan(${PAN_SECONDS}, ${PAN_WARMUP_SECONDS})`)) as PanRaw;
  const wallSeconds = (performance.now() - started) / 1000;
  const task1 = await taskSeconds(probed.cdp);
  const cpu1 = chromiumCpu();
  const { intervals } = raw;
  return {
    p50: percentile(intervals, 50),
    p95: percentile(intervals, 95),
    mean: intervals.reduce((a, b) => a + b, 0) / intervals.length,
    max: Math.max(...intervals),
    fps: intervals.length / raw.seconds,
    drawnPerCallback: raw.frames / raw.callbacks,
    drawP50: raw.drawMs.length ? percentile(raw.drawMs, 50) : Number.NaN,
    drawP95: raw.drawMs.length ? percentile(raw.drawMs, 95) : Number.NaN,
    mainBusy: (task1 - task0) / wallSeconds,
    cpu: cpuDelta(cpu0, cpu1, wallSeconds),
    cpuPerFrameMs: ((cpu1.total - cpu0.total) * 1000) / raw.allFrames,
    gpuPerFrameMs: ((cpu1.gpu - cpu0.gpu) * 1000) / raw.allFrames,
    samples: intervals.length,
    wallSeconds,
  };
}

async function panBaseline(browser: Browser, baselines: string, page: string): Promise<PanResult> {
  const probed = await openProbed(browser, baselines, new URL(page, baselines).href);
  try {
    await waitForExpression(probed.page, 'window.__ready === true', 300_000);
    await sleep(500);
    const result = await pan(probed);
    if (probed.errors.length > 0) log(`page errors in ${page}: ${probed.errors.join('; ')}`);
    return result;
  } finally {
    await probed.close();
  }
}

interface LoadResult {
  /** ms since navigation start: the first draw after which the picture was complete and the view idle, its GL work done. */
  rasteredMs: number;
  /** …when that draw call returned (GL commands queued, not yet executed). */
  completeMs: number;
  /** …and the animation frame after it. */
  nextFrameMs: number;
  firstDrawMs: number;
  /** JS time of the complete draw. */
  completeDrawMs: number;
  snapshotRequestMs: number;
  snapshotResponseEndMs: number;
  /** The app's own performance marks (kubeglance:snapshot-received, …), ms since navigation start. */
  marks: Record<string, number>;
  /** The occupancy canvas in device pixels. */
  canvas: [number, number];
}

interface Marks {
  firstDraw: number;
  complete: number;
  rastered: number;
  completeDrawMs: number;
  nextFrame: number;
}

async function openApp(browser: Browser, url: string): Promise<{ probed: ProbedPage; load: LoadResult }> {
  const probed = await openProbed(browser, new URL('/healthz', url).href, url);
  await waitForExpression(probed.page, 'window.__bench.marks.nextFrame !== undefined', 600_000);
  const marks = (await probed.page.evaluate('window.__bench.marks')) as Marks;
  const timing = (await probed.page.evaluate(
    `(() => { const e = performance.getEntriesByType('resource').find((r) => r.name.includes('/api/v1/snapshot')); return e ? { start: e.startTime, end: e.responseEnd } : { start: NaN, end: NaN }; })()`,
  )) as { start: number; end: number };
  const canvas = (await probed.page.evaluate(`(() => { const c = document.querySelector('canvas'); return c ? [c.width, c.height] : [0, 0]; })()`)) as [number, number];
  const appMarks = (await probed.page.evaluate(`Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))`)) as Record<string, number>;
  return {
    probed,
    load: {
      rasteredMs: marks.rastered,
      completeMs: marks.complete,
      nextFrameMs: marks.nextFrame,
      firstDrawMs: marks.firstDraw,
      completeDrawMs: marks.completeDrawMs,
      snapshotRequestMs: timing.start,
      snapshotResponseEndMs: timing.end,
      marks: appMarks,
      canvas,
    },
  };
}

interface IdleResult {
  frames: number;
  /** Delta messages the page received meanwhile. */
  deltas: number;
  resync: string;
  mainBusy: number;
  cpu: ChromiumCpu;
  stream: StreamCounts;
  seconds: number;
}

/** An untouched screen for IDLE_SECONDS: frames drawn, CPU, and what arrived on the stream meanwhile. */
async function idle(probed: ProbedPage, url: string): Promise<IdleResult> {
  await waitIdle(probed.page);
  await sleep(2_000);
  const counter = new StreamCounter(url);
  const before = await appStats(probed.page);
  const streamBefore = await pageStream(probed.page);
  await counter.connect(before.seq!);
  const task0 = await taskSeconds(probed.cdp);
  const cpu0 = chromiumCpu();
  const started = performance.now();
  await sleep(IDLE_SECONDS * 1000);
  const seconds = (performance.now() - started) / 1000;
  const cpu1 = chromiumCpu();
  const task1 = await taskSeconds(probed.cdp);
  const after = await appStats(probed.page);
  const streamAfter = await pageStream(probed.page);
  const resync = resyncNote(streamBefore, streamAfter);
  const deltas = streamAfter.deltas - streamBefore.deltas;
  const stream = counter.take();
  await counter.close();
  return { frames: after.frames - before.frames, deltas, resync, mainBusy: (task1 - task0) / seconds, cpu: cpuDelta(cpu0, cpu1, seconds), stream, seconds };
}

// --- Report ------------------------------------------------------------------------------------

const ms = (value: number) => `${value.toFixed(1)} ms`;
const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const loadNote = () => `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;

function panNote(r: PanResult): string {
  const draw = Number.isNaN(r.drawP50) ? '' : `draw JS p50 ${r.drawP50.toFixed(1)} / p95 ${r.drawP95.toFixed(1)} ms; `;
  return (
    `n ${r.samples}, mean ${r.mean.toFixed(1)}, max ${r.max.toFixed(0)} ms, ${r.fps.toFixed(1)} fps; ${draw}main thread ${pct(r.mainBusy)}, ` +
    `Chromium CPU ${pct(r.cpu.total)} (GPU process ${pct(r.cpu.gpu)}); CPU per frame ${r.cpuPerFrameMs.toFixed(0)} ms (GPU process ${r.gpuPerFrameMs.toFixed(0)})`
  );
}

interface SizeResults {
  size: SimulatedSize;
  nodes: number;
  pods: number;
  churn: number;
  loads?: LoadResult[];
  snapshot?: SnapshotTransfer & { pods: number; gzipBytes?: number };
  idleOff?: IdleResult;
  idleDefault?: IdleResult;
  baselineA?: PanResult;
  baselineAPreserve?: PanResult;
  baselineB?: PanResult;
  app?: PanResult;
  panPodChangesPerSecond?: number;
  panStream?: StreamCounts;
  panStreamSeconds?: number;
  canvas?: [number, number];
  /** Snapshot frames the page got on its stream while loading, panning, and during the heap run. */
  resyncLoad?: string;
  resyncPan?: string;
  resyncHeap?: string;
  heapAfterLoad?: number;
  heapAfterChurn?: number;
  heapSimulatedMinutes?: number;
  heapWallSeconds?: number;
  heapPodChanges?: number;
}

/** Bytes of a response body on the wire (not decoded) for a client accepting only `encoding`. */
function encodedBytes(url: string, encoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': encoding } }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => resolve(bytes));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

async function podCount(url: string): Promise<number> {
  const list = (await (await fetch(new URL('/api/v1/clusters', url))).json()) as { status: { kinds: { Pod?: { count: number } } } }[];
  return list.reduce((sum, c) => sum + (c.status.kinds.Pod?.count ?? 0), 0);
}

async function benchSize(browser: Browser, webRoot: string, baselines: string, size: SimulatedSize): Promise<SizeResults> {
  const spec = SIZES[size];
  const churn = churnFor(size);
  const results: SizeResults = { size, nodes: spec.nodes, pods: spec.pods, churn };
  const title = `${size} (${spec.nodes.toLocaleString('en')} nodes, ${spec.pods.toLocaleString('en')} pods)`;
  process.stdout.write(`\n${title}, ${WIDTH}×${HEIGHT}; ${loadNote()}\n`);

  if (PARTS.has('load') || PARTS.has('idle')) {
    // Churn off: first frame, snapshot size, and the idle screen.
    const server = await startAppServer(webRoot, size, 0);
    try {
      const pods = await podCount(server.url);
      results.loads = [];
      const loads = PARTS.has('load') ? LOADS : 1;
      for (let i = 0; i < loads; i++) {
        const { probed, load } = await openApp(browser, server.url);
        results.loads.push(load);
        log(`${size} load ${i + 1}: complete frame at ${load.rasteredMs.toFixed(0)} ms`);
        if (i === 0) results.snapshot = { ...probed.snapshot, pods, gzipBytes: await encodedBytes(new URL('/api/v1/snapshot', server.url).href, 'gzip') };
        if (i === loads - 1 && PARTS.has('idle')) results.idleOff = await idle(probed, server.url);
        if (probed.errors.length > 0) log(`page errors: ${probed.errors.join('; ')}`);
        await probed.close();
      }
    } finally {
      await server.stop();
    }
    if (PARTS.has('load')) {
      const complete = results.loads.map((l) => l.rasteredMs);
      const best = results.loads[complete.indexOf(percentile(complete, 50))]!;
      report(`${size}: navigation → first complete frame, median of ${complete.length}`, ms(best.rasteredMs), `runs ${complete.map((v) => v.toFixed(0)).join(', ')} ms (drawn and rastered)`);
      report(`${size}:   snapshot requested`, ms(best.snapshotRequestMs), `response end at ${best.snapshotResponseEndMs.toFixed(0)} ms (${(best.snapshotResponseEndMs - best.snapshotRequestMs).toFixed(0)} ms)`);
      const m = best.marks;
      const received = m['kubeglance:snapshot-received'];
      const parsed = m['kubeglance:snapshot-parsed'];
      const applied = m['kubeglance:snapshot-applied'];
      if (received !== undefined && parsed !== undefined && applied !== undefined) {
        report(`${size}:   snapshot text read / JSON parsed / applied`, ms(applied), `text at ${received.toFixed(0)}, parse ${(parsed - received).toFixed(0)} ms, apply (model + layout) ${(applied - parsed).toFixed(0)} ms`);
      }
      report(
        `${size}:   complete frame: draw call returned`,
        ms(best.completeMs),
        `${applied === undefined ? '' : `${(best.completeMs - applied).toFixed(0)} ms after applied; `}draw call ${best.completeDrawMs.toFixed(1)} ms JS`,
      );
      report(`${size}:   complete frame: GL work done (SwiftShader raster)`, ms(best.rasteredMs), `${(best.rasteredMs - best.completeMs).toFixed(0)} ms after the draw call; next animation frame at ${best.nextFrameMs.toFixed(0)} ms`);
      const s = results.snapshot!;
      const body = s.wireBytes - s.headerBytes;
      report(`${size}: snapshot on the wire as the page got it (${s.contentEncoding})`, mib(body), `${(body / s.pods).toFixed(0)} B per pod (${s.pods} pods); headers ${s.headerBytes} B`);
      if (s.gzipBytes !== undefined) report(`${size}: snapshot on the wire with Accept-Encoding: gzip only`, mib(s.gzipBytes), `${(s.gzipBytes / s.pods).toFixed(0)} B per pod`);
      report(`${size}: snapshot uncompressed`, mib(s.bodyBytes), `${(s.bodyBytes / s.pods).toFixed(0)} B per pod; ${(s.bodyBytes / body).toFixed(1)}× the ${s.contentEncoding} size`);
    }
    if (results.idleOff) {
      const i = results.idleOff;
      report(`${size}: idle screen, churn off: frames drawn in ${i.seconds.toFixed(0)} s`, `${i.frames}`, `goal 0; meanwhile ${i.deltas} deltas: ${formatKinds(i.stream.byKind, i.seconds) || 'nothing'} /s${i.resync}`);
      report(`${size}: idle screen, churn off: main-thread busy`, pct(i.mainBusy), `Chromium CPU ${pct(i.cpu.total)} (renderer ${pct(i.cpu.renderer)}, GPU ${pct(i.cpu.gpu)})`);
    }
  }

  if (PARTS.has('idle')) {
    // Default churn: the idle screen while data arrives.
    const server = await startAppServer(webRoot, size, undefined);
    try {
      const { probed } = await openApp(browser, server.url);
      results.idleDefault = await idle(probed, server.url);
      await probed.close();
    } finally {
      await server.stop();
    }
    const i = results.idleDefault;
    report(`${size}: idle screen, default churn (${spec.churnPerSecond}/s): frames in ${i.seconds.toFixed(0)} s`, `${i.frames}`, `${i.deltas} deltas; pod changes ${(i.stream.pods / i.seconds).toFixed(1)}/s; ${formatKinds(i.stream.byKind, i.seconds)} /s${i.resync}`);
    report(`${size}: idle screen, default churn: main-thread busy`, pct(i.mainBusy), `Chromium CPU ${pct(i.cpu.total)} (renderer ${pct(i.cpu.renderer)}, GPU ${pct(i.cpu.gpu)})`);
  }

  if (PARTS.has('pan') || PARTS.has('heap')) {
    const server = await startAppServer(webRoot, size, churn);
    try {
      if (PARTS.has('pan')) {
        // The baselines first, with the server already churning (the same load on the machine).
        log(`${size}: baseline (a) raw WebGL2 quad`);
        results.baselineA = await panBaseline(browser, baselines, 'webgl-quad.html');
        results.baselineAPreserve = await panBaseline(browser, baselines, 'webgl-quad.html?preserve');
        log(`${size}: baseline (b) PixiJS ParticleContainer, ${spec.pods} particles`);
        results.baselineB = await panBaseline(browser, baselines, `pixi-particles.html?count=${spec.pods}`);
      }
      const { probed, load } = await openApp(browser, server.url);
      results.canvas = load.canvas;
      try {
        await waitIdle(probed.page);
        await sleep(2_000);
        const counter = new StreamCounter(server.url);
        await counter.connect((await appStats(probed.page)).seq!);
        if (PARTS.has('heap')) results.heapAfterLoad = await pageHeap(probed.cdp);
        const churnStarted = performance.now();
        counter.take();
        const streamAtStart = await pageStream(probed.page);
        results.resyncLoad = resyncNote({ deltas: 0, deltaChars: 0, snapshots: 0, snapshotChars: 0, snapshotAt: [] }, streamAtStart);
        if (PARTS.has('pan')) {
          log(`${size}: panning kubeglance for ${PAN_SECONDS} s at --demo-churn=${churn}`);
          const countStart = performance.now();
          const streamBefore = await pageStream(probed.page);
          results.app = await pan(probed);
          results.resyncPan = resyncNote(streamBefore, await pageStream(probed.page));
          results.panStream = counter.take();
          results.panStreamSeconds = (performance.now() - countStart) / 1000;
          results.panPodChangesPerSecond = results.panStream.pods / results.panStreamSeconds;
        }
        if (PARTS.has('heap')) {
          const targetSeconds = (spec.churnPerSecond * 60 * HEAP_MINUTES) / churn;
          const wallSeconds = Math.min(targetSeconds, HEAP_MAX_SECONDS);
          const remaining = wallSeconds * 1000 - (performance.now() - churnStarted);
          log(`${size}: churning ${wallSeconds.toFixed(0)} s at ${churn}/s (${((wallSeconds * churn) / spec.churnPerSecond / 60).toFixed(1)} simulated minutes)`);
          if (remaining > 0) await sleep(remaining);
          const elapsed = (performance.now() - churnStarted) / 1000;
          const stream = counter.take();
          results.heapPodChanges = (results.panStream?.pods ?? 0) + stream.pods;
          results.heapWallSeconds = elapsed;
          results.heapSimulatedMinutes = (elapsed * churn) / spec.churnPerSecond / 60;
          await waitIdle(probed.page).catch(() => {});
          results.heapAfterChurn = await pageHeap(probed.cdp);
          results.resyncHeap = resyncNote(streamAtStart, await pageStream(probed.page));
          if (stream.snapshots > 0) log(`${size}: the stream sent ${stream.snapshots} snapshot(s) during the heap run`);
        }
        await counter.close();
        if (probed.errors.length > 0) log(`page errors: ${probed.errors.join('; ')}`);
      } finally {
        await probed.close();
      }
    } finally {
      await server.stop();
    }
    if (results.app && results.baselineA && results.baselineB && results.baselineAPreserve) {
      const { app, baselineA: a, baselineAPreserve: ap, baselineB: b } = results;
      const goalA = size === 'xl' ? 'goal ≤ 2×' : 'goal at xl ≤ 2×';
      const goalB = size === 'xl' ? 'goal ≥ 4×' : 'goal at xl ≥ 4×';
      report(`${size}: baseline (a) raw WebGL2 full-screen quad, p50 / p95`, `${a.p50.toFixed(1)} / ${a.p95.toFixed(1)} ms`, panNote(a));
      report(`${size}:   (a) with preserveDrawingBuffer, as kubeglance, p50 / p95`, `${ap.p50.toFixed(1)} / ${ap.p95.toFixed(1)} ms`, panNote(ap));
      report(`${size}: baseline (b) PixiJS ParticleContainer ×${spec.pods}, p50 / p95`, `${b.p50.toFixed(1)} / ${b.p95.toFixed(1)} ms`, panNote(b));
      report(`${size}: kubeglance panning, p50 / p95`, `${app.p50.toFixed(1)} / ${app.p95.toFixed(1)} ms`, `canvas ${results.canvas!.join('×')}; ${panNote(app)}`);
      report(`${size}:   pod changes arriving meanwhile`, `${results.panPodChangesPerSecond!.toFixed(0)}/s`, `--demo-churn=${churn}; all changes/s: ${formatKinds(results.panStream!.byKind, results.panStreamSeconds!)}${results.resyncPan}`);
      report(`${size}:   frames drawn per animation frame`, app.drawnPerCallback.toFixed(2), 'every frame has a camera change: expect 1.00');
      report(`${size}: kubeglance / (a), p50 / p95`, `${ratio(app.p50 / a.p50)} / ${ratio(app.p95 / a.p95)}`, goalA);
      report(`${size}: (b) / kubeglance (speed-up), p50 / p95`, `${ratio(b.p50 / app.p50)} / ${ratio(b.p95 / app.p95)}`, goalB);
      // CPU time per frame does not depend on how busy the machine is (the frame time does).
      report(`${size}: CPU per frame: kubeglance / (a), (b) / kubeglance`, `${ratio(app.cpuPerFrameMs / a.cpuPerFrameMs)}, ${ratio(b.cpuPerFrameMs / app.cpuPerFrameMs)}`, `${app.cpuPerFrameMs.toFixed(0)} ms vs (a) ${a.cpuPerFrameMs.toFixed(0)} ms, (b) ${b.cpuPerFrameMs.toFixed(0)} ms; all Chromium processes`);
    }
    if (results.heapAfterLoad !== undefined && results.heapAfterChurn !== undefined) {
      const growth = results.heapAfterChurn / results.heapAfterLoad - 1;
      report(`${size}: page JS heap after load (GC)`, mib(results.heapAfterLoad), `${(results.heapAfterLoad / spec.pods).toFixed(0)} B per pod${results.resyncLoad}`);
      report(
        `${size}: page JS heap after ${results.heapSimulatedMinutes!.toFixed(1)} simulated minutes of churn`,
        mib(results.heapAfterChurn),
        `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} % (goal < 10 %); ${results.heapWallSeconds!.toFixed(0)} s at ${churn}/s, ${results.heapPodChanges} pod changes${results.resyncHeap}`,
      );
    }
  }
  return results;
}

// --- Main --------------------------------------------------------------------------------------

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-browser-bench-'));
const webRoot = path.join(tmp, 'web');
log('building the web app and the baseline pages');
await buildWebApp(webRoot);
const baselineServer = await serveBaselines(path.join(tmp, 'baselines'));
const browser = await launchBrowser();
const all: SizeResults[] = [];
try {
  process.stdout.write(`\nkubeglance in headless Chromium ${browser.version()} (SwiftShader WebGL), ${WIDTH}×${HEIGHT}, ${os.cpus().length} CPUs\n`);
  if (PARTS.has('idle')) {
    // What an idle browser costs here with nothing to draw: the floor for the idle-screen numbers.
    const blank = await openProbed(browser, baselineServer.url, baselineServer.url);
    await sleep(2_000);
    const cpu0 = chromiumCpu();
    const task0 = await taskSeconds(blank.cdp);
    await sleep(IDLE_SECONDS * 1000);
    const blankCpu = cpuDelta(cpu0, chromiumCpu(), IDLE_SECONDS);
    const blankBusy = ((await taskSeconds(blank.cdp)) - task0) / IDLE_SECONDS;
    await blank.close();
    report(`blank page, idle for ${IDLE_SECONDS} s: main-thread busy`, pct(blankBusy), `Chromium CPU ${pct(blankCpu.total)} (renderer ${pct(blankCpu.renderer)}, GPU ${pct(blankCpu.gpu)})`);
  }
  for (const size of SIZE_LIST) all.push(await benchSize(browser, webRoot, baselineServer.url, size));

  const panned = all.filter((r) => r.app !== undefined);
  if (panned.length > 0) {
    process.stdout.write('\nwhile panning, by pod count: frame time p50 / p95 (ms) | CPU per frame, all Chromium processes (ms)\n');
    for (const r of panned) {
      const [app, a, b] = [r.app!, r.baselineA!, r.baselineB!];
      report(
        `  ${r.pods.toLocaleString('en')} pods, ${r.panPodChangesPerSecond!.toFixed(0)} pod changes/s: kubeglance`,
        `${app.p50.toFixed(1)} / ${app.p95.toFixed(1)}`,
        `CPU ${app.cpuPerFrameMs.toFixed(0)}; (a) WebGL2 quad ${a.p50.toFixed(1)} / ${a.p95.toFixed(1)}, CPU ${a.cpuPerFrameMs.toFixed(0)}; (b) PixiJS particles ${b.p50.toFixed(1)} / ${b.p95.toFixed(1)}, CPU ${b.cpuPerFrameMs.toFixed(0)}`,
      );
    }
    if (panned.length > 1) {
      const grows = (pick: (r: SizeResults) => number) => panned.every((r, i) => i === 0 || pick(r) >= pick(panned[i - 1]!));
      report('  kubeglance frame time grows with pod count', grows((r) => r.app!.p50) ? 'yes' : 'no', `CPU per frame: ${grows((r) => r.app!.cpuPerFrameMs) ? 'grows' : 'does not grow'}`);
      report('  (b) PixiJS particles frame time grows with pod count', grows((r) => r.baselineB!.p50) ? 'yes' : 'no', `CPU per frame: ${grows((r) => r.baselineB!.cpuPerFrameMs) ? 'grows' : 'does not grow'}`);
    }
  }
  const out = path.join(ROOT, '.artifacts/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, 'browser-bench.json'),
    JSON.stringify({ width: WIDTH, height: HEIGHT, panSeconds: PAN_SECONDS, idleSeconds: IDLE_SECONDS, loadAverage: os.loadavg(), sizes: all }, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v), 2),
  );
} finally {
  await browser.close();
  baselineServer.close();
  rmSync(tmp, { recursive: true, force: true });
}
