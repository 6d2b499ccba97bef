// The browser's copy of the model: one ClusterState per cluster, kept live from the server's
// stream. The first snapshot comes from /api/v1/snapshot (gzip on the wire, about 10× smaller
// than the same JSON over SSE); the stream then resumes right after that snapshot's seq. A gap
// in sequence numbers or a snapshot frame from the server rebuilds the model from scratch.
import { ClusterState } from '../../model/cluster-state.js';
import type { ClusterRecord, RecordKind } from '../../model/records.js';
import type { Change, DeltaMessage, SnapshotMessage } from '../../model/stream.js';

/** One record that changed, with what it was before (views need the old node of a moved pod). */
export interface RecordChange {
  cluster: string;
  kind: RecordKind;
  uid: string;
  previous: ClusterRecord | undefined;
  current: ClusterRecord | undefined;
}

export type StoreEvent =
  | { type: 'reset' }
  | { type: 'changes'; changes: RecordChange[]; statusChanged: ReadonlySet<string> };

export type ConnectionPhase = 'connecting' | 'live' | 'reconnecting';

export interface ConnectionState {
  phase: ConnectionPhase;
  /** Epoch ms since the phase began (for "reconnecting since 12:04"). */
  since: number;
  /** The last error, in words. */
  reason?: string;
}

export interface LiveStoreOptions {
  baseUrl?: string;
  /** Called after every applied snapshot or delta batch. */
  onEvent: (event: StoreEvent) => void;
  onConnection?: (state: ConnectionState) => void;
  /**
   * The server wants the user to log in (HTTP 401: a session that expired or a token that was
   * revoked). The store stops; the app reloads the page, which gets the login page or redirect.
   */
  onUnauthorized?: () => void;
}

export class LiveStore {
  readonly clusters = new Map<string, ClusterState>();
  private seq: number | undefined;
  private source: EventSource | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelayMs = 1000;
  private stopped = false;
  private connectionState: ConnectionState = { phase: 'connecting', since: Date.now() };
  /** Bytes of the last snapshot as received (before decompression when the server sent gzip, if the browser exposes it). */
  lastSnapshotChars = 0;

  constructor(private readonly options: LiveStoreOptions) {}

  get connection(): ConnectionState {
    return this.connectionState;
  }

  get lastSeq(): number | undefined {
    return this.seq;
  }

  start(): void {
    void this.resync();
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    clearTimeout(this.retryTimer);
  }

  /** Fetches a fresh snapshot, then follows the stream from its seq. */
  private async resync(): Promise<void> {
    this.source?.close();
    this.source = undefined;
    try {
      const response = await fetch(this.url('/api/v1/snapshot'), { headers: { accept: 'application/json' } });
      if (response.status === 401 && this.options.onUnauthorized !== undefined) {
        this.stop();
        this.options.onUnauthorized();
        return;
      }
      if (!response.ok) throw new Error(`snapshot: HTTP ${response.status}`);
      const text = await response.text();
      if (this.stopped) return;
      this.lastSnapshotChars = text.length;
      // Marks for the benchmarks and for anyone profiling a slow first load.
      performance.mark('kubeglance:snapshot-received');
      const snapshot = JSON.parse(text) as SnapshotMessage;
      performance.mark('kubeglance:snapshot-parsed');
      this.applySnapshot(snapshot);
      performance.mark('kubeglance:snapshot-applied');
      this.follow();
    } catch (error) {
      this.retryLater(error);
    }
  }

  private follow(): void {
    if (this.stopped) return;
    const source = new EventSource(this.url(`/api/v1/stream?lastEventId=${this.seq ?? ''}`));
    this.source = source;
    source.addEventListener('open', () => {
      this.retryDelayMs = 1000;
      this.setConnection({ phase: 'live', since: Date.now() });
    });
    source.addEventListener('snapshot', (event) => this.applySnapshot(JSON.parse((event as MessageEvent<string>).data)));
    source.addEventListener('delta', (event) => {
      const delta = JSON.parse((event as MessageEvent<string>).data) as DeltaMessage;
      if (this.seq !== undefined && delta.seq <= this.seq) return; // already applied (resume overlap)
      if (this.seq === undefined || delta.seq !== this.seq + 1) {
        // A gap: something was missed. Never guess; start again from a snapshot.
        void this.resync();
        return;
      }
      this.applyDelta(delta);
    });
    source.addEventListener('error', () => {
      // EventSource retries by itself (sending Last-Event-ID) unless the server refused outright.
      if (source.readyState === EventSource.CLOSED) this.retryLater(new Error('stream closed by the server'));
      else if (this.connectionState.phase === 'live') this.setConnection({ phase: 'reconnecting', since: Date.now(), reason: 'stream interrupted' });
    });
  }

  private retryLater(error: unknown): void {
    if (this.stopped) return;
    const reason = error instanceof Error ? error.message : String(error);
    const phase = this.seq === undefined ? 'connecting' : 'reconnecting';
    if (this.connectionState.phase !== phase || this.connectionState.reason !== reason) this.setConnection({ phase, since: Date.now(), reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.resync(), this.retryDelayMs * (0.75 + Math.random() / 2));
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 30_000);
  }

  private applySnapshot(snapshot: SnapshotMessage): void {
    this.clusters.clear();
    for (const cluster of snapshot.clusters) this.clusters.set(cluster.id, ClusterState.fromSnapshot(cluster));
    this.seq = snapshot.seq;
    this.options.onEvent({ type: 'reset' });
  }

  private applyDelta(delta: DeltaMessage): void {
    const changes: RecordChange[] = [];
    const statusChanged = new Set<string>();
    for (const change of delta.changes) this.applyChange(change, changes, statusChanged);
    this.seq = delta.seq;
    if (changes.length > 0 || statusChanged.size > 0) this.options.onEvent({ type: 'changes', changes, statusChanged });
  }

  private applyChange(change: Change, changes: RecordChange[], statusChanged: Set<string>): void {
    const state = this.clusters.get(change.cluster);
    if (state === undefined) return; // a cluster the snapshot did not have: the next snapshot brings it
    if (change.op === 'status') {
      if (state.apply(change)) statusChanged.add(change.cluster);
      return;
    }
    const kind = change.op === 'upsert' ? change.record.kind : change.kind;
    const uid = change.op === 'upsert' ? change.record.uid : change.uid;
    const previous = state.get(kind, uid);
    if (!state.apply(change)) return;
    changes.push({ cluster: change.cluster, kind, uid, previous, current: state.get(kind, uid) });
  }

  private setConnection(state: ConnectionState): void {
    this.connectionState = state;
    this.options.onConnection?.(state);
  }

  private url(path: string): string {
    return (this.options.baseUrl ?? '') + path;
  }
}
