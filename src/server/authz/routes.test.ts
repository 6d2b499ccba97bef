// Authorization through the whole app: identities from a token file (one token bound to a
// namespace by the file, one scoped by the policy, one that sees everything), over snapshot,
// stream (live and resumed with Last-Event-ID) and topology.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterState } from '../../model/cluster-state.js';
import type { DeltaMessage, SnapshotMessage } from '../../model/stream.js';
import { node } from '../../model/testing/records.js';
import { TokenFile, tokenHashText } from '../auth/tokens.js';
import { buildApp } from '../http.js';
import { Hub } from '../hub.js';
import { ServerMetrics } from '../metrics.js';
import type { EventStreamOptions } from '../sse.js';
import { ClusterStore } from '../store.js';
import { pod, status } from '../testing/fixtures.js';
import { SseClient } from '../testing/sse-client.js';
import { filterSnapshot } from './filter.js';
import { parseAuthzPolicy } from './policy.js';
import type { AuthzPolicy } from './scope.js';
import { uids } from './testing/snapshot.js';

const ADMIN = 'admin-token-0123456789abcdef0123456789';
const SHOP_TV = 'shop-tv-token-0123456789abcdef012345';
const DEV = 'dev-token-0123456789abcdef0123456789ab';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubeglance-authz-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const POLICY = parseAuthzPolicy(`
groups:
  admin: { namespaces: ['*'], nodes: true }
  dev: { namespaces: ['shop-*'], nodes: true }
  shop-tv: { namespaces: ['*'], nodes: false }
`);

async function serve(authz: AuthzPolicy | undefined, stream?: EventStreamOptions) {
  const tokenPath = path.join(dir, `tokens-${Math.random().toString(36).slice(2)}`);
  writeFileSync(tokenPath, [`admin ${tokenHashText(ADMIN)}`, `shop-tv ${tokenHashText(SHOP_TV)} namespaces=shop`, `dev ${tokenHashText(DEV)}`].join('\n'));
  const store = new ClusterStore();
  const sink = store.addCluster('c1', 'one');
  const hub = new Hub(store, { firstSeq: 0 });
  const auth = { tokens: await TokenFile.load(tokenPath, { checkIntervalMs: 0 }) };
  const app = buildApp({ store, hub, metrics: new ServerMetrics(), logger: pino({ level: 'silent' }), auth, authz, stream });
  await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => app.close(), () => hub.stop());
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/api/v1/stream`;
  const connect = async (token: string, headers: Record<string, string> = {}) => {
    const client = await SseClient.connect(url, { authorization: `Bearer ${token}`, ...headers });
    cleanups.push(() => client.close());
    return client;
  };
  const get = (token: string, target: string, headers: Record<string, string> = {}) =>
    app.inject({ url: target, headers: { authorization: `Bearer ${token}`, ...headers } });

  sink([
    { type: 'upsert', record: node('n1') },
    { type: 'upsert', record: pod('s1', { namespace: 'shop', nodeName: 'node-n1' }) },
    { type: 'upsert', record: pod('w1', { namespace: 'web', nodeName: 'node-n1' }) },
    { type: 'upsert', record: pod('e1', { namespace: 'shop-eu', nodeName: 'node-n1' }) },
    { type: 'upsert', record: { kind: 'Namespace', uid: 'ns-shop', name: 'shop', createdAt: 1, phase: 'Active' } },
    { type: 'upsert', record: { kind: 'Namespace', uid: 'ns-web', name: 'web', createdAt: 1, phase: 'Active' } },
    { type: 'status', status: status('live') },
  ]);
  hub.flush();
  const metric = async (name: string) => {
    const text = (await get(ADMIN, '/metrics')).body;
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };
  return { store, sink, hub, connect, get, metric };
}

describe.each([
  ['bound by the token file, no policy', undefined],
  ['bound by the token file, with a policy', POLICY],
])('a token %s', (_what, policy) => {
  it('gets only its namespace in the snapshot, without nodes when the policy says so', async () => {
    const { get } = await serve(policy);
    const response = await get(SHOP_TV, '/api/v1/snapshot');
    expect(response.statusCode).toBe(200);
    const snapshot = response.json<SnapshotMessage>();
    expect(uids(snapshot, 'pods')).toEqual(['s1']);
    expect(uids(snapshot, 'namespaces')).toEqual(['ns-shop']);
    expect(uids(snapshot, 'nodes')).toEqual(policy === undefined ? ['n1'] : []);
    expect(snapshot.clusters[0]!.status.phase).toBe('live');
    expect(response.body).not.toContain('web');
  });
});

describe('authorization over the routes', () => {
  it('leaves an unscoped identity on the shared path: everything, byte for byte the shared snapshot', async () => {
    const { get, hub } = await serve(POLICY);
    for (const encoding of [undefined, 'gzip', 'br']) {
      const response = await get(ADMIN, '/api/v1/snapshot', encoding === undefined ? {} : { 'accept-encoding': encoding });
      expect(response.statusCode).toBe(200);
      expect(uids(response.json<SnapshotMessage>(), 'pods')).toEqual(['e1', 's1', 'w1']);
    }
    expect((await get(ADMIN, '/api/v1/snapshot')).rawPayload.equals(hub.snapshot().json)).toBe(true);
  });

  it('tells each identity in /api/v1/me whether it may see nodes: scoped without nodes, scoped with nodes, unscoped', async () => {
    const { get } = await serve(POLICY);
    const me = async (token: string) => {
      const response = await get(token, '/api/v1/me');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      return response.json<{ name: string; nodes: unknown }>();
    };
    // shop-tv: every namespace by the policy, narrowed to "shop" by its token, nodes: false.
    expect(await me(SHOP_TV)).toMatchObject({ name: 'shop-tv', nodes: false });
    // dev: only shop-* namespaces, but nodes: true.
    expect(await me(DEV)).toMatchObject({ name: 'dev', nodes: true });
    // admin: everything (the unscoped fast path).
    expect(await me(ADMIN)).toMatchObject({ name: 'admin', nodes: true });
    // Nothing else about the scope leaks out: no namespace list, no policy.
    expect(Object.keys(await me(SHOP_TV)).sort()).toEqual(['canLogOut', 'groups', 'name', 'nodes', 'via']);
  });

  it('reports nodes visible without a policy, even for a token bound to namespaces', async () => {
    const { get } = await serve(undefined);
    expect((await get(SHOP_TV, '/api/v1/me')).json()).toMatchObject({ name: 'shop-tv', nodes: true });
    expect((await get(ADMIN, '/api/v1/me')).json()).toMatchObject({ name: 'admin', nodes: true });
  });

  it('filters by policy globs for a group matched by token name', async () => {
    const { get } = await serve(POLICY);
    const snapshot = (await get(DEV, '/api/v1/snapshot')).json<SnapshotMessage>();
    expect(uids(snapshot, 'pods')).toEqual(['e1']);
    expect(uids(snapshot, 'nodes')).toEqual(['n1']);
    expect(uids(snapshot, 'namespaces')).toEqual([]);
  });

  it('compresses a large scoped snapshot when asked, to the same content', async () => {
    const { get, sink } = await serve(POLICY);
    sink(Array.from({ length: 400 }, (_, i) => ({ type: 'upsert' as const, record: pod(`big${i}`, { namespace: 'shop', name: `pod-with-a-long-name-${i}`.padEnd(200, 'x') }) })));
    const response = await get(SHOP_TV, '/api/v1/snapshot', { 'accept-encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    const snapshot = JSON.parse(gunzipSync(response.rawPayload).toString()) as SnapshotMessage;
    expect(snapshot.clusters[0]!.pods).toHaveLength(401);
    expect(snapshot.clusters[0]!.pods.every((p) => p.namespace === 'shop')).toBe(true);
  });

  it('streams a filtered snapshot and filtered deltas with the hub seqs (empty when nothing is visible)', async () => {
    const { connect, sink, hub, store } = await serve(POLICY);
    const scoped = await connect(SHOP_TV);
    const everything = await connect(ADMIN);
    const first = await scoped.nextJson<SnapshotMessage>('snapshot');
    expect(uids(first, 'pods')).toEqual(['s1']);
    const full = await everything.nextJson<SnapshotMessage>('snapshot');
    expect(uids(full, 'pods')).toEqual(['e1', 's1', 'w1']);
    const mirror = ClusterState.fromSnapshot(first.clusters[0]!);

    sink([{ type: 'upsert', record: pod('w2', { namespace: 'web' }) }]);
    hub.flush();
    sink([{ type: 'upsert', record: pod('s2', { namespace: 'shop' }) }, { type: 'delete', kind: 'Pod', uid: 'w1' }]);
    hub.flush();
    sink([{ type: 'delete', kind: 'Pod', uid: 's1' }, { type: 'delete', kind: 'Node', uid: 'n1' }, { type: 'status', status: status('stale') }]);
    hub.flush();

    const deltas: DeltaMessage[] = [];
    for (let i = 0; i < 3; i++) deltas.push(await scoped.nextJson<DeltaMessage>('delta'));
    expect(deltas.map((d) => d.seq)).toEqual([first.seq + 1, first.seq + 2, first.seq + 3]);
    expect(deltas[0]!.changes).toEqual([]);
    expect(deltas[1]!.changes).toEqual([{ op: 'upsert', cluster: 'c1', record: pod('s2', { namespace: 'shop' }) }]);
    expect(deltas[2]!.changes).toEqual([
      { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 's1' },
      { op: 'status', cluster: 'c1', status: status('stale') },
    ]);
    for (const delta of deltas) for (const change of delta.changes) mirror.apply(change);
    const expected = filterSnapshot({ seq: hub.seq, clusters: store.snapshot() }, { namespaces: (ns) => ns === 'shop', nodes: false, signature: 'x' });
    expect(mirror.toSnapshot()).toEqual(expected.clusters[0]);

    const fullDeltas: DeltaMessage[] = [];
    for (let i = 0; i < 3; i++) fullDeltas.push(await everything.nextJson<DeltaMessage>('delta'));
    expect(fullDeltas.map((d) => d.changes.length)).toEqual([1, 2, 3]);
  });

  it('resumes a scoped client with Last-Event-ID: only the missed deltas, filtered, no snapshot', async () => {
    const { connect, sink, hub } = await serve(POLICY);
    const before = await connect(SHOP_TV);
    const snapshot = await before.nextJson<SnapshotMessage>('snapshot');
    before.close();

    sink([{ type: 'upsert', record: pod('s3', { namespace: 'shop' }) }, { type: 'upsert', record: pod('w3', { namespace: 'web' }) }]);
    hub.flush();
    sink([{ type: 'upsert', record: pod('w4', { namespace: 'web' }) }]);
    hub.flush();

    const resumed = await connect(SHOP_TV, { 'last-event-id': String(snapshot.seq) });
    const a = await resumed.nextJson<DeltaMessage>('delta');
    const b = await resumed.nextJson<DeltaMessage>('delta');
    expect([a.seq, b.seq]).toEqual([snapshot.seq + 1, snapshot.seq + 2]);
    expect(a.changes).toEqual([{ op: 'upsert', cluster: 'c1', record: pod('s3', { namespace: 'shop' }) }]);
    expect(b.changes).toEqual([]);

    // And live from there, continuing the same numbers.
    sink([{ type: 'upsert', record: pod('s4', { namespace: 'shop' }) }]);
    hub.flush();
    const c = await resumed.nextJson<DeltaMessage>('delta');
    expect(c.seq).toBe(snapshot.seq + 3);
    expect(c.changes).toHaveLength(1);
  });

  it('follows /api/v1/snapshot with the stream from its seq, as the browser does', async () => {
    const { connect, get, sink, hub } = await serve(POLICY);
    const snapshot = (await get(SHOP_TV, '/api/v1/snapshot')).json<SnapshotMessage>();
    sink([{ type: 'upsert', record: pod('w5', { namespace: 'web' }) }]);
    hub.flush();
    const stream = await connect(SHOP_TV, { 'last-event-id': String(snapshot.seq) });
    const delta = await stream.nextJson<DeltaMessage>('delta');
    expect(delta).toMatchObject({ seq: snapshot.seq + 1, changes: [] });
  });

  it('sends a fresh filtered snapshot when the resume point is unknown', async () => {
    const { connect } = await serve(POLICY);
    const stream = await connect(SHOP_TV, { 'last-event-id': '999999' });
    const snapshot = await stream.nextJson<SnapshotMessage>('snapshot');
    expect(uids(snapshot, 'pods')).toEqual(['s1']);
  });

  it('holds deltas back from a slow scoped client, then sends it a fresh filtered snapshot', async () => {
    const maxQueuedBytes = 256 * 1024;
    const { sink, hub, connect, metric } = await serve(POLICY, { maxQueuedBytes });
    const client = await connect(SHOP_TV);
    await client.nextJson('snapshot');
    client.pause();
    const filler = 'x'.repeat(64 * 1024);
    let restarts = 0;
    const pump = async () => {
      sink([
        { type: 'upsert', record: pod('big', { namespace: 'shop', labels: { filler }, restarts: ++restarts }) },
        { type: 'upsert', record: pod('hidden', { namespace: 'web', restarts }) },
      ]);
      hub.flush();
      await new Promise((resolve) => setImmediate(resolve));
    };
    while ((await metric('kubeglance_sse_lagging_clients')) === 0) {
      if (restarts > 2_000) throw new Error('the client was never held back');
      await pump();
    }
    for (let i = 0; i < 50; i++) await pump();
    client.resume();
    let seq = 0;
    let event = await client.next(5_000);
    while (event.event === 'delta') {
      const delta = JSON.parse(event.data) as DeltaMessage;
      expect(delta.seq === seq + 1 || seq === 0).toBe(true);
      expect(JSON.stringify(delta)).not.toContain('hidden');
      seq = delta.seq;
      event = await client.next(5_000);
    }
    expect(event.event).toBe('snapshot');
    const snapshot = JSON.parse(event.data) as SnapshotMessage;
    expect(snapshot.seq).toBe(hub.seq);
    expect(uids(snapshot, 'pods')).toEqual(['big', 's1']);
    sink([{ type: 'delete', kind: 'Pod', uid: 'big' }]);
    hub.flush();
    expect(await client.nextJson<DeltaMessage>('delta')).toMatchObject({ seq: snapshot.seq + 1, changes: [{ op: 'delete', uid: 'big' }] });
  });

  it('filters the topology', async () => {
    const { get } = await serve(POLICY);
    const scoped = (await get(SHOP_TV, '/api/v1/clusters/c1/topology')).json<{ vertices: { id: string; namespace?: string }[] }>();
    expect(scoped.vertices.map((v) => v.namespace)).toEqual(['shop']);
    const full = (await get(ADMIN, '/api/v1/clusters/c1/topology')).json<{ vertices: { id: string; namespace?: string }[] }>();
    expect(full.vertices.map((v) => v.namespace).sort()).toEqual(['shop', 'shop-eu', 'web']);
  });
});
