// Life in the demo cluster: at the configured rate, operations start that a real cluster sees
// all day (crashes, readiness blips, deleted pods, scaling, rollouts, cron runs, nodes failing,
// being drained, replaced, cordoned). Each operation touches a handful of objects and schedules
// its own follow-ups; none looks at the whole cluster. Scaling and node churn lean back towards
// the size's targets, so that a demo left running for a week does not grow or shrink.
import { KUBELET_VERSION, WORKER_POOLS, ZONES, type PoolDef } from './catalog.js';
import { podRef, type SimCluster } from './cluster.js';
import { nextVersion } from './versions.js';
import { podReady } from './render.js';
import type { SizeSpec } from './sizes.js';
import type { SimController, SimDeployment, SimNode, SimPod } from './state.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
/** Old ReplicaSets a Deployment keeps (revisionHistoryLimit, smaller than the default 10). */
const REVISION_HISTORY = 2;
/** Rollout steps before a stuck rollout is pushed through (progressDeadlineSeconds, roughly). */
const MAX_ROLLOUT_STEPS = 60;
/** Attempts at finding a random object that fits an operation before giving up on it. */
const ATTEMPTS = 8;

export class Churn {
  private budget = 0;
  /** Nodes asked for but not yet registered, and nodes on their way out: so that node churn
   * neither overshoots nor undershoots the target. */
  private joining = 0;
  private leaving = 0;
  private readonly poolTargets = new Map<PoolDef, number>();
  /** Nodes something is happening to (down, draining, joining, cordoned): a few at a time. */
  private readonly disrupted = new Set<SimNode>();
  private readonly maxDisrupted: number;
  private readonly operations: readonly (readonly [() => void, number])[] = [
    [() => this.crash(), 12],
    [() => this.readinessBlip(), 12],
    [() => this.deletePod(), 14],
    [() => this.scale(), 20],
    [() => this.rollout(), 6],
    [() => this.cronRun(), 12],
    [() => this.nodeNotReady(), 1],
    [() => this.nodeCycle(), 1],
    [() => this.cordonForAWhile(), 0.5],
  ];

  constructor(
    private readonly cluster: SimCluster,
    private readonly target: SizeSpec,
    private readonly perSecond: number,
  ) {
    this.maxDisrupted = Math.max(1, Math.floor(target.nodes * 0.02));
  }

  /**
   * Gives every object the initial state left mid-way (pulling, crashing, terminating, a node
   * down or cordoned) its way forward, and records the node pools' sizes to return to.
   */
  settle(): void {
    const c = this.cluster;
    for (const node of c.placement.all.values()) {
      if (node.pool.name !== 'control-plane') this.poolTargets.set(node.pool, (this.poolTargets.get(node.pool) ?? 0) + 1);
      if (node.health !== 'Ready') this.recoverNode(node, this.range(30 * SECOND, 2 * MINUTE));
      if (node.unschedulable) this.uncordonLater(node, this.range(2 * MINUTE, 10 * MINUTE));
      if (node.health !== 'Ready' || node.unschedulable) this.disrupted.add(node);
      for (const pod of node.pods) {
        if (pod.deletingAt !== undefined) c.afterPod(pod, this.range(SECOND, 15 * SECOND), () => c.removePod(pod));
        else if (pod.state === 'ContainerCreating') c.afterPod(pod, this.range(SECOND, 8 * SECOND), () => c.run(pod));
        else if (pod.state === 'CrashLoopBackOff') this.crashCycle(pod);
        else if (pod.state === 'NotReady') c.afterPod(pod, this.range(5 * SECOND, 45 * SECOND), () => c.setState(pod, 'Running'));
        else if (pod.state === 'Error') c.afterPod(pod, this.range(20 * SECOND, 90 * SECOND), () => this.recoverFromError(pod));
      }
    }
  }

  /** Starts the operations due in `ms` of simulated time. */
  tick(ms: number): void {
    this.budget += (this.perSecond * ms) / SECOND;
    while (this.budget >= 1) {
      this.budget--;
      this.cluster.prng.weighted(this.operations)();
    }
  }

  // --------------------------------------------------------------------------------------------
  // Pods

  private crash(): void {
    const pod = this.randomPod((p) => p.state === 'Running' && podReady(p) && p.controller !== undefined && p.controller.kind !== 'Job');
    if (!pod) return;
    const c = this.cluster;
    c.setState(pod, 'CrashLoopBackOff', c.prng.chance(0.3) ? 'OOMKilled' : undefined, pod.restarts + 1);
    this.backOffEvent(pod);
    this.crashCycle(pod);
  }

  /** Back-off, restart, maybe crash again; most pods recover within a few cycles. */
  private crashCycle(pod: SimPod): void {
    const c = this.cluster;
    c.afterPod(pod, this.range(10 * SECOND, 30 * SECOND), () => {
      if (c.prng.chance(0.7)) {
        c.setState(pod, 'Running');
        return;
      }
      c.setState(pod, 'CrashLoopBackOff', pod.reason, pod.restarts + 1);
      this.backOffEvent(pod);
      this.crashCycle(pod);
    });
  }

  private recoverFromError(pod: SimPod): void {
    const c = this.cluster;
    if (pod.reason === 'ImagePullBackOff') c.run(pod);
    else c.setState(pod, 'Running', undefined, pod.restarts + 1);
  }

  private readinessBlip(): void {
    const pod = this.randomPod((p) => p.state === 'Running' && podReady(p) && p.controller?.kind !== 'Job');
    if (!pod) return;
    const c = this.cluster;
    c.setState(pod, 'NotReady');
    c.afterPod(pod, this.range(5 * SECOND, 30 * SECOND), () => c.setState(pod, 'Running'));
  }

  /** `kubectl delete pod` or an eviction: the owner replaces it. */
  private deletePod(): void {
    const pod = this.randomPod((p) => p.deletingAt === undefined && (p.controller?.kind === 'ReplicaSet' || p.controller?.kind === 'StatefulSet'));
    if (!pod) return;
    const c = this.cluster;
    const main = pod.template.containers.find((s) => !s.init)?.name ?? 'app';
    c.events.record(c.prng, c.now(), podRef(pod), 'Normal', 'Killing', `Stopping container ${main}`);
    c.terminatePod(pod);
  }

  // --------------------------------------------------------------------------------------------
  // Workloads

  private scale(): void {
    const dep = this.randomDeployment();
    if (!dep) return;
    const c = this.cluster;
    // Lean towards the pod target: past +2% only scale-downs remain likely, and vice versa.
    const drift = (c.podCount - this.target.pods) / this.target.pods;
    const up = c.prng.chance(Math.min(0.95, Math.max(0.05, 0.5 - drift * 25)));
    const step = c.prng.int(1, Math.max(1, Math.ceil(dep.replicas * 0.2)));
    const replicas = Math.min(dep.maxReplicas, Math.max(dep.minReplicas, dep.replicas + (up ? step : -step)));
    if (replicas === dep.replicas) return;
    dep.replicas = replicas;
    const current = dep.replicaSets[dep.replicaSets.length - 1] as SimController;
    c.setReplicaSetSize(current, replicas);
    c.markDeployment(dep);
  }

  /** A new image version, rolled out with maxSurge and maxUnavailable at 25%. */
  private rollout(): void {
    const dep = this.randomDeployment();
    if (!dep) return;
    const c = this.cluster;
    const from = dep.replicaSets.filter((rs) => rs.desired > 0);
    const to = c.addReplicaSet(dep, nextVersion(dep.version), 0, c.now());
    dep.rollout = { from, to, steps: 0 };
    this.rolloutStep(dep);
  }

  private rolloutStep(dep: SimDeployment): void {
    const r = dep.rollout;
    if (!r || !dep.alive) return;
    const c = this.cluster;
    const n = dep.replicas;
    const surge = Math.max(1, Math.ceil(n * 0.25));
    const minAvailable = n - Math.floor(n * 0.25);
    let oldDesired = r.from.reduce((sum, rs) => sum + rs.desired, 0);
    const up = Math.min(n - r.to.desired, Math.max(0, n + surge - oldDesired - r.to.desired));
    if (up > 0) c.setReplicaSetSize(r.to, r.to.desired + up);
    const newReady = readyPods(r.to);
    const oldReady = r.from.reduce((sum, rs) => sum + readyPods(rs), 0);
    // Old pods may go as long as enough ready ones remain; unready old pods may always go.
    let removable = Math.max(0, oldReady + newReady - minAvailable) + Math.max(0, oldDesired - oldReady);
    for (const rs of r.from) {
      const d = Math.min(rs.desired, removable);
      if (d > 0) c.setReplicaSetSize(rs, rs.desired - d);
      removable -= d;
      oldDesired -= d;
    }
    const done = r.to.desired === n && newReady === n && oldDesired === 0;
    if (done || ++r.steps > MAX_ROLLOUT_STEPS) {
      for (const rs of r.from) c.setReplicaSetSize(rs, 0);
      c.setReplicaSetSize(r.to, n);
      dep.rollout = undefined;
      for (const rs of dep.replicaSets.slice(0, -1 - REVISION_HISTORY)) if (rs.pods.length === 0) c.removeController(rs);
      c.markDeployment(dep);
      return;
    }
    c.later(this.range(2 * SECOND, 5 * SECOND), () => {
      if (dep.rollout === r) this.rolloutStep(dep);
    });
  }

  /** A cron job fires (concurrencyPolicy: Forbid, one run per minute at most). */
  private cronRun(): void {
    const c = this.cluster;
    if (c.cronJobs.size === 0) return;
    const cj = c.cronJobs.at(c.prng.int(0, c.cronJobs.size - 1));
    const at = Math.floor(c.now() / MINUTE) * MINUTE;
    if (cj.lastScheduleAt !== undefined && cj.lastScheduleAt >= at) return;
    if (cj.jobs.some((j) => j.job?.outcome === undefined)) return;
    c.runCronJob(cj, at, c.now());
  }

  // --------------------------------------------------------------------------------------------
  // Nodes

  private nodeNotReady(): void {
    const node = this.randomWorker();
    if (!node) return;
    this.disrupted.add(node);
    const c = this.cluster;
    c.setNodeHealth(node, 'NotReady');
    this.nodeEvent(node, 'NodeNotReady', `Node ${node.name} status is now: NodeNotReady`);
    this.recoverNode(node, this.range(30 * SECOND, 3 * MINUTE));
  }

  private recoverNode(node: SimNode, ms: number): void {
    this.cluster.afterNode(node, ms, () => {
      this.cluster.setNodeHealth(node, 'Ready');
      if (!node.unschedulable) this.disrupted.delete(node);
      this.nodeEvent(node, 'NodeReady', `Node ${node.name} status is now: NodeReady`);
    });
  }

  /** Keeps the node count at its target: add when short, remove when over, else replace one. */
  private nodeCycle(): void {
    const count = this.cluster.placement.all.size - this.leaving + this.joining;
    if (count < this.target.nodes) {
      this.join(this.shortestPool());
      return;
    }
    const node = this.randomWorker();
    if (!node) return;
    this.disrupted.add(node);
    this.drain(node, count <= this.target.nodes);
  }

  /** Cordon, evict everything but the node's own daemons, then delete the node. */
  private drain(node: SimNode, replace: boolean): void {
    const c = this.cluster;
    node.draining = true;
    this.leaving++;
    c.setCordoned(node, true);
    this.nodeEvent(node, 'NodeNotSchedulable', `Node ${node.name} status is now: NodeNotSchedulable`);
    if (replace) this.joining++;
    c.later(this.range(2 * SECOND, 5 * SECOND), () => {
      for (const pod of [...node.pods]) if (!pod.template.daemon) c.terminatePod(pod);
      c.later(20 * SECOND, () => {
        this.leaving--;
        this.disrupted.delete(node);
        if (node.alive) c.removeNode(node);
        if (!replace) return;
        c.later(this.range(20 * SECOND, 60 * SECOND), () => {
          this.joining--;
          this.join(node.pool);
        });
      });
    });
  }

  private join(pool: PoolDef): void {
    const c = this.cluster;
    const node = c.addNode({
      pool,
      instance: c.prng.weighted(pool.instanceTypes),
      zone: c.prng.pick(ZONES),
      kubeletVersion: KUBELET_VERSION,
      createdAt: c.now(),
      health: 'Starting',
    });
    this.disrupted.add(node);
    this.nodeEvent(node, 'RegisteredNode', `Node ${node.name} event: Registered Node ${node.name} in Controller`);
    this.recoverNode(node, this.range(10 * SECOND, 40 * SECOND));
  }

  private shortestPool(): PoolDef {
    let best = WORKER_POOLS[0] as PoolDef;
    let deficit = -Infinity;
    const counts = new Map<PoolDef, number>();
    for (const node of this.cluster.placement.all.values()) counts.set(node.pool, (counts.get(node.pool) ?? 0) + 1);
    for (const [pool, want] of this.poolTargets) {
      const d = want - (counts.get(pool) ?? 0);
      if (d > deficit) [best, deficit] = [pool, d];
    }
    return best;
  }

  private cordonForAWhile(): void {
    const node = this.randomWorker();
    if (!node) return;
    this.disrupted.add(node);
    this.cluster.setCordoned(node, true);
    this.nodeEvent(node, 'NodeNotSchedulable', `Node ${node.name} status is now: NodeNotSchedulable`);
    this.uncordonLater(node, this.range(MINUTE, 5 * MINUTE));
  }

  private uncordonLater(node: SimNode, ms: number): void {
    this.cluster.later(ms, () => {
      if (!node.alive || node.draining) return;
      this.cluster.setCordoned(node, false);
      if (node.health === 'Ready') this.disrupted.delete(node);
      this.nodeEvent(node, 'NodeSchedulable', `Node ${node.name} status is now: NodeSchedulable`);
    });
  }

  // --------------------------------------------------------------------------------------------
  // Picking

  private range(min: number, max: number): number {
    return this.cluster.prng.range(min, max);
  }

  /** A random pod matching `ok` (any node, any pod on it), or undefined after a few misses. */
  private randomPod(ok: (p: SimPod) => boolean): SimPod | undefined {
    const nodes = this.cluster.placement.all;
    const prng = this.cluster.prng;
    for (let i = 0; i < ATTEMPTS && nodes.size > 0; i++) {
      const node = nodes.at(prng.int(0, nodes.size - 1));
      if (node.pods.length === 0) continue;
      const pod = node.pods[prng.int(0, node.pods.length - 1)] as SimPod;
      if (ok(pod)) return pod;
    }
    return undefined;
  }

  /** A team Deployment that is not mid-rollout. */
  private randomDeployment(): SimDeployment | undefined {
    const deps = this.cluster.deployments;
    const prng = this.cluster.prng;
    for (let i = 0; i < ATTEMPTS && deps.size > 0; i++) {
      const dep = deps.at(prng.int(0, deps.size - 1));
      if (!dep.platform && !dep.rollout) return dep;
    }
    return undefined;
  }

  /** A healthy worker node that nothing else is happening to, unless enough are disrupted. */
  private randomWorker(): SimNode | undefined {
    for (const node of this.disrupted) if (!node.alive) this.disrupted.delete(node);
    // A node on its way to being replaced counts until its successor has joined.
    if (this.disrupted.size + this.joining >= this.maxDisrupted) return undefined;
    const nodes = this.cluster.placement.all;
    const prng = this.cluster.prng;
    for (let i = 0; i < ATTEMPTS && nodes.size > 0; i++) {
      const node = nodes.at(prng.int(0, nodes.size - 1));
      if (node.pool.name !== 'control-plane' && node.health === 'Ready' && !node.unschedulable && !node.draining) return node;
    }
    return undefined;
  }

  private backOffEvent(pod: SimPod): void {
    const c = this.cluster;
    const main = pod.template.containers.find((s) => !s.init)?.name ?? 'app';
    c.events.record(c.prng, c.now(), podRef(pod), 'Warning', 'BackOff', `Back-off restarting failed container ${main} in pod ${pod.name}_${pod.namespace}(${pod.uid})`);
  }

  private nodeEvent(node: SimNode, reason: string, message: string): void {
    const c = this.cluster;
    c.events.record(c.prng, c.now(), { kind: 'Node', name: node.name, uid: node.uid }, 'Normal', reason, message);
  }
}

function readyPods(rs: SimController): number {
  let n = 0;
  for (const p of rs.pods) if (podReady(p)) n++;
  return n;
}
