// The stream protocol between server and browsers (and scripts). One protocol for snapshot and
// delta: a snapshot is the whole model at sequence number `seq`; each delta moves the model from
// `seq - 1` to `seq`. A client that sees a gap in sequence numbers must ask for a snapshot.
//
// On Server-Sent Events: `event: snapshot` or `event: delta`, `id: <seq>`, `data: <JSON>`.
import type { ClusterStatus } from './cluster-status.js';
import type { ClusterRecord, RecordKind, RecordOfKind } from './records.js';

/** The plural key under which each kind is listed in a snapshot (as `kubectl get` names it). */
export const KIND_KEYS = {
  Namespace: 'namespaces',
  Node: 'nodes',
  Pod: 'pods',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  Service: 'services',
  EndpointSlice: 'endpointslices',
  Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies',
  Gateway: 'gateways',
  HTTPRoute: 'httproutes',
  GRPCRoute: 'grpcroutes',
  ReferenceGrant: 'referencegrants',
  Event: 'events',
  ConfigMap: 'configmaps',
  NodeMetrics: 'nodemetrics',
  PodMetrics: 'podmetrics',
  Traffic: 'traffic',
} as const satisfies Record<RecordKind, string>;

export type KindKey = (typeof KIND_KEYS)[RecordKind];

export type ClusterSnapshot = {
  id: string;
  name: string;
  status: ClusterStatus;
} & { [K in RecordKind as (typeof KIND_KEYS)[K]]: RecordOfKind<K>[] };

export interface SnapshotMessage {
  seq: number;
  clusters: ClusterSnapshot[];
}

/** One change inside a delta. A closed set. */
export type Change =
  | { op: 'upsert'; cluster: string; record: ClusterRecord }
  | { op: 'delete'; cluster: string; kind: RecordKind; uid: string }
  | { op: 'status'; cluster: string; status: ClusterStatus };

export interface DeltaMessage {
  seq: number;
  /** Server time when the batch was cut, epoch ms (for latency measurements). */
  at: number;
  changes: Change[];
}

export type StreamMessage =
  | { event: 'snapshot'; data: SnapshotMessage }
  | { event: 'delta'; data: DeltaMessage };
