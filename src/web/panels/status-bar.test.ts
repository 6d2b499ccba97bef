// phaseText and kindProblems are DOM-free: importing the module only reaches `document` when a
// StatusBar is constructed, so these run in Node.
import { describe, expect, it } from 'vitest';
import type { ClusterStatus, KindStatus } from '../../model/cluster-status.js';
import type { RecordKind } from '../../model/records.js';
import { kindProblems, phaseText, pollProblems } from './status-bar.js';

const NOW = Date.UTC(2025, 0, 6, 9, 30, 0);

function status(fields: Partial<ClusterStatus>, kinds: Partial<Record<RecordKind, KindStatus>> = {}): ClusterStatus {
  return { phase: 'live', since: NOW, kinds, metrics: 'available', ...fields };
}

/** The wall-clock time as the status bar writes it (local time zone, 24 h). */
const clock = (ms: number) => new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

describe('phaseText', () => {
  it('names the simple phases', () => {
    expect(phaseText(status({ phase: 'connecting' }), NOW)).toBe('connecting…');
    expect(phaseText(status({ phase: 'live' }), NOW)).toBe('live');
  });

  it('shows sync progress of pods, then nodes, with thousands separators', () => {
    const syncing = status({ phase: 'syncing' }, {
      Node: { state: 'syncing', count: 1_200, expected: 5_000 },
      Pod: { state: 'syncing', count: 45_000, expected: 150_000 },
    });
    expect(phaseText(syncing, NOW)).toBe('syncing: pods 45,000 / 150,000, nodes 1,200 / 5,000');
    const podsOnly = status({ phase: 'syncing' }, {
      Pod: { state: 'syncing', count: 45_000, expected: 150_000 },
      Node: { state: 'live', count: 5_000 },
    });
    expect(phaseText(podsOnly, NOW)).toBe('syncing: pods 45,000 / 150,000');
  });

  it('shows at most two kinds, pending ones too, and counts without a known total', () => {
    const text = phaseText(status({ phase: 'syncing' }, {
      Service: { state: 'pending', count: 0 },
      Deployment: { state: 'syncing', count: 1_234 },
      Pod: { state: 'live', count: 10 },
      Event: { state: 'syncing', count: 7 },
    }), NOW);
    expect(text).toMatch(/^syncing: [a-z]+ [\d,]+, [a-z]+ [\d,]+$/);
    expect(text.split(', ')).toHaveLength(2);
    expect(text).not.toContain('pods');
    expect(phaseText(status({ phase: 'syncing' }, { Deployment: { state: 'syncing', count: 1_234 } }), NOW)).toBe('syncing: deployments 1,234');
  });

  it('says just syncing when no kind reports progress', () => {
    expect(phaseText(status({ phase: 'syncing' }), NOW)).toBe('syncing…');
    expect(phaseText(status({ phase: 'syncing' }, { Pod: { state: 'live', count: 3 } }), NOW)).toBe('syncing…');
  });

  it('shows stale since when, how long ago and why', () => {
    const since = NOW - 30_000;
    expect(phaseText(status({ phase: 'stale', since, reason: 'API server unreachable: ECONNREFUSED' }), NOW))
      .toBe(`stale since ${clock(since)} (30s ago): API server unreachable: ECONNREFUSED`);
    expect(clock(since)).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(phaseText(status({ phase: 'stale', since: NOW - 5 * 60_000 }), NOW)).toBe(`stale since ${clock(NOW - 5 * 60_000)} (5 min ago)`);
    // A clock slightly behind the server's never shows a negative age.
    expect(phaseText(status({ phase: 'stale', since: NOW + 2_000 }), NOW)).toContain('(0s ago)');
  });

  it('shows the error reason', () => {
    expect(phaseText(status({ phase: 'error', reason: 'Unauthorized: token expired' }), NOW)).toBe('error: Unauthorized: token expired');
    expect(phaseText(status({ phase: 'error' }), NOW)).toBe('error: unknown');
  });
});

describe('kindProblems', () => {
  const rule = 'apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"]';

  it('names the RBAC rule a kind needs', () => {
    expect(kindProblems(status({}, { Pod: { state: 'unavailable', count: 0, rbac: rule } }))).toEqual([`RBAC: needs list/watch on pods (${rule})`]);
    // A reason from the source wins over the generic wording.
    expect(kindProblems(status({}, { Node: { state: 'unavailable', count: 0, rbac: 'r', reason: 'needs list on nodes (cluster-scoped)' } })))
      .toEqual(['RBAC: needs list on nodes (cluster-scoped)']);
  });

  it('lists failing kinds with their reason, but not APIs the cluster does not serve', () => {
    const problems = kindProblems(status({}, {
      Pod: { state: 'live', count: 10 },
      Node: { state: 'syncing', count: 1 },
      Service: { state: 'error', count: 4, reason: 'watch failed: HTTP 500' },
      Gateway: { state: 'unavailable', count: 0, reason: 'gateway.networking.k8s.io/v1 not served' },
      HTTPRoute: { state: 'unavailable', count: 0, reason: 'API Not Served by this cluster' },
      NodeMetrics: { state: 'unavailable', count: 0, reason: 'metrics-server not installed' },
    }));
    expect(problems).toEqual(['services: watch failed: HTTP 500', 'nodemetrics: metrics-server not installed']);
  });

  it('is empty for a healthy cluster', () => {
    expect(kindProblems(status({}, { Pod: { state: 'live', count: 1 }, Deployment: { state: 'pending', count: 0 } }))).toEqual([]);
    expect(kindProblems(status({}))).toEqual([]);
  });
});

describe('pollProblems', () => {
  it('says when usage or observed traffic is unavailable, with the reason', () => {
    expect(pollProblems(status({}))).toEqual([]);
    expect(pollProblems(status({ traffic: 'available' }))).toEqual([]);
    expect(pollProblems(status({ metrics: 'unavailable', metricsReason: 'metrics.k8s.io not served' }))).toEqual(['usage unavailable: metrics.k8s.io not served']);
    expect(pollProblems(status({ traffic: 'unavailable', trafficReason: 'Prometheus at http://prom:9090 unreachable: ECONNREFUSED' }))).toEqual([
      'observed traffic unavailable: Prometheus at http://prom:9090 unreachable: ECONNREFUSED',
    ]);
  });
});
