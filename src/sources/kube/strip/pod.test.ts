import { describe, expect, it } from 'vitest';
import type { PodRecord } from '../../../model/records.js';
import { fixture, mutations } from '../testing/fixtures.js';
import { stripPod } from './pod.js';

const Mi = 1024 ** 2;

function pod(): Record<string, any> {
  return fixture('pod-web.json');
}

function strip(raw: unknown): PodRecord {
  const record = stripPod(raw);
  if (!record) throw new Error('stripPod returned undefined');
  return record;
}

describe('stripPod on a real pod', () => {
  const record = strip(pod());

  it('keeps identity, owner and placement', () => {
    expect(record).toMatchObject({
      kind: 'Pod',
      uid: '9b1e8f4a-3c2d-4e5f-8a7b-1c2d3e4f5a6b',
      name: 'web-7d4b9c8f6d-x2x9q',
      namespace: 'shop',
      createdAt: Date.parse('2025-11-20T10:15:30Z'),
      owner: { kind: 'ReplicaSet', name: 'web-7d4b9c8f6d', uid: '4f6c2a1e-9d8b-4c7a-b6e5-d4c3b2a19f8e' },
      labels: { 'app.kubernetes.io/name': 'web', 'pod-template-hash': '7d4b9c8f6d', tier: 'frontend' },
      nodeName: 'node-a-1',
      podIP: '10.244.3.17',
      qosClass: 'Burstable',
      priorityClassName: 'shop-critical',
      startedAt: Date.parse('2025-11-20T10:15:31Z'),
      phase: 'Running',
      status: 'Running',
      ready: true,
    });
    expect(record.daemon).toBeUndefined();
    expect(record.reason).toBeUndefined();
  });

  it('counts restarts like kubectl: containers plus sidecars, not finished init containers', () => {
    expect(record.restarts).toBe(3 + 0 + 2);
  });

  it('computes effective requests as the scheduler does (sidecars, init peak, overhead)', () => {
    // containers 250m + 50m, sidecar 100m → 400m; the init container before the sidecar needs
    // 500m alone, which is more; plus 10m overhead.
    expect(record.requests).toEqual({ cpu: 510, memory: (512 + 64 + 128 + 16) * Mi });
    expect(record.limits).toEqual({ cpu: 1000 + 2000 + 10, memory: (512 + 1024 + 16) * Mi });
  });

  it('lists init containers first, with state, reason and resources', () => {
    expect(record.containers.map((c) => [c.name, c.init ?? false, c.state, c.reason, c.ready, c.restarts])).toEqual([
      ['migrate', true, 'terminated', 'Completed', true, 1],
      ['istio-proxy', true, 'running', undefined, true, 2],
      ['web', false, 'running', undefined, true, 3],
      ['log-shipper', false, 'running', undefined, true, 0],
    ]);
    expect(record.containers[2]).toMatchObject({
      image: 'registry.example.com/shop/web:1.42.0',
      requests: { cpu: 250, memory: 512 * Mi },
      limits: { cpu: 1000, memory: 512 * Mi },
    });
  });

  it('collects references by name from volumes, envFrom, env and env values', () => {
    expect(record.refs).toEqual({
      serviceAccount: 'web',
      configMaps: ['web-config', 'kube-root-ca.crt', 'web-env', 'feature-flags'],
      secrets: ['web-tls', 'web-db-credentials', 'web-api-key'],
      persistentVolumeClaims: ['web-uploads'],
      envHosts: ['orders.shop', 'db.shop', 'redis-master', 'kafka-0.kafka.data', 'kafka-1.kafka.data', 'payments.billing'],
      hostFields: [
        'containers[web].env[ORDERS_URL]',
        'containers[web].env[DATABASE_URL]',
        'containers[web].env[CACHE_ADDR]',
        'containers[web].env[KAFKA_BROKERS]',
        'containers[web].env[KAFKA_BROKERS]',
        'containers[web].env[PAYMENTS]',
      ],
    });
  });

  it('keeps nothing it does not draw: no annotations, managed fields, credentials or healthy conditions', () => {
    const json = JSON.stringify(record);
    for (const absent of ['managedFields', 'restartedAt', 'hunter2', 'tolerations', 'lastState', 'OOMKilled']) {
      expect(json).not.toContain(absent);
    }
    expect(record.conditions).toBeUndefined();
  });
});

/** A minimal scheduled pod with one container, to vary status on. */
function basePod(status: Record<string, unknown>, extra: { spec?: object; metadata?: object } = {}) {
  return {
    metadata: { uid: 'u1', name: 'p', namespace: 'ns', creationTimestamp: '2025-01-01T00:00:00Z', ...extra.metadata },
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'app:1' }], ...extra.spec },
    status,
  };
}

const running = { running: { startedAt: '2025-01-01T00:00:05Z' } };
const waiting = (reason: string) => ({ waiting: { reason, message: `${reason} happened` } });
const terminated = (reason: string | undefined, exitCode: number) => ({ terminated: { reason, exitCode } });
const container = (state: object, ready = false, name = 'app') => ({ name, state, ready, restartCount: 0 });
const ready = [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: 'True' },
  { type: 'PodScheduled', status: 'True' },
];
const notReady = [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
  { type: 'PodScheduled', status: 'True' },
];
const twoInits = {
  initContainers: [
    { name: 'init-a', image: 'init:1' },
    { name: 'init-b', image: 'init:1' },
  ],
};

describe('pod status follows kubectl', () => {
  it.each([
    [
      'unschedulable',
      basePod(
        {
          phase: 'Pending',
          conditions: [
            { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' },
          ],
        },
        { spec: { nodeName: undefined } },
      ),
      'Pending',
      'Unschedulable',
    ],
    [
      'scheduling gated',
      basePod(
        { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
        { spec: { nodeName: undefined } },
      ),
      'Pending',
      'SchedulingGated',
    ],
    ['scheduled, no container status yet', basePod({ phase: 'Pending' }), 'ContainerCreating', undefined],
    [
      'creating containers',
      basePod({ phase: 'Pending', containerStatuses: [container(waiting('ContainerCreating'))] }),
      'ContainerCreating',
      undefined,
    ],
    [
      'second init container running',
      basePod(
        {
          phase: 'Pending',
          initContainerStatuses: [container(terminated('Completed', 0), true, 'init-a'), container(running, false, 'init-b')],
          containerStatuses: [container(waiting('PodInitializing'))],
        },
        { spec: twoInits },
      ),
      'ContainerCreating',
      'Init:1/2',
    ],
    [
      'init container crash-looping',
      basePod(
        {
          phase: 'Pending',
          initContainerStatuses: [container(waiting('CrashLoopBackOff'), false, 'init-a'), container(waiting('PodInitializing'), false, 'init-b')],
        },
        { spec: twoInits },
      ),
      'CrashLoopBackOff',
      'Init:CrashLoopBackOff',
    ],
    [
      'init container failed',
      basePod(
        { phase: 'Pending', initContainerStatuses: [container(terminated('Error', 1), false, 'init-a')] },
        { spec: twoInits },
      ),
      'Error',
      'Init:Error',
    ],
    [
      'init container failed without a reason',
      basePod(
        { phase: 'Pending', initContainerStatuses: [container(terminated(undefined, 3), false, 'init-a')] },
        { spec: twoInits },
      ),
      'Error',
      'Init:ExitCode:3',
    ],
    ['crash loop', basePod({ phase: 'Running', containerStatuses: [container(waiting('CrashLoopBackOff'))] }), 'CrashLoopBackOff', undefined],
    ['image pull back-off', basePod({ phase: 'Pending', containerStatuses: [container(waiting('ImagePullBackOff'))] }), 'Error', 'ImagePullBackOff'],
    ['image pull error', basePod({ phase: 'Pending', containerStatuses: [container(waiting('ErrImagePull'))] }), 'Error', 'ErrImagePull'],
    [
      'missing config',
      basePod({ phase: 'Pending', containerStatuses: [container(waiting('CreateContainerConfigError'))] }),
      'Error',
      'CreateContainerConfigError',
    ],
    ['OOM killed', basePod({ phase: 'Running', containerStatuses: [container(terminated('OOMKilled', 137))] }), 'Error', 'OOMKilled'],
    ['killed by a signal', basePod({ phase: 'Running', containerStatuses: [container({ terminated: { exitCode: 0, signal: 9 } })] }), 'Error', 'Signal:9'],
    ['running and ready', basePod({ phase: 'Running', conditions: ready, containerStatuses: [container(running, true)] }), 'Running', undefined],
    ['running, not ready', basePod({ phase: 'Running', conditions: notReady, containerStatuses: [container(running, false)] }), 'NotReady', undefined],
    [
      'one container done, another running',
      basePod(
        {
          phase: 'Running',
          conditions: ready,
          containerStatuses: [container(terminated('Completed', 0), false, 'helper'), container(running, true)],
        },
        { spec: { containers: [{ name: 'helper' }, { name: 'app' }] } },
      ),
      'Running',
      undefined,
    ],
    [
      'containers all completed, pod not yet marked done',
      basePod({ phase: 'Running', conditions: notReady, containerStatuses: [container(terminated('Completed', 0))] }),
      'NotReady',
      'Completed',
    ],
    [
      'the first container has the last word',
      basePod(
        { phase: 'Running', containerStatuses: [container(waiting('CrashLoopBackOff'), false, 'a'), container(waiting('ImagePullBackOff'), false, 'b')] },
        { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      ),
      'CrashLoopBackOff',
      undefined,
    ],
    ['succeeded', basePod({ phase: 'Succeeded', containerStatuses: [container(terminated('Completed', 0))] }), 'Succeeded', 'Completed'],
    ['evicted', basePod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }), 'Failed', 'Evicted'],
    ['failed container', basePod({ phase: 'Failed', containerStatuses: [container(terminated('Error', 2))] }), 'Failed', 'Error'],
    [
      'deleting',
      basePod({ phase: 'Running', conditions: ready, containerStatuses: [container(running, true)] }, { metadata: { deletionTimestamp: '2025-01-01T01:00:00Z' } }),
      'Terminating',
      undefined,
    ],
    [
      'deleting on a lost node',
      basePod({ phase: 'Running', reason: 'NodeLost' }, { metadata: { deletionTimestamp: '2025-01-01T01:00:00Z' } }),
      'Unknown',
      'NodeLost',
    ],
    [
      'deleting after success',
      basePod({ phase: 'Succeeded', containerStatuses: [container(terminated('Completed', 0))] }, { metadata: { deletionTimestamp: '2025-01-01T01:00:00Z' } }),
      'Succeeded',
      'Completed',
    ],
    ['node unreachable', basePod({ phase: 'Unknown' }), 'Unknown', undefined],
  ])('%s', (_name, raw, status, reason) => {
    const record = strip(raw);
    expect(record.status).toBe(status);
    expect(record.reason).toBe(reason);
  });

  it('keeps the scheduler message and the conditions of a pod that is not healthy', () => {
    const record = strip(
      basePod(
        {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/3 nodes are available: 3 Insufficient cpu.',
              lastTransitionTime: '2025-01-01T00:00:01Z',
            },
          ],
        },
        { spec: { nodeName: undefined } },
      ),
    );
    expect(record.schedulingMessage).toBe('0/3 nodes are available: 3 Insufficient cpu.');
    expect(record.conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: '0/3 nodes are available: 3 Insufficient cpu.',
        since: Date.parse('2025-01-01T00:00:01Z'),
      },
    ]);
    expect(record.nodeName).toBeUndefined();
  });

  it('counts init container restarts while initializing', () => {
    const raw = basePod(
      { phase: 'Pending', initContainerStatuses: [{ ...container(waiting('CrashLoopBackOff'), false, 'init-a'), restartCount: 4 }] },
      { spec: twoInits },
    );
    expect(strip(raw).restarts).toBe(4);
  });
});

describe('daemon pods', () => {
  it('marks DaemonSet-owned pods', () => {
    const raw = basePod({ phase: 'Running' }, {
      metadata: { ownerReferences: [{ kind: 'DaemonSet', name: 'ds', uid: 'd1', controller: true }] },
    });
    expect(strip(raw).daemon).toBe(true);
  });

  it('marks mirror pods of static pods', () => {
    const raw = basePod({ phase: 'Running' }, {
      metadata: {
        annotations: { 'kubernetes.io/config.mirror': 'abc', 'kubernetes.io/config.source': 'file' },
        ownerReferences: [{ kind: 'Node', name: 'n1', uid: 'n1-uid', controller: true }],
      },
    });
    expect(strip(raw).daemon).toBe(true);
  });
});

describe('pod resources', () => {
  it('has zero requests and no limits when nothing is set', () => {
    const record = strip(basePod({ phase: 'Running' }));
    expect(record.requests).toEqual({ cpu: 0, memory: 0 });
    expect(record.limits).toEqual({});
  });

  it('uses pod-level resources when set', () => {
    const raw = basePod({ phase: 'Running' }, {
      spec: {
        resources: { requests: { cpu: '2', memory: '1Gi' } },
        containers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }],
      },
    });
    expect(strip(raw).requests).toEqual({ cpu: 2000, memory: 1024 * Mi });
  });

  it('ignores quantities that do not parse', () => {
    const raw = basePod({ phase: 'Running' }, {
      spec: { containers: [{ name: 'app', resources: { requests: { cpu: 'lots', memory: '1Gi' } } }] },
    });
    expect(strip(raw).requests).toEqual({ cpu: 0, memory: 1024 * Mi });
  });
});

describe('malformed and hostile pods', () => {
  it.each([
    ['null', null],
    ['a string', 'pod'],
    ['an array', []],
    ['no metadata', { spec: {} }],
    ['no uid', { metadata: { name: 'p', namespace: 'ns' } }],
    ['numeric uid', { metadata: { uid: 7, name: 'p', namespace: 'ns' } }],
    ['no namespace', { metadata: { uid: 'u', name: 'p' } }],
  ])('%s → undefined', (_name, raw) => {
    expect(stripPod(raw)).toBeUndefined();
  });

  it('survives any field of a real pod having the wrong type', () => {
    let checked = 0;
    for (const raw of mutations(pod())) {
      const record = stripPod(raw);
      checked++;
      if (!record) continue;
      expect(Number.isFinite(record.requests.cpu) && Number.isFinite(record.requests.memory)).toBe(true);
      expect(Number.isFinite(record.restarts)).toBe(true);
      expect(() => JSON.stringify(record)).not.toThrow();
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('keeps hostile strings verbatim as data', () => {
    const raw = pod();
    raw.metadata.name = '<img src=x onerror=alert(1)>';
    // JSON.parse, as the API client does: an object literal would treat __proto__ specially.
    raw.metadata.labels = JSON.parse('{"__proto__": "polluted", "x": "\\"><script>alert(1)</script>", "emoji": "🚀\\u202e"}');
    raw.status.containerStatuses[1].state = { waiting: { reason: '<b>CrashLoopBackOff</b>' } };
    const record = strip(raw);
    expect(record.name).toBe('<img src=x onerror=alert(1)>');
    expect(Object.getPrototypeOf(record.labels)).toBe(Object.prototype);
    expect(Object.keys(record.labels ?? {})).toEqual(['__proto__', 'x', 'emoji']);
    expect(record.labels?.x).toBe('"><script>alert(1)</script>');
    expect(JSON.parse(JSON.stringify(record)).labels.__proto__).toBe('polluted');
    expect(record.reason).toBe('<b>CrashLoopBackOff</b>');
  });

  it('bounds huge label maps', () => {
    const raw = pod();
    raw.metadata.labels = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key-${i}`, `value-${i}`]));
    const labels = strip(raw).labels ?? {};
    expect(Object.keys(labels)).toHaveLength(256);
    expect(labels['key-0']).toBe('value-0');
  });

  it('shares one label map between pods with the same labels', () => {
    const a = strip(pod());
    const other = pod();
    other.metadata.uid = 'another';
    const b = strip(other);
    expect(b.labels).toBe(a.labels);
    expect(Object.isFrozen(a.labels)).toBe(true);
  });

  it('shares one owner reference between pods of one owner', () => {
    const a = strip(pod());
    const other = pod();
    other.metadata.uid = 'another';
    expect(strip(other).owner).toBe(a.owner);
    expect(Object.isFrozen(a.owner)).toBe(true);
  });

  it('keeps no object of the API object it was made from', () => {
    const raw = pod();
    const rawObjects = new Set<unknown>();
    const collect = (value: unknown) => {
      if (typeof value !== 'object' || value === null || rawObjects.has(value)) return;
      rawObjects.add(value);
      for (const child of Object.values(value)) collect(child);
    };
    collect(raw);
    const shared: string[] = [];
    const check = (value: unknown, path: string) => {
      if (typeof value !== 'object' || value === null) return;
      if (rawObjects.has(value)) shared.push(path);
      for (const [key, child] of Object.entries(value)) check(child, `${path}.${key}`);
    };
    check(strip(raw), 'pod');
    expect(shared).toEqual([]);
  });

  it('gives every pod the same fields in the same order, present even when undefined', () => {
    // One hidden class for all pods keeps their fields inside the object (no property arrays).
    const pending = strip({ metadata: { name: 'p', namespace: 'shop', uid: 'u' }, spec: { containers: [] }, status: {} });
    const running = strip(pod());
    const common = Object.keys(pending);
    expect(common).toEqual([
      'kind', 'uid', 'name', 'namespace', 'labels', 'createdAt', 'owner', 'nodeName', 'phase', 'status', 'ready',
      'restarts', 'requests', 'limits', 'containers', 'podIP', 'qosClass', 'refs', 'startedAt',
    ]);
    expect(Object.keys(running).slice(0, common.length)).toEqual(common);
  });
});
