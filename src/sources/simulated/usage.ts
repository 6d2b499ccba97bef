// Usage as metrics-server would report it. Each pod follows its own slow curve (a share of its
// requests, a daily-ish wave, a phase), derived from a per-pod seed so that no per-pod state is
// kept beyond the last published sample. A node's usage is the sum of its pods plus what the
// kubelet, runtime and OS use. A sample is published only when it moved noticeably, so a quiet
// cluster does not resend 150,000 records every interval.
import type { Resources, UsageRecord } from '../../model/records.js';
import { GI, MI } from './catalog.js';
import type { SimCluster } from './cluster.js';
import { hashString, unit } from './prng.js';
import type { SimNode, SimPod } from './state.js';

/**
 * Hidden-class anchors for the usage records, which a large cluster publishes by the hundred
 * thousand. V8 stores a number field either inline (small integers), as a reference to a heap
 * number, or, once a hidden class has only seen numbers and one of them was not a small integer,
 * as a private 16-byte box per object. These objects, kept alive, give each record shape a
 * hidden class whose time fields hold references (so the records of one sampling pass share one
 * heap number for `sampledAt`, and for `createdAt` too on the first pass) and whose `memory` keeps
 * byte counts inline: 30 to 45 bytes less per PodMetrics record. Memory only, no behaviour.
 * The key order must be the one of the literals below.
 */
// Exported so that they stay alive (a module's unexported, unused constants need not).
export const USAGE_SHAPE_ANCHORS: readonly object[] = [
  { cpu: 0, memory: null },
  { kind: '', uid: '', name: '', namespace: '', usage: null, sampledAt: null, createdAt: null },
  { kind: '', uid: '', name: '', usage: null, sampledAt: null, createdAt: null },
];

/** Relative change below which a sample is not republished. */
export const USAGE_THRESHOLD = 0.02;
const MIN_CPU_STEP = 1; // millicores
const MIN_MEMORY_STEP = 256 * 1024;

export class UsageModel {
  private cursor = 0;

  constructor(private readonly cluster: SimCluster) {}

  /** Samples every node and its pods; publishes what moved (everything, the first time). */
  sample(now: number): void {
    for (const node of this.cluster.placement.all.values()) this.sampleNode(node, now);
  }

  /**
   * Samples the next `count` nodes, round the cluster: a pass over all of them per interval, in
   * slices, so that no single batch (and no single pause of the event loop) carries the whole
   * cluster's usage.
   */
  sampleSlice(now: number, count: number): void {
    const nodes = this.cluster.placement.all;
    for (let i = 0; i < Math.min(count, nodes.size); i++) {
      if (this.cursor >= nodes.size) this.cursor = 0;
      this.sampleNode(nodes.at(this.cursor++), now);
    }
  }

  private sampleNode(node: SimNode, now: number): void {
    // A node whose kubelet is unreachable or not yet up cannot be scraped: its last samples stay.
    if (node.health !== 'Ready') return;
    const ledger = this.cluster.ledger;
    let cpu = 0;
    let memory = 0;
    for (const pod of node.pods) {
      const known = pod.metrics;
      if (!hasMetrics(pod)) {
        if (known) ledger.removePodMetrics(pod);
        continue;
      }
      const usage = podUsage(pod, now);
      cpu += usage.cpu;
      memory += usage.memory;
      if (!known || moved(known.usage, usage)) {
        ledger.putPodMetrics(pod, { kind: 'PodMetrics', uid: pod.uid, name: pod.name, namespace: pod.namespace, usage, sampledAt: now, createdAt: known?.createdAt ?? now });
      }
    }
    const system = systemUsage(node, now);
    const usage = { cpu: cpu + system.cpu, memory: memory + system.memory };
    const known = ledger.get('NodeMetrics', node.uid) as UsageRecord | undefined;
    if (!known || moved(known.usage, usage)) {
      ledger.put({ kind: 'NodeMetrics', uid: node.uid, name: node.name, usage, sampledAt: now, createdAt: known?.createdAt ?? now });
    }
  }
}

/** metrics-server reports pods whose containers run (a crash-looping pod between restarts too). */
function hasMetrics(pod: SimPod): boolean {
  switch (pod.state) {
    case 'Running':
    case 'NotReady':
    case 'CrashLoopBackOff':
      return true;
    case 'Error':
      return pod.reason !== 'ImagePullBackOff';
    default:
      return false;
  }
}

export function podUsage(pod: SimPod, now: number): Resources {
  // The pod's curve follows from its uid: nothing per pod to keep.
  const s = hashString(pod.uid);
  const req = pod.template.requests;
  const period = (20 + 100 * unit(s, 3)) * 60_000;
  const phase = 2 * Math.PI * unit(s, 4);
  const angle = (2 * Math.PI * now) / period + phase;
  const amplitude = 0.1 + 0.3 * unit(s, 2);
  // Most pods use well under what they request; a few run hot.
  const cpuBase = req.cpu > 0 ? req.cpu * (0.1 + 0.9 * unit(s, 1) ** 1.5) : 5 + 45 * unit(s, 5);
  const memoryBase = req.memory > 0 ? req.memory * (0.35 + 0.6 * unit(s, 6)) : (20 + 180 * unit(s, 7)) * MI;
  const idle = pod.state === 'CrashLoopBackOff' || pod.state === 'Error' ? 0.05 : 1;
  const cpu = Math.max(1, Math.round(cpuBase * idle * (1 + amplitude * Math.sin(angle))));
  const memory = Math.round((memoryBase * idle * (1 + 0.05 * Math.sin(angle / 3))) / 1024) * 1024;
  return { cpu, memory };
}

/** Kubelet, container runtime and OS: a few percent of the machine, breathing a little. */
function systemUsage(node: SimNode, now: number): Resources {
  const wave = 1 + 0.15 * Math.sin((2 * Math.PI * now) / 600_000 + 2 * Math.PI * unit(hashString(node.uid), 1));
  return {
    cpu: Math.round((60 + node.capacity.cpu * 0.01) * wave),
    memory: Math.round((0.6 * GI + node.capacity.memory * 0.02) * wave / 1024) * 1024,
  };
}

function moved(before: Resources, after: Resources): boolean {
  const dc = Math.abs(after.cpu - before.cpu);
  const dm = Math.abs(after.memory - before.memory);
  return (dc >= MIN_CPU_STEP && dc > before.cpu * USAGE_THRESHOLD) || (dm >= MIN_MEMORY_STEP && dm > before.memory * USAGE_THRESHOLD);
}
