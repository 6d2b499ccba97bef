// Simulated state → compact records, shaped exactly as the real source strips API objects.
// Records are built fresh on every change and never mutated; pieces that many records share
// (labels, templates, healthy container lists) are shared instances.
import type {
  Condition,
  ContainerRecord,
  CronJobRecord,
  DaemonSetRecord,
  DeploymentRecord,
  EndpointSliceRecord,
  JobRecord,
  LabelSelector,
  NamespaceRecord,
  NodeRecord,
  PodRecord,
  ReplicaSetRecord,
  StatefulSetRecord,
  Taint,
} from '../../model/records.js';
import type { ContainerSpec, PodTemplate, SimController, SimCronJob, SimDeployment, SimNamespace, SimNode, SimPod, SimSlice } from './state.js';

export function renderNamespace(ns: SimNamespace): NamespaceRecord {
  return { kind: 'Namespace', uid: ns.uid, name: ns.name, labels: ns.labels, createdAt: ns.createdAt, phase: 'Active' };
}

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const UNREACHABLE_TAINTS: Taint[] = [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
];
const NOT_READY_TAINT: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

/** The taints the node carries now: its pool's, plus those the node controllers add. */
export function nodeTaints(node: SimNode): Taint[] {
  const taints = [...node.pool.taints];
  if (node.unschedulable) taints.push(UNSCHEDULABLE_TAINT);
  if (node.health === 'NotReady') taints.push(...UNREACHABLE_TAINTS);
  if (node.health === 'Starting') taints.push(NOT_READY_TAINT);
  return taints;
}

export function renderNode(node: SimNode): NodeRecord {
  const since = node.healthSince;
  const ready: Condition =
    node.health === 'Ready'
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', since }
      : node.health === 'Starting'
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
            since,
          }
        : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', since };
  const pressure = node.health === 'NotReady' ? 'Unknown' : 'False';
  const conditions: Condition[] = [
    ready,
    { type: 'MemoryPressure', status: pressure, reason: pressure === 'False' ? 'KubeletHasSufficientMemory' : 'NodeStatusUnknown', since: node.createdAt },
    { type: 'DiskPressure', status: pressure, reason: pressure === 'False' ? 'KubeletHasNoDiskPressure' : 'NodeStatusUnknown', since: node.createdAt },
    { type: 'PIDPressure', status: pressure, reason: pressure === 'False' ? 'KubeletHasSufficientPID' : 'NodeStatusUnknown', since: node.createdAt },
    { type: 'NetworkUnavailable', status: 'False', reason: 'CiliumIsUp', message: 'Cilium is running on this node', since: node.createdAt },
  ];
  return {
    kind: 'Node',
    uid: node.uid,
    name: node.name,
    labels: node.labels,
    createdAt: node.createdAt,
    roles: node.pool.name === 'control-plane' ? ['control-plane'] : [],
    unschedulable: node.unschedulable,
    taints: nodeTaints(node),
    conditions,
    ready: node.health === 'Ready',
    capacity: node.capacity,
    allocatable: node.allocatable,
    kubeletVersion: node.kubeletVersion,
    internalIP: node.internalIP,
  };
}

/** Whether the pod's Ready condition is true. */
export function podReady(pod: SimPod): boolean {
  return pod.state === 'Running' && pod.deletingAt === undefined && (pod.node === undefined || pod.node.health !== 'NotReady');
}

/** Whether the pod is listed in its services' EndpointSlices (has an IP and is not finished). */
export function podIsEndpoint(pod: SimPod): boolean {
  return pod.podIP !== undefined && pod.state !== 'Succeeded' && pod.state !== 'Failed';
}

export function renderPod(pod: SimPod): PodRecord {
  const ready = podReady(pod);
  const phase = podPhase(pod);
  const deletingAt = pod.deletingAt;
  const status = deletingAt !== undefined ? 'Terminating' : pod.state === 'Running' && !ready ? 'NotReady' : pod.state;
  const t = pod.template;
  const owner = pod.controller?.podOwner ?? (pod.staticOn ? { kind: 'Node', name: pod.staticOn.name, uid: pod.staticOn.uid } : undefined);
  const node = pod.node;
  const reason = pod.reason;
  const schedulingMessage = pod.schedulingMessage;
  const podIP = pod.podIP;
  const refs = pod.refs;
  const startedAt = pod.startedAt;
  const containers = renderContainers(pod, ready);
  if (owner && node && podIP !== undefined && refs && startedAt !== undefined && deletingAt === undefined && reason === undefined && schedulingMessage === undefined) {
    // A started pod, the usual case, as one literal: all its fields then sit in the object
    // itself, where fields added one by one would spill into a separate property array. The key
    // order is the same as below.
    const { uid, name, namespace, labels, createdAt, restarts } = pod;
    const { requests, limits, qosClass, priorityClassName } = t;
    const nodeName = node.name;
    if (priorityClassName === undefined && !t.daemon) {
      return { kind: 'Pod', uid, name, namespace, labels, createdAt, owner, nodeName, phase, status, ready, restarts, requests, limits, containers, podIP, qosClass, refs, startedAt };
    }
    if (priorityClassName !== undefined && t.daemon) {
      return { kind: 'Pod', uid, name, namespace, labels, createdAt, owner, nodeName, phase, status, ready, restarts, requests, limits, containers, podIP, qosClass, priorityClassName, daemon: true, refs, startedAt };
    }
    if (priorityClassName !== undefined) {
      return { kind: 'Pod', uid, name, namespace, labels, createdAt, owner, nodeName, phase, status, ready, restarts, requests, limits, containers, podIP, qosClass, priorityClassName, refs, startedAt };
    }
  }
  const r: PodRecord = { kind: 'Pod', uid: pod.uid, name: pod.name, namespace: pod.namespace, labels: pod.labels, createdAt: pod.createdAt } as PodRecord;
  if (deletingAt !== undefined) r.deletingAt = deletingAt;
  if (owner) r.owner = owner;
  if (node) r.nodeName = node.name;
  r.phase = phase;
  r.status = status;
  if (reason !== undefined) r.reason = reason;
  if (schedulingMessage !== undefined) r.schedulingMessage = schedulingMessage;
  r.ready = ready;
  r.restarts = pod.restarts;
  r.requests = t.requests;
  r.limits = t.limits;
  r.containers = containers;
  if (podIP !== undefined) r.podIP = podIP;
  r.qosClass = t.qosClass;
  if (t.priorityClassName !== undefined) r.priorityClassName = t.priorityClassName;
  if (t.daemon) r.daemon = true;
  if (refs) r.refs = refs;
  if (startedAt !== undefined) r.startedAt = startedAt;
  return r;
}

function podPhase(pod: SimPod): PodRecord['phase'] {
  switch (pod.state) {
    case 'Pending':
    case 'ContainerCreating':
      return 'Pending';
    case 'Error':
      return pod.reason === 'ImagePullBackOff' ? 'Pending' : 'Running';
    case 'Succeeded':
      return 'Succeeded';
    case 'Failed':
      return 'Failed';
    default:
      return 'Running';
  }
}

/**
 * Container lists of pods that are not simply healthy, per container specs and then per what
 * they depend on: pods in the same situation (completed job runs, a restart or two, a NotReady
 * node) share one list, as healthy pods share `template.running`. Restart counts past
 * MAX_SHARED_RESTARTS (a crash loop's) are not shared, so that the variants stay few.
 */
const CONTAINER_VARIANTS = new WeakMap<ContainerSpec[], Map<string, ContainerRecord[]>>();
const MAX_SHARED_RESTARTS = 10;

function renderContainers(pod: SimPod, podIsReady: boolean): ContainerRecord[] {
  const t = pod.template;
  const restarts = pod.restarts;
  if (podIsReady && restarts === 0) return t.running;
  if (restarts > MAX_SHARED_RESTARTS) return containerList(t.containers, pod.state, pod.reason, restarts, podIsReady);
  let variants = CONTAINER_VARIANTS.get(t.containers);
  if (!variants) CONTAINER_VARIANTS.set(t.containers, (variants = new Map()));
  const key = `${pod.state}/${pod.reason ?? ''}/${restarts}/${podIsReady}`;
  let list = variants.get(key);
  if (!list) variants.set(key, (list = containerList(t.containers, pod.state, pod.reason, restarts, podIsReady)));
  return list;
}

function containerList(containers: ContainerSpec[], state: SimPod['state'], reason: string | undefined, podRestarts: number, podIsReady: boolean): ContainerRecord[] {
  const main = containers.findIndex((c) => !c.init);
  return containers.map((spec, i) => {
    if (spec.init) {
      const done = state !== 'Pending' && state !== 'ContainerCreating';
      return done ? container(spec, 'terminated', 'Completed', true, 0) : container(spec, 'waiting', state === 'ContainerCreating' ? 'PodInitializing' : undefined, false, 0);
    }
    const restarts = i === main ? podRestarts : 0;
    switch (state) {
      case 'Pending':
        return container(spec, 'waiting', undefined, false, 0);
      case 'ContainerCreating':
        return container(spec, 'waiting', 'ContainerCreating', false, 0);
      case 'Succeeded':
        return container(spec, 'terminated', 'Completed', false, restarts);
      case 'Failed':
        return container(spec, 'terminated', 'Error', false, restarts);
      case 'CrashLoopBackOff':
        return i === main ? container(spec, 'waiting', 'CrashLoopBackOff', false, restarts) : container(spec, 'running', undefined, true, 0);
      case 'Error':
        if (i !== main) return container(spec, 'running', undefined, true, 0);
        return reason === 'ImagePullBackOff'
          ? container(spec, 'waiting', 'ImagePullBackOff', false, restarts)
          : container(spec, 'terminated', reason ?? 'Error', false, restarts);
      case 'NotReady':
        return container(spec, 'running', undefined, i !== main, restarts);
      case 'Running':
        return container(spec, 'running', undefined, podIsReady, restarts);
    }
  });
}

function container(spec: ContainerSpec, state: ContainerRecord['state'], reason: string | undefined, ready: boolean, restarts: number): ContainerRecord {
  const c: ContainerRecord = { name: spec.name, image: spec.image } as ContainerRecord;
  if (spec.init) c.init = true;
  c.state = state;
  if (reason !== undefined) c.reason = reason;
  c.ready = ready;
  c.restarts = restarts;
  if (spec.requests) c.requests = spec.requests;
  if (spec.limits) c.limits = spec.limits;
  return c;
}

/** The shared container list of a healthy running pod of this template. */
export function healthyContainers(containers: ContainerSpec[]): ContainerRecord[] {
  return containers.map((spec) => (spec.init ? container(spec, 'terminated', 'Completed', true, 0) : container(spec, 'running', undefined, true, 0)));
}

function readyCount(ctl: SimController): number {
  let n = 0;
  for (const p of ctl.pods) if (podReady(p)) n++;
  return n;
}

/** Status counts of a controller as its controller manager would report them. */
export function renderController(ctl: SimController): ReplicaSetRecord | StatefulSetRecord | DaemonSetRecord | JobRecord {
  const ready = readyCount(ctl);
  const t = ctl.template;
  const base = {
    uid: ctl.uid,
    name: ctl.name,
    namespace: ctl.namespace.name,
    labels: ctl.labels,
    createdAt: ctl.createdAt,
  };
  const owner = ctl.owner ? { owner: ctl.owner } : {};
  const shape: { selector: LabelSelector; template?: PodTemplate['refs']; templateLabels: Record<string, string>; images: string[] } = {
    selector: ctl.selector,
    templateLabels: t.labels,
    images: t.images,
  };
  if (t.refs) shape.template = t.refs;
  switch (ctl.kind) {
    case 'ReplicaSet':
      return { kind: 'ReplicaSet', ...base, ...owner, ...shape, desired: ctl.desired, ready, available: ready, revision: String(ctl.revision) };
    case 'StatefulSet':
      return { kind: 'StatefulSet', ...base, ...shape, desired: ctl.desired, ready, available: ready, updated: ctl.pods.length, serviceName: ctl.serviceName ?? ctl.name };
    case 'DaemonSet': {
      const scheduled = ctl.pods.length;
      return { kind: 'DaemonSet', ...base, ...shape, desired: scheduled, ready, available: ready, updated: scheduled };
    }
    case 'Job': {
      const job = ctl.job as NonNullable<SimController['job']>;
      let active = 0;
      for (const p of ctl.pods) if (p.state !== 'Succeeded' && p.state !== 'Failed' && p.deletingAt === undefined) active++;
      const r: JobRecord = { kind: 'Job', ...base, ...owner, ...shape, desired: ctl.desired, ready, completions: job.completions, succeeded: job.succeeded, failed: job.failed, active };
      if (job.outcome) r.outcome = job.outcome;
      if (job.completedAt !== undefined) r.completedAt = job.completedAt;
      return r;
    }
  }
}

export function renderDeployment(d: SimDeployment): DeploymentRecord {
  let ready = 0;
  let updated = 0;
  const current = d.replicaSets[d.replicaSets.length - 1];
  for (const rs of d.replicaSets) {
    const n = readyCount(rs);
    ready += n;
    if (rs === current) updated = rs.pods.length;
  }
  const t = current?.template;
  const r: DeploymentRecord = {
    kind: 'Deployment',
    uid: d.uid,
    name: d.name,
    namespace: d.namespace.name,
    labels: d.labels,
    createdAt: d.createdAt,
    selector: d.selector,
    desired: d.replicas,
    ready,
    available: ready,
    updated,
    strategy: 'RollingUpdate',
  };
  if (t) {
    if (t.refs) r.template = t.refs;
    r.templateLabels = d.templateLabels;
    r.images = t.images;
  }
  return r;
}

export function renderCronJob(cj: SimCronJob): CronJobRecord {
  const template = cj.template;
  let active = 0;
  let ready = 0;
  for (const job of cj.jobs) {
    if (job.job?.outcome !== undefined) continue;
    active++;
    ready += readyCount(job);
  }
  const r: CronJobRecord = {
    kind: 'CronJob',
    uid: cj.uid,
    name: cj.name,
    namespace: cj.namespace.name,
    labels: cj.labels,
    createdAt: cj.createdAt,
    desired: 1,
    ready,
    images: template.images,
    schedule: cj.schedule,
    suspend: false,
    active,
  };
  if (template.refs) r.template = template.refs;
  if (cj.lastScheduleAt !== undefined) r.lastScheduleAt = cj.lastScheduleAt;
  return r;
}

export const SLICE_MANAGED_BY = 'endpointslice-controller.k8s.io';

export function renderSlice(slice: SimSlice): EndpointSliceRecord {
  const svc = slice.service;
  // map, not push: an array of exact size. One literal: every endpoint in one compact shape.
  const endpoints = slice.members.map((pod): EndpointSliceRecord['endpoints'][number] =>
    pod.node
      ? { targetPod: pod.name, nodeName: pod.node.name, ready: pod.endpointReady, addresses: [pod.podIP as string] }
      : { targetPod: pod.name, ready: pod.endpointReady, addresses: [pod.podIP as string] },
  );
  return {
    kind: 'EndpointSlice',
    uid: slice.uid,
    name: slice.name,
    namespace: svc.namespace.name,
    labels: svc.sliceLabels,
    createdAt: slice.createdAt,
    owner: svc.sliceOwner,
    serviceName: svc.name,
    addressType: 'IPv4',
    endpoints,
  };
}
