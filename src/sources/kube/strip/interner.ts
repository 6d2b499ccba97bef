// Shares equal strings, label maps and other small values between records.
//
// JSON.parse gives every object its own copy of every string, so 150,000 pods would hold
// 150,000 copies of "kube-system", of each image name and of each label. Interning keeps one
// copy of each low-cardinality value. The tables are bounded: when one fills up it starts over,
// which costs some sharing for a while but never grows without bound on a week-long run.
import type { Labels, OwnerRef } from '../../../model/records.js';
import { sameJson } from '../../../model/same-json.js';

/** Longer strings are rarely repeated (messages, certificates); not worth a table slot. */
const MAX_INTERNED_LENGTH = 256;

/**
 * Larger values (by their JSON) are not shared. Big enough for a pod template's references with
 * all 32 hosts and the field each was found at (about 4 KiB with long names): those are the
 * same on every pod of a template, and a copy on each would cost more than the table slot.
 */
const MAX_INTERNED_VALUE_LENGTH = 8 * 1024;

/** Labels beyond this many on one object are dropped: no selector needs them, memory does. */
export const MAX_LABELS = 256;

/** Values whose signatures hash alike: rare, but a table slot must be able to hold several. */
class Collisions {
  constructor(readonly values: unknown[]) {}
}

export class Interner {
  private strings = new Map<string, string>();
  /**
   * Shared values by a 30-bit hash of their JSON (a small integer: no string kept per value,
   * which for a value seen once, such as the labels of a StatefulSet pod, would cost more than
   * the value). A hit is confirmed by comparing the values.
   */
  private values = new Map<number, unknown>();
  private owners = new Map<string, OwnerRef>();

  constructor(
    private readonly maxStrings = 100_000,
    private readonly maxValues = 50_000,
    private readonly maxOwners = 100_000,
  ) {}

  string(value: string): string {
    if (value.length > MAX_INTERNED_LENGTH) return value;
    const shared = this.strings.get(value);
    if (shared !== undefined) return shared;
    if (this.strings.size >= this.maxStrings) this.strings = new Map();
    // The copy kept is a flat string of its own: a value cut out of a longer one (a regex match,
    // a slice) would otherwise keep that longer string alive for as long as the table does.
    const own = ownCopy(value);
    this.strings.set(own, own);
    return own;
  }

  /**
   * One frozen owner reference per owner: every pod of a ReplicaSet, StatefulSet or DaemonSet
   * names the same owner, and a copy on each pod costs an object and two strings (about 150
   * bytes a pod). Keyed by the owner's uid, so an owner with a single pod (a Job) costs a table
   * entry and no signature string.
   */
  owner(kind: string, name: string, uid: string): OwnerRef {
    const shared = this.owners.get(uid);
    if (shared !== undefined && shared.kind === kind && shared.name === name) return shared;
    if (this.owners.size >= this.maxOwners) this.owners = new Map();
    const owner: OwnerRef = Object.freeze({ kind, name, uid });
    this.owners.set(owner.uid, owner);
    return owner;
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
    const labels: Labels = Object.fromEntries(entries);
    const shared = this.find(labels, JSON.stringify(labels));
    if (shared !== undefined) return shared.value as Labels;
    // A new map. Keys repeat across maps and are shared; values are shared when already known
    // but never added: a value unique to one object (a StatefulSet pod's name and index, a
    // node's hostname) would only take a table slot.
    return this.value(Object.fromEntries(entries.map(([key, value]) => [this.string(key), this.strings.get(value) ?? value])));
  }

  /**
   * One frozen copy shared by every record with an equal value: the containers, resources and
   * references of pods from one template are the same on each of them. Frozen (deeply) because
   * it is shared: records are values and are never edited.
   */
  value<T>(value: T): T {
    const signature = JSON.stringify(value);
    if (signature.length > MAX_INTERNED_VALUE_LENGTH) return value;
    const shared = this.find(value, signature);
    if (shared !== undefined) return shared.value as T;
    if (this.values.size >= this.maxValues) this.values = new Map();
    const key = hash(signature);
    const slot = this.values.get(key);
    deepFreeze(value);
    if (slot === undefined) this.values.set(key, value);
    else if (slot instanceof Collisions) slot.values.push(value);
    else this.values.set(key, new Collisions([slot, value]));
    return value;
  }

  /** The shared value equal to this one, if there is one (wrapped: a shared value may be anything). */
  private find(value: unknown, signature: string): { value: unknown } | undefined {
    const slot = this.values.get(hash(signature));
    if (slot === undefined) return undefined;
    for (const candidate of slot instanceof Collisions ? slot.values : [slot]) {
      if (sameJson(candidate, value)) return { value: candidate };
    }
    return undefined;
  }
}

/** A 30-bit hash of a string (a small integer on every V8 build: no boxed number as a key). */
function hash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  return h1 & 0x3fffffff;
}

/**
 * A flat copy of a string that shares no storage with any other string. V8 represents a slice
 * (`slice`, `substring`, regex captures) as a view of its parent and a concatenation as a pair
 * of its parts; a short string kept for a long time must not keep a long one alive through either.
 */
export function ownCopy(value: string): string {
  return JSON.parse(JSON.stringify(value)) as string;
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
