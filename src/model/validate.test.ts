import { describe, expect, it } from 'vitest';
import type { NodeRecord, PodRecord } from './records.js';
import { validateRecord } from './validate.js';

const pod: PodRecord = {
  kind: 'Pod',
  uid: '0b7e4a5c-1f2d-4c3b-9a8e-7d6c5b4a3f2e',
  name: 'web-5d8f7c9b6-x2k4p',
  namespace: 'shop',
  labels: { app: 'web' },
  createdAt: 1_736_150_000_000,
  owner: { kind: 'ReplicaSet', name: 'web-5d8f7c9b6', uid: '1a2b3c4d-0000-4000-8000-000000000001' },
  nodeName: 'node-1',
  phase: 'Running',
  status: 'Running',
  ready: true,
  restarts: 0,
  requests: { cpu: 250, memory: 268_435_456 },
  limits: { memory: 536_870_912 },
  containers: [{ name: 'web', image: 'web:1.0', state: 'running', ready: true, restarts: 0, requests: { cpu: 250 } }],
  podIP: '10.64.0.2',
  qosClass: 'Burstable',
  refs: { serviceAccount: 'web', envHosts: ['orders.shop'] },
};

const node: NodeRecord = {
  kind: 'Node',
  uid: '2b7e4a5c-1f2d-4c3b-9a8e-7d6c5b4a3f2e',
  name: 'node-1',
  createdAt: 1_736_000_000_000,
  roles: [],
  unschedulable: false,
  taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
  conditions: [{ type: 'Ready', status: 'True', since: 1_736_000_000_000 }],
  ready: true,
  capacity: { cpu: 8000, memory: 33_000_000_000, pods: 110, extended: { 'nvidia.com/gpu': 1 } },
  allocatable: { cpu: 7910, memory: 31_000_000_000, pods: 110, extended: { 'nvidia.com/gpu': 1 } },
};

describe('validateRecord', () => {
  it('accepts valid records, optional fields set to undefined included', () => {
    expect(validateRecord(pod)).toEqual([]);
    expect(validateRecord(node)).toEqual([]);
    expect(validateRecord({ ...pod, reason: undefined })).toEqual([]);
    expect(validateRecord({ kind: 'PodMetrics', uid: pod.uid, name: pod.name, namespace: 'shop', usage: { cpu: 12, memory: 1024 }, sampledAt: 1, createdAt: 1 })).toEqual([]);
    expect(validateRecord({ kind: 'Namespace', uid: 'u', name: 'shop', createdAt: 0, phase: 'Active' })).toEqual([]);
  });

  it('rejects what is not a record of a known kind', () => {
    expect(validateRecord(null)).toEqual(['record: expected an object, got null']);
    expect(validateRecord([])).toEqual(['record: expected an object, got an array']);
    expect(validateRecord({ ...pod, kind: 'Secret' })).toEqual(['kind: unknown kind "Secret"']);
  });

  it('requires the fields of the kind', () => {
    const { uid: _uid, requests: _requests, ...rest } = pod;
    expect(validateRecord(rest)).toEqual(['uid: required', 'requests: required']);
    expect(validateRecord({ ...pod, name: '' })).toEqual(['name: expected a non-empty string, got ""']);
  });

  it('rejects numbers that are negative or not finite, wherever they are', () => {
    expect(validateRecord({ ...pod, restarts: -1 })).toEqual(['restarts: expected a finite number >= 0, got -1']);
    expect(validateRecord({ ...pod, requests: { cpu: Number.NaN, memory: 1 } })).toEqual(['requests.cpu: expected a finite number >= 0, got NaN']);
    expect(validateRecord({ ...node, allocatable: { ...node.allocatable, extended: { 'nvidia.com/gpu': Infinity } } })).toEqual([
      'allocatable.extended.nvidia.com/gpu: expected a finite number >= 0, got Infinity',
    ]);
    expect(validateRecord({ ...pod, createdAt: '2025-01-06' })).toEqual(['createdAt: expected a finite number >= 0, got "2025-01-06"']);
  });

  it('rejects wrong types, unknown enum values and fields records.ts does not define', () => {
    expect(validateRecord({ ...pod, status: 'Exploded' })[0]).toMatch(/^status: expected one of Running, NotReady/);
    expect(validateRecord({ ...pod, ready: 'yes' })).toEqual(['ready: expected a boolean, got "yes"']);
    expect(validateRecord({ ...pod, metadata: {}, spec: {} })).toEqual(['metadata: unexpected field', 'spec: unexpected field']);
    expect(validateRecord({ ...pod, labels: { app: 3 } })).toEqual(['labels.app: expected a string, got 3']);
    expect(validateRecord({ ...pod, containers: [{ ...pod.containers[0], state: 'sleeping' }] })).toEqual(['containers[0].state: expected one of waiting, running, terminated, got "sleeping"']);
    expect(validateRecord({ ...node, conditions: [{ type: 'Ready', status: true }] })).toEqual(['conditions[0].status: expected one of True, False, Unknown, got boolean']);
  });

  it('knows which kinds are namespaced', () => {
    const { namespace: _ns, ...clusterWide } = pod;
    expect(validateRecord(clusterWide)).toEqual(['namespace: required for Pod']);
    expect(validateRecord({ ...node, namespace: 'default' })).toEqual(['namespace: Node is cluster-scoped']);
    expect(validateRecord({ kind: 'NodeMetrics', uid: 'u', name: 'n', namespace: 'x', usage: { cpu: 1, memory: 1 }, sampledAt: 1, createdAt: 1 })).toEqual(['namespace: NodeMetrics is cluster-scoped']);
  });

  it('checks that hosts and the fields they were found at run side by side', () => {
    expect(validateRecord({ ...pod, refs: { envHosts: ['orders.shop', 'db.shop'], hostFields: ['containers[web].env[A]', 'containers[web].args[1]'] } })).toEqual([]);
    expect(validateRecord({ ...pod, refs: { envHosts: ['orders.shop', 'db.shop'], hostFields: ['containers[web].env[A]'] } })).toEqual([
      'refs.hostFields: expected one entry for each of envHosts, got 1 for 2',
    ]);
    expect(validateRecord({ ...pod, refs: { hostFields: ['containers[web].env[A]'] } })).toEqual(['refs.hostFields: expected one entry for each of envHosts, got 1 for 0']);
    const cm = { kind: 'ConfigMap', uid: 'u', name: 'api-config', namespace: 'shop', createdAt: 0, hosts: ['db.shop'], hostFields: ['data[DATABASE_URL]'] };
    expect(validateRecord(cm)).toEqual([]);
    expect(validateRecord({ ...cm, hosts: [], hostFields: [] })).toEqual([]);
    expect(validateRecord({ ...cm, hostFields: [] })).toEqual(['hostFields: expected one entry for each of hosts, got 0 for 1']);
    expect(validateRecord({ ...cm, data: { DATABASE_URL: 'postgres://db.shop' } })).toEqual(['data: unexpected field']);
    const { namespace: _ns, ...clusterWide } = cm;
    expect(validateRecord(clusterWide)).toEqual(['namespace: required for ConfigMap']);
  });

  it('checks nested shapes of the other kinds', () => {
    const svc = { kind: 'Service', uid: 'u', name: 's', namespace: 'n', createdAt: 0, type: 'ClusterIP', ports: [{ port: 80, targetPort: 'http' }] };
    expect(validateRecord(svc)).toEqual([]);
    expect(validateRecord({ ...svc, ports: [{ port: -80 }] })).toEqual(['ports[0].port: expected a finite number >= 0, got -80']);
    const route = { kind: 'HTTPRoute', uid: 'u', name: 'r', namespace: 'n', createdAt: 0, parents: [{ name: 'gw' }], hostnames: ['a.example.com'], backends: [{ service: 's', weight: 1 }] };
    expect(validateRecord(route)).toEqual([]);
    expect(validateRecord({ ...route, backends: [{ weight: 1 }] })).toEqual(['backends[0].service: required']);
    const grant = {
      kind: 'ReferenceGrant',
      uid: 'u',
      name: 'g',
      namespace: 'n',
      createdAt: 0,
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }],
      to: [{ group: '', kind: 'Service' }, { group: '', kind: 'Service', name: 'api' }],
    };
    expect(validateRecord(grant)).toEqual([]);
    expect(validateRecord({ ...grant, from: [{ group: '', kind: 'HTTPRoute' }], to: [{ group: '', kind: 'Service', name: '' }] })).toEqual([
      'from[0].namespace: required',
      'to[0].name: expected a non-empty string, got ""',
    ]);
    const job = { kind: 'Job', uid: 'u', name: 'j', namespace: 'n', createdAt: 0, desired: 1, ready: 0, succeeded: 1, failed: 0, active: 0, outcome: 'Done' };
    expect(validateRecord(job)).toEqual(['outcome: expected one of Complete, Failed, got "Done"']);
  });
});
