// Scoped mode against the real RBAC authorizer: with --namespace, a ServiceAccount that may only
// read inside one namespace (a Role, no ClusterRole) still gets a live view of that namespace;
// the cluster-scoped kinds it may not read are reported unavailable, not as errors.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, kubeconfigForServiceAccount, kubectl } from '../support/control-plane.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';
import { StreamClient } from '../support/stream-client.js';

const NS = 'scoped-team';
const OTHER = 'scoped-other';
let app: RunningKubeglance;
let client: StreamClient;

beforeAll(async () => {
  for (const ns of [NS, OTHER]) {
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['-n', ns, 'create', 'deployment', 'app', '--image=registry.example/app:1', '--replicas=2']);
  }
  await kubectl(['-n', NS, 'create', 'serviceaccount', 'team-viewer']);
  await applyManifest({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'team-viewer', namespace: NS },
    rules: [
      { apiGroups: [''], resources: ['pods', 'services', 'events'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  await applyManifest({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'team-viewer', namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'team-viewer' },
    subjects: [{ kind: 'ServiceAccount', name: 'team-viewer', namespace: NS }],
  });
  await kubectl(['-n', NS, 'rollout', 'status', 'deployment/app', '--timeout=120s']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-scoped-'));
  const kubeconfig = await kubeconfigForServiceAccount(NS, 'team-viewer', path.join(dir, 'kubeconfig'));
  app = await startKubeglance(['--kubeconfig', kubeconfig, '--namespace', NS]);
  client = new StreamClient(app.url);
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await app?.stop();
  for (const ns of [NS, OTHER]) await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => {});
});

describe('scoped mode (--namespace) with namespaced read access only', () => {
  it('shows the namespace live and nothing from elsewhere', async () => {
    await client.waitFor(() => client.cluster().status.kinds.Pod?.state === 'live', 60_000, 'pods live');
    await client.waitFor(() => client.records('Pod').length === 2, 30_000, 'two pods');
    expect(client.records('Pod').every((p) => p.namespace === NS)).toBe(true);
    expect(client.records('Deployment').map((d) => `${d.namespace}/${d.name}`)).toEqual([`${NS}/app`]);
    expect(client.cluster().status.kinds.Deployment?.state).toBe('live');
  });

  it('reports the kinds it may not read as unavailable with the rule, and stays usable', async () => {
    await client.waitFor(() => client.cluster().status.kinds.Node?.state === 'unavailable', 60_000, 'nodes unavailable');
    const { kinds, phase } = client.cluster().status;
    expect(kinds.Node?.reason ?? '').toMatch(/needs list\/watch on nodes/);
    expect(kinds.StatefulSet?.state).toBe('unavailable');
    expect(phase).not.toBe('error');
    // A change inside the namespace still arrives.
    await kubectl(['-n', NS, 'scale', 'deployment', 'app', '--replicas=3']);
    await client.waitFor(() => client.records('Pod').length === 3, 30_000, 'third pod');
  });
});
