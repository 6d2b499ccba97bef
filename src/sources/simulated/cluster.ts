// The simulated cluster: nodes, pods and the controllers between them, behaving like the real
// control plane closely enough that the records it publishes are indistinguishable in shape and
// sequence from what the Kubernetes source emits. Every mutation re-renders the records it
// touched into the ledger; `flush()` then runs the controllers (replace missing pods, retire
// extra ones), rolls up their status and rewrites the EndpointSlices that changed. All work is
// proportional to what changed, never to the size of the cluster.
import type { Labels, NodeResources, OwnerRef, ServicePort, ServiceRecord } from '../../model/records.js';
import { GI, MAX_PODS, MI, type InstanceType, type PoolDef } from './catalog.js';
import { EventLog } from './event-log.js';
import { Ledger } from './ledger.js';
import { appended, extend, flatten, ipv4, ipv4Number, safeString, Shared, SuffixSequence, without } from './names.js';
import { Placement } from './placement.js';
import type { Prng } from './prng.js';
import { podIsEndpoint, podReady, renderController, renderCronJob, renderDeployment, renderNamespace, renderNode, renderPod, renderSlice, SLICE_MANAGED_BY } from './render.js';
import type { TemplateBody } from './templates.js';
import {
  MAX_ENDPOINTS_PER_SLICE,
  LoosePod,
  RandomSet,
  SimPod,
  swapRemove,
  type NodeHealth,
  type PodState,
  type PodTemplate,
  type SimController,
  type SimCronJob,
  type SimDeployment,
  type SimNamespace,
  type SimNode,
  type SimService,
  type SimSlice,
} from './state.js';

export interface NodeSpec {
  name?: string;
  pool: PoolDef;
  instance: InstanceType;
  zone: string;
  kubeletVersion: string;
  createdAt: number;
  health: NodeHealth;
  labels?: Labels;
}

export interface ServiceSpec {
  name: string;
  type: string;
  selector?: Labels;
  ports: ServicePort[];
  headless?: boolean;
  externalName?: string;
  clusterIP?: string;
  labels?: Labels;
}

/** Pod lifecycle timings (ms) in live mode. */
const TIMING = {
  schedule: [20, 300],
  containerCreating: [1_500, 8_000],
  jobRun: [15_000, 120_000],
  grace: [1_000, 15_000],
} as const;

const POD_CIDR_SLOTS = 64 * 256; // 10.64.0.0/10 split into /24 per node
/** Scratch space of assignIp: which host numbers of a node's /24 are taken. */
const HOSTS_IN_USE = new Uint8Array(256);

export class SimCluster {
  readonly ledger = new Ledger(() => this.publishedPods());
  readonly placement = new Placement();
  readonly events: EventLog;
  /** Strings and template bodies shared across the generated cluster (see Shared). */
  readonly strings = new Shared<string>();
  readonly bodies = new Shared<TemplateBody>();
  readonly namespaces = new Map<string, SimNamespace>();
  readonly deployments = new RandomSet<SimDeployment>();
  readonly daemonSets: SimController[] = [];
  readonly cronJobs = new RandomSet<SimCronJob>();
  /** Pods the scheduler has not placed yet. */
  readonly pending = new Set<SimPod>();
  /** Published pods without a node (waiting for the scheduler, or unschedulable). */
  private readonly unbound = new Set<SimPod>();
  /** Pods without a controller, by "namespace/name" (names must be unique, as the API enforces). */
  readonly barePods = new Map<string, SimPod>();
  podCount = 0;
  /**
   * False while the initial state is generated: pods are placed and started at once, with
   * creation times spread over the past. True afterwards: pods go Pending → ContainerCreating →
   * Running over seconds, and terminating pods wait out their grace period.
   */
  live = false;
  /** Runs `fn` after `ms` of simulated time; wired to the timeline once live. */
  later: (ms: number, fn: () => void) => void = () => {
    throw new Error('simulated cluster: nothing schedules follow-ups before it is live');
  };

  private readonly toReconcile = new Set<SimController>();
  private readonly dirtyControllers = new Set<SimController>();
  private readonly dirtyDeployments = new Set<SimDeployment>();
  private readonly dirtyCronJobs = new Set<SimCronJob>();
  private readonly dirtySlices = new Set<SimSlice>();
  private readonly usedNodeIps = new Set<number>();
  private readonly usedServiceIps = new Set<number>();
  private readonly freeCidrSlots: number[] = [];
  private nextCidrSlot = 0;

  constructor(
    public prng: Prng,
    /** The cluster's clock: fixed while generating (so that generation is deterministic), live after. */
    public now: () => number,
    eventCap: number,
  ) {
    this.events = new EventLog(this.ledger, eventCap);
  }

  /** The shared instance of a string (while generating; see Shared). */
  intern(s: string): string {
    return this.strings.get(s, () => flatten(s));
  }

  /** Generation is over: stop collecting shared values (they would only accumulate). */
  sealShared(): void {
    this.strings.seal();
    this.bodies.seal();
  }

  /**
   * Trims the lists that generation grew one push at a time (V8 leaves a grown array up to half
   * as long again as its contents): done once, when the initial cluster is complete.
   */
  compact(): void {
    const controllers = new Set<SimController>(this.daemonSets);
    for (const dep of this.deployments.values()) for (const rs of dep.replicaSets) controllers.add(rs);
    for (const cj of this.cronJobs.values()) for (const job of cj.jobs) controllers.add(job);
    for (const node of this.placement.all.values()) {
      node.pods = node.pods.slice();
      for (const pod of node.pods) if (pod.controller) controllers.add(pod.controller);
    }
    for (const pod of this.pending) if (pod.controller) controllers.add(pod.controller);
    for (const ctl of controllers) ctl.pods = ctl.pods.slice();
    for (const ns of this.namespaces.values()) for (const svc of ns.services) for (const slice of svc.slices) slice.members = slice.members.slice();
  }

  // ------------------------------------------------------------------------------------------
  // Namespaces and nodes

  addNamespace(name: string, createdAt: number, labels: Labels = {}): SimNamespace {
    if (this.namespaces.has(name)) throw new Error(`namespace ${name} exists`);
    const ns: SimNamespace = { uid: this.prng.uid(), name, createdAt, labels: extend({ 'kubernetes.io/metadata.name': name } as Labels, labels), services: [] };
    this.namespaces.set(name, ns);
    this.ledger.put(renderNamespace(ns));
    return ns;
  }

  namespace(name: string): SimNamespace {
    const ns = this.namespaces.get(name);
    if (!ns) throw new Error(`namespaces "${name}" not found`);
    return ns;
  }

  addNode(spec: NodeSpec): SimNode {
    const ipSlot = this.allocNodeIp();
    const ip = ipv4(ipSlot);
    const name = spec.name ?? flatten(`ip-${ip.replaceAll('.', '-')}.${spec.zone.slice(0, -1)}.compute.internal`);
    const { instance, pool } = spec;
    const capacityMemory = Math.floor((instance.memoryGi * GI * 0.963) / 1024) * 1024; // firmware and kernel keep a little
    const cpu = instance.cpu * 1000;
    const allocatableCpu = cpu - kubeReservedCpu(instance.cpu);
    const allocatableMemory = capacityMemory - (255 + 11 * MAX_PODS) * MI - 100 * MI; // kube-reserved + hard eviction threshold
    // In the shape of the record (which shares them): they never change.
    const gpus = instance.gpus;
    const capacity: NodeResources = gpus > 0 ? { cpu, memory: capacityMemory, pods: MAX_PODS, extended: { 'nvidia.com/gpu': gpus } } : { cpu, memory: capacityMemory, pods: MAX_PODS };
    const allocatable: NodeResources =
      gpus > 0 ? { cpu: allocatableCpu, memory: allocatableMemory, pods: MAX_PODS, extended: { 'nvidia.com/gpu': gpus } } : { cpu: allocatableCpu, memory: allocatableMemory, pods: MAX_PODS };
    const labels: Labels = {
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/hostname': name,
      'node.kubernetes.io/instance-type': instance.name,
      'topology.kubernetes.io/region': spec.zone.slice(0, -1),
      'topology.kubernetes.io/zone': spec.zone,
      'kubeglance.io/pool': pool.name,
      'karpenter.sh/capacity-type': pool.capacityType,
    };
    if (pool.name === 'control-plane') labels['node-role.kubernetes.io/control-plane'] = '';
    if (instance.gpus > 0) labels['nvidia.com/gpu.present'] = 'true';
    if (spec.labels) for (const key in spec.labels) labels[key] = spec.labels[key] as string;
    const node: SimNode = {
      uid: this.prng.uid(),
      name,
      createdAt: spec.createdAt,
      pool,
      kubeletVersion: spec.kubeletVersion,
      internalIP: ip,
      labels,
      capacity,
      allocatable,
      gpus,
      used: { cpu: 0, memory: 0, pods: 0, gpus: 0 },
      health: spec.health,
      healthSince: spec.createdAt,
      unschedulable: false,
      draining: false,
      pods: [],
      cidrSlot: this.freeCidrSlots.pop() ?? this.nextCidrSlot++,
      nextHost: 2,
      ipSlot,
      epoch: 0,
      alive: true,
    };
    if (node.cidrSlot >= POD_CIDR_SLOTS) throw new Error('simulated cluster: pod CIDR exhausted');
    this.placement.add(node);
    this.ledger.put(renderNode(node));
    for (const ds of this.daemonSets) this.createDaemonPod(ds, node);
    return node;
  }

  /** The node is gone: its pods are deleted with it (what the pod garbage collector does). */
  removeNode(node: SimNode): void {
    for (const pod of [...node.pods]) this.removePod(pod);
    node.alive = false;
    node.epoch++;
    this.placement.remove(node);
    this.usedNodeIps.delete(node.ipSlot);
    this.freeCidrSlots.push(node.cidrSlot);
    this.ledger.remove('Node', node.uid);
    if (this.ledger.has('NodeMetrics', node.uid)) this.ledger.remove('NodeMetrics', node.uid);
  }

  setNodeHealth(node: SimNode, health: NodeHealth, since = this.now()): void {
    if (node.health === health) return;
    node.health = health;
    node.healthSince = since;
    node.epoch++;
    this.ledger.put(renderNode(node));
    // The node lifecycle controller flips the Ready condition of every pod on the node.
    for (const pod of node.pods) this.podChanged(pod);
    if (health === 'Ready') this.retryPending(20);
  }

  setCordoned(node: SimNode, unschedulable: boolean): void {
    if (node.unschedulable === unschedulable) return;
    node.unschedulable = unschedulable;
    this.ledger.put(renderNode(node));
    if (!unschedulable) this.retryPending(20);
  }

  // ------------------------------------------------------------------------------------------
  // Controllers

  addController(
    kind: SimController['kind'],
    ns: SimNamespace,
    name: string,
    template: PodTemplate,
    opts: { createdAt: number; labels: Labels; desired: number; services?: SimService[]; owner?: OwnerRef; deployment?: SimDeployment; cronJob?: SimCronJob; revision?: number; serviceName?: string },
  ): SimController {
    const uid = this.prng.uid();
    const ctl: SimController = {
      kind,
      uid,
      name,
      namespace: ns,
      createdAt: opts.createdAt,
      labels: opts.labels,
      selector: { matchLabels: selectorFor(kind, name, template, opts.deployment) },
      owner: opts.owner,
      podOwner: { kind, name, uid },
      template,
      desired: opts.desired,
      pods: [],
      suffixes: new SuffixSequence(this.prng),
      deployment: opts.deployment,
      cronJob: opts.cronJob,
      services: opts.services ?? [],
      revision: opts.revision ?? 1,
      serviceName: opts.serviceName,
      job: kind === 'Job' ? { completions: 1, succeeded: 0, failed: 0, backoffLimit: 2, outcome: undefined, completedAt: undefined } : undefined,
      alive: true,
    };
    if (kind === 'DaemonSet') {
      this.daemonSets.push(ctl);
      for (const node of this.placement.all.values()) this.createDaemonPod(ctl, node);
    }
    this.markController(ctl);
    return ctl;
  }

  /** Deletes a controller and, by cascade, its pods. */
  removeController(ctl: SimController): void {
    for (const pod of [...ctl.pods]) this.removePod(pod);
    ctl.alive = false;
    this.toReconcile.delete(ctl);
    this.dirtyControllers.delete(ctl);
    if (ctl.deployment) ctl.deployment.replicaSets.splice(ctl.deployment.replicaSets.indexOf(ctl), 1);
    if (ctl.cronJob) ctl.cronJob.jobs.splice(ctl.cronJob.jobs.indexOf(ctl), 1);
    this.ledger.remove(ctl.kind, ctl.uid);
  }

  addDeployment(d: Omit<SimDeployment, 'uid' | 'replicaSets' | 'revision' | 'rollout' | 'alive' | 'selector' | 'templateLabels' | 'services'>): SimDeployment {
    // Field by field rather than a spread: every Deployment then shares one hidden class.
    const dep: SimDeployment = {
      uid: this.prng.uid(),
      name: d.name,
      namespace: d.namespace,
      createdAt: d.createdAt,
      labels: d.labels,
      selectorLabels: d.selectorLabels,
      selector: { matchLabels: d.selectorLabels },
      templateLabels: d.selectorLabels,
      replicas: d.replicas,
      minReplicas: d.minReplicas,
      maxReplicas: d.maxReplicas,
      makeTemplate: d.makeTemplate,
      version: d.version,
      replicaSets: [],
      revision: 0,
      rollout: undefined,
      services: [],
      platform: d.platform,
      alive: true,
    };
    this.deployments.add(dep);
    return dep;
  }

  /** A new revision: a ReplicaSet for the given image version (the rollout drives its size). */
  addReplicaSet(dep: SimDeployment, version: string, desired: number, createdAt: number): SimController {
    const hash = safeString(this.prng, 10);
    const template = dep.makeTemplate(version, hash);
    dep.version = version;
    dep.revision++;
    dep.templateLabels = without(template.labels, 'pod-template-hash');
    const rs = this.addController('ReplicaSet', dep.namespace, flatten(`${dep.name}-${hash}`), template, {
      createdAt,
      labels: template.labels,
      desired,
      services: dep.services,
      owner: { kind: 'Deployment', name: dep.name, uid: dep.uid },
      deployment: dep,
      revision: dep.revision,
    });
    dep.replicaSets = appended(dep.replicaSets, rs);
    this.dirtyDeployments.add(dep);
    return rs;
  }

  setReplicaSetSize(rs: SimController, desired: number): void {
    if (rs.desired === desired) return;
    rs.desired = desired;
    this.markController(rs);
  }

  addCronJob(cj: Omit<SimCronJob, 'uid' | 'jobs' | 'alive'>): SimCronJob {
    const cron: SimCronJob = {
      uid: this.prng.uid(),
      name: cj.name,
      namespace: cj.namespace,
      createdAt: cj.createdAt,
      labels: cj.labels,
      schedule: cj.schedule,
      everyMinutes: cj.everyMinutes,
      template: cj.template,
      makeTemplate: cj.makeTemplate,
      jobs: [],
      lastScheduleAt: cj.lastScheduleAt,
      alive: true,
    };
    this.cronJobs.add(cron);
    this.dirtyCronJobs.add(cron);
    return cron;
  }

  /** Starts a Job of the CronJob, scheduled at `at` (epoch ms, a whole minute). */
  runCronJob(cj: SimCronJob, at: number, createdAt = at): SimController {
    const name = flatten(`${cj.name}-${Math.floor(at / 60_000)}`);
    const template = cj.makeTemplate(name);
    const job = this.addController('Job', cj.namespace, name, template, {
      createdAt,
      labels: template.labels,
      desired: 1,
      owner: { kind: 'CronJob', name: cj.name, uid: cj.uid },
      cronJob: cj,
    });
    cj.jobs = appended(cj.jobs, job);
    cj.lastScheduleAt = at;
    this.dirtyCronJobs.add(cj);
    return job;
  }

  // ------------------------------------------------------------------------------------------
  // Services

  addService(ns: SimNamespace, spec: ServiceSpec, createdAt: number): SimService {
    const uid = this.prng.uid();
    const svc: SimService = {
      uid,
      name: spec.name,
      namespace: ns,
      selector: spec.selector,
      slices: [],
      sliceLabels: { 'kubernetes.io/service-name': spec.name, 'endpointslice.kubernetes.io/managed-by': SLICE_MANAGED_BY },
      sliceOwner: { kind: 'Service', name: spec.name, uid },
    };
    const record: ServiceRecord = { kind: 'Service', uid, name: spec.name, namespace: ns.name, createdAt, type: spec.type, ports: spec.ports };
    if (spec.labels) record.labels = spec.labels;
    if (spec.selector) record.selector = spec.selector;
    if (spec.externalName !== undefined) record.externalName = spec.externalName;
    else record.clusterIP = spec.headless ? 'None' : (spec.clusterIP ?? this.allocServiceIp());
    this.ledger.put(record);
    ns.services = appended(ns.services, svc);
    // Selector-less services (ExternalName, the API server's own) have no managed slices.
    if (spec.selector) this.newSlice(svc, createdAt);
    return svc;
  }

  /** Services of a namespace whose selector matches these labels (for pods without a controller). */
  matchingServices(ns: SimNamespace, labels: Labels): SimService[] {
    return ns.services.filter((s) => s.selector !== undefined && Object.entries(s.selector).every(([k, v]) => labels[k] === v));
  }

  // ------------------------------------------------------------------------------------------
  // Pods

  /** A pod of a ReplicaSet, DaemonSet or Job (generated name) or a StatefulSet (ordinal name). */
  createPod(ctl: SimController, ordinal?: number): SimPod {
    let labels = ctl.template.labels;
    let refs = ctl.template.refs;
    let name: string;
    if (ordinal !== undefined) {
      name = flatten(`${ctl.name}-${ordinal}`);
      labels = extend(labels, { 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) });
      refs = extend(refs ?? {}, { persistentVolumeClaims: [`data-${name}`] });
    } else {
      name = flatten(`${ctl.name}-${ctl.suffixes.next()}`);
    }
    this.podCount++;
    const createdAt = this.birth(ctl.createdAt);
    const pod = new SimPod(ctl, { uid: this.prng.uid(), name, namespace: ctl.namespace.name, labels, refs, createdAt });
    pod.ownerSlot = ctl.pods.length;
    ctl.pods.push(pod);
    this.markController(ctl);
    return pod;
  }

  /** A pod created directly (no controller), e.g. by a test driver or `kubectl run`. */
  createBarePod(ns: SimNamespace, name: string, template: PodTemplate, nodeName?: string): SimPod {
    const key = `${ns.name}/${name}`;
    if (this.barePods.has(key)) throw new Error(`pods "${name}" already exists`);
    const pod = this.newLoosePod(name, ns.name, template, this.matchingServices(ns, template.labels), undefined, this.now());
    this.barePods.set(key, pod);
    if (nodeName !== undefined) {
      const node = this.placement.all.values().find((n) => n.name === nodeName);
      if (node) {
        this.bind(pod, node);
        this.startContainers(pod);
        return pod;
      }
    }
    this.scheduleSoon(pod);
    return pod;
  }

  /** A static control-plane pod: the kubelet runs it, its mirror pod is owned by the node. */
  createStaticPod(node: SimNode, component: string, template: PodTemplate): SimPod {
    const pod = this.newLoosePod(flatten(`${component}-${node.name}`), 'kube-system', template, [], node, this.birth(node.createdAt));
    this.bind(pod, node);
    this.run(pod);
    return pod;
  }

  private createDaemonPod(ds: SimController, node: SimNode): void {
    const pod = this.createPod(ds);
    this.bind(pod, node);
    this.startContainers(pod);
  }

  private newLoosePod(name: string, namespace: string, template: PodTemplate, services: readonly SimService[], staticOn: SimNode | undefined, createdAt: number): SimPod {
    this.podCount++;
    return new LoosePod({ uid: this.prng.uid(), name, namespace, labels: template.labels, refs: template.refs, createdAt }, template, services, staticOn);
  }

  /** Renders the pod's current state and publishes it. */
  private publish(pod: SimPod): void {
    this.ledger.putPod(pod, renderPod(pod));
    if (!pod.node) this.unbound.add(pod);
  }

  /** Every pod with a published record: those on nodes (node by node), then those without one. */
  private *publishedPods(): Iterable<SimPod> {
    for (const node of this.placement.all.values()) for (const pod of node.pods) if (pod.rec) yield pod;
    yield* this.unbound;
  }

  /** Creation time: now when live; while generating, some time in the owner's past. */
  private birth(notBefore: number): number {
    const now = this.now();
    if (this.live || notBefore >= now) return now;
    return Math.round(notBefore + this.prng.next() * (now - notBefore));
  }

  private scheduleSoon(pod: SimPod): void {
    if (!this.live) {
      this.trySchedule(pod);
      return;
    }
    this.publish(pod);
    this.afterPod(pod, this.prng.range(...TIMING.schedule), () => this.trySchedule(pod));
  }

  /**
   * Asks the scheduler for a node; unschedulable pods wait in `pending` with its explanation.
   * `explained` caches explanations by scheduling constraints within one pass over many pods.
   */
  trySchedule(pod: SimPod, explained?: Map<string, string>): boolean {
    if (!pod.alive || pod.node || pod.deletingAt !== undefined) return false;
    const node = this.placement.place(pod.template, this.prng);
    if (!node) {
      const t = pod.template;
      const key = `${t.pool}/${t.tolerateAll}/${t.requests.cpu}/${t.requests.memory}/${t.gpus}`;
      let message = explained?.get(key);
      if (message === undefined) {
        message = this.placement.explain(t);
        explained?.set(key, message);
      }
      const first = !this.pending.has(pod);
      this.pending.add(pod);
      if (message !== pod.schedulingMessage || pod.reason !== 'Unschedulable') {
        pod.reason = 'Unschedulable';
        pod.schedulingMessage = message;
        this.publish(pod);
      } else if (first) this.publish(pod);
      if (first && this.live) this.events.record(this.prng, this.now(), podRef(pod), 'Warning', 'FailedScheduling', message);
      return false;
    }
    this.pending.delete(pod);
    pod.reason = undefined;
    pod.schedulingMessage = undefined;
    this.bind(pod, node);
    this.startContainers(pod);
    return true;
  }

  /** Retries up to `limit` unschedulable pods (room may have been freed). */
  retryPending(limit: number): void {
    const explained = new Map<string, string>();
    let n = 0;
    for (const pod of [...this.pending]) {
      if (n++ >= limit) break;
      this.trySchedule(pod, explained);
    }
  }

  private bind(pod: SimPod, node: SimNode): void {
    this.unbound.delete(pod);
    pod.node = node;
    pod.nodeSlot = node.pods.length;
    node.pods.push(pod);
    if (!this.live && pod.createdAt < node.createdAt) pod.createdAt = Math.min(this.now(), node.createdAt + Math.round(this.prng.range(30_000, 300_000)));
    this.account(pod, true);
  }

  /** Pulling images and starting containers: instant while generating, seconds when live. */
  private startContainers(pod: SimPod): void {
    if (!this.live) {
      this.run(pod);
      return;
    }
    this.setState(pod, 'ContainerCreating');
    this.afterPod(pod, this.prng.range(...TIMING.containerCreating), () => this.run(pod));
  }

  /** The pod's containers run: it gets its IP and, when live, a job pod its run time. */
  run(pod: SimPod): void {
    if (!pod.podIP) this.assignIp(pod);
    pod.startedAt = this.live ? this.now() : Math.min(this.now(), pod.createdAt + Math.round(this.prng.range(2_000, 20_000)));
    this.setState(pod, 'Running');
    if (this.live && pod.controller?.kind === 'Job') {
      this.afterPod(pod, this.prng.range(...TIMING.jobRun), () => this.setState(pod, this.prng.chance(0.9) ? 'Succeeded' : 'Failed', undefined));
    }
  }

  /** Back to before the containers started (no IP, no start time): image pulls that fail or lag. */
  unstart(pod: SimPod): void {
    pod.ipHost = 0;
    pod.podIP = undefined;
    pod.startedAt = undefined;
  }

  /** Moves a pod to a kubelet-reported state (crash, recovery, completion...). */
  setState(pod: SimPod, state: PodState, reason?: string, restarts = pod.restarts): void {
    const wasTerminal = pod.state === 'Succeeded' || pod.state === 'Failed';
    pod.state = state;
    pod.reason = reason;
    pod.restarts = restarts;
    pod.epoch++;
    const terminal = state === 'Succeeded' || state === 'Failed';
    if (terminal && !wasTerminal) {
      this.account(pod, false);
      const job = pod.controller?.job;
      if (job && job.outcome === undefined) {
        if (state === 'Succeeded') job.succeeded++;
        else job.failed++;
        if (job.succeeded >= job.completions) job.outcome = 'Complete';
        else if (job.failed > job.backoffLimit) job.outcome = 'Failed';
        if (job.outcome) {
          job.completedAt = this.now();
          const cj = pod.controller?.cronJob;
          if (cj) this.dirtyCronJobs.add(cj);
        }
      }
    }
    this.podChanged(pod);
  }

  /** Deletion with a grace period: Terminating now, gone when the containers have stopped. */
  terminatePod(pod: SimPod, graceMs = this.prng.range(...TIMING.grace)): void {
    if (!pod.alive || pod.deletingAt !== undefined) return;
    // Nothing runs for a pod that is unscheduled or finished: the API server deletes it at once.
    if (!pod.node || pod.state === 'Succeeded' || pod.state === 'Failed') {
      this.removePod(pod);
      return;
    }
    pod.deletingAt = this.now();
    pod.epoch++;
    this.podChanged(pod);
    if (this.live) this.afterPod(pod, graceMs, () => this.removePod(pod));
  }

  removePod(pod: SimPod): void {
    if (!pod.alive) return;
    pod.alive = false;
    pod.epoch++;
    this.podCount--;
    this.pending.delete(pod);
    this.unbound.delete(pod);
    const node = pod.node;
    if (node) {
      this.account(pod, false);
      swapRemove(node.pods, pod.nodeSlot, (moved, slot) => (moved.nodeSlot = slot));
    }
    const ctl = pod.controller;
    if (ctl) {
      swapRemove(ctl.pods, pod.ownerSlot, (moved, slot) => (moved.ownerSlot = slot));
      this.markController(ctl);
    } else if (!pod.staticOn) this.barePods.delete(`${pod.namespace}/${pod.name}`);
    this.syncEndpoints(pod);
    this.ledger.removePod(pod);
  }

  /** Re-renders a pod after any change and propagates it to endpoints and owner status. */
  podChanged(pod: SimPod): void {
    if (!pod.alive) return;
    this.publish(pod);
    this.syncEndpoints(pod);
    if (pod.controller) this.markController(pod.controller);
  }

  /** Runs `fn` after `ms` unless the pod changed (or went) in the meantime. */
  afterPod(pod: SimPod, ms: number, fn: () => void): void {
    const epoch = pod.epoch;
    this.later(ms, () => {
      if (pod.alive && pod.epoch === epoch) fn();
    });
  }

  /** Runs `fn` after `ms` unless the node changed health (or went) in the meantime. */
  afterNode(node: SimNode, ms: number, fn: () => void): void {
    const epoch = node.epoch;
    this.later(ms, () => {
      if (node.alive && node.epoch === epoch) fn();
    });
  }

  private account(pod: SimPod, on: boolean): void {
    if (pod.counted === on || !pod.node) return;
    const sign = on ? 1 : -1;
    const used = pod.node.used;
    used.cpu += sign * pod.template.requests.cpu;
    used.memory += sign * pod.template.requests.memory;
    used.gpus += sign * pod.template.gpus;
    used.pods += sign;
    pod.counted = on;
  }

  private assignIp(pod: SimPod): void {
    const node = pod.node;
    if (!node) return;
    // The hosts in use are those of the pods on the node (a pod keeps its IP while it is there):
    // worked out here rather than kept per node.
    const used = HOSTS_IN_USE.fill(0);
    for (const p of node.pods) used[p.ipHost] = 1;
    for (let i = 0; i < 253; i++) {
      const host = node.nextHost;
      node.nextHost = host >= 254 ? 2 : host + 1;
      if (used[host]) continue;
      pod.ipHost = host;
      const slot = node.cidrSlot;
      pod.podIP = flatten(ipv4(ipv4Number(10, 64 + (slot >> 8), slot & 255, host)));
      return;
    }
    throw new Error(`simulated cluster: no pod IP left on ${node.name}`);
  }

  // ------------------------------------------------------------------------------------------
  // Endpoints

  private syncEndpoints(pod: SimPod): void {
    const wanted = pod.alive && podIsEndpoint(pod);
    const ready = podReady(pod);
    const changed = pod.endpointReady !== ready;
    for (const svc of pod.services) {
      // A service has a few slices of up to 100 endpoints: finding the pod's is a short scan.
      let slice: SimSlice | undefined;
      let at = -1;
      for (const s of svc.slices) {
        at = s.members.indexOf(pod);
        if (at >= 0) {
          slice = s;
          break;
        }
      }
      if (wanted) {
        if (slice) {
          if (changed) this.dirtySlices.add(slice);
        } else {
          const target = svc.slices.find((s) => s.members.length < MAX_ENDPOINTS_PER_SLICE) ?? this.newSlice(svc, this.now());
          target.members.push(pod);
          this.dirtySlices.add(target);
        }
      } else if (slice) {
        slice.members.splice(at, 1);
        this.dirtySlices.add(slice);
      }
    }
    // One readiness for all its slices: every slice that lists the pod was marked above.
    if (wanted) pod.endpointReady = ready;
  }

  private newSlice(svc: SimService, createdAt: number): SimSlice {
    const slice: SimSlice = { uid: this.prng.uid(), name: flatten(`${svc.name}-${safeString(this.prng, 5)}`), createdAt, service: svc, members: [] };
    svc.slices = appended(svc.slices, slice);
    this.dirtySlices.add(slice);
    return slice;
  }

  // ------------------------------------------------------------------------------------------
  // Reconciliation

  markController(ctl: SimController): void {
    if (!ctl.alive) return;
    this.toReconcile.add(ctl);
    this.dirtyControllers.add(ctl);
    if (ctl.deployment) this.dirtyDeployments.add(ctl.deployment);
    if (ctl.cronJob) this.dirtyCronJobs.add(ctl.cronJob);
  }

  markDeployment(dep: SimDeployment): void {
    this.dirtyDeployments.add(dep);
  }

  /** Runs the controllers over everything that changed, then publishes their status. */
  flush(): void {
    while (this.toReconcile.size > 0) {
      const batch = [...this.toReconcile];
      this.toReconcile.clear();
      for (const ctl of batch) if (ctl.alive) this.reconcile(ctl);
    }
    for (const cj of this.dirtyCronJobs) if (cj.alive) this.trimHistory(cj);
    for (const ctl of this.dirtyControllers) if (ctl.alive) this.putIfChanged(renderController(ctl));
    for (const dep of this.dirtyDeployments) if (dep.alive) this.putIfChanged(renderDeployment(dep));
    for (const cj of this.dirtyCronJobs) if (cj.alive) this.putIfChanged(renderCronJob(cj));
    for (const slice of this.dirtySlices) this.flushSlice(slice);
    this.dirtyControllers.clear();
    this.dirtyDeployments.clear();
    this.dirtyCronJobs.clear();
    this.dirtySlices.clear();
  }

  private reconcile(ctl: SimController): void {
    if (ctl.kind === 'DaemonSet') return; // pods follow nodes (addNode/removeNode)
    const active = ctl.pods.filter((p) => p.deletingAt === undefined && p.state !== 'Succeeded' && p.state !== 'Failed');
    if (ctl.kind === 'StatefulSet') {
      // Ordinals, in order; a name is reused only once its previous pod is completely gone.
      const taken = new Set(ctl.pods.map((p) => p.name));
      for (let i = 0; i < ctl.desired; i++) {
        if (!taken.has(`${ctl.name}-${i}`)) this.scheduleSoon(this.createPod(ctl, i));
      }
      for (const pod of active) {
        const ordinal = Number(pod.name.slice(ctl.name.length + 1));
        if (ordinal >= ctl.desired) this.terminatePod(pod);
      }
      return;
    }
    let want = ctl.desired;
    if (ctl.job) want = ctl.job.outcome ? 0 : Math.min(ctl.desired, ctl.job.completions - ctl.job.succeeded);
    for (let i = active.length; i < want; i++) this.scheduleSoon(this.createPod(ctl));
    if (active.length > want && ctl.kind === 'ReplicaSet') {
      // The ReplicaSet controller retires unscheduled pods first, then unready, then the newest.
      const victims = active.sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt).slice(0, active.length - want);
      for (const pod of victims) this.terminatePod(pod);
    }
  }

  /** CronJob history limits: 3 successful and 1 failed job are kept. */
  private trimHistory(cj: SimCronJob): void {
    const finished = (outcome: string) => cj.jobs.filter((j) => j.job?.outcome === outcome);
    for (const [outcome, keep] of [
      ['Complete', 3],
      ['Failed', 1],
    ] as const) {
      const jobs = finished(outcome);
      for (const job of jobs.slice(0, Math.max(0, jobs.length - keep))) this.removeController(job);
    }
  }

  private flushSlice(slice: SimSlice): void {
    const svc = slice.service;
    const known = this.ledger.has('EndpointSlice', slice.uid);
    if (slice.members.length === 0 && svc.slices.length > 1) {
      svc.slices.splice(svc.slices.indexOf(slice), 1);
      if (known) this.ledger.remove('EndpointSlice', slice.uid);
      return;
    }
    if (svc.slices.includes(slice)) this.ledger.put(renderSlice(slice));
  }

  private putIfChanged(record: Parameters<Ledger['put']>[0]): void {
    const prev = this.ledger.get(record.kind, record.uid);
    if (!prev || !shallowEqual(prev, record)) this.ledger.put(record);
  }

  // ------------------------------------------------------------------------------------------
  // Addresses

  private allocNodeIp(): number {
    for (;;) {
      const n = ipv4Number(10, 0, this.prng.int(0, 255), this.prng.int(4, 254));
      if (!this.usedNodeIps.has(n)) {
        this.usedNodeIps.add(n);
        return n;
      }
    }
  }

  private allocServiceIp(): string {
    for (;;) {
      const n = ipv4Number(172, 20, this.prng.int(0, 255), this.prng.int(1, 254));
      if (n === ipv4Number(172, 20, 0, 1) || n === ipv4Number(172, 20, 0, 10)) continue; // kubernetes, kube-dns
      if (!this.usedServiceIps.has(n)) {
        this.usedServiceIps.add(n);
        return flatten(ipv4(n));
      }
    }
  }
}

/** What a controller's selector matches, as the real controllers label their pods. */
function selectorFor(kind: SimController['kind'], name: string, template: PodTemplate, deployment: SimDeployment | undefined): Labels {
  if (kind === 'Job') return { 'batch.kubernetes.io/job-name': name };
  const hash = template.labels['pod-template-hash'];
  if (deployment) return hash === undefined ? deployment.selectorLabels : extend(deployment.selectorLabels, { 'pod-template-hash': hash });
  return { 'app.kubernetes.io/name': template.labels['app.kubernetes.io/name'] ?? name };
}

export function podRef(pod: SimPod): { kind: string; name: string; namespace: string; uid: string } {
  return { kind: 'Pod', name: pod.name, namespace: pod.namespace, uid: pod.uid };
}

/** What the ReplicaSet controller deletes first: unscheduled, then not running, then not ready. */
function rank(pod: SimPod): number {
  if (!pod.node) return 0;
  if (pod.state !== 'Running') return 1;
  return podReady(pod) ? 3 : 2;
}

function kubeReservedCpu(cores: number): number {
  // GKE/EKS formula: 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% above.
  let m = 60;
  if (cores > 1) m += 10;
  if (cores > 2) m += 5 * Math.min(2, cores - 2);
  if (cores > 4) m += 2.5 * (cores - 4);
  return Math.round(m);
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}
