import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../model/records.js';
import { ApiClient } from './api-client.js';
import { MetricsPoller } from './metrics-poller.js';
import { FakeApiServer, type FakeCollection } from './testing/fake-api-server.js';
import { AppliedState, capturingLogger, endpointFor, waitFor } from './testing/harness.js';

function nodeMetrics(name: string, cpu: string, memory: string) {
  return { kind: 'NodeMetrics', metadata: { name, uid: `m-${name}` }, timestamp: '2025-01-01T00:00:00Z', window: '15s', usage: { cpu, memory } };
}

function podMetrics(namespace: string, name: string, cpu: string, memory: string) {
  return {
    kind: 'PodMetrics',
    metadata: { name, namespace, uid: `m-${namespace}-${name}` },
    timestamp: '2025-01-01T00:00:00Z',
    window: '15s',
    containers: [{ name: 'app', usage: { cpu, memory } }],
  };
}

describe('MetricsPoller', () => {
  let server: FakeApiServer;
  let nodes: FakeCollection;
  let pods: FakeCollection;
  let client: ApiClient;
  let poller: MetricsPoller | undefined;
  let state: AppliedState;
  let availability: [string, string | undefined][];

  const knownPods = new Map([
    ['shop/web', 'pod-uid-web'],
    ['shop/db', 'pod-uid-db'],
    ['other/job', 'pod-uid-job'],
  ]);

  function startPoller(served = true, namespaces?: string[]) {
    poller = new MetricsPoller({
      client,
      ...(namespaces ? { namespaces } : {}),
      node: (name) => (name === 'node-1' ? { uid: 'node-uid-1', name, createdAt: 0 } : undefined),
      pod: (namespace, name) => {
        const uid = knownPods.get(`${namespace}/${name}`);
        return uid === undefined ? undefined : { uid, name, namespace, createdAt: 0 };
      },
      emit: state.apply,
      onAvailability: (state, reason) => availability.push([state, reason]),
      timing: { intervalMs: 20, unavailableRetryMs: 60 },
      log: capturingLogger().log,
    });
    poller.start(served);
  }

  const metricsRequests = () => server.requests.filter((r) => r.path.startsWith('/apis/metrics.k8s.io'));
  const usage = (uid: string) => (state.usage.get(uid) as UsageRecord | undefined)?.usage;

  beforeEach(async () => {
    server = new FakeApiServer();
    server.groupVersions.push('metrics.k8s.io/v1beta1');
    await server.start();
    nodes = server.collection('/apis/metrics.k8s.io/v1beta1/nodes');
    pods = server.collection('/apis/metrics.k8s.io/v1beta1/pods');
    client = new ApiClient({ cluster: 'test', endpoint: endpointFor(server) });
    state = new AppliedState();
    availability = [];
  });

  afterEach(async () => {
    await poller?.stop();
    client.close();
    await server.stop();
  });

  it('emits usage keyed by the uid of what was measured, skipping what the reflectors do not know yet', async () => {
    nodes.upsert(nodeMetrics('node-1', '1500m', '2Gi'));
    nodes.upsert(nodeMetrics('node-unknown', '1', '1Gi'));
    pods.upsert(podMetrics('shop', 'web', '250m', '512Mi'));
    pods.upsert(podMetrics('shop', 'stranger', '1', '1Gi'));
    startPoller();
    await waitFor(() => state.usage.size === 2, 'usage');
    expect(state.usage.get('node-uid-1')).toMatchObject({
      kind: 'NodeMetrics',
      uid: 'node-uid-1',
      name: 'node-1',
      usage: { cpu: 1500, memory: 2 * 1024 ** 3 },
      sampledAt: Date.parse('2025-01-01T00:00:00Z'),
    });
    expect(state.usage.get('pod-uid-web')).toEqual({
      kind: 'PodMetrics',
      uid: 'pod-uid-web',
      name: 'web',
      namespace: 'shop',
      usage: { cpu: 250, memory: 512 * 1024 ** 2 },
      sampledAt: Date.parse('2025-01-01T00:00:00Z'),
      createdAt: Date.parse('2025-01-01T00:00:00Z'),
    });
    expect(availability).toEqual([['available', undefined]]);
  });

  it('sends only changes beyond about 2%, and deletes usage of what vanished', async () => {
    pods.upsert(podMetrics('shop', 'web', '1000m', '1Gi'));
    pods.upsert(podMetrics('shop', 'db', '500m', '4Gi'));
    startPoller();
    await waitFor(() => state.usage.size === 2, 'usage');
    const polls = () => metricsRequests().length;

    pods.upsert(podMetrics('shop', 'web', '1010m', '1Gi')); // +1%: noise
    const after = polls();
    await waitFor(() => polls() >= after + 4, 'two more polls');
    expect(state.upsertsOf('pod-uid-web')).toBe(1);

    pods.upsert(podMetrics('shop', 'web', '1100m', '1Gi')); // +10%
    await waitFor(() => usage('pod-uid-web')?.cpu === 1100, 'moved usage');
    pods.delete('m-shop-db');
    await waitFor(() => !state.usage.has('pod-uid-db'), 'delete');
    expect(state.upsertsOf('pod-uid-db')).toBe(1);
  });

  it('reports an absent metrics API once, and retries slowly without an error storm', async () => {
    server.groupVersions = server.groupVersions.filter((gv) => !gv.startsWith('metrics'));
    startPoller(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(availability).toEqual([['unavailable', 'metrics.k8s.io is not served by this cluster (is metrics-server installed?)']]);
    // one round is two requests (nodes, pods); at one round per 60 ms, no more than 5 rounds
    expect(metricsRequests().length).toBeLessThanOrEqual(10);
  });

  it('waits before the first try when discovery lacks the API, and notices when it appears', async () => {
    startPoller(false);
    expect(availability).toEqual([['unavailable', 'metrics.k8s.io is not served by this cluster (is metrics-server installed?)']]);
    expect(metricsRequests()).toHaveLength(0);
    pods.upsert(podMetrics('shop', 'web', '1', '1Gi'));
    await waitFor(() => state.usage.has('pod-uid-web'), 'usage once served');
    expect(availability.at(-1)).toEqual(['available', undefined]);
  });

  it('withdraws usage when the metrics API goes away, and comes back', async () => {
    pods.upsert(podMetrics('shop', 'web', '1', '1Gi'));
    startPoller();
    await waitFor(() => state.usage.has('pod-uid-web'), 'usage');
    server.fail((r) => r.path.startsWith('/apis/metrics.k8s.io'), 503, { reason: 'ServiceUnavailable' });
    await waitFor(() => availability.length === 2, 'unavailable');
    expect(availability[1]?.[0]).toBe('unavailable');
    expect(availability[1]?.[1]).toMatch(/^the metrics API is not answering \(503/);
    expect(state.usage.size).toBe(0);
    server.clearRules();
    await waitFor(() => state.usage.has('pod-uid-web'), 'usage again');
    expect(availability.map(([s]) => s)).toEqual(['available', 'unavailable', 'available']);
  });

  it('reads pod metrics per namespace in scoped mode; forbidden node metrics do not stop it', async () => {
    server.fail((r) => r.path === '/apis/metrics.k8s.io/v1beta1/nodes', 403);
    pods.upsert(podMetrics('shop', 'web', '1', '1Gi'));
    pods.upsert(podMetrics('other', 'job', '1', '1Gi'));
    startPoller(true, ['shop']);
    await waitFor(() => state.usage.has('pod-uid-web'), 'usage');
    expect(state.usage.has('pod-uid-job')).toBe(false);
    expect(metricsRequests().map((r) => r.path)).toContain('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods');
    expect(availability).toEqual([['available', undefined]]);
  });
});
