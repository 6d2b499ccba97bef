// Polls metrics.k8s.io for node and pod usage and emits UsageRecords keyed by the uid of the
// node or pod measured. Only values that moved noticeably are sent: usage jitters on every
// sample, and 150,000 pods re-sent every 15 s would drown every other change.
import type { Logger } from 'pino';
import type { RecordMeta, Resources, UsageRecord } from '../../model/records.js';
import type { SourceEvent } from '../source.js';
import type { ApiClient } from './api-client.js';
import { type KubeApiError, toKubeApiError } from './api-error.js';
import { sleep } from './backoff.js';
import { type ApiResource, collectionPath, forbiddenReason, METRICS_NODES, METRICS_PODS } from './kinds.js';
import { type MeasuredUsage, readNodeUsage, readPodUsage } from './strip/metrics.js';

export interface MetricsTiming {
  /** Between polls while metrics are available. */
  intervalMs: number;
  /** Between attempts while the metrics API is absent (404, 503) or forbidden (403). */
  unavailableRetryMs: number;
}

export const DEFAULT_METRICS_TIMING: MetricsTiming = { intervalMs: 20_000, unavailableRetryMs: 300_000 };

export interface MetricsPollerOptions {
  client: ApiClient;
  /** Scoped mode: pod metrics are read per namespace. */
  namespaces?: readonly string[];
  /**
   * The record of the node or pod with this name, as the reflectors last emitted it: usage is
   * keyed by its uid, and carries its name (one string shared with that record, not a copy).
   */
  node: (name: string) => RecordMeta | undefined;
  pod: (namespace: string, name: string) => RecordMeta | undefined;
  emit: (events: SourceEvent[]) => void;
  onAvailability: (state: 'available' | 'unavailable', reason?: string) => void;
  timing: MetricsTiming;
  log: Logger;
}

/** A change smaller than this share of the last value sent is noise. */
const RELATIVE_THRESHOLD = 0.02;
/** ...and so is one below these floors (an idle pod moving between 1m and 2m of CPU). */
const CPU_FLOOR_MILLIS = 2;
const MEMORY_FLOOR_BYTES = 1024 * 1024;

interface Read {
  kind: UsageRecord['kind'];
  resource: ApiResource;
  /** Namespace read, "" for all (cluster scope); undefined for nodes. */
  namespace?: string;
  items?: MeasuredUsage[];
  error?: KubeApiError;
}

export class MetricsPoller {
  private readonly abort = new AbortController();
  /** uid → the usage record last sent (the consumer holds it too). */
  private readonly sent = new Map<string, UsageRecord>();
  private availability: 'available' | 'unavailable' | undefined;
  private unavailableReason: string | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: MetricsPollerOptions) {}

  /** `served`: whether discovery lists metrics.k8s.io (when false, the first poll waits). */
  start(served: boolean): void {
    if (this.running) return;
    if (!served) this.setUnavailable(NOT_SERVED);
    this.running = this.run(served);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(served: boolean): Promise<void> {
    if (!served) await sleep(this.options.timing.unavailableRetryMs, this.abort.signal);
    while (!this.abort.signal.aborted) {
      const delayMs = await this.poll();
      await sleep(delayMs, this.abort.signal);
    }
  }

  /** One round of reads; returns how long to wait before the next. */
  private async poll(): Promise<number> {
    const { intervalMs, unavailableRetryMs } = this.options.timing;
    const namespaces = this.options.namespaces ?? [''];
    const reads = await Promise.all([
      this.read('NodeMetrics', METRICS_NODES),
      ...namespaces.map((namespace) => this.read('PodMetrics', METRICS_PODS, namespace)),
    ]);
    if (this.abort.signal.aborted) return 0;
    const succeeded = reads.filter((r) => r.items !== undefined);
    if (succeeded.length === 0) {
      const failed = reads.find((r) => r.error !== undefined);
      const error = failed?.error;
      if (failed && error && (error.status === 403 || error.status === 404 || error.status === 503)) {
        this.setUnavailable(describe(error, failed.resource));
        return unavailableRetryMs;
      }
      // A blip (network, timeout, 500): keep what was shown and try again at the usual pace.
      this.options.log.debug({ reason: error?.message }, 'metrics poll failed');
      return intervalMs;
    }
    const changes: SourceEvent[] = [];
    for (const read of succeeded) this.diff(read, changes);
    if (changes.length > 0) this.options.emit(changes);
    if (this.availability !== 'available') {
      this.availability = 'available';
      this.options.onAvailability('available');
    }
    for (const read of reads) {
      if (read.error) this.options.log.debug({ kind: read.kind, namespace: read.namespace, reason: read.error.message }, 'metrics read failed');
    }
    return intervalMs;
  }

  private async read(kind: UsageRecord['kind'], resource: ApiResource, namespace?: string): Promise<Read> {
    const read: Read = { kind, resource };
    if (namespace !== undefined) read.namespace = namespace;
    try {
      const body = await this.options.client.get(
        { path: collectionPath(resource, namespace || undefined), resource: `metrics-${resource.resource}`, signal: this.abort.signal },
        'list',
      );
      const items = (body as { items?: unknown } | null)?.items;
      const parse = kind === 'NodeMetrics' ? readNodeUsage : readPodUsage;
      read.items = (Array.isArray(items) ? items : []).map(parse).filter((u): u is MeasuredUsage => u !== undefined);
    } catch (error) {
      read.error = toKubeApiError(error);
    }
    return read;
  }

  /** Upserts for usage that is new or moved, deletes for what this read no longer lists. */
  private diff(read: Read, changes: SourceEvent[]): void {
    const listed = new Set<string>();
    for (const measured of read.items ?? []) {
      const measuredObject =
        read.kind === 'NodeMetrics' ? this.options.node(measured.name) : this.options.pod(measured.namespace ?? '', measured.name);
      if (measuredObject === undefined) continue; // not (yet) known to the reflectors: next poll
      const { uid, name } = measuredObject;
      listed.add(uid);
      const previous = this.sent.get(uid);
      if (previous && !moved(previous.usage, measured.usage)) continue;
      // One literal per kind, all fields in it: records of a kind share one hidden class.
      const record: UsageRecord =
        read.kind === 'NodeMetrics'
          ? { kind: 'NodeMetrics', uid, name, usage: measured.usage, sampledAt: measured.sampledAt, createdAt: measured.createdAt }
          : {
              kind: 'PodMetrics',
              uid,
              name,
              namespace: measuredObject.namespace ?? measured.namespace,
              usage: measured.usage,
              sampledAt: measured.sampledAt,
              createdAt: measured.createdAt,
            };
      this.sent.set(uid, record);
      changes.push({ type: 'upsert', record });
    }
    for (const [uid, sent] of this.sent) {
      if (sent.kind !== read.kind || listed.has(uid)) continue;
      // A per-namespace read (scoped mode) says nothing about other namespaces.
      if (read.namespace && sent.namespace !== read.namespace) continue;
      this.sent.delete(uid);
      changes.push({ type: 'delete', kind: sent.kind, uid });
    }
  }

  /** Reported once per change of reason; usage already sent is withdrawn (it would go stale). */
  private setUnavailable(reason: string): void {
    if (this.sent.size > 0) {
      this.options.emit([...this.sent].map(([uid, sent]) => ({ type: 'delete', kind: sent.kind, uid })));
      this.sent.clear();
    }
    if (this.availability === 'unavailable' && reason === this.unavailableReason) return;
    this.availability = 'unavailable';
    this.unavailableReason = reason;
    this.options.log.info({ reason }, 'metrics unavailable; usage is not shown');
    this.options.onAvailability('unavailable', reason);
  }

}

const NOT_SERVED = 'metrics.k8s.io is not served by this cluster (is metrics-server installed?)';

function describe(error: KubeApiError, resource: ApiResource): string {
  if (error.status === 404) return NOT_SERVED;
  if (error.status === 503) return `the metrics API is not answering (503: ${error.message})`;
  return forbiddenReason(resource);
}

function moved(previous: Resources, next: Resources): boolean {
  const cpu = Math.abs(next.cpu - previous.cpu) > Math.max(previous.cpu * RELATIVE_THRESHOLD, CPU_FLOOR_MILLIS);
  const memory = Math.abs(next.memory - previous.memory) > Math.max(previous.memory * RELATIVE_THRESHOLD, MEMORY_FLOOR_BYTES);
  return cpu || memory;
}
