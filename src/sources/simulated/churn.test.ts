import { describe, expect, it } from 'vitest';
import { RECORD_KINDS, type ClusterRecord, type PodRecord, type UsageRecord } from '../../model/records.js';
import { collect, type Collected } from '../source.contract.js';
import { ManualClock } from './clock.js';
import { checkConsistency } from './consistency.js';
import { createSimulatedSource, type SimulatedOptions } from './simulated-source.js';
import { SIZES } from './sizes.js';
import { USAGE_THRESHOLD } from './usage.js';

const MINUTE = 60_000;

function started(options: Omit<SimulatedOptions, 'clock'>) {
  const clock = new ManualClock();
  const source = createSimulatedSource({ ...options, clock });
  const c = collect(source);
  clock.advance(0);
  return { clock, source, c };
}

function count(c: Collected, kind: ClusterRecord['kind']): number {
  let n = 0;
  for (const r of c.records.values()) if (r.kind === kind) n++;
  return n;
}

/** The consumer's model must be exactly what the source has published. */
function expectModelMatchesSource(c: Collected, source: ReturnType<typeof createSimulatedSource>): void {
  const ledger = source.cluster.ledger;
  for (const kind of RECORD_KINDS) expect(count(c, kind), kind).toBe(ledger.count(kind));
  for (const r of c.records.values()) expect(ledger.get(r.kind, r.uid)).toBe(r);
}

describe('simulated churn', () => {
  it('keeps the cluster consistent while it churns', () => {
    const { clock, source, c } = started({ size: 'medium', seed: 3, churnPerSecond: 30 });
    for (let minute = 1; minute <= 3; minute++) {
      clock.advance(MINUTE);
      expect(c.problems).toEqual([]);
      if (minute !== 2) {
        expect(checkConsistency(c.records.values())).toEqual([]);
        expectModelMatchesSource(c, source);
      }
    }
  });

  it('does all the things a live cluster does', () => {
    const { clock, c } = started({ size: 'small', seed: 4, churnPerSecond: 5 });
    const before = c.log.length;
    clock.advance(60 * MINUTE);
    const events = c.log.slice(before);
    const upserts = events.flatMap((e) => (e.type === 'upsert' ? [e.record] : []));
    const deletes = events.flatMap((e) => (e.type === 'delete' ? [e] : []));
    const pods = upserts.filter((r): r is PodRecord => r.kind === 'Pod');
    for (const status of ['Pending', 'ContainerCreating', 'Running', 'NotReady', 'CrashLoopBackOff', 'Terminating', 'Succeeded']) {
      expect(pods.some((p) => p.status === status), status).toBe(true);
    }
    // A terminating pod is an upsert with deletingAt, then a delete.
    const terminating = pods.find((p) => p.deletingAt !== undefined) as PodRecord;
    expect(deletes.some((d) => d.kind === 'Pod' && d.uid === terminating.uid)).toBe(true);
    expect(deletes.some((d) => d.kind === 'Node'), 'a node removed').toBe(true);
    expect(upserts.some((r) => r.kind === 'Node' && !r.ready && r.taints.some((t) => t.key === 'node.kubernetes.io/not-ready')), 'a node joining').toBe(true);
    expect(upserts.some((r) => r.kind === 'Node' && r.unschedulable), 'a node cordoned').toBe(true);
    expect(upserts.some((r) => r.kind === 'ReplicaSet' && r.createdAt > Date.UTC(2025, 0, 6, 9)), 'a rollout').toBe(true);
    expect(upserts.some((r) => r.kind === 'Job' && r.outcome === 'Complete' && r.owner?.kind === 'CronJob'), 'a cron run').toBe(true);
    expect(deletes.some((d) => d.kind === 'Job'), 'old jobs pruned').toBe(true);
    expect(upserts.some((r) => r.kind === 'Event' && r.reason === 'BackOff'), 'events').toBe(true);
    expect(upserts.some((r) => r.kind === 'EndpointSlice'), 'endpoints follow pods').toBe(true);
    expect(c.problems).toEqual([]);
  });

  it('stays near its size over hours of heavy churn (a week-long demo must not grow)', () => {
    // A bare model (no per-event validation, which the other tests do) to afford ~100k operations.
    const clock = new ManualClock();
    const source = createSimulatedSource({ size: 'small', seed: 5, churnPerSecond: 10, clock });
    const model = new Map<string, ClusterRecord>();
    const unknownDeletes: string[] = [];
    source.start((events) => {
      for (const e of events) {
        if (e.type === 'upsert') model.set(`${e.record.kind}/${e.record.uid}`, e.record);
        else if (e.type === 'delete' && !model.delete(`${e.kind}/${e.uid}`)) unknownDeletes.push(`${e.kind}/${e.uid}`);
      }
    });
    clock.advance(0);
    const kinds = (kind: string) => [...model.values()].filter((r) => r.kind === kind).length;
    const initial = { deployments: kinds('Deployment'), jobs: kinds('Job') };
    for (let hour = 1; hour <= 3; hour++) {
      clock.advance(60 * MINUTE);
      // Ten operations a second on 120 pods keep a dozen or so terminating or surging at any time.
      expect(Math.abs(kinds('Pod') - SIZES.small.pods), `pods after ${hour} h`).toBeLessThanOrEqual(SIZES.small.pods * 0.2);
      expect(Math.abs(kinds('Node') - SIZES.small.nodes), `nodes after ${hour} h`).toBeLessThanOrEqual(2);
      expect(kinds('Event')).toBeLessThanOrEqual(SIZES.small.events);
      // Current revision, one rolling out, and the revision history.
      expect(kinds('ReplicaSet')).toBeLessThanOrEqual(initial.deployments * 4);
      expect(kinds('Job')).toBeLessThanOrEqual(initial.jobs + 10);
    }
    expect(unknownDeletes).toEqual([]);
    expect(checkConsistency(model.values())).toEqual([]);
    for (const kind of RECORD_KINDS) expect(kinds(kind), kind).toBe(source.cluster.ledger.count(kind));
  });

  it('resends usage only for what moved by more than the threshold', () => {
    const { clock, c } = started({ size: 'medium', seed: 6, churnPerSecond: 0, metricsIntervalMs: 15_000 });
    const before = new Map([...c.records.values()].filter((r): r is UsageRecord => r.kind === 'PodMetrics' || r.kind === 'NodeMetrics').map((u) => [`${u.kind}/${u.uid}`, u.usage]));
    const seen = c.log.length;
    clock.advance(15_000);
    const sent = c.log.slice(seen).flatMap((e) => (e.type === 'upsert' && (e.record.kind === 'PodMetrics' || e.record.kind === 'NodeMetrics') ? [e.record as UsageRecord] : []));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(before.size / 2);
    for (const u of sent) {
      const prev = before.get(`${u.kind}/${u.uid}`);
      if (!prev) continue;
      const moved = Math.abs(u.usage.cpu - prev.cpu) > prev.cpu * USAGE_THRESHOLD || Math.abs(u.usage.memory - prev.memory) > prev.memory * USAGE_THRESHOLD;
      expect(moved, `${u.kind} ${u.name}`).toBe(true);
    }
    expect(c.log.slice(seen).every((e) => e.type === 'upsert' && (e.record.kind === 'PodMetrics' || e.record.kind === 'NodeMetrics'))).toBe(true);
  });

  it('is static with churn 0 and no metrics interval', () => {
    const { clock, c } = started({ size: 'small', seed: 1, churnPerSecond: 0, metricsIntervalMs: 0 });
    const seen = c.log.length;
    clock.advance(30 * MINUTE);
    expect(c.log.length).toBe(seen);
  });
});
