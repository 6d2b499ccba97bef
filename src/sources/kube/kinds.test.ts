import { describe, expect, it } from 'vitest';
import { isNamespacedKind, RECORD_KINDS } from '../../model/records.js';
import { collectionPath, forbiddenReason, groupVersion, METRICS_PODS, WATCHED_KINDS } from './kinds.js';

describe('the kinds table', () => {
  it('has one row for every record kind except the polled metrics and traffic', () => {
    expect(WATCHED_KINDS.map((k) => k.kind).sort()).toEqual(
      RECORD_KINDS.filter((k) => k !== 'NodeMetrics' && k !== 'PodMetrics' && k !== 'Traffic').sort(),
    );
  });

  it('agrees with the model on which kinds are namespaced', () => {
    for (const row of WATCHED_KINDS) expect(row.namespaced, row.kind).toBe(isNamespacedKind(row.kind));
  });

  it('only ever asks for read verbs', () => {
    for (const row of [...WATCHED_KINDS, METRICS_PODS]) {
      for (const verb of row.verbs) expect(['get', 'list', 'watch']).toContain(verb);
    }
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
