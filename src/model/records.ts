// Compact records: the only shape in which cluster objects live in kubeglance.
//
// Every source (real API, simulated cluster) strips objects to these on ingest and never keeps
// the full API object. A field is here only if a view draws it, filters on it, or derives an
// edge from it. Quantities are plain numbers (CPU in millicores, memory in bytes) so that views
// and derivations never parse strings. Times are epoch milliseconds.
//
// Everything here is plain JSON data: it crosses the wire to browsers and into Web Workers.

export const RECORD_KINDS = [
  'Namespace',
  'Node',
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Service',
  'EndpointSlice',
  'Ingress',
  'NetworkPolicy',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'ReferenceGrant',
  'Event',
  'ConfigMap',
  'NodeMetrics',
  'PodMetrics',
  'Traffic',
] as const;

export type RecordKind = (typeof RECORD_KINDS)[number];

export type Labels = Record<string, string>;

/** The controlling owner of an object (the ownerReference with controller: true). */
export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

/** Fields every record has. `uid` is unique within a cluster and is the record's key. */
export interface RecordMeta {
  uid: string;
  name: string;
  /** Absent for cluster-scoped kinds (Node, Namespace). */
  namespace?: string;
  labels?: Labels;
  /** metadata.creationTimestamp, epoch ms. */
  createdAt: number;
  /** metadata.deletionTimestamp, epoch ms: the object is terminating. */
  deletingAt?: number;
  owner?: OwnerRef;
}

/** CPU in millicores, memory in bytes. */
export interface Resources {
  cpu: number;
  memory: number;
}

export interface NodeResources extends Resources {
  pods: number;
  /** Extended resources worth showing (GPUs), by resource name. */
  extended?: Record<string, number>;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  /** lastTransitionTime, epoch ms. */
  since?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeRecord extends RecordMeta {
  kind: 'Node';
  /** From node-role.kubernetes.io/* labels, e.g. ["control-plane"]. */
  roles: string[];
  unschedulable: boolean;
  taints: Taint[];
  /** Ready plus the pressure conditions (MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable). */
  conditions: Condition[];
  /** Derived from the Ready condition: "True" → ready, anything else → not ready. */
  ready: boolean;
  capacity: NodeResources;
  allocatable: NodeResources;
  kubeletVersion?: string;
  internalIP?: string;
}

/** Pod status as an operator reads it (what `kubectl get pods` shows in STATUS, folded). */
export const POD_STATUSES = [
  'Running', // running and ready
  'NotReady', // running but a container is not ready
  'Pending', // not scheduled yet, or waiting for something other than container creation
  'ContainerCreating', // scheduled, pulling images, initialising
  'CrashLoopBackOff',
  'Error', // failed container, image pull error, OOMKilled and other failures while running
  'Succeeded',
  'Failed',
  'Terminating',
  'Unknown',
] as const;
export type PodStatus = (typeof POD_STATUSES)[number];

export interface ContainerRecord {
  name: string;
  image: string;
  /** True for init containers (they run before the others). */
  init?: boolean;
  state: 'waiting' | 'running' | 'terminated';
  /** Waiting or terminated reason, e.g. CrashLoopBackOff, OOMKilled, Completed. */
  reason?: string;
  ready: boolean;
  restarts: number;
  requests?: Partial<Resources>;
  limits?: Partial<Resources>;
}

/** What a pod template refers to: the raw material of declared topology edges. */
export interface TemplateRefs {
  serviceAccount?: string;
  configMaps?: string[];
  /** Names only: the contents of Secrets are never read. */
  secrets?: string[];
  persistentVolumeClaims?: string[];
  /**
   * Host names found in env values, args and commands (e.g. "http://orders.shop:8080" →
   * "orders.shop"), after `$(VAR)` expansion.
   */
  envHosts?: string[];
  /**
   * Where each of `envHosts` was found (same index), relative to the pod spec, e.g.
   * `containers[api].env[DATABASE_URL]`, `containers[api].args[2]`, `initContainers[wait].command[1]`.
   * A host found in several places names the first.
   */
  hostFields?: string[];
}

export interface PodRecord extends RecordMeta {
  kind: 'Pod';
  nodeName?: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  status: PodStatus;
  /** The reason shown with the status, e.g. "ImagePullBackOff", "Unschedulable", "Evicted". */
  reason?: string;
  /** Why the scheduler could not place the pod (PodScheduled=False message). */
  schedulingMessage?: string;
  ready: boolean;
  /** Sum over containers. */
  restarts: number;
  /** Effective pod requests as the scheduler counts them: max(init, sum(containers)) + overhead. */
  requests: Resources;
  limits: Partial<Resources>;
  containers: ContainerRecord[];
  conditions?: Condition[];
  podIP?: string;
  qosClass?: string;
  priorityClassName?: string;
  /** Convenience for grouping: owner is a DaemonSet, or the pod is a static/mirror pod on a node. */
  daemon?: boolean;
  refs?: TemplateRefs;
  startedAt?: number;
}

/** matchLabels plus matchExpressions, as in metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface WorkloadBase extends RecordMeta {
  selector?: LabelSelector;
  /** spec.replicas (Deployment, ReplicaSet, StatefulSet), desiredNumberScheduled (DaemonSet), parallelism (Job). */
  desired: number;
  ready: number;
  available?: number;
  updated?: number;
  template?: TemplateRefs;
  /** Labels of the pod template: how services select this workload's pods. */
  templateLabels?: Labels;
  /** Container images of the template. */
  images?: string[];
}

export interface DeploymentRecord extends WorkloadBase {
  kind: 'Deployment';
  strategy?: string;
  paused?: boolean;
}
export interface ReplicaSetRecord extends WorkloadBase {
  kind: 'ReplicaSet';
  revision?: string;
}
export interface StatefulSetRecord extends WorkloadBase {
  kind: 'StatefulSet';
  serviceName?: string;
}
export interface DaemonSetRecord extends WorkloadBase {
  kind: 'DaemonSet';
}
export interface JobRecord extends WorkloadBase {
  kind: 'Job';
  completions?: number;
  succeeded: number;
  failed: number;
  active: number;
  /** Complete or Failed when finished. */
  outcome?: 'Complete' | 'Failed';
  completedAt?: number;
}
export interface CronJobRecord extends WorkloadBase {
  kind: 'CronJob';
  schedule: string;
  suspend: boolean;
  lastScheduleAt?: number;
  active: number;
}

export type WorkloadRecord =
  | DeploymentRecord
  | ReplicaSetRecord
  | StatefulSetRecord
  | DaemonSetRecord
  | JobRecord
  | CronJobRecord;

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

export interface ServiceRecord extends RecordMeta {
  kind: 'Service';
  type: string;
  /** Absent selector: endpoints are managed by hand (or ExternalName). */
  selector?: Labels;
  clusterIP?: string;
  externalName?: string;
  ports: ServicePort[];
}

export interface EndpointSliceRecord extends RecordMeta {
  kind: 'EndpointSlice';
  serviceName?: string;
  addressType: string;
  endpoints: { targetPod?: string; nodeName?: string; ready: boolean; addresses: string[] }[];
}

export interface BackendRef {
  service: string;
  namespace?: string;
  port?: number | string;
}

export interface IngressRecord extends RecordMeta {
  kind: 'Ingress';
  className?: string;
  rules: { host?: string; paths: { path?: string; backend: BackendRef }[] }[];
  defaultBackend?: BackendRef;
  tlsHosts?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyRule {
  peers: NetworkPolicyPeer[];
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}

export interface NetworkPolicyRecord extends RecordMeta {
  kind: 'NetworkPolicy';
  podSelector: LabelSelector;
  policyTypes: ('Ingress' | 'Egress')[];
  ingress: NetworkPolicyRule[];
  egress: NetworkPolicyRule[];
}

export interface GatewayRecord extends RecordMeta {
  kind: 'Gateway';
  className: string;
  listeners: { name: string; port: number; protocol: string; hostname?: string }[];
  addresses?: string[];
}

export interface RouteRecord extends RecordMeta {
  kind: 'HTTPRoute' | 'GRPCRoute';
  parents: { name: string; namespace?: string; sectionName?: string; kind?: string }[];
  hostnames: string[];
  backends: (BackendRef & { kind?: string; weight?: number })[];
}

/**
 * A Gateway API ReferenceGrant: which kinds in which other namespaces may refer to which kinds in
 * the grant's own namespace. A route's backendRef to a Service in another namespace holds only
 * when a grant there allows it.
 */
export interface ReferenceGrantRecord extends RecordMeta {
  kind: 'ReferenceGrant';
  /** spec.from: the referrers trusted. `group` is "" for the core group. */
  from: { group: string; kind: string; namespace: string }[];
  /** spec.to: what they may refer to here; without `name`, every object of the kind. */
  to: { group: string; kind: string; name?: string }[];
}

export interface NamespaceRecord extends RecordMeta {
  kind: 'Namespace';
  phase: string;
}

/** A Kubernetes Event about a pod or node. Kept bounded (per object and per cluster). */
export interface EventRecord extends RecordMeta {
  kind: 'Event';
  involved: { kind: string; name: string; namespace?: string; uid?: string };
  type: string;
  reason: string;
  /** Truncated to a few hundred characters. */
  message: string;
  count: number;
  lastSeenAt: number;
}

/**
 * A ConfigMap, read only when the operator opts in (--read-configmaps): the hosts its data values
 * name, found as in env values, and where. The values themselves are never kept; binaryData is
 * not read.
 */
export interface ConfigMapRecord extends RecordMeta {
  kind: 'ConfigMap';
  hosts: string[];
  /** Where each of `hosts` was found (same index), e.g. `data[DATABASE_URL]`. */
  hostFields: string[];
}

/**
 * Real usage from metrics.k8s.io, one record per node or pod, keyed by the uid of the node or
 * pod it measures (so views join by uid). Sent only when it moved noticeably.
 */
export interface UsageRecord {
  kind: 'NodeMetrics' | 'PodMetrics';
  uid: string;
  name: string;
  namespace?: string;
  usage: Resources;
  /** Sample time, epoch ms. */
  sampledAt: number;
  createdAt: number;
}

/**
 * One end of observed traffic as a service mesh or tracing pipeline names it. Resolved to a
 * topology vertex by the derivation (against the objects that exist), not by the source.
 */
export interface TrafficPeer {
  namespace?: string;
  /** The workload as the mesh names it (Istio `*_workload`, Linkerd `deployment`/`statefulset`/`daemonset`). */
  workload?: string;
  /** The Service the request was addressed to, when the series names it. */
  service?: string;
  /** OpenTelemetry service graph: `service.name`, which usually equals a workload or Service name. */
  serviceName?: string;
  /** Traffic from or to outside the cluster (Istio `unknown` source, an ingress gateway's clients). */
  outside?: boolean;
}

/**
 * Observed traffic between two peers over the last minute, from a Prometheus series set of one
 * mesh. Polled, not watched; sent only when it moved noticeably. `uid` is stable per mesh and
 * pair: `${mesh}:${source}->${destination}`.
 */
export interface TrafficRecord {
  kind: 'Traffic';
  uid: string;
  /** "source → destination", for lists. */
  name: string;
  /** Traffic spans namespaces: see `source` and `destination`. */
  namespace?: undefined;
  createdAt: number;
  mesh: 'istio' | 'linkerd' | 'otel';
  protocol: 'http' | 'grpc' | 'tcp';
  source: TrafficPeer;
  destination: TrafficPeer;
  /** Requests per second (HTTP/gRPC). */
  requestRate?: number;
  /** Failed requests per second (5xx, gRPC errors, Linkerd failure classification, OTel failed). */
  errorRate?: number;
  /** 95th percentile latency in milliseconds, where the series has a histogram. */
  p95Ms?: number;
  /** TCP: bytes per second both ways, and connections currently open. */
  tcpBytesRate?: number;
  tcpConnections?: number;
  /** Evaluation time of the query, epoch ms. */
  sampledAt: number;
}

export type ClusterRecord =
  | NamespaceRecord
  | NodeRecord
  | PodRecord
  | WorkloadRecord
  | ServiceRecord
  | EndpointSliceRecord
  | IngressRecord
  | NetworkPolicyRecord
  | GatewayRecord
  | RouteRecord
  | ReferenceGrantRecord
  | EventRecord
  | ConfigMapRecord
  | UsageRecord
  | TrafficRecord;

/** The record type of one kind (distributes over records whose `kind` is itself a union). */
export type RecordOfKind<K extends RecordKind> = RecordWithKind<ClusterRecord, K>;
type RecordWithKind<R, K> = R extends { kind: infer RK } ? (K extends RK ? R : never) : never;

/** Whether a kind is namespaced. */
export function isNamespacedKind(kind: RecordKind): boolean {
  return kind !== 'Node' && kind !== 'Namespace' && kind !== 'NodeMetrics' && kind !== 'Traffic';
}
