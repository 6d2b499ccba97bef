import { describe, expect, it } from 'vitest';
import { flatten, safeString, Shared, SuffixSequence } from './names.js';
import { Prng } from './prng.js';

describe('names', () => {
  it('generates suffixes in the safe alphabet that never repeat within an owner', () => {
    const seq = new SuffixSequence(new Prng(1));
    const suffixes = Array.from({ length: 50_000 }, () => seq.next());
    expect(suffixes.filter((s) => !/^[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(s))).toEqual([]);
    expect(new Set(suffixes).size).toBe(suffixes.length);
  });

  it('makes pod-template hashes like the API server', () => {
    expect(safeString(new Prng(2), 10)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  it('shares values until sealed, then only those it knows', () => {
    const shared = new Shared<{ v: string }>();
    const a = shared.get('x:1', () => ({ v: 'x:1' }));
    expect(shared.get('x:1', () => ({ v: 'other' }))).toBe(a);
    shared.seal();
    expect(shared.get('x:1', () => ({ v: 'other' }))).toBe(a);
    const b = shared.get('x:2', () => ({ v: 'x:2' }));
    expect(shared.get('x:2', () => ({ v: 'x:2' }))).not.toBe(b);
    expect(flatten(['registry', 'x:1'].join('/'))).toBe('registry/x:1');
  });
});
