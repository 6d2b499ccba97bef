// Every cluster the server shows: applies each source's event batches to that cluster's state
// and tells subscribers (the hub) what actually changed, as stream changes.
//
// The set of clusters is fixed at startup: a delta can only name clusters the client already
// knows from its snapshot.
import { ClusterState } from '../model/cluster-state.js';
import type { ClusterStatus } from '../model/cluster-status.js';
import type { ClusterRecord } from '../model/records.js';
import type { Change, ClusterSnapshot } from '../model/stream.js';
import type { SourceEvent, SourceSink } from '../sources/source.js';
import { Resync } from './resync.js';

export interface ClusterSummary {
  id: string;
  name: string;
  status: ClusterStatus;
}

export type ChangeListener = (changes: Change[]) => void;

interface ClusterEntry {
  /** Replaced as a whole when a replica loads the watcher's snapshot. */
  state: ClusterState;
  /** Whether the cluster has been live at least once (readiness). */
  reachedLive: boolean;
}

export class ClusterStore {
  private readonly entries = new Map<string, ClusterEntry>();
  private readonly listeners = new Set<ChangeListener>();
  /** Set from beginResync() until every kind has been swept. */
  private resync: Resync | undefined;

  /** Registers a cluster and returns the sink its source writes to. */
  addCluster(id: string, name: string): SourceSink {
    if (this.entries.has(id)) throw new Error(`duplicate cluster id "${id}"`);
    this.entries.set(id, { state: new ClusterState(id, name), reachedLive: false });
    return (events) => this.apply(id, events);
  }

  /** Applies one batch from a cluster's source; subscribers hear only the events that changed something. */
  apply(clusterId: string, events: readonly SourceEvent[]): void {
    const entry = this.entryOf(clusterId);
    this.resync?.confirm(clusterId, events);
    const changes: Change[] = [];
    for (const event of events) {
      const change = toChange(clusterId, event);
      if (this.applyTo(entry, change)) changes.push(change);
    }
    // Records the new source has not re-listed by the time their kind is synced are gone.
    for (const change of this.resync?.sweep(clusterId, entry.state) ?? []) {
      if (this.applyTo(entry, change)) changes.push(change);
    }
    if (this.resync?.done) this.resync = undefined;
    if (entry.state.status.phase === 'live') entry.reachedLive = true;
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
  }

  /**
   * Applies changes another replica's store made (src/server/replication): the same objects go on
   * to the hub, so authorization can still find the record a delete removed.
   */
  applyChanges(changes: readonly Change[]): void {
    const applied: Change[] = [];
    for (const change of changes) {
      const entry = this.entries.get(change.cluster);
      if (entry === undefined) continue; // a cluster this replica was not configured with
      if (!this.applyTo(entry, change)) continue;
      applied.push(change);
      if (change.op === 'status' && entry.state.status.phase === 'live') entry.reachedLive = true;
    }
    if (applied.length > 0) for (const listener of this.listeners) listener(applied);
  }

  /**
   * Replaces every configured cluster's state with its entry in a snapshot (clusters it was not
   * configured with are skipped). True when the store now holds exactly the snapshot: the same
   * clusters in the same order under the same names, so that its own snapshot encodes to the same text.
   */
  load(clusters: readonly ClusterSnapshot[]): boolean {
    let exact = clusters.length === this.entries.size;
    const configured = [...this.entries.keys()];
    clusters.forEach((snapshot, i) => {
      const entry = this.entries.get(snapshot.id);
      if (entry === undefined || configured[i] !== snapshot.id || entry.state.name !== snapshot.name) exact = false;
      if (entry === undefined) return;
      entry.state = ClusterState.fromSnapshot({ ...snapshot, name: entry.state.name });
      if (entry.state.status.phase === 'live') entry.reachedLive = true;
    });
    return exact;
  }

  /**
   * A new source is about to re-list clusters whose records this store already holds (a replica
   * taking over from the watcher): from now on, each kind's records that the source has not
   * upserted again by the time the kind is synced are deleted.
   */
  beginResync(): void {
    this.resync = new Resync(this.clusters());
  }

  private entryOf(clusterId: string): ClusterEntry {
    const entry = this.entries.get(clusterId);
    if (entry === undefined) throw new Error(`unknown cluster "${clusterId}"`);
    return entry;
  }

  private applyTo(entry: ClusterEntry, change: Change): boolean {
    const removed = change.op === 'delete' ? entry.state.get(change.kind, change.uid) : undefined;
    if (!entry.state.apply(change)) return false;
    if (removed !== undefined) removedRecords.set(change, removed);
    return true;
  }

  /** Subscribes to applied changes; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clusters(): ClusterState[] {
    return Array.from(this.entries.values(), (entry) => entry.state);
  }

  summaries(): ClusterSummary[] {
    return this.clusters().map(summarize);
  }

  /** Clusters that have never been live yet: the server is not ready while any remain. */
  notYetLive(): ClusterSummary[] {
    return Array.from(this.entries.values())
      .filter((entry) => !entry.reachedLive)
      .map((entry) => summarize(entry.state));
  }

  snapshot(): ClusterSnapshot[] {
    return this.clusters().map((state) => state.toSnapshot());
  }
}

/**
 * The record a delete change removed, for as long as the change object lives (the hub's open batch,
 * its delta): authorization passes a delete on only to those who could see the record.
 */
export function deletedRecord(change: Change): ClusterRecord | undefined {
  return removedRecords.get(change);
}

const removedRecords = new WeakMap<Change, ClusterRecord>();

function summarize(state: ClusterState): ClusterSummary {
  return { id: state.id, name: state.name, status: state.status };
}

function toChange(cluster: string, event: SourceEvent): Change {
  switch (event.type) {
    case 'upsert':
      return { op: 'upsert', cluster, record: event.record };
    case 'delete':
      return { op: 'delete', cluster, kind: event.kind, uid: event.uid };
    case 'status':
      return { op: 'status', cluster, status: event.status };
  }
}
