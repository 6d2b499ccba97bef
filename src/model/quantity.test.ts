import { describe, expect, it } from 'vitest';
import { parseCount, parseCpu, parseMemory } from './quantity.js';

describe('parseCpu (millicores)', () => {
  it.each([
    ['100m', 100],
    ['1', 1000],
    ['1.5', 1500],
    ['0.1', 100],
    ['.5', 500],
    ['2.', 2000],
    ['250m', 250],
    ['1e3', 1_000_000],
    ['1E-3', 1],
    ['500000n', 1], // 0.5m rounds up, like Quantity.MilliValue()
    ['123456789n', 124],
    ['10u', 1],
    ['0', 0],
    ['+2', 2000],
    ['1k', 1_000_000],
    [0.25, 250],
    [2, 2000],
  ])('%s → %d', (input, expected) => {
    expect(parseCpu(input)).toBe(expected);
  });
});

describe('parseMemory (bytes)', () => {
  it.each([
    ['2Gi', 2 * 1024 ** 3],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['0.5Ki', 512],
    ['129M', 129_000_000],
    ['128974848', 128_974_848],
    ['1e3', 1000],
    ['8P', 8e15],
    ['7Pi', 7 * 1024 ** 5],
    ['100m', 1], // a tenth of a byte rounds up, like Quantity.Value()
    ['64Mi', 64 * 1024 ** 2],
    ['1Ti', 1024 ** 4],
  ])('%s → %d', (input, expected) => {
    expect(parseMemory(input)).toBe(expected);
  });
});

describe('parseCount', () => {
  it('reads whole units', () => {
    expect(parseCount('110')).toBe(110);
    expect(parseCount('8')).toBe(8);
    expect(parseCount('1k')).toBe(1000);
  });
});

describe('bad input', () => {
  it.each([
    [''],
    ['.'],
    ['abc'],
    ['1.2.3'],
    ['1Gb'],
    ['1 Gi'],
    [' 1'],
    ['--1'],
    ['1e'],
    ['e3'],
    ['Gi'],
    ['1e99999'],
    ['1'.repeat(65)],
    ['9'.repeat(40) + 'Ei'],
    ['1Ei'], // more bytes than a double counts exactly
    [null],
    [undefined],
    [{}],
    [[]],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [true],
  ])('%j → undefined', (input) => {
    expect(parseCpu(input)).toBeUndefined();
    expect(parseMemory(input)).toBeUndefined();
  });

  it('refuses negative amounts, and never returns NaN or -0', () => {
    for (const input of ['-1', '-1m', '-0.5Gi', -2]) {
      expect(parseCpu(input)).toBeUndefined();
      expect(parseMemory(input)).toBeUndefined();
    }
    for (const input of ['-0', '0e5', '000', '1e-300', -0]) {
      const value = parseCpu(input);
      expect(Number.isFinite(value)).toBe(true);
      expect(Object.is(value, -0)).toBe(false);
    }
  });
});
