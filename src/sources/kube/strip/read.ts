// Reading untrusted API objects without trusting their shape.
//
// Every object comes from a cluster as parsed JSON: any field may be missing or of the wrong
// type. These readers return undefined (or an empty list) instead of throwing, so a strip
// function is a straight line of reads and one malformed object never stops a watch.
import type { Condition, LabelSelector, Labels, OwnerRef, RecordMeta } from '../../../model/records.js';
import { interner, ownCopy } from './interner.js';

export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The plain objects of a list; other entries are skipped. */
export function objects(value: unknown): Json[] {
  return list(value).filter((item): item is Json => obj(item) !== undefined);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A non-empty string. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A low-cardinality string (namespace, image, node name, reason), shared between records. */
export function shared(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? interner.string(value) : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A count, port or weight: a finite number that is not negative. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** An RFC 3339 timestamp as epoch ms. */
export function time(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The strings of a list; other entries are skipped. */
export function strings(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === 'string');
}

/** The non-empty strings of a list, each shared. */
function sharedStrings(value: unknown): string[] {
  const result: string[] = [];
  for (const item of list(value)) {
    const s = shared(item);
    if (s !== undefined) result.push(s);
  }
  return result;
}

export function labels(value: unknown): Labels | undefined {
  const map = obj(value);
  return map ? interner.labels(map) : undefined;
}

/**
 * Truncates long text (messages) to a bound, marking the cut. The cut text is a string of its
 * own: a slice would keep the whole original (a stack trace in an event message) alive.
 */
export function truncate(value: string, max: number): string {
  return value.length <= max ? value : ownCopy(`${value.slice(0, max - 1)}…`);
}

export function labelSelector(value: unknown): LabelSelector | undefined {
  const selector = obj(value);
  if (!selector) return undefined;
  const result: LabelSelector = {};
  const matchLabels = labels(selector.matchLabels);
  if (matchLabels) result.matchLabels = matchLabels;
  const expressions = objects(selector.matchExpressions).flatMap((e) => {
    const key = shared(e.key);
    const operator = shared(e.operator);
    if (key === undefined || operator === undefined) return [];
    const values = sharedStrings(e.values);
    return [values.length > 0 ? { key, operator, values } : { key, operator }];
  });
  if (expressions.length > 0) result.matchExpressions = expressions;
  return result;
}

const CONDITION_STATUS = new Set(['True', 'False', 'Unknown']);
const MAX_CONDITION_MESSAGE = 500;

export function condition(value: Json): Condition | undefined {
  const type = shared(value.type);
  const status = str(value.status);
  if (type === undefined || status === undefined || !CONDITION_STATUS.has(status)) return undefined;
  const message = text(value.message);
  // One literal with every field (undefined when absent): one hidden class, fields in the object.
  return {
    type,
    status: status as Condition['status'],
    reason: shared(value.reason),
    message: message === undefined ? undefined : truncate(message, MAX_CONDITION_MESSAGE),
    since: time(value.lastTransitionTime),
  };
}

function controllerOwner(value: unknown): OwnerRef | undefined {
  for (const ref of objects(value)) {
    if (ref.controller !== true) continue;
    const kind = shared(ref.kind);
    const name = text(ref.name);
    const uid = text(ref.uid);
    if (kind !== undefined && name !== undefined && uid !== undefined) return interner.owner(kind, name, uid);
  }
  return undefined;
}

/**
 * The identity every record needs. Undefined when the object is not usable: no metadata, no
 * uid or name, or no namespace on a namespaced kind.
 */
export function meta(raw: Json, namespaced: boolean): RecordMeta | undefined {
  const metadata = obj(raw.metadata);
  if (!metadata) return undefined;
  const uid = text(metadata.uid);
  const name = text(metadata.name);
  if (uid === undefined || name === undefined) return undefined;
  const result: RecordMeta = { uid, name, createdAt: time(metadata.creationTimestamp) ?? 0 };
  if (namespaced) {
    const namespace = shared(metadata.namespace);
    if (namespace === undefined) return undefined;
    result.namespace = namespace;
  }
  const objectLabels = labels(metadata.labels);
  if (objectLabels) result.labels = objectLabels;
  const deletingAt = time(metadata.deletionTimestamp);
  if (deletingAt !== undefined) result.deletingAt = deletingAt;
  const owner = controllerOwner(metadata.ownerReferences);
  if (owner) result.owner = owner;
  return result;
}

/** metadata.annotations[key] when it is a string. Annotations themselves are never kept. */
export function annotation(raw: Json, key: string): string | undefined {
  return str(obj(obj(raw.metadata)?.annotations)?.[key]);
}

export interface ApiObject {
  object: Json;
  base: RecordMeta;
  /** spec and status, or empty objects when absent or not objects. */
  spec: Json;
  status: Json;
}

/** A raw API object and its record identity; undefined when it is not usable (see `meta`). */
export function apiObject(raw: unknown, namespaced: boolean): ApiObject | undefined {
  const object = obj(raw);
  const base = object && meta(object, namespaced);
  if (!object || !base) return undefined;
  return { object, base, spec: obj(object.spec) ?? {}, status: obj(object.status) ?? {} };
}
