// From the derived Topology to what the view draws: namespace and kind filters, focus, query
// dimming, collapsing of namespaces and merging of edges into one per drawn pair.
//
// The order of the steps is part of the meaning:
//   1. namespace and kind filters remove vertices (and their edges); Outside is never removed by
//      them, it is shown when an edge reaches it from a vertex that is shown;
//   2. focus keeps only the focused vertex and its `hops`-neighbourhood over the remaining edges
//      (a focused vertex that is filtered out or does not exist shows nothing);
//   3. the query dims what it does not match (dimming never removes);
//   4. above the collapse threshold every namespace that is not expanded becomes one vertex
//      (never while focused: a neighbourhood is small by construction);
//   5. all model edges between the same two drawn vertices (in one direction) merge into one.
//
// Everything comes out sorted by id, so the layout sees the same model order for the same input.
import { matches, isEmptyQuery, type Query, type QuerySubject } from '../../../model/query.js';
import { OUTSIDE_ID, type Edge, type EdgeType, type Topology, type TrafficStats, type Vertex, type VertexKind } from '../../../model/topology.js';
import { COLLAPSE_THRESHOLD, type ShapedEdge, type ShapedGraph, type ShapedGroup, type ShapedVertex, type TopologyFilter } from './contracts.js';

/** Size of a vertex box (workloads, services, routes, Outside). The renderer draws to these. */
export const VERTEX_WIDTH = 176;
export const VERTEX_HEIGHT = 40;
/** Size of a collapsed namespace: room for its name and a line of counts. */
export const NAMESPACE_VERTEX_WIDTH = 240;
export const NAMESPACE_VERTEX_HEIGHT = 72;

/** The group of vertices without a namespace: Outside (and any cluster-scoped vertex). */
export const CLUSTER_GROUP = '';
export const CLUSTER_GROUP_LABEL = 'cluster';

export function groupOf(vertex: Vertex): string {
  return vertex.namespace ?? CLUSTER_GROUP;
}

const NAMESPACE_VERTEX_PREFIX = 'Namespace/';

function namespaceVertexId(namespace: string): string {
  return `${NAMESPACE_VERTEX_PREFIX}${namespace}`;
}

/** The namespace a collapsed namespace's vertex stands for; undefined for any other vertex id. */
export function collapsedNamespaceOf(id: string): string | undefined {
  return id.startsWith(NAMESPACE_VERTEX_PREFIX) ? id.slice(NAMESPACE_VERTEX_PREFIX.length) : undefined;
}

/** Drawn pair id: one ShapedEdge per direction between two drawn vertices. */
function shapedEdgeId(from: string, to: string): string {
  return `${from}->${to}`;
}

/**
 * Declared types in a fixed order, so `types` of equal sets compare equal; also the precedence of
 * the type an edge with several is coloured by (topology-palette.ts).
 */
export const DECLARED_TYPE_ORDER: readonly EdgeType[] = ['routes', 'selects', 'config', 'policy-allow'];
/** Declared types whose edge implies traffic: a quiet one of these is worth a look. */
const TRAFFIC_IMPLYING_TYPES: ReadonlySet<EdgeType> = new Set(['config', 'routes']);

export interface ShapeOptions {
  /** Above this many visible vertices, namespaces collapse. Default COLLAPSE_THRESHOLD. */
  collapseThreshold?: number;
}

export function shapeGraph(topology: Topology, filter: TopologyFilter, query: Query | undefined, options: ShapeOptions = {}): ShapedGraph {
  const byId = new Map<string, Vertex>();
  for (const v of topology.vertices) byId.set(v.id, v);

  const candidates = filterVertices(filter, byId);
  // Edges that survive the filters, without self-loops (a vertex talking to itself is no edge of
  // the map; after collapsing they would be edges inside a namespace, which vanish anyway).
  const candidateEdges = topology.edges.filter((e) => e.from !== e.to && candidates.has(e.from) && candidates.has(e.to));

  const focused = filter.focus !== null;
  const visible = focused ? neighbourhood(filter.focus as string, Math.max(0, Math.floor(filter.hops)), candidates, candidateEdges) : withReachedOutside(candidates, candidateEdges);

  const dimmed = dimByQuery(visible, byId, query);

  const threshold = options.collapseThreshold ?? COLLAPSE_THRESHOLD;
  const expanded = new Set(filter.expanded);
  const collapsed = new Set<string>();
  if (!focused && visible.size > threshold) {
    for (const id of visible) {
      const group = groupOf(byId.get(id) as Vertex);
      // The cluster group holds Outside, the entry of all external traffic: it stays as it is.
      if (group !== CLUSTER_GROUP && !expanded.has(group)) collapsed.add(group);
    }
  }

  // Drawn vertex of each model vertex that is drawn as something else (a collapsed namespace).
  const drawnOf = new Map<string, string>();
  if (collapsed.size > 0) {
    for (const id of visible) {
      const group = groupOf(byId.get(id) as Vertex);
      if (collapsed.has(group)) drawnOf.set(id, namespaceVertexId(group));
    }
  }
  const vertices = shapeVertices(visible, byId, dimmed, collapsed, new Set(topology.defaultDeny ?? []));
  const dimDrawn = new Map(vertices.map((v) => [v.id, v.dim]));
  const edges = mergeEdges(candidateEdges, visible, drawnOf, dimDrawn, topology.trafficAvailable === true);
  const groups = shapeGroups(topology.vertices, vertices, collapsed);
  return { groups, vertices, edges };
}

// --- filters and focus ---------------------------------------------------------------------------

/** Vertex ids that pass the namespace and kind filters (Outside always passes). */
function filterVertices(filter: TopologyFilter, byId: ReadonlyMap<string, Vertex>): Set<string> {
  const namespaces = new Set(filter.namespaces);
  const kinds = new Set<VertexKind>(filter.kinds);
  const passes = new Set<string>();
  for (const v of byId.values()) {
    if (v.kind === 'Outside') passes.add(v.id);
    else if ((namespaces.size === 0 || namespaces.has(groupOf(v))) && (kinds.size === 0 || kinds.has(v.kind))) passes.add(v.id);
  }
  return passes;
}

/** Without focus: everything that passed, but Outside only when an edge links it to a shown vertex. */
function withReachedOutside(candidates: ReadonlySet<string>, edges: readonly Edge[]): Set<string> {
  const visible = new Set(candidates);
  if (!visible.has(OUTSIDE_ID)) return visible;
  visible.delete(OUTSIDE_ID);
  for (const e of edges) {
    if (e.from === OUTSIDE_ID || e.to === OUTSIDE_ID) {
      visible.add(OUTSIDE_ID);
      break;
    }
  }
  return visible;
}

/**
 * The focused vertex and everything within `hops` edges of it (either direction), over the
 * filtered graph. Outside is a dead end for the walk: it links every Ingress and Gateway, so
 * walking through it would pull every entry point of the cluster into any neighbourhood.
 */
function neighbourhood(focus: string, hops: number, candidates: ReadonlySet<string>, edges: readonly Edge[]): Set<string> {
  const reached = new Set<string>();
  if (!candidates.has(focus)) return reached;
  const adjacent = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = adjacent.get(a);
    if (list) list.push(b);
    else adjacent.set(a, [b]);
  };
  for (const e of edges) {
    link(e.from, e.to);
    link(e.to, e.from);
  }
  reached.add(focus);
  let frontier = [focus];
  for (let hop = 0; hop < hops && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const id of frontier) {
      if (id === OUTSIDE_ID && id !== focus) continue;
      for (const other of adjacent.get(id) ?? []) {
        if (!reached.has(other)) {
          reached.add(other);
          next.push(other);
        }
      }
    }
    frontier = next;
  }
  return reached;
}

/** Ids of the visible vertices the query does not match. */
function dimByQuery(visible: ReadonlySet<string>, byId: ReadonlyMap<string, Vertex>, query: Query | undefined): Set<string> {
  const dim = new Set<string>();
  if (query === undefined || isEmptyQuery(query)) return dim;
  // One subject object reused: `matches` runs per vertex on every keystroke.
  const owner = { kind: '', name: '' };
  const subject: QuerySubject = { name: '', owner };
  for (const id of visible) {
    const v = byId.get(id) as Vertex;
    subject.name = v.name;
    subject.namespace = v.namespace;
    owner.kind = v.kind;
    owner.name = v.name;
    if (!matches(query, subject)) dim.add(id);
  }
  return dim;
}

// --- vertices and groups -------------------------------------------------------------------------

const compareIds = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function shapeVertices(
  visible: ReadonlySet<string>,
  byId: ReadonlyMap<string, Vertex>,
  dimmed: ReadonlySet<string>,
  collapsed: ReadonlySet<string>,
  defaultDeny: ReadonlySet<string>,
): ShapedVertex[] {
  const out: ShapedVertex[] = [];
  const namespaces = new Map<string, ShapedVertex>();
  for (const id of visible) {
    const v = byId.get(id) as Vertex;
    const group = groupOf(v);
    if (collapsed.has(group)) {
      const existing = namespaces.get(group);
      if (existing) {
        existing.count = (existing.count ?? 0) + 1;
        // A namespace is dim only when nothing in it matches.
        existing.dim &&= dimmed.has(id);
      } else {
        const ns: ShapedVertex = { id: namespaceVertexId(group), kind: 'Namespace', name: group, group, count: 1, dim: dimmed.has(id), width: NAMESPACE_VERTEX_WIDTH, height: NAMESPACE_VERTEX_HEIGHT };
        namespaces.set(group, ns);
        out.push(ns);
      }
      continue;
    }
    const shaped: ShapedVertex = { id: v.id, kind: v.kind, name: v.name, group, dim: dimmed.has(id), width: VERTEX_WIDTH, height: VERTEX_HEIGHT };
    if (v.ready !== undefined) shaped.ready = v.ready;
    if (v.desired !== undefined) shaped.desired = v.desired;
    if (defaultDeny.has(v.id)) shaped.defaultDeny = true;
    out.push(shaped);
  }
  return out.sort(compareIds);
}

/** One group per namespace that has something drawn; counts are over all its vertices (before filters). */
function shapeGroups(all: readonly Vertex[], drawn: readonly ShapedVertex[], collapsed: ReadonlySet<string>): ShapedGroup[] {
  const shown = new Set(drawn.map((v) => v.group));
  const counts = new Map<string, Partial<Record<VertexKind, number>>>();
  for (const v of all) {
    const group = groupOf(v);
    if (!shown.has(group)) continue;
    const c = counts.get(group) ?? counts.set(group, {}).get(group)!;
    c[v.kind] = (c[v.kind] ?? 0) + 1;
  }
  return [...shown]
    .sort()
    .map((id) => ({ id, label: id === CLUSTER_GROUP ? CLUSTER_GROUP_LABEL : id, collapsed: collapsed.has(id), counts: counts.get(id) ?? {} }));
}

// --- edges ---------------------------------------------------------------------------------------

// Counters per drawn pair, in one typed array (pair index × PAIR_FIELDS): merging runs over every
// edge on each filter change, and one small object per pair was most of its garbage.
const PAIR_FIELDS = 8;
/** Bit i set: a declared edge of DECLARED_TYPE_ORDER[i] lies on the pair. */
const F_TYPES = 0;
const F_DECLARED = 1;
const F_OBSERVED = 2;
/** Declared edges that traffic confirms (`observed: true`). */
const F_CONFIRMED = 3;
/** Observed edges no declaration explains. */
const F_UNEXPLAINED = 4;
/** Config and routes edges, and how many of them are known to carry no traffic. */
const F_IMPLYING = 5;
const F_IMPLYING_QUIET = 6;
const F_DENIED = 7;

const TYPE_BIT: Readonly<Record<string, number>> = Object.fromEntries(DECLARED_TYPE_ORDER.map((t, i) => [t, 1 << i]));

/**
 * One ShapedEdge per drawn pair (direction kept). How evidence, traffic and marks combine:
 *
 * - evidence: a pair with declared edges is 'both' when traffic confirms one of them (the model
 *   sets `observed: true` on it) or an observed edge lies on the same pair, else 'declared'. An
 *   observed edge is drawn on its own pair (workload → workload), also when declarations explain
 *   it (the declared path runs through a Service, so it is another pair): such a pair is 'both'
 *   with no declared `types`; it is 'observed' only when something on it is unexplained.
 * - traffic: the model puts the confirming traffic on declared edges too, so an observed edge and
 *   the declared edges it explains carry the same flow. A pair with observed edges sums only those;
 *   a pair without sums its declared edges. Rates and counts add up; p95 is the maximum.
 * - quiet: declared only, the cluster has a traffic source, and every merged config or routes
 *   edge is known not to carry traffic (`observed === false`).
 * - denied: any merged edge implies a connection a NetworkPolicy blocks.
 */
function mergeEdges(
  edges: readonly Edge[],
  visible: ReadonlySet<string>,
  drawnOf: ReadonlyMap<string, string>,
  dimDrawn: ReadonlyMap<string, boolean>,
  trafficAvailable: boolean,
): ShapedEdge[] {
  // Two map levels rather than a joined string per edge: the id string is built once per pair.
  const byFrom = new Map<string, Map<string, number>>();
  const pairs: ShapedEdge[] = [];
  const counts = new Int32Array(edges.length * PAIR_FIELDS);
  const observedTraffic: (ShapedTraffic | undefined)[] = [];
  const declaredTraffic: (ShapedTraffic | undefined)[] = [];
  for (const e of edges) {
    if (!visible.has(e.from) || !visible.has(e.to)) continue;
    const from = drawnOf.get(e.from) ?? e.from;
    const to = drawnOf.get(e.to) ?? e.to;
    if (from === to) continue; // inside a collapsed namespace
    let targets = byFrom.get(from);
    if (targets === undefined) byFrom.set(from, (targets = new Map()));
    let index = targets.get(to);
    if (index === undefined) {
      index = pairs.length;
      targets.set(to, index);
      pairs.push({ id: shapedEdgeId(from, to), from, to, types: [], edges: [], evidence: 'declared', dim: false });
      observedTraffic.push(undefined);
      declaredTraffic.push(undefined);
    }
    (pairs[index] as ShapedEdge).edges.push(e.id);
    const at = index * PAIR_FIELDS;
    if (e.deniedBy !== undefined) counts[at + F_DENIED] = 1;
    if (e.type === 'observed') {
      counts[at + F_OBSERVED]!++;
      if ((e.explainedBy?.length ?? 0) === 0) counts[at + F_UNEXPLAINED]!++;
      if (e.traffic !== undefined) observedTraffic[index] = addTraffic(observedTraffic[index], e.traffic);
      continue;
    }
    counts[at + F_DECLARED]!++;
    counts[at + F_TYPES]! |= TYPE_BIT[e.type] ?? 0;
    if (e.observed === true) counts[at + F_CONFIRMED]!++;
    if (TRAFFIC_IMPLYING_TYPES.has(e.type)) {
      counts[at + F_IMPLYING]!++;
      if (e.observed === false) counts[at + F_IMPLYING_QUIET]!++;
    }
    if (e.traffic !== undefined) declaredTraffic[index] = addTraffic(declaredTraffic[index], e.traffic);
  }

  for (let index = 0; index < pairs.length; index++) {
    const shaped = pairs[index] as ShapedEdge;
    const at = index * PAIR_FIELDS;
    const typeBits = counts[at + F_TYPES] as number;
    for (let i = 0; i < DECLARED_TYPE_ORDER.length; i++) if (typeBits & (1 << i)) shaped.types.push(DECLARED_TYPE_ORDER[i] as EdgeType);
    const declared = counts[at + F_DECLARED] as number;
    const observed = counts[at + F_OBSERVED] as number;
    shaped.evidence = declared > 0 ? (observed > 0 || counts[at + F_CONFIRMED]! > 0 ? 'both' : 'declared') : counts[at + F_UNEXPLAINED]! > 0 ? 'observed' : 'both';
    if (shaped.edges.length > 1) shaped.edges.sort();
    shaped.dim = (dimDrawn.get(shaped.from) ?? false) && (dimDrawn.get(shaped.to) ?? false);
    const traffic = observed > 0 ? observedTraffic[index] : declaredTraffic[index];
    if (traffic !== undefined) shaped.traffic = traffic;
    const implying = counts[at + F_IMPLYING] as number;
    if (shaped.evidence === 'declared' && trafficAvailable && implying > 0 && counts[at + F_IMPLYING_QUIET] === implying) shaped.quiet = true;
    if (counts[at + F_DENIED] === 1) shaped.denied = true;
  }
  return pairs.sort(compareIds);
}

type ShapedTraffic = NonNullable<ShapedEdge['traffic']>;

/** Adds one edge's traffic into a sum (made on first use): rates and counts add, p95 is the maximum. */
function addTraffic(sum: ShapedTraffic | undefined, t: TrafficStats): ShapedTraffic {
  const into = sum ?? {};
  if (t.requestRate !== undefined) into.requestRate = (into.requestRate ?? 0) + t.requestRate;
  if (t.errorRate !== undefined) into.errorRate = (into.errorRate ?? 0) + t.errorRate;
  if (t.tcpBytesRate !== undefined) into.tcpBytesRate = (into.tcpBytesRate ?? 0) + t.tcpBytesRate;
  if (t.tcpConnections !== undefined) into.tcpConnections = (into.tcpConnections ?? 0) + t.tcpConnections;
  if (t.p95Ms !== undefined) into.p95Ms = Math.max(into.p95Ms ?? 0, t.p95Ms);
  return into;
}
