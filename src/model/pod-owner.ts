// Which workload a pod belongs to, as an operator names it: the Deployment rather than its
// ReplicaSet, the CronJob rather than its Job. Shared by the filter's `owner:` term and by the
// cross-highlight between the occupancy and topology views.
import type { ClusterState } from './cluster-state.js';
import type { PodRecord } from './records.js';
import { vertexId, WORKLOAD_KINDS, type Vertex, type VertexKind } from './topology.js';

/** The pod's top owner (kind and name), or undefined for a bare pod. */
export function topOwner(state: ClusterState, pod: PodRecord): { kind: string; name: string } | undefined {
  const owner = pod.owner;
  if (owner === undefined) return undefined;
  if (owner.kind !== 'ReplicaSet' && owner.kind !== 'Job') return owner;
  return state.get(owner.kind, owner.uid)?.owner ?? owner;
}

/** The topology vertex id the pod is drawn as: its top owner's, or its own when bare. */
export function podVertexId(state: ClusterState, pod: PodRecord): string {
  const owner = topOwner(state, pod);
  return owner === undefined ? vertexId('Pod', pod.namespace, pod.name) : vertexId(owner.kind as VertexKind, pod.namespace, owner.name);
}

/** Whether a vertex stands for pods (a workload or a bare pod), so the occupancy view can show them. */
export function hasPods(vertex: Pick<Vertex, 'kind'>): boolean {
  return vertex.kind === 'Pod' || (WORKLOAD_KINDS as readonly VertexKind[]).includes(vertex.kind);
}
