// A small seeded PRNG (sfc32) and the random helpers the simulated cluster needs. Math.random is
// never used: the same seed must give byte-identical clusters, uids included.

const HEX = '0123456789abcdef';
const HEX_CODES = Array.from(HEX, (c) => c.charCodeAt(0));
const DASH = '-'.charCodeAt(0);
// Built once and reused: String.fromCharCode over an array yields a flat string, whereas
// concatenating 36 pieces would leave a rope of cons-strings behind every uid.
const UID_CODES: number[] = new Array<number>(36).fill(0);

/** 32-bit integer hash (splitmix32 finaliser): decorrelates seeds and derives sub-seeds. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** A number in [0, 1) fixed for (seed, k): a stateless draw, for values that are a function of an id. */
export function unit(seed: number, k: number): number {
  return mix32(seed ^ Math.imul(k, 0x9e3779b9)) / 4294967296;
}

/** FNV-1a over a string: turns stream names into sub-seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** sfc32: fast, 128-bit state, passes PractRand for the volumes used here. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x243f6a88);
    this.c = mix32(this.b ^ 0xb7e15162);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** An independent stream for one purpose, so that e.g. churn never shifts generation. */
  fork(purpose: string): Prng {
    return new Prng(mix32(this.u32() ^ hashString(purpose)));
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by weight; entries with weight 0 are never chosen. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      if (w <= 0) continue;
      r -= w;
      if (r < 0) return item;
    }
    for (let i = items.length - 1; i >= 0; i--) {
      const entry = items[i] as readonly [T, number];
      if (entry[1] > 0) return entry[0];
    }
    throw new Error('weighted pick with no positive weight');
  }

  /** A version-4 style uid ("3f2a...-...-4...-[89ab]...-..."), as the API server assigns. */
  uid(): string {
    let w = 0;
    let bits = 0;
    for (let i = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        UID_CODES[i] = DASH;
        continue;
      }
      if (bits === 0) {
        w = this.u32();
        bits = 8;
      }
      let nibble = w & 15;
      w >>>= 4;
      bits--;
      if (i === 14) nibble = 4;
      else if (i === 19) nibble = 8 | (nibble & 3);
      UID_CODES[i] = HEX_CODES[nibble] as number;
    }
    return String.fromCharCode.apply(null, UID_CODES);
  }

  /** Lowercase hex of the given length (event name suffixes). */
  hex(length: number): string {
    const codes = new Array<number>(length);
    for (let i = 0; i < length; i++) codes[i] = HEX_CODES[this.u32() & 15] as number;
    return String.fromCharCode.apply(null, codes);
  }
}
