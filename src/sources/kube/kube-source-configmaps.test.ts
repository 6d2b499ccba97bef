// The ConfigMap opt-in of the kube source, against the fake API server: without it ConfigMaps
// are never requested and have no status; with it their hosts arrive as ConfigMap records, in
// small pages, and missing access reads as the exact RBAC rule.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { ConfigMapRecord } from '../../model/records.js';
import type { ApiVerb, SourceTelemetry } from '../telemetry.js';
import { noTelemetry } from '../telemetry.js';
import type { KubeSource, KubeSourceTiming } from './kube-source.js';
import { FakeApiServer, fakeNode, fakePod } from './testing/fake-api-server.js';
import { AppliedState, capturingLogger, startKubeSource, waitFor } from './testing/harness.js';

// Status changes that only move counts go out at once; metrics polling stays out of the way.
const timing: Partial<KubeSourceTiming> = { statusCoalesceMs: 20, metricsStartMs: 60_000 };

function configMap(name: string, data: Record<string, string>) {
  return { metadata: { name, namespace: 'default', uid: `uid-cm-${name}`, creationTimestamp: '2025-01-01T00:00:00Z' }, data };
}

describe('KubeSource: ConfigMaps on request only', () => {
  let server: FakeApiServer;
  let source: KubeSource | undefined;
  let state: AppliedState;
  let statuses: ClusterStatus[];
  let requests: { verb: ApiVerb; resource: string; code: number }[];

  const telemetry: SourceTelemetry = {
    ...noTelemetry,
    apiRequest: (_cluster, verb, resource, code) => requests.push({ verb, resource, code }),
  };
  const status = () => statuses.at(-1);
  const configMaps = () => [...state.records.values()].filter((r): r is ConfigMapRecord => r.kind === 'ConfigMap');

  function startSource(readConfigMaps: boolean) {
    source = startKubeSource(server, { logger: capturingLogger().log, telemetry, ...(readConfigMaps ? { optIns: { readConfigMaps: true } } : {}), timing }, { state, statuses });
  }

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    state = new AppliedState();
    statuses = [];
    requests = [];
    source = undefined;
    server.collection('/api/v1/nodes').upsert(fakeNode('node-1'));
    server.collection('/api/v1/pods').upsert(fakePod('web-1'));
    server.collection('/api/v1/configmaps').upsert(configMap('web-config', { DATABASE_URL: 'postgres://app:hunter2@db.shop:5432/x', LOG_LEVEL: 'debug' }));
  });

  afterEach(async () => {
    await source?.stop();
    await server.stop();
  });

  it('without the opt-in: no ConfigMap request, no record, no status', async () => {
    startSource(false);
    await waitFor(() => status()?.phase === 'live', 'live');
    expect(server.requests.filter((r) => r.path.includes('configmaps'))).toEqual([]);
    expect(requests.filter((r) => r.resource === 'configmaps')).toEqual([]);
    expect(requests.some((r) => r.resource === 'pods')).toBe(true); // the telemetry does count
    expect(configMaps()).toEqual([]);
    expect(status()?.kinds.ConfigMap).toBeUndefined();
  });

  it('with it: hosts of ConfigMap values as records, never the values; pages of 50; watched', async () => {
    startSource(true);
    await waitFor(() => status()?.phase === 'live', 'live');
    expect(status()?.kinds.ConfigMap).toEqual({ state: 'live', count: 1 });
    expect(configMaps()).toEqual([
      expect.objectContaining({ name: 'web-config', namespace: 'default', hosts: ['db.shop'], hostFields: ['data[DATABASE_URL]'] }),
    ]);
    expect(JSON.stringify(configMaps())).not.toMatch(/hunter2|debug/);
    const list = server.requests.find((r) => r.path === '/api/v1/configmaps' && !r.watch);
    expect(list?.query.get('limit')).toBe('50');
    expect(server.requests.find((r) => r.path === '/api/v1/pods' && !r.watch)?.query.get('limit')).toBe('500');
    expect(requests).toContainEqual({ verb: 'list', resource: 'configmaps', code: 200 });

    server.collection('/api/v1/configmaps').upsert(configMap('web-config', { DATABASE_URL: 'postgres://app@db2.shop:5432/x' }));
    await waitFor(() => configMaps()[0]?.hosts[0] === 'db2.shop', 'the changed host');
  });

  it('with it but without access: unavailable with the exact RBAC rule, and the rest is live', async () => {
    server.fail((r) => r.path === '/api/v1/configmaps', 403, { reason: 'Forbidden' });
    startSource(true);
    await waitFor(() => status()?.phase === 'live' && status()?.kinds.ConfigMap?.state === 'unavailable', 'live, ConfigMaps unavailable');
    expect(status()?.kinds.ConfigMap).toEqual({
      state: 'unavailable',
      count: 0,
      reason: 'needs list/watch on configmaps (apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"])',
      rbac: 'apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"]',
    });
    expect(status()?.kinds.Pod?.state).toBe('live');
  });
});
