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
// routes, and one Outside vertex for traffic from outside the cluster.
//
// NetworkPolicy ingress rules give 'policy-allow' edges (peer workload -> selected workload);
// policies that select pods but allow no ingress are reported by `defaultDenied`.
//
// Not derived yet: NetworkPolicy egress rules and ipBlock peers, StatefulSet serviceName,
// EndpointSlice (observed) edges, ReferenceGrants.
import type { ClusterState } from './cluster-state.js';
import type { IngressRecord, LabelSelector, Labels, NetworkPolicyRecord, PodRecord, RouteRecord, ServiceRecord, WorkloadRecord } from './records.js';

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
  meshes: ('istio' | 'linkerd' | 'otel')[];
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
  /** Declared edges that imply a connection a NetworkPolicy blocks: the policy ("ns/name") that isolates the target. */
  deniedBy?: string;
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
  /** Vertex ids selected by a default-deny ingress (or egress) policy. */
  defaultDeny?: string[];
  /** Whether Traffic records exist for this cluster (observed/quiet marks mean something). */
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

/** The one vertex for traffic from outside the cluster. */
export const OUTSIDE_ID = 'Outside';

export function vertexId(kind: VertexKind, namespace: string | undefined, name: string): string {
  return kind === 'Outside' ? OUTSIDE_ID : `${kind}/${namespace ?? ''}/${name}`;
}

// --- the vertices and the indexes the rules read ---------------------------------------------

/** A workload or bare pod vertex with what it declares about its pods. */
export interface PodOwnerVertex {
  vertex: Vertex;
  labels: Labels;
  envHosts: readonly string[];
  /** Field path of env values: differs between pod templates and pods. */
  envField: string;
}

export interface TopologyIndex {
  state: ClusterState;
  vertices: Map<string, Vertex>;
  /** Service vertex id by `ns/name` (Service or ExternalService). */
  services: Map<string, string>;
  /** Workload and bare pod vertices. */
  podOwners: PodOwnerVertex[];
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;

function buildIndex(state: ClusterState): TopologyIndex {
  const vertices = new Map<string, Vertex>();
  const services = new Map<string, string>();
  const podOwners: PodOwnerVertex[] = [];
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
      podOwners.push({ vertex, labels: w.templateLabels ?? {}, envHosts: w.template?.envHosts ?? [], envField: 'spec.template.spec.containers[].env' });
    }
  }
  // ReplicaSets are not vertices: their Deployment is. Pods with a controller are their controller.
  for (const p of state.records('Pod') as IterableIterator<PodRecord>) {
    if (p.owner !== undefined) continue;
    const vertex = { ...named('Pod', p), ready: p.ready ? 1 : 0, desired: 1 };
    add(vertex);
    podOwners.push({ vertex, labels: p.labels ?? {}, envHosts: p.refs?.envHosts ?? [], envField: 'spec.containers[].env' });
  }
  for (const s of state.records('Service') as IterableIterator<ServiceRecord>) {
    const vertex = named(s.type === 'ExternalName' ? 'ExternalService' : 'Service', s);
    add(vertex);
    services.set(`${s.namespace ?? ''}/${s.name}`, vertex.id);
  }
  for (const i of state.records('Ingress')) add(named('Ingress', i));
  for (const g of state.records('Gateway')) add(named('Gateway', g));
  for (const kind of ['HTTPRoute', 'GRPCRoute'] as const) for (const r of state.records(kind)) add(named(r.kind, r));
  if (state.count('Ingress') + state.count('Gateway') > 0) add({ id: OUTSIDE_ID, kind: 'Outside', name: 'outside' });
  return { state, vertices, services, podOwners };
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

/** All selector pairs are among the labels; an empty or absent selector selects nothing. */
export function selects(selector: Labels | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([k, v]) => labels[k] === v);
}

/**
 * Whether a metav1.LabelSelector selects `labels`: every matchLabels pair is present and every
 * matchExpression holds (In, NotIn, Exists, DoesNotExist; NotIn and DoesNotExist hold for an
 * absent key, an unknown operator never holds). An empty selector selects everything; an absent
 * one (`undefined`) selects nothing, as in Kubernetes.
 */
export function matchesSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  const has = (key: string) => Object.hasOwn(labels, key);
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (!has(k) || labels[k] !== v) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const ok =
      operator === 'In' ? has(key) && values.includes(labels[key] as string)
      : operator === 'NotIn' ? !has(key) || !values.includes(labels[key] as string)
      : operator === 'Exists' ? has(key)
      : operator === 'DoesNotExist' ? !has(key)
      : false;
    if (!ok) return false;
  }
  return true;
}

/** The workload and bare pod vertices a NetworkPolicy applies to (its own namespace only). */
function policyTargets(policy: NetworkPolicyRecord, podOwners: readonly PodOwnerVertex[]): PodOwnerVertex[] {
  return podOwners.filter((o) => o.vertex.namespace === policy.namespace && matchesSelector(policy.podSelector, o.labels));
}

/**
 * Namespace labels by name, from the Namespace records; every namespace also carries the
 * `kubernetes.io/metadata.name` label (the API server sets it), also one that has no record.
 */
function namespaceLabels(state: ClusterState, namespace: string): Labels {
  for (const ns of state.records('Namespace')) if (ns.name === namespace) return { ...ns.labels, 'kubernetes.io/metadata.name': namespace };
  return { 'kubernetes.io/metadata.name': namespace };
}

/**
 * Vertex ids of the workloads and bare pods selected by a default-deny ingress policy: one with
 * policyType Ingress and no ingress rules. (Another policy may still allow some ingress to them.)
 */
export function defaultDenied(state: ClusterState): Set<string> {
  const { podOwners } = buildIndex(state);
  const denied = new Set<string>();
  for (const policy of state.records('NetworkPolicy')) {
    if (!policy.policyTypes.includes('Ingress') || policy.ingress.length > 0) continue;
    for (const o of policyTargets(policy, podOwners)) denied.add(o.vertex.id);
  }
  return denied;
}

/**
 * A host named in configuration as a Service: "svc", "svc.ns", "svc.ns.svc",
 * "svc.ns.svc.cluster.local" (any cluster domain), with an optional ":port"; "pod.svc.ns" (a
 * StatefulSet pod through its headless Service) names the Service. Undefined for IP addresses
 * and anything else (external names such as "api.stripe.com" are reported as unresolved by the
 * caller, since they name no Service).
 */
export function serviceOfHost(rawHost: string, ownNamespace: string): { namespace: string; name: string } | undefined {
  let host = rawHost.trim().toLowerCase().replace(/:\d*$/, '').replace(/\.$/, '');
  if (host === '' || /^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return undefined;
  const svc = /^(.+?\.[^.]+)\.svc(\..+)?$/.exec(host);
  if (svc) host = svc[1] ?? host;
  const parts = host.split('.');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 1) return { namespace: ownNamespace, name: parts[0] as string };
  if (parts.length === 2) return { namespace: parts[1] as string, name: parts[0] as string };
  // Only a cluster-DNS form (it had ".svc") may be "pod.service.namespace".
  if (parts.length === 3 && svc) return { namespace: parts[2] as string, name: parts[1] as string };
  return undefined;
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
      for (const r of routes(g)) {
        const from = vertexId(r.kind, r.namespace, r.name);
        for (const [i, b] of r.backends.entries()) {
          // Our record flattens spec.rules[].backendRefs[] into one list.
          const field = `spec.rules[].backendRefs (backend #${i})`;
          const ns = b.namespace ?? r.namespace ?? '';
          if (b.kind !== undefined && b.kind !== 'Service') yield { from, field, missing: `${ns}/${b.service} (${b.kind}, not a Service)` };
          else if (ns !== r.namespace) yield { from, field, missing: `${ns}/${b.service} (cross-namespace: needs a ReferenceGrant)` };
          else yield toService(g, from, field, ns, b.service, b.weight !== undefined ? `weight ${b.weight}` : 'backendRef');
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
        const detail = Object.entries(s.selector).map(([k, v]) => `${k}=${v}`).join(',');
        for (const owner of g.podOwners) {
          if (owner.vertex.namespace === s.namespace && selects(s.selector, owner.labels)) yield { from, to: owner.vertex.id, field: 'spec.selector', detail };
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
        const from = owner.vertex.id;
        for (const host of owner.envHosts) {
          const target = serviceOfHost(host, owner.vertex.namespace ?? '');
          if (target === undefined) yield { from, field: owner.envField, missing: host };
          else {
            const found = toService(g, from, owner.envField, target.namespace, target.name, host);
            yield 'missing' in found ? { ...found, missing: host } : found;
          }
        }
      }
    },
  },
  {
    id: 'network-policy-ingress',
    type: 'policy-allow',
    explain: '{from} may connect to {to}: allowed by NetworkPolicy {detail}',
    *derive(g) {
      const nsLabels = new Map<string, Labels>();
      const labelsOf = (ns: string) => nsLabels.get(ns) ?? nsLabels.set(ns, namespaceLabels(g.state, ns)).get(ns) as Labels;
      for (const policy of g.state.records('NetworkPolicy')) {
        if (!policy.policyTypes.includes('Ingress')) continue;
        const targets = policyTargets(policy, g.podOwners);
        if (targets.length === 0) continue;
        const detail = `${policy.namespace ?? ''}/${policy.name}`;
        for (const [i, rule] of policy.ingress.entries()) {
          // A rule without peers allows every source (in and outside the cluster): not drawn,
          // as an edge from every workload would say nothing.
          for (const [j, peer] of rule.peers.entries()) {
            // ipBlock peers name addresses, not workloads: not drawn.
            if (peer.podSelector === undefined && peer.namespaceSelector === undefined) continue;
            const field = `spec.ingress[${i}].from[${j}]`;
            const podSelector = peer.podSelector ?? {}; // with only a namespaceSelector: every pod there
            for (const source of g.podOwners) {
              const ns = source.vertex.namespace ?? '';
              const inNamespace = peer.namespaceSelector === undefined ? ns === policy.namespace : matchesSelector(peer.namespaceSelector, labelsOf(ns));
              if (!inNamespace || !matchesSelector(podSelector, source.labels)) continue;
              for (const target of targets) {
                // Pods of one workload talking among themselves is no edge of the topology.
                if (target !== source) yield { from: source.vertex.id, to: target.vertex.id, field, detail };
              }
            }
          }
        }
      }
    },
  },
];

// --- derivation --------------------------------------------------------------------------------

function label(v: Vertex | undefined, id: string): string {
  if (v === undefined) return id;
  if (v.kind === 'Outside') return 'outside the cluster';
  return `${v.kind} ${v.namespace ? `${v.namespace}/` : ''}${v.name}`;
}

/** The declared topology of one cluster. Costs O(services × workloads) for selectors. */
export function deriveTopology(state: ClusterState, relations: readonly Relation[] = RELATIONS): Topology {
  const g = buildIndex(state);
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
      const reason = rule.explain
        .replaceAll('{from}', label(g.vertices.get(f.from), f.from))
        .replaceAll('{to}', label(g.vertices.get(f.to), f.to))
        .replaceAll('{detail}', f.detail ?? '');
      edges.set(id, { id, from: f.from, to: f.to, type: rule.type, rule: rule.id, reason, field: f.field });
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byId = <T extends { id: string }>(a: T, b: T) => cmp(a.id, b.id);
  return {
    vertices: [...g.vertices.values()].sort(byId),
    edges: [...edges.values()].sort(byId),
    unresolved: unresolved.sort((a, b) => cmp(a.from, b.from) || cmp(a.field, b.field) || cmp(a.host, b.host)),
  };
}
