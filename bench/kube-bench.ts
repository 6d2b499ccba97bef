// kubeglance against a real kube-apiserver with about 10,000 pods (KWOK nodes), measuring:
//   1. start → live, as a ratio to a bare paginated LIST of the same resources + JSON.parse (goal ≤ 1.5×)
//   2. server heap per pod above the empty baseline (goal ≤ 1 KB)
//   3. latency from an API change to the SSE delta at a client, p50 and p99 (goal p99 ≤ 1 s)
//   4. bytes read from the API server during steady churn, against what polling a full LIST of
//      nodes and pods every 5 s would read over the same time (goal ≥ 50× fewer)
//
// Run: npm run bench (or node --expose-gc --import tsx bench/kube-bench.ts)
// Env: BENCH_PODS (10000), BENCH_NODES (100), BENCH_CHURN_SECONDS (600), BENCH_CHURN_PER_SECOND (10),
//      BENCH_PARTS (startup,heap,latency,churn)
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { collectionPath, WATCHED_KINDS, type WatchedKind } from '../src/sources/kube/kinds.js';
import { createKubeSources } from '../src/sources/kube/index.js';
import { noTelemetry, type SourceTelemetry } from '../src/sources/telemetry.js';
import { StreamClient } from '../test/support/stream-client.js';
import { startBenchCluster, type BenchCluster } from './support/bench-cluster.js';
import type { KubeWriter } from './support/kube-writer.js';
import { startServerUnderTest, waitUntilLive } from './support/server-under-test.js';
import { median, mib, percentile, report, settledHeap } from './support/stats.js';

const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const NODES = Number(process.env.BENCH_NODES ?? 100);
const CHURN_SECONDS = Number(process.env.BENCH_CHURN_SECONDS ?? 600);
const CHURN_PER_SECOND = Number(process.env.BENCH_CHURN_PER_SECOND ?? 10);
const quiet = pino({ level: 'warn' }, pino.destination(2));
const results: Record<string, number> = {};

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Counts what the kube source reads, on top of nothing else. */
class CountingTelemetry implements SourceTelemetry {
  bytes = 0;
  requests = 0;
  watchEvents = 0;
  readonly bytesByResource = new Map<string, number>();
  apiRequest() { this.requests++; }
  apiBytes(_c: string, resource: string, bytes: number) {
    this.bytes += bytes;
    this.bytesByResource.set(resource, (this.bytesByResource.get(resource) ?? 0) + bytes);
  }
  watchEvent() { this.watchEvents++; }
  relist() {}
  watchOpen() {}
}

/** The baseline: every resource the source reads, LISTed with limit=500 pages and parsed, all in parallel like the source. */
async function bareList(writer: KubeWriter, kinds: readonly WatchedKind[]): Promise<{ ms: number; objects: number }> {
  const started = performance.now();
  let objects = 0;
  await Promise.all(
    kinds.flatMap((kind) =>
      (kind.fieldSelectors ?? [undefined]).map(async (selector) => {
        let token = '';
        do {
          const query = new URLSearchParams({ limit: '500' });
          if (token) query.set('continue', token);
          if (selector) query.set('fieldSelector', selector);
          const page = await writer.ok<{ items: unknown[]; metadata: { continue?: string } }>('GET', `${collectionPath(kind)}?${query}`);
          objects += page.items.length;
          token = page.metadata.continue ?? '';
        } while (token);
      }),
    ),
  );
  return { ms: performance.now() - started, objects };
}

async function servedKinds(writer: KubeWriter): Promise<WatchedKind[]> {
  const served: WatchedKind[] = [];
  for (const kind of WATCHED_KINDS) {
    const response = await writer.request('GET', `${collectionPath(kind)}?limit=1`);
    if (response.status === 200) served.push(kind);
  }
  return served;
}

async function startToLive(cluster: BenchCluster, telemetry: SourceTelemetry = noTelemetry) {
  const sources = (await createKubeSources({ kubeconfigPath: cluster.kubeconfig, logger: quiet, telemetry }))!;
  const started = performance.now();
  const server = await startServerUnderTest(sources);
  await waitUntilLive(server);
  return { server, ms: performance.now() - started };
}

async function measureStartup(cluster: BenchCluster): Promise<void> {
  const kinds = await servedKinds(cluster.writer);
  const bare: number[] = [];
  const ours: number[] = [];
  let objects = 0;
  for (let round = 0; round < 3; round++) {
    const list = await bareList(cluster.writer, kinds);
    bare.push(list.ms);
    objects = list.objects;
    const { server, ms } = await startToLive(cluster);
    ours.push(ms);
    await server.stop();
  }
  results.startToLiveMs = median(ours);
  results.bareListMs = median(bare);
  report(`bare paginated LIST + JSON.parse of ${kinds.length} resources (${objects} objects)`, `${median(bare).toFixed(0)} ms`, `runs ${bare.map((v) => v.toFixed(0)).join(', ')}`);
  report('kubeglance start → live (server, store, hub)', `${median(ours).toFixed(0)} ms`, `runs ${ours.map((v) => v.toFixed(0)).join(', ')}`);
  report('start → live as a ratio to the bare LIST', `${(median(ours) / median(bare)).toFixed(2)}×`, 'goal ≤ 1.5×');
}

async function measureHeap(cluster: BenchCluster): Promise<void> {
  const baseline = await settledHeap();
  const { server } = await startToLive(cluster);
  await new Promise((r) => setTimeout(r, 1_500));
  const loaded = await settledHeap();
  const pods = ((await (await fetch(new URL('/api/v1/clusters', server.url))).json()) as { status: { kinds: { Pod?: { count: number } } } }[])[0]!.status.kinds.Pod!.count;
  results.heapPerPodBytes = (loaded - baseline) / pods;
  report(`server heap above baseline (${pods} pods)`, mib(loaded - baseline));
  report('server heap per pod (real API)', `${results.heapPerPodBytes.toFixed(0)} B`, 'goal ≤ 1024 B');
  await server.stop();
}

/** Pods of the bench deployments, by name and namespace, from a fresh LIST. */
async function benchPods(writer: KubeWriter): Promise<{ namespace: string; name: string }[]> {
  const pods: { namespace: string; name: string }[] = [];
  let token = '';
  do {
    const page = await writer.ok<{ items: { metadata: { name: string; namespace: string } }[]; metadata: { continue?: string } }>(
      'GET',
      `/api/v1/pods?labelSelector=team&limit=2000${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
    );
    for (const item of page.items) pods.push({ namespace: item.metadata.namespace, name: item.metadata.name });
    token = page.metadata.continue ?? '';
  } while (token);
  return pods;
}

async function measureLatency(cluster: BenchCluster): Promise<void> {
  const { server } = await startToLive(cluster);
  const client = new StreamClient(server.url);
  await client.connect();
  const pods = await benchPods(cluster.writer);
  const latencies: number[] = [];
  const fromSend: number[] = [];
  for (let i = 0; i < 300; i++) {
    const pod = pods[(i * 37) % pods.length]!;
    const value = `m${i}`;
    const sent = performance.now();
    await cluster.writer.mergePatch(`/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`, { metadata: { labels: { 'bench-seq': value } } });
    const acknowledged = performance.now();
    await client.waitFor(() => client.find('Pod', pod.name, pod.namespace)?.labels?.['bench-seq'] === value, 10_000, `patch ${i}`);
    const arrived = performance.now();
    latencies.push(arrived - acknowledged);
    fromSend.push(arrived - sent);
    await new Promise((r) => setTimeout(r, 30 + ((i * 7919) % 70))); // spread over the batching window
  }
  results.latencyP50Ms = percentile(latencies, 50);
  results.latencyP99Ms = percentile(latencies, 99);
  report('API change → SSE delta at a client, p50 (from the API response)', `${results.latencyP50Ms.toFixed(0)} ms`, `from request sent: ${percentile(fromSend, 50).toFixed(0)} ms`);
  report('API change → SSE delta at a client, p99 (from the API response)', `${results.latencyP99Ms.toFixed(0)} ms`, `goal ≤ 1000 ms; from request sent: ${percentile(fromSend, 99).toFixed(0)} ms`);
  await client.close();
  await server.stop();
}

/** Steady churn: pod label updates, pod deletions (their ReplicaSet replaces them) and scale up/down. */
function startChurn(cluster: BenchCluster, pods: { namespace: string; name: string }[]): () => Promise<number> {
  let running = true;
  let changes = 0;
  const loop = (async () => {
    let i = 0;
    while (running) {
      const started = performance.now();
      const op = i % 10;
      try {
        if (op < 6) {
          const pod = pods[(i * 7919) % pods.length]!;
          await cluster.writer.mergePatch(`/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`, { metadata: { annotations: { 'bench-churn': String(i) } } });
        } else if (op < 8) {
          const deployment = cluster.deployments[(i * 31) % cluster.deployments.length]!;
          const replicas = deployment.replicas + (op === 6 ? 1 : -1);
          await cluster.writer.mergePatch(`/apis/apps/v1/namespaces/${deployment.namespace}/deployments/${deployment.name}`, { spec: { replicas } });
        } else {
          // Delete a pod of a deployment; its ReplicaSet creates a replacement.
          const list = await cluster.writer.ok<{ items: { metadata: { name: string; namespace: string } }[] }>(
            'GET',
            `/api/v1/namespaces/${cluster.deployments[i % cluster.deployments.length]!.namespace}/pods?labelSelector=app%3D${cluster.deployments[i % cluster.deployments.length]!.name}&limit=1`,
          );
          const victim = list.items[0];
          if (victim) await cluster.writer.ok('DELETE', `/api/v1/namespaces/${victim.metadata.namespace}/pods/${victim.metadata.name}`);
        }
        changes++;
      } catch (error) {
        log(`churn: ${(error as Error).message}`);
      }
      i++;
      const wait = 1000 / CHURN_PER_SECOND - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return changes;
  };
}

async function measureChurnBytes(cluster: BenchCluster): Promise<void> {
  const pods = await benchPods(cluster.writer);
  const telemetry = new CountingTelemetry();
  const { server } = await startToLive(cluster, telemetry);
  const afterSync = telemetry.bytes;
  const requestsAfterSync = telemetry.requests;
  const byResourceAfterSync = new Map(telemetry.bytesByResource);
  log(`churn for ${CHURN_SECONDS} s at ${CHURN_PER_SECOND} changes/s`);
  const stopChurn = startChurn(cluster, pods);
  await new Promise((r) => setTimeout(r, CHURN_SECONDS * 1000));
  const changes = await stopChurn();
  const ours = telemetry.bytes - afterSync;
  const requests = telemetry.requests - requestsAfterSync;
  await server.stop();

  // What kube-ops-view style polling reads: a full LIST of nodes and of pods every 5 s, as JSON
  // and, as an HTTP client that accepts gzip gets it, compressed (kubeglance's bytes are counted
  // on the wire too: its LISTs and metrics polls accept gzip, watch streams are not compressed).
  const plain = (await cluster.writer.request('GET', '/api/v1/nodes')).bytes + (await cluster.writer.request('GET', '/api/v1/pods')).bytes;
  const gzipped = (await cluster.writer.gzipBytes('/api/v1/nodes')) + (await cluster.writer.gzipBytes('/api/v1/pods'));
  const polls = CHURN_SECONDS / 5;
  results.churnBytes = ours;
  results.pollingBytes = plain * polls;
  results.pollingGzipBytes = gzipped * polls;
  report(`bytes read during ${CHURN_SECONDS} s of churn (${changes} changes, ${requests} requests)`, mib(ours), `${(ours / changes / 1024).toFixed(1)} KiB per change`);
  for (const [resource, bytes] of [...telemetry.bytesByResource].sort((a, b) => b[1] - a[1])) {
    const during = bytes - (byResourceAfterSync.get(resource) ?? 0);
    if (during > 0) report(`  of which ${resource}`, mib(during));
  }
  report(`a full LIST of nodes + pods every 5 s, JSON (${mib(plain)} each)`, mib(plain * polls));
  report(`the same, gzip-compressed (${mib(gzipped)} each)`, mib(gzipped * polls));
  report('polling bytes / kubeglance bytes (JSON LIST)', `${((plain * polls) / ours).toFixed(0)}×`, 'goal ≥ 50×');
  report('polling bytes / kubeglance bytes (gzip LIST)', `${((gzipped * polls) / ours).toFixed(1)}×`);
}

const PARTS = new Set((process.env.BENCH_PARTS ?? 'startup,heap,latency,churn').split(','));
const cluster = await startBenchCluster(NODES, PODS);
try {
  process.stdout.write(`\nkubeglance against a real kube-apiserver: ${NODES} KWOK nodes, ${PODS} pods\n\n`);
  if (PARTS.has('startup')) await measureStartup(cluster);
  if (PARTS.has('heap')) await measureHeap(cluster);
  if (PARTS.has('latency')) await measureLatency(cluster);
  if (PARTS.has('churn')) await measureChurnBytes(cluster);
  const out = path.resolve(import.meta.dirname, '../.artifacts/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'kube-bench.json'), JSON.stringify({ nodes: NODES, pods: PODS, churnSeconds: CHURN_SECONDS, ...results }, null, 2));
} finally {
  cluster.down();
}
