// The stream as a scope sees it: deltas filtered and encoded once per scope signature (every
// client with the same scope shares the bytes), a ring of them for Last-Event-ID resume, and the
// filtered snapshot frame at the current seq.
//
// Sequence numbers are the hub's. A delta with nothing visible is still sent, with no changes, so
// a client's seq moves on without gaps and resume works by the same numbers for everyone.
//
// Bounded: at most `maxScopes` signatures are followed (least recently used goes first; a client
// still connected with an evicted one keeps being served, only its resume falls back to a
// snapshot), each with a ring of at most `ringMaxDeltas` deltas and `ringMaxBytes` bytes.
import type { DeltaMessage, SnapshotMessage } from '../../model/stream.js';
import { encodeFrame, FrameRing, type Frame, type Hub, type SnapshotFrame } from '../hub.js';
import { deletedRecord, type ClusterStore } from '../store.js';
import { filterDelta, filterSnapshot } from './filter.js';
import type { LimitedScope } from './scope.js';

export interface ScopedFramesOptions {
  maxScopes?: number;
  ringMaxDeltas?: number;
  ringMaxBytes?: number;
}

interface Entry {
  scope: LimitedScope;
  /** The hub's seq when this entry started following: resume works from here on. */
  startSeq: number;
  /** Seq of the last delta pushed into the ring. */
  lastSeq: number;
  ring: FrameRing;
  last: Frame | undefined;
  snapshot: SnapshotFrame | undefined;
}

export class ScopedFrames {
  private readonly entries = new Map<string, Entry>();
  private readonly maxScopes: number;
  private readonly ringMaxDeltas: number;
  private readonly ringMaxBytes: number;
  private readonly unsubscribe: () => void;
  private readonly unsubscribeReset: () => void;

  constructor(
    private readonly hub: Hub,
    private readonly store: ClusterStore,
    options: ScopedFramesOptions = {},
  ) {
    this.maxScopes = options.maxScopes ?? 32;
    this.ringMaxDeltas = options.ringMaxDeltas ?? 1_000;
    this.ringMaxBytes = options.ringMaxBytes ?? 4 * 1024 * 1024;
    this.unsubscribe = hub.subscribe((frame, delta) => {
      for (const entry of this.entries.values()) this.advance(entry, frame, delta);
    });
    // Every ring and snapshot was built from a state that no longer exists.
    this.unsubscribeReset = hub.onReset(() => {
      for (const entry of this.entries.values()) this.restart(entry);
    });
  }

  /** The followed state of a scope, created (and made most recently used) on demand. */
  entry(scope: LimitedScope): Entry {
    let entry = this.entries.get(scope.signature);
    if (entry !== undefined) {
      this.entries.delete(scope.signature);
    } else {
      const seq = this.hub.seq;
      entry = { scope, startSeq: seq, lastSeq: seq, ring: new FrameRing(this.ringMaxDeltas, this.ringMaxBytes), last: undefined, snapshot: undefined };
      while (this.entries.size >= this.maxScopes) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(scope.signature, entry);
    return entry;
  }

  /** The filtered delta frame of `frame` for this entry (idempotent per seq: encoded once). */
  advance(entry: Entry, frame: Frame, delta: DeltaMessage): Frame {
    if (entry.last?.seq === frame.seq) return entry.last;
    const filtered = filterDelta(delta, entry.scope, deletedRecord);
    const scoped: Frame = { seq: filtered.seq, bytes: encodeFrame('delta', filtered.seq, JSON.stringify(filtered)).bytes };
    // Only consecutive deltas go into the ring, so that resume never skips one.
    if (frame.seq === entry.lastSeq + 1) {
      entry.ring.push(scoped);
      entry.lastSeq = frame.seq;
    }
    // Stale from now on: not worth its memory.
    entry.snapshot = undefined;
    entry.last = scoped;
    return scoped;
  }

  /** Forgets what an entry built from the state before a reset; it resumes from the hub's seq. */
  private restart(entry: Entry): void {
    entry.startSeq = entry.lastSeq = this.hub.seq;
    entry.ring.clear();
    entry.last = undefined;
    entry.snapshot = undefined;
  }

  /** The filtered snapshot frame at the hub's current seq (the open batch is cut first). */
  snapshot(entry: Entry): SnapshotFrame {
    this.hub.flush();
    const seq = this.hub.seq;
    if (entry.snapshot?.seq !== seq) {
      const message: SnapshotMessage = filterSnapshot({ seq, clusters: this.store.snapshot() }, entry.scope);
      entry.snapshot = { seq, ...encodeFrame('snapshot', seq, JSON.stringify(message)) };
    }
    return entry.snapshot;
  }

  /** The filtered frames from `lastSeq` to now ([] when current), or undefined when not held. */
  framesSince(entry: Entry, lastSeq: number): Frame[] | undefined {
    const current = this.hub.seq;
    if (lastSeq === current) return [];
    if (lastSeq > current || lastSeq < entry.startSeq || entry.lastSeq !== current) return undefined;
    if (lastSeq === entry.lastSeq) return [];
    return entry.ring.from(lastSeq + 1);
  }

  close(): void {
    this.unsubscribe();
    this.unsubscribeReset();
    this.entries.clear();
  }
}
