// Where every cluster, node group, node and pod goes. Pure: the same clusters and options give
// the same layout, and the view redraws from it.
//
// A full layout is O(pods) and runs when the shape of the picture changes (nodes come or go,
// grouping or sorting changes, a node outgrows its box). Between full layouts the view refills
// single nodes with `fillCells`, which keeps every box where it is: nodes do not jump around
// while someone is looking at them.
import type { ClusterState } from '../../../model/cluster-state.js';
import type { NodeRecord, PodRecord } from '../../../model/records.js';
import { type NodeOccupancy, type PlaceholderNode, type VisualStatus, nodeOccupancy, placeholderNode, podUsage, visualStatus } from '../../../model/occupancy.js';
import type { NodeSort, PodSort } from '../../url-state.js';
import * as g from './geometry.js';

export interface LayoutOptions {
  /** Node label to group by; '' for one group per cluster. */
  groupBy: string;
  sortNodes: NodeSort;
  sortPods: PodSort;
  /** Pods for which this says false are left out (the filter in "hide" mode). */
  shows?: (pod: PodRecord) => boolean;
  /**
   * The server said this identity may not see nodes (GET /api/v1/me): boxes for nodes without a
   * record are marked "details hidden" rather than "no Node record".
   */
  nodesHidden?: boolean;
}

/** A box of pod squares: a node, or the pods the scheduler could not place for one reason. */
export interface PodBox extends g.Rect {
  kind: 'node' | 'unscheduled';
  cluster: string;
  /** Unique in the layout: `cluster/node name` or `cluster/unscheduled/<reason>`. */
  key: string;
  /** The node's name, or the scheduler's reason for unscheduled pods. */
  name: string;
  /** Absent for unscheduled pods, and for a node pods name that this client cannot see. */
  node: NodeRecord | undefined;
  occupancy: NodeOccupancy | undefined;
  /**
   * A node box without a Node record (pods name the node, but it is hidden from this identity
   * or gone): what the pods say of it, never the node's capacity. undefined otherwise.
   */
  placeholder: PlaceholderNode | undefined;
  /** A placeholder whose node the server does not let this identity see (see LayoutOptions.nodesHidden). */
  detailsHidden: boolean;
  columns: number;
  rows: number;
  /** First cell of this box in the pod texture; the box owns `columns * rows` cells from there. */
  firstCell: number;
  /** The pod in each cell, row by row from the top left; undefined for an empty cell. */
  cells: (PodRecord | undefined)[];
  /** Pods placed (cells that are not empty). */
  podCount: number;
}

export interface GroupBox extends g.Rect {
  cluster: string;
  /**
   * The label value shared by the group's nodes, or '' when not grouped; '(none)' for nodes
   * without the label; '(unknown)' for placeholders, whose labels are not known.
   */
  value: string;
  nodes: PodBox[];
}

export interface ClusterBox extends g.Rect {
  id: string;
  name: string;
  groups: GroupBox[];
  unscheduled: PodBox[];
  /** Placeholder node boxes (pods name the node, no Node record): never counted as nodes. */
  placeholders: number;
  /** Whether the placeholders are nodes hidden from this identity (LayoutOptions.nodesHidden). */
  nodesHidden: boolean;
}

export interface OccupancyLayout {
  clusters: ClusterBox[];
  /** Every pod box (nodes and unscheduled), in drawing order. */
  boxes: PodBox[];
  boxByKey: Map<string, PodBox>;
  /** Total texture cells used. */
  cellCount: number;
  width: number;
  height: number;
}

/** At most this many distinct scheduler reasons get their own box; the rest share one. */
const MAX_UNSCHEDULED_REASONS = 6;
export const OTHER_REASONS = 'other reasons';
/** Room to grow in unscheduled boxes before a full layout is needed (pending pods come and go fast). */
const UNSCHEDULED_SLACK = 1.5;
/** Room to grow in node boxes: relative to the fullest node of the group, plus a few pods. */
export const NODE_SLACK = 1.1;
export const NODE_SLACK_PODS = 3;

export function layoutClusters(clusters: ClusterState[], options: LayoutOptions): OccupancyLayout {
  const layout: OccupancyLayout = { clusters: [], boxes: [], boxByKey: new Map(), cellCount: 0, width: 0, height: 0 };
  let y = 0;
  for (const state of clusters) {
    const box = layoutCluster(state, options, layout, y);
    layout.clusters.push(box);
    layout.width = Math.max(layout.width, box.w);
    y += box.h + g.CLUSTER_GAP;
  }
  layout.height = Math.max(0, y - g.CLUSTER_GAP);
  return layout;
}

export function boxKey(cluster: string, nodeName: string): string {
  return `${cluster}/${nodeName}`;
}

/**
 * A placeholder has no uid; a selection of it (and the URL) names it by this instead. A node uid
 * (a UUID) never starts with it.
 */
const PLACEHOLDER_UID = 'node-name:';

export function placeholderSelectionUid(nodeName: string): string {
  return `${PLACEHOLDER_UID}${nodeName}`;
}

/** The node name of a placeholder selection uid; undefined for any other uid. */
export function placeholderName(uid: string): string | undefined {
  return uid.startsWith(PLACEHOLDER_UID) ? uid.slice(PLACEHOLDER_UID.length) : undefined;
}

/** What a selection of this node box says: the node's uid, or the placeholder's name-based id. */
export function nodeSelectionUid(box: PodBox): string | undefined {
  if (box.kind !== 'node') return undefined;
  return box.node?.uid ?? placeholderSelectionUid(box.name);
}

export function unscheduledKey(cluster: string, reason: string): string {
  return `${cluster}/unscheduled/${reason}`;
}

function layoutCluster(state: ClusterState, options: LayoutOptions, layout: OccupancyLayout, top: number): ClusterBox {
  const { podsByNode, unscheduled } = podsByPlacement(state, options);
  const groups = groupNodes(state, podsByNode, options);

  // Size each group's node boxes from its fullest node, then pick one row width for the
  // cluster so that its node area is about CLUSTER_ASPECT wide.
  let area = 0;
  const sized = groups.map(({ value, members }) => {
    const maxPods = Math.max(1, ...members.map((m) => (options.shows === undefined ? m.pods.length : countShown(m.pods, options.shows))));
    const columns = g.podColumns(maxPods);
    // Room above the fullest node, so that a few more pods (a rollout's surge) refill a node in
    // place instead of asking for a full layout (a few hundred milliseconds at 150,000 pods).
    const rows = Math.max(1, Math.ceil((maxPods * NODE_SLACK + NODE_SLACK_PODS) / columns));
    const w = g.nodeWidth(columns);
    const h = g.nodeHeight(rows);
    area += members.length * (w + g.NODE_GAP) * (h + g.NODE_GAP);
    return { value, members, columns, rows, w, h };
  });
  const widest = Math.max(g.nodeWidth(g.MIN_POD_COLUMNS), ...sized.map((s) => s.w));
  const rowWidth = Math.max(widest, Math.sqrt(area * g.CLUSTER_ASPECT));

  const cluster: ClusterBox = {
    id: state.id, name: state.name, x: 0, y: top, w: 0, h: 0, groups: [], unscheduled: [],
    placeholders: groups.reduce((n, group) => n + group.members.filter((m) => m.placeholder !== undefined).length, 0),
    nodesHidden: options.nodesHidden === true,
  };
  const left = g.CLUSTER_PAD;
  let y = top + g.CLUSTER_HEADER;
  let right = left + widest;
  for (const group of sized) {
    const perRow = Math.max(1, Math.floor((rowWidth + g.NODE_GAP) / (group.w + g.NODE_GAP)));
    const groupBox: GroupBox = { cluster: state.id, value: group.value, x: left, y, w: 0, h: 0, nodes: [] };
    const gridTop = y + (group.value === '' ? 0 : g.GROUP_HEADER);
    group.members.forEach((member, i) => {
      const x = left + g.GROUP_PAD + (i % perRow) * (group.w + g.NODE_GAP);
      const boxY = gridTop + g.GROUP_PAD + Math.floor(i / perRow) * (group.h + g.NODE_GAP);
      const box = newBox(layout, {
        kind: 'node', cluster: state.id, key: boxKey(state.id, member.name), name: member.name, node: member.node,
        occupancy: member.occupancy, placeholder: member.placeholder,
        detailsHidden: member.placeholder !== undefined && options.nodesHidden === true,
        x, y: boxY, w: group.w, h: group.h, columns: group.columns, rows: group.rows,
      });
      fillCells(box, member.pods, state, options);
      groupBox.nodes.push(box);
    });
    const rowsOfNodes = Math.ceil(group.members.length / perRow);
    groupBox.w = 2 * g.GROUP_PAD + Math.min(perRow, group.members.length) * (group.w + g.NODE_GAP) - g.NODE_GAP;
    groupBox.h = gridTop - y + 2 * g.GROUP_PAD + rowsOfNodes * (group.h + g.NODE_GAP) - g.NODE_GAP;
    right = Math.max(right, groupBox.x + groupBox.w);
    cluster.groups.push(groupBox);
    y += groupBox.h + g.GROUP_GAP;
  }
  // Pods without a node sit beside the cluster's nodes, one box per scheduler reason.
  let unscheduledY = top + g.CLUSTER_HEADER;
  const unscheduledX = right + g.GROUP_GAP;
  for (const [reason, pods] of unscheduled) {
    const columns = Math.min(40, Math.max(g.MIN_POD_COLUMNS, Math.ceil(Math.sqrt(pods.length * UNSCHEDULED_SLACK))));
    const rows = Math.max(1, Math.ceil((pods.length * UNSCHEDULED_SLACK) / columns));
    const box = newBox(layout, {
      kind: 'unscheduled', cluster: state.id, key: unscheduledKey(state.id, reason), name: reason, node: undefined,
      occupancy: undefined, placeholder: undefined, detailsHidden: false, x: unscheduledX, y: unscheduledY, w: g.nodeWidth(columns), h: g.nodeHeight(rows), columns, rows,
    });
    fillCells(box, pods, state, options);
    cluster.unscheduled.push(box);
    unscheduledY += box.h + g.NODE_GAP;
    right = Math.max(right, box.x + box.w);
  }
  const bottom = Math.max(y - (cluster.groups.length > 0 ? g.GROUP_GAP : 0), unscheduledY);
  cluster.w = right + g.CLUSTER_PAD;
  cluster.h = Math.max(bottom - top, g.CLUSTER_HEADER) + g.CLUSTER_PAD;
  return cluster;
}

function countShown(pods: PodRecord[], shows: (pod: PodRecord) => boolean): number {
  let n = 0;
  for (const pod of pods) if (shows(pod)) n++;
  return n;
}

type NewBox = Omit<PodBox, 'firstCell' | 'cells' | 'podCount'>;

function newBox(layout: OccupancyLayout, fields: NewBox): PodBox {
  const capacity = fields.columns * fields.rows;
  const box: PodBox = { ...fields, firstCell: layout.cellCount, cells: new Array<PodRecord | undefined>(capacity), podCount: 0 };
  layout.cellCount += capacity;
  layout.boxes.push(box);
  layout.boxByKey.set(box.key, box);
  return box;
}

/** One pass over the pods: by node name, and unscheduled ones by the scheduler's reason. */
function podsByPlacement(state: ClusterState, options: LayoutOptions) {
  const podsByNode = new Map<string, PodRecord[]>();
  const byReason = new Map<string, PodRecord[]>();
  for (const pod of state.records('Pod')) {
    // Every pod on a node counts for its occupancy, shown or not; hidden unscheduled pods just go.
    if (pod.nodeName !== undefined) {
      const list = podsByNode.get(pod.nodeName);
      if (list === undefined) podsByNode.set(pod.nodeName, [pod]);
      else list.push(pod);
    } else if (options.shows === undefined || options.shows(pod)) {
      const reason = unscheduledReason(pod);
      const list = byReason.get(reason);
      if (list === undefined) byReason.set(reason, [pod]);
      else list.push(pod);
    }
  }
  // The most common reasons get a box each; the long tail shares one.
  const ranked = [...byReason].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const unscheduled = new Map<string, PodRecord[]>(ranked.slice(0, MAX_UNSCHEDULED_REASONS));
  const rest = ranked.slice(MAX_UNSCHEDULED_REASONS).flatMap(([, pods]) => pods);
  if (rest.length > 0) unscheduled.set(OTHER_REASONS, rest);
  return { podsByNode, unscheduled };
}

/** The box an unscheduled pod goes to: the scheduler's message, else the status reason. */
export function unscheduledReason(pod: PodRecord): string {
  const message = pod.schedulingMessage ?? pod.reason ?? pod.status;
  // Scheduler messages start with counts that differ per pod ("0/150 nodes are available: ...");
  // the part after the colon is the reason that groups pods.
  const colon = message.indexOf(': ');
  const reason = colon > 0 && /^\d+\/\d+ nodes/.test(message) ? message.slice(colon + 2) : message;
  return reason.length > 120 ? `${reason.slice(0, 119)}…` : reason;
}

interface NodeMember {
  name: string;
  node: NodeRecord | undefined;
  pods: PodRecord[];
  occupancy: NodeOccupancy | undefined;
  placeholder: PlaceholderNode | undefined;
}

function groupNodes(state: ClusterState, podsByNode: Map<string, PodRecord[]>, options: LayoutOptions) {
  const members: NodeMember[] = [];
  for (const node of state.records('Node')) {
    const pods = podsByNode.get(node.name) ?? [];
    members.push({ name: node.name, node, pods, occupancy: nodeOccupancy(node, pods, state.get('NodeMetrics', node.uid)), placeholder: undefined });
  }
  // Pods can name nodes this client cannot see (authorization without nodes, or the node just
  // went away): they get a placeholder box named after the pods' nodeName, so no pod is ever
  // missing from the picture.
  if (members.length !== podsByNode.size || members.some((m) => !podsByNode.has(m.name))) {
    const known = new Set(members.map((m) => m.name));
    for (const [name, pods] of podsByNode) {
      if (!known.has(name)) members.push({ name, node: undefined, pods, occupancy: undefined, placeholder: placeholderNode(name, pods) });
    }
  }
  // A placeholder has no usage or age: it sorts after the nodes on those (see nodeComparator).
  members.sort(nodeComparator(options.sortNodes));

  const groups = new Map<string, NodeMember[]>();
  for (const member of members) {
    const value = options.groupBy === '' ? '' : member.node === undefined ? UNKNOWN_GROUP : groupValue(member.node.labels?.[options.groupBy]);
    const list = groups.get(value);
    if (list === undefined) groups.set(value, [member]);
    else list.push(member);
  }
  return [...groups]
    .sort(([a], [b]) => groupRank(a) - groupRank(b) || naturalCompare(a, b))
    .map(([value, list]) => ({ value, members: list }));
}

export const NO_LABEL = '(none)';
/** The group of placeholder nodes: their labels are not known, so neither is their group. */
export const UNKNOWN_GROUP = '(unknown)';

/** Label values first, then nodes without the label, then placeholders. */
function groupRank(value: string): number {
  return value === UNKNOWN_GROUP ? 2 : value === NO_LABEL ? 1 : 0;
}
/** Label values may be empty (node-role labels always are); '' means "not grouped" here. */
export const EMPTY_VALUE = '(empty)';

function groupValue(value: string | undefined): string {
  return value === undefined ? NO_LABEL : value === '' ? EMPTY_VALUE : value;
}

function nodeComparator(sort: NodeSort) {
  const byName = (a: NodeMember, b: NodeMember) => naturalCompare(a.name, b.name);
  // Descending: the fullest nodes come first, which is what one sorts by a percentage for.
  const descending = (key: (o: NodeOccupancy) => number | undefined) => (a: NodeMember, b: NodeMember) => {
    const ka = valueOr(a.occupancy, key);
    const kb = valueOr(b.occupancy, key);
    return kb - ka || byName(a, b);
  };
  switch (sort) {
    case 'name': return byName;
    case 'cpuRequested': return descending((o) => o.cpuRequested);
    case 'memoryRequested': return descending((o) => o.memoryRequested);
    case 'cpuUsed': return descending((o) => o.cpuUsed);
    case 'memoryUsed': return descending((o) => o.memoryUsed);
    case 'pods': return (a: NodeMember, b: NodeMember) => b.pods.length - a.pods.length || byName(a, b);
    case 'age': return (a: NodeMember, b: NodeMember) => (a.node?.createdAt ?? Infinity) - (b.node?.createdAt ?? Infinity) || byName(a, b);
  }
}

function valueOr(occupancy: NodeOccupancy | undefined, key: (o: NodeOccupancy) => number | undefined): number {
  if (occupancy === undefined) return -1;
  return key(occupancy) ?? -1;
}

/**
 * Puts a box's pods into its cells: workload pods fill from the top left, DaemonSet and
 * kube-system pods from the bottom row up, so the pods that run everywhere form a band at the
 * bottom of every node and the interesting ones read from the top. Returns false when the pods
 * do not fit (the caller then needs a full layout).
 */
export function fillCells(box: PodBox, pods: readonly PodRecord[], state: ClusterState, options: LayoutOptions): boolean {
  const shown = options.shows === undefined ? pods : pods.filter(options.shows);
  if (shown.length > box.columns * box.rows) return false;
  const workload: PodRecord[] = [];
  const system: PodRecord[] = [];
  for (const pod of shown) (pod.daemon === true || pod.namespace === 'kube-system' ? system : workload).push(pod);
  const compare = podComparator(options.sortPods, state);
  workload.sort(compare);
  system.sort(compare);
  box.cells.fill(undefined);
  workload.forEach((pod, i) => (box.cells[i] = pod));
  const { columns, rows } = box;
  const systemRows = Math.ceil(system.length / columns);
  if (workload.length <= (rows - systemRows) * columns) {
    system.forEach((pod, k) => (box.cells[(rows - 1 - Math.floor(k / columns)) * columns + (k % columns)] = pod));
  } else {
    // A crowded node would make the two bands overlap: system pods continue where workloads end.
    system.forEach((pod, k) => (box.cells[workload.length + k] = pod));
  }
  box.podCount = shown.length;
  return true;
}

/** Status order when sorting pods by status: what needs attention first. */
const STATUS_ORDER: Record<VisualStatus, number> = {
  failing: 0, notReady: 1, pending: 2, terminating: 3, unknown: 4, ready: 5, succeeded: 6,
};

function podComparator(sort: PodSort, state: ClusterState): (a: PodRecord, b: PodRecord) => number {
  // Plain code-unit order for pod names: generated suffixes gain nothing from natural order, and
  // Intl.Collator made a full layout of 150,000 pods several times slower.
  const byName = (a: PodRecord, b: PodRecord) => compareStrings(a.name, b.name) || compareStrings(a.namespace ?? '', b.namespace ?? '');
  switch (sort) {
    case 'name': return byName;
    case 'age': return (a, b) => a.createdAt - b.createdAt || byName(a, b);
    case 'status': return (a, b) => STATUS_ORDER[visualStatus(a)] - STATUS_ORDER[visualStatus(b)] || byName(a, b);
    case 'cpu': return (a, b) => resourceOf(state, b, 'cpu') - resourceOf(state, a, 'cpu') || byName(a, b);
    case 'memory': return (a, b) => resourceOf(state, b, 'memory') - resourceOf(state, a, 'memory') || byName(a, b);
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Real usage when metrics are there, else the request: the best estimate of what a pod takes. */
function resourceOf(state: ClusterState, pod: PodRecord, resource: 'cpu' | 'memory'): number {
  return podUsage(state, pod)?.[resource] ?? pod.requests[resource];
}

const collator = new Intl.Collator('en', { numeric: true });
/** "node-2" before "node-10". */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b);
}
