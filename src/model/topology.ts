// Declared topology: what talks to what, as the objects themselves declare it.
//
// A pure derivation from one cluster's records. Every edge comes from ONE table of relation rules
// (RELATIONS): a rule names its edge type, explains itself ("why is this edge here?") and yields
// the edges it finds, each with the field it was read from. Names that point nowhere (a typo in
// an env value, a backend whose Service is gone, a cross-namespace backend we cannot verify) are
// not drawn: they are listed in `unresolved`.
//
// Vertices are what an operator thinks in: workloads (ReplicaSets folded into their Deployment,
// Jobs into their CronJob, pods into their controller), bare pods, Services, Ingresses, Gateways,
// routes, and one Outside vertex for traffic from or to outside the cluster (added when an edge
// reaches it).
//
// NetworkPolicy rules give 'policy-allow' edges (ingress: peer -> selected workload; egress:
// selected workload -> peer; an ipBlock holding public addresses is Outside). After the rules,
// passes over the edges add what needs them all: EndpointSlice counts on 'selects' edges,
// `deniedBy` on declared connections the policies block (network-policy.ts), and the 'observed'
// edges of Traffic records with the marks they put on declared edges (observed-traffic.ts).
//
// A route's backend in another namespace is drawn only when a ReferenceGrant in that namespace
// allows it (the edge names the grant); without one it is unresolved, as the Gateway API has it.
//
// Not derived yet: StatefulSet serviceName.
import type { ClusterState } from './cluster-state.js';
import { selects } from './label-selector.js';
import { markDenied, NetworkPolicies, policyAllowFindings, type VertexIsolation } from './network-policy.js';
import { pushTo } from './multimap.js';
import { observeTraffic, trafficAvailable } from './observed-traffic.js';
import type { EndpointSliceRecord, IngressRecord, Labels, PodRecord, ReferenceGrantRecord, RouteRecord, ServiceRecord, TrafficRecord, WorkloadRecord } from './records.js';
import { configMapHostRelation, resolveServiceHost } from './topology-configmap.js';
import { OUTSIDE_ID, vertexId } from './topology-names.js';

export { OUTSIDE_ID, vertexId } from './topology-names.js';

export type VertexKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'Job'
  | 'CronJob'
  | 'Pod'
  | 'Service'
  | 'ExternalService'
  | 'Ingress'
  | 'Gateway'
  | 'HTTPRoute'
  | 'GRPCRoute'
  | 'Outside';

export interface Vertex {
  id: string;
  kind: VertexKind;
  name: string;
  namespace?: string;
  /** Workloads: ready replicas (pods) out of desired. */
  ready?: number;
  desired?: number;
}

/** Declared types come from RELATIONS; 'observed' edges come from Traffic records. */
export type EdgeType = 'routes' | 'selects' | 'config' | 'policy-allow' | 'observed';

/** Observed traffic on an edge, summed over the meshes that report it. */
export interface TrafficStats {
  requestRate?: number;
  errorRate?: number;
  p95Ms?: number;
  tcpBytesRate?: number;
  tcpConnections?: number;
  meshes: TrafficRecord['mesh'][];
}

export interface Edge {
  /** `${rule}:${from}->${to}`: one edge per rule and pair of vertices. */
  id: string;
  from: string;
  to: string;
  type: EdgeType;
  /** The id of the RELATIONS entry that produced it. */
  rule: string;
  /** Why the edge is there, in words. */
  reason: string;
  /** Where it was read from, e.g. `spec.rules[0].http.paths[1].backend`; several joined by ", ". */
  field: string;
  /** 'observed' edges: the traffic. Declared edges: the observed traffic that confirms them. */
  traffic?: TrafficStats;
  /**
   * Declared edges, only when a traffic source reports for the cluster: whether observed traffic
   * confirms this edge. Undefined when there is no traffic source (nothing to compare with).
   */
  observed?: boolean;
  /** 'observed' edges: ids of the declared edges that explain the traffic (empty: unexplained). */
  explainedBy?: string[];
  /**
   * Declared config and routes edges whose implied connection NetworkPolicies block (to every
   * workload behind the Service): the blocking policies, "ns/name" joined by ", " (ports ignored).
   */
  deniedBy?: string;
  /**
   * 'selects' edges: the Service's endpoints (EndpointSlices) that are pods of the selected
   * workload, ready or not. Absent when the Service has no EndpointSlice (not created yet, not readable).
   */
  endpoints?: { ready: number; notReady: number };
}

export interface Unresolved {
  /** The vertex whose field names something that is not drawn. */
  from: string;
  field: string;
  /** What it names: an env host, "ns/name" of a missing Service or Gateway. */
  host: string;
}

export interface Topology {
  vertices: Vertex[];
  edges: Edge[];
  unresolved: Unresolved[];
  /**
   * Vertex ids isolated by NetworkPolicy for ingress or egress: only what a policy rule allows
   * reaches (leaves) them, everything else is denied. Sorted. `isolation` says which direction.
   */
  defaultDeny?: string[];
  /** The isolated vertices with the policies that isolate each direction. */
  isolation?: VertexIsolation[];
  /** Whether Traffic records exist for this cluster or its traffic source reports available (observed/quiet marks mean something). */
  trafficAvailable?: boolean;
}

/** What a rule finds: an edge to a vertex, or a name that resolves to nothing drawn. */
export type Finding =
  | { from: string; to: string; field: string; detail?: string }
  | { from: string; field: string; missing: string };

export interface Relation {
  id: string;
  type: EdgeType;
  /** The reason of each edge: `{from}`, `{to}` (vertex kind and name) and `{detail}` filled in. */
  explain: string;
  derive(graph: TopologyIndex): Iterable<Finding>;
}

// --- the vertices and the indexes the rules read ---------------------------------------------

/** A workload or bare pod vertex with what it declares about its pods. */
export interface PodOwnerVertex {
  vertex: Vertex;
  labels: Labels;
  envHosts: readonly string[];
  /** Field path of env values: differs between pod templates and pods. */
  envField: string;
  /** Where each of envHosts was read (same index), e.g. `spec.template.spec.containers[api].env[DB_URL]`; empty when the record does not say. */
  hostFields: readonly string[];
  /** ConfigMaps the pods read (volumes, envFrom, configMapKeyRef): the 'configmap-host' relation reads their hosts. */
  configMaps: readonly string[];
}

export interface TopologyIndex {
  state: ClusterState;
  vertices: Map<string, Vertex>;
  /** Service vertex id by `ns/name` (Service or ExternalService). */
  services: Map<string, string>;
  /** Workload and bare pod vertices. */
  podOwners: PodOwnerVertex[];
  /** The same, by namespace: selectors and policies only ever look within namespaces. */
  podOwnersByNamespace: Map<string, PodOwnerVertex[]>;
  /** The same, by one label they carry: `labelKey(namespace, key, value)`. Service selectors start here. */
  podOwnersByLabel: Map<string, PodOwnerVertex[]>;
  /** The uid of each workload vertex's record, by vertex id: endpoint counts find its pods from it. */
  workloadUids: Map<string, string>;
  policies: NetworkPolicies;
}

/** The kinds of workload vertices: each stands for the pods of its controller. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;

function buildIndex(state: ClusterState): TopologyIndex {
  const vertices = new Map<string, Vertex>();
  const services = new Map<string, string>();
  const podOwners: PodOwnerVertex[] = [];
  const workloadUids = new Map<string, string>();
  const add = (vertex: Vertex) => vertices.set(vertex.id, vertex);
  const named = (kind: VertexKind, r: { name: string; namespace?: string }): Vertex => {
    const v: Vertex = { id: vertexId(kind, r.namespace, r.name), kind, name: r.name };
    if (r.namespace !== undefined) v.namespace = r.namespace;
    return v;
  };

  for (const kind of WORKLOAD_KINDS) {
    for (const w of state.records(kind) as IterableIterator<WorkloadRecord>) {
      if (w.kind === 'Job' && w.owner?.kind === 'CronJob') continue; // folded into its CronJob
      const vertex = { ...named(w.kind as VertexKind, w), ready: w.ready, desired: w.desired };
      add(vertex);
      workloadUids.set(vertex.id, w.uid);
      const spec = w.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : 'spec.template.spec';
      podOwners.push({ vertex, labels: w.templateLabels ?? {}, envHosts: w.template?.envHosts ?? [], envField: 'spec.template.spec.containers[].env', hostFields: (w.template?.hostFields ?? []).map((f) => `${spec}.${f}`), configMaps: w.template?.configMaps ?? [] });
    }
  }
  // ReplicaSets are not vertices: their Deployment is. Pods with a controller are their controller.
  for (const p of state.records('Pod') as IterableIterator<PodRecord>) {
    if (p.owner !== undefined) continue;
    const vertex = { ...named('Pod', p), ready: p.ready ? 1 : 0, desired: 1 };
    add(vertex);
    podOwners.push({ vertex, labels: p.labels ?? {}, envHosts: p.refs?.envHosts ?? [], envField: 'spec.containers[].env', hostFields: (p.refs?.hostFields ?? []).map((f) => `spec.${f}`), configMaps: p.refs?.configMaps ?? [] });
  }
  for (const s of state.records('Service') as IterableIterator<ServiceRecord>) {
    const vertex = named(s.type === 'ExternalName' ? 'ExternalService' : 'Service', s);
    add(vertex);
    services.set(`${s.namespace ?? ''}/${s.name}`, vertex.id);
  }
  for (const i of state.records('Ingress')) add(named('Ingress', i));
  for (const g of state.records('Gateway')) add(named('Gateway', g));
  for (const kind of ['HTTPRoute', 'GRPCRoute'] as const) for (const r of state.records(kind)) add(named(r.kind, r));
  const podOwnersByNamespace = new Map<string, PodOwnerVertex[]>();
  const podOwnersByLabel = new Map<string, PodOwnerVertex[]>();
  for (const o of podOwners) {
    const ns = o.vertex.namespace ?? '';
    pushTo(podOwnersByNamespace, ns, o);
    for (const [k, v] of Object.entries(o.labels)) pushTo(podOwnersByLabel, labelKey(ns, k, v), o);
  }
  return { state, vertices, services, podOwners, podOwnersByNamespace, podOwnersByLabel, workloadUids, policies: new NetworkPolicies(state, podOwnersByNamespace) };
}

/** Key of `podOwnersByLabel`: NUL cannot occur in namespaces, label keys or values. */
function labelKey(namespace: string, key: string, value: string): string {
  return `${namespace}\0${key}\0${value}`;
}

// --- the rules ---------------------------------------------------------------------------------

/** The vertex of a Service `name` in `namespace`, or a `missing` finding. */
function toService(g: TopologyIndex, from: string, field: string, namespace: string, name: string, detail?: string): Finding {
  const to = g.services.get(`${namespace}/${name}`);
  if (to === undefined) return { from, field, missing: `${namespace}/${name}` };
  return detail === undefined ? { from, to, field } : { from, to, field, detail };
}

function* ingressBackends(i: IngressRecord): Iterable<{ field: string; service: string; detail: string }> {
  for (const [r, rule] of i.rules.entries()) {
    for (const [p, path] of rule.paths.entries()) {
      yield { field: `spec.rules[${r}].http.paths[${p}].backend`, service: path.backend.service, detail: `${rule.host ?? '*'}${path.path ?? '/'}` };
    }
  }
  if (i.defaultBackend) yield { field: 'spec.defaultBackend', service: i.defaultBackend.service, detail: 'requests no rule matches' };
}

function* routes(g: TopologyIndex): Iterable<RouteRecord> {
  yield* g.state.records('HTTPRoute');
  yield* g.state.records('GRPCRoute');
}

const GATEWAY_API = 'gateway.networking.k8s.io';

/** ReferenceGrants by namespace, each namespace's by name: the first that allows is named, whatever the order they arrived in. */
function grantsByNamespace(g: TopologyIndex): Map<string, ReferenceGrantRecord[]> {
  const byNamespace = new Map<string, ReferenceGrantRecord[]>();
  for (const rg of g.state.records('ReferenceGrant')) pushTo(byNamespace, rg.namespace ?? '', rg);
  for (const list of byNamespace.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return byNamespace;
}

/**
 * Whether a ReferenceGrant (in the Service's namespace) lets route `r` refer to Service `service`:
 * some `from` is the route's kind in the route's namespace, and some `to` is core Services, all
 * of them or this one by name. (From and to entries combine with OR, as the Gateway API says.)
 */
function grantsBackend(rg: ReferenceGrantRecord, r: RouteRecord, service: string): boolean {
  return (
    rg.from.some((f) => f.group === GATEWAY_API && f.kind === r.kind && f.namespace === r.namespace) &&
    rg.to.some((t) => t.group === '' && t.kind === 'Service' && (t.name === undefined || t.name === service))
  );
}

export const RELATIONS: readonly Relation[] = [
  {
    id: 'outside-entry',
    type: 'routes',
    explain: 'traffic from outside the cluster enters through {to}',
    *derive(g) {
      for (const i of g.state.records('Ingress')) yield { from: OUTSIDE_ID, to: vertexId('Ingress', i.namespace, i.name), field: 'spec.rules' };
      for (const gw of g.state.records('Gateway')) yield { from: OUTSIDE_ID, to: vertexId('Gateway', gw.namespace, gw.name), field: 'spec.listeners' };
    },
  },
  {
    id: 'ingress-backend',
    type: 'routes',
    explain: '{from} sends {detail} to {to}',
    *derive(g) {
      for (const i of g.state.records('Ingress')) {
        const from = vertexId('Ingress', i.namespace, i.name);
        // Ingress backends are always in the Ingress's own namespace.
        for (const b of ingressBackends(i)) yield toService(g, from, b.field, i.namespace ?? '', b.service, b.detail);
      }
    },
  },
  {
    id: 'gateway-route',
    type: 'routes',
    explain: '{to} attaches to {from} ({detail})',
    *derive(g) {
      for (const r of routes(g)) {
        const to = vertexId(r.kind, r.namespace, r.name);
        for (const [i, parent] of r.parents.entries()) {
          if (parent.kind !== undefined && parent.kind !== 'Gateway') continue;
          const field = `spec.parentRefs[${i}]`;
          const ns = parent.namespace ?? r.namespace ?? '';
          const from = vertexId('Gateway', ns, parent.name);
          if (!g.vertices.has(from)) yield { from: to, field, missing: `${ns}/${parent.name}` };
          else yield { from, to, field, detail: parent.sectionName ? `listener ${parent.sectionName}` : 'parentRef' };
        }
      }
    },
  },
  {
    id: 'route-backend',
    type: 'routes',
    explain: '{from} sends requests to {to} ({detail})',
    *derive(g) {
      let grants: Map<string, ReferenceGrantRecord[]> | undefined; // read on the first cross-namespace backend
      for (const r of routes(g)) {
        const from = vertexId(r.kind, r.namespace, r.name);
        for (const [i, b] of r.backends.entries()) {
          // Our record flattens spec.rules[].backendRefs[] into one list.
          const field = `spec.rules[].backendRefs (backend #${i})`;
          const ns = b.namespace ?? r.namespace ?? '';
          const detail = b.weight !== undefined ? `weight ${b.weight}` : 'backendRef';
          if (b.kind !== undefined && b.kind !== 'Service') yield { from, field, missing: `${ns}/${b.service} (${b.kind}, not a Service)` };
          else if (ns === r.namespace) yield toService(g, from, field, ns, b.service, detail);
          else {
            // Another namespace's Service holds only when a ReferenceGrant there allows it.
            const grant = (grants ??= grantsByNamespace(g)).get(ns)?.find((rg) => grantsBackend(rg, r, b.service));
            if (grant === undefined) yield { from, field, missing: `${ns}/${b.service} (cross-namespace: needs a ReferenceGrant)` };
            else yield toService(g, from, field, ns, b.service, `${detail}, allowed by ReferenceGrant ${ns}/${grant.name}`);
          }
        }
      }
    },
  },
  {
    id: 'service-selector',
    type: 'selects',
    explain: '{from} selects the pods of {to} (selector {detail})',
    *derive(g) {
      for (const s of g.state.records('Service')) {
        if (s.selector === undefined || s.type === 'ExternalName') continue;
        const from = g.services.get(`${s.namespace ?? ''}/${s.name}`) as string;
        const pairs = Object.entries(s.selector);
        if (pairs.length === 0) continue; // an empty selector selects nothing
        const detail = pairs.map(([k, v]) => `${k}=${v}`).join(',');
        // Only pods carrying the first pair can match: a lookup instead of a scan of the namespace.
        const [key, value] = pairs[0] as [string, string];
        for (const owner of g.podOwnersByLabel.get(labelKey(s.namespace ?? '', key, value)) ?? []) {
          if (selects(s.selector, owner.labels)) yield { from, to: owner.vertex.id, field: 'spec.selector', detail };
        }
      }
    },
  },
  {
    id: 'env-host',
    type: 'config',
    explain: '{from} is configured to call {to} (env value names host "{detail}")',
    *derive(g) {
      for (const owner of g.podOwners) {
        for (const [i, host] of owner.envHosts.entries()) yield resolveServiceHost(g, owner.vertex.id, owner.hostFields[i] ?? owner.envField, host, owner.vertex.namespace ?? '');
      }
    },
  },
  configMapHostRelation,
  {
    id: 'network-policy-ingress',
    type: 'policy-allow',
    explain: '{from} may connect to {to}: allowed by NetworkPolicy {detail}',
    derive: (g) => policyAllowFindings(g, 'ingress'),
  },
  {
    id: 'network-policy-egress',
    type: 'policy-allow',
    explain: '{from} may connect to {to}: egress allowed by NetworkPolicy {detail}',
    derive: (g) => policyAllowFindings(g, 'egress'),
  },
];

// --- derivation --------------------------------------------------------------------------------

function label(v: Vertex | undefined, id: string): string {
  if (v === undefined) return id;
  if (v.kind === 'Outside') return 'outside the cluster';
  return `${v.kind} ${v.namespace ? `${v.namespace}/` : ''}${v.name}`;
}

/** A rule's `explain` split at its placeholders once: one join per edge instead of three scans. */
const templates = new Map<string, string[]>();

function explain(template: string, values: Record<'from' | 'to' | 'detail', string>): string {
  let parts = templates.get(template);
  if (parts === undefined) templates.set(template, (parts = template.split(/\{(from|to|detail)\}/)));
  // split with a capturing group: odd entries are placeholder names.
  let out = '';
  for (let i = 0; i < parts.length; i++) out += i % 2 === 0 ? parts[i] : values[parts[i] as 'from' | 'to' | 'detail'];
  return out;
}

/**
 * The topology of one cluster: declared edges from RELATIONS, then the passes that need them
 * all (endpoint counts, policy denials, observed traffic). Selectors and policies are matched
 * within namespaces, so the cost grows with workloads × their namespace's size, not the square
 * of the cluster.
 */
export function deriveTopology(state: ClusterState, relations: readonly Relation[] = RELATIONS): Topology {
  const g = buildIndex(state);
  // Outside is drawn only when an edge reaches it.
  const reachOutside = () => g.vertices.has(OUTSIDE_ID) || g.vertices.set(OUTSIDE_ID, { id: OUTSIDE_ID, kind: 'Outside', name: 'outside' });
  // A vertex is named in the reasons of all its edges: each name is made once.
  const labels = new Map<string, string>();
  const labelOf = (id: string): string => {
    let text = labels.get(id);
    if (text === undefined) labels.set(id, (text = label(g.vertices.get(id), id)));
    return text;
  };
  const edges = new Map<string, Edge>();
  const unresolved: Unresolved[] = [];
  for (const rule of relations) {
    for (const f of rule.derive(g)) {
      if ('missing' in f) {
        unresolved.push({ from: f.from, field: f.field, host: f.missing });
        continue;
      }
      const id = `${rule.id}:${f.from}->${f.to}`;
      const existing = edges.get(id);
      if (existing !== undefined) {
        if (!existing.field.split(', ').includes(f.field)) existing.field += `, ${f.field}`;
        continue;
      }
      if (f.from === OUTSIDE_ID || f.to === OUTSIDE_ID) reachOutside();
      const reason = explain(rule.explain, { from: labelOf(f.from), to: labelOf(f.to), detail: f.detail ?? '' });
      edges.set(id, { id, from: f.from, to: f.to, type: rule.type, rule: rule.id, reason, field: f.field });
    }
  }
  const declared = [...edges.values()];
  countEndpoints(g, declared);
  markDenied(g, declared);
  const observed = observeTraffic(g, declared);
  if (observed.edges.some((e) => e.from === OUTSIDE_ID || e.to === OUTSIDE_ID)) reachOutside();

  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byId = <T extends { id: string }>(a: T, b: T) => cmp(a.id, b.id);
  const isolation = g.policies.isolation();
  return {
    vertices: [...g.vertices.values()].sort(byId),
    edges: [...declared, ...observed.edges].sort(byId),
    unresolved: [...unresolved, ...observed.unresolved].sort((a, b) => cmp(a.from, b.from) || cmp(a.field, b.field) || cmp(a.host, b.host)),
    defaultDeny: isolation.map((i) => i.vertex),
    isolation,
    trafficAvailable: trafficAvailable(state),
  };
}

// --- endpoints ---------------------------------------------------------------------------------

/**
 * Sets `endpoints` on 'selects' edges: of the Service's EndpointSlice endpoints, those whose pod
 * belongs to the selected workload. A pod listed in several slices (dual stack, or moving
 * between slices) counts once, ready if any slice says so. Pods are found from the workload down
 * (ReplicaSets of a Deployment, Jobs of a CronJob, then the pods-by-owner index), so the cost
 * follows the selected workloads, not every pod of the cluster.
 */
function countEndpoints(g: TopologyIndex, edges: readonly Edge[]): void {
  const slices = new Map<string, EndpointSliceRecord[]>();
  for (const slice of g.state.records('EndpointSlice')) {
    if (slice.serviceName === undefined) continue;
    pushTo(slices, vertexId('Service', slice.namespace, slice.serviceName), slice);
  }
  if (slices.size === 0) return;

  // The controllers in between: ReplicaSets (of Deployments) and Jobs (of CronJobs), by their owner's uid.
  const children = new Map<string, string[]>();
  for (const kind of ['ReplicaSet', 'Job'] as const) {
    for (const r of g.state.records(kind)) {
      if (r.owner !== undefined) pushTo(children, r.owner.uid, r.uid);
    }
  }
  // Several Services may select one workload: its pods are looked up once.
  const podNamesOf = new Map<string, Set<string>>();
  const podNames = (vertex: Vertex): Set<string> => {
    let names = podNamesOf.get(vertex.id);
    if (names !== undefined) return names;
    names = new Set<string>();
    podNamesOf.set(vertex.id, names);
    if (vertex.kind === 'Pod') return names.add(vertex.name);
    const uid = g.workloadUids.get(vertex.id);
    if (uid === undefined) return names;
    for (const owner of vertex.kind === 'Deployment' || vertex.kind === 'CronJob' ? (children.get(uid) ?? []) : [uid]) {
      for (const p of g.state.podsOwnedBy(owner)) names.add(p.name);
    }
    return names;
  };

  for (const e of edges) {
    if (e.type !== 'selects') continue;
    const serviceSlices = slices.get(e.from);
    const target = g.vertices.get(e.to);
    if (serviceSlices === undefined || target === undefined) continue;
    const pods = podNames(target);
    const ready = new Map<string, boolean>();
    for (const slice of serviceSlices) {
      for (const endpoint of slice.endpoints) {
        if (endpoint.targetPod !== undefined && pods.has(endpoint.targetPod)) ready.set(endpoint.targetPod, endpoint.ready || ready.get(endpoint.targetPod) === true);
      }
    }
    let readyCount = 0;
    for (const r of ready.values()) if (r) readyCount++;
    e.endpoints = { ready: readyCount, notReady: ready.size - readyCount };
  }
}
