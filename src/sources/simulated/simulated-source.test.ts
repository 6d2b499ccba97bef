import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../model/cluster-status.js';
import { RECORD_KINDS } from '../../model/records.js';
import type { SourceEvent } from '../source.js';
import { ManualClock } from './clock.js';
import { createSimulatedSource, type SimulatedOptions } from './simulated-source.js';
import { createSimulatedTestDriver } from './test-driver.js';

function record(options: Omit<SimulatedOptions, 'clock'>, clock = new ManualClock()) {
  const source = createSimulatedSource({ ...options, clock });
  const calls: SourceEvent[][] = [];
  source.start((events) => calls.push(events));
  return { source, clock, calls, events: () => calls.flat() };
}

const statuses = (events: SourceEvent[]): ClusterStatus[] => events.flatMap((e) => (e.type === 'status' ? [e.status] : []));

describe('SimulatedSource', () => {
  it('connects, syncs every kind in a few large batches, then goes live', () => {
    const { source, clock, calls, events } = record({ size: 'medium', churnPerSecond: 0 });
    expect(statuses(events()).map((s) => s.phase)).toEqual(['connecting']);
    clock.advance(0);
    const all = events();
    const phases = statuses(all);
    expect(phases[1]?.phase).toBe('syncing');
    const ledger = source.cluster.ledger;
    for (const kind of RECORD_KINDS) expect(phases[1]?.kinds[kind], kind).toEqual({ state: 'syncing', count: 0, expected: ledger.count(kind) });
    const live = phases[phases.length - 1] as ClusterStatus;
    expect(live.phase).toBe('live');
    expect(live.metrics).toBe('available');
    for (const kind of RECORD_KINDS) expect(live.kinds[kind], kind).toEqual({ state: 'live', count: ledger.count(kind) });
    // Each kind's upserts come before the status that marks it live.
    let seenLive = new Set<string>();
    for (const e of all) {
      if (e.type === 'status') seenLive = new Set(Object.entries(e.status.kinds).filter(([, s]) => s?.state === 'live').map(([k]) => k));
      else if (e.type === 'upsert') expect(seenLive.has(e.record.kind), `${e.record.kind} upserted after it went live`).toBe(false);
    }
    expect(all.filter((e) => e.type === 'upsert')).toHaveLength(RECORD_KINDS.reduce((n, k) => n + ledger.count(k), 0));
    expect(calls.length).toBeLessThan(RECORD_KINDS.length + 4);
  });

  it('emits the same events for the same seed and clock, churn included', () => {
    const run = () => {
      const r = record({ size: 'small', seed: 11, churnPerSecond: 10, metricsIntervalMs: 5_000 });
      r.clock.advance(0);
      r.clock.advance(2 * 60_000);
      return JSON.stringify(r.events());
    };
    const first = run();
    expect(first.length).toBeGreaterThan(100_000);
    expect(run()).toBe(first);
  });

  it('stops: no timers left, no events after stop()', async () => {
    const { source, clock, events } = record({ size: 'small', churnPerSecond: 10 });
    clock.advance(0);
    clock.advance(10_000);
    await source.stop();
    const n = events().length;
    expect(clock.pending).toBe(0);
    await createSimulatedTestDriver(source).createNamespace('after-stop');
    clock.advance(60_000);
    expect(events()).toHaveLength(n);
  });

  it('refuses a second start', () => {
    const { source } = record({ size: 'small' });
    expect(() => source.start(() => {})).toThrow(/twice/);
  });

  it('applies driver changes as one batch each, with follow-ups on its clock', async () => {
    const { source, clock, calls } = record({ size: 'small', churnPerSecond: 0, metricsIntervalMs: 0 });
    clock.advance(0);
    const driver = createSimulatedTestDriver(source);
    const before = calls.length;
    await driver.createNamespace('probe');
    await driver.createPod('probe', 'one', { app: 'probe' });
    expect(calls.length).toBe(before + 2);
    const pending = calls[calls.length - 1]?.find((e) => e.type === 'upsert' && e.record.kind === 'Pod');
    expect(pending?.type === 'upsert' && pending.record.kind === 'Pod' && pending.record.status).toBe('Pending');
    clock.advance(30_000);
    const pod = source.cluster.barePods.get('probe/one');
    expect(pod?.state).toBe('Running');
    expect(pod?.podIP).toMatch(/^10\.\d+\.\d+\.\d+$/);
    await driver.deletePod('probe', 'one');
    clock.advance(30_000);
    expect(source.cluster.barePods.has('probe/one')).toBe(false);
    await expect(driver.createPod('missing', 'x', {})).rejects.toThrow(/not found/);
  });

  it('rejects an unknown size', () => {
    expect(() => createSimulatedSource({ size: 'huge' as never })).toThrow(/unknown simulated size/);
  });
});
