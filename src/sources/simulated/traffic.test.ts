import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { ClusterRecord, IngressRecord, RouteRecord, ServiceRecord, TrafficRecord, WorkloadRecord } from '../../model/records.js';
import { validateRecord } from '../../model/validate.js';
import { movedNoticeably, trafficUid } from '../prometheus/parse.js';
import { collect } from '../source.contract.js';
import { ManualClock } from './clock.js';
import { generateCluster } from './generate.js';
import { createSimulatedSource } from './simulated-source.js';

const NOW = Date.UTC(2025, 0, 6, 9, 0, 0);
const MINUTE = 60_000;

const medium = generateCluster({ size: 'medium', seed: 1, now: NOW });
const of = <K extends ClusterRecord['kind']>(kind: K) => [...medium.ledger.records(kind)] as Extract<ClusterRecord, { kind: K }>[];
const traffic = of('Traffic');
const services = new Map(of('Service').map((s) => [`${s.namespace}/${s.name}`, s]));

/** The Service an env host names: "name" in the pod's namespace, or "name.namespace". */
function serviceOfHost(host: string, namespace: string): ServiceRecord | undefined {
  const [name = '', ns = namespace] = host.split('.');
  return services.get(`${ns}/${name}`);
}

describe('simulated observed traffic', () => {
  it('is valid Istio traffic with unique uids and names', () => {
    expect(traffic.length).toBeGreaterThan(100);
    for (const r of traffic) {
      expect(validateRecord(r), r.uid).toEqual([]);
      expect(r.mesh).toBe('istio');
      expect(r.uid).toBe(trafficUid('istio', r.source, r.destination));
      expect(r.sampledAt).toBe(NOW);
      expect(r.createdAt).toBeLessThan(NOW);
    }
    expect(new Set(traffic.map((r) => r.name)).size).toBe(traffic.length);
    const byProtocol = (p: TrafficRecord['protocol']) => traffic.filter((r) => r.protocol === p);
    for (const r of [...byProtocol('http'), ...byProtocol('grpc')]) {
      expect(r.requestRate! > 0 && r.errorRate! < r.requestRate! && r.p95Ms! > 0, r.uid).toBe(true);
      expect(r.tcpBytesRate).toBeUndefined();
    }
    for (const r of byProtocol('tcp')) expect(r.tcpBytesRate! > 0 && r.tcpConnections! >= 1 && r.requestRate === undefined, r.uid).toBe(true);
    expect(byProtocol('grpc').length, 'gRPC services (payments-api)').toBeGreaterThan(0);
    expect(byProtocol('tcp').length, 'databases, caches and queues').toBeGreaterThan(0);
    expect(traffic.filter((r) => r.errorRate! > r.requestRate! * 0.01).length, 'some pairs with a real error share').toBeGreaterThan(0);
  });

  it('follows most env-host config edges, workload → the Service it names and the workload behind it', () => {
    const workloads = [...of('Deployment'), ...of('StatefulSet'), ...of('DaemonSet')] as WorkloadRecord[];
    const byUid = new Map(traffic.map((r) => [r.uid, r]));
    let declared = 0;
    let observed = 0;
    for (const w of workloads) {
      for (const host of w.template?.envHosts ?? []) {
        const svc = serviceOfHost(host, w.namespace!);
        if (!svc || svc.type === 'ExternalName') continue;
        declared++;
        const match = traffic.find((r) => r.source.workload === w.name && r.source.namespace === w.namespace && r.destination.service === svc.name && r.destination.namespace === svc.namespace);
        if (!match) continue;
        observed++;
        expect(byUid.get(match.uid)).toBe(match);
        const behind = workloads.find((b) => b.namespace === svc.namespace && b.name === match.destination.workload);
        expect(behind, `${match.name}: the workload behind ${svc.name}`).toBeDefined();
        expect(Object.entries(svc.selector ?? {}).every(([k, v]) => behind!.templateLabels?.[k] === v)).toBe(true);
      }
    }
    expect(declared).toBeGreaterThan(100);
    expect(observed / declared).toBeGreaterThan(0.7);
    expect(observed / declared).toBeLessThan(1);
  });

  it('has outside traffic to workloads behind Ingresses and routes', () => {
    const outside = traffic.filter((r) => r.source.outside);
    expect(outside.length).toBeGreaterThan(10);
    const entries = new Set<string>();
    for (const r of [...of('Ingress'), ...of('HTTPRoute'), ...of('GRPCRoute')] as (IngressRecord | RouteRecord)[]) {
      const backends = r.kind === 'Ingress' ? r.rules.flatMap((rule) => rule.paths.map((p) => p.backend)) : r.backends;
      for (const b of backends) entries.add(`${b.namespace ?? r.namespace}/${b.service}`);
    }
    for (const r of outside) {
      expect(r.source).toEqual({ outside: true });
      expect(entries.has(`${r.destination.namespace}/${r.destination.service}`), r.name).toBe(true);
    }
  });

  it('has a few direct calls that no declaration explains', () => {
    const direct = traffic.filter((r) => !r.source.outside && r.destination.service === undefined);
    expect(direct.length).toBeGreaterThanOrEqual(3);
    expect(direct.length).toBeLessThan(traffic.length / 10);
    const workloads = [...of('Deployment'), ...of('StatefulSet')] as WorkloadRecord[];
    for (const r of direct) {
      expect(r.source.namespace, r.name).toBe(r.destination.namespace);
      const caller = workloads.find((w) => w.namespace === r.source.namespace && w.name === r.source.workload)!;
      const named = (caller.template?.envHosts ?? []).map((h) => serviceOfHost(h, caller.namespace!)?.selector);
      const callee = workloads.find((w) => w.namespace === r.destination.namespace && w.name === r.destination.workload)!;
      expect(callee, r.name).toBeDefined();
      // None of the Services the caller names selects the callee.
      expect(named.some((sel) => sel && Object.entries(sel).every(([k, v]) => callee.templateLabels?.[k] === v)), r.name).toBe(false);
    }
  });

  it('is the same for a seed, and other traffic for another seed', () => {
    const again = [...generateCluster({ size: 'medium', seed: 1, now: NOW }).ledger.records('Traffic')];
    expect(JSON.stringify(again)).toBe(JSON.stringify(traffic));
    const other = new Map(([...generateCluster({ size: 'medium', seed: 9, now: NOW }).ledger.records('Traffic')] as TrafficRecord[]).map((r) => [r.uid, r]));
    const shared = traffic.filter((r) => other.has(r.uid));
    expect(shared.length).toBeGreaterThan(traffic.length / 2);
    expect(shared.filter((r) => other.get(r.uid)!.requestRate !== r.requestRate).length).toBeGreaterThan(shared.length / 2);
  });

  it('is reported available from live on, and drifts slowly while the demo churns', () => {
    const clock = new ManualClock(NOW);
    const source = createSimulatedSource({ size: 'small', seed: 2, churnPerSecond: 5, metricsIntervalMs: 0, clock });
    const c = collect(source);
    clock.advance(0);
    const live = c.statuses.find((s) => s.phase === 'live') as ClusterStatus;
    expect(c.statuses[0]!.traffic).toBe('pending');
    expect(live).toMatchObject({ traffic: 'available', trafficMeshes: ['istio'] });
    const initial = new Map([...c.records.values()].filter((r): r is TrafficRecord => r.kind === 'Traffic').map((r) => [r.uid, r]));
    expect(live.kinds.Traffic).toEqual({ state: 'live', count: initial.size });

    const seen = c.log.length;
    clock.advance(30 * MINUTE);
    const updates = c.log.slice(seen).flatMap((e) => (e.type === 'upsert' && e.record.kind === 'Traffic' ? [e.record] : []));
    // Half an hour is 30 passes over the pairs: many move, each about every ten minutes, not every pass.
    expect(updates.length).toBeGreaterThan(initial.size / 4);
    expect(updates.length).toBeLessThan(initial.size * 8);
    const last = new Map(initial);
    for (const r of updates) {
      expect(movedNoticeably(last.get(r.uid)!, r), r.uid).toBe(true);
      expect(r.createdAt).toBe(initial.get(r.uid)!.createdAt);
      last.set(r.uid, r);
    }
    expect(c.log.slice(seen).some((e) => e.type === 'delete' && e.kind === 'Traffic')).toBe(false);
    expect(c.problems).toEqual([]);
  });
});
