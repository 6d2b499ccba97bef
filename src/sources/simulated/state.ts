// The simulated cluster's own state. Records are rendered from it on every change (and never
// mutated afterwards: consumers may keep them); this state carries what rendering and the
// controllers need (who owns what, which node has room, which pods back which service).
import type { ContainerRecord, Labels, LabelSelector, NodeResources, OwnerRef, PodRecord, PodStatus, Resources, TemplateRefs, UsageRecord } from '../../model/records.js';
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

/** The kubelet-reported states, in the order of their code in a pod's packed bits. */
const POD_STATES: readonly PodState[] = ['Pending', 'ContainerCreating', 'Running', 'NotReady', 'CrashLoopBackOff', 'Error', 'Succeeded', 'Failed'];
const STATE_CODE = new Map(POD_STATES.map((s, i) => [s, i]));
const STATE_MASK = 0b111;
const ALIVE = 1 << 3;
const COUNTED = 1 << 4;
const ENDPOINT_READY = 1 << 5;
const HOST_SHIFT = 6;
const HOST_MASK = 0xff << HOST_SHIFT;
const EPOCH_SHIFT = 14;
/**
 * Epochs wrap at 2^16: a follow-up (seconds to minutes away) would have to outlive 65,536
 * changes of its pod to misfire. 30 bits in all: a small integer on every V8 build.
 */
const EPOCH_MASK = (1 << 16) - 1;

/**
 * What a pod's published record carries verbatim. These live in the record once it is published
 * (read back from it, not copied: 150,000 pods make every copied field count); until then, and
 * between a change and the publication that follows it, the changed values wait in a draft.
 */
export interface PodFields {
  uid: string;
  name: string;
  namespace: string;
  labels: Labels;
  refs: TemplateRefs | undefined;
  createdAt: number;
  startedAt: number | undefined;
  deletingAt: number | undefined;
  podIP: string | undefined;
  reason: string | undefined;
  schedulingMessage: string | undefined;
  restarts: number;
}

export type NewPodFields = Pick<PodFields, 'uid' | 'name' | 'namespace' | 'labels' | 'refs' | 'createdAt'>;

/** Changes to a pod not published yet, over the record last published (if any). */
type PodDraft = Partial<PodFields> & { base: PodRecord | undefined; kind?: undefined };

/**
 * A pod of the simulated cluster, kept small: fields its record already carries are read from
 * that record (see PodFields); its lifecycle state and flags are packed into one small integer;
 * template and services come from its controller (LoosePod holds its own).
 */
export class SimPod {
  /**
   * The record last published for this pod or, while changes wait for their publication, a
   * draft of them over that record (one field for both: drafts are short-lived).
   */
  private doc: PodRecord | PodDraft;
  /** The PodMetrics record published for this pod, while it has one. */
  metrics: UsageRecord | undefined = undefined;
  node: SimNode | undefined = undefined;
  /** Index in node.pods, for O(1) removal. */
  nodeSlot = -1;
  /** Index in controller.pods, for O(1) removal. */
  ownerSlot = -1;
  /** State code, flags, IP host number and epoch (see the constants above). */
  private bits = ALIVE;

  constructor(readonly controller: SimController | undefined, fields: NewPodFields) {
    this.doc = { base: undefined, uid: fields.uid, name: fields.name, namespace: fields.namespace, labels: fields.labels, refs: fields.refs, createdAt: fields.createdAt, restarts: 0 };
  }

  /** The record last published for this pod; undefined until the first publication. */
  get rec(): PodRecord | undefined {
    const doc = this.doc;
    return doc.kind === undefined ? doc.base : doc;
  }

  /** The ledger has published this record for the pod: drafted changes are in it. */
  published(record: PodRecord): void {
    this.doc = record;
  }

  private get<K extends keyof PodFields>(key: K): PodFields[K] {
    const doc = this.doc;
    if (doc.kind !== undefined) return doc[key] as PodFields[K];
    // Before the first publication, the draft holds every field that has a value.
    return (key in doc ? doc[key] : doc.base?.[key]) as PodFields[K];
  }

  private set<K extends keyof PodFields>(key: K, value: PodFields[K]): void {
    let doc = this.doc;
    if (doc.kind !== undefined) this.doc = doc = { base: doc };
    doc[key] = value as PodDraft[K];
  }

  get uid(): string {
    return this.get('uid');
  }
  get name(): string {
    return this.get('name');
  }
  get namespace(): string {
    return this.get('namespace');
  }
  /** Usually the template's labels; StatefulSet pods add their own pod-name label. */
  get labels(): Labels {
    return this.get('labels');
  }
  get refs(): TemplateRefs | undefined {
    return this.get('refs');
  }
  get createdAt(): number {
    return this.get('createdAt');
  }
  set createdAt(v: number) {
    this.set('createdAt', v);
  }
  get startedAt(): number | undefined {
    return this.get('startedAt');
  }
  set startedAt(v: number | undefined) {
    this.set('startedAt', v);
  }
  get deletingAt(): number | undefined {
    return this.get('deletingAt');
  }
  set deletingAt(v: number | undefined) {
    this.set('deletingAt', v);
  }
  get podIP(): string | undefined {
    return this.get('podIP');
  }
  set podIP(v: string | undefined) {
    this.set('podIP', v);
  }
  /** Reason shown with the status (OOMKilled, ImagePullBackOff, Unschedulable...). */
  get reason(): string | undefined {
    return this.get('reason');
  }
  set reason(v: string | undefined) {
    this.set('reason', v);
  }
  get schedulingMessage(): string | undefined {
    return this.get('schedulingMessage');
  }
  set schedulingMessage(v: string | undefined) {
    this.set('schedulingMessage', v);
  }
  get restarts(): number {
    return this.get('restarts');
  }
  set restarts(v: number) {
    this.set('restarts', v);
  }

  /** Last octet of the pod IP inside the node's /24 (0: no IP yet). */
  get ipHost(): number {
    return (this.bits & HOST_MASK) >>> HOST_SHIFT;
  }
  set ipHost(v: number) {
    this.bits = (this.bits & ~HOST_MASK) | ((v & 0xff) << HOST_SHIFT);
  }

  get template(): PodTemplate {
    return (this.controller as SimController).template;
  }
  /** Services whose selector matches the pod. */
  get services(): readonly SimService[] {
    return (this.controller as SimController).services;
  }
  /** Static pods: the node that owns the mirror pod. */
  get staticOn(): SimNode | undefined {
    return undefined;
  }

  get state(): PodState {
    return POD_STATES[this.bits & STATE_MASK] as PodState;
  }
  set state(v: PodState) {
    this.bits = (this.bits & ~STATE_MASK) | (STATE_CODE.get(v) as number);
  }
  get alive(): boolean {
    return (this.bits & ALIVE) !== 0;
  }
  set alive(v: boolean) {
    this.flag(ALIVE, v);
  }
  /** Whether the pod's requests are currently subtracted from its node's free room. */
  get counted(): boolean {
    return (this.bits & COUNTED) !== 0;
  }
  set counted(v: boolean) {
    this.flag(COUNTED, v);
  }
  /** The readiness its EndpointSlices last listed it with. */
  get endpointReady(): boolean {
    return (this.bits & ENDPOINT_READY) !== 0;
  }
  set endpointReady(v: boolean) {
    this.flag(ENDPOINT_READY, v);
  }
  /** Bumped on every state change: a delayed follow-up only applies if nothing happened since. */
  get epoch(): number {
    return this.bits >>> EPOCH_SHIFT;
  }
  set epoch(v: number) {
    this.bits = (this.bits & ((1 << EPOCH_SHIFT) - 1)) | ((v & EPOCH_MASK) << EPOCH_SHIFT);
  }

  private flag(bit: number, on: boolean): void {
    this.bits = on ? this.bits | bit : this.bits & ~bit;
  }
}

/** A pod without a controller (static mirror pods, pods created directly): it keeps its own template and services. */
export class LoosePod extends SimPod {
  constructor(
    fields: NewPodFields,
    private readonly ownTemplate: PodTemplate,
    private readonly ownServices: readonly SimService[],
    private readonly ownNode: SimNode | undefined,
  ) {
    super(undefined, fields);
  }

  override get template(): PodTemplate {
    return this.ownTemplate;
  }
  override get services(): readonly SimService[] {
    return this.ownServices;
  }
  override get staticOn(): SimNode | undefined {
    return this.ownNode;
  }
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
  /** As the record shows them (shared with it). */
  capacity: NodeResources;
  allocatable: NodeResources;
  /** GPUs it has (and can allocate). */
  gpus: number;
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
  /** Labels and owner of its EndpointSlice records: the same for every slice, so shared. */
  sliceLabels: Labels;
  sliceOwner: OwnerRef;
}

export interface SimSlice {
  uid: string;
  name: string;
  createdAt: number;
  service: SimService;
  /** Its endpoints' pods, in the order they joined (each listed with its `endpointReady`). */
  members: SimPod[];
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
