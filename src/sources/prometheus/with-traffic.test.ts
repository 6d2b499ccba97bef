import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { NamespaceRecord } from '../../model/records.js';
import type { ClusterSource, SourceEvent, SourceSink } from '../source.js';
import { trafficQueries } from './queries.js';
import { withTraffic, withTrafficFields } from './with-traffic.js';

/** A source the test drives by hand. */
class ManualSource implements ClusterSource {
  readonly id = 'manual';
  readonly name = 'Manual cluster';
  sink: SourceSink | undefined;
  stopped = false;

  start(sink: SourceSink): void {
    this.sink = sink;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  emit(...events: SourceEvent[]): void {
    this.sink?.(events);
  }
}

const status = (phase: ClusterStatus['phase'], extra: Partial<ClusterStatus> = {}): ClusterStatus => ({ phase, since: 1, kinds: {}, metrics: 'pending', ...extra });
const namespace = (name: string): NamespaceRecord => ({ kind: 'Namespace', uid: `ns-${name}`, name, createdAt: 1, phase: 'Active' });
const CART = { source_workload: 'frontend', source_workload_namespace: 'shop', destination_workload: 'cart', destination_workload_namespace: 'shop', destination_service_name: 'cart', destination_service_namespace: 'shop' };

/** Prometheus behind fetch: Istio requests for the pairs in `rates`; `down` refuses connections. */
function fakePrometheus() {
  const requestQuery = trafficQueries({ window: '10s' }).find((q) => q.mesh === 'istio' && q.field === 'requestRate')!.promql;
  const state = { rates: new Map<string, number>([['cart', 10]]), down: false, requests: 0, release: undefined as (() => void) | undefined, gate: undefined as Promise<void> | undefined };
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    state.requests++;
    if (state.gate) {
      // As a real fetch does, give up when the request is aborted.
      const signal = init?.signal;
      await Promise.race([state.gate, new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }))]);
    }
    if (state.down) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const query = new URL(String(input)).searchParams.get('query');
    const result =
      query === requestQuery ? [...state.rates].map(([dst, rate]) => ({ metric: { ...CART, destination_workload: dst, destination_service_name: dst }, value: [1_750_000_000, String(rate)] })) : [];
    return new Response(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  }) as typeof globalThis.fetch;
  return { state, fetch };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function wrapped(options: { holdFirstAnswer?: boolean; intervalMs?: number } = {}) {
  const inner = new ManualSource();
  const prom = fakePrometheus();
  if (options.holdFirstAnswer) prom.state.gate = new Promise((resolve) => (prom.state.release = resolve));
  const source = withTraffic(inner, { url: 'http://prometheus.test:9090', window: '10s', intervalMs: options.intervalMs ?? 3_600_000, fetch: prom.fetch });
  const calls: SourceEvent[][] = [];
  source.start((events) => calls.push(events));
  cleanup = () => source.stop();
  const events = () => calls.flat();
  const statuses = () => events().flatMap((e) => (e.type === 'status' ? [e.status] : []));
  return { inner, prom, source, calls, events, statuses };
}

describe('withTraffic', () => {
  it('keeps the id and name, and forwards the wrapped events in their batches, statuses marked pending', async () => {
    const { inner, source, calls, prom } = wrapped({ holdFirstAnswer: true });
    expect([source.id, source.name]).toEqual(['manual', 'Manual cluster']);
    inner.emit({ type: 'status', status: status('connecting') });
    inner.emit({ type: 'upsert', record: namespace('a') }, { type: 'upsert', record: namespace('b') }, { type: 'status', status: status('live') });
    expect(calls).toEqual([
      [{ type: 'status', status: status('connecting', { traffic: 'pending' }) }],
      [{ type: 'upsert', record: namespace('a') }, { type: 'upsert', record: namespace('b') }, { type: 'status', status: status('live', { traffic: 'pending' }) }],
    ]);
    prom.state.release!();
  });

  it('injects Traffic upserts and the last status with the traffic fields once Prometheus answers', async () => {
    const { inner, prom, calls, statuses } = wrapped({ holdFirstAnswer: true });
    inner.emit({ type: 'status', status: status('live', { version: 'v1.31.0' }) });
    const before = calls.length;
    prom.state.release!();
    await expect.poll(() => calls.length).toBe(before + 1);
    const [upsert, statusEvent] = calls[before]!;
    expect(upsert).toMatchObject({ type: 'upsert', record: { kind: 'Traffic', uid: 'istio:shop/w:frontend->shop/w:cart/s:cart', requestRate: 10 } });
    expect(statusEvent).toEqual({ type: 'status', status: status('live', { version: 'v1.31.0', traffic: 'available', trafficMeshes: ['istio'] }) });
    // Later statuses of the wrapped source carry the traffic fields too.
    inner.emit({ type: 'status', status: status('stale', { reason: 'watch failed' }) });
    expect(statuses().at(-1)).toEqual(status('stale', { reason: 'watch failed', traffic: 'available', trafficMeshes: ['istio'] }));
  });

  it('before the wrapped source has said anything, injects the traffic alone; its first status carries the fields', async () => {
    const { inner, calls } = wrapped();
    await expect.poll(() => calls.length).toBe(1);
    expect(calls[0]!.map((e) => e.type)).toEqual(['upsert']);
    inner.emit({ type: 'status', status: status('connecting') });
    expect(calls[1]).toEqual([{ type: 'status', status: status('connecting', { traffic: 'available', trafficMeshes: ['istio'] }) }]);
  });

  it('reports Prometheus going away with a reason while the wrapped stream goes on', async () => {
    const { inner, prom, calls, statuses } = wrapped({ intervalMs: 20 });
    inner.emit({ type: 'status', status: status('live') });
    await expect.poll(() => statuses().at(-1)?.traffic).toBe('available');
    prom.state.down = true;
    await expect.poll(() => statuses().at(-1)?.traffic).toBe('unavailable');
    expect(statuses().at(-1)).toEqual(status('live', { traffic: 'unavailable', trafficReason: 'Prometheus at http://prometheus.test:9090 unreachable: ECONNREFUSED' }));
    expect(calls.at(-1)!.map((e) => e.type), 'records are kept: only the status').toEqual(['status']);
    inner.emit({ type: 'upsert', record: namespace('c') });
    expect(calls.at(-1)).toEqual([{ type: 'upsert', record: namespace('c') }]);
    inner.emit({ type: 'status', status: status('live', { metrics: 'available' }) });
    expect(statuses().at(-1)?.traffic).toBe('unavailable');
  });

  it('stops both, and nothing reaches the sink afterwards', async () => {
    const { inner, prom, source, calls } = wrapped({ holdFirstAnswer: true });
    await source.stop();
    expect(inner.stopped).toBe(true);
    const n = calls.length;
    prom.state.release!();
    inner.emit({ type: 'upsert', record: namespace('late') });
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(n);
  });
});

describe('withTrafficFields', () => {
  it('replaces the traffic fields without leaving a stale reason or meshes behind', () => {
    const old = status('live', { traffic: 'unavailable', trafficReason: 'was down', trafficMeshes: ['otel'] });
    expect(withTrafficFields(old, { traffic: 'available', trafficMeshes: ['istio'] })).toEqual(status('live', { traffic: 'available', trafficMeshes: ['istio'] }));
    expect(withTrafficFields(old, { traffic: 'pending' })).toEqual(status('live', { traffic: 'pending' }));
    expect(old.trafficReason, 'the wrapped status is not changed').toBe('was down');
  });
});
