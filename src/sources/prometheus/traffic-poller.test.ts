import { afterEach, describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../../model/records.js';
import type { SourceEvent } from '../source.js';
import { trafficQueries, type TrafficQuery } from './queries.js';
import { TrafficPoller, type TrafficPollerOptions, type TrafficUpdate } from './traffic-poller.js';

const URL_BASE = 'http://prometheus.test:9090';
const CART = { source_workload: 'frontend', source_workload_namespace: 'shop', destination_workload: 'cart', destination_workload_namespace: 'shop', destination_service_name: 'cart', destination_service_namespace: 'shop' };
const CART_UID = 'istio:shop/w:frontend->shop/w:cart/s:cart';
const ORDERS = { ...CART, destination_workload: 'orders', destination_service_name: 'orders' };
const ORDERS_UID = 'istio:shop/w:frontend->shop/w:orders/s:orders';

type Reply = { status?: number; statusText?: string; body: string; contentType?: string } | { refuse: string } | 'hang';

/**
 * A stand-in for Prometheus behind `fetch`: each query is recognised by its PromQL, and answered
 * with the series set for its mesh and field, or with whatever `reply` says instead.
 */
class FakePrometheus {
  series = new Map<string, { labels: Record<string, string>; value: string }[]>();
  reply: ((query: TrafficQuery | undefined, url: URL) => Reply | undefined) | undefined;
  readonly requests: URL[] = [];
  private readonly byPromql = new Map(trafficQueries({ window: '10s' }).map((q) => [q.promql, q]));

  set(mesh: TrafficQuery['mesh'], field: TrafficQuery['field'], ...items: [Record<string, string>, number | string][]): void {
    this.series.set(`${mesh}.${field}`, items.map(([labels, value]) => ({ labels, value: String(value) })));
  }

  readonly fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    this.requests.push(url);
    const query = this.byPromql.get(url.searchParams.get('query') ?? '');
    const reply = this.reply?.(query, url);
    if (reply === 'hang') {
      return new Promise((_resolve, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if (reply && 'refuse' in reply) throw new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${reply.refuse}`), { code: reply.refuse }) });
    if (reply) return new Response(reply.body, { status: reply.status ?? 200, statusText: reply.statusText ?? '', headers: { 'content-type': reply.contentType ?? 'application/json' } });
    if (!query) return new Response(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'unknown query' }), { status: 400 });
    const result = (this.series.get(`${query.mesh}.${query.field}`) ?? []).map(({ labels, value }) => ({ metric: labels, value: [1_750_000_000, value] }));
    return new Response(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

let poller: TrafficPoller | undefined;
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

/** A started poller (its loop waits an hour between polls: the test drives polls itself). */
async function started(prom: FakePrometheus, options: Partial<TrafficPollerOptions> = {}) {
  let now = 1_000_000;
  const updates: TrafficUpdate[] = [];
  poller = new TrafficPoller({ url: URL_BASE, window: '10s', intervalMs: 3_600_000, fetch: prom.fetch, now: () => now, random: () => 1, ...options });
  poller.start((update) => updates.push(update));
  // The first poll runs at once.
  await expect.poll(() => poller!.status.traffic).not.toBe('pending');
  return {
    poller,
    updates,
    advance: (ms: number) => (now += ms),
    /** Events of the updates since `from`. */
    events: (from = 0): SourceEvent[] => updates.slice(from).flatMap((u) => u.events),
  };
}

const upserted = (events: SourceEvent[]) => events.flatMap((e) => (e.type === 'upsert' ? [e.record as TrafficRecord] : []));
const deleted = (events: SourceEvent[]) => events.flatMap((e) => (e.type === 'delete' ? [e.uid] : []));

describe('TrafficPoller', () => {
  it('is pending until the first answer, then available with the meshes found and the records', async () => {
    const prom = new FakePrometheus();
    prom.set('istio', 'requestRate', [{ ...CART, request_protocol: 'http' }, 10]);
    prom.set('otel', 'requestRate', [{ client: 'a', server: 'b' }, 1]);
    const unstarted = new TrafficPoller({ url: URL_BASE, fetch: prom.fetch });
    expect(unstarted.status).toEqual({ traffic: 'pending' });
    const { updates } = await started(prom);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.status).toEqual({ traffic: 'available', trafficMeshes: ['istio', 'otel'] });
    expect(updates[0]!.statusChanged).toBe(true);
    expect(upserted(updates[0]!.events).map((r) => r.uid).sort()).toEqual([CART_UID, 'otel:n:a->n:b']);
  });

  it('sends only what changed: nothing for small moves, upserts for big ones and zero crossings, deletes for pairs gone', async () => {
    const prom = new FakePrometheus();
    prom.set('istio', 'requestRate', [CART, 10], [ORDERS, 0]);
    const { poller, updates, advance, events } = await started(prom);
    const first = upserted(events()).find((r) => r.uid === CART_UID)!;

    prom.set('istio', 'requestRate', [CART, 10.4], [ORDERS, 0]);
    let seen = updates.length;
    await poller.pollOnce();
    expect(updates.length, 'a 4% move and an unchanged pair report nothing').toBe(seen);

    advance(30_000);
    prom.set('istio', 'requestRate', [CART, 12], [ORDERS, 0.5]);
    seen = updates.length;
    await poller.pollOnce();
    const moved = upserted(events(seen));
    expect(moved.map((r) => [r.uid, r.requestRate])).toEqual([
      [CART_UID, 12],
      [ORDERS_UID, 0.5],
    ]);
    expect(moved[0]!.createdAt, 'first seen stays the first poll').toBe(first.createdAt);
    expect(updates[updates.length - 1]!.statusChanged).toBe(false);

    prom.set('istio', 'requestRate', [ORDERS, 0.5]);
    seen = updates.length;
    await poller.pollOnce();
    expect(events(seen)).toEqual([{ type: 'delete', kind: 'Traffic', uid: CART_UID }]);
  });

  it('says so, and withdraws the records at once, when Prometheus has none of the mesh series', async () => {
    const prom = new FakePrometheus();
    prom.set('istio', 'requestRate', [CART, 10]);
    const { poller, updates, events } = await started(prom);
    prom.series.clear();
    const seen = updates.length;
    await poller.pollOnce();
    expect(deleted(events(seen))).toEqual([CART_UID]);
    expect(poller.status).toEqual({ traffic: 'unavailable', trafficReason: `no Istio, Linkerd or OpenTelemetry service-graph series found in Prometheus at ${URL_BASE}` });
  });

  it('keeps the records while Prometheus is unreachable, backing off, and drops them after five minutes of failure', async () => {
    const prom = new FakePrometheus();
    prom.set('istio', 'requestRate', [CART, 10]);
    const { poller, updates, advance, events } = await started(prom, { intervalMs: 1_000, backoff: { initialMs: 1_000, maxMs: 8_000 } });
    prom.reply = () => ({ refuse: 'ECONNREFUSED' });

    let seen = updates.length;
    const delays = [await poller.pollOnce()];
    expect(poller.status).toEqual({ traffic: 'unavailable', trafficReason: `Prometheus at ${URL_BASE} unreachable: ECONNREFUSED` });
    expect(events(seen), 'records kept at first').toEqual([]);
    advance(60_000);
    for (let i = 0; i < 4; i++) delays.push(await poller.pollOnce());
    // Doubling up to the maximum (random() = 1: the whole of each step).
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(updates.length, 'the same reason is reported once').toBe(seen + 1);

    advance(5 * 60_000);
    seen = updates.length;
    await poller.pollOnce();
    expect(deleted(events(seen))).toEqual([CART_UID]);

    prom.reply = undefined;
    seen = updates.length;
    expect(await poller.pollOnce(), 'back to the usual pace').toBe(1_000);
    expect(poller.status.traffic).toBe('available');
    expect(upserted(events(seen)).map((r) => r.uid)).toEqual([CART_UID]);
  });

  it.each<[string, Reply, string]>([
    ['an HTTP error', { status: 503, statusText: 'Service Unavailable', body: 'overloaded', contentType: 'text/plain' }, `Prometheus at ${URL_BASE} answered HTTP 503 Service Unavailable`],
    ['a 404 (not the base URL)', { status: 404, statusText: 'Not Found', body: 'not found', contentType: 'text/plain' }, `answered HTTP 404 Not Found (is ${URL_BASE} the base URL of Prometheus? kubeglance queries /api/v1/query)`],
    ['a web page', { body: '<!doctype html><title>Grafana</title>', contentType: 'text/html; charset=utf-8' }, `${URL_BASE} does not look like Prometheus: /api/v1/query answered text/html, not JSON`],
    ['JSON of another API', { body: JSON.stringify({ items: [] }) }, `${URL_BASE} does not look like Prometheus: unexpected answer to the`],
    ['a rejected query', { status: 422, body: JSON.stringify({ status: 'error', errorType: 'execution', error: 'query processing would load too many samples' }) }, 'rejected the Istio request rate query (HTTP 422): execution: query processing would load too many samples'],
    ['an unknown host', { refuse: 'ENOTFOUND' }, `Prometheus at ${URL_BASE} unreachable: ENOTFOUND`],
  ])('explains %s', async (_name, reply, reason) => {
    const prom = new FakePrometheus();
    prom.reply = () => reply;
    const { poller } = await started(prom);
    expect(poller.status.traffic).toBe('unavailable');
    expect(poller.status.trafficReason).toContain(reason);
  });

  it('gives up on a query that does not answer within the timeout', async () => {
    const prom = new FakePrometheus();
    prom.reply = () => 'hang';
    const { poller } = await started(prom, { timeoutMs: 50 });
    expect(poller.status).toEqual({ traffic: 'unavailable', trafficReason: `Prometheus at ${URL_BASE} did not answer within 50 ms` });
  });

  it('queries <url>/api/v1/query below a path prefix, a few queries at a time', async () => {
    const prom = new FakePrometheus();
    let inFlight = 0;
    let most = 0;
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return prom.fetch(input, init);
    }) as typeof globalThis.fetch;
    await started(prom, { url: 'http://obs.test/prometheus', fetch, concurrency: 3 });
    expect(new Set(prom.requests.map((u) => `${u.origin}${u.pathname}`))).toEqual(new Set(['http://obs.test/prometheus/api/v1/query']));
    expect(prom.requests.map((u) => u.searchParams.get('query'))).toEqual(trafficQueries({ window: '10s' }).map((q) => q.promql));
    expect(most).toBe(3);
  });

  it('aborts a poll in flight on stop() and reports nothing afterwards', async () => {
    const prom = new FakePrometheus();
    prom.reply = () => 'hang';
    const updates: TrafficUpdate[] = [];
    poller = new TrafficPoller({ url: URL_BASE, fetch: prom.fetch, timeoutMs: 60_000 });
    poller.start((u) => updates.push(u));
    await expect.poll(() => prom.requests.length).toBeGreaterThan(0);
    const stopping = poller.stop();
    await stopping;
    expect(updates).toEqual([]);
    expect(poller.status.traffic).toBe('pending');
  });

  it('refuses a URL that is not http or https', () => {
    expect(() => new TrafficPoller({ url: 'file:///etc/passwd' })).toThrow(/http or https/);
  });
});
