// A test client of GET /api/v1/stream that keeps its own copy of the model, exactly as a
// browser would: snapshot, then deltas in sequence, so tests can wait for a change to arrive.
import { readEventStream } from './event-stream.js';
import type { ClusterStatus } from '../../src/model/cluster-status.js';
import type { ClusterRecord, RecordKind, RecordOfKind } from '../../src/model/records.js';
import { KIND_KEYS, type DeltaMessage, type SnapshotMessage } from '../../src/model/stream.js';

export interface ClientCluster {
  id: string;
  name: string;
  status: ClusterStatus;
  records: Map<RecordKind, Map<string, ClusterRecord>>;
}

type Waiter = { check: () => boolean; resolve: () => void };

export class StreamClient {
  seq = -1;
  snapshots = 0;
  deltas = 0;
  readonly clusters = new Map<string, ClientCluster>();
  private readonly abort = new AbortController();
  private waiters: Waiter[] = [];
  private closed: Promise<void> | undefined;

  constructor(private readonly baseUrl: string) {}

  async connect(): Promise<void> {
    const response = await fetch(new URL('/api/v1/stream', this.baseUrl), {
      headers: { accept: 'text/event-stream' },
      signal: this.abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`stream: HTTP ${response.status}`);
    this.closed = readEventStream(response.body, this.abort.signal, (event) => {
      if (event.event === 'snapshot') this.applySnapshot(JSON.parse(event.data) as SnapshotMessage);
      else if (event.event === 'delta') this.applyDelta(JSON.parse(event.data) as DeltaMessage);
      this.wake();
    });
    await this.waitFor(() => this.seq >= 0, 30_000, 'first snapshot');
  }

  /** Connects and waits until the first cluster reports live. */
  static async connectLive(baseUrl: string, timeoutMs = 60_000): Promise<StreamClient> {
    const client = new StreamClient(baseUrl);
    await client.connect();
    await client.waitFor(() => client.cluster().status.phase === 'live', timeoutMs, 'cluster live');
    return client;
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.closed ?? Promise.resolve();
  }

  cluster(id?: string): ClientCluster {
    const cluster = id ? this.clusters.get(id) : this.clusters.values().next().value;
    if (!cluster) throw new Error(`no cluster ${id ?? ''} in the stream`);
    return cluster;
  }

  records<K extends RecordKind>(kind: K, clusterId?: string): RecordOfKind<K>[] {
    const byUid = this.cluster(clusterId).records.get(kind);
    return byUid ? ([...byUid.values()] as RecordOfKind<K>[]) : [];
  }

  find<K extends RecordKind>(kind: K, name: string, namespace?: string, clusterId?: string) {
    return this.records(kind, clusterId).find((r) => r.name === name && (namespace === undefined || r.namespace === namespace));
  }

  /** Resolves when `check` holds (checked after every message), rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { check, resolve: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.check());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  private applySnapshot(message: SnapshotMessage): void {
    this.snapshots++;
    this.seq = message.seq;
    this.clusters.clear();
    for (const snapshot of message.clusters) {
      const records = new Map<RecordKind, Map<string, ClusterRecord>>();
      for (const [kind, key] of Object.entries(KIND_KEYS) as [RecordKind, string][]) {
        const list = (snapshot as unknown as Record<string, ClusterRecord[] | undefined>)[key] ?? [];
        records.set(kind, new Map(list.map((r) => [r.uid, r])));
      }
      this.clusters.set(snapshot.id, { id: snapshot.id, name: snapshot.name, status: snapshot.status, records });
    }
  }

  private applyDelta(message: DeltaMessage): void {
    if (message.seq !== this.seq + 1) {
      throw new Error(`sequence gap: had ${this.seq}, got ${message.seq}`);
    }
    this.seq = message.seq;
    this.deltas++;
    for (const change of message.changes) {
      const cluster = this.clusters.get(change.cluster);
      if (!cluster) throw new Error(`delta for unknown cluster ${change.cluster}`);
      if (change.op === 'status') cluster.status = change.status;
      else if (change.op === 'upsert') {
        const byUid = cluster.records.get(change.record.kind) ?? new Map();
        byUid.set(change.record.uid, change.record);
        cluster.records.set(change.record.kind, byUid);
      } else cluster.records.get(change.kind)?.delete(change.uid);
    }
  }
}

