// Occupancy derivations: what the occupancy view draws for each node (pod squares, CPU and memory
// bars) and for the cluster summary strip above it. Pure functions over compact records.
//
// The view recomputes a node whenever one of its pods changes, over up to 5,000 nodes and
// 150,000 pods, so the per-node functions are O(pods on the node) and allocate little beyond
// their result. The cluster summary is built from the same per-node function, so the strip can
// never disagree with the bars.
import type { ClusterState } from './cluster-state.js';
import type { NodeRecord, PodRecord, PodStatus, Resources, UsageRecord } from './records.js';

// ------------------------------------------------------------------------------------------------
// Pod squares

/** What a pod square shows: 7 classes, each with its own colour AND shape in the view. */
export const VISUAL_STATUSES = ['ready', 'notReady', 'pending', 'failing', 'succeeded', 'terminating', 'unknown'] as const;
export type VisualStatus = (typeof VISUAL_STATUSES)[number];

/**
 * The folding of every pod status into a square class. A Record over PodStatus, so a status
 * added to POD_STATUSES fails to compile until it is given a class here.
 */
const VISUAL_BY_STATUS: Readonly<Record<PodStatus, VisualStatus>> = {
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

export function visualStatus(pod: PodRecord): VisualStatus {
  // A pod being deleted is going away whatever its containers are doing (a crash-looping pod
  // that is being deleted is not a problem to look into), and sources do not all fold the
  // deletion timestamp into the status the same way.
  if (pod.deletingAt !== undefined) return 'terminating';
  return VISUAL_BY_STATUS[pod.status];
}

/**
 * Whether a pod still holds its requests on a node as the scheduler counts them: every pod
 * bound to the node until its phase is terminal. Decided on the phase, not the folded status:
 * a pod shown as "Error" may be a finished pod (phase Failed, frees its requests) or a running
 * one whose container just failed (still holds them). Terminating pods still hold theirs until
 * they are gone.
 */
export function holdsResources(pod: PodRecord): boolean {
  return pod.phase !== 'Succeeded' && pod.phase !== 'Failed';
}

/** The pod's measured usage (metrics.k8s.io), when metrics are available for it. */
export function podUsage(state: ClusterState, pod: PodRecord): Resources | undefined {
  return state.get('PodMetrics', pod.uid)?.usage;
}

// ------------------------------------------------------------------------------------------------
// Nodes

export interface NodeOccupancy {
  /** Pods on the node that hold resources (non-terminal). */
  podCount: number;
  /** allocatable.pods. */
  maxPods: number;
  /** Sum of the requests of the pods holding resources. */
  requested: Resources;
  /** capacity − allocatable (system/kube reserved, eviction threshold), never negative. */
  reserved: Resources;
  /** The node's own allocatable (shared with the record, which is immutable). */
  allocatable: Resources;
  /** The node's own capacity (shared with the record, which is immutable). */
  capacity: Resources;
  /** Measured usage, from the node's NodeMetrics when present. */
  used?: Resources;
  /**
   * Fractions of allocatable: 0..∞, above 1 means overcommitted (Infinity when something is
   * requested of a node that reports none allocatable). used* are undefined without metrics.
   */
  cpuRequested: number;
  memoryRequested: number;
  cpuUsed?: number;
  memoryUsed?: number;
}

/**
 * What one node holds. `pods` are the pods bound to the node (ClusterState.podsOnNode), terminal
 * ones included: they are skipped here. `usage` is the node's NodeMetrics record, if any.
 */
export function nodeOccupancy(node: NodeRecord, pods: Iterable<PodRecord>, usage?: UsageRecord): NodeOccupancy {
  const { podCount, requested } = requestsOf(pods);
  const { cpu, memory } = requested;

  const { capacity, allocatable } = node;
  const occupancy: NodeOccupancy = {
    podCount,
    maxPods: allocatable.pods,
    requested: { cpu, memory },
    // A node can report allocatable above capacity (briefly, while its status is rewritten);
    // a negative reservation would draw a bar segment backwards.
    reserved: {
      cpu: Math.max(0, capacity.cpu - allocatable.cpu),
      memory: Math.max(0, capacity.memory - allocatable.memory),
    },
    allocatable,
    capacity,
    cpuRequested: share(cpu, allocatable.cpu),
    memoryRequested: share(memory, allocatable.memory),
  };
  if (usage !== undefined) {
    occupancy.used = usage.usage;
    occupancy.cpuUsed = share(usage.usage.cpu, allocatable.cpu);
    occupancy.memoryUsed = share(usage.usage.memory, allocatable.memory);
  }
  return occupancy;
}

/**
 * amount / total, where a zero total (a node whose allocatable could not be read) gives 0 when
 * nothing is asked of it and Infinity otherwise, rather than NaN: "nothing of nothing" is
 * empty, "something of nothing" is overcommitted.
 */
function share(amount: number, total: number): number {
  if (total > 0) return amount / total;
  return amount > 0 ? Infinity : 0;
}

/**
 * The share of its allocatable a node has requested on the resource that binds it, at most 1.
 * A node is full as soon as one resource runs out: a node at 95% memory and 20% CPU takes no
 * typical pod, and averaging the two (57%) would hide that. Overcommitted counts as full, not
 * as more than full, so one overcommitted node cannot make up for emptier ones in a mean.
 */
export function dominantShare(occupancy: NodeOccupancy): number {
  return Math.min(1, Math.max(occupancy.cpuRequested, occupancy.memoryRequested));
}

/** Role names that mark a control-plane node (`master` is the pre-1.20 name, still seen). */
const CONTROL_PLANE_ROLES = ['control-plane', 'master'];

/**
 * Whether a node counts towards packing efficiency: it takes ordinary new pods (ready, not
 * cordoned, no taint that keeps untolerating pods off) and is not a control-plane node, whose
 * room is kept free on purpose. Dedicated pools tainted NoSchedule (GPU, say) are left out too:
 * only their own workloads can fill them, so their emptiness says nothing about bin packing.
 */
export function countsForPacking(node: NodeRecord): boolean {
  if (!node.ready || node.unschedulable) return false;
  if (node.roles.some((role) => CONTROL_PLANE_ROLES.includes(role))) return false;
  return !node.taints.some((taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute');
}

// ------------------------------------------------------------------------------------------------
// Placeholder nodes

/**
 * A node that pods are bound to (their spec.nodeName) but that the state holds no Node record
 * of: this identity may not see nodes (namespace authorization with `nodes: false`), or the node
 * went away while pods still name it. All that is known comes from the pods themselves: the name
 * and their own requests. Nothing about the node (capacity, readiness, labels) is, so nothing of
 * the kind is claimed.
 */
export interface PlaceholderNode {
  name: string;
  /** Pods bound to the name that hold resources (non-terminal), as NodeOccupancy.podCount. */
  podCount: number;
  /** Sum of those pods' requests: what they ask for, not a share of anything. */
  requested: Resources;
}

/** The requests side of nodeOccupancy, for pods whose node is not known. */
export function placeholderNode(name: string, pods: Iterable<PodRecord>): PlaceholderNode {
  return { name, ...requestsOf(pods) };
}

/** How many of these pods hold resources (terminal ones do not), and the sum of their requests. */
function requestsOf(pods: Iterable<PodRecord>): { podCount: number; requested: Resources } {
  let podCount = 0;
  let cpu = 0;
  let memory = 0;
  for (const pod of pods) {
    if (!holdsResources(pod)) continue;
    podCount++;
    cpu += pod.requests.cpu;
    memory += pod.requests.memory;
  }
  return { podCount, requested: { cpu, memory } };
}

/**
 * The names pods are bound to that no Node record has, in no particular order. O(nodes + pods);
 * with every node known it allocates no more than the set of node names.
 */
export function nodeNamesWithoutRecord(state: ClusterState): Set<string> {
  const known = new Set<string>();
  for (const node of state.records('Node')) known.add(node.name);
  const missing = new Set<string>();
  for (const pod of state.records('Pod')) {
    if (pod.nodeName !== undefined && !known.has(pod.nodeName)) missing.add(pod.nodeName);
  }
  return missing;
}

/** Every placeholder node of the state, by name (natural order is the view's business). */
export function placeholderNodes(state: ClusterState): PlaceholderNode[] {
  return [...nodeNamesWithoutRecord(state)].sort().map((name) => placeholderNode(name, state.podsOnNode(name)));
}

// ------------------------------------------------------------------------------------------------
// Cluster summary

export interface ClusterSummary {
  /**
   * Node records only: `total` never counts placeholders. `placeholders` is the number of node
   * names pods are bound to that have no Node record (hidden from this identity, or gone).
   */
  nodes: { total: number; ready: number; notReady: number; cordoned: number; placeholders: number };
  /** All pods (terminal ones too), by square class; `unscheduled` are the non-terminal pods with no node. */
  pods: { total: number; byStatus: Record<VisualStatus, number>; unscheduled: number };
  /** Millicores over all nodes. Requests are those of the pods bound to a known node. */
  cpu: { allocatable: number; requested: number; used?: number };
  /** Bytes, as cpu. */
  memory: { allocatable: number; requested: number; used?: number };
  /**
   * Packing efficiency 0..1: the mean dominantShare over the nodes that countsForPacking, i.e.
   * how full the usable nodes are on the resource that binds each of them (1.0 = every node is
   * full on its binding resource). A mean over nodes rather than a ratio of cluster totals:
   * totals look half empty when every node is out of a different resource, and no pod fits
   * anywhere. undefined when no node counts.
   */
  packing?: number;
  /**
   * Requests of the non-terminal pods bound to placeholder nodes: not in cpu/memory.requested,
   * which are measured against an allocatable that does not include those nodes.
   */
  placeholderRequested: Resources;
}

/**
 * The summary strip. `occupancyOf` lets a view that keeps per-node occupancies (recomputed
 * incrementally) pass them in instead of having every node recomputed; by default they are
 * computed from the state.
 */
export function clusterSummary(
  state: ClusterState,
  occupancyOf: (node: NodeRecord) => NodeOccupancy = (node) => occupancyInState(state, node),
): ClusterSummary {
  const known = new Set<string>();
  for (const node of state.records('Node')) known.add(node.name);
  const missing = { known, names: new Set<string>() };
  const summary: ClusterSummary = {
    nodes: { total: 0, ready: 0, notReady: 0, cordoned: 0, placeholders: 0 },
    pods: podSummary(state, missing),
    cpu: { allocatable: 0, requested: 0 },
    memory: { allocatable: 0, requested: 0 },
    placeholderRequested: { cpu: 0, memory: 0 },
  };
  const { nodes, cpu, memory } = summary;
  let packingSum = 0;
  let packingNodes = 0;
  for (const name of missing.names) {
    const placeholder = placeholderNode(name, state.podsOnNode(name));
    nodes.placeholders++;
    summary.placeholderRequested.cpu += placeholder.requested.cpu;
    summary.placeholderRequested.memory += placeholder.requested.memory;
  }
  for (const node of state.records('Node')) {
    nodes.total++;
    if (node.ready) nodes.ready++;
    else nodes.notReady++;
    if (node.unschedulable) nodes.cordoned++;

    const occupancy = occupancyOf(node);
    cpu.allocatable += occupancy.allocatable.cpu;
    memory.allocatable += occupancy.allocatable.memory;
    cpu.requested += occupancy.requested.cpu;
    memory.requested += occupancy.requested.memory;
    // Usage totals cover the nodes that have metrics: with none at all there is no usage to
    // show, which is not the same as a usage of zero.
    if (occupancy.used !== undefined) {
      cpu.used = (cpu.used ?? 0) + occupancy.used.cpu;
      memory.used = (memory.used ?? 0) + occupancy.used.memory;
    }
    if (countsForPacking(node)) {
      packingSum += dominantShare(occupancy);
      packingNodes++;
    }
  }
  if (packingNodes > 0) summary.packing = packingSum / packingNodes;
  return summary;
}

/** nodeOccupancy of a node from the pods and metrics the state holds for it. */
export function occupancyInState(state: ClusterState, node: NodeRecord): NodeOccupancy {
  return nodeOccupancy(node, state.podsOnNode(node.name), state.get('NodeMetrics', node.uid));
}

/** The pod counts; node names no Node record has are collected into `missing.names` on the way. */
function podSummary(state: ClusterState, missing: { known: ReadonlySet<string>; names: Set<string> }): ClusterSummary['pods'] {
  const byStatus = Object.fromEntries(VISUAL_STATUSES.map((status) => [status, 0])) as Record<VisualStatus, number>;
  let total = 0;
  let unscheduled = 0;
  for (const pod of state.records('Pod')) {
    total++;
    byStatus[visualStatus(pod)]++;
    // A finished pod that never got a node (rejected, deleted while pending) waits for nothing.
    if (pod.nodeName === undefined) {
      if (holdsResources(pod)) unscheduled++;
    } else if (!missing.known.has(pod.nodeName)) missing.names.add(pod.nodeName);
  }
  return { total, byStatus, unscheduled };
}

// ------------------------------------------------------------------------------------------------
// Formatting for the view

const MILLIS_PER_CORE = 1000;
const BINARY_UNITS = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

/** CPU as Kubernetes writes it: "250m" below a core, then cores ("1.5", "12"). */
export function formatCpu(millicores: number): string {
  const millis = Math.round(millicores);
  if (millis < MILLIS_PER_CORE) return `${millis}m`;
  return compactNumber(millis / MILLIS_PER_CORE);
}

/** Bytes in binary units as Kubernetes writes them ("512Mi", "1.5Gi"), no "B". */
export function formatBytes(bytes: number): string {
  let unit = 0;
  let value = bytes;
  // Step up while the value would print as 1024 or more (1023.6Mi is "1Gi", not "1024Mi").
  while (unit < BINARY_UNITS.length - 1 && Math.round(value) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${compactNumber(value)}${BINARY_UNITS[unit]}`;
}

/** A fraction as a whole percentage ("73%"); shares can exceed 1 and can be Infinity. */
export function formatPercent(fraction: number): string {
  if (fraction === Infinity) return '∞%';
  return `${Math.round(fraction * 100)}%`;
}

/**
 * One decimal below 10, where it carries information ("1.5"), none from 10 up, where it is
 * noise ("12"); a trailing ".0" is dropped ("2", not "2.0").
 */
function compactNumber(value: number): string {
  if (value >= 10) return String(Math.round(value));
  const text = value.toFixed(1);
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}
