import { describe, expect, it } from 'vitest';
import { fixture } from '../testing/fixtures.js';
import { readNodeUsage, readPodUsage } from './metrics.js';

describe('metrics', () => {
  const metrics = fixture('metrics.json');

  it('reads node usage', () => {
    expect(readNodeUsage(metrics.node)).toEqual({
      name: 'node-a-1',
      usage: { cpu: 2316, memory: 10457292 * 1024 },
      sampledAt: Date.parse('2025-11-20T10:19:52Z'),
      createdAt: Date.parse('2025-11-20T10:20:05Z'),
    });
  });

  it('sums pod usage over containers', () => {
    expect(readPodUsage(metrics.pod)).toMatchObject({
      name: 'web-7d4b9c8f6d-x2x9q',
      namespace: 'shop',
      usage: { cpu: 121 + 4 + 9, memory: (301248 + 20480 + 65536) * 1024 },
    });
  });

  it('refuses usage it cannot read', () => {
    expect(readNodeUsage({ ...metrics.node, usage: { cpu: 'fast' } })).toBeUndefined();
    expect(readPodUsage({ ...metrics.pod, metadata: { name: 'p' } })).toBeUndefined();
    expect(readPodUsage({ ...metrics.pod, containers: [{ name: 'x', usage: null }] })).toBeUndefined();
  });
});
