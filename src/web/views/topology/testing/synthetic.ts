// A deterministic synthetic Topology for tests and benchmarks of the topology view (shaping and
// layout), at any size. Built directly as a Topology (not from cluster records): what matters here
// is the shape of the graph, and this way a 5,000-vertex graph costs milliseconds.
//
// What it looks like, per seed:
//   - namespaces of skewed sizes (a few big ones, a long tail of small ones); the first three are
//     "shared" (platform, data, observability) and receive most cross-namespace calls;
//   - workloads (mostly Deployments, some StatefulSets, DaemonSets, CronJobs), most with a Service
//     that selects them, a few Services selecting two workloads (a canary);
//   - config edges (env hosts) from workloads to Services, mostly within the namespace, some to
//     other namespaces; every workload also has a few that stay within its namespace;
//   - Ingresses routing to a few Services of their namespace, each entered from Outside;
//   - NetworkPolicies in some namespaces: a few workloads allowed to reach one or two others;
//   - optionally (`traffic: true`) observed traffic: most config edges confirmed, observed
//     workload → workload edges explained by them, a few unexplained ones, some quiet config edges.
// About 2.5 edges per vertex.
import { OUTSIDE_ID, vertexId, type Edge, type EdgeType, type Topology, type Vertex, type VertexKind } from '../../../../model/topology.js';
import { seededRandom } from '../../../../model/testing/random.js';

export interface SyntheticOptions {
  /** About this many vertices (within a few percent). */
  vertices: number;
  seed?: number;
  /** Add observed traffic (trafficAvailable, observed edges, confirmed and quiet declared edges). */
  traffic?: boolean;
}

export { seededRandom };

const SHARED_NAMESPACES = ['platform', 'data', 'observability'];
const TEAM_WORDS = ['shop', 'billing', 'identity', 'search', 'media', 'growth', 'ledger', 'fleet', 'support', 'maps', 'risk', 'catalog'];
const SERVICE_WORDS = [
  'api', 'auth', 'cart', 'checkout', 'payments', 'catalog', 'search', 'users', 'orders', 'inventory', 'shipping', 'email',
  'recommend', 'ads', 'frontend', 'gateway', 'worker', 'scheduler', 'cache', 'db', 'queue', 'events', 'reports', 'notify',
];

interface Workload {
  vertex: Vertex;
  service?: Vertex;
}

interface Namespace {
  name: string;
  workloads: Workload[];
  services: Vertex[];
}

export function syntheticTopology(options: SyntheticOptions): Topology {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const vertices: Vertex[] = [];
  const edges = new Map<string, Edge>();
  const addEdge = (type: EdgeType, rule: string, from: Vertex, to: Vertex, reason: string, field: string): Edge | undefined => {
    if (from.id === to.id) return undefined;
    const id = `${rule}:${from.id}->${to.id}`;
    const existing = edges.get(id);
    if (existing) return existing;
    const edge: Edge = { id, from: from.id, to: to.id, type, rule, reason, field };
    edges.set(id, edge);
    return edge;
  };

  // Namespace sizes: a skewed (Zipf-like) split of the vertex budget, every namespace at least 3.
  const namespaceCount = Math.max(4, Math.round(options.vertices / 45));
  const weights = Array.from({ length: namespaceCount }, (_, i) => (1 / (i + 1)) ** 0.75 * (0.7 + 0.6 * random()));
  const total = weights.reduce((a, b) => a + b, 0);
  const budgets = weights.map((w) => Math.max(3, Math.round((options.vertices * w) / total)));
  const namespaces: Namespace[] = budgets.map((_, i) => ({
    name: i < SHARED_NAMESPACES.length ? (SHARED_NAMESPACES[i] as string) : `${TEAM_WORDS[i % TEAM_WORDS.length]}-${String(i).padStart(3, '0')}`,
    workloads: [],
    services: [],
  }));

  let hasIngress = false;
  for (const [i, ns] of namespaces.entries()) {
    const budget = budgets[i] as number;
    // Per workload: itself, usually a Service, and now and then an Ingress: about 1.9 vertices.
    const workloadCount = Math.max(1, Math.round(budget / 1.9));
    for (let k = 0; k < workloadCount; k++) {
      const roll = random();
      const kind: VertexKind = roll < 0.8 ? 'Deployment' : roll < 0.92 ? 'StatefulSet' : roll < 0.95 ? 'DaemonSet' : 'CronJob';
      const name = `${SERVICE_WORDS[k % SERVICE_WORDS.length]}-${Math.floor(k / SERVICE_WORDS.length)}`;
      const desired = kind === 'CronJob' ? 1 : 1 + Math.floor(random() * 5);
      const vertex: Vertex = { id: vertexId(kind, ns.name, name), kind, name, namespace: ns.name, ready: random() < 0.93 ? desired : desired - 1, desired };
      vertices.push(vertex);
      const workload: Workload = { vertex };
      if (kind !== 'CronJob' && random() < 0.88) {
        const service: Vertex = { id: vertexId('Service', ns.name, name), kind: 'Service', name, namespace: ns.name };
        vertices.push(service);
        ns.services.push(service);
        workload.service = service;
        addEdge('selects', 'service-selector', service, vertex, `Service ${ns.name}/${name} selects the pods of ${kind} ${ns.name}/${name}`, 'spec.selector');
      }
      ns.workloads.push(workload);
    }
    // A canary: a second workload selected by an existing Service.
    if (ns.workloads.length >= 4 && random() < 0.3) {
      const stable = ns.workloads.find((w) => w.service !== undefined);
      const canary = ns.workloads[ns.workloads.length - 1] as Workload;
      if (stable?.service && canary !== stable) addEdge('selects', 'service-selector', stable.service, canary.vertex, 'canary', 'spec.selector');
    }
    // Ingresses: about one per 20 vertices, in namespaces that have Services.
    const ingressCount = ns.services.length === 0 ? 0 : Math.round((budget / 20) * (0.5 + random()));
    for (let k = 0; k < ingressCount; k++) {
      const name = `web-${k}`;
      const ingress: Vertex = { id: vertexId('Ingress', ns.name, name), kind: 'Ingress', name, namespace: ns.name };
      vertices.push(ingress);
      hasIngress = true;
      const backends = 1 + Math.floor(random() * 3);
      for (let b = 0; b < backends; b++) addEdge('routes', 'ingress-backend', ingress, pick(ns.services), 'routes', `spec.rules[0].http.paths[${b}].backend`);
    }
  }
  const outside: Vertex = { id: OUTSIDE_ID, kind: 'Outside', name: 'outside' };
  if (hasIngress) {
    vertices.push(outside);
    for (const v of vertices) if (v.kind === 'Ingress') addEdge('routes', 'outside-entry', outside, v, 'entry', 'spec.rules');
  }

  // Config edges: 1–7 per workload; 85% to a Service of the same namespace, the rest to another
  // namespace (half of those to the shared ones).
  const withServices = namespaces.filter((ns) => ns.services.length > 0);
  const sharedWithServices = withServices.filter((ns) => SHARED_NAMESPACES.includes(ns.name));
  for (const ns of namespaces) {
    for (const w of ns.workloads) {
      const calls = 1 + Math.floor(random() * 7);
      for (let c = 0; c < calls; c++) {
        const local = random() < 0.85 && ns.services.length > 0;
        const targetNs = local ? ns : random() < 0.5 && sharedWithServices.length > 0 ? pick(sharedWithServices) : pick(withServices);
        if (targetNs === undefined) continue;
        const target = pick(targetNs.services);
        const host = targetNs === ns ? target.name : `${target.name}.${targetNs.name}`;
        addEdge('config', 'env-host', w.vertex, target, `configured to call ${host}`, 'spec.template.spec.containers[].env');
      }
    }
  }

  // NetworkPolicies in about a tenth of the namespaces: a few workloads may reach one or two.
  for (const ns of namespaces) {
    if (ns.workloads.length < 3 || random() >= 0.1) continue;
    const targets = [pick(ns.workloads), pick(ns.workloads)];
    const sources = Array.from({ length: 2 + Math.floor(random() * 4) }, () => pick(ns.workloads));
    for (const t of targets) for (const s of sources) addEdge('policy-allow', 'network-policy-ingress', s.vertex, t.vertex, `allowed by ${ns.name}/allow`, 'spec.ingress[0].from[0]');
  }

  const topology: Topology = { vertices, edges: [...edges.values()], unresolved: [] };
  if (options.traffic) addTraffic(topology, random);
  return sortTopology(topology);
}

/**
 * Observed traffic in the model's terms: a confirmed config edge A → Service S (which selects B)
 * has `observed: true` and traffic, so does S → B, and an observed edge A → B is explained by
 * both; some config edges are quiet (`observed: false`); a few observed edges are unexplained.
 */
function addTraffic(topology: Topology, random: () => number): void {
  topology.trafficAvailable = true;
  const selectsBy = new Map<string, Edge[]>();
  for (const e of topology.edges) if (e.type === 'selects') (selectsBy.get(e.from) ?? selectsBy.set(e.from, []).get(e.from)!).push(e);
  const workloads = topology.vertices.filter((v) => v.ready !== undefined);
  const observed: Edge[] = [];
  for (const e of topology.edges) {
    if (e.type !== 'config' && e.type !== 'routes' && e.type !== 'selects') continue;
    e.observed = false;
  }
  for (const e of topology.edges) {
    if (e.type !== 'config') continue;
    if (random() < 0.3) continue; // quiet
    const traffic = { requestRate: Math.round(random() * 500) / 10, p95Ms: Math.round(5 + random() * 200), meshes: ['istio' as const] };
    e.observed = true;
    e.traffic = traffic;
    for (const sel of selectsBy.get(e.to) ?? []) {
      sel.observed = true;
      sel.traffic = traffic;
      observed.push({ id: `observed:${e.from}->${sel.to}`, from: e.from, to: sel.to, type: 'observed', rule: 'observed', reason: 'observed traffic', field: 'istio_requests_total', traffic, explainedBy: [e.id, sel.id] });
    }
  }
  // A few unexplained flows: nothing declares them.
  for (let i = 0; i < Math.max(1, Math.round(workloads.length / 50)); i++) {
    const from = workloads[Math.floor(random() * workloads.length)] as Vertex;
    const to = workloads[Math.floor(random() * workloads.length)] as Vertex;
    if (from.id === to.id) continue;
    observed.push({ id: `observed:${from.id}->${to.id}`, from: from.id, to: to.id, type: 'observed', rule: 'observed', reason: 'observed traffic', field: 'istio_requests_total', traffic: { requestRate: 1, meshes: ['istio'] }, explainedBy: [] });
  }
  const seen = new Set(topology.edges.map((e) => e.id));
  for (const e of observed) if (!seen.has(e.id)) (seen.add(e.id), topology.edges.push(e));
}

function sortTopology(topology: Topology): Topology {
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  topology.vertices.sort(byId);
  topology.edges.sort(byId);
  return topology;
}

/**
 * The topology with one more Deployment, in the namespace of the `nth` Service (by id), configured
 * to call that Service: the "one workload was added" change of the stability tests and the bench.
 */
export function withAddedWorkload(topology: Topology, nth = 0, name = 'added-workload'): { topology: Topology; added: Vertex } {
  const services = topology.vertices.filter((v) => v.kind === 'Service');
  if (services.length === 0) throw new Error('withAddedWorkload: the topology has no Service');
  const service = services[nth % services.length] as Vertex;
  const ns = service.namespace as string;
  const added: Vertex = { id: vertexId('Deployment', ns, name), kind: 'Deployment', name, namespace: ns, ready: 1, desired: 1 };
  const edge: Edge = { id: `env-host:${added.id}->${service.id}`, from: added.id, to: service.id, type: 'config', rule: 'env-host', reason: `configured to call ${service.name}`, field: 'spec.template.spec.containers[].env' };
  return { topology: sortTopology({ ...topology, vertices: [...topology.vertices, added], edges: [...topology.edges, edge] }), added };
}
