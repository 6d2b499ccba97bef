// Observed traffic on the topology: Traffic records (what a mesh or tracing pipeline measured)
// become 'observed' edges between vertices, and the declared edges learn whether traffic
// confirms them.
//
// A mesh names the ends of a connection its own way (TrafficPeer); they are resolved here against
// the objects that exist, so a renamed workload or a peer we do not draw is visible as
// `unresolved` instead of an edge to nowhere.
import type { ClusterState } from './cluster-state.js';
import { pushTo } from './multimap.js';
import type { TrafficPeer, TrafficRecord } from './records.js';
import { OUTSIDE_ID, serviceOfHost, vertexId } from './topology-names.js';
import type { Edge, TopologyIndex, TrafficStats, Unresolved, VertexKind } from './topology.js';

const OBSERVED_RULE = 'observed-traffic';

type Mesh = TrafficRecord['mesh'];

/** The series each mesh's rates come from (what `field` names on an observed edge). */
const METRIC: Record<Mesh, Record<TrafficRecord['protocol'], string>> = {
  istio: { http: 'istio_requests_total', grpc: 'istio_requests_total', tcp: 'istio_tcp_sent_bytes_total' },
  linkerd: { http: 'response_total', grpc: 'response_total', tcp: 'tcp_write_bytes_total' },
  otel: { http: 'traces_service_graph_request_total', grpc: 'traces_service_graph_request_total', tcp: 'traces_service_graph_request_total' },
};

/** Declared edge types that say "A calls B": the ones traffic confirms, and that explain it. */
const CALLS = new Set<Edge['type']>(['config', 'routes']);

/**
 * Whether observed/quiet marks mean anything: the cluster has Traffic records, or its traffic
 * source reports that it reads the mesh series (then silence on an edge is information).
 */
export function trafficAvailable(state: ClusterState): boolean {
  return state.count('Traffic') > 0 || state.status.traffic === 'available';
}

export interface ObservedTraffic {
  edges: Edge[];
  unresolved: Unresolved[];
}

/**
 * One 'observed' edge per resolved pair of vertices, with the traffic of every record on it
 * summed over meshes; `explainedBy` lists the declared edges that account for it. When traffic
 * is available, declared config and routes edges get `observed` and the traffic they carry
 * (the sum over the observed edges they explain), in place.
 */
export function observeTraffic(g: TopologyIndex, declared: readonly Edge[]): ObservedTraffic {
  if (g.state.count('Traffic') === 0) {
    if (trafficAvailable(g.state)) for (const e of declared) if (CALLS.has(e.type)) e.observed = false;
    return { edges: [], unresolved: [] };
  }
  const resolver = new PeerResolver(g);
  const pairs = new Map<string, { from: string; to: string; records: TrafficRecord[] }>();
  const unresolved = new Map<string, Unresolved>();
  for (const record of g.state.records('Traffic')) {
    const from = resolver.resolve(record.source);
    const to = resolver.resolve(record.destination);
    if (from === undefined || to === undefined) {
      // Listed under the end that resolved (so the details of that vertex show it), naming the other.
      const u: Unresolved =
        from === undefined && to !== undefined
          ? { from: to, field: `traffic (${record.mesh})`, host: describe('source', record.source) }
          : { from: from ?? describe('source', record.source), field: `traffic (${record.mesh})`, host: describe('destination', record.destination) };
      unresolved.set(JSON.stringify(u), u);
      continue;
    }
    // Pods of one workload talking among themselves are no edge of the topology.
    if (from === to) continue;
    const key = `${from}->${to}`;
    const pair = pairs.get(key);
    if (pair === undefined) pairs.set(key, { from, to, records: [record] });
    else pair.records.push(record);
  }

  const explain = new Explainer(declared);
  const confirmed = new Map<Edge, Edge[]>();
  const edges: Edge[] = [];
  for (const { from, to, records } of pairs.values()) {
    const edge: Edge = {
      id: `${OBSERVED_RULE}:${from}->${to}`,
      from,
      to,
      type: 'observed',
      rule: OBSERVED_RULE,
      reason: reasonOf(records),
      field: [...new Set(records.map((r) => METRIC[r.mesh][r.protocol]))].sort().join(', '),
      traffic: mergeStats(records),
    };
    const explaining = explain.pair(from, to);
    edge.explainedBy = explaining.map((e) => e.id).sort();
    for (const e of explaining) pushTo(confirmed, e, edge);
    edges.push(edge);
  }
  for (const e of declared) {
    if (!CALLS.has(e.type)) continue;
    const carried = confirmed.get(e);
    e.observed = carried !== undefined;
    if (carried !== undefined) e.traffic = mergeStats(carried.map((o) => o.traffic as TrafficStats));
  }
  return { edges, unresolved: [...unresolved.values()] };
}

// --- resolving peers ---------------------------------------------------------------------------

/** "source workload shop/cart-v2", "destination otel service checkout": for `unresolved`. */
function describe(role: 'source' | 'destination', peer: TrafficPeer): string {
  const ns = peer.namespace !== undefined ? `${peer.namespace}/` : '';
  if (peer.workload !== undefined) return `${role} workload ${ns}${peer.workload}`;
  if (peer.service !== undefined) return `${role} service ${ns}${peer.service}`;
  if (peer.serviceName !== undefined) return `${role} otel service ${ns}${peer.serviceName}`;
  return `${role} (unnamed)`;
}

/** Pod name suffixes: 5 characters of the alphabet Kubernetes generates names from. */
const POD_SUFFIX = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
/** A StatefulSet pod: "<set>-<ordinal>". */
const ORDINAL_SUFFIX = /^(.+)-\d+$/;

/** The vertex kinds a mesh's workload name may be, in the order a name shared by several is taken. */
const PEER_KINDS: readonly VertexKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'Pod'];

/**
 * Finds the vertex a mesh's peer names. Lookups go straight to the vertices; the tables a miss
 * needs (controllers that are not vertices, names across namespaces) are built on first use, so
 * a mesh that names Deployments, as Istio and Linkerd do, costs no scan of the cluster.
 */
class PeerResolver {
  /** Controllers that are not vertices, by "ns/name": ReplicaSets → their Deployment, Jobs → their CronJob. */
  private folded: Map<string, string> | undefined;
  private byName: { workloads: Map<string, string[]>; services: Map<string, string[]> } | undefined;

  constructor(private readonly g: TopologyIndex) {}

  /**
   * In order: outside; a workload (also named by a ReplicaSet, a Job of a CronJob, or one of
   * their pods); the Service the request was addressed to; an OpenTelemetry service name, which
   * is a workload's or else a Service's name. Without a namespace a name must be unique across
   * namespaces: an ambiguous one resolves to nothing.
   */
  resolve(peer: TrafficPeer): string | undefined {
    if (peer.outside === true) return OUTSIDE_ID;
    if (peer.workload !== undefined) {
      const found = peer.namespace !== undefined ? this.workload(peer.namespace, peer.workload) : unique(this.names().workloads.get(peer.workload));
      if (found !== undefined) return found;
    }
    if (peer.service !== undefined) {
      const found = this.service(peer.service, peer.namespace);
      if (found !== undefined) return found;
    }
    if (peer.serviceName !== undefined) {
      const name = peer.serviceName;
      if (peer.namespace !== undefined) return this.vertexNamed(peer.namespace, name) ?? this.g.services.get(`${peer.namespace}/${name}`);
      // Workloads first: a name several workloads share is ambiguous, whatever Services exist.
      const workloads = this.names().workloads.get(name);
      return workloads !== undefined ? unique(workloads) : unique(this.names().services.get(name));
    }
    return undefined;
  }

  private workload(namespace: string, name: string): string | undefined {
    const direct = this.controller(namespace, name);
    if (direct !== undefined) return direct;
    // Meshes fall back to the pod name when they cannot name its controller.
    const pod = POD_SUFFIX.exec(name)?.[1];
    const viaPod = pod === undefined ? undefined : this.controller(namespace, pod);
    if (viaPod !== undefined) return viaPod;
    const set = ORDINAL_SUFFIX.exec(name)?.[1];
    const statefulSet = set === undefined ? undefined : vertexId('StatefulSet', namespace, set);
    return statefulSet !== undefined && this.g.vertices.has(statefulSet) ? statefulSet : undefined;
  }

  private vertexNamed(namespace: string, name: string): string | undefined {
    for (const kind of PEER_KINDS) {
      const id = vertexId(kind, namespace, name);
      if (this.g.vertices.has(id)) return id;
    }
    return undefined;
  }

  private controller(namespace: string, name: string): string | undefined {
    return this.vertexNamed(namespace, name) ?? this.foldedControllers().get(`${namespace}/${name}`);
  }

  private foldedControllers(): Map<string, string> {
    if (this.folded !== undefined) return this.folded;
    this.folded = new Map();
    for (const kind of ['ReplicaSet', 'Job'] as const) {
      for (const r of this.g.state.records(kind)) {
        if (r.owner === undefined) continue;
        const owner = vertexId(r.owner.kind as VertexKind, r.namespace, r.owner.name);
        if (this.g.vertices.has(owner)) this.folded.set(`${r.namespace ?? ''}/${r.name}`, owner);
      }
    }
    return this.folded;
  }

  private names(): { workloads: Map<string, string[]>; services: Map<string, string[]> } {
    if (this.byName !== undefined) return this.byName;
    const workloads = new Map<string, string[]>();
    const services = new Map<string, string[]>();
    // One vertex per namespace and name, as `vertexNamed` would pick it.
    for (const o of this.g.podOwners) {
      if (this.vertexNamed(o.vertex.namespace ?? '', o.vertex.name) === o.vertex.id) pushTo(workloads, o.vertex.name, o.vertex.id);
    }
    for (const [key, id] of this.g.services) pushTo(services, key.slice(key.indexOf('/') + 1), id);
    return (this.byName = { workloads, services });
  }

  /** "cart" (with the peer's namespace, or unique), or a DNS name such as "cart.shop.svc.cluster.local". */
  private service(service: string, namespace: string | undefined): string | undefined {
    if (service.includes('.')) {
      const named = serviceOfHost(service, namespace ?? '');
      return named === undefined ? undefined : this.g.services.get(`${named.namespace}/${named.name}`);
    }
    return namespace !== undefined ? this.g.services.get(`${namespace}/${service}`) : unique(this.names().services.get(service));
  }
}

function unique(ids: string[] | undefined): string | undefined {
  return ids?.length === 1 ? ids[0] : undefined;
}

// --- explanations ------------------------------------------------------------------------------

/** Finds the declared edges that account for observed traffic between two vertices. */
class Explainer {
  /** Declared "A calls B" and selects edges by pair; policy-allow edges grant, they do not declare a call. */
  private readonly byPair = new Map<string, Edge[]>();
  private readonly callsFrom = new Map<string, Edge[]>();
  /** Routes and selects edges by target: the chains that carry traffic in from outside. */
  private readonly entryInto = new Map<string, Edge[]>();
  private reachedFromOutside: Set<string> | undefined;

  constructor(declared: readonly Edge[]) {
    for (const e of declared) {
      if (e.type === 'policy-allow') continue;
      pushTo(this.byPair, `${e.from}->${e.to}`, e);
      if (CALLS.has(e.type)) pushTo(this.callsFrom, e.from, e);
      if (e.type === 'routes' || e.type === 'selects') pushTo(this.entryInto, e.to, e);
    }
  }

  /**
   * Declared edges on the same pair; for A → B, every path A →config/routes→ S →selects→ B; for
   * Outside → X, every Ingress or Gateway chain from Outside that reaches X.
   */
  pair(from: string, to: string): Edge[] {
    const found = new Set<Edge>(this.byPair.get(`${from}->${to}`) ?? []);
    for (const call of this.callsFrom.get(from) ?? []) {
      for (const select of this.byPair.get(`${call.to}->${to}`) ?? []) {
        if (select.type !== 'selects') continue;
        found.add(call);
        found.add(select);
      }
    }
    if (from === OUTSIDE_ID) for (const e of this.chainFromOutside(to)) found.add(e);
    return [...found];
  }

  /** The routes/selects edges on paths from Outside to `target`: walk back from it, staying on vertices Outside reaches. */
  private chainFromOutside(target: string): Edge[] {
    const reached = this.reachableFromOutside();
    if (!reached.has(target)) return [];
    const edges: Edge[] = [];
    const seen = new Set<string>([target]);
    const queue = [target];
    for (let v = queue.pop(); v !== undefined; v = queue.pop()) {
      for (const e of this.entryInto.get(v) ?? []) {
        if (!reached.has(e.from)) continue;
        edges.push(e);
        if (!seen.has(e.from)) {
          seen.add(e.from);
          queue.push(e.from);
        }
      }
    }
    return edges;
  }

  private reachableFromOutside(): Set<string> {
    if (this.reachedFromOutside !== undefined) return this.reachedFromOutside;
    const out = new Map<string, string[]>();
    for (const [to, edges] of this.entryInto) for (const e of edges) pushTo(out, e.from, to);
    const reached = new Set<string>([OUTSIDE_ID]);
    const queue = [OUTSIDE_ID];
    for (let v = queue.pop(); v !== undefined; v = queue.pop()) {
      for (const next of out.get(v) ?? []) {
        if (reached.has(next)) continue;
        reached.add(next);
        queue.push(next);
      }
    }
    return (this.reachedFromOutside = reached);
  }
}

// --- numbers and words ---------------------------------------------------------------------------

/** Rates and counts add up; p95 is the maximum (the worst of the meshes that see the pair). */
function mergeStats(stats: readonly (TrafficStats | TrafficRecord)[]): TrafficStats {
  const sum: TrafficStats = { meshes: [] };
  const meshes = new Set<Mesh>();
  for (const s of stats) {
    for (const key of ['requestRate', 'errorRate', 'tcpBytesRate', 'tcpConnections'] as const) {
      const value = s[key];
      if (value !== undefined) sum[key] = (sum[key] ?? 0) + value;
    }
    if (s.p95Ms !== undefined) sum.p95Ms = Math.max(sum.p95Ms ?? 0, s.p95Ms);
    if ('mesh' in s) meshes.add(s.mesh);
    else for (const m of s.meshes) meshes.add(m);
  }
  sum.meshes = [...meshes].sort();
  return sum;
}

/** "istio observed 12.3 req/s, 0.4% errors, p95 85 ms; linkerd observed 2.1 kB/s TCP, 3 connections". */
function reasonOf(records: readonly TrafficRecord[]): string {
  const meshes = [...new Set(records.map((r) => r.mesh))].sort();
  return meshes
    .map((mesh) => {
      const t = mergeStats(records.filter((r) => r.mesh === mesh));
      const parts = trafficParts(t);
      return `${mesh} observed ${parts.length > 0 ? parts.join(', ') : 'traffic'}`;
    })
    .join('; ');
}

/** One decimal from 1 up (12.3), two below (0.04), none from 100 up (1234). */
/** The traffic's numbers in words: ["12.3 req/s", "0.4% errors", "p95 85 ms", "2.1 kB/s TCP", "3 connections"]. */
export function trafficParts(t: Omit<TrafficStats, 'meshes'>): string[] {
  const parts: string[] = [];
  if (t.requestRate !== undefined) parts.push(`${decimal(t.requestRate)} req/s`);
  if (t.requestRate !== undefined && t.requestRate > 0 && t.errorRate !== undefined) parts.push(`${((100 * t.errorRate) / t.requestRate).toFixed(1)}% errors`);
  if (t.p95Ms !== undefined) parts.push(`p95 ${Math.round(t.p95Ms)} ms`);
  if (t.tcpBytesRate !== undefined) parts.push(`${bytes(t.tcpBytesRate)}/s TCP`);
  if (t.tcpConnections !== undefined) parts.push(`${Math.round(t.tcpConnections)} connections`);
  return parts;
}

function decimal(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2);
}

function bytes(n: number): string {
  if (n >= 1e6) return `${decimal(n / 1e6)} MB`;
  if (n >= 1e3) return `${decimal(n / 1e3)} kB`;
  return `${decimal(n)} B`;
}
