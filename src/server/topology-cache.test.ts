import { describe, expect, it } from 'vitest';
import { ClusterState } from '../model/cluster-state.js';
import type { Topology } from '../model/topology.js';
import { TopologyCache } from './topology-cache.js';

describe('TopologyCache', () => {
  const empty: Topology = { vertices: [], edges: [], unresolved: [] };

  it('reuses a derivation for a second, then derives again', () => {
    let now = 1_000_000;
    let derivations = 0;
    const cache = new TopologyCache(() => (derivations++, empty), () => now);
    const state = new ClusterState('c', 'c');
    const first = cache.get(state);
    expect(derivations).toBe(1);
    now += 999;
    expect(cache.get(state)).toBe(first);
    expect(derivations).toBe(1);
    now += 1;
    const second = cache.get(state);
    expect(derivations).toBe(2);
    expect(second.derivedAt).toBe(now);
  });

  it('keeps clusters apart, and never reuses across a cluster replaced by another state', () => {
    let derivations = 0;
    const cache = new TopologyCache(() => (derivations++, empty), () => 5);
    cache.get(new ClusterState('a', 'a'));
    cache.get(new ClusterState('b', 'b'));
    cache.get(new ClusterState('a', 'a'));
    expect(derivations).toBe(3);
  });
});
