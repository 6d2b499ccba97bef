import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { sameJson } from './same-json.js';
import { initialClusterStatus } from './cluster-status.js';
import type { NodeRecord, PodRecord } from './records.js';
import { KIND_KEYS } from './stream.js';
import { pod } from './testing/records.js';

function node(uid: string, name: string): NodeRecord {
  const resources = { cpu: 4000, memory: 8 << 30, pods: 110 };
  return {
    kind: 'Node',
    uid,
    name,
    createdAt: 1,
    roles: [],
    unschedulable: false,
    taints: [],
    conditions: [],
    ready: true,
    capacity: resources,
    allocatable: resources,
  };
}

const uids = (pods: PodRecord[]) => pods.map((p) => p.uid).sort();

describe('ClusterState', () => {
  it('reports whether an upsert, delete or status change changed anything', () => {
    const state = new ClusterState('c1', 'one');
    expect(state.apply({ op: 'upsert', record: pod('a') })).toBe(true);
    expect(state.apply({ op: 'upsert', record: pod('a') })).toBe(false);
    expect(state.apply({ op: 'upsert', record: pod('a', { restarts: 1 }) })).toBe(true);
    expect(state.get('Pod', 'a')?.restarts).toBe(1);
    expect(state.apply({ op: 'delete', kind: 'Pod', uid: 'a' })).toBe(true);
    expect(state.apply({ op: 'delete', kind: 'Pod', uid: 'a' })).toBe(false);
    expect(state.count('Pod')).toBe(0);

    const live = { ...initialClusterStatus(5), phase: 'live' as const };
    expect(state.apply({ op: 'status', status: live })).toBe(true);
    expect(state.apply({ op: 'status', status: { ...live, kinds: {} } })).toBe(false);
    expect(state.status.phase).toBe('live');
  });

  it('keeps kinds apart: the same uid under two kinds is two records', () => {
    const state = new ClusterState('c1', 'one');
    state.apply({ op: 'upsert', record: pod('x') });
    state.apply({ op: 'upsert', record: node('x', 'n1') });
    expect(state.count('Pod')).toBe(1);
    expect(state.count('Node')).toBe(1);
    state.apply({ op: 'delete', kind: 'Node', uid: 'x' });
    expect(state.get('Pod', 'x')).toBeDefined();
  });

  it('indexes pods by node and follows a pod that moves, loses its node or is deleted', () => {
    const state = new ClusterState('c1', 'one');
    state.apply({ op: 'upsert', record: pod('a', { nodeName: 'n1' }) });
    state.apply({ op: 'upsert', record: pod('b', { nodeName: 'n1' }) });
    state.apply({ op: 'upsert', record: pod('c') });
    expect(uids(state.podsOnNode('n1'))).toEqual(['a', 'b']);
    expect(uids(state.podsWithoutNode())).toEqual(['c']);

    state.apply({ op: 'upsert', record: pod('a', { nodeName: 'n2' }) });
    expect(uids(state.podsOnNode('n1'))).toEqual(['b']);
    expect(uids(state.podsOnNode('n2'))).toEqual(['a']);

    state.apply({ op: 'upsert', record: pod('b', { nodeName: undefined }) });
    state.apply({ op: 'delete', kind: 'Pod', uid: 'a' });
    expect(state.podsOnNode('n1')).toEqual([]);
    expect(state.podsOnNode('n2')).toEqual([]);
    expect(uids(state.podsWithoutNode()).sort()).toEqual(['b', 'c']);

    // Scheduling binds a pending pod to a node; deleting it leaves the index empty.
    state.apply({ op: 'upsert', record: pod('c', { nodeName: 'n3' }) });
    state.apply({ op: 'delete', kind: 'Pod', uid: 'b' });
    expect(state.podsWithoutNode()).toEqual([]);
    expect(uids(state.podsOnNode('n3'))).toEqual(['c']);
  });

  it('returns the current record from the node index, not the first one seen', () => {
    const state = new ClusterState('c1', 'one');
    state.apply({ op: 'upsert', record: pod('a', { nodeName: 'n1', restarts: 0 }) });
    state.apply({ op: 'upsert', record: pod('a', { nodeName: 'n1', restarts: 7 }) });
    expect(state.podsOnNode('n1').map((p) => p.restarts)).toEqual([7]);
  });

  it('indexes pods by owner uid', () => {
    const state = new ClusterState('c1', 'one');
    const rs = { kind: 'ReplicaSet', name: 'web-1', uid: 'rs1' };
    state.apply({ op: 'upsert', record: pod('a', { owner: rs }) });
    state.apply({ op: 'upsert', record: pod('b', { owner: rs }) });
    state.apply({ op: 'upsert', record: pod('c', { owner: { ...rs, uid: 'rs2' } }) });
    expect(uids(state.podsOwnedBy('rs1'))).toEqual(['a', 'b']);
    state.apply({ op: 'upsert', record: pod('b') });
    expect(uids(state.podsOwnedBy('rs1'))).toEqual(['a']);
    expect(uids(state.podsOwnedBy('rs2'))).toEqual(['c']);
  });

  it('indexes large groups (a DaemonSet on hundreds of nodes) as it does small ones', () => {
    const state = new ClusterState('c1', 'one');
    const ds = { kind: 'DaemonSet', name: 'agent', uid: 'ds1' };
    const all = Array.from({ length: 300 }, (_, i) => `p${i}`);
    for (const uid of all) state.apply({ op: 'upsert', record: pod(uid, { owner: ds, nodeName: 'n1' }) });
    expect(uids(state.podsOwnedBy('ds1'))).toEqual([...all].sort());
    for (const uid of all.slice(0, 250)) state.apply({ op: 'delete', kind: 'Pod', uid });
    state.apply({ op: 'upsert', record: pod('p260', { owner: ds, nodeName: 'n2', restarts: 3 }) });
    expect(uids(state.podsOwnedBy('ds1'))).toEqual(all.slice(250).sort());
    expect(state.podsOwnedBy('ds1').find((p) => p.uid === 'p260')?.restarts).toBe(3);
    expect(uids(state.podsOnNode('n1'))).toEqual(all.slice(250).filter((u) => u !== 'p260').sort());
    for (const uid of all.slice(250)) state.apply({ op: 'delete', kind: 'Pod', uid });
    expect(state.podsOwnedBy('ds1')).toEqual([]);
    expect(state.podsOnNode('n1')).toEqual([]);
  });

  it('produces a snapshot entry with every kind key and round-trips through it', () => {
    const state = new ClusterState('c1', 'one', { ...initialClusterStatus(5), phase: 'live' });
    state.apply({ op: 'upsert', record: node('n', 'n1') });
    state.apply({ op: 'upsert', record: pod('a', { nodeName: 'n1' }) });
    const snapshot = state.toSnapshot();

    expect(Object.keys(snapshot).sort()).toEqual(['id', 'name', 'status', ...Object.values(KIND_KEYS)].sort());
    expect(snapshot.pods.map((p) => p.uid)).toEqual(['a']);
    expect(snapshot.nodes.map((n) => n.name)).toEqual(['n1']);
    expect(Array.from(state.records('Node'), (n) => n.allocatable.pods)).toEqual([110]);

    const copy = ClusterState.fromSnapshot(JSON.parse(JSON.stringify(snapshot)));
    expect(copy.toSnapshot()).toEqual(snapshot);
    expect(uids(copy.podsOnNode('n1'))).toEqual(['a']);
  });
});

describe('sameJson', () => {
  it.each([
    [{ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: [1, 2] }, { a: [1, 2, 3] }, false],
    [{ a: [] }, { a: {} }, false],
    [{ a: null }, { a: 0 }, false],
    [{ a: { b: 1 } }, { a: { b: '1' } }, false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(sameJson(a, b)).toBe(expected);
    expect(sameJson(b, a)).toBe(expected);
  });
});
