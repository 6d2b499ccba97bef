// When a replica takes over from the watcher (src/server/replication), its store already holds
// every record the old watcher published, and its new sources list everything again. Upserts of
// unchanged records change nothing, so browsers see only real differences; what the new sources
// never list again was deleted while nobody watched, and is deleted here once its kind is synced.
//
// Only statuses from the new sources count: until the first one arrives, the store still shows
// the old watcher's "live", which says nothing about what the new lists have covered.
import type { ClusterState } from '../model/cluster-state.js';
import type { ClusterStatus } from '../model/cluster-status.js';
import { RECORD_KINDS, type RecordKind } from '../model/records.js';
import type { Change } from '../model/stream.js';
import type { SourceEvent } from '../sources/source.js';

interface ClusterResync {
  /** Per kind, the uids held from before that the new source has not upserted yet. */
  unconfirmed: Map<RecordKind, Set<string>>;
  /** Whether the new source has reported a status yet. */
  heardFrom: boolean;
}

export class Resync {
  private readonly clusters = new Map<string, ClusterResync>();

  constructor(states: readonly ClusterState[]) {
    for (const state of states) {
      const unconfirmed = new Map<RecordKind, Set<string>>();
      for (const kind of RECORD_KINDS) {
        const uids = new Set<string>();
        for (const record of state.records(kind)) uids.add(record.uid);
        if (uids.size > 0) unconfirmed.set(kind, uids);
      }
      this.clusters.set(state.id, { unconfirmed, heardFrom: false });
    }
  }

  /** Notes what a batch from the new source lists again. */
  confirm(clusterId: string, events: readonly SourceEvent[]): void {
    const cluster = this.clusters.get(clusterId);
    if (cluster === undefined) return;
    for (const event of events) {
      if (event.type === 'upsert') cluster.unconfirmed.get(event.record.kind)?.delete(event.record.uid);
      else if (event.type === 'delete') cluster.unconfirmed.get(event.kind)?.delete(event.uid);
      else cluster.heardFrom = true;
    }
  }

  /** Deletes for the records of every kind the new source has now synced but did not list again. */
  sweep(clusterId: string, state: ClusterState): Change[] {
    const cluster = this.clusters.get(clusterId);
    if (cluster === undefined || !cluster.heardFrom) return [];
    const deletes: Change[] = [];
    for (const [kind, uids] of cluster.unconfirmed) {
      if (!synced(kind, state.status)) continue;
      for (const uid of uids) deletes.push({ op: 'delete', cluster: clusterId, kind, uid });
      cluster.unconfirmed.delete(kind);
    }
    if (cluster.unconfirmed.size === 0) this.clusters.delete(clusterId);
    return deletes;
  }

  /** Every cluster's kinds are synced: nothing is left to sweep. */
  get done(): boolean {
    return this.clusters.size === 0;
  }
}

/** Whether the source has listed everything of a kind there is to list (or knows it cannot). */
function synced(kind: RecordKind, status: ClusterStatus): boolean {
  if (kind === 'Traffic') return status.traffic !== 'pending';
  if (kind === 'NodeMetrics' || kind === 'PodMetrics') return status.metrics !== 'pending';
  const kindStatus = status.kinds[kind];
  // A kind the live source does not watch at all (an opt-in now off): nothing will list it.
  if (kindStatus === undefined) return status.phase === 'live';
  return kindStatus.state === 'live' || kindStatus.state === 'unavailable';
}
