// The kubeglance server for a benchmark that drives the cluster by hand: one FakeSource
// (src/server/testing/fixtures.ts) feeding the same store, hub and HTTP app as the `kubeglance`
// command, serving a given web build. In the benchmark's own process, unlike app-server.ts (the
// simulated cluster, in a child process): the benchmark upserts and deletes records through the
// source while a page watches, and knows to the millisecond when it did.
import { pino } from 'pino';
import type { ClusterRecord } from '../../src/model/records.js';
import { buildApp } from '../../src/server/http.js';
import { Hub } from '../../src/server/hub.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import { ClusterStore } from '../../src/server/store.js';
import { FakeSource } from '../../src/server/testing/fixtures.js';

export interface FakeAppServer {
  /** e.g. `http://127.0.0.1:41234/` */
  url: string;
  source: FakeSource;
  stop(): Promise<void>;
}

/** Serves `webRoot` on 127.0.0.1 with one live cluster `id` holding `records`. */
export async function startFakeAppServer(webRoot: string, id: string, records: readonly ClusterRecord[]): Promise<FakeAppServer> {
  const source = new FakeSource(id, `${id} (benchmark)`);
  const store = new ClusterStore();
  const sink = store.addCluster(source.id, source.name);
  const hub = new Hub(store);
  const app = buildApp({ store, hub, metrics: new ServerMetrics(), logger: pino({ level: process.env.KUBEGLANCE_LOG_LEVEL ?? 'warn' }, pino.destination(2)), webRoot });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  source.start(sink);
  source.emit(...records.map((record) => ({ type: 'upsert' as const, record })));
  source.goLive();
  return {
    url: `${address}/`,
    source,
    async stop() {
      await source.stop();
      hub.stop();
      await app.close();
    },
  };
}
