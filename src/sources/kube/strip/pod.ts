// Pod → PodRecord: the status an operator reads in `kubectl get pods`, and the requests the
// scheduler counts against a node.
import { parseCpu, parseMemory } from '../../../model/quantity.js';
import type {
  Condition,
  ContainerRecord,
  PodRecord,
  PodStatus,
  Resources,
} from '../../../model/records.js';
import { interner } from './interner.js';
import { isSidecar, specRefs } from './pod-spec.js';
import {
  annotation,
  apiObject,
  condition,
  count,
  type Json,
  num,
  obj,
  objects,
  shared,
  str,
  text,
  time,
  truncate,
} from './read.js';

const PHASES = new Set<PodRecord['phase']>(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);
const MAX_SCHEDULING_MESSAGE = 500;
/** Set by the kubelet on the API copy of a static pod. */
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function stripPod(raw: unknown): PodRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { object: pod, base, spec, status } = read;

  const rawPhase = str(status.phase) ?? 'Pending';
  const phase = PHASES.has(rawPhase as PodRecord['phase']) ? (rawPhase as PodRecord['phase']) : 'Unknown';
  const conditions = objects(status.conditions);
  const ready = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  const verdict = podVerdict(base.deletingAt !== undefined, spec, status, phase, ready);
  const initStatuses = objects(status.initContainerStatuses);
  const containerStatuses = objects(status.containerStatuses);

  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  // One object literal with the fields nearly every pod has, in a fixed order: all pods then
  // share one hidden class and keep these fields inside the object. Fields that are usually
  // absent (a terminating, failing or unscheduled pod's) are added only when present, rather
  // than carried as undefined by every pod.
  const record: PodRecord = {
    kind: 'Pod',
    uid: base.uid,
    name: base.name,
    namespace: base.namespace,
    labels: base.labels,
    createdAt: base.createdAt,
    owner: base.owner,
    nodeName: shared(spec.nodeName),
    phase,
    status: verdict.status,
    ready,
    restarts: restarts(spec, initStatuses, containerStatuses, verdict.initializing),
    requests: interner.value(podResources(spec, 'requests') as Resources),
    limits: interner.value(podResources(spec, 'limits')),
    // Pods of one template mostly have equal containers (same images, running, ready): shared.
    containers: interner.value([
      ...containerRecords(objects(spec.initContainers), initStatuses, true),
      ...containerRecords(objects(spec.containers), containerStatuses, false),
    ]),
    podIP: text(status.podIP),
    qosClass: shared(status.qosClass),
    refs: specRefs(spec),
    startedAt: time(status.startTime),
  };
  if (base.deletingAt !== undefined) record.deletingAt = base.deletingAt;
  if (verdict.reason !== undefined) record.reason = verdict.reason;
  if (scheduled?.status === 'False') {
    const message = text(scheduled.message);
    if (message !== undefined) record.schedulingMessage = truncate(message, MAX_SCHEDULING_MESSAGE);
  }
  // A healthy pod's conditions are all True and say nothing its status does not; keeping them
  // only when one is not True saves a few hundred bytes on each of 150,000 pods.
  if (conditions.some((c) => c.status !== 'True')) {
    const kept = conditions.map(condition).filter((c): c is Condition => c !== undefined);
    if (kept.length > 0) record.conditions = kept;
  }
  const priorityClassName = shared(spec.priorityClassName);
  if (priorityClassName !== undefined) record.priorityClassName = priorityClassName;
  const ownerKind = base.owner?.kind;
  if (ownerKind === 'DaemonSet' || ownerKind === 'Node' || annotation(pod, MIRROR_ANNOTATION) !== undefined) {
    record.daemon = true;
  }
  return record;
}

// --- status, following kubectl's printPod ---------------------------------------------------

interface Verdict {
  status: PodStatus;
  reason?: string;
  /** An init container has not finished yet. */
  initializing: boolean;
}

/** How a container's waiting reason reads as a pod status. */
function waitingStatus(reason: string): PodStatus {
  if (reason === 'ContainerCreating' || reason === 'PodInitializing') return 'ContainerCreating';
  if (reason === 'CrashLoopBackOff') return 'CrashLoopBackOff';
  // ImagePullBackOff, ErrImagePull, CreateContainerConfigError, InvalidImageName, ...
  return 'Error';
}

function terminatedReason(state: Json): string {
  const reason = text(state.reason);
  if (reason !== undefined) return reason;
  const signal = num(state.signal);
  return signal ? `Signal:${signal}` : `ExitCode:${num(state.exitCode) ?? 0}`;
}

function podVerdict(
  deleting: boolean,
  spec: Json,
  status: Json,
  phase: PodRecord['phase'],
  ready: boolean,
): Verdict {
  // `reason` is the text kubectl would print; `fromContainers` is how that text reads as one of
  // our statuses when a container state produced it.
  let reason = text(status.reason) ?? phase;
  let fromContainers: PodStatus | 'Completed' | undefined;
  const conditions = objects(status.conditions);
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  if (scheduled?.reason === 'SchedulingGated') reason = 'SchedulingGated';

  const initSpecs = objects(spec.initContainers);
  const sidecars = new Set(initSpecs.filter(isSidecar).map((c) => c.name));
  let initializing = false;
  const initStatuses = objects(status.initContainerStatuses);
  for (const [index, container] of initStatuses.entries()) {
    const state = obj(container.state) ?? {};
    const terminated = obj(state.terminated);
    const waitingReason = text(obj(state.waiting)?.reason);
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (sidecars.has(container.name) && container.started === true) continue;
    initializing = true;
    if (terminated) {
      reason = `Init:${terminatedReason(terminated)}`;
      fromContainers = 'Error';
    } else if (waitingReason !== undefined && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
      fromContainers = waitingStatus(waitingReason);
    } else {
      reason = `Init:${index}/${initSpecs.length}`;
      fromContainers = 'ContainerCreating';
    }
    break;
  }

  const initialized = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    let hasRunning = false;
    const statuses = objects(status.containerStatuses);
    // Backwards, like kubectl: the first container with something to say has the last word.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const state = obj(statuses[i]?.state) ?? {};
      const waiting = obj(state.waiting);
      const terminated = obj(state.terminated);
      const waitingReason = text(waiting?.reason);
      if (waitingReason !== undefined) {
        reason = waitingReason;
        fromContainers = waitingStatus(waitingReason);
      } else if (terminated) {
        reason = terminatedReason(terminated);
        fromContainers = reason === 'Completed' ? 'Completed' : 'Error';
      } else if (statuses[i]?.ready === true && obj(state.running)) {
        hasRunning = true;
      }
    }
    // Some containers completed while others still run (a finished helper): the pod runs.
    if (reason === 'Completed' && hasRunning) {
      reason = ready ? 'Running' : 'NotReady';
      fromContainers = undefined;
    }
  }

  if (deleting && status.reason === 'NodeLost') return { status: 'Unknown', reason: 'NodeLost', initializing };
  if (deleting && phase !== 'Succeeded' && phase !== 'Failed') return { status: 'Terminating', initializing };
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Unknown') {
    return withReason(phase, reason, initializing);
  }
  if (fromContainers === 'Completed') return { status: 'NotReady', reason, initializing };
  if (fromContainers !== undefined) return withReason(fromContainers, reason, initializing);
  if (phase === 'Pending') {
    const schedulingReason = reason === 'SchedulingGated' ? reason : shared(scheduled?.reason);
    const pending: Verdict = { status: spec.nodeName ? 'ContainerCreating' : 'Pending', initializing };
    if (schedulingReason !== undefined && scheduled?.status !== 'True') pending.reason = schedulingReason;
    return pending;
  }
  return withReason(ready ? 'Running' : 'NotReady', reason, initializing);
}

function withReason(status: PodStatus, reason: string, initializing: boolean): Verdict {
  const redundant = reason === status || reason === 'Running' || reason === 'Pending';
  return redundant ? { status, initializing } : { status, reason: shared(reason) ?? reason, initializing };
}

function restarts(spec: Json, initStatuses: Json[], statuses: Json[], initializing: boolean): number {
  const sum = (list: Json[]) => list.reduce((total, c) => total + (count(c.restartCount) ?? 0), 0);
  // Like kubectl: while initializing the init containers' restarts are the story; afterwards
  // only the sidecars among them keep counting.
  if (initializing) return sum(initStatuses);
  const sidecars = new Set(objects(spec.initContainers).filter(isSidecar).map((c) => c.name));
  return sum(initStatuses.filter((c) => sidecars.has(c.name))) + sum(statuses);
}

// --- containers -----------------------------------------------------------------------------

function containerRecords(specs: Json[], statuses: Json[], init: boolean): ContainerRecord[] {
  const statusByName = new Map(statuses.map((s) => [s.name, s]));
  const records: ContainerRecord[] = [];
  for (const spec of specs) {
    const name = shared(spec.name);
    if (name === undefined) continue;
    const status = statusByName.get(name);
    const state = obj(status?.state) ?? {};
    const record: ContainerRecord = {
      name,
      image: shared(spec.image) ?? '',
      state: obj(state.running) ? 'running' : obj(state.terminated) ? 'terminated' : 'waiting',
      ready: status?.ready === true,
      restarts: count(status?.restartCount) ?? 0,
    };
    if (init) record.init = true;
    const waitingReason = shared(obj(state.waiting)?.reason);
    const terminated = obj(state.terminated);
    if (waitingReason !== undefined) record.reason = waitingReason;
    else if (terminated) record.reason = shared(terminatedReason(terminated)) ?? '';
    const resources = obj(spec.resources);
    const requests = quantities(resources?.requests);
    if (requests) record.requests = requests;
    const limits = quantities(resources?.limits);
    if (limits) record.limits = limits;
    records.push(record);
  }
  return records;
}

function quantities(value: unknown): Partial<Resources> | undefined {
  const map = obj(value);
  if (!map) return undefined;
  const result: Partial<Resources> = {};
  const cpu = parseCpu(map.cpu);
  if (cpu !== undefined) result.cpu = cpu;
  const memory = parseMemory(map.memory);
  if (memory !== undefined) result.memory = memory;
  return result.cpu !== undefined || result.memory !== undefined ? result : undefined;
}

// --- effective pod resources ----------------------------------------------------------------

/**
 * What the scheduler counts (k8s.io/component-helpers resource.PodRequests): the sum over
 * containers and sidecars, or the largest init container (plus the sidecars started before
 * it) if that is more, plus the RuntimeClass overhead. Pod-level resources, when set, replace
 * the container sum. Requests always have both fields (0 when unset); limits only the fields
 * some container sets, like kubectl's PodRequestsAndLimits.
 */
function podResources(spec: Json, which: 'requests' | 'limits'): Partial<Resources> {
  const result: Partial<Resources> = {};
  const podLevel = quantities(obj(spec.resources)?.[which]);
  const overhead = quantities(spec.overhead);
  for (const resource of ['cpu', 'memory'] as const) {
    let set = false;
    const valueOf = (container: Json): number => {
      const value = quantities(obj(container.resources)?.[which])?.[resource];
      if (value !== undefined) set = true;
      return value ?? 0;
    };
    let total = 0;
    for (const container of objects(spec.containers)) total += valueOf(container);
    let sidecarTotal = 0;
    let initPeak = 0;
    for (const container of objects(spec.initContainers)) {
      const value = valueOf(container);
      if (isSidecar(container)) {
        total += value;
        sidecarTotal += value;
        initPeak = Math.max(initPeak, sidecarTotal);
      } else {
        initPeak = Math.max(initPeak, value + sidecarTotal);
      }
    }
    total = Math.max(total, initPeak);
    const podValue = podLevel?.[resource];
    if (podValue !== undefined) {
      total = podValue;
      set = true;
    }
    if (which === 'limits' && !set) continue;
    result[resource] = total + (overhead?.[resource] ?? 0);
  }
  return result;
}
