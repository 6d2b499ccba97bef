// Referential consistency of a cluster as a consumer holds it (records only, no simulator
// internals), for the simulated source's tests: what a real cluster guarantees, the simulated
// one must too. Returns problems as sentences; empty when consistent.
import type {
  ClusterRecord,
  DaemonSetRecord,
  EndpointSliceRecord,
  Labels,
  NodeRecord,
  PodRecord,
  ReplicaSetRecord,
  ServiceRecord,
  StatefulSetRecord,
  UsageRecord,
} from '../../model/records.js';
import { serviceOfHost } from '../../model/topology-names.js';
import { backendsOf } from './backends.js';

const FINISHED = new Set(['Succeeded', 'Failed']);

export function checkConsistency(records: Iterable<ClusterRecord>): string[] {
  const problems: string[] = [];
  const byKind = new Map<string, ClusterRecord[]>();
  const byUid = new Map<string, ClusterRecord>();
  for (const r of records) {
    let list = byKind.get(r.kind);
    if (!list) byKind.set(r.kind, (list = []));
    list.push(r);
    if (r.kind === 'NodeMetrics' || r.kind === 'PodMetrics') continue;
    if (byUid.has(r.uid)) problems.push(`uid ${r.uid} used twice`);
    byUid.set(r.uid, r);
  }
  const all = <T extends ClusterRecord>(kind: T['kind']) => (byKind.get(kind) ?? []) as T[];
  const nodes = new Map(all<NodeRecord>('Node').map((n) => [n.name, n]));
  const pods = all<PodRecord>('Pod');

  const names = new Set<string>();
  for (const r of byUid.values()) {
    const key = `${r.kind}/${'namespace' in r ? (r.namespace ?? '') : ''}/${r.name}`;
    if (names.has(key)) problems.push(`two objects named ${key}`);
    names.add(key);
    const owner = 'owner' in r ? r.owner : undefined;
    if (owner) {
      const o = byUid.get(owner.uid);
      if (!o || o.kind !== owner.kind || o.name !== owner.name) problems.push(`${r.kind} ${r.name}: owner ${owner.kind} ${owner.name} does not exist`);
    }
  }

  // Pods on nodes, and the scheduler's arithmetic.
  const used = new Map<string, { cpu: number; memory: number; pods: number }>();
  for (const p of pods) {
    if (p.nodeName === undefined) continue;
    if (!nodes.has(p.nodeName)) problems.push(`pod ${p.namespace}/${p.name} on missing node ${p.nodeName}`);
    if (FINISHED.has(p.phase)) continue;
    const u = used.get(p.nodeName) ?? { cpu: 0, memory: 0, pods: 0 };
    u.cpu += p.requests.cpu;
    u.memory += p.requests.memory;
    u.pods++;
    used.set(p.nodeName, u);
  }
  for (const [name, u] of used) {
    const a = nodes.get(name)?.allocatable;
    if (a && (u.cpu > a.cpu || u.memory > a.memory || u.pods > a.pods)) problems.push(`node ${name} overcommitted: requests ${JSON.stringify(u)} > allocatable ${JSON.stringify(a)}`);
  }
  for (const n of nodes.values()) {
    if (!(n.allocatable.cpu < n.capacity.cpu && n.allocatable.memory < n.capacity.memory)) problems.push(`node ${n.name}: allocatable not below capacity`);
  }

  // Controllers hold as many active pods as they want.
  const podsByOwner = group(pods, (p) => p.owner?.uid);
  const active = (uid: string) => (podsByOwner.get(uid) ?? []).filter((p) => p.deletingAt === undefined && !FINISHED.has(p.phase)).length;
  for (const rs of all<ReplicaSetRecord>('ReplicaSet')) {
    if (active(rs.uid) !== rs.desired) problems.push(`ReplicaSet ${rs.namespace}/${rs.name}: ${active(rs.uid)} active pods, ${rs.desired} desired`);
  }
  // A StatefulSet pod keeps its name: while one terminates, its successor waits.
  for (const sts of all<StatefulSetRecord>('StatefulSet')) {
    const owned = podsByOwner.get(sts.uid) ?? [];
    const names = new Set(owned.map((p) => p.name));
    for (let i = 0; i < sts.desired; i++) if (!names.has(`${sts.name}-${i}`)) problems.push(`StatefulSet ${sts.namespace}/${sts.name}: no pod ${sts.name}-${i}`);
    if (active(sts.uid) > sts.desired) problems.push(`StatefulSet ${sts.namespace}/${sts.name}: more active pods than desired`);
  }
  for (const ds of all<DaemonSetRecord>('DaemonSet')) {
    const onNodes = new Set((podsByOwner.get(ds.uid) ?? []).map((p) => p.nodeName));
    for (const n of nodes.keys()) if (!onNodes.has(n)) problems.push(`DaemonSet ${ds.name} has no pod on node ${n}`);
  }

  // Services: their slices list exactly the running pods their selector matches.
  const slices = group(all<EndpointSliceRecord>('EndpointSlice'), (s) => `${s.namespace}/${s.serviceName}`);
  const podsByNamespace = group(pods, (p) => p.namespace);
  const services = new Map(all<ServiceRecord>('Service').map((s) => [`${s.namespace}/${s.name}`, s]));
  for (const svc of services.values()) {
    if (!svc.selector) continue;
    const selector = svc.selector;
    const want = new Map((podsByNamespace.get(svc.namespace as string) ?? []).filter((p) => p.podIP !== undefined && !FINISHED.has(p.phase) && matches(selector, p.labels)).map((p) => [p.name, p.ready]));
    const have = new Map((slices.get(`${svc.namespace}/${svc.name}`) ?? []).flatMap((s) => s.endpoints.map((e) => [e.targetPod ?? '', e.ready] as const)));
    if (want.size !== have.size || [...want].some(([name, ready]) => have.get(name) !== ready)) {
      problems.push(`service ${svc.namespace}/${svc.name}: endpoints ${have.size} differ from the ${want.size} matching pods`);
    }
  }

  // Names that point at services: env hosts, ingress and route backends.
  const serviceExists = (ns: string, name: string) => services.has(`${ns}/${name}`);
  for (const p of pods) {
    for (const host of p.refs?.envHosts ?? []) {
      const named = serviceOfHost(host, p.namespace as string);
      if (!named || !serviceExists(named.namespace, named.name)) problems.push(`pod ${p.namespace}/${p.name}: env host ${host} names no service`);
    }
  }
  for (const r of byUid.values()) {
    for (const b of backendsOf(r)) if (!serviceExists(b.namespace ?? (r.namespace as string), b.service)) problems.push(`${r.kind} ${r.namespace}/${r.name}: backend ${b.service} does not exist`);
  }

  // Usage is about objects that exist.
  for (const u of [...all<UsageRecord>('NodeMetrics'), ...all<UsageRecord>('PodMetrics')]) {
    const target = byUid.get(u.uid);
    if (!target || target.kind !== (u.kind === 'NodeMetrics' ? 'Node' : 'Pod')) problems.push(`${u.kind} ${u.name} measures nothing that exists`);
  }
  return problems;
}

function group<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function matches(selector: Labels, labels: Labels | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
