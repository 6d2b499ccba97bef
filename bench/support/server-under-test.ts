// Runs the real server (store, hub, HTTP) in this process around given sources, so benchmarks
// measure the heap and timing of exactly what `kubeglance` runs.
import pino from 'pino';
import type { ClusterSummary } from '../../src/server/store.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { ClusterSource } from '../../src/sources/source.js';

export const logger = pino({ level: process.env.KUBEGLANCE_LOG_LEVEL ?? 'warn' }, pino.destination(2));

export async function startServerUnderTest(sources: ClusterSource[], metrics = new ServerMetrics()): Promise<RunningServer> {
  return startServer({ sources, host: '127.0.0.1', port: 0, logger, metrics });
}

export async function clusters(server: { url: string }): Promise<ClusterSummary[]> {
  return (await (await fetch(new URL('/api/v1/clusters', server.url))).json()) as ClusterSummary[];
}

/** Resolves with the time it took until every cluster is live. */
export async function waitUntilLive(server: { url: string }, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const list = await clusters(server);
    if (list.length > 0 && list.every((c) => c.status.phase === 'live')) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not live after ${timeoutMs} ms: ${JSON.stringify(list.map((c) => c.status.phase))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
