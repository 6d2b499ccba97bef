// Record factories for tests: the smallest valid record of a kind, with fields to override.
import type { PodRecord } from '../records.js';

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
