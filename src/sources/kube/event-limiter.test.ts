import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../model/records.js';
import type { SourceEvent } from '../source.js';
import { EventLimiter } from './event-limiter.js';
import { AppliedState } from './testing/harness.js';

function event(uid: string, object: string, lastSeenAt: number): SourceEvent {
  const record: EventRecord = {
    kind: 'Event',
    uid,
    name: uid,
    namespace: 'ns',
    createdAt: 0,
    involved: { kind: 'Pod', name: object, namespace: 'ns', uid: `pod-${object}` },
    type: 'Normal',
    reason: 'Pulled',
    message: '',
    count: 1,
    lastSeenAt,
  };
  return { type: 'upsert', record };
}

describe('EventLimiter', () => {
  it('keeps the newest events of each object and deletes the ones it drops', () => {
    const limiter = new EventLimiter(3, 100);
    const state = new AppliedState();
    for (let i = 0; i < 5; i++) state.apply(limiter.filter([event(`e${i}`, 'a', i)]));
    expect(state.uids()).toEqual(['e2', 'e3', 'e4']);
    expect(state.events.filter((e) => e.type === 'delete').map((e) => (e.type === 'delete' ? e.uid : ''))).toEqual(['e0', 'e1']);
  });

  it('drops an old event arriving late without ever passing it on', () => {
    const limiter = new EventLimiter(2, 100);
    const state = new AppliedState();
    state.apply(limiter.filter([event('new1', 'a', 10), event('new2', 'a', 11)]));
    const out = limiter.filter([event('old', 'a', 1)]);
    expect(out).toEqual([]);
    expect(state.uids()).toEqual(['new1', 'new2']);
  });

  it('within one batch, neither upserts nor deletes an event it drops again', () => {
    const limiter = new EventLimiter(1, 100);
    const out = limiter.filter([event('x', 'a', 1), event('y', 'a', 2), event('z', 'a', 3)]);
    expect(out.map((e) => (e.type === 'upsert' ? e.record.uid : `-${e.type === 'delete' ? e.uid : ''}`))).toEqual(['z']);
  });

  it('bounds the whole cluster, dropping the oldest', () => {
    const limiter = new EventLimiter(10, 100);
    const state = new AppliedState();
    for (let i = 0; i < 1000; i++) state.apply(limiter.filter([event(`e${i}`, `pod-${i}`, i)]));
    expect(state.records.size).toBeLessThanOrEqual(110);
    expect(state.records.size).toBeGreaterThanOrEqual(100);
    expect(state.records.has('e999')).toBe(true);
    expect(state.records.has('e0')).toBe(false);
    expect(limiter.size).toBe(state.records.size);
  });

  it('tells of each event it drops to stay within bounds, not of deleted ones', () => {
    const limiter = new EventLimiter(2, 100);
    const dropped: string[] = [];
    const onDrop = (record: EventRecord) => dropped.push(record.uid);
    limiter.filter([event('a', 'x', 1), event('b', 'x', 2), event('c', 'x', 3)], onDrop);
    limiter.filter([event('old', 'x', 0)], onDrop);
    limiter.filter([{ type: 'delete', kind: 'Event', uid: 'c' }], onDrop);
    expect(dropped).toEqual(['a', 'old']);
  });

  it('passes deletes of kept events on, swallows deletes of dropped ones, leaves other kinds alone', () => {
    const limiter = new EventLimiter(1, 100);
    limiter.filter([event('a1', 'a', 1), event('a2', 'a', 2)]);
    expect(limiter.filter([{ type: 'delete', kind: 'Event', uid: 'a1' }])).toEqual([]);
    expect(limiter.filter([{ type: 'delete', kind: 'Event', uid: 'a2' }])).toEqual([{ type: 'delete', kind: 'Event', uid: 'a2' }]);
    const other: SourceEvent = { type: 'delete', kind: 'Pod', uid: 'p' };
    expect(limiter.filter([other])).toEqual([other]);
  });

  it('updates an event in place', () => {
    const limiter = new EventLimiter(2, 100);
    const state = new AppliedState();
    state.apply(limiter.filter([event('a', 'x', 1), event('b', 'x', 2)]));
    state.apply(limiter.filter([event('a', 'x', 3)]));
    state.apply(limiter.filter([event('c', 'x', 4)]));
    expect(state.uids()).toEqual(['a', 'c']);
  });
});
