// Observed traffic in the demo cluster, as an Istio mesh would report it through Prometheus
// (mesh 'istio', the same records, uids and rounding as src/sources/prometheus produces), so the
// topology shows observed edges next to declared ones:
//
// - most workloads call the Services their env hosts name (the declared config edges), HTTP,
//   gRPC or TCP by the Service's port name;
// - the outside world calls most workloads behind an Ingress, HTTPRoute or GRPCRoute;
// - a few workloads call another workload of their namespace directly (by pod IP, as a client
//   with its own discovery does): observed traffic that no declaration explains.
//
// Every value is a function of the pair's uid and the time (a base rate, a slow wave), like pod
// usage: nothing is kept per pair but the record itself, the same seed gives the same traffic,
// and a pass over the pairs costs a few arithmetic operations each, even at the xl size.
import { selects } from '../../model/label-selector.js';
import { pushTo } from '../../model/multimap.js';
import type { DaemonSetRecord, DeploymentRecord, ServiceRecord, StatefulSetRecord, TrafficPeer, TrafficRecord } from '../../model/records.js';
import { serviceOfHost } from '../../model/topology-names.js';
import { movedNoticeably, roundMetric, trafficName, trafficUid } from '../prometheus/parse.js';
import { backendsOf } from './backends.js';
import type { SimCluster } from './cluster.js';
import { hashString, mix32, unit } from './prng.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Share of env-host calls and of public entry points that carry observed traffic ("most"). */
const OBSERVED_CALLS = 0.85;
const OBSERVED_ENTRIES = 0.8;
/** Unexplained direct calls: about this share of the declared ones, at least a few. */
const DIRECT_SHARE = 0.02;
const MIN_DIRECT = 3;

type Category = 'call' | 'outside' | 'direct';
type Workload = DeploymentRecord | StatefulSetRecord | DaemonSetRecord;

/** Between `min` and `max`, evenly on a log scale (rates span orders of magnitude). */
function logBetween(min: number, max: number, u: number): number {
  return min * (max / min) ** u;
}

/** The pair's own seed: its uid names the pair (the same in every demo), the cluster's seed varies it. */
function pairSeed(seed: number, uid: string): number {
  return hashString(uid) ^ mix32(seed);
}

/**
 * The measured values of a pair at `now`. Rates breathe by 5-20% on a wave of half an hour to
 * three hours (so a pair moves past the 5% threshold every ten minutes or so, not every pass);
 * a few pairs have a real error share; latency rises a little with load.
 */
function trafficValues(seed: number, uid: string, category: Category, protocol: TrafficRecord['protocol'], now: number): Partial<TrafficRecord> {
  const s = pairSeed(seed, uid);
  const period = (30 + 150 * unit(s, 3)) * MINUTE;
  const phase = 2 * Math.PI * unit(s, 4);
  const load = 1 + (0.05 + 0.15 * unit(s, 2)) * Math.sin((2 * Math.PI * now) / period + phase);
  if (protocol === 'tcp') {
    return {
      tcpBytesRate: roundMetric(logBetween(2_000, 2_000_000, unit(s, 1)) * load),
      tcpConnections: Math.max(1, Math.round(logBetween(2, 60, unit(s, 5)) * (1 + (load - 1) / 2))),
    };
  }
  const base = category === 'outside' ? logBetween(5, 400, unit(s, 1)) : category === 'direct' ? logBetween(0.05, 3, unit(s, 1)) : logBetween(0.5, 150, unit(s, 1));
  const requestRate = base * load;
  const failing = unit(s, 6) < 0.12;
  const errorShare = (failing ? 0.01 + 0.07 * unit(s, 7) : 0.002 * unit(s, 7)) * (1 + 0.2 * Math.sin((Math.PI * now) / period + phase));
  const p95 = logBetween(4, 250, unit(s, 8)) * (protocol === 'grpc' ? 0.6 : 1) * (1 + 0.5 * (load - 1));
  return { requestRate: roundMetric(requestRate), errorRate: roundMetric(requestRate * errorShare), p95Ms: roundMetric(p95) };
}

function categoryOf(record: Pick<TrafficRecord, 'source' | 'destination'>): Category {
  if (record.source.outside) return 'outside';
  return record.destination.service === undefined ? 'direct' : 'call';
}

function protocolOf(service: ServiceRecord): TrafficRecord['protocol'] {
  const port = service.ports[0]?.name ?? 'http';
  if (port.startsWith('grpc')) return 'grpc';
  return port.startsWith('http') || port === 'metrics' ? 'http' : 'tcp';
}

/**
 * Publishes the initial traffic of a generated cluster into its ledger: before anything was
 * sent, from the records the ledger holds (workloads, Services, Ingresses, routes).
 */
export function generateTraffic(cluster: SimCluster, seed: number, now: number): void {
  const ledger = cluster.ledger;
  const services = new Map<string, ServiceRecord>();
  for (const r of ledger.records('Service')) services.set(`${r.namespace}/${r.name}`, r as ServiceRecord);
  const workloadsByNs = new Map<string, Workload[]>();
  const workloads: Workload[] = [];
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet'] as const) {
    for (const r of ledger.records(kind)) {
      const w = r as Workload;
      workloads.push(w);
      pushTo(workloadsByNs, w.namespace as string, w);
    }
  }
  const backing = new Map<ServiceRecord, Workload | undefined>();
  const workloadOf = (svc: ServiceRecord): Workload | undefined => {
    if (!backing.has(svc)) backing.set(svc, workloadsByNs.get(svc.namespace as string)?.find((w) => selects(svc.selector, w.templateLabels ?? {})));
    return backing.get(svc);
  };

  const published = new Set<string>();
  const names = new Set<string>();
  /** "ns/caller" → workloads it calls through a Service (so direct calls are not among them). */
  const calls = new Set<string>();
  const publish = (source: TrafficPeer, destination: TrafficPeer, protocol: TrafficRecord['protocol'], share: number) => {
    const uid = trafficUid('istio', source, destination);
    const name = trafficName(source, destination);
    const s = pairSeed(seed, uid);
    if (published.has(uid) || names.has(name) || unit(s, 9) >= share) return;
    published.add(uid);
    names.add(name);
    const record: TrafficRecord = {
      kind: 'Traffic',
      uid,
      name,
      createdAt: Math.round(now - logBetween(MINUTE * 10, 60 * DAY, unit(s, 10))),
      mesh: 'istio',
      protocol,
      source,
      destination,
      ...trafficValues(seed, uid, categoryOf({ source, destination }), protocol, now),
      sampledAt: now,
    };
    ledger.put(record);
  };
  const destinationOf = (svc: ServiceRecord): TrafficPeer => {
    const w = workloadOf(svc);
    return w ? { namespace: svc.namespace as string, workload: w.name, service: svc.name } : { namespace: svc.namespace as string, service: svc.name };
  };

  // Workloads → the Services their env hosts name ("orders-api" or "orders-api.orders").
  for (const w of workloads) {
    const ns = w.namespace as string;
    for (const host of w.template?.envHosts ?? []) {
      const named = serviceOfHost(host, ns);
      const svc = named && services.get(`${named.namespace}/${named.name}`);
      if (!svc || svc.type === 'ExternalName') continue;
      const callee = workloadOf(svc);
      if (callee) calls.add(`${ns}/${w.name}->${callee.namespace}/${callee.name}`);
      publish({ namespace: ns, workload: w.name }, destinationOf(svc), protocolOf(svc), OBSERVED_CALLS);
    }
  }

  // The outside world → workloads behind Ingresses and routes.
  for (const kind of ['Ingress', 'HTTPRoute', 'GRPCRoute'] as const) {
    for (const r of ledger.records(kind)) {
      for (const b of backendsOf(r)) {
        const svc = services.get(`${b.namespace ?? r.namespace}/${b.service}`);
        if (svc) publish({ outside: true }, destinationOf(svc), r.kind === 'GRPCRoute' ? 'grpc' : protocolOf(svc), OBSERVED_ENTRIES);
      }
    }
  }

  // A few direct calls that no declaration explains: a client (a Deployment that calls
  // Services) calling a serving workload of its namespace that it names nowhere.
  /** Serving workloads, each with a Service that fronts it (for its protocol). */
  const serving = new Map<Workload, ServiceRecord>();
  for (const svc of services.values()) {
    const w = workloadOf(svc);
    if (w && !serving.has(w)) serving.set(w, svc);
  }
  const clients = workloads.filter((w) => w.kind === 'Deployment' && (w.template?.envHosts?.length ?? 0) > 0);
  const wanted = Math.max(MIN_DIRECT, Math.round(published.size * DIRECT_SHARE));
  const chance = wanted / Math.max(1, clients.length);
  let direct = 0;
  for (let pass = 0; pass < 2 && direct < wanted; pass++) {
    for (const w of clients) {
      if (direct >= wanted) break;
      const s = pairSeed(seed, w.uid);
      // First pass: a random few; second pass (small clusters): the first that qualify.
      if (pass === 0 && unit(s, 11) >= chance) continue;
      const peers = (workloadsByNs.get(w.namespace as string) ?? []).filter(
        (o) => o !== w && o.kind !== 'DaemonSet' && serving.has(o) && !calls.has(`${w.namespace}/${w.name}->${o.namespace}/${o.name}`),
      );
      const callee = peers[Math.floor(unit(s, 12) * peers.length)];
      if (!callee) continue;
      const before = published.size;
      const protocol = protocolOf(serving.get(callee) as ServiceRecord);
      publish({ namespace: w.namespace as string, workload: w.name }, { namespace: callee.namespace as string, workload: callee.name }, protocol, 1);
      if (published.size > before) direct++;
    }
  }
}

/**
 * Moves the published traffic along its curves while the demo runs: a slice of the pairs at a
 * time, republishing only those that moved noticeably (as the Prometheus poller would).
 */
export class TrafficModel {
  private readonly uids: string[];
  private cursor = 0;

  constructor(
    private readonly cluster: SimCluster,
    /** The cluster's seed, as given to generateTraffic. */
    private readonly seed: number,
  ) {
    // The pairs are fixed once generated (churn rolls and scales workloads, never renames them).
    this.uids = Array.from(cluster.ledger.records('Traffic'), (r) => r.uid);
  }

  get size(): number {
    return this.uids.length;
  }

  sampleSlice(now: number, count: number): void {
    const ledger = this.cluster.ledger;
    for (let i = 0; i < Math.min(count, this.uids.length); i++) {
      if (this.cursor >= this.uids.length) this.cursor = 0;
      const previous = ledger.get('Traffic', this.uids[this.cursor++]!) as TrafficRecord | undefined;
      if (!previous) continue;
      const next: TrafficRecord = { ...previous, ...trafficValues(this.seed, previous.uid, categoryOf(previous), previous.protocol, now), sampledAt: now };
      if (movedNoticeably(previous, next)) ledger.put(next);
    }
  }
}
