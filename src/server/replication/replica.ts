// One of several kubeglance replicas sharing a Redis (--redis-url). Exactly one, the watcher,
// holds a lease and runs the sources; every replica, the watcher included, serves browsers only
// what is in Redis: a stored snapshot plus a stream of deltas, adopted with their seqs and bytes,
// so a browser gets the same frames under the same numbers from any replica and can resume on
// another one with Last-Event-ID.
//
// The watcher's sources write to a store of their own (the watch store) whose hub cuts the
// deltas; each delta reaches the serving hub only once Redis has acknowledged it. A browser can
// therefore never have seen a seq that a new watcher would reuse for something else.
//
// Failover: followers try to take the lease every `acquireEveryMs`; it expires `leaseMs` after the
// watcher last renewed it (or at once when it stops cleanly). The new watcher first adopts every
// delta the old one published, then starts its sources on a copy of that state: re-listed records
// that did not change make no delta, and what was deleted meanwhile is deleted once its kind is
// synced (src/server/resync.ts).
//
// A watcher that loses the lease, or cannot publish a delta, exits rather than recovering in
// place (as controller-runtime's leader election does): restarting is the one simple way to be
// sure that no source keeps running and no replica serves a seq Redis does not have.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Hub, type DeltaFrame } from '../hub.js';
import type { ClusterStore } from '../store.js';
import type { DeltaMessage } from '../../model/stream.js';
import type { OidcSessionStore } from '../auth/oidc-sessions.js';
import { encodeSnapshotInSlices } from './encode-snapshot.js';
import { NotWatcherError, RedisLog } from './redis-log.js';

export interface ReplicaOptions {
  url: string;
  keyPrefix: string;
  /** Names this replica in the lease. Default: host name, pid and a random suffix. */
  replicaId?: string;
  /**
   * How long the lease lasts without renewal. Default 12 s: with the defaults below, a watcher
   * killed outright is replaced within 13 s, and a watcher whose event loop stalls (a full sync of
   * 150,000 pods on a busy machine) keeps the lease through a stall of up to 9 s.
   */
  leaseMs?: number;
  /** Default 3 s. */
  renewEveryMs?: number;
  /** How often followers try to take the lease. Default 1 s. */
  acquireEveryMs?: number;
  /** Default 30 s (only when something changed). */
  snapshotEveryMs?: number;
  /**
   * Deltas kept in the stream before the latest snapshot, for followers a little behind (one
   * further behind loads the snapshot). Default 500: with a snapshot every 30 s the stream holds
   * about a minute of deltas, which bounds Redis' memory by the cluster's rate of change.
   */
  keepDeltas?: number;
  /**
   * A delta larger than this (the first sync of a large cluster) is stored as a snapshot at its
   * seq instead of in the stream: followers see the gap and load the snapshot, and Redis never
   * holds the whole cluster twice. Default 64 MiB: at 150,000 pods a first sync is about 240 MiB,
   * one metrics poll about 33 MiB.
   */
  maxStreamDeltaBytes?: number;
}

/** What the watcher runs: the sources and the store they write to (a store of its own, not the served one). */
export interface Watching {
  store: ClusterStore;
  /** Start the sources, writing to `store`. */
  start(): void;
  stop(): Promise<void>;
  /** The lease was lost, or a delta could not be published: the process must end. */
  onFatal(error: Error): void;
}

export type ReplicaRole = 'follower' | 'watcher' | 'stopped';

export interface ReplicaStats {
  role: ReplicaRole;
  takeovers: number;
  snapshotsLoaded: number;
  snapshotsWritten: number;
}

/** How far a new watcher jumps its seq when it cannot continue the stream: followers see a gap and reload. */
const SEQ_JUMP = 1_000;

export class Replica {
  private role: ReplicaRole = 'follower';
  private readonly log: RedisLog;
  private readonly leaseMs: number;
  private readonly renewEveryMs: number;
  private readonly acquireEveryMs: number;
  private readonly snapshotEveryMs: number;
  private readonly keepDeltas: number;
  private readonly maxStreamDeltaBytes: number;
  private followLoop: Promise<void> | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  /** The watcher's hub over the watch store: cuts the deltas that go to Redis. */
  private cutter: Hub | undefined;
  /** The latest publish in flight: Redis answers in order, so awaiting it awaits all. */
  private lastPublish: Promise<void> = Promise.resolve();
  private lastRenewedAt = 0;
  /** Whether the sources run (also after the lease was lost, until stop()). */
  private sourcesRunning = false;
  private snapshotWriting: Promise<void> | undefined;
  private readonly counts = { takeovers: 0, snapshotsLoaded: 0, snapshotsWritten: 0, snapshotSeq: 0 };

  /**
   * @param hub, store: the serving hub and store: what browsers get, fed only from Redis.
   * @param watching the sources and their own store, run while this replica holds the lease.
   */
  constructor(
    options: ReplicaOptions,
    private readonly hub: Hub,
    private readonly store: ClusterStore,
    private readonly watching: Watching,
    private readonly logger: Logger,
  ) {
    const replicaId = options.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.log = new RedisLog(options.url, options.keyPrefix, replicaId, logger);
    this.leaseMs = options.leaseMs ?? 12_000;
    this.renewEveryMs = options.renewEveryMs ?? 3_000;
    this.acquireEveryMs = options.acquireEveryMs ?? 1_000;
    this.snapshotEveryMs = options.snapshotEveryMs ?? 30_000;
    this.keepDeltas = options.keepDeltas ?? 500;
    this.maxStreamDeltaBytes = options.maxStreamDeltaBytes ?? 64 * 1024 * 1024;
    if (!(this.renewEveryMs * 2 < this.leaseMs)) throw new RangeError('renewEveryMs must be less than half of leaseMs');
  }

  get id(): string {
    return this.log.replicaId;
  }

  stats(): ReplicaStats {
    return { role: this.role, ...this.counts };
  }

  /** Connects and loads the stored snapshot, if any: the replica serves it from the start. */
  async connect(): Promise<void> {
    await this.log.connect();
    await this.loadSnapshot();
  }

  /** The session secret every replica signs cookies with. */
  sessionSecret(): Promise<Buffer> {
    return this.log.sessionSecret();
  }

  /** OIDC sessions, shared by every replica. */
  get oidcSessions(): OidcSessionStore {
    return this.log.oidcSessions;
  }

  /** Starts following, and watching once the lease is ours. */
  start(): void {
    this.followLoop = this.follow();
  }

  async stop(): Promise<void> {
    const holdsLease = this.role === 'watcher';
    this.role = 'stopped';
    clearInterval(this.renewTimer);
    clearInterval(this.snapshotTimer);
    if (this.sourcesRunning) {
      this.sourcesRunning = false;
      await this.watching.stop();
    }
    if (holdsLease && this.cutter !== undefined) {
      // Publish the last open batch and a final snapshot, then hand the lease over at once.
      this.cutter.flush();
      try {
        await this.lastPublish;
        await this.snapshotWriting;
        await this.writeSnapshot();
        await this.log.release();
      } catch (error) {
        this.logger.warn({ err: error }, 'redis: could not hand over cleanly; another replica takes over when the lease expires');
      }
    }
    this.cutter?.stop();
    await this.log.close();
    await this.followLoop;
  }

  // --- follower ---------------------------------------------------------------------------------

  private async follow(): Promise<void> {
    let nextAcquireAt = 0;
    let loaded = this.counts.snapshotsLoaded > 0;
    while (this.role === 'follower') {
      try {
        if (Date.now() >= nextAcquireAt) {
          nextAcquireAt = Date.now() + this.acquireEveryMs;
          if (await this.log.acquire(this.leaseMs)) {
            await this.takeOver();
            return;
          }
        }
        if (!loaded) {
          // Nothing to follow before a watcher stored its first snapshot.
          loaded = await this.loadSnapshot();
          if (!loaded) await sleep(Math.min(500, Math.max(1, nextAcquireAt - Date.now())));
          continue;
        }
        const entries = await this.log.readAfter(this.hub.seq, Math.max(1, Math.min(1_000, nextAcquireAt - Date.now())));
        if (!this.adoptAll(entries)) await this.recoverFromGap();
        // Nothing in the stream, but a snapshot past this seq: a delta too large for the stream.
        else if (entries.length === 0 && (await this.log.snapshotSeq()) > this.hub.seq) await this.loadSnapshot();
      } catch (error) {
        if (this.role !== 'follower') return;
        this.logger.warn({ err: error }, 'redis: following the watcher failed; retrying in 1 s');
        await sleep(1_000);
      }
    }
  }

  /** Adopts entries in order; false at the first one that does not follow on (deltas were missed). */
  private adoptAll(entries: readonly { seq: number; json: string }[]): boolean {
    for (const entry of entries) {
      if (this.hub.adopt(entry.seq, entry.json) === 'gap') {
        this.logger.info({ seq: this.hub.seq, next: entry.seq }, 'redis: deltas missed; loading the stored snapshot');
        return false;
      }
    }
    return true;
  }

  /** Loads the stored snapshot when it is newer; waits a little when it is not (the watcher stores one soon). */
  private async recoverFromGap(): Promise<void> {
    if (!(await this.loadSnapshot())) await sleep(1_000);
  }

  /** Replaces the state with the stored snapshot if it is newer than what this replica holds. */
  private async loadSnapshot(): Promise<boolean> {
    const stored = await this.log.readSnapshot();
    if (stored === undefined || (this.counts.snapshotsLoaded > 0 && stored.message.seq <= this.hub.seq)) return false;
    this.hub.reset(stored.message, stored.json);
    this.counts.snapshotsLoaded++;
    this.counts.snapshotSeq = stored.message.seq;
    this.logger.info({ seq: stored.message.seq }, 'redis: loaded the stored snapshot');
    return true;
  }

  // --- watcher ----------------------------------------------------------------------------------

  private async takeOver(): Promise<void> {
    this.lastRenewedAt = Date.now();
    this.role = 'watcher';
    this.counts.takeovers++;
    this.renewTimer = setInterval(() => void this.renew(), this.renewEveryMs).unref();
    this.logger.info({ replica: this.id }, 'redis: took the lease; catching up, then watching the clusters');

    await this.catchUp();
    // The sources start from what browsers already have (the records are shared, not copied).
    this.watching.store.load(this.store.snapshot());
    // No resume ring: browsers resume from the served hub, never from this one.
    const cutter = new Hub(this.watching.store, { firstSeq: this.hub.seq, ringMaxDeltas: 0 });
    this.cutter = cutter;
    cutter.subscribe((frame, delta) => this.publish(frame, delta));
    // Followers that lost track start from here; the stream continues from this seq.
    await this.writeSnapshot();
    this.snapshotTimer = setInterval(() => this.snapshotIfChanged(), this.snapshotEveryMs).unref();
    this.watching.store.beginResync();
    this.sourcesRunning = true;
    this.watching.start();
  }

  /** Adopts everything the previous watcher published, so that this replica's seqs continue the stream. */
  private async catchUp(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const entries = await this.log.rangeAfter(this.hub.seq);
      if (entries.length === 0) return;
      if (!this.adoptAll(entries)) await this.loadSnapshot();
    }
    // Deltas are missing from the stream and no snapshot bridges them (Redis lost data): jump past
    // the stream so that followers see a gap and load the snapshot stored next.
    const last = await this.log.lastSeq();
    if (last >= this.hub.seq) {
      this.logger.warn({ seq: this.hub.seq, streamSeq: last }, 'redis: the stream cannot be followed to its end; starting from a new snapshot');
      this.hub.jumpTo(last + SEQ_JUMP);
    }
  }

  /**
   * Sends a delta to Redis; browsers here get it once Redis has it, like everywhere else. Deltas
   * reach the served hub in order: each waits for the one before it as well as for its own write.
   */
  private publish(frame: DeltaFrame, delta: DeltaMessage): void {
    const { seq, json } = frame;
    // Called while the cutter cuts `seq`: a snapshot taken now is exactly the state at `seq`.
    const stored = json.length > this.maxStreamDeltaBytes ? this.writeSnapshot() : this.log.publish(seq, json);
    this.lastPublish = Promise.all([this.lastPublish, stored]).then(
      () => {
        this.hub.adoptFrame(frame, delta);
      },
      (error: unknown) => this.fatal(error instanceof NotWatcherError ? error : new Error(`could not publish delta ${seq} to Redis: ${(error as Error).message}`)),
    );
  }

  private snapshotIfChanged(): void {
    const cutter = this.cutter;
    if (cutter === undefined || this.snapshotWriting !== undefined || cutter.seq === this.counts.snapshotSeq) return;
    this.snapshotWriting = this.writeSnapshot()
      .catch((error: unknown) => {
        if (error instanceof NotWatcherError) return this.fatal(error);
        this.logger.warn({ err: error }, 'redis: could not store the snapshot; retrying at the next interval');
      })
      .finally(() => (this.snapshotWriting = undefined));
  }

  /** Stores the watch store's snapshot (the open batch is cut and published first). */
  private async writeSnapshot(): Promise<void> {
    // The open batch is cut (and published) first, so the records captured are the state at `seq`.
    const cutter = this.cutter!;
    cutter.flush();
    const seq = cutter.seq;
    const json = await encodeSnapshotInSlices({ seq, clusters: this.watching.store.snapshot() });
    await this.log.writeSnapshot(seq, json, this.keepDeltas);
    this.counts.snapshotsWritten++;
    this.counts.snapshotSeq = Math.max(this.counts.snapshotSeq, seq);
  }

  private async renew(): Promise<void> {
    if (this.role !== 'watcher') return;
    try {
      if (await this.log.renew(this.leaseMs)) {
        this.lastRenewedAt = Date.now();
        return;
      }
      this.fatal(new NotWatcherError('the lease expired and another replica holds it'));
    } catch (error) {
      // Redis out of reach: once the lease may have expired there, another replica may be watching.
      if (Date.now() - this.lastRenewedAt >= this.leaseMs) {
        this.fatal(new Error(`could not renew the lease for ${this.leaseMs} ms: ${(error as Error).message}`));
      }
    }
  }

  private fatal(error: Error): void {
    if (this.role !== 'watcher') return;
    this.role = 'stopped';
    clearInterval(this.renewTimer);
    clearInterval(this.snapshotTimer);
    this.logger.error({ err: error }, 'redis: cannot go on watching; exiting so that another replica takes over');
    this.watching.onFatal(error);
  }
}
