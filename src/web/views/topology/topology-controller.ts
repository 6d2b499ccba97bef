// Keeps the topology view in step with the live store and the view state: derives the topology of
// the cluster shown (spaced out while data streams in), shapes it with the filters, and hands the
// shaped graph to the view (which lays it out in a worker and draws it).
//
// Derivation is paid only while the topology view is visible: in the occupancy view a change just
// marks the topology stale.
import type { ClusterState } from '../../../model/cluster-state.js';
import type { Query } from '../../../model/query.js';
import { deriveTopology, type Edge, type Topology, type Unresolved, type Vertex } from '../../../model/topology.js';
import type { ViewState } from '../../url-state.js';
import type { ShapedGraph, TopologyFilter } from './contracts.js';
import { shapeGraph } from './shape.js';

/** Re-derivations are at least this far apart, and at least 10× as long as one takes. */
const DERIVE_INTERVAL_MS = 1000;
const DERIVE_COST_FACTOR = 10;

export interface VertexDetails {
  cluster: ClusterState;
  vertex: Vertex;
  incoming: readonly Edge[];
  outgoing: readonly Edge[];
  unresolved: readonly Unresolved[];
  vertices: ReadonlyMap<string, Vertex>;
}

/** A vertex's edges and unresolved names, each in model order. */
interface VertexLinks {
  incoming: Edge[];
  outgoing: Edge[];
  unresolved: Unresolved[];
}

const NO_LINKS: VertexLinks = { incoming: [], outgoing: [], unresolved: [] };

export interface TopologyTarget {
  setGraph(graph: ShapedGraph): void;
}

export class TopologyController {
  private active = false;
  private clusterId: string | undefined;
  private viewState: ViewState | undefined;
  private topology: Topology | undefined;
  private verticesById = new Map<string, Vertex>();
  /** Model edge id → its position in `topology.edges` (lookups keep model order). */
  private edgeIndex = new Map<string, number>();
  /** Vertex id → its edges in both directions and its unresolved names, for details and the tooltip. */
  private linksById = new Map<string, VertexLinks>();
  private filter: TopologyFilter | undefined;
  private query: Query | undefined;
  private stale = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDeriveAt = -Infinity;
  /** Cost of the last derivation, for spacing them and for the bench. */
  deriveMs = 0;
  shapeMs = 0;

  constructor(
    private readonly view: TopologyTarget,
    private readonly clusters: () => ReadonlyMap<string, ClusterState>,
    /** Called after each derivation (the app refreshes its panels). */
    private readonly onDerived: () => void,
  ) {}

  /** The cluster shown: the selection's, else the first cluster chosen, else the first known. */
  static clusterFor(state: ViewState, clusters: ReadonlyMap<string, ClusterState>): string | undefined {
    if (state.selection !== null && clusters.has(state.selection.cluster)) return state.selection.cluster;
    for (const id of state.clusters) if (clusters.has(id)) return id;
    return clusters.keys().next().value;
  }

  setActive(active: boolean): void {
    this.active = active;
    if (active && this.stale) this.schedule(true);
  }

  /** Applies the view state and the compiled query (undefined: no query). */
  setState(state: ViewState, query: Query | undefined): void {
    this.viewState = state;
    const clusterId = TopologyController.clusterFor(state, this.clusters());
    const filter: TopologyFilter = { namespaces: state.namespaces, kinds: state.kinds, focus: state.focus, hops: state.hops, expanded: state.expanded };
    const clusterChanged = clusterId !== this.clusterId;
    const filterChanged = query !== this.query || !sameFilter(filter, this.filter);
    this.clusterId = clusterId;
    this.filter = filter;
    this.query = query;
    if (clusterChanged) {
      this.stale = true;
      if (this.active) this.schedule(true);
    } else if (filterChanged && this.active) this.reshape();
  }

  /** Hands the current graph to the view again (a view created after the graph was shaped). */
  refresh(): void {
    if (this.active) this.reshape();
  }

  /** Data changed (any store event). */
  onDataChanged(reset: boolean): void {
    this.stale = true;
    if (this.active) this.schedule(reset);
  }

  get current(): Topology | undefined {
    return this.topology;
  }

  get clusterShown(): ClusterState | undefined {
    return this.clusterId === undefined ? undefined : this.clusters().get(this.clusterId);
  }

  /** True while a derivation is due (the test hook's "idle" waits for it). */
  get busy(): boolean {
    return this.active && (this.stale || this.timer !== undefined);
  }

  /**
   * A vertex with its edges in both directions, for the details panel. `current`: derive first
   * if the data changed since (the occupancy view shows a selected vertex's details too, while
   * the topology is not kept up to date).
   */
  details(vertexId: string, current = false): VertexDetails | undefined {
    if (current && this.stale && !this.active) this.derive();
    const cluster = this.clusterShown;
    const vertex = this.verticesById.get(vertexId);
    if (cluster === undefined || vertex === undefined || this.topology === undefined) return undefined;
    const links = this.linksById.get(vertexId) ?? NO_LINKS;
    return { cluster, vertex, incoming: links.incoming, outgoing: links.outgoing, unresolved: links.unresolved, vertices: this.verticesById };
  }

  /** The model edges of the current topology with these ids, in model order (ids not in it are left out). */
  modelEdges(ids: readonly string[]): Edge[] {
    const topology = this.topology;
    if (topology === undefined) return [];
    const positions = new Set<number>();
    for (const id of ids) {
      const i = this.edgeIndex.get(id);
      if (i !== undefined) positions.add(i);
    }
    return [...positions].sort((a, b) => a - b).map((i) => topology.edges[i]!);
  }

  /** Namespaces that hold vertices, for the namespace filter. */
  namespaces(): string[] {
    const names = new Set<string>();
    for (const v of this.topology?.vertices ?? []) if (v.namespace !== undefined) names.add(v.namespace);
    return [...names].sort();
  }

  private schedule(now: boolean): void {
    if (this.timer !== undefined) {
      if (!now) return;
      clearTimeout(this.timer);
    }
    const wait = now ? 0 : Math.max(0, this.lastDeriveAt + Math.max(DERIVE_INTERVAL_MS, this.deriveMs * DERIVE_COST_FACTOR) - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.active) this.derive();
    }, wait);
  }

  private derive(): void {
    // The cluster may have appeared since the view state was applied (the first snapshot).
    if (this.viewState !== undefined) this.clusterId = TopologyController.clusterFor(this.viewState, this.clusters());
    const cluster = this.clusterShown;
    const started = performance.now();
    this.topology = cluster === undefined ? { vertices: [], edges: [], unresolved: [] } : deriveTopology(cluster);
    this.verticesById = new Map(this.topology.vertices.map((v) => [v.id, v]));
    this.indexLinks(this.topology);
    this.deriveMs = performance.now() - started;
    this.lastDeriveAt = performance.now();
    this.stale = false;
    this.reshape();
    this.onDerived();
  }

  /** Indexes edges and unresolved names by id and by vertex, keeping model order. */
  private indexLinks(topology: Topology): void {
    const edgeIndex = new Map<string, number>();
    const links = new Map<string, VertexLinks>();
    const linksOf = (id: string): VertexLinks => {
      let l = links.get(id);
      if (l === undefined) links.set(id, (l = { incoming: [], outgoing: [], unresolved: [] }));
      return l;
    };
    topology.edges.forEach((e, i) => {
      if (!edgeIndex.has(e.id)) edgeIndex.set(e.id, i);
      linksOf(e.to).incoming.push(e);
      linksOf(e.from).outgoing.push(e);
    });
    for (const u of topology.unresolved) linksOf(u.from).unresolved.push(u);
    this.edgeIndex = edgeIndex;
    this.linksById = links;
  }

  private reshape(): void {
    if (this.topology === undefined || this.filter === undefined) return;
    const started = performance.now();
    const graph = shapeGraph(this.topology, this.filter, this.query);
    this.shapeMs = performance.now() - started;
    this.view.setGraph(graph);
  }
}

function sameFilter(a: TopologyFilter, b: TopologyFilter | undefined): boolean {
  if (b === undefined) return false;
  const sameList = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.focus === b.focus && a.hops === b.hops && sameList(a.namespaces, b.namespaces) && sameList(a.kinds, b.kinds) && sameList(a.expanded, b.expanded);
}
