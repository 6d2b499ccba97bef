// Kubernetes Events about pods and nodes (BackOff, FailedScheduling, NodeNotReady...). Kept
// bounded like the API server's TTL keeps them: the oldest is deleted when a new one would
// exceed the cap, and a repeat of the same reason for the same object bumps its count instead.
import type { EventRecord } from '../../model/records.js';
import type { Ledger } from './ledger.js';
import type { Prng } from './prng.js';

const MAX_MESSAGE = 300;

export interface Involved {
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
}

export class EventLog {
  /** Oldest first (a repeat moves an event to the end). */
  private readonly byKey = new Map<string, EventRecord>();

  constructor(
    private readonly ledger: Ledger,
    private readonly cap: number,
  ) {}

  record(prng: Prng, now: number, involved: Involved, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const key = `${involved.uid}/${reason}`;
    const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
    const prev = this.byKey.get(key);
    if (prev) {
      this.byKey.delete(key);
      const next: EventRecord = { ...prev, message: text, count: prev.count + 1, lastSeenAt: now };
      this.byKey.set(key, next);
      this.ledger.put(next);
      return;
    }
    const record: EventRecord = {
      kind: 'Event',
      uid: prng.uid(),
      name: `${involved.name}.${prng.hex(16)}`,
      namespace: involved.namespace ?? 'default',
      createdAt: now,
      involved: involved.namespace !== undefined ? { kind: involved.kind, name: involved.name, namespace: involved.namespace, uid: involved.uid } : { kind: involved.kind, name: involved.name, uid: involved.uid },
      type,
      reason,
      message: text,
      count: 1,
      lastSeenAt: now,
    };
    this.byKey.set(key, record);
    this.ledger.put(record);
    for (const [oldestKey, oldest] of this.byKey) {
      if (this.byKey.size <= this.cap) break;
      this.byKey.delete(oldestKey);
      this.ledger.remove('Event', oldest.uid);
    }
  }
}
