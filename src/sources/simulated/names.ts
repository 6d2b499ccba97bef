// Names the way Kubernetes makes them: pod-template hashes and generated-name suffixes use the
// API server's "safe" alphabet (no vowels, no 0/1/3), and generated suffixes never repeat
// within one owner.
import { mix32, type Prng } from './prng.js';

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
const SAFE_CODES = Array.from(SAFE, (c) => c.charCodeAt(0));
const SUFFIX_SPACE = 27 ** 5;

/** A random string over the safe alphabet (pod-template-hash, slice suffixes). */
export function safeString(prng: Prng, length: number): string {
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = SAFE_CODES[prng.u32() % 27] as number;
  return String.fromCharCode.apply(null, codes);
}

/**
 * Five-character generated-name suffixes for one owner, unique until 27^5 have been handed out:
 * a counter goes through a keyed permutation (a Feistel network on 24 bits, cycle-walked into
 * [0, 27^5)), so suffixes look random yet never collide without a set of used names.
 */
export class SuffixSequence {
  private counter = 0;
  private readonly key: number;

  constructor(prng: Prng) {
    // As a signed 32-bit integer (what Math.imul makes of it anyway), V8 keeps it inline: one
    // sequence per controller, thousands of them.
    this.key = prng.u32() | 0;
  }

  next(): string {
    let x = this.counter++ % SUFFIX_SPACE;
    do x = this.feistel(x);
    while (x >= SUFFIX_SPACE);
    const codes = new Array<number>(5);
    for (let i = 4; i >= 0; i--) {
      codes[i] = SAFE_CODES[x % 27] as number;
      x = Math.floor(x / 27);
    }
    return String.fromCharCode.apply(null, codes);
  }

  private feistel(x: number): number {
    let l = x >>> 12;
    let r = x & 0xfff;
    for (let round = 0; round < 4; round++) {
      const f = mix32(r ^ Math.imul(this.key, round + 1)) & 0xfff;
      [l, r] = [r, l ^ f];
    }
    return (l << 12) | r;
  }
}

/**
 * One shared instance per key. Values repeated across thousands of records (images, container
 * lists, label values built by concatenation) then cost their bytes once. Sealed when the
 * cluster goes live: from then on a long-running demo keeps minting versions that nothing else
 * shares, and remembering them would make it grow.
 */
export class Shared<T> {
  private readonly values = new Map<string, T>();
  private sealed = false;

  get(key: string, make: () => T): T {
    const known = this.values.get(key);
    if (known !== undefined) return known;
    const value = make();
    if (!this.sealed) this.values.set(key, value);
    return value;
  }

  seal(): void {
    this.sealed = true;
  }
}

/** A flat copy of a string that may be a rope of concatenations (ropes cost more memory). */
export function flatten(s: string): string {
  const codes = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) codes[i] = s.charCodeAt(i);
  return String.fromCharCode.apply(null, codes);
}

/** Dotted-quad from a 32-bit number. */
export function ipv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function ipv4Number(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/**
 * `{ ...base, ...extra }`, built key by key. An object spread followed by more keys gives almost
 * every copy a hidden class of its own (a few hundred bytes of V8 map and descriptors each, for
 * every label set and template of a 150,000-pod cluster); copies built this way share one per
 * key sequence.
 */
export function extend<T extends object>(base: T, extra?: Partial<T>): T {
  const copy: Record<string, unknown> = {};
  for (const key in base) copy[key] = base[key];
  if (extra) for (const key in extra) copy[key] = extra[key];
  return copy as T;
}

/**
 * An array holding just `items`. Arrays grown by push (or made by filter) keep room for at least
 * 17 elements, 184 bytes however few they hold: lists that stay short and numerous (a service's
 * slices, a deployment's revisions, a template's env hosts) are copied to their exact size.
 */
export function exact<T>(items: readonly T[]): T[] {
  return items.slice();
}

/** `list` with `item` appended, as a new array of exact size (for short, rarely changed lists). */
export function appended<T>(list: readonly T[], item: T): T[] {
  return list.concat([item]);
}

/** A copy of `base` without `omit` (built like `extend`). */
export function without<T extends object>(base: T, omit: string): T {
  const copy: Record<string, unknown> = {};
  for (const key in base) if (key !== omit) copy[key] = base[key];
  return copy as T;
}
