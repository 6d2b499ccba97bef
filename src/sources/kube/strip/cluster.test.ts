import { describe, expect, it } from 'vitest';
import { stripNamespace, stripNode } from './cluster.js';
import { fixture, mutations } from '../testing/fixtures.js';

const Ki = 1024;

describe('stripNode', () => {
  const node = stripNode(fixture('node.json'));

  it('keeps roles, scheduling state, taints and the conditions that matter', () => {
    expect(node).toMatchObject({
      kind: 'Node',
      uid: '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b',
      name: 'node-a-1',
      roles: ['control-plane', 'gpu-worker'],
      unschedulable: true,
      ready: true,
      kubeletVersion: 'v1.36.3',
      internalIP: '10.0.1.11',
    });
    expect(node?.namespace).toBeUndefined();
    expect(node?.taints).toEqual([
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ]);
    expect(node?.conditions.map((c) => [c.type, c.status, c.since])).toEqual([
      ['MemoryPressure', 'False', Date.parse('2025-11-01T08:00:30Z')],
      ['DiskPressure', 'True', Date.parse('2025-11-20T10:01:00Z')],
      ['PIDPressure', 'False', Date.parse('2025-11-01T08:00:30Z')],
      ['Ready', 'True', Date.parse('2025-11-01T08:01:00Z')],
    ]);
  });

  it('reads capacity and allocatable as numbers, with GPUs as extended resources', () => {
    expect(node?.capacity).toEqual({ cpu: 16000, memory: 65023420 * Ki, pods: 110, extended: { 'nvidia.com/gpu': 1 } });
    expect(node?.allocatable).toEqual({ cpu: 15890, memory: 63284924 * Ki, pods: 110, extended: { 'nvidia.com/gpu': 1 } });
  });

  it('does not change when only heartbeats move', () => {
    const raw = fixture('node.json');
    for (const c of raw.status.conditions) c.lastHeartbeatTime = '2025-11-20T10:25:00Z';
    raw.metadata.resourceVersion = '190002';
    expect(JSON.stringify(stripNode(raw))).toBe(JSON.stringify(node));
  });

  it('is not ready without a Ready=True condition, and survives malformed fields', () => {
    const raw = fixture('node.json');
    raw.status.conditions = [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }];
    expect(stripNode(raw)?.ready).toBe(false);
    for (const mutated of mutations(fixture('node.json'))) {
      const record = stripNode(mutated);
      if (record) expect(Number.isFinite(record.allocatable.cpu)).toBe(true);
    }
  });
});

describe('stripNamespace', () => {
  it('keeps labels and phase', () => {
    expect(stripNamespace(fixture('namespace.json'))).toEqual({
      kind: 'Namespace',
      uid: '0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9',
      name: 'shop',
      labels: { 'kubernetes.io/metadata.name': 'shop', team: 'checkout' },
      createdAt: Date.parse('2025-11-01T08:05:00Z'),
      phase: 'Active',
    });
  });
});
