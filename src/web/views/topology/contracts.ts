// The data that flows through the topology view, stage by stage:
//
//   Topology (src/model/topology.ts, derived from one cluster's state)
//     --shapeGraph (shape.ts: filters, focus, collapse)-->  ShapedGraph
//     --layout worker (layout.ts in layout-worker.ts)-->     GraphLayout
//     --TopologyView (draws with PixiJS)-->                  pixels, TopologyScene (test hook)
//
// Plain JSON data only: ShapedGraph and GraphLayout cross the Web Worker boundary.
import type { EdgeType, VertexKind } from '../../../model/topology.js';

/** What the user chose to see. Part of the URL state. */
export interface TopologyFilter {
  /** Namespaces to show; empty = all. */
  namespaces: string[];
  /** Vertex kinds to show; empty = all. (Outside is shown whenever an edge reaches it.) */
  kinds: VertexKind[];
  /** Vertex id to focus on, with its `hops`-neighbourhood (edges in both directions); null = no focus. */
  focus: string | null;
  hops: number;
  /** Namespaces the user expanded although the graph is above the collapse threshold. */
  expanded: string[];
}

export const DEFAULT_TOPOLOGY_FILTER: TopologyFilter = Object.freeze({ namespaces: [], kinds: [], focus: null, hops: 1, expanded: [] }) as TopologyFilter;

/** Above this many visible vertices, namespaces collapse into one vertex each (unless expanded). */
export const COLLAPSE_THRESHOLD = 2500;

/** A group box: one namespace (or '' for cluster-scoped vertices and Outside). */
export interface ShapedGroup {
  id: string;
  label: string;
  /** Drawn as one vertex with counts instead of its members. */
  collapsed: boolean;
  /** Vertices the namespace holds (before filters), by kind. */
  counts: Partial<Record<VertexKind, number>>;
}

export interface ShapedVertex {
  /** The model's vertex id, or `Namespace/<name>` for a collapsed namespace. */
  id: string;
  kind: VertexKind | 'Namespace';
  name: string;
  /** The group it is drawn in. */
  group: string;
  ready?: number;
  desired?: number;
  /** Collapsed namespace: how many vertices it stands for. */
  count?: number;
  /** Dimmed by the query (the query dims; namespace and kind filters remove). */
  dim: boolean;
  /** Under a default-deny ingress policy. */
  defaultDeny?: boolean;
  width: number;
  height: number;
}

/** An edge as drawn: one model edge, or several merged (between collapsed namespaces, or declared + observed on one pair). */
export interface ShapedEdge {
  /** Stable: `${from}->${to}` of the drawn endpoints; one ShapedEdge per direction and pair, whatever the types. */
  id: string;
  from: string;
  to: string;
  /** Declared types on this pair (empty when only observed). */
  types: EdgeType[];
  /** Model edge ids merged into this one (for the details panel). */
  edges: string[];
  /** Observed traffic on this pair (summed over merged edges), when Prometheus has it. */
  traffic?: { requestRate?: number; errorRate?: number; p95Ms?: number; tcpBytesRate?: number; tcpConnections?: number };
  /**
   * 'declared' only; 'observed' only (something on the pair no declaration explains); or 'both':
   * declared and confirmed by traffic, or observed and explained by declared edges elsewhere
   * (an observed workload → workload edge is drawn on its own pair, its declared path runs through a
   * Service; then `types` is empty). See shape.ts, mergeEdges.
   */
  evidence: 'declared' | 'observed' | 'both';
  /** A declared edge with no observed traffic while Prometheus reports traffic for the cluster. */
  quiet?: boolean;
  /** The connection a declared edge implies is denied by NetworkPolicy. */
  denied?: boolean;
  dim: boolean;
}

export interface ShapedGraph {
  groups: ShapedGroup[];
  vertices: ShapedVertex[];
  edges: ShapedEdge[];
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  groups: Record<string, Box>;
  vertices: Record<string, Box>;
  /** Edge polylines in world coordinates: x0, y0, x1, y1, … (at least two points). */
  edges: Record<string, number[]>;
  /** Time the worker spent, for the bench and the status line. */
  ms: number;
}

// --- the layout worker's messages (layout-worker.ts ⇄ layout-client.ts) --------------------------

/** Main thread → worker: lay out this graph. `id` increases per request. */
export interface LayoutRequest {
  id: number;
  graph: ShapedGraph;
}

/** Worker → main thread: the layout of request `id`, or why there is none. */
export type LayoutResponse = { id: number; layout: GraphLayout } | { id: number; error: string };
