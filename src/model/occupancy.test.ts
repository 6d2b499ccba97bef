import { describe, expect, it } from 'vitest';
import { generateCluster } from '../sources/simulated/generate.js';
import { ClusterState } from './cluster-state.js';
import {
  VISUAL_STATUSES,
  clusterSummary,
  formatBytes,
  formatCpu,
  formatPercent,
  holdsResources,
  nodeNamesWithoutRecord,
  nodeOccupancy,
  occupancyInState,
  placeholderNode,
  placeholderNodes,
  podUsage,
  visualStatus,
  type NodeOccupancy,
} from './occupancy.js';
import { POD_STATUSES, RECORD_KINDS, type ClusterRecord, type NodeRecord, type PodStatus } from './records.js';
import { node, pod, usage } from './testing/records.js';

const MI = 2 ** 20;
const GI = 2 ** 30;

function stateOf(records: Iterable<ClusterRecord>): ClusterState {
  const state = new ClusterState('c1', 'one');
  for (const record of records) state.apply({ op: 'upsert', record });
  return state;
}

/** A worker with 4 cores / 16Gi allocatable, as in the builder, under a name pods can refer to. */
function worker(name: string, fields: Partial<NodeRecord> = {}): NodeRecord {
  return node(name, { name, ...fields });
}

describe('placeholder nodes', () => {
  it('are built for the node names pods are bound to that have no Node record, from the pods alone', () => {
    const state = stateOf([
      worker('n1'),
      pod('a', { nodeName: 'n1' }),
      pod('b', { nodeName: 'w-2', requests: { cpu: 300, memory: 3 * MI } }),
      pod('c', { nodeName: 'w-2', requests: { cpu: 200, memory: MI } }),
      pod('d', { nodeName: 'w-1', phase: 'Failed', status: 'Failed' }),
      pod('pending', { phase: 'Pending', status: 'Pending' }),
    ]);
    expect([...nodeNamesWithoutRecord(state)].sort()).toEqual(['w-1', 'w-2']);
    expect(placeholderNodes(state)).toEqual([
      // A node only finished pods name still gets a placeholder (its pods are drawn), holding nothing.
      { name: 'w-1', podCount: 0, requested: { cpu: 0, memory: 0 } },
      { name: 'w-2', podCount: 2, requested: { cpu: 500, memory: 4 * MI } },
    ]);
    // Nothing but a name and requests: no capacity, allocatable or readiness is claimed.
    expect(Object.keys(placeholderNodes(state)[1]!).sort()).toEqual(['name', 'podCount', 'requested']);
  });

  it('stay the same across pod updates, and go when the last pod leaves or the Node record arrives', () => {
    const state = stateOf([pod('a', { nodeName: 'w1' }), pod('b', { nodeName: 'w1' }), pod('c', { nodeName: 'w2' })]);
    expect(placeholderNodes(state).map((p) => [p.name, p.podCount])).toEqual([['w1', 2], ['w2', 1]]);
    state.apply({ op: 'upsert', record: pod('a', { nodeName: 'w1', status: 'CrashLoopBackOff', ready: false }) });
    state.apply({ op: 'upsert', record: pod('d', { nodeName: 'w1' }) });
    expect(placeholderNodes(state).map((p) => [p.name, p.podCount])).toEqual([['w1', 3], ['w2', 1]]);
    expect(clusterSummary(state).nodes.placeholders).toBe(2);
    state.apply({ op: 'delete', kind: 'Pod', uid: 'c' });
    expect(placeholderNodes(state).map((p) => p.name)).toEqual(['w1']);
    state.apply({ op: 'upsert', record: worker('w1') });
    expect(placeholderNodes(state)).toEqual([]);
    expect(clusterSummary(state).nodes).toMatchObject({ total: 1, placeholders: 0 });
    // The node deleted while its pods still name it: a placeholder again.
    state.apply({ op: 'delete', kind: 'Node', uid: 'w1' });
    expect(placeholderNodes(state).map((p) => [p.name, p.podCount])).toEqual([['w1', 3]]);
  });

  it('placeholderNode sums the requests of the pods that hold resources', () => {
    expect(placeholderNode('x', [pod('a', { requests: { cpu: 100, memory: MI } }), pod('b', { phase: 'Succeeded', requests: { cpu: 900, memory: GI } })]))
      .toEqual({ name: 'x', podCount: 1, requested: { cpu: 100, memory: MI } });
  });
});

describe('visualStatus', () => {
  const expected: Record<PodStatus, string> = {
    Running: 'ready',
    NotReady: 'notReady',
    Pending: 'pending',
    ContainerCreating: 'pending',
    CrashLoopBackOff: 'failing',
    Error: 'failing',
    Failed: 'failing',
    Succeeded: 'succeeded',
    Terminating: 'terminating',
    Unknown: 'unknown',
  };

  it.each(POD_STATUSES)('shows %s as its class', (status) => {
    expect(visualStatus(pod('p', { status }))).toBe(expected[status]);
  });

  it('uses every class', () => {
    expect(new Set(POD_STATUSES.map((status) => visualStatus(pod('p', { status }))))).toEqual(new Set(VISUAL_STATUSES));
  });

  it.each(['Running', 'CrashLoopBackOff', 'Succeeded', 'Pending'] as const)('shows a %s pod being deleted as terminating', (status) => {
    expect(visualStatus(pod('p', { status, deletingAt: 5 }))).toBe('terminating');
  });
});

describe('holdsResources', () => {
  it('frees requests only once the phase is terminal', () => {
    expect(holdsResources(pod('p', { phase: 'Succeeded', status: 'Succeeded' }))).toBe(false);
    expect(holdsResources(pod('p', { phase: 'Failed', status: 'Failed', reason: 'Evicted' }))).toBe(false);
    expect(holdsResources(pod('p', { phase: 'Failed', status: 'Error' }))).toBe(false);
    expect(holdsResources(pod('p', { phase: 'Running', status: 'Error' }))).toBe(true);
    expect(holdsResources(pod('p', { phase: 'Pending', status: 'ContainerCreating' }))).toBe(true);
    expect(holdsResources(pod('p', { phase: 'Unknown', status: 'Unknown' }))).toBe(true);
  });

  it('keeps a terminating pod holding its requests until it is gone', () => {
    expect(holdsResources(pod('p', { status: 'Terminating', deletingAt: 5 }))).toBe(true);
  });
});

describe('nodeOccupancy', () => {
  // A 4-core 16Gi machine as a cloud node reports it: kube/system reserved and the eviction
  // threshold come off capacity.
  const reservedNode = worker('n1', {
    capacity: { cpu: 4000, memory: 16 * GI, pods: 110 },
    allocatable: { cpu: 3920, memory: 16 * GI - 1536 * MI, pods: 110 },
  });

  it('sums the requests of the pods on the node against allocatable, not capacity', () => {
    const pods = [
      pod('a', { requests: { cpu: 980, memory: 2 * GI } }),
      pod('b', { requests: { cpu: 980, memory: 1 * GI } }),
    ];
    const occupancy = nodeOccupancy(reservedNode, pods);
    expect(occupancy).toMatchObject({
      podCount: 2,
      maxPods: 110,
      requested: { cpu: 1960, memory: 3 * GI },
      reserved: { cpu: 80, memory: 1536 * MI },
    });
    expect(occupancy.allocatable).toMatchObject({ cpu: 3920, memory: 16 * GI - 1536 * MI });
    expect(occupancy.capacity).toMatchObject({ cpu: 4000, memory: 16 * GI });
    expect(occupancy.cpuRequested).toBe(0.5);
    expect(occupancy.memoryRequested).toBeCloseTo(3 / 14.5);
  });

  it('never reports a negative reservation', () => {
    const odd = worker('n1', { capacity: { cpu: 4000, memory: 8 * GI, pods: 110 }, allocatable: { cpu: 4100, memory: 9 * GI, pods: 110 } });
    expect(nodeOccupancy(odd, []).reserved).toEqual({ cpu: 0, memory: 0 });
  });

  it('leaves out finished pods, which no longer hold their requests', () => {
    const pods = [
      pod('running', { requests: { cpu: 500, memory: GI } }),
      pod('done', { phase: 'Succeeded', status: 'Succeeded', requests: { cpu: 2000, memory: 4 * GI } }),
      pod('evicted', { phase: 'Failed', status: 'Failed', reason: 'Evicted', requests: { cpu: 1000, memory: 4 * GI } }),
      pod('leaving', { status: 'Terminating', deletingAt: 5, requests: { cpu: 250, memory: GI } }),
    ];
    const occupancy = nodeOccupancy(worker('n1'), pods);
    expect(occupancy.podCount).toBe(2);
    expect(occupancy.requested).toEqual({ cpu: 750, memory: 2 * GI });
  });

  it('reports an overcommitted node above 1', () => {
    const pods = [pod('a', { requests: { cpu: 3000, memory: 20 * GI } }), pod('b', { requests: { cpu: 3000, memory: 4 * GI } })];
    const occupancy = nodeOccupancy(worker('n1'), pods);
    expect(occupancy.cpuRequested).toBe(1.5);
    expect(occupancy.memoryRequested).toBe(1.5);
  });

  it('counts pods without requests as pods but not as requests', () => {
    const bestEffort = { requests: { cpu: 0, memory: 0 }, qosClass: 'BestEffort' };
    const occupancy = nodeOccupancy(worker('n1'), [pod('a', bestEffort), pod('b', bestEffort)]);
    expect(occupancy.podCount).toBe(2);
    expect(occupancy.requested).toEqual({ cpu: 0, memory: 0 });
    expect(occupancy.cpuRequested).toBe(0);
    expect(occupancy.memoryRequested).toBe(0);
  });

  it('has no usage without metrics, and usage against allocatable with them', () => {
    const pods = [pod('a', { requests: { cpu: 1000, memory: 4 * GI } })];
    const without = nodeOccupancy(worker('n1'), pods);
    expect(without.used).toBeUndefined();
    expect(without.cpuUsed).toBeUndefined();
    expect(without.memoryUsed).toBeUndefined();

    const withMetrics = nodeOccupancy(worker('n1'), pods, usage('NodeMetrics', 'n1', { cpu: 3000, memory: 4 * GI }));
    expect(withMetrics.used).toEqual({ cpu: 3000, memory: 4 * GI });
    expect(withMetrics.cpuUsed).toBe(0.75);
    expect(withMetrics.memoryUsed).toBe(0.25);
    // Usage does not change what is requested.
    expect(withMetrics.cpuRequested).toBe(0.25);
  });

  it('gives 0 for nothing of nothing and Infinity for something of nothing, never NaN', () => {
    const unread = worker('n1', { allocatable: { cpu: 0, memory: 0, pods: 0 } });
    expect(nodeOccupancy(unread, []).cpuRequested).toBe(0);
    expect(nodeOccupancy(unread, [pod('a')]).cpuRequested).toBe(Infinity);
  });
});

describe('podUsage', () => {
  it('joins pod metrics by pod uid', () => {
    const measured = pod('a');
    const state = stateOf([measured, pod('b'), usage('PodMetrics', 'a', { cpu: 42, memory: 100 * MI })]);
    expect(podUsage(state, measured)).toEqual({ cpu: 42, memory: 100 * MI });
    expect(podUsage(state, pod('b'))).toBeUndefined();
  });
});

describe('clusterSummary', () => {
  it('counts nodes by readiness and cordoning', () => {
    const state = stateOf([
      worker('a'),
      worker('b', { unschedulable: true }),
      worker('c', { ready: false }),
      worker('d', { ready: false, unschedulable: true }),
    ]);
    expect(clusterSummary(state).nodes).toEqual({ total: 4, ready: 2, notReady: 2, cordoned: 2, placeholders: 0 });
  });

  it('does not count placeholders (nodes pods name without a Node record) as nodes, nor their requests against allocatable', () => {
    const state = stateOf([
      worker('a'),
      pod('on-a', { nodeName: 'a', requests: { cpu: 1000, memory: GI } }),
      pod('on-hidden', { nodeName: 'hidden-1', requests: { cpu: 500, memory: 2 * GI } }),
      pod('on-hidden-too', { nodeName: 'hidden-1', requests: { cpu: 250, memory: GI } }),
      pod('on-other', { nodeName: 'hidden-2', requests: { cpu: 100, memory: MI } }),
      pod('finished', { nodeName: 'hidden-3', phase: 'Succeeded', status: 'Succeeded', requests: { cpu: 9000, memory: 9 * GI } }),
    ]);
    const summary = clusterSummary(state);
    expect(summary.nodes).toEqual({ total: 1, ready: 1, notReady: 0, cordoned: 0, placeholders: 3 });
    expect(summary.cpu).toEqual({ allocatable: 4000, requested: 1000 });
    expect(summary.memory).toEqual({ allocatable: 16 * GI, requested: GI });
    expect(summary.placeholderRequested).toEqual({ cpu: 850, memory: 3 * GI + MI });
    expect(summary.pods.total).toBe(5);
    expect(summary.pods.unscheduled).toBe(0);
  });

  it('sees nothing but placeholders for a user without nodes: no nodes, no allocatable, no packing', () => {
    const state = stateOf([pod('p1', { nodeName: 'w1' }), pod('p2', { nodeName: 'w2' })]);
    const summary = clusterSummary(state);
    expect(summary.nodes).toEqual({ total: 0, ready: 0, notReady: 0, cordoned: 0, placeholders: 2 });
    expect(summary.cpu.allocatable).toBe(0);
    expect(summary.packing).toBeUndefined();
    expect(summary.placeholderRequested).toEqual({ cpu: 200, memory: 2 * MI });
  });

  it('counts pods by class, and unscheduled pods apart without their requests', () => {
    const state = stateOf([
      worker('a'),
      pod('running', { nodeName: 'a', requests: { cpu: 500, memory: GI } }),
      pod('crashing', { nodeName: 'a', status: 'CrashLoopBackOff', ready: false, requests: { cpu: 250, memory: GI } }),
      pod('leaving', { nodeName: 'a', deletingAt: 5 }),
      pod('unplaced', { phase: 'Pending', status: 'Pending', reason: 'Unschedulable', requests: { cpu: 8000, memory: 64 * GI } }),
      pod('rejected', { phase: 'Failed', status: 'Failed', reason: 'OutOfcpu' }),
    ]);
    const { pods, cpu, memory } = clusterSummary(state);
    expect(pods.total).toBe(5);
    expect(pods.byStatus).toEqual({ ready: 1, notReady: 0, pending: 1, failing: 2, succeeded: 0, terminating: 1, unknown: 0 });
    // The finished pod without a node is waiting for nothing.
    expect(pods.unscheduled).toBe(1);
    // Requests are what nodes hold: the pending pod holds nothing yet.
    expect(cpu).toEqual({ allocatable: 4000, requested: 850 });
    expect(memory.requested).toBe(2 * GI + MI);
  });

  it('totals usage only when some node has metrics, over the nodes that have them', () => {
    const nodes = [worker('a'), worker('b')];
    expect(clusterSummary(stateOf(nodes)).cpu.used).toBeUndefined();
    expect(clusterSummary(stateOf(nodes)).memory.used).toBeUndefined();

    const measured = clusterSummary(stateOf([...nodes, usage('NodeMetrics', 'a', { cpu: 1200, memory: 3 * GI })]));
    expect(measured.cpu).toEqual({ allocatable: 8000, requested: 0, used: 1200 });
    expect(measured.memory.used).toBe(3 * GI);
  });

  describe('packing', () => {
    /** A node whose pods request these fractions of its 4 cores and 16Gi. */
    function filled(name: string, cpuShare: number, memoryShare: number, fields: Partial<NodeRecord> = {}): ClusterRecord[] {
      return [
        worker(name, fields),
        pod(`${name}-pod`, { nodeName: name, requests: { cpu: 4000 * cpuShare, memory: 16 * GI * memoryShare } }),
      ];
    }

    it('is the mean over usable workers of the share of their binding resource', () => {
      const state = stateOf([
        ...filled('memory-bound', 0.2, 0.8),
        ...filled('cpu-bound', 0.6, 0.1),
        // Taints that only discourage do not take a node out of the pool.
        ...filled('preferred', 0.4, 0.4, { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }),
      ]);
      expect(clusterSummary(state).packing).toBeCloseTo((0.8 + 0.6 + 0.4) / 3);
    });

    it('counts an overcommitted node as full, not more', () => {
      const state = stateOf([...filled('over', 1.5, 0.5), ...filled('empty', 0, 0)]);
      expect(clusterSummary(state).packing).toBe(0.5);
    });

    it('leaves out nodes that take no ordinary new pods', () => {
      const state = stateOf([
        ...filled('worker', 0.5, 0.25),
        // Each of these is empty: counting any of them would pull the mean down.
        ...filled('cordoned', 0, 0, { unschedulable: true }),
        ...filled('not-ready', 0, 0, { ready: false }),
        ...filled('gpu', 0, 0, { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] }),
        ...filled('draining', 0, 0, { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] }),
        // Untainted control planes (kind, k3s) run workloads but their room is kept on purpose.
        ...filled('control-plane', 0, 0, { roles: ['control-plane'] }),
        ...filled('old-master', 0, 0, { roles: ['master'] }),
      ]);
      const summary = clusterSummary(state);
      expect(summary.packing).toBe(0.5);
      // They still count everywhere else.
      expect(summary.nodes.total).toBe(7);
      expect(summary.cpu.allocatable).toBe(7 * 4000);
    });

    it('is undefined without a usable node', () => {
      expect(clusterSummary(stateOf([])).packing).toBeUndefined();
      expect(clusterSummary(stateOf(filled('cordoned', 0.5, 0.5, { unschedulable: true }))).packing).toBeUndefined();
    });
  });

  describe('over a generated cluster', () => {
    const sim = generateCluster({ size: 'small', seed: 1, now: Date.UTC(2025, 0, 6, 9, 0, 0) });
    const state = stateOf(RECORD_KINDS.flatMap((kind) => [...sim.ledger.records(kind)]));
    const nodes = [...state.records('Node')];
    const occupancies = nodes.map((n) => occupancyInState(state, n));
    const summary = clusterSummary(state);
    const sum = (pick: (o: NodeOccupancy) => number | undefined) => occupancies.reduce((total, o) => total + (pick(o) ?? 0), 0);

    it('has totals equal to the sum of the node occupancies', () => {
      expect(summary.nodes.total).toBe(nodes.length);
      expect(summary.cpu.allocatable).toBe(sum((o) => o.allocatable.cpu));
      expect(summary.memory.allocatable).toBe(sum((o) => o.allocatable.memory));
      expect(summary.cpu.requested).toBe(sum((o) => o.requested.cpu));
      expect(summary.memory.requested).toBe(sum((o) => o.requested.memory));
      expect(summary.cpu.used).toBe(sum((o) => o.used?.cpu));
      expect(summary.memory.used).toBe(sum((o) => o.used?.memory));
    });

    it('has requests equal to those of the pods holding resources on nodes', () => {
      const names = new Set(nodes.map((n) => n.name));
      const placed = [...state.records('Pod')].filter((p) => p.nodeName !== undefined && names.has(p.nodeName) && holdsResources(p));
      expect(summary.cpu.requested).toBe(placed.reduce((total, p) => total + p.requests.cpu, 0));
      expect(sum((o) => o.podCount)).toBe(placed.length);
    });

    it('classifies every pod and measures packing between empty and full', () => {
      expect(summary.pods.total).toBe(state.count('Pod'));
      expect(Object.values(summary.pods.byStatus).reduce((a, b) => a + b, 0)).toBe(summary.pods.total);
      expect(summary.cpu.used).toBeGreaterThan(0);
      expect(summary.packing).toBeGreaterThan(0);
      expect(summary.packing).toBeLessThanOrEqual(1);
    });

    it('gives the same summary from occupancies the view keeps', () => {
      const kept = new Map(nodes.map((n, i) => [n, occupancies[i] as NodeOccupancy]));
      expect(clusterSummary(state, (n) => kept.get(n) as NodeOccupancy)).toEqual(summary);
    });
  });
});

describe('formatting', () => {
  it('writes CPU as millicores below a core and as cores above', () => {
    expect(formatCpu(0)).toBe('0m');
    expect(formatCpu(250)).toBe('250m');
    expect(formatCpu(1500)).toBe('1.5');
    expect(formatCpu(2000)).toBe('2');
    expect(formatCpu(12_000)).toBe('12');
    expect(formatCpu(12_400)).toBe('12');
    // Rounding up to a whole core prints the core, not "1000m".
    expect(formatCpu(999.6)).toBe('1');
  });

  it('writes bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0');
    expect(formatBytes(100)).toBe('100');
    expect(formatBytes(512 * MI)).toBe('512Mi');
    expect(formatBytes(1.5 * GI)).toBe('1.5Gi');
    expect(formatBytes(64 * GI)).toBe('64Gi');
    expect(formatBytes(1023.6 * MI)).toBe('1Gi');
    expect(formatBytes(2 * 1024 * GI)).toBe('2Ti');
  });

  it('writes fractions as whole percentages, overcommitment included', () => {
    expect(formatPercent(0.734)).toBe('73%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(1.5)).toBe('150%');
    expect(formatPercent(Infinity)).toBe('∞%');
  });
});
