import { describe, expect, it } from 'vitest';
import { isNamespacedKind, RECORD_KINDS } from '../../model/records.js';
import { collectionPath, forbiddenReason, groupVersion, METRICS_PODS, OPT_IN_KINDS, WATCHED_KINDS, watchedKinds } from './kinds.js';

const ALL_ROWS = [...WATCHED_KINDS, ...OPT_IN_KINDS];

describe('the kinds table', () => {
  it('has one row for every record kind except the polled metrics and traffic', () => {
    expect(ALL_ROWS.map((k) => k.kind).sort()).toEqual(
      RECORD_KINDS.filter((k) => k !== 'NodeMetrics' && k !== 'PodMetrics' && k !== 'Traffic').sort(),
    );
  });

  it('agrees with the model on which kinds are namespaced', () => {
    for (const row of ALL_ROWS) expect(row.namespaced, row.kind).toBe(isNamespacedKind(row.kind));
  });

  it('only ever asks for read verbs, and never for Secrets', () => {
    for (const row of [...ALL_ROWS, METRICS_PODS]) {
      for (const verb of row.verbs) expect(['get', 'list', 'watch']).toContain(verb);
      expect(row.resource).not.toBe('secrets');
    }
  });

  it('reads ConfigMaps only when granted', () => {
    expect(WATCHED_KINDS.every((k) => k.optIn === undefined)).toBe(true);
    expect(OPT_IN_KINDS.every((k) => k.optIn !== undefined)).toBe(true);
    expect(watchedKinds()).toBe(WATCHED_KINDS);
    expect(watchedKinds({ readConfigMaps: false })).toBe(WATCHED_KINDS);
    const granted = watchedKinds({ readConfigMaps: true });
    expect(granted.map((k) => k.kind)).toEqual([...WATCHED_KINDS.map((k) => k.kind), 'ConfigMap']);
    const configMaps = granted.find((k) => k.kind === 'ConfigMap')!;
    expect(collectionPath(configMaps, 'shop')).toBe('/api/v1/namespaces/shop/configmaps');
    // A ConfigMap may hold 1 MiB: small pages keep a LIST response far below the client's limit.
    expect(configMaps.pageSize).toBe(50);
    expect(forbiddenReason(configMaps)).toBe(
      'needs list/watch on configmaps (apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"])',
    );
  });

  it('builds URLs and messages', () => {
    const pods = WATCHED_KINDS.find((k) => k.kind === 'Pod');
    const deployments = WATCHED_KINDS.find((k) => k.kind === 'Deployment');
    if (!pods || !deployments) throw new Error('missing rows');
    expect(collectionPath(pods)).toBe('/api/v1/pods');
    expect(collectionPath(pods, 'shop')).toBe('/api/v1/namespaces/shop/pods');
    expect(collectionPath(deployments, 'a b')).toBe('/apis/apps/v1/namespaces/a%20b/deployments');
    expect(groupVersion(deployments)).toBe('apps/v1');
    expect(groupVersion(pods)).toBe('v1');
    expect(forbiddenReason(pods)).toBe(
      'needs list/watch on pods (apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"])',
    );
    expect(forbiddenReason(METRICS_PODS)).toBe(
      'needs list on pods (apiGroups: ["metrics.k8s.io"], resources: ["pods"], verbs: ["list"])',
    );
  });

  it('watches events about pods and nodes only', () => {
    expect(WATCHED_KINDS.find((k) => k.kind === 'Event')?.fieldSelectors).toEqual([
      'involvedObject.kind=Pod',
      'involvedObject.kind=Node',
    ]);
  });
});
