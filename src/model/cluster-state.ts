// One cluster's current state: compact records by kind and uid, its status, and the indexes
// views need. Pure data structure, no I/O: the server keeps one per cluster, and the browser
// keeps its own copy by applying the same changes from the stream.
//
// Records are treated as immutable values: a change replaces a record, never edits it in place,
// so a record held by a pending delta or a snapshot cannot change under it.
import { initialClusterStatus, type ClusterStatus } from './cluster-status.js';
import { RECORD_KINDS, type ClusterRecord, type PodRecord, type RecordKind, type RecordOfKind } from './records.js';
import { KIND_KEYS, type Change, type ClusterSnapshot } from './stream.js';
import { sameJson } from './same-json.js';

/** A stream change without its cluster id: what one cluster's state applies. */
export type StateChange = WithoutCluster<Change>;
type WithoutCluster<C> = C extends unknown ? Omit<C, 'cluster'> : never;

export class ClusterState {
  private readonly byKind = new Map<RecordKind, Map<string, ClusterRecord>>();
  private readonly podsByNode = new PodIndex();
  private readonly podsByOwner = new PodIndex();
  private currentStatus: ClusterStatus;

  constructor(
    readonly id: string,
    readonly name: string,
    status: ClusterStatus = initialClusterStatus(),
  ) {
    this.currentStatus = status;
    for (const kind of RECORD_KINDS) this.byKind.set(kind, new Map());
  }

  /** Rebuilds a cluster's state from its snapshot entry (what a client does on `snapshot`). */
  static fromSnapshot(snapshot: ClusterSnapshot): ClusterState {
    const state = new ClusterState(snapshot.id, snapshot.name, snapshot.status);
    for (const kind of RECORD_KINDS) {
      for (const record of snapshot[KIND_KEYS[kind]]) state.upsert(record);
    }
    return state;
  }

  get status(): ClusterStatus {
    return this.currentStatus;
  }

  /** Applies one change; returns false when it changed nothing (same record, unknown uid, same status). */
  apply(change: StateChange): boolean {
    switch (change.op) {
      case 'upsert':
        return this.upsert(change.record);
      case 'delete':
        return this.delete(change.kind, change.uid);
      case 'status':
        return this.setStatus(change.status);
    }
  }

  private upsert(record: ClusterRecord): boolean {
    const records = this.recordsOf(record.kind);
    const previous = records.get(record.uid);
    if (previous !== undefined && sameJson(previous, record)) return false;
    records.set(record.uid, record);
    if (record.kind === 'Pod') this.indexPod(record, previous as PodRecord | undefined);
    return true;
  }

  private delete(kind: RecordKind, uid: string): boolean {
    const records = this.recordsOf(kind);
    const previous = records.get(uid);
    if (previous === undefined) return false;
    records.delete(uid);
    if (previous.kind === 'Pod') this.unindexPod(previous);
    return true;
  }

  private setStatus(status: ClusterStatus): boolean {
    if (sameJson(this.currentStatus, status)) return false;
    this.currentStatus = status;
    return true;
  }

  get<K extends RecordKind>(kind: K, uid: string): RecordOfKind<K> | undefined {
    return this.recordsOf(kind).get(uid) as RecordOfKind<K> | undefined;
  }

  records<K extends RecordKind>(kind: K): IterableIterator<RecordOfKind<K>> {
    return this.recordsOf(kind).values() as IterableIterator<RecordOfKind<K>>;
  }

  count(kind: RecordKind): number {
    return this.recordsOf(kind).size;
  }

  /** Pods whose spec.nodeName is this node (scheduled or bound), in no particular order. */
  podsOnNode(nodeName: string): PodRecord[] {
    return this.podsByNode.get(nodeName);
  }

  /** Pods not bound to a node yet (no spec.nodeName), in no particular order. */
  podsWithoutNode(): PodRecord[] {
    return this.podsByNode.get(NO_NODE);
  }

  /** Pods whose controlling owner has this uid. */
  podsOwnedBy(ownerUid: string): PodRecord[] {
    return this.podsByOwner.get(ownerUid);
  }

  /**
   * The cluster as one snapshot entry. Arrays are built from the maps in one pass each and share
   * the record objects (no copies): encode or hand it off, do not mutate it.
   */
  toSnapshot(): ClusterSnapshot {
    const snapshot: Record<string, unknown> = { id: this.id, name: this.name, status: this.currentStatus };
    for (const kind of RECORD_KINDS) snapshot[KIND_KEYS[kind]] = Array.from(this.recordsOf(kind).values());
    return snapshot as ClusterSnapshot;
  }

  private recordsOf(kind: RecordKind): Map<string, ClusterRecord> {
    const records = this.byKind.get(kind);
    if (records === undefined) throw new Error(`unknown record kind ${kind}`);
    return records;
  }

  private indexPod(pod: PodRecord, previous: PodRecord | undefined): void {
    if (previous !== undefined) this.unindexPod(previous);
    this.podsByNode.add(pod.nodeName ?? NO_NODE, pod);
    this.podsByOwner.add(pod.owner?.uid, pod);
  }

  private unindexPod(pod: PodRecord): void {
    this.podsByNode.remove(pod.nodeName ?? NO_NODE, pod);
    this.podsByOwner.remove(pod.owner?.uid, pod);
  }
}

/** The pods-by-node key of pods without a node (a node's name is never empty). */
const NO_NODE = '';

/**
 * Up to this many pods a group is a plain array: scanning it costs about what a hash lookup does,
 * and it takes a third of the memory of a set (most groups are small: a node's pods, a
 * ReplicaSet's). Larger groups (a DaemonSet's pods) are sets.
 */
const SMALL_GROUP = 128;

/**
 * Pods grouped by a key (node name, owner uid). Empty groups are dropped so the index never
 * outgrows the pods. A group holds the records themselves: the index holds exactly the record
 * stored for each pod, so that record finds its entry.
 */
class PodIndex {
  private readonly groups = new Map<string, PodRecord[] | Set<PodRecord>>();

  add(key: string | undefined, pod: PodRecord): void {
    if (key === undefined) return;
    const group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, [pod]);
    else if (!Array.isArray(group)) group.add(pod);
    else if (group.length < SMALL_GROUP) group.push(pod);
    else this.groups.set(key, new Set(group).add(pod));
  }

  /** Removes the record that was added under this key. */
  remove(key: string | undefined, pod: PodRecord): void {
    if (key === undefined) return;
    const group = this.groups.get(key);
    if (group === undefined) return;
    if (Array.isArray(group)) {
      const i = group.indexOf(pod);
      if (i >= 0) group.splice(i, 1);
      if (group.length === 0) this.groups.delete(key);
    } else {
      group.delete(pod);
      if (group.size === 0) this.groups.delete(key);
    }
  }

  get(key: string): PodRecord[] {
    const group = this.groups.get(key);
    return group === undefined ? [] : Array.from(group.values());
  }
}
