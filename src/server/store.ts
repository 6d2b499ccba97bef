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

export interface ClusterSummary {
  id: string;
  name: string;
  status: ClusterStatus;
}

export type ChangeListener = (changes: Change[]) => void;

interface ClusterEntry {
  state: ClusterState;
  /** Whether the cluster has been live at least once (readiness). */
  reachedLive: boolean;
}

export class ClusterStore {
  private readonly entries = new Map<string, ClusterEntry>();
  private readonly listeners = new Set<ChangeListener>();

  /** Registers a cluster and returns the sink its source writes to. */
  addCluster(id: string, name: string): SourceSink {
    if (this.entries.has(id)) throw new Error(`duplicate cluster id "${id}"`);
    this.entries.set(id, { state: new ClusterState(id, name), reachedLive: false });
    return (events) => this.apply(id, events);
  }

  /** Applies one batch from a cluster's source; subscribers hear only the events that changed something. */
  apply(clusterId: string, events: readonly SourceEvent[]): void {
    const entry = this.entries.get(clusterId);
    if (entry === undefined) throw new Error(`unknown cluster "${clusterId}"`);
    const changes: Change[] = [];
    for (const event of events) {
      const change = toChange(clusterId, event);
      const removed = change.op === 'delete' ? entry.state.get(change.kind, change.uid) : undefined;
      if (!entry.state.apply(change)) continue;
      if (removed !== undefined) removedRecords.set(change, removed);
      changes.push(change);
    }
    if (entry.state.status.phase === 'live') entry.reachedLive = true;
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
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
