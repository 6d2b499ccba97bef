// Keeps the events a source emits bounded: at most `perObject` for each pod or node, and about
// `perCluster` in all, newest first. A busy cluster writes thousands of events a minute; a view
// needs the last few per object. Dropped events are deleted downstream like any other record.
import type { EventRecord } from '../../model/records.js';
import type { SourceEvent } from '../source.js';

/** The key of the object an event is about: its uid, or kind/namespace/name when the event has none. */
function objectOf(record: EventRecord): string {
  const { involved } = record;
  return involved.uid ?? `${involved.kind}/${involved.namespace ?? ''}/${involved.name}`;
}

export class EventLimiter {
  /** uid → the record passed on last (the consumer holds it too, so keeping it costs nothing). */
  private readonly kept = new Map<string, EventRecord>();
  private readonly byObject = new Map<string, Set<string>>();

  constructor(
    private readonly perObject = 10,
    private readonly perCluster = 2000,
  ) {}

  /**
   * The events to pass on: upserts of kept events, deletes for events dropped or deleted.
   * `onDrop` hears of each event dropped to stay within bounds (not of deleted ones), so that
   * the source can forget it too.
   */
  filter(events: SourceEvent[], onDrop?: (record: EventRecord) => void): SourceEvent[] {
    const out: (SourceEvent | undefined)[] = [];
    // Upserts in this batch of events the consumer has not seen before it: if one is dropped
    // again within the batch, the consumer should see neither the upsert nor a delete.
    const unsent = new Map<string, number[]>();
    const forget = (uid: string, deleteEvent: SourceEvent) => {
      const indexes = unsent.get(uid);
      if (indexes === undefined) {
        out.push(deleteEvent);
        return;
      }
      for (const index of indexes) out[index] = undefined;
      unsent.delete(uid);
    };
    for (const event of events) {
      if (event.type === 'upsert' && event.record.kind === 'Event') {
        const uid = event.record.uid;
        out.push(event);
        if (!this.kept.has(uid) || unsent.has(uid)) unsent.set(uid, [...(unsent.get(uid) ?? []), out.length - 1]);
        for (const dropped of this.add(event.record)) {
          forget(dropped.uid, { type: 'delete', kind: 'Event', uid: dropped.uid });
          onDrop?.(dropped);
        }
      } else if (event.type === 'delete' && event.kind === 'Event') {
        if (this.remove(event.uid)) forget(event.uid, event);
      } else {
        out.push(event);
      }
    }
    return out.filter((event): event is SourceEvent => event !== undefined);
  }

  get size(): number {
    return this.kept.size;
  }

  /** Adds or updates one event; returns the events dropped to stay within bounds. */
  private add(record: EventRecord): EventRecord[] {
    const object = objectOf(record);
    const previous = this.kept.get(record.uid);
    if (previous && objectOf(previous) !== object) this.remove(record.uid);
    this.kept.set(record.uid, record);
    let siblings = this.byObject.get(object);
    if (!siblings) {
      siblings = new Set();
      this.byObject.set(object, siblings);
    }
    siblings.add(record.uid);

    const dropped: EventRecord[] = [];
    if (siblings.size > this.perObject) dropped.push(...this.dropOldest([...siblings], siblings.size - this.perObject));
    // Trim in steps of 10% so that a full cluster does not sort on every event.
    if (this.kept.size > this.perCluster * 1.1) dropped.push(...this.dropOldest([...this.kept.keys()], this.kept.size - this.perCluster));
    return dropped;
  }

  private dropOldest(uids: string[], howMany: number): EventRecord[] {
    const oldest = uids
      .sort((a, b) => (this.kept.get(a)?.lastSeenAt ?? 0) - (this.kept.get(b)?.lastSeenAt ?? 0))
      .slice(0, howMany);
    const dropped: EventRecord[] = [];
    for (const uid of oldest) {
      const record = this.kept.get(uid);
      if (record !== undefined && this.remove(uid)) dropped.push(record);
    }
    return dropped;
  }

  private remove(uid: string): boolean {
    const kept = this.kept.get(uid);
    if (!kept) return false;
    this.kept.delete(uid);
    const object = objectOf(kept);
    const siblings = this.byObject.get(object);
    siblings?.delete(uid);
    if (siblings?.size === 0) this.byObject.delete(object);
    return true;
  }
}
