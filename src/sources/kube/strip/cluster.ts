// Cluster-scoped kinds → records: Namespace and Node.
import { parseCount, parseCpu, parseMemory } from '../../../model/quantity.js';
import type { Condition, NamespaceRecord, NodeRecord, NodeResources, Taint } from '../../../model/records.js';
import { interner } from './interner.js';
import { apiObject, condition, obj, objects, shared, text } from './read.js';

export function stripNamespace(raw: unknown): NamespaceRecord | undefined {
  const read = apiObject(raw, false);
  if (!read) return undefined;
  return { kind: 'Namespace', ...read.base, phase: shared(read.status.phase) ?? 'Active' };
}

/** Ready plus the conditions that explain why a node is not (the ones `kubectl describe` leads with). */
const NODE_CONDITIONS = new Set(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);
const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
/** Extended resources are domain-prefixed (nvidia.com/gpu); a handful is all a view can show. */
const MAX_EXTENDED_RESOURCES = 8;

export function stripNode(raw: unknown): NodeRecord | undefined {
  const read = apiObject(raw, false);
  if (!read) return undefined;
  const { base, spec, status } = read;
  const conditions = objects(status.conditions)
    .filter((c) => NODE_CONDITIONS.has(String(c.type)))
    .map(condition)
    .filter((c): c is Condition => c !== undefined);
  const record: NodeRecord = {
    kind: 'Node',
    ...base,
    roles: roles(base.labels),
    unschedulable: spec.unschedulable === true,
    taints: taints(spec.taints),
    conditions,
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    capacity: nodeResources(status.capacity),
    allocatable: nodeResources(status.allocatable),
  };
  const kubeletVersion = shared(obj(status.nodeInfo)?.kubeletVersion);
  if (kubeletVersion !== undefined) record.kubeletVersion = kubeletVersion;
  const internalIP = text(objects(status.addresses).find((a) => a.type === 'InternalIP')?.address);
  if (internalIP !== undefined) record.internalIP = internalIP;
  return record;
}

function roles(labels: Record<string, string> | undefined): string[] {
  const result = new Set<string>();
  for (const key in labels) {
    if (key.startsWith(ROLE_LABEL_PREFIX) && key.length > ROLE_LABEL_PREFIX.length) {
      result.add(interner.string(key.slice(ROLE_LABEL_PREFIX.length)));
    }
  }
  // The older convention some installers still set.
  const legacy = labels?.['kubernetes.io/role'];
  if (legacy) result.add(legacy);
  return [...result].sort();
}

function taints(value: unknown): Taint[] {
  return objects(value).flatMap((t) => {
    const key = shared(t.key);
    const effect = shared(t.effect);
    if (key === undefined || effect === undefined) return [];
    const value = shared(t.value);
    return [value !== undefined ? { key, value, effect } : { key, effect }];
  });
}

function nodeResources(value: unknown): NodeResources {
  const map = obj(value) ?? {};
  const result: NodeResources = {
    cpu: parseCpu(map.cpu) ?? 0,
    memory: parseMemory(map.memory) ?? 0,
    pods: parseCount(map.pods) ?? 0,
  };
  const extended: [string, number][] = [];
  for (const key in map) {
    if (!key.includes('/') || extended.length === MAX_EXTENDED_RESOURCES) continue;
    const count = parseCount(map[key]);
    if (count !== undefined && count > 0) extended.push([interner.string(key), count]);
  }
  if (extended.length > 0) result.extended = Object.fromEntries(extended);
  return result;
}
