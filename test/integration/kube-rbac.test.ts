// Least privilege, checked against the real RBAC authorizer: the read-only ClusterRole of
// deploy/ is enough to sync everything, and a role without pods leaves the rest working while
// saying exactly which permission is missing.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, kubeconfigForServiceAccount, kubectl } from '../support/control-plane.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';
import { StreamClient } from '../support/stream-client.js';

const NS = 'kubeglance-rbac';
const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-rbac-'));
const running: { app: RunningKubeglance; client: StreamClient }[] = [];

/** The shipped role minus pods: a realistic mistake an operator can make. */
const rolesWithoutPods = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'kubeglance-readonly-no-pods' },
  rules: [
    { apiGroups: [''], resources: ['nodes', 'namespaces', 'services', 'events'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], verbs: ['get', 'list', 'watch'] },
  ],
};

function binding(role: string, serviceAccount: string) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${serviceAccount}-binding` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: NS }],
  };
}

async function runAs(serviceAccount: string) {
  const kubeconfig = await kubeconfigForServiceAccount(NS, serviceAccount, path.join(dir, `${serviceAccount}.kubeconfig`));
  const app = await startKubeglance(['--kubeconfig', kubeconfig]);
  const client = new StreamClient(app.url);
  running.push({ app, client });
  await client.connect();
  return { app, client };
}

beforeAll(async () => {
  await kubectl(['apply', '-f', path.join(ROOT, 'deploy/rbac-readonly.yaml')]);
  await kubectl(['create', 'namespace', NS]);
  // Something to see in every file of the suite, whatever ran before.
  await kubectl(['-n', NS, 'create', 'deployment', 'visible', '--image=registry.example/visible:1', '--replicas=2']);
  await kubectl(['-n', NS, 'rollout', 'status', 'deployment/visible', '--timeout=120s']);
  await kubectl(['-n', NS, 'create', 'serviceaccount', 'viewer']);
  await kubectl(['-n', NS, 'create', 'serviceaccount', 'viewer-no-pods']);
  await applyManifest(binding('kubeglance-readonly', 'viewer'));
  await applyManifest(rolesWithoutPods);
  await applyManifest(binding('kubeglance-readonly-no-pods', 'viewer-no-pods'));
});

afterAll(async () => {
  for (const { app, client } of running) {
    await client.close();
    await app.stop();
  }
  await kubectl(['delete', 'namespace', NS, '--wait=false']).catch(() => {});
  await kubectl(['delete', 'clusterrolebinding', 'viewer-binding', 'viewer-no-pods-binding']).catch(() => {});
});

describe('RBAC', () => {
  it('the shipped role grants no write verb and never Secrets', async () => {
    const allowed = await kubectl(['auth', 'can-i', '--list', `--as=system:serviceaccount:${NS}:viewer`]);
    const rows = allowed.split('\n').slice(1).filter(Boolean);
    for (const row of rows) {
      const [resource, , , verbs = ''] = row.trim().split(/\s{2,}/);
      if (/selfsubject/.test(resource ?? '')) continue; // granted to every authenticated user
      expect(verbs, row).not.toMatch(/create|update|patch|delete|\*/);
      expect(resource, row).not.toMatch(/^secrets/);
    }
  });

  it('a ServiceAccount bound to the read-only ClusterRole syncs every kind', async () => {
    const { client } = await runAs('viewer');
    await client.waitFor(() => client.cluster().status.phase === 'live', 60_000, 'live');
    const { kinds } = client.cluster().status;
    for (const kind of ['Node', 'Pod', 'Namespace', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Service', 'EndpointSlice', 'Ingress', 'NetworkPolicy', 'Event'] as const) {
      expect(kinds[kind]?.state, kind).toBe('live');
    }
    expect(client.records('Pod').length).toBeGreaterThan(0);
  });

  it('one missing the pods rule shows "needs list/watch on pods" while the rest works', async () => {
    const { client } = await runAs('viewer-no-pods');
    await client.waitFor(() => client.cluster().status.kinds.Pod?.state === 'unavailable', 60_000, 'pods unavailable');
    await client.waitFor(() => client.cluster().status.kinds.Node?.state === 'live', 60_000, 'nodes live');
    const pods = client.cluster().status.kinds.Pod!;
    expect(pods.reason ?? '').toMatch(/needs list\/watch on pods/);
    expect(pods.rbac ?? '').toContain('pods');
    expect(client.records('Pod')).toHaveLength(0);
    expect(client.records('Node').length).toBeGreaterThan(0);
    expect(client.records('Deployment').length).toBeGreaterThan(0);
    // Kinds without any rule are unavailable too, each with its own rule; none is an error storm.
    expect(client.cluster().status.kinds.Ingress?.state).toBe('unavailable');
  });
});
