import { describe, expect, it } from 'vitest';
import type { NamespaceRecord, PodRecord } from '../../model/records.js';
import { KnownObjects } from './known-objects.js';
import { sameJson } from '../../model/same-json.js';

function pod(name: string, uid: string, extra: Partial<PodRecord> = {}): PodRecord {
  return {
    kind: 'Pod',
    uid,
    name,
    namespace: 'shop',
    createdAt: 0,
    phase: 'Running',
    status: 'Running',
    ready: true,
    restarts: 0,
    requests: { cpu: 0, memory: 0 },
    limits: {},
    containers: [],
    ...extra,
  };
}

describe('KnownObjects', () => {
  it('remembers records by namespace and name, and skips an equal one', () => {
    const known = new KnownObjects();
    const first = pod('web', 'u1');
    expect(known.remember(first)).toEqual({ same: false });
    expect(known.remember(pod('web', 'u1'))).toEqual({ same: true });
    // An equal record is not taken: the one the consumer holds stays the one remembered.
    expect(known.find('shop', 'web')).toBe(first);
    const changed = pod('web', 'u1', { restarts: 1 });
    expect(known.remember(changed)).toEqual({ same: false });
    expect(known.find('shop', 'web')).toBe(changed);
    expect(known.find('other', 'web')).toBeUndefined();
    expect(known.size).toBe(1);
  });

  it('says which uid a recreated object of the same name replaces', () => {
    const known = new KnownObjects();
    known.remember(pod('db-0', 'old'));
    expect(known.remember(pod('db-0', 'new'))).toEqual({ same: false, replaced: 'old' });
    expect(known.size).toBe(1);
    // A late delete of the old object forgets nothing.
    expect(known.forget('old', 'shop', 'db-0')).toBe(false);
    expect(known.find('shop', 'db-0')?.uid).toBe('new');
  });

  it('forgets by name, or by uid alone with a scan, and sweeps what a relist did not list', () => {
    const known = new KnownObjects();
    for (const [name, uid] of [['a', 'ua'], ['b', 'ub'], ['c', 'uc']] as const) known.remember(pod(name, uid));
    const ns: NamespaceRecord = { kind: 'Namespace', uid: 'uns', name: 'shop', createdAt: 0, phase: 'Active' };
    known.remember(ns);
    expect(known.find('', 'shop')).toBe(ns);
    expect(known.forget('ua', 'shop', 'a')).toBe(true);
    expect(known.forget('ub', undefined, undefined)).toBe(true);
    expect(known.forget('ub', 'shop', 'b')).toBe(false);
    expect(known.size).toBe(2);
    expect(known.sweep((uid) => uid === 'uns')).toEqual(['uc']);
    expect(known.size).toBe(1);
    expect(known.sweep(() => false)).toEqual(['uns']);
    expect(known.size).toBe(0);
  });
});

describe('sameJson', () => {
  it('compares as JSON would: key order and undefined fields do not matter', () => {
    expect(sameJson({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 0 })).toBe(false);
    expect(sameJson({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameJson({ a: [] }, { a: {} })).toBe(false);
    expect(sameJson({ a: null }, { a: undefined })).toBe(false);
  });
});
