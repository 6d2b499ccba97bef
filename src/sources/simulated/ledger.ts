// The records the simulated source has published, by kind and uid, and the events that
// published them. Every change goes through here, so what a consumer holds after applying the
// events is, by construction, exactly this ledger: the initial sync is a walk over it.
import { RECORD_KINDS, type ClusterRecord, type RecordKind } from '../../model/records.js';
import type { SourceEvent } from '../source.js';

export class Ledger {
  private readonly byKind = new Map<RecordKind, Map<string, ClusterRecord>>(RECORD_KINDS.map((k) => [k, new Map()]));
  private queue: SourceEvent[] = [];
  /** Off until the initial state has been sent: before that, the sync walk covers every change. */
  recording = false;

  put(record: ClusterRecord): void {
    this.kindMap(record.kind).set(record.uid, record);
    if (this.recording) this.queue.push({ type: 'upsert', record });
  }

  remove(kind: RecordKind, uid: string): void {
    if (!this.kindMap(kind).delete(uid)) throw new Error(`simulated cluster: delete of unknown ${kind} ${uid}`);
    if (this.recording) this.queue.push({ type: 'delete', kind, uid });
  }

  get(kind: RecordKind, uid: string): ClusterRecord | undefined {
    return this.kindMap(kind).get(uid);
  }

  has(kind: RecordKind, uid: string): boolean {
    return this.kindMap(kind).has(uid);
  }

  count(kind: RecordKind): number {
    return this.kindMap(kind).size;
  }

  records(kind: RecordKind): IterableIterator<ClusterRecord> {
    return this.kindMap(kind).values();
  }

  /** The events recorded since the last call. */
  take(): SourceEvent[] {
    const events = this.queue;
    this.queue = [];
    return events;
  }

  private kindMap(kind: RecordKind): Map<string, ClusterRecord> {
    const map = this.byKind.get(kind);
    if (!map) throw new Error(`unknown kind ${kind}`);
    return map;
  }
}
