// Shares equal strings, label maps and other small values between records.
//
// JSON.parse gives every object its own copy of every string, so 150,000 pods would hold
// 150,000 copies of "kube-system", of each image name and of each label. Interning keeps one
// copy of each low-cardinality value. The tables are bounded: when one fills up it starts over,
// which costs some sharing for a while but never grows without bound on a week-long run.
import type { Labels } from '../../../model/records.js';

/** Longer strings are rarely repeated (messages, certificates); not worth a table slot. */
const MAX_INTERNED_LENGTH = 256;

/** Labels beyond this many on one object are dropped: no selector needs them, memory does. */
export const MAX_LABELS = 256;

export class Interner {
  private strings = new Map<string, string>();
  private values = new Map<string, unknown>();

  constructor(
    private readonly maxStrings = 100_000,
    private readonly maxValues = 50_000,
  ) {}

  string(value: string): string {
    if (value.length > MAX_INTERNED_LENGTH) return value;
    const shared = this.strings.get(value);
    if (shared !== undefined) return shared;
    if (this.strings.size >= this.maxStrings) this.strings = new Map();
    this.strings.set(value, value);
    return value;
  }

  /**
   * A frozen label map shared by every object with the same labels (all pods of a ReplicaSet
   * have the same ones). Frozen because it is shared: records are values, never edited.
   * Non-string values are skipped; undefined when nothing is left.
   */
  labels(raw: Record<string, unknown>): Labels | undefined {
    const entries: [string, string][] = [];
    for (const key in raw) {
      const value = raw[key];
      if (typeof value !== 'string') continue;
      entries.push([key, value]);
      if (entries.length === MAX_LABELS) break;
    }
    if (entries.length === 0) return undefined;
    // fromEntries defines own properties, so even a key like "__proto__" stays plain data.
    return this.value(Object.fromEntries(entries.map(([key, value]) => [this.string(key), this.string(value)])));
  }

  /**
   * One frozen copy shared by every record with an equal value: the containers, resources and
   * references of pods from one template are the same on each of them. Frozen (deeply) because
   * it is shared: records are values and are never edited.
   */
  value<T>(value: T): T {
    const signature = JSON.stringify(value);
    const shared = this.values.get(signature);
    if (shared !== undefined) return shared as T;
    if (signature.length > 16 * MAX_INTERNED_LENGTH) return value;
    if (this.values.size >= this.maxValues) this.values = new Map();
    this.values.set(signature, deepFreeze(value));
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** One interner for the process: clusters share images, namespaces and label values too. */
export const interner = new Interner();
