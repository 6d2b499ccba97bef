// Workloads → records: replica counts, the selector, and what their pod template refers to.
import type {
  CronJobRecord,
  DaemonSetRecord,
  DeploymentRecord,
  JobRecord,
  ReplicaSetRecord,
  StatefulSetRecord,
} from '../../../model/records.js';
import { specImages, specRefs } from './pod-spec.js';
import { annotation, apiObject, bool, count, type Json, labels, labelSelector, obj, objects, shared, time } from './read.js';

type TemplateFields = Pick<DeploymentRecord, 'selector' | 'template' | 'templateLabels' | 'images'>;

/** The parts every workload shares, read from its spec's selector and pod template. */
function workloadBase(spec: Json): TemplateFields {
  const result: TemplateFields = {};
  const template = obj(spec.template);
  const parsedSelector = labelSelector(spec.selector);
  if (parsedSelector) result.selector = parsedSelector;
  if (!template) return result;
  const podSpec = obj(template.spec) ?? {};
  const refs = specRefs(podSpec);
  if (refs) result.template = refs;
  const templateLabels = labels(obj(template.metadata)?.labels);
  if (templateLabels) result.templateLabels = templateLabels;
  const images = specImages(podSpec);
  if (images.length > 0) result.images = images;
  return result;
}

/** Optional counters are kept only when the API reports them. */
function setCount<T extends object, K extends keyof T>(record: T, key: K, value: unknown): void {
  const n = count(value);
  if (n !== undefined) record[key] = n as T[K];
}

export function stripDeployment(raw: unknown): DeploymentRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec, status } = read;
  const record: DeploymentRecord = {
    kind: 'Deployment',
    ...base,
    ...workloadBase(spec),
    desired: count(spec.replicas) ?? 1,
    ready: count(status.readyReplicas) ?? 0,
  };
  setCount(record, 'available', status.availableReplicas);
  setCount(record, 'updated', status.updatedReplicas);
  const strategy = shared(obj(spec.strategy)?.type);
  if (strategy !== undefined) record.strategy = strategy;
  if (spec.paused === true) record.paused = true;
  return record;
}

export function stripReplicaSet(raw: unknown): ReplicaSetRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { object, base, spec, status } = read;
  const record: ReplicaSetRecord = {
    kind: 'ReplicaSet',
    ...base,
    ...workloadBase(spec),
    desired: count(spec.replicas) ?? 1,
    ready: count(status.readyReplicas) ?? 0,
  };
  setCount(record, 'available', status.availableReplicas);
  const revision = annotation(object, 'deployment.kubernetes.io/revision');
  if (revision !== undefined) record.revision = revision;
  return record;
}

export function stripStatefulSet(raw: unknown): StatefulSetRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec, status } = read;
  const record: StatefulSetRecord = {
    kind: 'StatefulSet',
    ...base,
    ...workloadBase(spec),
    desired: count(spec.replicas) ?? 1,
    ready: count(status.readyReplicas) ?? 0,
  };
  setCount(record, 'available', status.availableReplicas);
  setCount(record, 'updated', status.updatedReplicas);
  const serviceName = shared(spec.serviceName);
  if (serviceName !== undefined) record.serviceName = serviceName;
  return record;
}

export function stripDaemonSet(raw: unknown): DaemonSetRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec, status } = read;
  const record: DaemonSetRecord = {
    kind: 'DaemonSet',
    ...base,
    ...workloadBase(spec),
    desired: count(status.desiredNumberScheduled) ?? 0,
    ready: count(status.numberReady) ?? 0,
  };
  setCount(record, 'available', status.numberAvailable);
  setCount(record, 'updated', status.updatedNumberScheduled);
  return record;
}

export function stripJob(raw: unknown): JobRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec, status } = read;
  const record: JobRecord = {
    kind: 'Job',
    ...base,
    ...workloadBase(spec),
    desired: count(spec.parallelism) ?? 1,
    ready: count(status.ready) ?? 0,
    succeeded: count(status.succeeded) ?? 0,
    failed: count(status.failed) ?? 0,
    active: count(status.active) ?? 0,
  };
  setCount(record, 'completions', spec.completions);
  const finished = objects(status.conditions).find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  if (finished) record.outcome = finished.type as 'Complete' | 'Failed';
  const completedAt = time(status.completionTime);
  if (completedAt !== undefined) record.completedAt = completedAt;
  return record;
}

/**
 * A CronJob runs no pods itself (its Jobs do), so `desired` and `ready` are 0; `active` counts
 * its running Jobs.
 */
export function stripCronJob(raw: unknown): CronJobRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec, status } = read;
  const jobSpec = obj(obj(spec.jobTemplate)?.spec) ?? {};
  const record: CronJobRecord = {
    kind: 'CronJob',
    ...base,
    ...workloadBase(jobSpec),
    desired: 0,
    ready: 0,
    schedule: shared(spec.schedule) ?? '',
    suspend: bool(spec.suspend) ?? false,
    active: objects(status.active).length,
  };
  const lastScheduleAt = time(status.lastScheduleTime);
  if (lastScheduleAt !== undefined) record.lastScheduleAt = lastScheduleAt;
  return record;
}
