// Builds the initial demo cluster for a size and seed: nodes in pools, the platform, product
// teams repeated in cells until the pod target is met exactly, then a realistic sprinkle of
// trouble (crash loops, pending pods, a NotReady node, a cordoned one). Same seed and start
// time, same records byte for byte.
import type { Labels, NetworkPolicyRecord, TemplateRefs } from '../../model/records.js';
import {
  CELL_NAMES,
  CONTROL_PLANE_POOL,
  DAEMONSETS,
  DOMAINS,
  GATEWAY,
  KUBELET_VERSION,
  OLD_KUBELET_VERSION,
  PLATFORM,
  PLATFORM_NAMESPACES,
  REPLICA_SCALE,
  SIDECAR,
  SMALL_WORKER_POOLS,
  STATIC_PODS,
  WORKER_POOLS,
  ZONES,
  type CronJobDef,
  type DomainDef,
  type PoolDef,
  type WorkloadDef,
} from './catalog.js';
import { SimCluster, podRef } from './cluster.js';
import { exact, extend, flatten } from './names.js';
import { Prng } from './prng.js';
import { SIZES, type SimulatedSize, type SizeSpec } from './sizes.js';
import type { SimController, SimNamespace, SimPod, SimService } from './state.js';
import { buildTemplate } from './templates.js';
import { previousVersion } from './versions.js';
import { generateTraffic } from './traffic.js';
import { UsageModel } from './usage.js';

export interface GenerateOptions {
  size: SimulatedSize;
  seed: number;
  /** The cluster's "now": creation times lie before it. */
  now: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TEAM_REGISTRY = 'registry.example.com/';
/** Cron jobs keep this many finished jobs (and their Succeeded pods) in the initial state. */
const CRON_HISTORY = 3;

export function generateCluster(options: GenerateOptions): SimCluster {
  const prng = new Prng(options.seed).fork('generate');
  const spec = SIZES[options.size];
  const cluster = new SimCluster(prng, () => options.now, spec.events);
  new Generator(cluster, options.size, spec, options.now).run();
  generateTraffic(cluster, options.seed, options.now);
  return cluster;
}

interface Cell {
  index: number;
  domains: DomainDef[];
  /** Domain → its namespace name in this cell. */
  namespaces: Map<string, string>;
}

class Generator {
  private readonly prng: Prng;
  private readonly small: boolean;
  private readonly birth: number;
  /** "namespace/name" → service, to resolve the hosts pods are configured to call. */
  private readonly services = new Map<string, SimService>();
  private readonly cells: Cell[] = [];
  private readonly stsCreated: SimController[] = [];
  /** Position in the planned replicas of scalable Deployments. */
  private nextScalable = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly size: SimulatedSize,
    private readonly spec: SizeSpec,
    private readonly now: number,
  ) {
    this.prng = cluster.prng;
    this.small = size === 'small';
    this.birth = now - Math.round(this.prng.range(300, 700)) * DAY;
  }

  run(): void {
    for (const name of PLATFORM_NAMESPACES) this.cluster.addNamespace(name, this.birth + this.prng.int(0, 3) * DAY);
    this.daemonSets();
    this.nodes();
    this.apiService();
    const platformPods = this.platform();
    this.gateway();
    this.teams(this.spec.pods - platformPods);
    this.cluster.flush();
    this.trouble();
    this.cluster.flush();
    new UsageModel(this.cluster).sample(this.now);
    this.cluster.compact();
  }

  private ago(minMs: number, maxMs: number): number {
    return Math.round(this.now - this.prng.range(minMs, maxMs));
  }

  // --------------------------------------------------------------------------------------------
  // Nodes

  private daemonSets(): void {
    for (const def of DAEMONSETS) {
      const ns = this.cluster.namespace(def.namespace);
      const labels = { 'app.kubernetes.io/name': def.name, 'app.kubernetes.io/part-of': 'platform' };
      const template = buildTemplate({ labels, containers: def.containers, init: def.init, tolerateAll: true, daemon: true, priorityClassName: def.priorityClassName, refs: this.refs(def, ns) });
      const ds = this.cluster.addController('DaemonSet', ns, def.name, template, { createdAt: this.birth + this.prng.int(1, 30) * DAY, labels, desired: 0 });
      if (def.port !== undefined && def.service !== 'none') ds.services = [this.service(ns, def, labels)];
    }
  }

  private nodes(): void {
    const { nodes, controlPlane } = this.spec;
    for (let i = 0; i < controlPlane; i++) {
      const node = this.cluster.addNode({
        pool: CONTROL_PLANE_POOL,
        instance: this.prng.weighted(CONTROL_PLANE_POOL.instanceTypes),
        zone: ZONES[i % ZONES.length] as string,
        kubeletVersion: KUBELET_VERSION,
        createdAt: this.ago(20 * DAY, 40 * DAY),
        health: 'Ready',
      });
      for (const def of STATIC_PODS) {
        const labels = { component: def.name, tier: 'control-plane' };
        this.cluster.createStaticPod(node, def.name, buildTemplate({ labels, containers: [def], daemon: true, priorityClassName: 'system-node-critical' }));
      }
    }
    for (const [pool, count] of this.workerCounts(nodes - controlPlane)) {
      for (let i = 0; i < count; i++) {
        // Spot nodes come and go; the others were mostly rolled at the last upgrade.
        const age = pool.capacityType === 'spot' ? this.prng.range(2 * HOUR, 10 * DAY) : this.prng.range(1 * DAY, 60 * DAY);
        this.cluster.addNode({
          pool,
          instance: this.prng.weighted(pool.instanceTypes),
          zone: ZONES[i % ZONES.length] as string,
          kubeletVersion: this.prng.chance(0.08) ? OLD_KUBELET_VERSION : KUBELET_VERSION,
          createdAt: Math.round(this.now - age),
          health: 'Ready',
        });
      }
    }
  }

  private workerCounts(workers: number): [PoolDef, number][] {
    const pool = (name: string) => WORKER_POOLS.find((p) => p.name === name) as PoolDef;
    if (this.small) return SMALL_WORKER_POOLS.map(([name, n]) => [pool(name), n]);
    const counts: [PoolDef, number][] = WORKER_POOLS.map((p) => [p, Math.round(p.share * workers)]);
    const general = counts[0] as [PoolDef, number];
    general[1] += workers - counts.reduce((n, [, c]) => n + c, 0);
    return counts;
  }

  /** default/kubernetes: the API server's own service, endpoints on the control-plane nodes. */
  private apiService(): void {
    const ns = this.cluster.namespace('default');
    const created = this.birth;
    const svc = this.cluster.addService(ns, { name: 'kubernetes', type: 'ClusterIP', clusterIP: '172.20.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }], labels: { component: 'apiserver', provider: 'kubernetes' } }, created);
    const controlPlane = this.cluster.placement.all.values().filter((n) => n.pool === CONTROL_PLANE_POOL);
    this.cluster.ledger.put({
      kind: 'EndpointSlice',
      uid: this.prng.uid(),
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
      createdAt: created,
      serviceName: svc.name,
      addressType: 'IPv4',
      endpoints: controlPlane.map((n) => ({ ready: true, addresses: [n.internalIP] })),
    });
  }

  // --------------------------------------------------------------------------------------------
  // Workloads

  /** Platform add-ons; returns the pods they (and the per-node pods) will have. */
  private platform(): number {
    let pods = this.spec.nodes * DAEMONSETS.length + this.spec.controlPlane * STATIC_PODS.length;
    const defs = PLATFORM.filter((d) => !this.small || d.small);
    const workloads: [WorkloadDef, SimNamespace, number][] = [];
    for (const def of defs) {
      const replicas = Math.max(def.replicas, Math.ceil(((def.perHundredNodes ?? 0) * this.spec.nodes) / 100));
      const ns = this.cluster.namespace(def.namespace);
      pods += replicas;
      workloads.push([def, ns, replicas]);
      if (def.service !== 'none' && def.port !== undefined) this.service(ns, def, appLabels(def.name, 'platform'));
    }
    for (const [def, ns, replicas] of workloads) this.workload(ns, def, { domain: 'platform', team: 'platform', replicas, platform: true, sidecar: false });
    return pods;
  }

  /**
   * Product teams. Cells are added until their pods reach the budget, then the replicas of the
   * scalable Deployments are adjusted so that the cluster has exactly the size's pod count.
   */
  private teams(budget: number): void {
    const scale = REPLICA_SCALE[this.size];
    let fixed = 0;
    let scalable = 0;
    for (let index = 0; ; index++) {
      const domains = DOMAINS.filter((d) => (this.small ? !d.notInSmall : index % (d.everyNthCell ?? 1) === 0));
      const cellFixed = domains.reduce((n, d) => n + CRON_HISTORY * d.cronJobs.length + d.workloads.reduce((m, w) => m + (w.scales ? 0 : this.replicasOf(w)), 0), 0);
      const cellScalable = domains.reduce((n, d) => n + d.workloads.reduce((m, w) => m + (w.scales ? w.replicas * scale : 0), 0), 0);
      if (this.cells.length > 0 && fixed + scalable + (cellFixed + cellScalable) / 2 > budget) break;
      this.cells.push({ index, domains, namespaces: new Map(domains.map((d) => [d.name, cellNamespace(d.name, index)])) });
      fixed += cellFixed;
      scalable += cellScalable;
    }
    const replicas = this.scalableReplicas(budget - fixed);
    for (const cell of this.cells) this.cellNamespacesAndServices(cell);
    for (const cell of this.cells)
      for (const d of cell.domains) for (const cj of d.cronJobs) this.cronJob(this.cluster.namespace(cell.namespaces.get(d.name) as string), cj, d, cell);
    // Past runs first: they ran when there was room, and their finished pods hold none now.
    this.cronHistory();
    for (const cell of this.cells) this.cellWorkloads(cell, replicas);
  }

  private replicasOf(w: WorkloadDef): number {
    return this.small && w.kind === 'StatefulSet' ? 1 : w.replicas;
  }

  /** Replicas of every scalable Deployment (cell order), summing exactly to `target`. */
  private scalableReplicas(target: number): number[] {
    const scale = REPLICA_SCALE[this.size];
    const replicas: number[] = [];
    for (const cell of this.cells)
      for (const d of cell.domains)
        for (const w of d.workloads) if (w.scales) replicas.push(Math.max(1, Math.round(w.replicas * scale * this.prng.range(0.5, 1.7))));
    if (target < replicas.length) throw new Error(`simulated cluster: ${this.size} has no room for its workloads`);
    let diff = target - replicas.reduce((a, b) => a + b, 0);
    while (diff !== 0) {
      const i = this.prng.int(0, replicas.length - 1);
      const r = replicas[i] as number;
      if (diff > 0) {
        replicas[i] = r + 1;
        diff--;
      } else if (r > 1) {
        replicas[i] = r - 1;
        diff++;
      }
    }
    return replicas;
  }

  private cellNamespacesAndServices(cell: Cell): void {
    for (const d of cell.domains) {
      const name = cell.namespaces.get(d.name) as string;
      const ns = this.cluster.addNamespace(name, this.birth + this.prng.range(10 * DAY, this.now - this.birth - 20 * DAY), { team: d.team });
      for (const w of d.workloads) if (w.service !== 'none' && w.port !== undefined) this.service(ns, w, appLabels(w.name, d.name));
      for (const [svcName, host] of d.externalNames ?? []) {
        const svc = this.cluster.addService(ns, { name: svcName, type: 'ExternalName', externalName: host, ports: [{ port: 443, protocol: 'TCP' }] }, ns.createdAt);
        this.services.set(`${name}/${svcName}`, svc);
      }
    }
  }

  private cellWorkloads(cell: Cell, replicas: number[]): void {
    for (const d of cell.domains) {
      const ns = this.cluster.namespace(cell.namespaces.get(d.name) as string);
      for (const w of d.workloads) {
        const n = w.scales ? (replicas[this.nextScalable++] as number) : this.replicasOf(w);
        this.workload(ns, w, { domain: d.name, team: d.team, replicas: n, platform: false, sidecar: d.sidecar ?? false, cell });
      }
      this.publicEntry(ns, d, cell);
      this.networkPolicies(ns, d, cell);
    }
  }

  private workload(ns: SimNamespace, def: WorkloadDef, ctx: { domain: string; team: string; replicas: number; platform: boolean; sidecar: boolean; cell?: Cell }): void {
    const createdAt = Math.round(ns.createdAt + this.prng.next() * Math.max(0, this.now - ns.createdAt - DAY));
    const selectorLabels = appLabels(def.name, ctx.domain);
    const labels = extend(selectorLabels, { team: ctx.team });
    const refs = this.refs(def, ns, ctx.cell);
    const containers = ctx.sidecar ? [...def.containers, SIDECAR] : def.containers;
    const services = exact([this.services.get(`${ns.name}/${def.serviceName ?? def.name}`), this.services.get(`${ns.name}/${def.name}-headless`)].filter((s) => s !== undefined));
    const version = versionOf(def);
    const pool = def.pool;
    if (def.kind === 'StatefulSet') {
      const template = buildTemplate({ labels: extend(labels, { 'app.kubernetes.io/version': version }), containers, init: def.init, pool, gpus: def.gpus, priorityClassName: def.priorityClassName, refs }, this.cluster.bodies);
      const sts = this.cluster.addController('StatefulSet', ns, def.name, template, { createdAt, labels, desired: ctx.replicas, services, serviceName: flatten(`${def.name}-headless`) });
      this.stsCreated.push(sts);
      return;
    }
    const cluster = this.cluster;
    const dep = this.cluster.addDeployment({
      name: def.name,
      namespace: ns,
      createdAt,
      labels,
      selectorLabels,
      replicas: ctx.replicas,
      // Only the Deployments that scale with the cluster are scaled by churn, too.
      minReplicas: def.scales ? Math.max(1, Math.floor(ctx.replicas / 2)) : ctx.replicas,
      maxReplicas: def.scales ? Math.max(ctx.replicas + 2, Math.ceil(ctx.replicas * 1.5)) : ctx.replicas,
      version,
      platform: ctx.platform,
      makeTemplate: (v, hash) =>
        buildTemplate({
          labels: extend(labels, { 'app.kubernetes.io/version': v, 'pod-template-hash': hash }),
          containers,
          init: def.init,
          image: (image) => (image.startsWith(TEAM_REGISTRY) ? cluster.intern(`${image.slice(0, image.lastIndexOf(':'))}:${v}`) : image),
          pool,
          gpus: def.gpus,
          priorityClassName: def.priorityClassName,
          refs,
        }, cluster.bodies),
    });
    dep.services = services;
    let rsCreated = Math.round(this.prng.range(createdAt, this.now - 10 * MINUTE));
    if (!ctx.platform) {
      // Old revisions scaled to zero, as the revision history keeps them.
      const old = this.prng.int(0, 1);
      for (let k = old; k >= 1; k--) this.cluster.addReplicaSet(dep, previousVersion(version, k), 0, Math.round(createdAt + ((rsCreated - createdAt) * (old - k + 1)) / (old + 2)));
    }
    if (rsCreated < createdAt) rsCreated = createdAt;
    this.cluster.addReplicaSet(dep, version, ctx.replicas, rsCreated);
  }

  private cronJob(ns: SimNamespace, def: CronJobDef, domain: DomainDef, cell: Cell): void {
    const labels = appLabels(def.name, domain.name);
    const refs = this.refs({ name: def.name, deps: def.deps }, ns, cell);
    const bodies = this.cluster.bodies;
    const makeTemplate = (jobName: string) =>
      buildTemplate({ labels: jobName === def.name ? labels : extend(labels, { 'batch.kubernetes.io/job-name': jobName, 'job-name': jobName }), containers: [def.container], pool: def.pool, gpus: def.gpus, refs }, bodies);
    this.cluster.addCronJob({
      name: def.name,
      namespace: ns,
      createdAt: Math.round(ns.createdAt + this.prng.next() * (this.now - ns.createdAt - DAY)),
      labels,
      schedule: def.schedule,
      everyMinutes: def.everyMinutes,
      template: makeTemplate(def.name),
      makeTemplate,
      lastScheduleAt: undefined,
    });
  }

  /** Each cron job's last runs: completed Jobs with their Succeeded pods. */
  private cronHistory(): void {
    for (const cj of this.cluster.cronJobs.values()) {
      const every = cj.everyMinutes * MINUTE;
      const last = Math.floor((this.now - this.prng.range(MINUTE, every)) / MINUTE) * MINUTE;
      for (let k = CRON_HISTORY - 1; k >= 0; k--) {
        const at = last - k * every;
        const job = this.cluster.runCronJob(cj, at);
        this.cluster.flush();
        const pod = job.pods[0];
        if (!pod?.node) {
          // No room for a past run (all GPUs busy): it simply is not in the history.
          this.cluster.removeController(job);
          continue;
        }
        const ran = Math.round(this.prng.range(20_000, Math.min(every / 2, 20 * MINUTE)));
        pod.createdAt = at;
        this.cluster.setState(pod, 'Succeeded');
        pod.startedAt = at + Math.round(this.prng.range(2_000, 10_000));
        (job.job as NonNullable<SimController['job']>).completedAt = at + ran;
        this.cluster.podChanged(pod);
      }
    }
  }

  // --------------------------------------------------------------------------------------------
  // Services, routes, policies

  private service(ns: SimNamespace, def: WorkloadDef, selector: Labels): SimService {
    const port = def.port as number;
    const ports = [{ name: def.portName, port: def.portName === 'http' ? 80 : port, targetPort: port, protocol: def.portName === 'dns' ? 'UDP' : 'TCP' }].map((p) => (p.name === undefined ? { port: p.port, targetPort: p.targetPort, protocol: p.protocol } : p));
    const name = def.serviceName ?? def.name;
    const created = ns.createdAt + DAY;
    const svc = this.cluster.addService(
      ns,
      { name, type: def.service === 'LoadBalancer' ? 'LoadBalancer' : 'ClusterIP', selector, ports, clusterIP: name === 'kube-dns' ? '172.20.0.10' : undefined, labels: selector },
      created,
    );
    this.services.set(`${ns.name}/${name}`, svc);
    if (def.kind === 'StatefulSet') {
      const headless = this.cluster.addService(ns, { name: flatten(`${def.name}-headless`), type: 'ClusterIP', selector, ports, headless: true, labels: selector }, created);
      this.services.set(`${ns.name}/${def.name}-headless`, headless);
    }
    return svc;
  }

  private publicEntry(ns: SimNamespace, d: DomainDef, cell: Cell): void {
    const ledger = this.cluster.ledger;
    const host = (prefix: string) => `${prefix}${cell.index === 0 ? '' : `-${cellSuffix(cell.index)}`}.${GATEWAY.domain}`;
    const port = (service: string) => (this.services.has(`${ns.name}/${service}`) ? 80 : undefined);
    const createdAt = ns.createdAt + 2 * DAY;
    if (d.ingress) {
      const h = host(d.ingress.host);
      ledger.put({
        kind: 'Ingress',
        uid: this.prng.uid(),
        name: d.name,
        namespace: ns.name,
        createdAt,
        className: 'nginx',
        rules: [{ host: h, paths: d.ingress.paths.filter(([, s]) => port(s)).map(([path, service]) => ({ path, backend: { service, port: 80 } })) }],
        tlsHosts: [h],
      });
    }
    const parents = [{ kind: 'Gateway', name: GATEWAY.name, namespace: GATEWAY.namespace, sectionName: 'https' }];
    if (d.httpRoute) {
      ledger.put({
        kind: 'HTTPRoute',
        uid: this.prng.uid(),
        name: d.name,
        namespace: ns.name,
        createdAt,
        parents,
        hostnames: [host(d.httpRoute.host)],
        backends: d.httpRoute.backends.filter(([s]) => port(s)).map(([service, weight]) => ({ kind: 'Service', service, port: 80, weight })),
      });
    }
    if (d.grpcRoute) {
      const svc = d.workloads.find((w) => w.name === d.grpcRoute?.service);
      ledger.put({
        kind: 'GRPCRoute',
        uid: this.prng.uid(),
        name: d.name,
        namespace: ns.name,
        createdAt,
        parents,
        hostnames: [host(d.grpcRoute.host)],
        backends: [{ kind: 'Service', service: d.grpcRoute.service, port: svc?.port ?? 9090 }],
      });
    }
  }

  private gateway(): void {
    this.cluster.ledger.put({
      kind: 'Gateway',
      uid: this.prng.uid(),
      name: GATEWAY.name,
      namespace: GATEWAY.namespace,
      createdAt: this.birth + 5 * DAY,
      className: GATEWAY.className,
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP' },
        { name: 'https', port: 443, protocol: 'HTTPS', hostname: `*.${GATEWAY.domain}` },
      ],
      addresses: [GATEWAY.address],
    });
  }

  private networkPolicies(ns: SimNamespace, d: DomainDef, cell: Cell): void {
    if (!d.allowFrom) return;
    const createdAt = ns.createdAt + 3 * DAY;
    const put = (name: string, p: Omit<NetworkPolicyRecord, 'kind' | 'uid' | 'name' | 'namespace' | 'createdAt'>) =>
      this.cluster.ledger.put({ kind: 'NetworkPolicy', uid: this.prng.uid(), name, namespace: ns.name, createdAt, ...p });
    const nsSelector = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
    put('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [], egress: [] });
    put('allow-monitoring', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ peers: [nsSelector('monitoring')] }], egress: [] });
    for (const rule of d.allowFrom) {
      const target = d.workloads.find((w) => w.name === rule.target);
      const peers = [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': d.name } } }, ...rule.domains.flatMap((from) => (cell.namespaces.has(from) ? [nsSelector(cell.namespaces.get(from) as string)] : []))];
      put(`allow-to-${rule.target}`, {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': rule.target } },
        policyTypes: ['Ingress'],
        ingress: [{ peers, ports: [{ protocol: 'TCP', port: target?.port ?? 8080 }] }],
        egress: [],
      });
    }
  }

  /** What the pod template refers to: service account, config, secrets and the hosts it calls. */
  private refs(def: Pick<WorkloadDef, 'name' | 'deps' | 'configMaps' | 'secrets'>, ns: SimNamespace, cell?: Cell): TemplateRefs | undefined {
    const refs: TemplateRefs = { serviceAccount: def.name };
    if (def.configMaps?.length) refs.configMaps = def.configMaps;
    if (def.secrets?.length) refs.secrets = def.secrets;
    const hosts: string[] = [];
    for (const dep of def.deps ?? []) {
      const target = this.resolve(dep, ns.name, cell);
      if (target) hosts.push(this.hostName(target, ns.name));
    }
    if (hosts.length) refs.envHosts = exact(hosts);
    return refs;
  }

  /** "name" in the same namespace, "domain/name" in the cell's (or else the first cell's) namespace. */
  private resolve(dep: string, fromNs: string, cell?: Cell): { namespace: string; name: string } | undefined {
    const slash = dep.indexOf('/');
    const candidates: [string, string][] = [];
    if (slash < 0) candidates.push([fromNs, dep]);
    else {
      const [domain, name] = [dep.slice(0, slash), dep.slice(slash + 1)];
      const own = cell?.namespaces.get(domain);
      if (own) candidates.push([own, name]);
      const first = this.cells[0]?.namespaces.get(domain);
      if (first) candidates.push([first, name]);
      candidates.push([domain, name]);
    }
    const hit = candidates.find(([namespace, name]) => this.services.has(`${namespace}/${name}`));
    return hit && { namespace: hit[0], name: hit[1] };
  }

  /**
   * A host as the kube source records it from an env value: short within a namespace, otherwise
   * "service.namespace" (it strips the ".svc.cluster.local" suffix, so that form never appears).
   */
  private hostName(target: { namespace: string; name: string }, fromNs: string): string {
    if (target.namespace === fromNs && this.prng.chance(0.5)) return target.name;
    return flatten(`${target.name}.${target.namespace}`);
  }

  // --------------------------------------------------------------------------------------------
  // Trouble

  /**
   * What a real cluster always has somewhere: pods crash-looping, not ready, still pulling,
   * terminating; a node NotReady and one cordoned for maintenance. Platform pods stay healthy.
   */
  private trouble(): void {
    const cluster = this.cluster;
    const workers = cluster.placement.all.values().filter((n) => n.pool.name === 'general');
    const down = this.prng.pick(workers);
    cluster.setNodeHealth(down, 'NotReady', this.ago(MINUTE, 4 * MINUTE));
    const cordoned = this.prng.pick(workers.filter((n) => n !== down));
    cluster.setCordoned(cordoned, true);
    this.nodeEvent(down.name, down.uid, 'NodeNotReady', `Node ${down.name} status is now: NodeNotReady`);
    this.nodeEvent(cordoned.name, cordoned.uid, 'NodeNotSchedulable', `Node ${cordoned.name} status is now: NodeNotSchedulable`);

    const owners: SimController[] = [...this.stsCreated];
    for (const dep of cluster.deployments.values()) {
      const rs = dep.replicaSets[dep.replicaSets.length - 1];
      if (!dep.platform && rs) owners.push(rs);
    }
    for (const ctl of owners) {
      for (const pod of [...ctl.pods]) {
        if (pod.state !== 'Running' || !pod.node) continue;
        this.roll(ctl, pod);
      }
    }
    for (const pod of cluster.pending) {
      cluster.events.record(this.prng, this.ago(0, 10 * MINUTE), podRef(pod), 'Warning', 'FailedScheduling', pod.schedulingMessage ?? '');
    }
    // Explanations reflect the final node states.
    cluster.retryPending(Infinity);
  }

  private roll(ctl: SimController, pod: SimPod): void {
    const cluster = this.cluster;
    const r = this.prng.next();
    const main = pod.template.containers.find((c) => !c.init)?.name ?? 'app';
    if (r < 0.01) {
      cluster.setState(pod, 'NotReady');
    } else if (r < 0.017) {
      const oom = this.prng.chance(0.3);
      cluster.setState(pod, 'CrashLoopBackOff', oom ? 'OOMKilled' : undefined, this.prng.int(3, 60));
      cluster.events.record(this.prng, this.ago(0, 10 * MINUTE), podRef(pod), 'Warning', 'BackOff', `Back-off restarting failed container ${main} in pod ${pod.name}_${pod.namespace}(${pod.uid})`);
    } else if (r < 0.02) {
      const reason = this.prng.pick(['ImagePullBackOff', 'OOMKilled', 'Error']);
      if (reason === 'ImagePullBackOff') {
        cluster.unstart(pod);
        const image = pod.template.images[0] ?? '';
        cluster.events.record(this.prng, this.ago(0, 10 * MINUTE), podRef(pod), 'Warning', 'Failed', `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`);
      }
      cluster.setState(pod, 'Error', reason, reason === 'ImagePullBackOff' ? 0 : this.prng.int(1, 8));
    } else if (r < 0.025) {
      cluster.unstart(pod);
      pod.createdAt = this.ago(5_000, 60_000);
      cluster.setState(pod, 'ContainerCreating');
    } else if (r < 0.028 && ctl.kind === 'ReplicaSet' && ctl.desired > 1 && ctl.deployment) {
      // A scale-down in progress: one replica fewer wanted, its pod on its way out.
      ctl.deployment.replicas--;
      cluster.setReplicaSetSize(ctl, ctl.desired - 1);
      cluster.terminatePod(pod);
      pod.deletingAt = this.ago(1_000, 20_000);
      cluster.podChanged(pod);
    } else if (r < 0.08) {
      cluster.setState(pod, 'Running', undefined, this.prng.int(1, 4));
    }
  }

  private nodeEvent(name: string, uid: string, reason: string, message: string): void {
    this.cluster.events.record(this.prng, this.ago(MINUTE, 5 * MINUTE), { kind: 'Node', name, uid }, 'Normal', reason, message);
  }
}

function appLabels(name: string, domain: string): Labels {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': domain };
}

function cellSuffix(index: number): string {
  return CELL_NAMES[index - 1] ?? `t${String(index).padStart(3, '0')}`;
}

function cellNamespace(domain: string, index: number): string {
  return index === 0 ? domain : flatten(`${domain}-${cellSuffix(index)}`);
}

/** The image tag of a workload's first container. */
function versionOf(def: WorkloadDef): string {
  const image = def.containers[0]?.image ?? '';
  return image.slice(image.lastIndexOf(':') + 1);
}
