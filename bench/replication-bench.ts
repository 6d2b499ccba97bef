// Several replicas through Redis (src/server/replication), measured with the real command and a
// real redis-server on this machine, on the demo cluster (seeded, with churn):
//
//   1. delta latency: from the watcher cutting a delta (its `at`) to a stream client receiving it,
//      p50/p95, on a follower and on the watcher, against one process without Redis (the baseline);
//   2. the stored snapshot: JSON and gzipped sizes in Redis, Redis' peak memory, and how long a new
//      replica takes from start to serving (connect, load and gunzip the snapshot);
//   3. memory: resident set of the watcher (its own watch store plus the served one, records
//      shared) and of a follower, against the single process;
//   4. failover (no churn): the watcher killed outright, the time until a follower watches, and
//      how many changes browsers got from the re-list on top of the state they had (the resync).
//
// Run: node --import tsx bench/replication-bench.ts [sizes…]   (default medium xl)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createClient, RESP_TYPES } from 'redis';
import type { DeltaMessage } from '../src/model/stream.js';
import { readEventStream } from '../test/support/event-stream.js';
import { isWatching as watching, startKubeglance, waitUntil, type RunningKubeglance } from '../test/support/kubeglance-process.js';
import { waitUntilLive } from './support/server-under-test.js';
import { startRedis } from '../test/support/redis.js';
import { mib, percentile, report } from './support/stats.js';

const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 30_000);
const CHURN_PER_SECOND = 20;

interface DeltaLog {
  /** Time from cut to arrival, after the warm-up. */
  latencies: number[];
  deltas: number;
  changes: number;
  stop(): void;
}

/**
 * Deltas in a client's first 6 s are left out of latencies: its snapshot (built on demand, 3 s
 * of one event loop at 150,000 pods) holds up the deltas behind it. That cost is the same with
 * or without Redis and is measured elsewhere (bench/browser-bench.ts); here it is steady state.
 */
const WARM_UP_MS = 6_000;

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['medium', 'xl'];
  report('machine', `${os.cpus().length} cpus`, `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const size of sizes) await benchSize(size);
}

async function benchSize(size: string): Promise<void> {
  const demo = [`--demo=${size}`, '--demo-seed', '7'];
  const churn = [...demo, '--demo-churn', String(CHURN_PER_SECOND)];

  // Baseline: one process, no Redis.
  const single = await startKubeglance(churn);
  await waitUntilLive(single, 300_000);
  const singleLog = await followDeltas(single.url);
  await sleep(WINDOW_MS);
  singleLog.stop();
  const singleRss = rss(single);
  await single.stop();

  const redis = await startRedis();
  const args = [...churn, '--redis-url', redis.url];
  const watcher = await startKubeglance(args);
  await waitUntil(() => watching(watcher), 60_000, 'the first replica to watch');
  await waitUntilLive(watcher, 300_000);
  const followerStartedAt = Date.now();
  const follower = await startKubeglance(args);
  const followerReadyMs = Date.now() - followerStartedAt;
  // A new follower serves the stored snapshot at once, then adopts what the stream added since:
  // caught up at the first delta that arrives within half a second of its cut.
  const catchUp = await followDeltas(follower.url, 0);
  await waitUntil(async () => catchUp.latencies.some((latency) => latency < 500), 120_000, 'the new follower to catch up');
  const followerCaughtUpMs = Date.now() - followerStartedAt;
  catchUp.stop();
  const onFollower = await followDeltas(follower.url);
  const onWatcher = await followDeltas(watcher.url);
  await sleep(WINDOW_MS);
  onFollower.stop();
  onWatcher.stop();

  // The snapshot stored at takeover is of an empty state; wait for the first periodic one (30 s).
  await waitUntil(async () => /^kubeglance_replica_snapshots_written_total ([2-9]|\d\d)/m.test(await (await fetch(new URL('/metrics', watcher.url))).text()), 60_000, 'a periodic snapshot');
  const direct = createClient({ url: redis.url });
  await direct.connect();
  const stored = await direct.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).hGet('kubeglance:snapshot', 'gz');
  const snapshotJson = await (await fetch(new URL('/api/v1/snapshot', follower.url), { headers: { 'accept-encoding': 'identity' } })).arrayBuffer();
  const streamLength = await direct.xLen('kubeglance:deltas');
  const redisPeak = Number(/used_memory_peak:(\d+)/.exec(await direct.info('memory'))?.[1] ?? 0);
  const watcherRss = rss(watcher);
  const followerRss = rss(follower);

  await direct.close();
  await follower.stop();
  await watcher.stop();
  await redis.stop();
  const failover = await benchFailover(demo);

  const label = `[${size}]`;
  report(`${label} delta latency, one process (baseline)`, `${percentile(singleLog.latencies, 50)} / ${percentile(singleLog.latencies, 95)} ms`, `p50 / p95 of ${singleLog.latencies.length} deltas`);
  report(`${label} delta latency, client of the watcher`, `${percentile(onWatcher.latencies, 50)} / ${percentile(onWatcher.latencies, 95)} ms`, ratio(onWatcher.latencies, singleLog.latencies));
  report(`${label} delta latency, client of a follower`, `${percentile(onFollower.latencies, 50)} / ${percentile(onFollower.latencies, 95)} ms`, ratio(onFollower.latencies, singleLog.latencies));
  report(`${label} stored snapshot`, `${((stored?.length ?? 0) / 1024).toFixed(0)} KiB`, `gzip of ${mib(snapshotJson.byteLength)} JSON; ${streamLength} deltas in the stream`);
  report(`${label} Redis memory, peak`, mib(redisPeak), `over the first sync and ${WINDOW_MS / 1000} s of churn`);
  report(`${label} follower start to serving`, `${followerReadyMs} ms`, 'connect, load and gunzip the snapshot, listen');
  report(`${label} follower start to caught up`, `${followerCaughtUpMs} ms`, 'and adopted the deltas stored since the snapshot');
  report(`${label} resident memory, one process`, mib(singleRss));
  report(`${label} resident memory, watcher`, mib(watcherRss), `${(watcherRss / singleRss).toFixed(2)}x the single process`);
  report(`${label} resident memory, follower`, mib(followerRss), `${(followerRss / singleRss).toFixed(2)}x the single process`);
  report(`${label} takeover after SIGKILL`, `${failover.takeoverMs} ms`, 'lease 12 s, attempts every second');
  // The demo generates its cluster afresh at every start (timestamps move with the clock), so its
  // re-list differs in nearly every object; against a real API server only real changes and the
  // next metrics poll differ (test/integration/redis-replicas.test.ts logs that count).
  report(`${label} changes sent in the 10 s after takeover`, String(failover.changes), `in ${failover.deltas} deltas (no churn; the demo re-generates every object)`);
}

/**
 * Without churn, so that what browsers get after the takeover is only what the new watcher's
 * re-list found different from the state they had.
 */
async function benchFailover(demo: string[]): Promise<{ takeoverMs: number; changes: number; deltas: number }> {
  const redis = await startRedis();
  const args = [...demo, '--redis-url', redis.url];
  const watcher = await startKubeglance(args);
  await waitUntil(() => watching(watcher), 60_000, 'the first replica to watch');
  await waitUntilLive(watcher, 300_000);
  const follower = await startKubeglance(args);
  await sleep(3_000); // metrics settled on the watcher and published
  const log = await followDeltas(follower.url);
  const killedAt = Date.now();
  watcher.process.kill('SIGKILL');
  await waitUntil(() => watching(follower), 30_000, 'the follower to take over');
  const takeoverMs = Date.now() - killedAt;
  await sleep(10_000);
  log.stop();
  await follower.stop();
  await redis.stop();
  return { takeoverMs, changes: log.changes, deltas: log.deltas };
}

/** Follows /api/v1/stream, noting for each delta the time from its cut (`at`) to its arrival. */
async function followDeltas(baseUrl: string, warmUpMs = WARM_UP_MS): Promise<DeltaLog> {
  const abort = new AbortController();
  const log: DeltaLog = { latencies: [], deltas: 0, changes: 0, stop: () => abort.abort() };
  const connectedAt = Date.now();
  const response = await fetch(new URL('/api/v1/stream', baseUrl), { signal: abort.signal });
  void readEventStream(response.body!, abort.signal, (event) => {
    if (event.event !== 'delta') return;
    const delta = JSON.parse(event.data) as DeltaMessage;
    if (Date.now() - connectedAt >= warmUpMs) log.latencies.push(Date.now() - delta.at);
    log.deltas++;
    log.changes += delta.changes.length;
  }).catch(() => undefined);
  return log;
}

function ratio(values: number[], baseline: number[]): string {
  const p50 = percentile(values, 50) / Math.max(1, percentile(baseline, 50));
  const p95 = percentile(values, 95) / Math.max(1, percentile(baseline, 95));
  return `${p50.toFixed(2)}x / ${p95.toFixed(2)}x the baseline`;
}

function rss(app: RunningKubeglance): number {
  const status = readFileSync(`/proc/${app.process.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

await main();
