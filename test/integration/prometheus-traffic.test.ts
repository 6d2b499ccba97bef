// Observed traffic from a real Prometheus: Debian's `prometheus` scraping an exporter that serves
// Istio, Linkerd and OpenTelemetry service-graph series at rates this test sets, read through
// withTraffic around the Kubernetes source of the test control plane (and once through the
// `kubeglance` command itself). Short windows and polls keep it fast: rate(...[5s]), one poll a
// second, Prometheus scraping every second.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ClusterStatus } from '../../src/model/cluster-status.js';
import type { NamespaceRecord, TrafficRecord } from '../../src/model/records.js';
import { createKubeSources } from '../../src/sources/kube/index.js';
import { TrafficPoller, type TrafficUpdate } from '../../src/sources/prometheus/traffic-poller.js';
import { withTraffic } from '../../src/sources/prometheus/with-traffic.js';
import { collect, type Collected } from '../../src/sources/source.contract.js';
import type { ClusterSource } from '../../src/sources/source.js';
import { kubectl } from '../support/control-plane.js';
import { startKubeglance } from '../support/kubeglance-process.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { StreamClient } from '../support/stream-client.js';
import { TrafficExporter, type ExportedPair } from '../support/traffic-exporter.js';

const PAIRS: Record<string, ExportedPair> = {
  // Sidecars at both ends report it: counted once.
  web: { mesh: 'istio', from: { namespace: 'shop', workload: 'frontend' }, to: { namespace: 'shop', workload: 'cart' }, requestRate: 10, errorRate: 1, latencyMs: 40 },
  payments: { mesh: 'istio', protocol: 'grpc', from: { namespace: 'shop', workload: 'checkout' }, to: { namespace: 'payments', workload: 'payments-api' }, requestRate: 5, errorRate: 0.5, latencyMs: 8 },
  // A caller outside the mesh: only the destination's sidecar reports it.
  visitors: { mesh: 'istio', from: { workload: 'unknown' }, to: { namespace: 'shop', workload: 'frontend' }, requestRate: 4, latencyMs: 20 },
  db: { mesh: 'istio', protocol: 'tcp', from: { namespace: 'shop', workload: 'orders' }, to: { namespace: 'shop', workload: 'postgres' }, tcpBytesRate: 5000, tcpConnections: 7 },
  api: { mesh: 'linkerd', from: { namespace: 'books', workload: 'webapp' }, to: { namespace: 'books', workload: 'authors' }, requestRate: 6, errorRate: 0.6, latencyMs: 25, tcpBytesRate: 1000, tcpConnections: 3 },
  traced: { mesh: 'otel', from: { namespace: 'shop', workload: 'frontend' }, to: { namespace: 'shop', workload: 'checkout' }, requestRate: 3, errorRate: 0.3, latencyMs: 90 },
  browsers: { mesh: 'otel', from: { workload: 'user' }, to: { workload: 'frontend' }, connectionType: 'virtual_node', requestRate: 2, latencyMs: 5 },
};

const UID = {
  web: 'istio:shop/w:frontend->shop/w:cart/s:cart',
  payments: 'istio:shop/w:checkout->payments/w:payments-api/s:payments-api',
  visitors: 'istio:outside->shop/w:frontend/s:frontend',
  db: 'istio:shop/w:orders->shop/w:postgres/s:postgres',
  api: 'linkerd:books/w:webapp->books/w:authors/s:authors',
  traced: 'otel:shop/n:frontend->shop/n:checkout',
  browsers: 'otel:outside->n:frontend',
  added: 'linkerd:books/w:webapp->books/w:reviews/s:reviews',
};

const NS = `traffic-${Date.now().toString(36)}`;
let exporter: TrafficExporter;
let prometheus: RunningPrometheus | undefined;
let source: ClusterSource;
let c: Collected;

beforeAll(async () => {
  exporter = new TrafficExporter(PAIRS);
  await exporter.start();
  prometheus = await startPrometheus({ targets: [exporter.target] });
  const [kube] = (await createKubeSources({ kubeconfigPath: inject('kubeconfig'), logger: pino({ level: 'silent' }) }))!;
  source = withTraffic(kube!, { url: prometheus.url, window: '5s', intervalMs: 1_000, backoff: { initialMs: 500, maxMs: 1_000 } });
  c = collect(source);
});

afterAll(async () => {
  await source?.stop();
  await prometheus?.stop();
  await exporter?.stop();
  await kubectl(['delete', 'namespace', NS, '--wait=false']).catch(() => {});
});

const traffic = () => new Map([...c.records.values()].filter((r): r is TrafficRecord => r.kind === 'Traffic').map((r) => [r.uid, r]));
const lastStatus = (): ClusterStatus | undefined => c.statuses.at(-1);
const near = (value: number | undefined, expected: number, tolerance = 0.1) => value !== undefined && Math.abs(value - expected) <= expected * tolerance;

/** Waits until `check` holds for the Traffic records; on timeout says what they were. */
async function waitForTraffic(check: (records: Map<string, TrafficRecord>) => boolean, what: string, timeoutMs: number): Promise<Map<string, TrafficRecord>> {
  try {
    return await c.waitFor(() => check(traffic()) && traffic(), what, timeoutMs);
  } catch (error) {
    const seen = [...traffic().values()].map((r) => `${r.uid} ${JSON.stringify({ rate: r.requestRate, errors: r.errorRate, p95: r.p95Ms, bytes: r.tcpBytesRate, conns: r.tcpConnections })}`);
    throw new Error(`${(error as Error).message}; status ${JSON.stringify(lastStatus())}; records:\n${seen.join('\n')}`);
  }
}

describe('observed traffic from a real Prometheus', () => {
  it('reads all three meshes with the rates, errors and latencies the exporter serves', async () => {
    const steady = (r: Map<string, TrafficRecord>) =>
      near(r.get(UID.web)?.requestRate, 10) && near(r.get(UID.api)?.requestRate, 6) && near(r.get(UID.traced)?.requestRate, 3) && near(r.get(UID.db)?.tcpBytesRate, 5000);
    // Prometheus scrapes its first targets a few seconds after it starts; then the 5 s window fills.
    const records = await waitForTraffic(steady, 'steady rates of every mesh', 40_000);

    expect([...records.keys()].sort(), 'one record per pair: no inbound, peer="src" or client-side duplicates').toEqual(Object.values(UID).filter((u) => u !== UID.added).sort());
    const web = records.get(UID.web)!;
    expect(web).toMatchObject({ mesh: 'istio', protocol: 'http', source: { namespace: 'shop', workload: 'frontend' }, destination: { namespace: 'shop', workload: 'cart', service: 'cart' } });
    // Both reporters expose 10 req/s: preferring the source's series counts them once.
    expect(near(web.errorRate, 1, 0.15)).toBe(true);
    // Every request takes 40 ms: the quantile lies in Istio's (25, 50] ms bucket.
    expect(web.p95Ms).toBeGreaterThan(25);
    expect(web.p95Ms).toBeLessThanOrEqual(50);

    const payments = records.get(UID.payments)!;
    expect(payments.protocol).toBe('grpc');
    expect(near(payments.requestRate, 5, 0.15) && near(payments.errorRate, 0.5, 0.2), 'gRPC failures answer HTTP 200: counted by grpc-status').toBe(true);

    const visitors = records.get(UID.visitors)!;
    expect(visitors.source).toEqual({ outside: true });
    expect(near(visitors.requestRate, 4, 0.15), 'a pair only the destination reports').toBe(true);
    expect(visitors.errorRate).toBe(0);

    expect(records.get(UID.db)).toMatchObject({ protocol: 'tcp', tcpConnections: 7 });
    expect(records.get(UID.db)!.requestRate).toBeUndefined();

    const api = records.get(UID.api)!;
    expect(api).toMatchObject({ mesh: 'linkerd', protocol: 'http', tcpConnections: 3, destination: { namespace: 'books', workload: 'authors', service: 'authors' } });
    expect(near(api.errorRate, 0.6, 0.15) && near(api.tcpBytesRate, 1000, 0.15)).toBe(true);
    expect(api.p95Ms).toBeGreaterThan(20);
    expect(api.p95Ms).toBeLessThanOrEqual(30);

    const traced = records.get(UID.traced)!;
    expect(traced).toMatchObject({ mesh: 'otel', source: { namespace: 'shop', serviceName: 'frontend' }, destination: { namespace: 'shop', serviceName: 'checkout' } });
    expect(near(traced.errorRate, 0.3, 0.15)).toBe(true);
    // 90 ms in the service graph's (0.05, 0.1] s bucket, turned into milliseconds.
    expect(traced.p95Ms).toBeGreaterThan(50);
    expect(traced.p95Ms).toBeLessThanOrEqual(100);
    expect(records.get(UID.browsers)!.source).toEqual({ outside: true });

    expect(lastStatus()).toMatchObject({ traffic: 'available', trafficMeshes: ['istio', 'linkerd', 'otel'] });
    expect(lastStatus()!.trafficReason).toBeUndefined();
    expect(c.problems).toEqual([]);
  });

  it('follows a changed rate, a new pair and a pair that went away within a few polls', async () => {
    const webBefore = traffic().get(UID.web)!;
    exporter.update('web', { requestRate: 30 });
    exporter.set('added', { mesh: 'linkerd', from: { namespace: 'books', workload: 'webapp' }, to: { namespace: 'books', workload: 'reviews' }, requestRate: 2, latencyMs: 12 });
    exporter.remove('db');
    const changedAt = Date.now();
    const records = await waitForTraffic(
      (r) => near(r.get(UID.web)?.requestRate, 30) && r.has(UID.added) && !r.has(UID.db),
      'the new rate, the added pair and the removal',
      20_000,
    );
    expect(Date.now() - changedAt, 'within the 5 s window plus a few polls').toBeLessThan(15_000);
    expect(records.get(UID.web)!.createdAt, 'still the same pair').toBe(webBefore.createdAt);
    expect(c.log.some((e) => e.type === 'delete' && e.kind === 'Traffic' && e.uid === UID.db)).toBe(true);
    expect(c.problems).toEqual([]);
  });

  it('reaches the browser stream through the kubeglance command and --prometheus-url', async () => {
    const app = await startKubeglance(['--kubeconfig', inject('kubeconfig'), '--prometheus-url', prometheus!.url, '--prometheus-interval', '5']);
    const client = new StreamClient(app.url);
    try {
      await client.connect();
      await client.waitFor(() => client.cluster().status.traffic === 'available' && client.records('Traffic').length >= Object.keys(PAIRS).length - 1, 30_000, 'traffic in the stream');
      expect(client.cluster().status.trafficMeshes).toEqual(['istio', 'linkerd', 'otel']);
      expect(client.records('Traffic').map((r) => r.uid)).toContain(UID.added);
    } finally {
      await client.close();
      await app.stop();
    }
  });

  it('says Prometheus is unreachable, keeps the last traffic, and the cluster stream goes on', async () => {
    const before = traffic();
    await prometheus!.stop();
    prometheus = undefined;
    await c.waitFor(() => lastStatus()?.traffic === 'unavailable', "traffic 'unavailable'", 10_000);
    expect(lastStatus()!.trafficReason).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:\d+ unreachable: ECONNREFUSED$/);
    expect(lastStatus()!.trafficMeshes).toBeUndefined();
    expect([...traffic().keys()].sort(), 'records kept for now').toEqual([...before.keys()].sort());

    await kubectl(['create', 'namespace', NS]);
    await c.waitFor(() => c.find('Namespace', (n: NamespaceRecord) => n.name === NS), `Namespace ${NS} through the wrapped source`, 20_000);
    expect(lastStatus()?.traffic, 'statuses of the wrapped source carry the traffic state').toBe('unavailable');
    expect(c.problems).toEqual([]);
  });

  it('explains a URL that is not Prometheus', async () => {
    // The exporter answers /metrics only: as a Prometheus URL it is the common mistake of
    // pointing at a scrape target.
    const poller = new TrafficPoller({ url: exporter.url, intervalMs: 60_000 });
    const update = await new Promise<TrafficUpdate>((resolve) => poller.start(resolve));
    await poller.stop();
    expect(update.status).toEqual({
      traffic: 'unavailable',
      trafficReason: `Prometheus at ${exporter.url} answered HTTP 404 Not Found (is ${exporter.url} the base URL of Prometheus? kubeglance queries /api/v1/query)`,
    });
  });
});
