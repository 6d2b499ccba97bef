// The scheduler's view: which nodes a pod may go to and whether its requests fit in what is
// left of their allocatable resources. Placement probes a few random candidates and keeps the
// least allocated (what the default scheduler's scoring amounts to), so placing a pod costs
// O(1) however large the cluster. Only when probing fails does it scan, and only when nothing
// fits does it explain why, in the scheduler's own words.
import type { Taint } from '../../model/records.js';
import type { Prng } from './prng.js';
import { nodeTaints } from './render.js';
import { RandomSet, type PodTemplate, type SimNode } from './state.js';

const PROBES = 12;

export class Placement {
  readonly all = new RandomSet<SimNode>();
  private readonly byPool = new Map<string, RandomSet<SimNode>>();
  /** Nodes whose pool has no taints: where pods without a pool selector can go. */
  private readonly open = new RandomSet<SimNode>();

  add(node: SimNode): void {
    this.all.add(node);
    this.pool(node.pool.name).add(node);
    if (node.pool.taints.length === 0) this.open.add(node);
  }

  remove(node: SimNode): void {
    this.all.delete(node);
    this.pool(node.pool.name).delete(node);
    this.open.delete(node);
  }

  /** A node with room for a pod of this template, or undefined when none has. */
  place(t: PodTemplate, prng: Prng): SimNode | undefined {
    const set = t.pool ? this.pool(t.pool) : this.open;
    const n = set.size;
    if (n === 0) return undefined;
    let best: SimNode | undefined;
    let bestScore = -Infinity;
    for (let i = 0; i < Math.min(n, PROBES); i++) {
      const node = set.at(Math.floor(prng.next() * n));
      if (!fits(node, t)) continue;
      const score = freeShare(node, t);
      if (score > bestScore) {
        best = node;
        bestScore = score;
      }
    }
    if (best) return best;
    const start = Math.floor(prng.next() * n);
    for (let i = 0; i < n; i++) {
      const node = set.at((start + i) % n);
      if (fits(node, t)) return node;
    }
    return undefined;
  }

  /** The FailedScheduling message the default scheduler would give for this template now. */
  explain(t: PodTemplate): string {
    let unschedulable = 0;
    let affinity = 0;
    let tooManyPods = 0;
    let cpu = 0;
    let memory = 0;
    let gpus = 0;
    let noVictims = 0;
    const taints = new Map<Taint, number>();
    for (const node of this.all.values()) {
      // Filters in the scheduler's plugin order; a node fails at the first one.
      if (node.unschedulable) {
        unschedulable++;
        continue;
      }
      const taint = untoleratedTaint(node, t);
      if (taint) {
        taints.set(taint, (taints.get(taint) ?? 0) + 1);
        continue;
      }
      if (t.pool && node.pool.name !== t.pool) {
        affinity++;
        continue;
      }
      const { used, allocatable: a } = node;
      let short = false;
      if (used.pods + 1 > a.pods) ((short = true), tooManyPods++);
      if (used.cpu + t.requests.cpu > a.cpu) ((short = true), cpu++);
      if (used.memory + t.requests.memory > a.memory) ((short = true), memory++);
      if (used.gpus + t.gpus > node.gpus) ((short = true), gpus++);
      if (short) noVictims++;
    }
    const reasons: string[] = [];
    const add = (n: number, reason: string) => n > 0 && reasons.push(`${n} ${reason}`);
    add(unschedulable, 'node(s) were unschedulable');
    for (const [taint, n] of taints) add(n, `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    add(affinity, "node(s) didn't match Pod's node affinity/selector");
    add(tooManyPods, 'Too many pods');
    add(cpu, 'Insufficient cpu');
    add(memory, 'Insufficient memory');
    add(gpus, 'Insufficient nvidia.com/gpu');
    const total = this.all.size;
    const notHelpful = total - noVictims;
    const preemption: string[] = [];
    if (noVictims > 0) preemption.push(`${noVictims} No preemption victims found for incoming pod`);
    if (notHelpful > 0) preemption.push(`${notHelpful} Preemption is not helpful for scheduling`);
    return `0/${total} nodes are available: ${reasons.sort().join(', ')}. preemption: 0/${total} nodes are available: ${preemption.sort().join(', ')}.`;
  }

  private pool(name: string): RandomSet<SimNode> {
    let set = this.byPool.get(name);
    if (!set) this.byPool.set(name, (set = new RandomSet()));
    return set;
  }
}

export function fits(node: SimNode, t: PodTemplate): boolean {
  if (!node.alive || node.unschedulable || untoleratedTaint(node, t)) return false;
  if (t.pool && node.pool.name !== t.pool) return false;
  const { used, allocatable: a } = node;
  return (
    used.pods + 1 <= a.pods &&
    used.cpu + t.requests.cpu <= a.cpu &&
    used.memory + t.requests.memory <= a.memory &&
    used.gpus + t.gpus <= node.gpus
  );
}

function untoleratedTaint(node: SimNode, t: PodTemplate): Taint | undefined {
  if (t.tolerateAll) return undefined;
  if (node.health === 'Ready' && node.pool.taints.length === 0 && !node.unschedulable) return undefined;
  for (const taint of nodeTaints(node)) {
    if (taint.effect === 'PreferNoSchedule') continue;
    // Every pod tolerates not-ready/unreachable NoExecute for 300s (the default tolerations).
    if (taint.effect === 'NoExecute' && (taint.key === 'node.kubernetes.io/unreachable' || taint.key === 'node.kubernetes.io/not-ready')) continue;
    // A pod that selects a dedicated pool tolerates that pool's taints.
    if (t.pool === node.pool.name && node.pool.taints.includes(taint)) continue;
    return taint;
  }
  return undefined;
}

/** Share of the node left free after placing the pod (higher is emptier). */
function freeShare(node: SimNode, t: PodTemplate): number {
  const { used, allocatable: a } = node;
  return ((a.cpu - used.cpu - t.requests.cpu) / a.cpu + (a.memory - used.memory - t.requests.memory) / a.memory) / 2;
}
