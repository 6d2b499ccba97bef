// Record factories for tests: the smallest valid record of a kind, with fields to override.
import type { NodeRecord, PodRecord, Resources, UsageRecord } from '../records.js';

export function pod(uid: string, fields: Partial<PodRecord> = {}): PodRecord {
  return {
    kind: 'Pod',
    uid,
    name: `pod-${uid}`,
    namespace: 'default',
    createdAt: 1,
    phase: 'Running',
    status: 'Running',
    ready: true,
    restarts: 0,
    requests: { cpu: 100, memory: 1 << 20 },
    limits: {},
    containers: [],
    ...fields,
  };
}

export function node(uid: string, fields: Partial<NodeRecord> = {}): NodeRecord {
  const resources = { cpu: 4000, memory: 16 * 2 ** 30, pods: 110 };
  return {
    kind: 'Node',
    uid,
    name: `node-${uid}`,
    createdAt: 1,
    roles: [],
    unschedulable: false,
    taints: [],
    conditions: [{ type: 'Ready', status: 'True' }],
    ready: true,
    capacity: resources,
    allocatable: resources,
    ...fields,
  };
}

/** Metrics of a node or pod, keyed (like the real ones) by the uid of what they measure. */
export function usage(kind: UsageRecord['kind'], uid: string, resources: Resources): UsageRecord {
  return { kind, uid, name: `${kind === 'NodeMetrics' ? 'node' : 'pod'}-${uid}`, usage: resources, sampledAt: 1, createdAt: 1 };
}
