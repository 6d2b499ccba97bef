// Event → EventRecord: what happened to a pod or node, with the message cut to a bound.
import type { EventRecord } from '../../../model/records.js';
import { apiObject, count, obj, shared, text, time, truncate } from './read.js';

/** Enough for a tooltip; some controllers write whole stack traces into event messages. */
export const MAX_EVENT_MESSAGE = 300;

export function stripEvent(raw: unknown): EventRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { object, base } = read;
  const involvedObject = obj(object.involvedObject);
  const involvedKind = shared(involvedObject?.kind);
  const involvedName = text(involvedObject?.name);
  if (involvedKind === undefined || involvedName === undefined) return undefined;
  // Events written through events.k8s.io/v1 carry `series` and `eventTime` instead of
  // count and lastTimestamp.
  const series = obj(object.series);
  // Literals with every field, in a fixed order: one hidden class, fields inside the object.
  return {
    kind: 'Event',
    uid: base.uid,
    name: base.name,
    namespace: base.namespace,
    labels: base.labels,
    createdAt: base.createdAt,
    deletingAt: base.deletingAt,
    owner: base.owner,
    involved: {
      kind: involvedKind,
      name: involvedName,
      namespace: shared(involvedObject?.namespace),
      uid: text(involvedObject?.uid),
    },
    type: shared(object.type) ?? 'Normal',
    reason: shared(object.reason) ?? '',
    message: truncate(text(object.message) ?? '', MAX_EVENT_MESSAGE),
    count: count(object.count) ?? count(series?.count) ?? 1,
    lastSeenAt:
      time(object.lastTimestamp) ??
      time(series?.lastObservedTime) ??
      time(object.eventTime) ??
      time(object.firstTimestamp) ??
      base.createdAt,
  };
}
