// Pod templates from catalog definitions: container specs, effective requests the way the
// scheduler counts them, QoS class. One template instance is shared by every pod of a revision.
import type { Labels, Resources, TemplateRefs } from '../../model/records.js';
import { MI, type ContainerDef, type PoolName } from './catalog.js';
import type { Shared } from './names.js';
import { healthyContainers } from './render.js';
import type { ContainerSpec, PodTemplate } from './state.js';

export interface TemplateInput {
  labels: Labels;
  containers: ContainerDef[];
  init?: ContainerDef;
  /** Rewrites container images (a new version on rollout); identity when absent. */
  image?: (image: string) => string;
  pool?: PoolName;
  gpus?: number;
  tolerateAll?: boolean;
  daemon?: boolean;
  priorityClassName?: string;
  refs?: TemplateRefs;
}

/** Everything in a template but its labels and refs: identical across cells, so shared. */
export type TemplateBody = Omit<PodTemplate, 'labels' | 'refs'>;

/**
 * A pod template. With `bodies`, templates that differ only in labels and refs (the same
 * service in another cell, the same version in another revision) share their containers,
 * requests and limits.
 */
export function buildTemplate(input: TemplateInput, bodies?: Shared<TemplateBody>): PodTemplate {
  const image = input.image ?? ((s: string) => s);
  const make = () => templateBody(input, image);
  const body = bodies ? bodies.get(JSON.stringify([input.containers.map((c) => [c, image(c.image)]), input.init, input.pool, input.gpus, input.tolerateAll, input.daemon, input.priorityClassName]), make) : make();
  // Field by field rather than `{ ...body, labels }`: templates then share one hidden class.
  return {
    labels: input.labels,
    refs: input.refs,
    requests: body.requests,
    limits: body.limits,
    gpus: body.gpus,
    containers: body.containers,
    running: body.running,
    qosClass: body.qosClass,
    priorityClassName: body.priorityClassName,
    pool: body.pool,
    tolerateAll: body.tolerateAll,
    daemon: body.daemon,
    images: body.images,
  };
}

function templateBody(input: TemplateInput, image: (s: string) => string): TemplateBody {
  const specs: ContainerSpec[] = [];
  if (input.init) specs.push(containerSpec(input.init, true, image));
  for (const c of input.containers) specs.push(containerSpec(c, false, image));
  const body: TemplateBody = {
    requests: effectiveRequests(specs),
    limits: podLimits(specs),
    gpus: input.gpus ?? 0,
    containers: specs,
    running: healthyContainers(specs),
    qosClass: qosClass(specs),
    tolerateAll: input.tolerateAll ?? false,
    daemon: input.daemon ?? false,
    images: [...new Set(specs.filter((s) => !s.init).map((s) => s.image))],
  };
  if (input.priorityClassName !== undefined) body.priorityClassName = input.priorityClassName;
  if (input.pool) body.pool = input.pool;
  return body;
}

function containerSpec(c: ContainerDef, init: boolean, image: (s: string) => string): ContainerSpec {
  const spec: ContainerSpec = { name: c.name, image: image(c.image), init };
  const requests: Partial<Resources> = {};
  if (c.cpu > 0) requests.cpu = c.cpu;
  if (c.memory > 0) requests.memory = c.memory * MI;
  if (c.cpu > 0 || c.memory > 0) spec.requests = requests;
  if (c.limits) {
    const limits: Partial<Resources> = {};
    if (c.limits.cpu !== undefined && c.cpu > 0) limits.cpu = Math.round(c.cpu * c.limits.cpu);
    if (c.limits.memory !== undefined && c.memory > 0) limits.memory = Math.round(c.memory * c.limits.memory) * MI;
    if (limits.cpu !== undefined || limits.memory !== undefined) spec.limits = limits;
  }
  return spec;
}

/** max(largest init container, sum of app containers), per resource: what the scheduler reserves. */
function effectiveRequests(specs: ContainerSpec[]): Resources {
  const sum = { cpu: 0, memory: 0 };
  const init = { cpu: 0, memory: 0 };
  for (const s of specs) {
    const cpu = s.requests?.cpu ?? 0;
    const memory = s.requests?.memory ?? 0;
    if (s.init) {
      init.cpu = Math.max(init.cpu, cpu);
      init.memory = Math.max(init.memory, memory);
    } else {
      sum.cpu += cpu;
      sum.memory += memory;
    }
  }
  return { cpu: Math.max(sum.cpu, init.cpu), memory: Math.max(sum.memory, init.memory) };
}

/** Pod-level limits: the sum over app containers, only when every one of them sets it. */
function podLimits(specs: ContainerSpec[]): Partial<Resources> {
  const app = specs.filter((s) => !s.init);
  const limits: Partial<Resources> = {};
  if (app.every((s) => s.limits?.cpu !== undefined)) limits.cpu = app.reduce((n, s) => n + (s.limits?.cpu ?? 0), 0);
  if (app.every((s) => s.limits?.memory !== undefined)) limits.memory = app.reduce((n, s) => n + (s.limits?.memory ?? 0), 0);
  return limits;
}

function qosClass(specs: ContainerSpec[]): PodTemplate['qosClass'] {
  if (specs.every((s) => !s.requests && !s.limits)) return 'BestEffort';
  const guaranteed = specs.every(
    (s) => s.requests?.cpu !== undefined && s.requests.memory !== undefined && s.limits?.cpu === s.requests.cpu && s.limits?.memory === s.requests.memory,
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
