// Turns the store's stream of changes into numbered, pre-encoded deltas.
//
// Changes are coalesced per (cluster, kind, uid) and per cluster status while a batch is open,
// then cut into one DeltaMessage every `batchMs`. Each delta is encoded once, as the exact bytes
// of its SSE frame, and the same Buffer goes to every client: per-client encoding or
// compression costs far more CPU than the send (see notes/libraries.md). Recent frames stay in
// a ring bounded by count and bytes so a reconnecting client can resume; the snapshot frame is
// built on demand and shared by everyone who asks at the same sequence number.
import type { Change, DeltaMessage, SnapshotMessage } from '../model/stream.js';
import type { ClusterStore } from './store.js';

export interface HubOptions {
  /** How long a batch stays open, 100–250 ms. Default 150. */
  batchMs?: number;
  /** The resume ring holds at most this many deltas... Default 2,000. */
  ringMaxDeltas?: number;
  /** ...and at most this many bytes of them. Default 64 MiB. */
  ringMaxBytes?: number;
  /**
   * Sequence number of the initial state. Defaults to the clock in ms, so that a restarted
   * server starts above any number its previous run reached (at fewer than 1,000 deltas a
   * second) and a browser resuming with an old Last-Event-ID gets a snapshot, not someone
   * else's deltas.
   */
  firstSeq?: number;
  now?: () => number;
}

/** One encoded SSE frame: `id: <seq>\nevent: <event>\ndata: <json>\n\n`. */
export interface Frame {
  seq: number;
  bytes: Buffer;
}

/** A frame with its message JSON alone: a view into `bytes`, not a copy. */
export interface SnapshotFrame extends Frame {
  json: Buffer;
}

/** A delta frame as the hub cuts it: what replication publishes is exactly `json`. */
export type DeltaFrame = SnapshotFrame;

/** Gets each delta's frame and the message it encodes (for per-scope filtering: do not mutate). */
export type FrameListener = (frame: DeltaFrame, delta: DeltaMessage) => void;

/** Told when the whole state was replaced (a replica reloading the watcher's snapshot): every seq before is void. */
export type ResetListener = () => void;

/** What adopting a delta cut elsewhere did. */
export type AdoptResult = 'applied' | 'duplicate' | 'gap';

const DEFAULT_BATCH_MS = 150;

export class Hub {
  private currentSeq: number;
  private readonly batchMs: number;
  private readonly now: () => number;
  /** The open batch: the latest change per key, so repeated changes collapse to one. */
  private readonly pending = new Map<string, Change>();
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly ring: FrameRing;
  private cachedSnapshot: SnapshotFrame | undefined;
  private readonly listeners = new Set<FrameListener>();
  private readonly resetListeners = new Set<ResetListener>();
  private readonly unsubscribeStore: () => void;
  private stopped = false;
  /** Set while the store applies a delta adopted from elsewhere: those changes are not batched again. */
  private adopting = false;

  constructor(
    private readonly store: ClusterStore,
    options: HubOptions = {},
  ) {
    this.batchMs = options.batchMs ?? DEFAULT_BATCH_MS;
    if (!(this.batchMs >= 100 && this.batchMs <= 250)) {
      throw new RangeError(`batchMs must be between 100 and 250, got ${this.batchMs}`);
    }
    this.now = options.now ?? Date.now;
    this.currentSeq = options.firstSeq ?? this.now();
    this.ring = new FrameRing(options.ringMaxDeltas ?? 2_000, options.ringMaxBytes ?? 64 * 1024 * 1024);
    this.unsubscribeStore = store.subscribe((changes) => this.enqueue(changes));
  }

  /** Sequence number of the last delta cut (or of the initial state). */
  get seq(): number {
    return this.currentSeq;
  }

  /** Every delta frame, as it is cut. Returns the unsubscribe function. */
  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told when reset() replaced the state. Returns the unsubscribe function. */
  onReset(listener: ResetListener): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** Cuts the open batch into a delta now, if it holds anything. */
  flush(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (this.pending.size === 0) return;

    const delta: DeltaMessage = { seq: this.currentSeq + 1, at: this.now(), changes: Array.from(this.pending.values()) };
    this.pending.clear();
    this.publish({ seq: delta.seq, ...encodeFrame('delta', delta.seq, JSON.stringify(delta)) }, delta);
  }

  /**
   * Takes a delta cut elsewhere (src/server/replication: by the watcher, read back from Redis),
   * with its seq and its exact JSON, so every replica sends the same bytes under the same numbers.
   * Only the delta right after the current seq applies; an older one is a duplicate, a later one
   * means deltas were missed.
   */
  adopt(seq: number, json: string): AdoptResult {
    const order = this.placeOf(seq);
    if (order !== undefined) return order;
    const delta = JSON.parse(json) as DeltaMessage;
    if (delta.seq !== seq) throw new Error(`delta ${seq} carries seq ${delta.seq}`);
    return this.take({ seq, ...encodeFrame('delta', seq, json) }, delta);
  }

  /** As adopt, for a delta this process cut itself (the watcher's cutter): nothing to parse or encode again. */
  adoptFrame(frame: DeltaFrame, delta: DeltaMessage): AdoptResult {
    return this.placeOf(frame.seq) ?? this.take(frame, delta);
  }

  /**
   * Replaces the whole state with a snapshot taken elsewhere (a replica catching up with the
   * watcher). The resume ring is emptied, since its deltas led to a different state, and reset
   * listeners send their clients the new snapshot. `json`: the snapshot's text as stored, kept as
   * the snapshot frame when the store re-encodes to exactly it (encoding 240 MiB again would hold
   * the event loop for seconds).
   */
  reset(message: SnapshotMessage, json?: Buffer): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.pending.clear();
    const exact = this.store.load(message.clusters);
    this.currentSeq = message.seq;
    this.cachedSnapshot = json !== undefined && exact ? { seq: message.seq, ...encodeFrame('snapshot', message.seq, json) } : undefined;
    this.ring.clear();
    for (const listener of this.resetListeners) listener();
  }

  /**
   * Moves the seq forward without changing the state (a new watcher that cannot continue a stream
   * Redis lost part of): every seq before is void, as after reset().
   */
  jumpTo(seq: number): void {
    this.flush();
    this.currentSeq = seq;
    this.cachedSnapshot = undefined;
    this.ring.clear();
    for (const listener of this.resetListeners) listener();
  }

  /** Undefined when `seq` is the next one; else why it cannot be taken. */
  private placeOf(seq: number): AdoptResult | undefined {
    if (seq <= this.currentSeq) return 'duplicate';
    if (seq !== this.currentSeq + 1) return 'gap';
    return undefined;
  }

  private take(frame: DeltaFrame, delta: DeltaMessage): AdoptResult {
    this.adopting = true;
    try {
      this.store.applyChanges(delta.changes);
    } finally {
      this.adopting = false;
    }
    this.publish(frame, delta);
    return 'applied';
  }

  private publish(frame: DeltaFrame, delta: DeltaMessage): void {
    this.currentSeq = frame.seq;
    this.cachedSnapshot = undefined;
    this.ring.push(frame);
    for (const listener of this.listeners) listener(frame, delta);
  }

  /**
   * The frames that take a client from `lastSeq` to the current seq ([] when it is current),
   * or undefined when they are no longer held (or `lastSeq` is not from this stream).
   */
  framesSince(lastSeq: number): Frame[] | undefined {
    if (lastSeq === this.currentSeq) return [];
    if (lastSeq > this.currentSeq) return undefined;
    return this.ring.from(lastSeq + 1);
  }

  /**
   * The snapshot frame at the current seq. Cuts the open batch first, so the snapshot is exactly
   * the state after delta `seq` and the next delta continues from it.
   */
  snapshot(): SnapshotFrame {
    this.flush();
    if (this.cachedSnapshot?.seq !== this.currentSeq) {
      const message: SnapshotMessage = { seq: this.currentSeq, clusters: this.store.snapshot() };
      this.cachedSnapshot = { seq: this.currentSeq, ...encodeFrame('snapshot', this.currentSeq, JSON.stringify(message)) };
    }
    return this.cachedSnapshot;
  }

  /** Stops batching; changes arriving afterwards are dropped. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.unsubscribeStore();
  }

  private enqueue(changes: Change[]): void {
    if (this.stopped || this.adopting) return;
    // Last write wins per key; an upsert followed by a delete leaves the delete.
    for (const change of changes) this.pending.set(coalescingKey(change), change);
    // Unref: an open batch is no reason to keep the process alive.
    this.batchTimer ??= setTimeout(() => this.flush(), this.batchMs).unref();
  }
}

function coalescingKey(change: Change): string {
  switch (change.op) {
    case 'upsert':
      return `${change.cluster}\u0000${change.record.kind}\u0000${change.record.uid}`;
    case 'delete':
      return `${change.cluster}\u0000${change.kind}\u0000${change.uid}`;
    case 'status':
      return `${change.cluster}\u0000status`;
  }
}

/**
 * Writes the frame head, the JSON and the terminator straight into one Buffer: for a snapshot of
 * tens of megabytes this avoids building a second, concatenated string.
 * JSON.stringify never emits a raw newline, so the JSON is always a single `data:` line.
 */
export function encodeFrame(event: 'delta' | 'snapshot', seq: number, json: string | Buffer): { bytes: Buffer; json: Buffer } {
  const head = `id: ${seq}\nevent: ${event}\ndata: `;
  const headLength = Buffer.byteLength(head);
  const jsonLength = Buffer.byteLength(json);
  const bytes = Buffer.allocUnsafe(headLength + jsonLength + 2);
  bytes.write(head, 0);
  if (typeof json === 'string') bytes.write(json, headLength);
  else json.copy(bytes, headLength);
  bytes.write('\n\n', headLength + jsonLength);
  return { bytes, json: bytes.subarray(headLength, headLength + jsonLength) };
}

/** Recent delta frames, oldest first, with consecutive seqs; evicts the oldest beyond either bound. */
export class FrameRing {
  private frames: Frame[] = [];
  private bytes = 0;

  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {}

  push(frame: Frame): void {
    this.frames.push(frame);
    this.bytes += frame.bytes.length;
    let evict = 0;
    while (evict < this.frames.length && (this.frames.length - evict > this.maxFrames || this.bytes > this.maxBytes)) {
      this.bytes -= this.frames[evict]!.bytes.length;
      evict++;
    }
    if (evict > 0) this.frames = this.frames.slice(evict);
  }

  clear(): void {
    this.frames = [];
    this.bytes = 0;
  }

  /** Frames from `seq` on, or undefined if `seq` is older than the oldest held. */
  from(seq: number): Frame[] | undefined {
    const oldest = this.frames[0];
    if (oldest === undefined || seq < oldest.seq) return undefined;
    return this.frames.slice(seq - oldest.seq);
  }
}
