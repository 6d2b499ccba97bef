import { describe, expect, it } from 'vitest';
import { Prng } from './prng.js';

describe('Prng', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const seq = (p: Prng) => Array.from({ length: 8 }, () => p.u32());
    const first = seq(a);
    expect(seq(b)).toEqual(first);
    expect(seq(c)).not.toEqual(first);
  });

  it('makes version-4 shaped uids', () => {
    const p = new Prng(1);
    const uids = Array.from({ length: 1_000 }, () => p.uid());
    for (const uid of uids) expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('forks independent streams without disturbing each other', () => {
    const root = new Prng(7);
    const x = root.fork('x');
    const y = root.fork('y');
    expect(x.u32()).not.toBe(y.u32());
    expect(new Prng(7).fork('x').u32()).toBe(new Prng(7).fork('x').u32());
  });

  it('stays in range and honours weights', () => {
    const p = new Prng(3);
    for (let i = 0; i < 1_000; i++) {
      const n = p.int(2, 5);
      expect(n >= 2 && n <= 5 && Number.isInteger(n)).toBe(true);
      expect(p.weighted([['never', 0], ['always', 1]] as const)).toBe('always');
    }
    const heads = Array.from({ length: 10_000 }, () => p.chance(0.25)).filter(Boolean).length;
    expect(heads).toBeGreaterThan(2_250);
    expect(heads).toBeLessThan(2_750);
  });
});
