import { describe, expect, it } from 'vitest';
import { Interner, MAX_LABELS, ownCopy } from './interner.js';

describe('Interner', () => {
  it('shares equal label maps, frozen, and keeps at most MAX_LABELS', () => {
    const interner = new Interner();
    const a = interner.labels({ app: 'web', tier: 'frontend' });
    const b = interner.labels(JSON.parse('{"app":"web","tier":"frontend"}'));
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(interner.labels({ app: 'web', tier: 'backend' })).not.toBe(a);
    expect(interner.labels({ skipped: 42 })).toBeUndefined();
    const huge = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v']));
    expect(Object.keys(interner.labels(huge) ?? {})).toHaveLength(MAX_LABELS);
  });

  it('shares equal values deeply frozen, but not large ones', () => {
    const interner = new Interner();
    const first = interner.value([{ name: 'app', requests: { cpu: 100 } }]);
    const second = interner.value([{ name: 'app', requests: { cpu: 100 } }]);
    expect(second).toBe(first);
    expect(Object.isFrozen(first[0]?.requests)).toBe(true);
    const big = { text: 'x'.repeat(10_000) };
    expect(interner.value({ ...big })).not.toBe(interner.value({ ...big }));
    expect(Object.isFrozen(interner.value(big))).toBe(false);
  });

  it('shares one frozen owner reference per owner uid', () => {
    const interner = new Interner();
    const owner = interner.owner('ReplicaSet', 'web-7d4b9c8f6d', 'rs-uid');
    expect(interner.owner('ReplicaSet', 'web-7d4b9c8f6d', 'rs-uid')).toBe(owner);
    expect(owner).toEqual({ kind: 'ReplicaSet', name: 'web-7d4b9c8f6d', uid: 'rs-uid' });
    expect(Object.isFrozen(owner)).toBe(true);
    // The same uid with another kind or name (never in a real cluster) is not mixed up.
    expect(interner.owner('Job', 'web-7d4b9c8f6d', 'rs-uid')).toEqual({ kind: 'Job', name: 'web-7d4b9c8f6d', uid: 'rs-uid' });
  });

  it('keeps copies of strings, never slices of longer ones', () => {
    const interner = new Interner();
    const long = `orders.shop:8080 ${'x'.repeat(1000)}`;
    const shared = interner.string(long.slice(0, 11));
    expect(shared).toBe('orders.shop');
    expect(interner.string('orders.shop')).toBe(shared);
    expect(ownCopy(long)).toBe(long);
  });

  it('stays bounded: a full table starts over', () => {
    const interner = new Interner(10, 10);
    for (let i = 0; i < 1000; i++) interner.value({ i });
    const a = interner.value({ n: 1 });
    expect(interner.value({ n: 1 })).toBe(a);
    for (let i = 0; i < 10; i++) interner.value({ other: i });
    // The table was reset since `a` went in: a new equal value is a new object again.
    expect(interner.value({ n: 1 })).not.toBe(a);
  });
});
