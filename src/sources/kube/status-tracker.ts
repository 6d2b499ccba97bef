// Folds what every reflector, discovery and the metrics poller report into one ClusterStatus:
// a status per kind (summed over namespaces and field selectors) and the phase a view shows.
//
//   connecting → syncing → live;  live → stale while watches are down and retrying;
//   error when the API server was never reached, credentials are rejected (401), or nothing
//   at all is readable.
import type { ClusterPhase, ClusterStatus, KindStatus } from '../../model/cluster-status.js';
import type { RecordKind } from '../../model/records.js';
import type { PartitionStatus } from './reflector.js';

type Connection = { state: 'connecting' } | { state: 'connected'; version?: string } | { state: 'failed'; reason: string };

export class StatusTracker {
  private readonly partitions = new Map<RecordKind, Map<string, PartitionStatus>>();
  private readonly notServed = new Map<RecordKind, string>();
  private readonly emittedCounts = new Map<RecordKind, number>();
  private connection: Connection = { state: 'connecting' };
  private metrics: Pick<ClusterStatus, 'metrics' | 'metricsReason'> = { metrics: 'pending' };
  private everLive = false;
  private phase: ClusterPhase = 'connecting';
  private since: number;

  constructor(private readonly now: () => number = Date.now) {
    this.since = now();
  }

  /** One reflector's status; `partition` tells reflectors of the same kind apart (a namespace, a selector). */
  setPartition(kind: RecordKind, partition: string, status: PartitionStatus): void {
    let byPartition = this.partitions.get(kind);
    if (!byPartition) {
      byPartition = new Map();
      this.partitions.set(kind, byPartition);
    }
    byPartition.set(partition, status);
    this.notServed.delete(kind);
  }

  /**
   * For a kind the source passes on only in part (events, bounded): the number passed on,
   * which is what a consumer holds, instead of the number the reflectors know.
   */
  setEmittedCount(kind: RecordKind, count: number): void {
    this.emittedCounts.set(kind, count);
  }

  /** Discovery found no such API group/version: the kind is not read at all. */
  setNotServed(kind: RecordKind, reason: string): void {
    this.notServed.set(kind, reason);
  }

  setConnected(version: string | undefined): void {
    this.connection = version === undefined ? { state: 'connected' } : { state: 'connected', version };
  }

  setConnectionFailed(reason: string): void {
    this.connection = { state: 'failed', reason };
  }

  setMetrics(state: ClusterStatus['metrics'], reason?: string): void {
    this.metrics = reason === undefined ? { metrics: state } : { metrics: state, metricsReason: reason };
  }

  status(): ClusterStatus {
    const kinds: ClusterStatus['kinds'] = {};
    for (const [kind, reason] of this.notServed) kinds[kind] = { state: 'unavailable', count: 0, reason };
    for (const [kind, byPartition] of this.partitions) {
      const merged = mergePartitions([...byPartition.values()]);
      const emitted = this.emittedCounts.get(kind);
      if (emitted !== undefined) {
        merged.count = emitted;
        delete merged.expected; // how many of the rest will be kept is not known
      }
      kinds[kind] = merged;
    }

    const { phase, reason } = this.phaseOf(kinds);
    if (phase !== this.phase) {
      this.phase = phase;
      this.since = this.now();
    }
    if (phase === 'live') this.everLive = true;
    const status: ClusterStatus = { phase, since: this.since, kinds, ...this.metrics };
    if (reason !== undefined) status.reason = reason;
    if (this.connection.state === 'connected' && this.connection.version !== undefined) status.version = this.connection.version;
    return status;
  }

  private phaseOf(kinds: ClusterStatus['kinds']): { phase: ClusterPhase; reason?: string } {
    if (this.connection.state === 'failed') return { phase: 'error', reason: this.connection.reason };
    if (this.connection.state === 'connecting') return { phase: 'connecting' };
    const all = [...this.partitions.values()].flatMap((byPartition) => [...byPartition.values()]);
    const unauthorized = all.find((p) => p.failure === 'unauthorized');
    if (unauthorized) return { phase: 'error', reason: unauthorized.reason };

    const states = Object.values(kinds) as KindStatus[];
    const readable = states.filter((k) => k.state !== 'unavailable');
    if (readable.length === 0 && states.length > 0) {
      return { phase: 'error', reason: `nothing is readable: ${states[0]?.reason ?? 'no access'}` };
    }
    const failing = readable.find((k) => k.state === 'error');
    if (failing) {
      if (this.everLive) return { phase: 'stale', reason: failing.reason };
      if (readable.every((k) => k.state === 'error')) return { phase: 'error', reason: failing.reason };
      return { phase: 'syncing' };
    }
    if (readable.some((k) => k.state === 'pending' || k.state === 'syncing')) return { phase: 'syncing' };
    return { phase: 'live' };
  }
}

/** One kind's status over its partitions: the worst state wins, counts add up. */
function mergePartitions(partitions: PartitionStatus[]): KindStatus {
  const count = partitions.reduce((sum, p) => sum + p.count, 0);
  const failing = partitions.find((p) => p.state === 'error');
  if (failing) return withReason({ state: 'error', count }, failing);
  if (partitions.some((p) => p.state === 'pending' || p.state === 'syncing')) {
    const merged: KindStatus = { state: partitions.every((p) => p.state === 'pending') ? 'pending' : 'syncing', count };
    if (partitions.some((p) => p.expected !== undefined)) {
      merged.expected = partitions.reduce((sum, p) => sum + (p.expected ?? p.count), 0);
    }
    return merged;
  }
  const unavailable = partitions.find((p) => p.state === 'unavailable');
  if (unavailable === undefined) return { state: 'live', count };
  // Some namespaces readable, some not: live, and say what is missing.
  const state = partitions.every((p) => p.state === 'unavailable') ? 'unavailable' : 'live';
  return withReason({ state, count }, unavailable);
}

function withReason(status: KindStatus, from: PartitionStatus): KindStatus {
  if (from.reason !== undefined) status.reason = from.reason;
  if (from.rbac !== undefined) status.rbac = from.rbac;
  return status;
}
