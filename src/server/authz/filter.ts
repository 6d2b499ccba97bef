// What a scope may see, as pure filters over the protocol's messages and the topology.
//
// - Namespaced records: only in allowed namespaces. Namespace records: only allowed ones.
// - Nodes and NodeMetrics: only with `nodes`.
// - Traffic (cluster-scoped, between two peers): only when BOTH peers are visible (the Outside
//   end counts as visible; a peer without a namespace that is not Outside does not), so a
//   namespace's traffic never reveals the names of workloads elsewhere.
// - Events: only those whose involved object is visible (a Node's with `nodes`, a Namespace's
//   when it is allowed, a namespaced object's when its namespace and the event's are allowed;
//   other cluster-scoped objects' only with `nodes`).
// - Cluster status passes unchanged.
// - Topology: vertices in allowed namespaces plus Outside; edges, unresolved names, isolation
//   marks only between/of visible vertices.
import type { ClusterRecord, EventRecord, TrafficPeer } from '../../model/records.js';
import { KIND_KEYS, type Change, type ClusterSnapshot, type DeltaMessage, type SnapshotMessage } from '../../model/stream.js';
import { OUTSIDE_ID, type Topology } from '../../model/topology.js';
import type { LimitedScope, Scope } from './scope.js';

export function recordVisible(record: ClusterRecord, scope: Scope): boolean {
  if (scope.all === true) return true;
  switch (record.kind) {
    case 'Node':
    case 'NodeMetrics':
      return scope.nodes;
    case 'Namespace':
      return scope.namespaces(record.name);
    case 'Traffic':
      return peerVisible(record.source, scope) && peerVisible(record.destination, scope);
    case 'Event':
      return eventVisible(record, scope);
    default:
      return record.namespace !== undefined && scope.namespaces(record.namespace);
  }
}

function peerVisible(peer: TrafficPeer, scope: LimitedScope): boolean {
  if (peer.outside === true) return true;
  return peer.namespace !== undefined && scope.namespaces(peer.namespace);
}

function eventVisible(event: EventRecord, scope: LimitedScope): boolean {
  const { involved } = event;
  if (involved.kind === 'Node') return scope.nodes;
  if (involved.kind === 'Namespace') return scope.namespaces(involved.name);
  if (involved.namespace === undefined) return scope.nodes;
  return scope.namespaces(involved.namespace) && (event.namespace === undefined || scope.namespaces(event.namespace));
}

export function filterSnapshot(snapshot: SnapshotMessage, scope: Scope): SnapshotMessage {
  if (scope.all === true) return snapshot;
  return { seq: snapshot.seq, clusters: snapshot.clusters.map((cluster) => filterCluster(cluster, scope)) };
}

function filterCluster(cluster: ClusterSnapshot, scope: Scope): ClusterSnapshot {
  const filtered: Record<string, unknown> = { id: cluster.id, name: cluster.name, status: cluster.status };
  for (const key of Object.values(KIND_KEYS)) {
    filtered[key] = (cluster[key] as ClusterRecord[]).filter((record) => recordVisible(record, scope));
  }
  return filtered as ClusterSnapshot;
}

/**
 * The record a delete change removed, when known (the store remembers it, see store.ts): a delete
 * says only kind and uid, and is passed on only when the record it removes was visible.
 */
export type DeletedRecordLookup = (change: Extract<Change, { op: 'delete' }>) => ClusterRecord | undefined;

/**
 * The delta with only the visible changes; `seq` and `at` stay (an empty delta still moves the
 * client's seq on, so resume and gap detection keep working). A delete whose record is unknown
 * is dropped, except for Node and NodeMetrics, whose visibility is the kind's.
 */
export function filterDelta(delta: DeltaMessage, scope: Scope, deleted?: DeletedRecordLookup): DeltaMessage {
  if (scope.all === true) return delta;
  const changes = delta.changes.filter((change) => changeVisible(change, scope, deleted));
  return { seq: delta.seq, at: delta.at, changes };
}

function changeVisible(change: Change, scope: LimitedScope, deleted: DeletedRecordLookup | undefined): boolean {
  switch (change.op) {
    case 'status':
      return true;
    case 'upsert':
      return recordVisible(change.record, scope);
    case 'delete': {
      if (change.kind === 'Node' || change.kind === 'NodeMetrics') return scope.nodes;
      const record = deleted?.(change);
      return record !== undefined && record.kind === change.kind && recordVisible(record, scope);
    }
  }
}

export function filterTopology<T extends Topology>(topology: T, scope: Scope): T {
  if (scope.all === true) return topology;
  const vertices = topology.vertices.filter((v) => v.id === OUTSIDE_ID || v.kind === 'Outside' || (v.namespace !== undefined && scope.namespaces(v.namespace)));
  const visible = new Set(vertices.map((v) => v.id));
  const edges = topology.edges.filter((e) => visible.has(e.from) && visible.has(e.to));
  const edgeIds = new Set(edges.map((e) => e.id));
  const filtered: T = {
    ...topology,
    vertices,
    edges: edges.map((e) => (e.explainedBy === undefined ? e : { ...e, explainedBy: e.explainedBy.filter((id) => edgeIds.has(id)) })),
    unresolved: topology.unresolved.filter((u) => visible.has(u.from)),
  };
  if (topology.defaultDeny !== undefined) filtered.defaultDeny = topology.defaultDeny.filter((id) => visible.has(id));
  if (topology.isolation !== undefined) filtered.isolation = topology.isolation.filter((i) => visible.has(i.vertex));
  return filtered;
}
