import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { SourceEvent } from '../source.js';
import type { KubeSource, KubeSourceTiming } from './kube-source.js';
import { FakeApiServer, fakeNode, fakePod } from './testing/fake-api-server.js';
import { AppliedState, capturingLogger, startKubeSource, waitFor } from './testing/harness.js';

const fast: Partial<KubeSourceTiming> = {
  reflector: {
    backoff: { initialMs: 10, maxMs: 40 },
    forbiddenRetryMs: 50,
    notFoundRetryMs: 50,
    watchTimeoutSeconds: { min: 300, max: 600 },
    watchIdleTimeoutMs: 5000,
    pageSize: 500,
  },
  metrics: { intervalMs: 30, unavailableRetryMs: 100 },
  discoveryBackoff: { initialMs: 10, maxMs: 40 },
  metricsStartMs: 10_000,
  statusCoalesceMs: 20,
};

function podEvent(uid: string, pod: string, lastTimestamp: string) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: uid, namespace: 'default', uid, creationTimestamp: lastTimestamp },
    involvedObject: { kind: 'Pod', name: pod, namespace: 'default', uid: `uid-default-${pod}` },
    reason: 'Pulled',
    message: 'pulled',
    type: 'Normal',
    count: 1,
    lastTimestamp,
  };
}

describe('KubeSource', () => {
  let server: FakeApiServer;
  let source: KubeSource | undefined;
  let state: AppliedState;
  let statuses: ClusterStatus[];
  let batches: SourceEvent[][];

  let logs: Record<string, any>[];

  function startSource(options: { namespaces?: string[]; timing?: Partial<KubeSourceTiming> } = {}) {
    const logger = capturingLogger();
    logs = logger.entries;
    source = startKubeSource(
      server,
      { logger: logger.log, ...(options.namespaces ? { namespaces: options.namespaces } : {}), timing: { ...fast, ...options.timing } },
      { state, statuses, batches },
    );
    return source;
  }

  const status = () => statuses.at(-1);

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    state = new AppliedState();
    statuses = [];
    batches = [];
    source = undefined;
    server.collection('/api/v1/nodes').upsert(fakeNode('node-1'));
    server.collection('/api/v1/namespaces').upsert({
      metadata: { name: 'default', uid: 'uid-ns-default', creationTimestamp: '2025-01-01T00:00:00Z' },
      status: { phase: 'Active' },
    });
    server.collection('/api/v1/pods').upsert(fakePod('web-1'));
  });

  afterEach(async () => {
    await source?.stop();
    await server.stop();
  });

  it('connects, syncs every served kind, and goes live; kinds the cluster lacks are unavailable', async () => {
    startSource();
    await waitFor(() => status()?.phase === 'live', 'live');
    expect(statuses[0]).toMatchObject({ phase: 'connecting', metrics: 'pending' });
    expect(statuses.some((s) => s.phase === 'syncing')).toBe(true);
    const live = status()!;
    expect(live.version).toBe('v1.36.3');
    expect(live.kinds.Pod).toEqual({ state: 'live', count: 1 });
    expect(live.kinds.Node).toEqual({ state: 'live', count: 1 });
    expect(live.kinds.Gateway).toEqual({
      state: 'unavailable',
      count: 0,
      reason: 'API not served by this cluster (gateway.networking.k8s.io/v1 gateways)',
    });
    expect(state.uids()).toEqual(['uid-default-web-1', 'uid-node-node-1', 'uid-ns-default']);
    // Gateway API is not listed at all: discovery said so.
    expect(server.requests.some((r) => r.path.includes('gateway'))).toBe(false);
    // Only GETs ever reach the server (the fake answers anything else with 405).
    expect(server.requests.every((r) => r.path.startsWith('/'))).toBe(true);

    // A kind's records come before the status that marks it live.
    const podBatch = batches.findIndex((b) => b.some((e) => e.type === 'upsert' && e.record.kind === 'Pod'));
    const podLive = batches.findIndex((b) => b.some((e) => e.type === 'status' && e.status.kinds.Pod?.state === 'live'));
    expect(podBatch).toBeLessThan(podLive);
  });

  it('ReferenceGrant: unavailable without noise when Gateway API is not installed', async () => {
    startSource();
    await waitFor(() => status()?.phase === 'live', 'live');
    expect(status()!.kinds.ReferenceGrant).toEqual({
      state: 'unavailable',
      count: 0,
      reason: 'API not served by this cluster (gateway.networking.k8s.io/v1beta1 referencegrants)',
    });
    expect(server.requests.some((r) => r.path.includes('referencegrants'))).toBe(false);
    // Gateway API is optional: its absence is no warning.
    expect(logs.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('ReferenceGrant: unavailable without noise when the group is served but not referencegrants (CRD left out)', async () => {
    server.groupVersions.push('gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1');
    server.collection('/apis/gateway.networking.k8s.io/v1/httproutes').upsert({
      metadata: { name: 'web', namespace: 'default', uid: 'uid-route-web', creationTimestamp: '2025-01-01T00:00:00Z' },
      spec: { rules: [{ backendRefs: [{ name: 'api', namespace: 'other' }] }] },
    });
    server.fail((r) => r.path.includes('/referencegrants'), 404, { reason: 'NotFound' });
    startSource({ timing: { reflector: { ...fast.reflector!, notFoundRetryMs: 60_000 } } });
    await waitFor(() => status()?.phase === 'live', 'live');
    const live = status()!;
    expect(live.kinds.HTTPRoute).toEqual({ state: 'live', count: 1 });
    expect(live.kinds.ReferenceGrant).toEqual({
      state: 'unavailable',
      count: 0,
      reason: 'API not served by this cluster (gateway.networking.k8s.io/v1beta1 referencegrants)',
    });
    expect(server.requests.filter((r) => r.path.includes('/referencegrants'))).toHaveLength(1);
    expect(logs.filter((l) => l.level >= 40)).toEqual([]);
    expect(logs.filter((l) => l.level === 30 && l.kind === 'ReferenceGrant' && /not installed/.test(l.msg))).toHaveLength(1);
  });

  it('ReferenceGrant: read from v1beta1 when served, stripped to from and to', async () => {
    server.groupVersions.push('gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1');
    server.collection('/apis/gateway.networking.k8s.io/v1beta1/referencegrants').upsert({
      metadata: { name: 'from-shop', namespace: 'other', uid: 'uid-rg', creationTimestamp: '2025-01-01T00:00:00Z' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], to: [{ group: '', kind: 'Service' }] },
    });
    startSource();
    await waitFor(() => status()?.phase === 'live', 'live');
    expect(status()!.kinds.ReferenceGrant).toEqual({ state: 'live', count: 1 });
    expect(state.records.get('uid-rg')).toEqual({
      kind: 'ReferenceGrant',
      uid: 'uid-rg',
      name: 'from-shop',
      namespace: 'other',
      createdAt: Date.parse('2025-01-01T00:00:00Z'),
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }],
      to: [{ group: '', kind: 'Service' }],
    });
  });

  it('watches events about pods and nodes through two field selectors, bounded per object', async () => {
    const events = server.collection('/api/v1/events');
    for (let i = 0; i < 15; i++) events.upsert(podEvent(`ev-${i}`, 'web-1', `2025-01-01T00:00:${String(10 + i)}Z`));
    startSource();
    await waitFor(() => status()?.phase === 'live', 'live');
    const selectors = server.requests.filter((r) => r.path === '/api/v1/events' && !r.watch).map((r) => r.query.get('fieldSelector'));
    expect(selectors.sort()).toEqual(['involvedObject.kind=Node', 'involvedObject.kind=Pod']);
    const kept = [...state.records.values()].filter((r) => r.kind === 'Event').map((r) => r.uid).sort();
    expect(kept).toEqual(['ev-10', 'ev-11', 'ev-12', 'ev-13', 'ev-14', 'ev-5', 'ev-6', 'ev-7', 'ev-8', 'ev-9']);
  });

  it('forgets the events it drops: an update of one is weighed again, and a relist brings none back', async () => {
    const events = server.collection('/api/v1/events');
    for (let i = 0; i < 15; i++) events.upsert(podEvent(`ev-${i}`, 'web-1', `2025-01-01T00:00:${String(10 + i)}Z`));
    startSource();
    await waitFor(() => status()?.phase === 'live', 'live');
    const keptEvents = () => [...state.records.values()].filter((r) => r.kind === 'Event').map((r) => r.uid).sort();

    // A dropped event that recurs is the newest now: kept again, the oldest kept one dropped.
    events.upsert(podEvent('ev-0', 'web-1', '2025-01-01T00:01:00Z'));
    await waitFor(() => state.records.has('ev-0'), 'ev-0 kept again');
    expect(keptEvents()).toEqual(['ev-0', 'ev-10', 'ev-11', 'ev-12', 'ev-13', 'ev-14', 'ev-6', 'ev-7', 'ev-8', 'ev-9']);

    // A relist lists the dropped events again; the limiter drops them again, silently.
    const eventLists = () => server.requests.filter((r) => r.path === '/api/v1/events' && !r.watch).length;
    const before = state.events.length;
    events.compact();
    events.failWatches(410, 'Expired');
    await waitFor(() => eventLists() === 4, 'events relisted');
    await waitFor(() => server.requests.filter((r) => r.path === '/api/v1/events' && r.watch).length === 4, 're-watch');
    expect(state.events.slice(before).filter((e) => (e.type === 'upsert' ? e.record.kind : e.type === 'delete' ? e.kind : '') === 'Event')).toEqual([]);
    expect(keptEvents()).toEqual(['ev-0', 'ev-10', 'ev-11', 'ev-12', 'ev-13', 'ev-14', 'ev-6', 'ev-7', 'ev-8', 'ev-9']);

    // A dropped event deleted from the API: nothing to tell.
    events.delete('ev-1');
    events.delete('ev-14');
    await waitFor(() => !state.records.has('ev-14'), 'kept event deleted');
    expect(state.events.slice(before).filter((e) => e.type === 'delete' && e.kind === 'Event').map((e) => (e.type === 'delete' ? e.uid : ''))).toEqual(['ev-14']);
  });

  it('reports an unreachable API server as an error, then syncs once it is up', async () => {
    await server.stop();
    startSource();
    await waitFor(() => status()?.phase === 'error', 'error');
    expect(status()?.reason).toMatch(new RegExp(`^API server ${server.url} unreachable: ECONNREFUSED`));
    await server.start();
    await waitFor(() => status()?.phase === 'live', 'live');
  });

  it('reports rejected credentials as an error', async () => {
    server.fail(() => true, 401, { reason: 'Unauthorized' });
    startSource();
    await waitFor(() => status()?.phase === 'error', 'error');
    expect(status()?.reason).toMatch(/^credentials rejected by .* \(401 Unauthorized\)/);
  });

  it('is stale while watches reconnect, with since and reason, then live again', async () => {
    startSource();
    await waitFor(() => status()?.phase === 'live', 'live');
    const liveSince = status()!.since;
    await server.stop();
    await waitFor(() => status()?.phase === 'stale', 'stale');
    expect(status()?.reason).toMatch(/^API server unreachable: ECONN/);
    expect(status()!.since).toBeGreaterThanOrEqual(liveSince);
    await server.start();
    await waitFor(() => status()?.phase === 'live', 'live again');
  });

  it('in scoped mode reads namespaced kinds per namespace; forbidden cluster-scoped kinds do not break it', async () => {
    server.collection('/api/v1/pods').upsert(fakePod('api-1', 'shop'));
    server.collection('/api/v1/pods').upsert(fakePod('db-1', 'data'));
    server.fail((r) => r.path === '/api/v1/nodes' || r.path === '/api/v1/namespaces', 403, { reason: 'Forbidden' });
    startSource({ namespaces: ['shop', 'data'] });
    await waitFor(() => status()?.phase === 'live', 'live');
    const podPaths = new Set(server.requests.filter((r) => r.path.endsWith('/pods')).map((r) => r.path));
    expect([...podPaths].sort()).toEqual(['/api/v1/namespaces/data/pods', '/api/v1/namespaces/shop/pods']);
    expect(status()?.kinds.Pod).toEqual({ state: 'live', count: 2 });
    expect(status()?.kinds.Node).toMatchObject({
      state: 'unavailable',
      rbac: 'apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"]',
    });
    expect(state.uids()).toEqual(['uid-data-db-1', 'uid-shop-api-1']);
  });

  it('polls metrics once live and keys usage by the uid of the pod', async () => {
    server.groupVersions.push('metrics.k8s.io/v1beta1');
    server.collection('/apis/metrics.k8s.io/v1beta1/pods').upsert({
      metadata: { name: 'web-1', namespace: 'default', uid: 'm1' },
      timestamp: '2025-01-01T00:00:00Z',
      containers: [{ name: 'app', usage: { cpu: '250m', memory: '64Mi' } }],
    });
    startSource();
    await waitFor(() => state.usage.has('uid-default-web-1'), 'usage');
    expect(state.usage.get('uid-default-web-1')).toMatchObject({ kind: 'PodMetrics', usage: { cpu: 250, memory: 64 * 1024 ** 2 } });
    expect(status()?.metrics).toBe('available');
  });

  it('marks metrics unavailable when the cluster does not serve them', async () => {
    startSource();
    await waitFor(() => status()?.metrics === 'unavailable', 'metrics unavailable');
    expect(status()?.metricsReason).toBe('metrics.k8s.io is not served by this cluster (is metrics-server installed?)');
  });

  it('emits nothing after stop', async () => {
    startSource();
    await waitFor(() => status()?.phase === 'live', 'live');
    await source?.stop();
    const count = batches.length;
    server.collection('/api/v1/pods').upsert(fakePod('web-2'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(batches.length).toBe(count);
  });
});
