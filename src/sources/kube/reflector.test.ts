import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noTelemetry, type SourceTelemetry } from '../telemetry.js';
import { ApiClient } from './api-client.js';
import { WATCHED_KINDS } from './kinds.js';
import { type PartitionStatus, Reflector, type ReflectorTiming } from './reflector.js';
import { FakeApiServer, type FakeCollection, fakePod } from './testing/fake-api-server.js';
import { AppliedState, capturingLogger, endpointFor, waitFor } from './testing/harness.js';

const podKind = WATCHED_KINDS.find((k) => k.kind === 'Pod')!;
const gatewayKind = WATCHED_KINDS.find((k) => k.kind === 'Gateway')!;

const fast: ReflectorTiming = {
  backoff: { initialMs: 10, maxMs: 50 },
  forbiddenRetryMs: 40,
  notFoundRetryMs: 40,
  watchTimeoutSeconds: { min: 300, max: 600 },
  watchIdleTimeoutMs: 5000,
  pageSize: 500,
};

describe('Reflector', () => {
  let server: FakeApiServer;
  let pods: FakeCollection;
  let client: ApiClient;
  let reflector: Reflector | undefined;
  let state: AppliedState;
  let statuses: PartitionStatus[];
  let relists: string[];
  let logs: Record<string, any>[];

  const telemetry: SourceTelemetry = { ...noTelemetry, relist: (_c, _r, reason) => relists.push(reason) };

  function startReflector(options: { timing?: Partial<ReflectorTiming>; kind?: typeof podKind; namespace?: string } = {}) {
    const captured = capturingLogger();
    logs = captured.entries;
    reflector = new Reflector({
      cluster: 'test',
      client,
      kind: options.kind ?? podKind,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      timing: { ...fast, ...options.timing },
      emit: state.apply,
      onStatus: (status) => statuses.push(status),
      log: captured.log,
      telemetry,
      random: () => 0.5,
    });
    reflector.start();
    return reflector;
  }

  const lastStatus = () => statuses.at(-1);
  const lists = () => server.requests.filter((r) => r.path.endsWith('/pods') && !r.watch);
  const watches = () => server.requests.filter((r) => r.path.endsWith('/pods') && r.watch);
  const serverUids = () => [...pods.objects.keys()].sort();

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    pods = server.collection('/api/v1/pods');
    client = new ApiClient({ cluster: 'test', endpoint: endpointFor(server) });
    state = new AppliedState();
    statuses = [];
    relists = [];
    reflector = undefined;
  });

  afterEach(async () => {
    await reflector?.stop();
    client.close();
    await server.stop();
  });

  it('lists in pages with continue tokens, reports progress, then watches from the list version', async () => {
    for (let i = 0; i < 1200; i++) pods.upsert(fakePod(`p-${i}`));
    const listVersion = server.resourceVersion;
    startReflector();
    await waitFor(() => lastStatus()?.state === 'live', 'live');

    expect(lists().map((r) => [r.query.get('limit'), r.query.get('continue')])).toEqual([
      ['500', null],
      ['500', `${listVersion}:500`],
      ['500', `${listVersion}:1000`],
    ]);
    expect(statuses.filter((s) => s.state === 'syncing')).toEqual([
      { state: 'syncing', count: 500, expected: 1200 },
      { state: 'syncing', count: 1000, expected: 1200 },
      { state: 'syncing', count: 1200, expected: 1200 },
    ]);
    expect(lastStatus()).toEqual({ state: 'live', count: 1200 });
    expect(state.records.size).toBe(1200);
    expect(relists).toEqual(['initial']);

    await waitFor(() => watches().length === 1, 'watch');
    const watch = watches()[0]!;
    expect(watch.query.get('resourceVersion')).toBe(String(listVersion));
    expect(watch.query.get('allowWatchBookmarks')).toBe('true');
    expect(Number(watch.query.get('timeoutSeconds'))).toBe(450);
  });

  it('applies ADDED, MODIFIED and DELETED, skips changes it does not draw, and follows bookmarks', async () => {
    pods.upsert(fakePod('a'));
    startReflector();
    await waitFor(() => watches().length === 1, 'watch');

    pods.upsert(fakePod('b'));
    await waitFor(() => state.records.has('uid-default-b'), 'ADDED');
    pods.upsert(fakePod('a', 'default', { phase: 'Failed' }));
    await waitFor(() => (state.records.get('uid-default-a') as any)?.phase === 'Failed', 'MODIFIED');
    const eventsBefore = state.events.length;
    const unchanged = fakePod('a', 'default', { phase: 'Failed' });
    unchanged.metadata.annotations = { 'heartbeat': 'not drawn' };
    pods.upsert(unchanged);
    pods.delete('uid-default-b');
    await waitFor(() => !state.records.has('uid-default-b'), 'DELETED');
    expect(state.events.slice(eventsBefore)).toEqual([{ type: 'delete', kind: 'Pod', uid: 'uid-default-b' }]);

    pods.bookmark();
    const bookmarkVersion = String(server.resourceVersion);
    await new Promise((resolve) => setTimeout(resolve, 20));
    pods.endWatches();
    await waitFor(() => watches().length === 2, 're-watch');
    expect(watches()[1]?.query.get('resourceVersion')).toBe(bookmarkVersion);
    expect(lists()).toHaveLength(1);
    expect(lastStatus()).toEqual({ state: 'live', count: 1 });
  });

  it('relists on 410 Gone during a watch and emits exactly the difference, deletes included', async () => {
    for (const name of ['a', 'b', 'c']) pods.upsert(fakePod(name));
    startReflector();
    await waitFor(() => watches().length === 1, 'watch');
    const before = state.events.length;

    // While the watch misses them: a deleted, b changed, d added, c untouched. Then etcd compacts.
    pods.silently(() => {
      pods.delete('uid-default-a');
      pods.upsert(fakePod('b', 'default', { phase: 'Succeeded' }));
      pods.upsert(fakePod('d'));
    });
    pods.compact();
    pods.failWatches(410, 'Expired');

    await waitFor(() => lists().length === 2 && watches().length === 2, 'relist and re-watch');
    const diff = state.events.slice(before);
    expect(diff).toHaveLength(3);
    expect(diff).toContainEqual({ type: 'delete', kind: 'Pod', uid: 'uid-default-a' });
    expect(diff.filter((e) => e.type === 'upsert').map((e) => (e.type === 'upsert' ? e.record.uid : ''))).toEqual([
      'uid-default-b',
      'uid-default-d',
    ]);
    expect(state.uids()).toEqual(serverUids());
    expect(state.upsertsOf('uid-default-c')).toBe(1);
    expect(relists).toEqual(['initial', 'gone']);
  });

  it('after a relist, a pod recreated under the same name is a delete of the old uid and an upsert of the new', async () => {
    for (const name of ['a', 'b']) pods.upsert(fakePod(name));
    startReflector();
    await waitFor(() => watches().length === 1, 'watch');
    const before = state.events.length;

    const recreated = fakePod('b');
    recreated.metadata.uid = 'uid-default-b-2';
    pods.silently(() => {
      pods.delete('uid-default-b');
      pods.upsert(recreated);
    });
    pods.compact();
    pods.failWatches(410, 'Expired');

    await waitFor(() => lists().length === 2 && watches().length === 2, 'relist and re-watch');
    expect(state.events.slice(before).map((e) => (e.type === 'upsert' ? `+${e.record.uid}` : e.type === 'delete' ? `-${e.uid}` : e.type))).toEqual([
      '-uid-default-b',
      '+uid-default-b-2',
    ]);
    expect(state.uids()).toEqual(serverUids());
    expect(reflector?.find('default', 'b')?.uid).toBe('uid-default-b-2');
    expect(lastStatus()).toEqual({ state: 'live', count: 2 });
  });

  it('finds the record emitted for a name, and forgets one on request without emitting', async () => {
    pods.upsert(fakePod('a'));
    startReflector();
    await waitFor(() => watches().length === 1, 'watch');
    const record = reflector?.find('default', 'a');
    expect(record).toBe(state.records.get('uid-default-a'));
    expect(reflector?.find('other', 'a')).toBeUndefined();

    const eventsBefore = state.events.length;
    reflector?.forget(record!);
    expect(reflector?.find('default', 'a')).toBeUndefined();
    expect(state.events).toHaveLength(eventsBefore);
    // Forgotten: the next update, even one that changes nothing drawn, is emitted as new.
    pods.upsert(fakePod('a'));
    await waitFor(() => state.upsertsOf('uid-default-a') === 2, 'upsert after forget');
    expect(reflector?.find('default', 'a')).toBe(state.records.get('uid-default-a'));
  });

  it('relists when the watch request itself answers 410, and when a continue token expires', async () => {
    server.maxPageSize = 2;
    for (const name of ['a', 'b', 'c', 'd', 'e']) pods.upsert(fakePod(name));
    // The second page of the first list finds its continue token expired.
    server.on(
      (r) => r.query.has('continue'),
      (res) => {
        pods.compact();
        res.writeHead(410, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'continue token expired' }));
      },
      1,
    );
    server.fail((r) => r.watch, 410, { times: 1, reason: 'Gone' });
    startReflector({ timing: { pageSize: 2 } });
    await waitFor(() => watches().length === 2 && lastStatus()?.state === 'live', 'live after two relists');
    expect(relists).toEqual(['initial', 'gone', 'gone']);
    expect(state.uids()).toEqual(serverUids());
    for (const uid of serverUids()) expect(state.upsertsOf(uid)).toBe(1);
  });

  it('resumes the watch from its resourceVersion after a dropped connection, without relisting', async () => {
    pods.upsert(fakePod('a'));
    startReflector();
    await waitFor(() => watches().length === 1, 'watch');
    pods.upsert(fakePod('b'));
    await waitFor(() => state.records.has('uid-default-b'), 'b');
    const seenVersion = String(server.resourceVersion);

    server.fail((r) => r.watch, 500, { times: 2 });
    server.dropConnections();
    pods.upsert(fakePod('c')); // happens while disconnected: the resumed watch replays it
    await waitFor(() => state.records.has('uid-default-c'), 'c after reconnect');
    expect(lists()).toHaveLength(1);
    expect(watches().at(-1)?.query.get('resourceVersion')).toBe(seenVersion);
    // The dropped connection alone is a blip, not reported; the failures after it are.
    expect(statuses.some((s) => s.failure === 'unreachable')).toBe(false);
    expect(statuses.some((s) => s.state === 'error' && s.reason?.startsWith('500 '))).toBe(true);
    expect(lastStatus()).toEqual({ state: 'live', count: 3 });
  });

  it('survives an API server restart', async () => {
    pods.upsert(fakePod('a'));
    startReflector();
    await waitFor(() => watches().length === 1, 'watch');
    await server.stop();
    await waitFor(() => lastStatus()?.failure === 'unreachable', 'unreachable');
    expect(lastStatus()?.reason).toMatch(/^API server unreachable: ECONN/);
    pods.upsert(fakePod('b'));
    await server.start();
    await waitFor(() => state.records.has('uid-default-b'), 'b after restart');
    expect(lists()).toHaveLength(1);
    expect(lastStatus()).toEqual({ state: 'live', count: 2 });
  });

  it('resumes a watch that went silent, quietly', async () => {
    pods.upsert(fakePod('a'));
    startReflector({ timing: { watchIdleTimeoutMs: 100 } });
    await waitFor(() => watches().length >= 3, 'watches resumed after silence');
    expect(lists()).toHaveLength(1);
    expect(statuses.every((s) => s.state !== 'error')).toBe(true);
    pods.upsert(fakePod('b'));
    await waitFor(() => state.records.has('uid-default-b'), 'b');
  });

  it('waits at least Retry-After before retrying', async () => {
    server.fail((r) => r.watch, 429, { times: 1, headers: { 'Retry-After': '1' }, reason: 'TooManyRequests' });
    const started = Date.now();
    startReflector();
    await waitFor(() => watches().length === 2 && lastStatus()?.state === 'live', 'second watch', 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('marks a forbidden kind unavailable with the RBAC rule, retries quietly, and picks up a later grant', async () => {
    pods.upsert(fakePod('a'));
    server.fail((r) => r.path === '/api/v1/pods', 403, { reason: 'Forbidden' });
    startReflector();
    await waitFor(() => lists().length >= 4, 'several retries');
    expect(lastStatus()).toEqual({
      state: 'unavailable',
      count: 0,
      reason: 'needs list/watch on pods (apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"])',
      rbac: 'apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"]',
    });
    expect(logs.filter((l) => l.level >= 40)).toHaveLength(1);
    expect(statuses.filter((s) => s.state === 'unavailable')).toHaveLength(1);

    server.clearRules();
    await waitFor(() => lastStatus()?.state === 'live', 'live after grant');
    expect(state.uids()).toEqual(['uid-default-a']);
  });

  it('reports an API the cluster does not serve as unavailable, without an error storm', async () => {
    startReflector({ kind: gatewayKind, timing: { notFoundRetryMs: 200 } });
    await waitFor(() => lastStatus()?.state === 'unavailable', 'unavailable');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lastStatus()?.reason).toBe('API not served by this cluster (gateway.networking.k8s.io/v1 gateways)');
    expect(server.requests.length).toBeLessThanOrEqual(3);
    // Gateway API is optional: its absence is news (info, once), not a warning.
    expect(logs.filter((l) => l.level >= 40)).toHaveLength(0);
    expect(logs.filter((l) => l.level === 30)).toHaveLength(1);
  });

  it('withdraws what it emitted when the API goes away (a CRD removed)', async () => {
    pods.upsert(fakePod('a'));
    startReflector();
    await waitFor(() => watches().length === 1, 'watch');
    server.fail(() => true, 404);
    server.dropConnections();
    await waitFor(() => lastStatus()?.state === 'unavailable', 'unavailable');
    expect(state.uids()).toEqual([]);
    expect(lastStatus()).toMatchObject({ count: 0, reason: 'API not served by this cluster (v1 pods)' });
  });

  it('skips malformed objects with one warning', async () => {
    pods.upsert(fakePod('a'));
    const broken = fakePod('b');
    broken.metadata.namespace = 42;
    pods.upsert(broken);
    const alsoBroken = fakePod('c');
    delete alsoBroken.metadata.name;
    pods.upsert(alsoBroken);
    startReflector();
    await waitFor(() => lastStatus()?.state === 'live', 'live');
    expect(state.uids()).toEqual(['uid-default-a']);
    expect(logs.filter((l) => l.level === 40 && /malformed/.test(l.msg))).toHaveLength(1);
  });

  it('lists and watches one namespace', async () => {
    pods.upsert(fakePod('a', 'shop'));
    pods.upsert(fakePod('b', 'other'));
    startReflector({ namespace: 'shop' });
    await waitFor(() => watches().length === 1, 'watch');
    pods.upsert(fakePod('c', 'other'));
    pods.upsert(fakePod('d', 'shop'));
    await waitFor(() => state.records.has('uid-shop-d'), 'd');
    expect(state.uids()).toEqual(['uid-shop-a', 'uid-shop-d']);
    expect(watches()[0]?.path).toBe('/api/v1/namespaces/shop/pods');
  });

  it('emits nothing after stop', async () => {
    pods.upsert(fakePod('a'));
    startReflector();
    await waitFor(() => watches().length === 1, 'watch');
    await reflector?.stop();
    const count = state.events.length;
    pods.upsert(fakePod('b'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.events.length).toBe(count);
  });
});
