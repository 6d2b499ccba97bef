// The interface every source of cluster data implements. The real API (`kube/`) and the
// embedded demo cluster (`simulated/`) are interchangeable behind it and pass one contract
// suite (`source.contract.ts`).
import type { ClusterStatus } from '../model/cluster-status.js';
import type { ClusterRecord, RecordKind } from '../model/records.js';

/** One change. A closed set: an object appeared or changed, disappeared, or the status moved. */
export type SourceEvent =
  | { type: 'upsert'; record: ClusterRecord }
  | { type: 'delete'; kind: RecordKind; uid: string }
  | { type: 'status'; status: ClusterStatus };

/** Receives events in batches, in order. Called synchronously by the source. */
export type SourceSink = (events: SourceEvent[]) => void;

export interface ClusterSource {
  /** Stable id used in URLs and on the wire (e.g. the kubeconfig context name, or "demo"). */
  readonly id: string;
  /** Human-readable name. */
  readonly name: string;
  /**
   * Starts reading. Emits the initial state as upserts (each kind followed by a status event
   * that marks it live), then changes as they happen. After a reconnect or relist it emits only
   * the difference to what it emitted before, deletes included: a consumer that applies every
   * event in order always holds exactly the cluster's current state.
   */
  start(sink: SourceSink): void;
  /** Stops all requests and timers. No events are emitted after the promise resolves. */
  stop(): Promise<void>;
}
