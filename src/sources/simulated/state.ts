// The simulated cluster's own state. Records are rendered from it on every change (and never
// mutated afterwards: consumers may keep them); this state carries what rendering and the
// controllers need (who owns what, which node has room, which pods back which service).
import type { ContainerRecord, Labels, LabelSelector, OwnerRef, PodStatus, Resources, TemplateRefs } from '../../model/records.js';
import type { PoolDef, PoolName } from './catalog.js';
import type { SuffixSequence } from './names.js';

/** What every pod of one controller revision shares (one instance, referenced by all pods). */
export interface PodTemplate {
  labels: Labels;
  requests: Resources;
  limits: Partial<Resources>;
  gpus: number;
  containers: ContainerSpec[];
  /** The container records of a healthy running pod: shared by all healthy pods. */
  running: ContainerRecord[];
  qosClass: 'Guaranteed' | 'Burstable' | 'BestEffort';
  priorityClassName?: string;
  refs?: TemplateRefs;
  /** nodeSelector kubeglance.io/pool. */
  pool?: PoolName;
  /** Tolerates every taint (DaemonSets). GPU pods tolerate the GPU taint only. */
  tolerateAll: boolean;
  daemon: boolean;
  images: string[];
}

export interface ContainerSpec {
  name: string;
  image: string;
  init: boolean;
  requests?: Partial<Resources>;
  limits?: Partial<Resources>;
}

/** Pod lifecycle as the kubelet would report it; Terminating is `deletingAt` on top of this. */
export type PodState = Extract<PodStatus, 'Pending' | 'ContainerCreating' | 'Running' | 'NotReady' | 'CrashLoopBackOff' | 'Error' | 'Succeeded' | 'Failed'>;

export interface SimPod {
  uid: string;
  name: string;
  namespace: string;
  createdAt: number;
  template: PodTemplate;
  /** Usually the template's labels; StatefulSet pods add their own pod-name label. */
  labels: Labels;
  refs: TemplateRefs | undefined;
  controller: SimController | undefined;
  /** Static pods: the node that owns the mirror pod. */
  staticOn: SimNode | undefined;
  node: SimNode | undefined;
  /** Index in node.pods, for O(1) removal. */
  nodeSlot: number;
  /** Index in controller.pods, for O(1) removal. */
  ownerSlot: number;
  state: PodState;
  /** Reason shown with the status (OOMKilled, ImagePullBackOff, Unschedulable...). */
  reason: string | undefined;
  schedulingMessage: string | undefined;
  restarts: number;
  startedAt: number | undefined;
  deletingAt: number | undefined;
  /** Last octet-pair of the pod IP inside the node's /24 (0: no IP yet). */
  ipHost: number;
  podIP: string | undefined;
  /** Whether the pod's requests are currently subtracted from its node's free room. */
  counted: boolean;
  /** Bumped on every state change: a delayed follow-up only applies if nothing happened since. */
  epoch: number;
  /** Services whose selector matches the pod. */
  services: readonly SimService[];
  alive: boolean;
}

export type NodeHealth = 'Ready' | 'NotReady' | 'Starting';

export interface SimNode {
  uid: string;
  name: string;
  createdAt: number;
  pool: PoolDef;
  kubeletVersion: string;
  internalIP: string;
  labels: Labels;
  capacity: { cpu: number; memory: number; pods: number; gpus: number };
  allocatable: { cpu: number; memory: number; pods: number; gpus: number };
  used: { cpu: number; memory: number; pods: number; gpus: number };
  health: NodeHealth;
  healthSince: number;
  unschedulable: boolean;
  /** Being drained and then removed. */
  draining: boolean;
  pods: SimPod[];
  /** Slot of the node's pod /24 and the next host number to try in it. */
  cidrSlot: number;
  nextHost: number;
  hostsUsed: Uint8Array;
  ipSlot: number;
  epoch: number;
  alive: boolean;
}

export interface SimNamespace {
  uid: string;
  name: string;
  createdAt: number;
  labels: Labels;
  services: SimService[];
}

export interface JobProgress {
  completions: number;
  succeeded: number;
  failed: number;
  backoffLimit: number;
  outcome: 'Complete' | 'Failed' | undefined;
  completedAt: number | undefined;
}

/** A controller that owns pods directly: ReplicaSet, StatefulSet, DaemonSet or Job. */
export interface SimController {
  kind: 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';
  uid: string;
  name: string;
  namespace: SimNamespace;
  createdAt: number;
  labels: Labels;
  selector: LabelSelector;
  /** Its own controlling owner (Deployment or CronJob), if any. */
  owner: OwnerRef | undefined;
  /** The owner reference its pods carry (shared by all of them). */
  podOwner: OwnerRef;
  template: PodTemplate;
  desired: number;
  pods: SimPod[];
  suffixes: SuffixSequence;
  deployment: SimDeployment | undefined;
  cronJob: SimCronJob | undefined;
  services: SimService[];
  revision: number;
  serviceName: string | undefined;
  job: JobProgress | undefined;
  alive: boolean;
}

export interface Rollout {
  from: SimController[];
  to: SimController;
  steps: number;
}

export interface SimDeployment {
  uid: string;
  name: string;
  namespace: SimNamespace;
  createdAt: number;
  labels: Labels;
  /** Pod labels without pod-template-hash: what the selector and services match. */
  selectorLabels: Labels;
  selector: LabelSelector;
  /** Pod template labels of the current revision (pod-template-hash excluded). */
  templateLabels: Labels;
  replicas: number;
  /** Bounds for scale operations: the demo never grows without limit. */
  minReplicas: number;
  maxReplicas: number;
  /** Builds the pod template of a new revision from its image version and hash. */
  makeTemplate: (version: string, hash: string) => PodTemplate;
  version: string;
  replicaSets: SimController[];
  revision: number;
  rollout: Rollout | undefined;
  services: SimService[];
  /** Platform add-ons are left alone by churn's rollouts and scaling. */
  platform: boolean;
  alive: boolean;
}

export interface SimCronJob {
  uid: string;
  name: string;
  namespace: SimNamespace;
  createdAt: number;
  labels: Labels;
  schedule: string;
  everyMinutes: number;
  /** The job template as the CronJob record shows it. */
  template: PodTemplate;
  /** Builds the pod template of one job (its labels carry the job name). */
  makeTemplate: (jobName: string) => PodTemplate;
  jobs: SimController[];
  lastScheduleAt: number | undefined;
  alive: boolean;
}

export interface SimService {
  uid: string;
  name: string;
  namespace: SimNamespace;
  selector: Labels | undefined;
  slices: SimSlice[];
}

export interface SimSlice {
  uid: string;
  name: string;
  createdAt: number;
  service: SimService;
  /** Pod → whether the endpoint is ready. */
  members: Map<SimPod, boolean>;
}

/** Endpoints per EndpointSlice, as the endpointslice controller caps them. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** A set with O(1) add, delete and uniform random pick (swap-remove on delete). */
export class RandomSet<T> {
  private readonly items: T[] = [];
  private readonly index = new Map<T, number>();

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.index.has(item);
  }

  add(item: T): void {
    if (this.index.has(item)) return;
    this.index.set(item, this.items.length);
    this.items.push(item);
  }

  delete(item: T): void {
    const i = this.index.get(item);
    if (i === undefined) return;
    const last = this.items.pop() as T;
    this.index.delete(item);
    if (last !== item) {
      this.items[i] = last;
      this.index.set(last, i);
    }
  }

  /** The item at position i (0 <= i < size): for random picks and scans from a random start. */
  at(i: number): T {
    return this.items[i] as T;
  }

  values(): readonly T[] {
    return this.items;
  }
}

/** Removes `item` from `list` by swapping the last element into its slot. */
export function swapRemove<T>(list: T[], slot: number, setSlot: (moved: T, slot: number) => void): void {
  const last = list.pop() as T;
  if (slot < list.length) {
    list[slot] = last;
    setSlot(last, slot);
  }
}
