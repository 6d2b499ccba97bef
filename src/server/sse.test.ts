import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterState } from '../model/cluster-state.js';
import type { DeltaMessage, SnapshotMessage } from '../model/stream.js';
import { buildApp, SECURITY_HEADERS } from './http.js';
import { Hub, type HubOptions } from './hub.js';
import { ServerMetrics } from './metrics.js';
import type { EventStreamOptions } from './sse.js';
import { ClusterStore } from './store.js';
import { pod, status } from './testing/fixtures.js';
import { SseClient } from './testing/sse-client.js';

const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: { hub?: HubOptions; stream?: EventStreamOptions } = {}) {
  const store = new ClusterStore();
  const sink = store.addCluster('c1', 'one');
  const hub = new Hub(store, { firstSeq: 0, ...options.hub });
  const app = buildApp({ store, hub, metrics: new ServerMetrics(), logger: pino({ level: 'silent' }), stream: options.stream });
  await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => app.close(), () => hub.stop());
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/api/v1/stream`;

  const connect = async (headers?: Record<string, string>, query = '') => {
    const client = await SseClient.connect(url + query, headers);
    cleanups.push(() => client.close());
    return client;
  };
  const metric = async (name: string) => {
    const text = (await app.inject('/metrics')).body;
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };
  return { store, sink, hub, connect, metric };
}

describe('GET /api/v1/stream', () => {
  it('sends every connected client the new snapshot when the hub is reset (a replica reloading), then deltas from it', async () => {
    const { store, sink, hub, connect } = await serve();
    sink([{ type: 'upsert', record: pod('a') }, { type: 'status', status: status('live') }]);
    const client = await connect();
    await client.nextJson<SnapshotMessage>('snapshot');

    hub.reset({ seq: 900, clusters: [{ ...store.snapshot()[0]!, pods: [pod('z')] }] });
    const reloaded = await client.nextJson<SnapshotMessage>('snapshot');
    expect(reloaded.seq).toBe(900);
    expect(reloaded.clusters[0]!.pods.map((p) => p.uid)).toEqual(['z']);

    sink([{ type: 'upsert', record: pod('y') }]);
    hub.flush();
    expect((await client.nextJson<DeltaMessage>('delta')).seq).toBe(901);
  });

  it('answers 300 fuzzed Last-Event-IDs (header and query) with 200 and a snapshot or exactly the missed deltas', async () => {
    const { sink, hub, connect } = await serve();
    sink([{ type: 'upsert', record: pod('a') }, { type: 'status', status: status('live') }]);
    for (const uid of ['b', 'c', 'd']) {
      sink([{ type: 'upsert', record: pod(uid) }]);
      hub.flush();
    }
    // The ring holds every delta since the first cut, whose seq 1 follows firstSeq 0.
    const oldest = 0;
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const values = ['', ' ', '-1', '0', '1', '2', '3', '4', '5', '999999999999999', '1e3', '0x2', '2.5', ' 3 ', 'abc', '%00', '<script>', '9'.repeat(40), '３'];
    for (let i = 0; i < 300; i++) {
      const value = next() < 0.2 ? Array.from({ length: Math.floor(next() * 20) }, () => pick([...'0123456789 -+.eE\t'])).join('') : pick(values);
      const viaHeader = next() < 0.5;
      // A header carries Latin-1 only (node refuses to send more, as browsers do).
      const headerValue = /^[\x20-\x7e\t]*$/.test(value) ? value : encodeURIComponent(value);
      const client = await connect(viaHeader ? { 'last-event-id': headerValue } : {}, viaHeader ? '' : `?lastEventId=${encodeURIComponent(value)}`);
      expect(client.status).toBe(200);
      const sent = viaHeader ? headerValue : value;
      const resumeFrom = /^\d{1,15}$/.test(sent.trim()) ? Number(sent.trim()) : undefined;
      if (resumeFrom === hub.seq) {
        // Current already: nothing to send until the next delta.
        await expect(client.next(50)).rejects.toThrow();
      } else {
        const first = await client.next();
        const resumed = resumeFrom !== undefined && resumeFrom >= oldest && resumeFrom < hub.seq;
        // Resumed: the first delta it missed; anything else: a snapshot.
        expect([first.event, Number(first.id)]).toEqual(resumed ? ['delta', resumeFrom + 1] : ['snapshot', hub.seq]);
      }
      await client.close();
    }
  });

  it('answers with event-stream headers and the security headers', async () => {
    const { connect } = await serve();
    const client = await connect();
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-cache, no-transform');
    expect(client.headers['x-accel-buffering']).toBe('no');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(client.headers[name]).toBe(value);
  });

  it('sends a snapshot, then deltas with consecutive seqs that keep the client in step', async () => {
    const { store, sink, hub, connect, metric } = await serve();
    sink([{ type: 'upsert', record: pod('a', { nodeName: 'n1' }) }, { type: 'status', status: status('live') }]);
    const client = await connect();
    const snapshot = await client.nextJson<SnapshotMessage>('snapshot');
    expect(snapshot.seq).toBe(1);
    expect(await metric('kubeglance_sse_clients')).toBe(1);

    const mirror = ClusterState.fromSnapshot(snapshot.clusters[0]!);
    sink([{ type: 'upsert', record: pod('b', { nodeName: 'n1' }) }]);
    hub.flush();
    sink([{ type: 'delete', kind: 'Pod', uid: 'a' }, { type: 'upsert', record: pod('b', { restarts: 3 }) }]);
    hub.flush();
    for (const seq of [2, 3]) {
      const delta = await client.nextJson<DeltaMessage>('delta');
      expect(delta.seq).toBe(seq);
      for (const change of delta.changes) mirror.apply(change);
    }
    expect(mirror.toSnapshot()).toEqual(store.snapshot()[0]);
  });

  it('coalesces changes made within one batch into one delta', async () => {
    const { sink, connect } = await serve({ hub: { batchMs: 100 } });
    const client = await connect();
    await client.nextJson('snapshot');
    for (let restarts = 1; restarts <= 3; restarts++) sink([{ type: 'upsert', record: pod('a', { restarts }) }]);
    sink([{ type: 'upsert', record: pod('b') }]);
    sink([{ type: 'delete', kind: 'Pod', uid: 'b' }]);
    const delta = await client.nextJson<DeltaMessage>('delta');
    expect(delta.seq).toBe(1);
    expect(delta.changes).toEqual([
      { op: 'upsert', cluster: 'c1', record: pod('a', { restarts: 3 }) },
      { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'b' },
    ]);
  });

  it('resumes from Last-Event-ID with the held deltas, without a snapshot', async () => {
    const { sink, hub, connect } = await serve();
    const first = await connect();
    await first.nextJson('snapshot');
    sink([{ type: 'upsert', record: pod('a') }]);
    hub.flush();
    expect((await first.nextJson<DeltaMessage>('delta')).seq).toBe(1);
    first.close();

    sink([{ type: 'upsert', record: pod('b') }]);
    hub.flush();
    sink([{ type: 'upsert', record: pod('c') }]);
    hub.flush();

    const byHeader = await connect({ 'last-event-id': '1' });
    expect((await byHeader.nextJson<DeltaMessage>('delta')).seq).toBe(2);
    expect((await byHeader.nextJson<DeltaMessage>('delta')).seq).toBe(3);

    const byQuery = await connect({}, '?lastEventId=2');
    const resumed = await byQuery.nextJson<DeltaMessage>('delta');
    expect(resumed.seq).toBe(3);
    expect(resumed.changes).toEqual([{ op: 'upsert', cluster: 'c1', record: pod('c') }]);

    // Live deltas follow the resumed ones.
    sink([{ type: 'delete', kind: 'Pod', uid: 'a' }]);
    hub.flush();
    expect((await byHeader.nextJson<DeltaMessage>('delta')).seq).toBe(4);
    expect((await byQuery.nextJson<DeltaMessage>('delta')).seq).toBe(4);
  });

  it('sends a snapshot when the gap is no longer held, or the id is not one of ours', async () => {
    const { sink, hub, connect } = await serve({ hub: { ringMaxDeltas: 2 } });
    for (let restarts = 1; restarts <= 4; restarts++) {
      sink([{ type: 'upsert', record: pod('a', { restarts }) }]);
      hub.flush();
    }
    for (const lastEventId of ['1', '99', 'banana']) {
      const client = await connect({ 'last-event-id': lastEventId });
      const snapshot = await client.nextJson<SnapshotMessage>('snapshot');
      expect(snapshot.seq).toBe(4);
      expect(snapshot.clusters[0]!.pods[0]!.restarts).toBe(4);
    }
    const heldGap = await connect({ 'last-event-id': '2' });
    expect((await heldGap.nextJson<DeltaMessage>('delta')).seq).toBe(3);
  });

  it('writes a keepalive comment while idle', async () => {
    const { connect } = await serve({ stream: { keepaliveMs: 50 } });
    const client = await connect();
    await client.nextJson('snapshot');
    await new Promise((resolve) => setTimeout(resolve, 180));
    expect(client.comments).toBeGreaterThanOrEqual(2);
  });

  it('holds deltas back from a client that stops reading, then sends it a fresh snapshot', async () => {
    const maxQueuedBytes = 256 * 1024;
    const { store, sink, hub, connect, metric } = await serve({ stream: { maxQueuedBytes } });
    const client = await connect();
    await client.nextJson('snapshot');
    client.pause();

    // Big deltas until the kernel buffers are full and the server starts to hold back.
    const filler = 'x'.repeat(64 * 1024);
    let restarts = 0;
    const pump = async () => {
      sink([{ type: 'upsert', record: pod('big', { labels: { filler }, restarts: ++restarts }) }]);
      hub.flush();
      await new Promise((resolve) => setImmediate(resolve));
    };
    while ((await metric('kubeglance_sse_lagging_clients')) === 0) {
      if (restarts > 2_000) throw new Error('the client was never held back');
      await pump();
    }
    for (let i = 0; i < 100; i++) await pump(); // 6 MiB more, none of it may be queued
    const queued = await metric('kubeglance_sse_queued_bytes');
    expect(queued).toBeGreaterThan(maxQueuedBytes);
    expect(queued).toBeLessThan(maxQueuedBytes + 2 * (filler.length + 1_000));

    client.resume();
    let seq = 0;
    let event = await client.next(5_000);
    while (event.event === 'delta') {
      const delta = JSON.parse(event.data) as DeltaMessage;
      expect(delta.seq).toBe(seq + 1);
      seq = delta.seq;
      event = await client.next(5_000);
    }
    const snapshot = JSON.parse(event.data) as SnapshotMessage;
    expect(event.event).toBe('snapshot');
    expect(snapshot.seq).toBe(hub.seq);
    expect(snapshot.seq).toBeGreaterThan(seq + 50);
    expect(snapshot.clusters[0]).toEqual(store.snapshot()[0]);
    expect(await metric('kubeglance_sse_lagging_clients')).toBe(0);

    sink([{ type: 'delete', kind: 'Pod', uid: 'big' }]);
    hub.flush();
    expect((await client.nextJson<DeltaMessage>('delta')).seq).toBe(snapshot.seq + 1);
  });

  it('does not take one frame larger than the limit for a slow client', async () => {
    const { sink, hub, connect, metric } = await serve({ stream: { maxQueuedBytes: 256 * 1024 } });
    const client = await connect();
    await client.nextJson('snapshot');
    client.pause();
    // Larger than the limit plus what loopback socket buffers absorb.
    sink([{ type: 'upsert', record: pod('huge', { labels: { filler: 'x'.repeat(16 * 1024 * 1024) } }) }]);
    hub.flush();
    for (let restarts = 1; restarts <= 3; restarts++) {
      sink([{ type: 'upsert', record: pod('small', { restarts }) }]);
      hub.flush();
    }
    expect(await metric('kubeglance_sse_queued_bytes')).toBeGreaterThan(256 * 1024);
    expect(await metric('kubeglance_sse_lagging_clients')).toBe(0);

    client.resume();
    for (let seq = 1; seq <= 4; seq++) expect((await client.nextJson<DeltaMessage>('delta', 5_000)).seq).toBe(seq);
  });

  it('forgets a client that disconnects', async () => {
    const { connect, metric } = await serve();
    const client = await connect();
    await client.nextJson('snapshot');
    client.close();
    for (let i = 0; i < 50 && (await metric('kubeglance_sse_clients')) !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await metric('kubeglance_sse_clients')).toBe(0);
  });
});
