// metrics.k8s.io NodeMetrics and PodMetrics → measured usage. The poller turns these into
// UsageRecords once it knows the uid of the node or pod measured.
import { parseCpu, parseMemory } from '../../../model/quantity.js';
import type { Resources } from '../../../model/records.js';
import { obj, objects, shared, text, time } from './read.js';

export interface MeasuredUsage {
  name: string;
  namespace?: string;
  usage: Resources;
  sampledAt: number;
  createdAt: number;
}

/** Metrics objects have no uid of their own: name (and namespace) say what was measured. */
function measured(raw: unknown, namespaced: boolean, usage: Resources | undefined): MeasuredUsage | undefined {
  const object = obj(raw);
  const metadata = obj(object?.metadata);
  const name = text(metadata?.name);
  const namespace = shared(metadata?.namespace);
  if (!object || name === undefined || !usage || (namespaced && namespace === undefined)) return undefined;
  const sampledAt = time(object.timestamp) ?? Date.now();
  const result: MeasuredUsage = { name, usage, sampledAt, createdAt: time(metadata?.creationTimestamp) ?? sampledAt };
  if (namespaced) result.namespace = namespace;
  return result;
}

function usageOf(value: unknown): Resources | undefined {
  const usage = obj(value);
  const cpu = parseCpu(usage?.cpu);
  const memory = parseMemory(usage?.memory);
  return cpu !== undefined && memory !== undefined ? { cpu, memory } : undefined;
}

export function readNodeUsage(raw: unknown): MeasuredUsage | undefined {
  return measured(raw, false, usageOf(obj(raw)?.usage));
}

/** A pod's usage is the sum over its containers. */
export function readPodUsage(raw: unknown): MeasuredUsage | undefined {
  const containers = objects(obj(raw)?.containers).map((c) => usageOf(c.usage));
  if (containers.some((c) => c === undefined)) return measured(raw, true, undefined);
  const total = containers.reduce<Resources>(
    (sum, c) => ({ cpu: sum.cpu + (c?.cpu ?? 0), memory: sum.memory + (c?.memory ?? 0) }),
    { cpu: 0, memory: 0 },
  );
  return measured(raw, true, total);
}
