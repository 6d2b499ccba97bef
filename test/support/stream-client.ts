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
  /** Changes in all deltas received. */
  changes = 0;
  readonly clusters = new Map<string, ClientCluster>();
  /** Protocol errors seen (a sequence gap, a delta for an unknown cluster). */
  readonly errors: Error[] = [];
  private abort = new AbortController();
  private waiters: Waiter[] = [];
  private closed: Promise<void> | undefined;

  /** With `keepHistory`, the model after each of the last `keepHistory` seqs, in canonical JSON (see modelAt). */
  private readonly history = new Map<number, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly keepHistory = 0,
  ) {}

  /** The model as it was right after `seq`, in canonical JSON; undefined when not kept. */
  modelAt(seq: number): string | undefined {
    return this.history.get(seq);
  }

  private remember(): void {
    if (this.keepHistory === 0) return;
    this.history.set(this.seq, canonicalModel(this.clusters.values()));
    for (const seq of this.history.keys()) {
      if (this.history.size <= this.keepHistory) break;
      this.history.delete(seq);
    }
  }

  async connect(): Promise<void> {
    await this.open(this.baseUrl, undefined);
    await this.waitFor(() => this.seq >= 0, 30_000, 'first snapshot');
  }

  /**
   * Follows the stream of another server from the seq this client has reached, as a browser's
   * EventSource does after its server went away (Last-Event-ID), keeping the model it has.
   */
  async resumeAt(baseUrl: string): Promise<void> {
    this.abort.abort();
    await this.closed?.catch(() => undefined);
    this.abort = new AbortController();
    await this.open(baseUrl, this.seq);
  }

  /** Resolves when the server ends the stream (or close() is called). */
  ended(): Promise<void> {
    return this.closed ?? Promise.resolve();
  }

  private async open(baseUrl: string, lastEventId: number | undefined): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
    const response = await fetch(new URL('/api/v1/stream', baseUrl), { headers, signal: this.abort.signal });
    if (!response.ok || !response.body) throw new Error(`stream: HTTP ${response.status}`);
    this.closed = readEventStream(response.body, this.abort.signal, (event) => {
      try {
        if (event.event === 'snapshot') this.applySnapshot(JSON.parse(event.data) as SnapshotMessage);
        else if (event.event === 'delta') this.applyDelta(JSON.parse(event.data) as DeltaMessage);
        else return;
        this.remember();
      } catch (error) {
        // Kept for the test to assert on: thrown here it would only end the read.
        this.errors.push(error as Error);
      }
      this.wake();
    }).catch(() => undefined); // a server killed mid-stream ends it with a read error
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
    if (this.errors[0] !== undefined) return Promise.reject(this.errors[0]);
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          if (this.errors[0] !== undefined) reject(this.errors[0]);
          else resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    // A protocol error fails every wait at once instead of letting it time out.
    const failed = this.errors[0];
    const ready = this.waiters.filter((w) => failed !== undefined || w.check());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  private applySnapshot(message: SnapshotMessage): void {
    this.snapshots++;
    this.seq = message.seq;
    this.clusters.clear();
    for (const cluster of clientClusters(message)) this.clusters.set(cluster.id, cluster);
  }

  private applyDelta(message: DeltaMessage): void {
    if (message.seq !== this.seq + 1) {
      throw new Error(`sequence ${message.seq <= this.seq ? 'duplicate' : 'gap'}: had ${this.seq}, got ${message.seq}`);
    }
    this.seq = message.seq;
    this.deltas++;
    this.changes += message.changes.length;
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


/** A model as one JSON string: clusters by id, each kind's records by uid, so equal models compare equal. */
export function canonicalModel(clusters: Iterable<ClientCluster>): string {
  const sorted = [...clusters].sort((a, b) => a.id.localeCompare(b.id));
  return JSON.stringify(
    sorted.map((cluster) => ({
      id: cluster.id,
      name: cluster.name,
      status: cluster.status,
      records: Object.fromEntries(
        [...cluster.records.entries()]
          .filter(([, byUid]) => byUid.size > 0)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([kind, byUid]) => [kind, [...byUid.values()].sort((a, b) => a.uid.localeCompare(b.uid))]),
      ),
    })),
  );
}

/** A snapshot message as a client would hold it (see canonicalModel). */
export function clientClusters(message: SnapshotMessage): ClientCluster[] {
  return message.clusters.map((snapshot) => {
    const records = new Map<RecordKind, Map<string, ClusterRecord>>();
    for (const [kind, key] of Object.entries(KIND_KEYS) as [RecordKind, string][]) {
      const list = (snapshot as unknown as Record<string, ClusterRecord[] | undefined>)[key] ?? [];
      records.set(kind, new Map(list.map((r) => [r.uid, r])));
    }
    return { id: snapshot.id, name: snapshot.name, status: snapshot.status, records };
  });
}
