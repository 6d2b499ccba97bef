// Keeps the events a source emits bounded: at most `perObject` for each pod or node, and about
// `perCluster` in all, newest first. A busy cluster writes thousands of events a minute; a view
// needs the last few per object. Dropped events are deleted downstream like any other record.
import type { EventRecord } from '../../model/records.js';
import type { SourceEvent } from '../source.js';

interface Kept {
  object: string;
  lastSeenAt: number;
}

export class EventLimiter {
  private readonly kept = new Map<string, Kept>();
  private readonly byObject = new Map<string, Set<string>>();

  constructor(
    private readonly perObject = 10,
    private readonly perCluster = 2000,
  ) {}

  /** The events to pass on: upserts of kept events, deletes for events dropped or deleted. */
  filter(events: SourceEvent[]): SourceEvent[] {
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
        for (const dropped of this.add(event.record)) forget(dropped, { type: 'delete', kind: 'Event', uid: dropped });
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

  /** Adds or updates one event; returns the uids dropped to stay within bounds. */
  private add(record: EventRecord): string[] {
    const object = record.involved.uid ?? `${record.involved.kind}/${record.involved.namespace ?? ''}/${record.involved.name}`;
    const previous = this.kept.get(record.uid);
    if (previous && previous.object !== object) this.remove(record.uid);
    this.kept.set(record.uid, { object, lastSeenAt: record.lastSeenAt });
    let siblings = this.byObject.get(object);
    if (!siblings) {
      siblings = new Set();
      this.byObject.set(object, siblings);
    }
    siblings.add(record.uid);

    const dropped: string[] = [];
    if (siblings.size > this.perObject) dropped.push(...this.dropOldest([...siblings], siblings.size - this.perObject));
    // Trim in steps of 10% so that a full cluster does not sort on every event.
    if (this.kept.size > this.perCluster * 1.1) dropped.push(...this.dropOldest([...this.kept.keys()], this.kept.size - this.perCluster));
    return dropped;
  }

  private dropOldest(uids: string[], howMany: number): string[] {
    const oldest = uids
      .sort((a, b) => (this.kept.get(a)?.lastSeenAt ?? 0) - (this.kept.get(b)?.lastSeenAt ?? 0))
      .slice(0, howMany);
    for (const uid of oldest) this.remove(uid);
    return oldest;
  }

  private remove(uid: string): boolean {
    const kept = this.kept.get(uid);
    if (!kept) return false;
    this.kept.delete(uid);
    const siblings = this.byObject.get(kept.object);
    siblings?.delete(uid);
    if (siblings?.size === 0) this.byObject.delete(kept.object);
    return true;
  }
}
