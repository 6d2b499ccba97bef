// kubeglance against a real kube-apiserver: the initial sync equals what kubectl lists, and
// creates, updates and deletes reach an SSE client within 2 s.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordKind } from '../../src/model/records.js';
import { applyManifest, kubectl, kubectlJson } from '../support/control-plane.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';
import { StreamClient } from '../support/stream-client.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/workloads.yaml');
const DELIVERY_LIMIT_MS = 2_000;

let app: RunningKubeglance;
let client: StreamClient;

beforeAll(async () => {
  await kubectl(['apply', '-f', FIXTURE]);
  await kubectl(['-n', 'shop', 'rollout', 'status', 'deployment/web', '--timeout=120s']);
  await kubectl(['-n', 'shop', 'rollout', 'status', 'deployment/orders', '--timeout=120s']);
  app = await startKubeglance(['--kubeconfig', inject('kubeconfig'), '--metrics-interval', '15']);
  client = await StreamClient.connectLive(app.url);
});

afterAll(async () => {
  await client?.close();
  await app?.stop();
});

/** kubectl's resource name for each kind we compare. */
const KUBECTL_RESOURCES: [RecordKind, string][] = [
  ['Node', 'nodes'],
  ['Namespace', 'namespaces'],
  ['Pod', 'pods'],
  ['Deployment', 'deployments.apps'],
  ['ReplicaSet', 'replicasets.apps'],
  ['StatefulSet', 'statefulsets.apps'],
  ['DaemonSet', 'daemonsets.apps'],
  ['Job', 'jobs.batch'],
  ['CronJob', 'cronjobs.batch'],
  ['Service', 'services'],
  ['EndpointSlice', 'endpointslices.discovery.k8s.io'],
  ['Ingress', 'ingresses.networking.k8s.io'],
  ['NetworkPolicy', 'networkpolicies.networking.k8s.io'],
];

async function uidsFromKubectl(resource: string): Promise<string[]> {
  const list = await kubectlJson<{ items: { metadata: { uid: string } }[] }>(['get', resource, '-A']);
  return list.items.map((item) => item.metadata.uid).sort();
}

function uidsFromStream(kind: RecordKind): string[] {
  return client.records(kind).map((r) => r.uid).sort();
}

/** Times how long after `action` resolves the stream shows `check` true. */
async function deliveredWithin(action: () => Promise<unknown>, check: () => boolean, what: string): Promise<number> {
  await action();
  const done = Date.now();
  await client.waitFor(check, 10_000, what);
  return Date.now() - done;
}

describe('initial sync', () => {
  it.each(KUBECTL_RESOURCES)('%s: same objects as kubectl get -A', async (kind, resource) => {
    // The cluster may still settle (controllers finishing): compare until both agree.
    let expected: string[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      expected = await uidsFromKubectl(resource);
      if (JSON.stringify(expected) === JSON.stringify(uidsFromStream(kind))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(uidsFromStream(kind)).toEqual(expected);
  });

  it('reports every kind live and the absent Gateway API as unavailable', () => {
    const { kinds } = client.cluster().status;
    for (const [kind] of KUBECTL_RESOURCES) expect(kinds[kind]?.state, kind).toBe('live');
    expect(kinds.Gateway?.state).toBe('unavailable');
    expect(kinds.Gateway?.reason).toMatch(/not served|not available|API/i);
  });

  it('carries what the views need: pod placement, requests, owners and node capacity', () => {
    const web = client.records('Pod').filter((p) => p.namespace === 'shop' && p.labels?.app === 'web');
    expect(web).toHaveLength(3);
    for (const pod of web) {
      expect(pod.nodeName).toMatch(/^kwok-node-/);
      expect(pod.status).toBe('Running');
      expect(pod.requests).toEqual({ cpu: 250, memory: 256 * 1024 ** 2 });
      expect(pod.owner?.kind).toBe('ReplicaSet');
      // Service host names are normalised to <service>.<namespace>.
      expect(pod.refs?.envHosts).toContain('orders.shop');
      expect(pod.refs?.configMaps).toContain('web-config');
    }
    const node = client.find('Node', 'kwok-node-0')!;
    expect(node.allocatable).toMatchObject({ cpu: 15_800, pods: 250 });
    expect(node.capacity.cpu).toBe(16_000);
    expect(node.ready).toBe(true);
    expect(node.labels?.['topology.kubernetes.io/zone']).toBe('zone-a');
  });
});

describe('live changes reach an SSE client within 2 s', () => {
  it('pods: create, update, delete', async () => {
    const createMs = await deliveredWithin(
      () => kubectl(['-n', 'shop', 'run', 'probe', '--image=busybox', '--restart=Never', '--overrides={"spec":{"nodeName":"kwok-node-1"}}']),
      () => client.find('Pod', 'probe', 'shop') !== undefined,
      'pod probe created',
    );
    const updateMs = await deliveredWithin(
      () => kubectl(['-n', 'shop', 'label', 'pod', 'probe', 'checked=yes']),
      () => client.find('Pod', 'probe', 'shop')?.labels?.checked === 'yes',
      'pod probe labelled',
    );
    const deleteMs = await deliveredWithin(
      () => kubectl(['-n', 'shop', 'delete', 'pod', 'probe', '--wait=true', '--timeout=60s']),
      () => client.find('Pod', 'probe', 'shop') === undefined,
      'pod probe deleted',
    );
    expect({ createMs, updateMs, deleteMs }).toSatisfy(
      (ms: Record<string, number>) => Object.values(ms).every((v) => v < DELIVERY_LIMIT_MS),
    );
  });

  it('nodes: create, cordon, delete', async () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'kwok-node-extra', annotations: { 'kwok.x-k8s.io/node': 'fake' }, labels: { type: 'kwok' } },
      status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
    };
    const createMs = await deliveredWithin(
      () => applyManifest(node),
      () => client.find('Node', 'kwok-node-extra') !== undefined,
      'node created',
    );
    const cordonMs = await deliveredWithin(
      () => kubectl(['cordon', 'kwok-node-extra']),
      () => client.find('Node', 'kwok-node-extra')?.unschedulable === true,
      'node cordoned',
    );
    const deleteMs = await deliveredWithin(
      () => kubectl(['delete', 'node', 'kwok-node-extra']),
      () => client.find('Node', 'kwok-node-extra') === undefined,
      'node deleted',
    );
    for (const ms of [createMs, cordonMs, deleteMs]) expect(ms).toBeLessThan(DELIVERY_LIMIT_MS);
  });

  it('deployments: create, scale, delete', async () => {
    const createMs = await deliveredWithin(
      () => kubectl(['-n', 'shop', 'create', 'deployment', 'cart', '--image=registry.example/cart:1', '--replicas=1']),
      () => client.find('Deployment', 'cart', 'shop') !== undefined,
      'deployment created',
    );
    const scaleMs = await deliveredWithin(
      () => kubectl(['-n', 'shop', 'scale', 'deployment', 'cart', '--replicas=4']),
      () => client.find('Deployment', 'cart', 'shop')?.desired === 4,
      'deployment scaled',
    );
    await client.waitFor(
      () => client.records('Pod').filter((p) => p.namespace === 'shop' && p.labels?.app === 'cart').length === 4,
      30_000,
      'four cart pods',
    );
    const deleteMs = await deliveredWithin(
      () => kubectl(['-n', 'shop', 'delete', 'deployment', 'cart', '--wait=false']),
      () => client.find('Deployment', 'cart', 'shop') === undefined,
      'deployment deleted',
    );
    for (const ms of [createMs, scaleMs, deleteMs]) expect(ms).toBeLessThan(DELIVERY_LIMIT_MS);
    // Garbage collection removes the pods afterwards; none may linger in the model.
    await client.waitFor(
      () => client.records('Pod').every((p) => p.labels?.app !== 'cart'),
      60_000,
      'cart pods garbage-collected',
    );
  });
});

describe('usage from metrics-server', () => {
  it('arrives as NodeMetrics and PodMetrics keyed by the measured object', async () => {
    await client.waitFor(() => client.cluster().status.metrics === 'available', 120_000, 'metrics available');
    await client.waitFor(
      () => client.records('PodMetrics').some((m) => m.name.startsWith('web-') && m.usage.cpu >= 100),
      120_000,
      'web pod usage',
    );
    const pods = new Map(client.records('Pod').map((p) => [p.uid, p]));
    for (const usage of client.records('PodMetrics')) expect(pods.get(usage.uid)?.name).toBe(usage.name);
    const web = client.records('PodMetrics').find((m) => m.name.startsWith('web-'))!;
    expect(web.usage.cpu).toBeCloseTo(120, -1);
  });
});
