// The records the simulated source has published, by kind and uid, and the events that
// published them. Every change goes through here, so what a consumer holds after applying the
// events is, by construction, exactly this ledger: the initial sync is a walk over it.
//
// Pods and their metrics are most of a large cluster, and a map entry per record would cost
// about as much as the pod itself: their records are kept on the SimPod (rec, metrics), and the
// cluster lists the pods that have been published (those on nodes, and the few waiting for one).
import { RECORD_KINDS, type ClusterRecord, type PodRecord, type RecordKind, type UsageRecord } from '../../model/records.js';
import type { SourceEvent } from '../source.js';
import type { SimPod } from './state.js';

export class Ledger {
  private readonly byKind = new Map<RecordKind, Map<string, ClusterRecord>>(RECORD_KINDS.filter((k) => !onPods(k)).map((k) => [k, new Map()]));
  private pods = 0;
  private podMetrics = 0;
  /** Pods by uid, built by a lookup (tests, rare callers) and dropped when a pod comes or goes. */
  private podsByUid: Map<string, SimPod> | undefined;
  private queue: SourceEvent[] = [];
  /** Off until the initial state has been sent: before that, the sync walk covers every change. */
  recording = false;

  /** `publishedPods` lists every pod with a published record (in a stable order). */
  constructor(private readonly publishedPods: () => Iterable<SimPod>) {}

  /** Publishes any record but a Pod or PodMetrics (those go through putPod and putPodMetrics). */
  put(record: ClusterRecord): void {
    this.kindMap(record.kind).set(record.uid, record);
    this.emit(record);
  }

  remove(kind: RecordKind, uid: string): void {
    if (!this.kindMap(kind).delete(uid)) throw new Error(`simulated cluster: delete of unknown ${kind} ${uid}`);
    if (this.recording) this.queue.push({ type: 'delete', kind, uid });
  }

  putPod(pod: SimPod, record: PodRecord): void {
    if (!pod.rec) {
      this.pods++;
      this.podsByUid = undefined;
    }
    pod.published(record);
    this.emit(record);
  }

  /** Deletes the pod's record, and its metrics if it has any. */
  removePod(pod: SimPod): void {
    if (!pod.rec) throw new Error(`simulated cluster: delete of unknown Pod ${pod.uid}`);
    const uid = pod.uid;
    this.pods--;
    this.podsByUid = undefined;
    if (this.recording) this.queue.push({ type: 'delete', kind: 'Pod', uid });
    if (pod.metrics) this.removePodMetrics(pod);
  }

  putPodMetrics(pod: SimPod, record: UsageRecord): void {
    if (!pod.rec) throw new Error(`simulated cluster: metrics of unpublished pod ${record.uid}`);
    if (!pod.metrics) this.podMetrics++;
    pod.metrics = record;
    this.emit(record);
  }

  removePodMetrics(pod: SimPod): void {
    const metrics = pod.metrics;
    if (!metrics) throw new Error(`simulated cluster: delete of unknown PodMetrics ${pod.uid}`);
    pod.metrics = undefined;
    this.podMetrics--;
    if (this.recording) this.queue.push({ type: 'delete', kind: 'PodMetrics', uid: metrics.uid });
  }

  /**
   * The record of a kind and uid. For Pod and PodMetrics the first lookup after pods came or went
   * indexes them all: meant for tests and rare callers (the cluster itself holds its pods).
   */
  get(kind: RecordKind, uid: string): ClusterRecord | undefined {
    if (onPods(kind)) {
      this.podsByUid ??= new Map(Array.from(this.publishedPods(), (pod) => [pod.uid, pod]));
      const pod = this.podsByUid.get(uid);
      return kind === 'Pod' ? pod?.rec : pod?.metrics;
    }
    return this.kindMap(kind).get(uid);
  }

  has(kind: RecordKind, uid: string): boolean {
    return this.get(kind, uid) !== undefined;
  }

  count(kind: RecordKind): number {
    if (kind === 'Pod') return this.pods;
    if (kind === 'PodMetrics') return this.podMetrics;
    return this.kindMap(kind).size;
  }

  records(kind: RecordKind): IterableIterator<ClusterRecord> {
    if (kind === 'Pod') return podRecords(this.publishedPods());
    if (kind === 'PodMetrics') return podMetricsRecords(this.publishedPods());
    return this.kindMap(kind).values();
  }

  /** The events recorded since the last call. */
  take(): SourceEvent[] {
    const events = this.queue;
    this.queue = [];
    return events;
  }

  private emit(record: ClusterRecord): void {
    if (this.recording) this.queue.push({ type: 'upsert', record });
  }

  private kindMap(kind: RecordKind): Map<string, ClusterRecord> {
    const map = this.byKind.get(kind);
    if (!map) throw new Error(onPods(kind) ? `simulated cluster: ${kind} records are kept on their pods` : `unknown kind ${kind}`);
    return map;
  }
}

function onPods(kind: RecordKind): boolean {
  return kind === 'Pod' || kind === 'PodMetrics';
}

function* podRecords(pods: Iterable<SimPod>): IterableIterator<PodRecord> {
  for (const pod of pods) yield pod.rec as PodRecord;
}

function* podMetricsRecords(pods: Iterable<SimPod>): IterableIterator<UsageRecord> {
  for (const pod of pods) if (pod.metrics) yield pod.metrics;
}
