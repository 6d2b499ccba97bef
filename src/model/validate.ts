// Structural validation of compact records (records.ts), for tests and for the edges where data
// arrives from elsewhere. Returns every problem found, as "path: what is wrong"; an empty list
// means the record is valid. Strict on purpose: a field that records.ts does not define is a
// problem too, because the point of compact records is that nothing else travels.
import { POD_STATUSES, RECORD_KINDS, isNamespacedKind, type RecordKind } from './records.js';

type Check = (value: unknown, path: string, out: string[]) => void;

interface Field {
  check: Check;
  optional: boolean;
}

type Shape = Record<string, Check | Field>;

const optional = (check: Check): Field => ({ check, optional: true });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const string: Check = (v, path, out) => {
  if (typeof v !== 'string') out.push(`${path}: expected a string, got ${describe(v)}`);
};

const name: Check = (v, path, out) => {
  if (typeof v !== 'string' || v.length === 0) out.push(`${path}: expected a non-empty string, got ${describe(v)}`);
};

/** Quantities, counts and times: finite and never negative. */
const count: Check = (v, path, out) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) out.push(`${path}: expected a finite number >= 0, got ${describe(v)}`);
};

const boolean: Check = (v, path, out) => {
  if (typeof v !== 'boolean') out.push(`${path}: expected a boolean, got ${describe(v)}`);
};

const portValue: Check = (v, path, out) => {
  if (typeof v === 'string') name(v, path, out);
  else count(v, path, out);
};

const oneOf =
  (...values: readonly string[]): Check =>
  (v, path, out) => {
    if (typeof v !== 'string' || !values.includes(v)) out.push(`${path}: expected one of ${values.join(', ')}, got ${describe(v)}`);
  };

const list =
  (item: Check): Check =>
  (v, path, out) => {
    if (!Array.isArray(v)) {
      out.push(`${path}: expected an array, got ${describe(v)}`);
      return;
    }
    v.forEach((x, i) => item(x, `${path}[${i}]`, out));
  };

const dictionary =
  (value: Check): Check =>
  (v, path, out) => {
    if (!isObject(v)) {
      out.push(`${path}: expected an object, got ${describe(v)}`);
      return;
    }
    for (const [k, x] of Object.entries(v)) value(x, `${path}.${k}`, out);
  };

const object =
  (shape: Shape): Check =>
  (v, path, out) => {
    if (!isObject(v)) {
      out.push(`${path}: expected an object, got ${describe(v)}`);
      return;
    }
    checkShape(v, shape, path, out);
  };

function checkShape(v: Record<string, unknown>, shape: Shape, path: string, out: string[]): void {
  for (const [key, spec] of Object.entries(shape)) {
    const field = typeof spec === 'function' ? { check: spec, optional: false } : spec;
    const value = v[key];
    // An optional field set to undefined is absent: JSON.stringify drops it.
    if (value === undefined) {
      if (!field.optional) out.push(`${join(path, key)}: required`);
      continue;
    }
    field.check(value, join(path, key), out);
  }
  for (const key of Object.keys(v)) if (!(key in shape)) out.push(`${join(path, key)}: unexpected field`);
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v;
}

const labels = dictionary(string);
const resources = object({ cpu: count, memory: count });
const partialResources = object({ cpu: optional(count), memory: optional(count) });
const nodeResources = object({ cpu: count, memory: count, pods: count, extended: optional(dictionary(count)) });
const condition = object({ type: name, status: oneOf('True', 'False', 'Unknown'), reason: optional(string), message: optional(string), since: optional(count) });
const labelSelector = object({
  matchLabels: optional(labels),
  matchExpressions: optional(list(object({ key: name, operator: name, values: optional(list(string)) }))),
});
/** Every check holds (all run, so every problem is reported). */
const all =
  (...checks: Check[]): Check =>
  (v, path, out) => {
    for (const check of checks) check(v, path, out);
  };

/**
 * Two lists of an object that run side by side (hosts, and where each was found): when the
 * second is there, it has one entry for each entry of the first.
 */
const sameLength =
  (first: string, second: string): Check =>
  (v, path, out) => {
    if (!isObject(v) || !Array.isArray(v[second])) return;
    const a = v[first];
    const b = v[second];
    if (!Array.isArray(a) || a.length !== b.length) {
      out.push(`${join(path, second)}: expected one entry for each of ${first}, got ${b.length} for ${Array.isArray(a) ? a.length : 0}`);
    }
  };

const templateRefs = all(
  object({
    serviceAccount: optional(string),
    configMaps: optional(list(name)),
    secrets: optional(list(name)),
    persistentVolumeClaims: optional(list(name)),
    envHosts: optional(list(name)),
    hostFields: optional(list(name)),
  }),
  sameLength('envHosts', 'hostFields'),
);
const backendRef = { service: name, namespace: optional(name), port: optional(portValue) };
const container = object({
  name,
  image: string,
  init: optional(boolean),
  state: oneOf('waiting', 'running', 'terminated'),
  reason: optional(string),
  ready: boolean,
  restarts: count,
  requests: optional(partialResources),
  limits: optional(partialResources),
});
const policyRule = object({
  peers: list(object({ podSelector: optional(labelSelector), namespaceSelector: optional(labelSelector), ipBlock: optional(object({ cidr: name, except: optional(list(name)) })) })),
  ports: optional(list(object({ protocol: optional(string), port: optional(portValue), endPort: optional(count) }))),
});

const meta: Shape = {
  kind: name,
  uid: name,
  name,
  namespace: optional(name),
  labels: optional(labels),
  createdAt: count,
  deletingAt: optional(count),
  owner: optional(object({ kind: name, name, uid: name })),
};

const workload: Shape = {
  ...meta,
  selector: optional(labelSelector),
  desired: count,
  ready: count,
  available: optional(count),
  updated: optional(count),
  template: optional(templateRefs),
  templateLabels: optional(labels),
  images: optional(list(string)),
};

const route: Shape = {
  ...meta,
  parents: list(object({ name, namespace: optional(name), sectionName: optional(name), kind: optional(name) })),
  hostnames: list(name),
  backends: list(object({ ...backendRef, kind: optional(name), weight: optional(count) })),
};

const trafficPeer = object({
  namespace: optional(name),
  workload: optional(name),
  service: optional(name),
  serviceName: optional(name),
  outside: optional(boolean),
});
const traffic: Shape = {
  kind: name,
  uid: name,
  name,
  createdAt: count,
  mesh: oneOf('istio', 'linkerd', 'otel'),
  protocol: oneOf('http', 'grpc', 'tcp'),
  source: trafficPeer,
  destination: trafficPeer,
  requestRate: optional(count),
  errorRate: optional(count),
  p95Ms: optional(count),
  tcpBytesRate: optional(count),
  tcpConnections: optional(count),
  sampledAt: count,
};
const usage: Shape = { kind: name, uid: name, name, namespace: optional(name), usage: resources, sampledAt: count, createdAt: count };

const SHAPES: Record<RecordKind, Shape> = {
  Namespace: { ...meta, phase: name },
  Node: {
    ...meta,
    roles: list(string),
    unschedulable: boolean,
    taints: list(object({ key: name, value: optional(string), effect: name })),
    conditions: list(condition),
    ready: boolean,
    capacity: nodeResources,
    allocatable: nodeResources,
    kubeletVersion: optional(string),
    internalIP: optional(string),
  },
  Pod: {
    ...meta,
    nodeName: optional(name),
    phase: oneOf('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'),
    status: oneOf(...POD_STATUSES),
    reason: optional(string),
    schedulingMessage: optional(string),
    ready: boolean,
    restarts: count,
    requests: resources,
    limits: partialResources,
    containers: list(container),
    conditions: optional(list(condition)),
    podIP: optional(name),
    qosClass: optional(string),
    priorityClassName: optional(string),
    daemon: optional(boolean),
    refs: optional(templateRefs),
    startedAt: optional(count),
  },
  Deployment: { ...workload, strategy: optional(string), paused: optional(boolean) },
  ReplicaSet: { ...workload, revision: optional(string) },
  StatefulSet: { ...workload, serviceName: optional(string) },
  DaemonSet: workload,
  Job: {
    ...workload,
    completions: optional(count),
    succeeded: count,
    failed: count,
    active: count,
    outcome: optional(oneOf('Complete', 'Failed')),
    completedAt: optional(count),
  },
  CronJob: { ...workload, schedule: name, suspend: boolean, lastScheduleAt: optional(count), active: count },
  Service: {
    ...meta,
    type: name,
    selector: optional(labels),
    clusterIP: optional(name),
    externalName: optional(name),
    ports: list(object({ name: optional(string), port: count, targetPort: optional(portValue), protocol: optional(string) })),
  },
  EndpointSlice: {
    ...meta,
    serviceName: optional(name),
    addressType: name,
    endpoints: list(object({ targetPod: optional(name), nodeName: optional(name), ready: boolean, addresses: list(name) })),
  },
  Ingress: {
    ...meta,
    className: optional(string),
    rules: list(object({ host: optional(name), paths: list(object({ path: optional(string), backend: object(backendRef) })) })),
    defaultBackend: optional(object(backendRef)),
    tlsHosts: optional(list(name)),
  },
  NetworkPolicy: {
    ...meta,
    podSelector: labelSelector,
    policyTypes: list(oneOf('Ingress', 'Egress')),
    ingress: list(policyRule),
    egress: list(policyRule),
  },
  Gateway: {
    ...meta,
    className: name,
    listeners: list(object({ name, port: count, protocol: name, hostname: optional(name) })),
    addresses: optional(list(name)),
  },
  HTTPRoute: route,
  GRPCRoute: route,
  ReferenceGrant: {
    ...meta,
    // The core group is "": a string, not a name.
    from: list(object({ group: string, kind: name, namespace: name })),
    to: list(object({ group: string, kind: name, name: optional(name) })),
  },
  Event: {
    ...meta,
    involved: object({ kind: name, name, namespace: optional(name), uid: optional(name) }),
    type: name,
    reason: name,
    message: string,
    count,
    lastSeenAt: count,
  },
  ConfigMap: { ...meta, hosts: list(name), hostFields: list(name) },
  NodeMetrics: usage,
  PodMetrics: usage,
  Traffic: traffic,
};

/** Checks across the fields of a record, after its shape. */
const RECORD_CHECKS: Partial<Record<RecordKind, Check>> = {
  ConfigMap: sameLength('hosts', 'hostFields'),
};

/** Problems with a record, each as "path: what is wrong"; empty when the record is valid. */
export function validateRecord(r: unknown): string[] {
  if (!isObject(r)) return [`record: expected an object, got ${describe(r)}`];
  const kind = r.kind;
  if (typeof kind !== 'string' || !(RECORD_KINDS as readonly string[]).includes(kind)) return [`kind: unknown kind ${describe(kind)}`];
  const out: string[] = [];
  checkShape(r, SHAPES[kind as RecordKind], '', out);
  RECORD_CHECKS[kind as RecordKind]?.(r, '', out);
  const namespaced = isNamespacedKind(kind as RecordKind);
  if (namespaced && r.namespace === undefined) out.push(`namespace: required for ${kind}`);
  if (!namespaced && r.namespace !== undefined) out.push(`namespace: ${kind} is cluster-scoped`);
  return out;
}
