import { describe, expect, it } from 'vitest';
import { RECORD_KINDS, type ClusterRecord, type NodeRecord, type PodRecord, type ReplicaSetRecord, type UsageRecord } from '../../model/records.js';
import { validateRecord } from '../../model/validate.js';
import type { SimCluster } from './cluster.js';
import { checkConsistency } from './consistency.js';
import { generateCluster } from './generate.js';
import { SIZES } from './sizes.js';

const NOW = Date.UTC(2025, 0, 6, 9, 0, 0);

function recordsOf(cluster: SimCluster): ClusterRecord[] {
  return RECORD_KINDS.flatMap((k) => [...cluster.ledger.records(k)]);
}

const small = generateCluster({ size: 'small', seed: 1, now: NOW });
const medium = generateCluster({ size: 'medium', seed: 1, now: NOW });
const of = <K extends ClusterRecord['kind']>(c: SimCluster, kind: K) => [...c.ledger.records(kind)] as Extract<ClusterRecord, { kind: K }>[];

describe('generateCluster', () => {
  it('is deterministic for a seed and start time, uids included', () => {
    const again = generateCluster({ size: 'medium', seed: 1, now: NOW });
    expect(JSON.stringify(recordsOf(again))).toBe(JSON.stringify(recordsOf(medium)));
  });

  it('differs for another seed', () => {
    const other = generateCluster({ size: 'small', seed: 2, now: NOW });
    // Traffic uids name the pair (`istio:<source>-><destination>`), not an object: not random.
    const apiUids = (c: SimCluster) => recordsOf(c).flatMap((r) => (r.kind === 'Traffic' ? [] : [r.uid]));
    const uids = new Set(apiUids(small));
    expect(apiUids(other).some((uid) => uids.has(uid))).toBe(false);
    expect(of(other, 'Node').map((n) => n.name)).not.toEqual(of(small, 'Node').map((n) => n.name));
  });

  it.each(['small', 'medium', 'large'] as const)('hits the %s size exactly', (size) => {
    const c = size === 'small' ? small : size === 'medium' ? medium : generateCluster({ size, seed: 7, now: NOW });
    expect(c.ledger.count('Node')).toBe(SIZES[size].nodes);
    expect(c.ledger.count('Pod')).toBe(SIZES[size].pods);
    expect(c.podCount).toBe(SIZES[size].pods);
  });

  it.each([
    ['small', small],
    ['medium', medium],
  ] as const)('produces valid records for %s', (_, c) => {
    const problems = recordsOf(c).flatMap((r) => validateRecord(r).map((p) => `${r.kind} ${r.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  it.each([
    ['small', small],
    ['medium', medium],
  ] as const)('is referentially consistent for %s (nodes, owners, selectors, packing, hosts)', (_, c) => {
    expect(checkConsistency(recordsOf(c))).toEqual([]);
  });

  it('has node pools, zones, instance types and a tainted control plane', () => {
    const nodes = of(medium, 'Node');
    const pools = new Set(nodes.map((n) => n.labels?.['kubeglance.io/pool']));
    expect([...pools].sort()).toEqual(['compute', 'control-plane', 'general', 'gpu', 'memory', 'spot']);
    expect(new Set(nodes.map((n) => n.labels?.['topology.kubernetes.io/zone'])).size).toBe(3);
    expect(nodes.every((n) => n.labels?.['node.kubernetes.io/instance-type'] && n.kubeletVersion && n.internalIP)).toBe(true);
    const controlPlane = nodes.filter((n) => n.roles.includes('control-plane'));
    expect(controlPlane).toHaveLength(3);
    expect(controlPlane.every((n) => n.taints.some((t) => t.key === 'node-role.kubernetes.io/control-plane' && t.effect === 'NoSchedule'))).toBe(true);
    expect(of(small, 'Node').filter((n) => n.roles.includes('control-plane'))).toHaveLength(1);
    expect(nodes.filter((n) => n.allocatable.extended?.['nvidia.com/gpu']).length).toBeGreaterThan(0);
  });

  it('has one NotReady node and one cordoned node', () => {
    const nodes = of(medium, 'Node');
    expect(nodes.filter((n) => !n.ready)).toHaveLength(1);
    expect(nodes.filter((n) => n.unschedulable)).toHaveLength(1);
    const down = nodes.find((n) => !n.ready) as NodeRecord;
    const onIt = of(medium, 'Pod').filter((p) => p.nodeName === down.name && p.phase === 'Running');
    expect(onIt.length).toBeGreaterThan(0);
    expect(onIt.every((p) => !p.ready)).toBe(true);
  });

  it('mixes pod statuses the way a real cluster does', () => {
    const pods = of(medium, 'Pod');
    const by = (s: string) => pods.filter((p) => p.status === s);
    expect(by('Running').length / pods.length).toBeGreaterThan(0.8);
    for (const s of ['NotReady', 'Pending', 'ContainerCreating', 'CrashLoopBackOff', 'Error', 'Succeeded', 'Terminating']) expect(by(s).length, s).toBeGreaterThan(0);
    const pending = by('Pending')[0] as PodRecord;
    expect(pending.schedulingMessage).toMatch(/^0\/150 nodes are available: .*Insufficient cpu.*\. preemption: 0\/150 nodes are available: /);
    expect(by('CrashLoopBackOff').every((p) => p.restarts > 0 && p.containers.some((c) => c.reason === 'CrashLoopBackOff'))).toBe(true);
    expect(by('Succeeded').every((p) => p.owner?.kind === 'Job')).toBe(true);
    expect(by('Terminating').every((p) => p.deletingAt !== undefined)).toBe(true);
  });

  it('chains Deployment → ReplicaSet → Pod with pod-template-hash, and CronJob → Job → Pod', () => {
    const rsByUid = new Map(of(medium, 'ReplicaSet').map((r) => [r.uid, r]));
    const pod = of(medium, 'Pod').find((p) => p.owner?.kind === 'ReplicaSet') as PodRecord;
    const rs = rsByUid.get(pod.owner?.uid ?? '') as ReplicaSetRecord;
    expect(rs.owner?.kind).toBe('Deployment');
    expect(pod.labels?.['pod-template-hash']).toBe(rs.name.slice(rs.owner?.name.length ? rs.owner.name.length + 1 : 0));
    const job = of(medium, 'Job').find((j) => j.outcome === 'Complete');
    expect(job?.owner?.kind).toBe('CronJob');
    expect(of(medium, 'Pod').some((p) => p.owner?.uid === job?.uid && p.status === 'Succeeded')).toBe(true);
  });

  it('runs every DaemonSet on every node, marked daemon', () => {
    const daemons = of(medium, 'Pod').filter((p) => p.owner?.kind === 'DaemonSet');
    expect(daemons).toHaveLength(SIZES.medium.nodes * of(medium, 'DaemonSet').length);
    expect(daemons.every((p) => p.daemon)).toBe(true);
  });

  it('has services, ingresses, routes, policies, a gateway and bounded events', () => {
    expect(of(medium, 'Service').some((s) => s.type === 'LoadBalancer')).toBe(true);
    expect(of(medium, 'Service').some((s) => s.type === 'ExternalName')).toBe(true);
    expect(of(medium, 'Ingress').length).toBeGreaterThan(0);
    expect(of(medium, 'HTTPRoute').length).toBeGreaterThan(0);
    expect(of(medium, 'GRPCRoute').length).toBeGreaterThan(0);
    expect(of(medium, 'NetworkPolicy').length).toBeGreaterThan(0);
    expect(of(medium, 'Gateway')).toHaveLength(1);
    const events = of(medium, 'Event');
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThanOrEqual(SIZES.medium.events);
    const hosts = of(medium, 'Pod').flatMap((p) => p.refs?.envHosts ?? []);
    // Recorded as the kube source records them: "service" or "service.namespace", no DNS suffix.
    expect(hosts.some((h) => /^[a-z0-9-]+\.[a-z0-9-]+$/.test(h))).toBe(true);
    expect(hosts.some((h) => h.includes('.svc'))).toBe(false);
  });

  it('shares label objects and templates between the pods of a ReplicaSet', () => {
    const byOwner = new Map<string, PodRecord[]>();
    for (const p of of(medium, 'Pod')) if (p.owner?.kind === 'ReplicaSet') byOwner.set(p.owner.uid, [...(byOwner.get(p.owner.uid) ?? []), p]);
    const [a, b] = [...byOwner.values()].find((pods) => pods.length >= 2) as PodRecord[];
    expect(a?.labels).toBe(b?.labels);
    expect(a?.requests).toBe(b?.requests);
  });

  it('reports usage for running pods, and node usage as their sum plus the system share', () => {
    const usage = new Map(([...medium.ledger.records('PodMetrics')] as UsageRecord[]).map((u) => [u.uid, u] as const));
    for (const node of of(medium, 'Node').filter((n) => n.ready)) {
      const pods = of(medium, 'Pod').filter((p) => p.nodeName === node.name && usage.has(p.uid));
      const sum = pods.reduce((s, p) => s + (usage.get(p.uid) as UsageRecord).usage.cpu, 0);
      const nodeUsage = (medium.ledger.get('NodeMetrics', node.uid) as UsageRecord).usage;
      expect(nodeUsage.cpu).toBeGreaterThan(sum);
      expect(nodeUsage.cpu).toBeLessThan(sum + 1_000);
    }
    expect(of(medium, 'Pod').filter((p) => p.status === 'Pending').every((p) => !usage.has(p.uid))).toBe(true);
  });

  it('keeps pods compact (about a kilobyte of JSON each)', () => {
    const pods = of(medium, 'Pod');
    const average = pods.reduce((n, p) => n + JSON.stringify(p).length, 0) / pods.length;
    expect(average).toBeLessThan(1_500);
  });
});
