import { describe, expect, it } from 'vitest';
import { StatusTracker } from './status-tracker.js';

describe('StatusTracker', () => {
  function tracker() {
    let now = 1000;
    const t = new StatusTracker(() => now);
    return { t, tick: (ms: number) => (now += ms) };
  }

  it('goes connecting → syncing → live, with counts summed over partitions', () => {
    const { t, tick } = tracker();
    expect(t.status()).toMatchObject({ phase: 'connecting', since: 1000, metrics: 'pending' });
    t.setConnected('v1.36.3');
    t.setPartition('Pod', 'a', { state: 'syncing', count: 500, expected: 1200 });
    t.setPartition('Pod', 'b', { state: 'live', count: 3 });
    t.setNotServed('Gateway', 'API not served by this cluster (gateway.networking.k8s.io/v1 gateways)');
    tick(5);
    expect(t.status()).toEqual({
      phase: 'syncing',
      since: 1005,
      version: 'v1.36.3',
      metrics: 'pending',
      kinds: {
        Pod: { state: 'syncing', count: 503, expected: 1203 },
        Gateway: { state: 'unavailable', count: 0, reason: 'API not served by this cluster (gateway.networking.k8s.io/v1 gateways)' },
      },
    });
    t.setPartition('Pod', 'a', { state: 'live', count: 1200 });
    tick(5);
    expect(t.status()).toMatchObject({ phase: 'live', since: 1010, kinds: { Pod: { state: 'live', count: 1203 } } });
  });

  it('is stale, since the failure, while a live cluster reconnects; live again after', () => {
    const { t, tick } = tracker();
    t.setConnected(undefined);
    t.setPartition('Pod', '*', { state: 'live', count: 1 });
    expect(t.status().phase).toBe('live');
    tick(100);
    t.setPartition('Pod', '*', { state: 'error', count: 1, reason: 'API server unreachable: ECONNREFUSED', failure: 'unreachable' });
    expect(t.status()).toMatchObject({ phase: 'stale', since: 1100, reason: 'API server unreachable: ECONNREFUSED' });
    tick(100);
    expect(t.status().since).toBe(1100);
    t.setPartition('Pod', '*', { state: 'live', count: 1 });
    expect(t.status()).toMatchObject({ phase: 'live', since: 1200 });
    expect(t.status().reason).toBeUndefined();
  });

  it('is an error when never reached, when credentials are rejected, or when nothing is readable', () => {
    const { t } = tracker();
    t.setConnectionFailed('API server https://x unreachable: ECONNREFUSED');
    expect(t.status()).toMatchObject({ phase: 'error', reason: 'API server https://x unreachable: ECONNREFUSED' });
    t.setConnected(undefined);
    t.setPartition('Pod', '*', { state: 'error', count: 0, reason: 'credentials rejected (401 Unauthorized): no', failure: 'unauthorized' });
    t.setPartition('Node', '*', { state: 'live', count: 0 });
    expect(t.status()).toMatchObject({ phase: 'error', reason: 'credentials rejected (401 Unauthorized): no' });
    t.setPartition('Pod', '*', { state: 'unavailable', count: 0, reason: 'needs list/watch on pods (…)', rbac: 'r' });
    t.setPartition('Node', '*', { state: 'unavailable', count: 0, reason: 'needs list/watch on nodes (…)', rbac: 'r' });
    expect(t.status()).toMatchObject({ phase: 'error', reason: 'nothing is readable: needs list/watch on pods (…)' });
  });

  it('keeps a kind live when only some namespaces are forbidden, and says so', () => {
    const { t } = tracker();
    t.setConnected(undefined);
    t.setPartition('Pod', 'shop', { state: 'live', count: 4 });
    t.setPartition('Pod', 'kube-system', { state: 'unavailable', count: 0, reason: 'needs list/watch on pods (x)', rbac: 'x' });
    t.setMetrics('unavailable', 'metrics.k8s.io is not served');
    expect(t.status()).toMatchObject({
      phase: 'live',
      kinds: { Pod: { state: 'live', count: 4, reason: 'needs list/watch on pods (x)', rbac: 'x' } },
      metrics: 'unavailable',
      metricsReason: 'metrics.k8s.io is not served',
    });
  });

  it('keeps syncing while one kind fails before the cluster was ever live', () => {
    const { t } = tracker();
    t.setConnected(undefined);
    t.setPartition('Pod', '*', { state: 'live', count: 1 });
    t.setPartition('Service', '*', { state: 'error', count: 0, reason: '500 InternalError: boom', failure: 'other' });
    expect(t.status()).toMatchObject({ phase: 'syncing' });
    t.setPartition('Pod', '*', { state: 'error', count: 1, reason: 'x', failure: 'unreachable' });
    expect(t.status()).toMatchObject({ phase: 'error' });
  });
});
