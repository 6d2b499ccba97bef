// Keeps one partition of one kind (a resource, optionally one namespace, optionally one field
// selector) in step with the API server, as client-go's Reflector does: LIST in pages, then
// WATCH from the list's resourceVersion; on a normal end re-watch from the last version seen
// (bookmarks advance it); on 410 Gone LIST again and emit only the difference, deletes
// included, so a consumer never misses one.
//
// It keeps no API objects, only the compact record it last emitted for each object (the consumer
// holds that record anyway): what it needs to skip unchanged updates, to know what to delete
// after a relist, and to tell the metrics poller which uid a pod or node name has (see
// known-objects.ts).
import type { Logger } from 'pino';
import type { KindStatus } from '../../model/cluster-status.js';
import type { ClusterRecord } from '../../model/records.js';
import type { SourceEvent } from '../source.js';
import type { SourceTelemetry } from '../telemetry.js';
import type { ApiClient, WatchEvent } from './api-client.js';
import { errorFromStatus, KubeApiError, toKubeApiError } from './api-error.js';
import { Backoff, type BackoffPolicy, sleep } from './backoff.js';
import { KnownObjects } from './known-objects.js';
import { collectionPath, forbiddenReason, groupVersion, type WatchedKind } from './kinds.js';

/** A partition's status, plus what kind of failure it is in (the cluster phase tells them apart). */
export interface PartitionStatus extends KindStatus {
  failure?: 'unauthorized' | 'unreachable' | 'other';
}

export interface ReflectorTiming {
  backoff: BackoffPolicy;
  /** Retry interval while access is denied (403): quiet, so that a later grant is noticed. */
  forbiddenRetryMs: number;
  /** Retry interval while the API is not served (404): the group may be installed later. */
  notFoundRetryMs: number;
  /** Each watch asks the server to end it after a random time in this range, like client-go. */
  watchTimeoutSeconds: { min: number; max: number };
  /**
   * A watch silent for this long is taken for a dead connection and resumed. kube-apiserver
   * sends a bookmark about every minute, so a live watch is never silent this long; a
   * connection cut without a reset (a dropped NAT entry) would otherwise hang for many minutes.
   */
  watchIdleTimeoutMs: number;
  pageSize: number;
}

export const DEFAULT_REFLECTOR_TIMING: ReflectorTiming = {
  backoff: { initialMs: 500, maxMs: 30_000 },
  forbiddenRetryMs: 60_000,
  notFoundRetryMs: 300_000,
  watchTimeoutSeconds: { min: 300, max: 600 },
  watchIdleTimeoutMs: 150_000,
  pageSize: 500,
};

export interface ReflectorOptions {
  cluster: string;
  client: ApiClient;
  kind: WatchedKind;
  namespace?: string;
  fieldSelector?: string;
  timing: ReflectorTiming;
  /** Upserts and deletes, in order, one call per page or watch chunk. */
  emit: (events: SourceEvent[]) => void;
  onStatus: (status: PartitionStatus) => void;
  log: Logger;
  telemetry: SourceTelemetry;
  random?: () => number;
}

/** A watch that ends this soon without a single event is a server or proxy problem, not a timeout. */
const SHORTEST_HEALTHY_WATCH_MS = 1000;

export class Reflector {
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly path: string;
  /** The record last emitted for each object. */
  private readonly known = new KnownObjects();
  private resourceVersion: string | undefined;
  private status: PartitionStatus = { state: 'pending', count: 0 };
  private running: Promise<void> | undefined;
  /** The failure last logged at warn level; repeats are logged at debug. */
  private loggedFailure: string | undefined;
  private warnedMalformed = false;
  private gonesInARow = 0;
  private blipsInARow = 0;

  constructor(private readonly options: ReflectorOptions) {
    this.backoff = new Backoff(options.timing.backoff, options.random);
    this.path = collectionPath(options.kind, options.namespace);
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops requests and timers; nothing is emitted after it resolves. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<void> {
    let relist: string | undefined = 'initial';
    while (!this.signal.aborted) {
      try {
        if (relist !== undefined) {
          await this.list(relist);
          relist = undefined;
        }
        const ended = await this.watch();
        if (ended.quickly) await sleep(this.backoff.next(), this.signal);
      } catch (error) {
        if (this.signal.aborted) return;
        const next = this.recover(toKubeApiError(error));
        relist = next.relist ?? relist;
        await sleep(next.delayMs, this.signal);
      }
    }
  }

  private async list(reason: string): Promise<void> {
    const { client, kind, fieldSelector, telemetry, cluster, timing } = this.options;
    telemetry.relist(cluster, kind.resource, reason);
    const seen = new Set<string>();
    let token: string | undefined;
    let listVersion: string | undefined;
    do {
      const page = asListPage(
        await client.get(
          {
            path: this.path,
            query: { limit: timing.pageSize, continue: token, fieldSelector },
            resource: kind.resource,
            signal: this.signal,
          },
          'list',
        ),
      );
      const changes: SourceEvent[] = [];
      for (const raw of page.items) {
        const record = this.strip(raw);
        if (!record) continue;
        seen.add(record.uid);
        this.upsert(record, changes);
      }
      this.emit(changes);
      token = page.continue;
      listVersion = page.resourceVersion;
      // A relist of a live partition stays live: its data is being corrected, not missing.
      if (this.status.state !== 'live') {
        this.report({ state: 'syncing', expected: seen.size + (page.remainingItemCount ?? 0) });
      }
    } while (token !== undefined);

    const gone = this.known.sweep((uid) => seen.has(uid));
    this.emit(gone.map((uid) => ({ type: 'delete', kind: kind.kind, uid })));
    this.resourceVersion = listVersion;
    this.gonesInARow = 0;
    this.backoff.reset();
    this.recovered();
    this.report({ state: 'live' });
  }

  private async watch(): Promise<{ quickly: boolean }> {
    const { client, kind, fieldSelector, timing } = this.options;
    const { min, max } = timing.watchTimeoutSeconds;
    const timeoutSeconds = Math.round(min + (this.options.random ?? Math.random)() * (max - min));
    const openedAt = Date.now();
    const stream = await client.watch({
      path: this.path,
      query: { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds, fieldSelector },
      resource: kind.resource,
      signal: this.signal,
      idleTimeoutMs: timing.watchIdleTimeoutMs,
    });
    this.recovered();
    this.report({ state: 'live' });
    let events = 0;
    for await (const batch of stream) {
      events += batch.length;
      const changes: SourceEvent[] = [];
      try {
        for (const event of batch) this.apply(event, changes);
      } finally {
        this.emit(changes);
      }
      this.backoff.reset();
    }
    return { quickly: events === 0 && Date.now() - openedAt < SHORTEST_HEALTHY_WATCH_MS };
  }

  private apply(event: WatchEvent, changes: SourceEvent[]): void {
    const metadata = (event.object as { metadata?: Record<string, unknown> } | null)?.metadata;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const record = this.strip(event.object);
        if (record) this.upsert(record, changes);
        break;
      }
      case 'DELETED': {
        const uid = metadata?.uid;
        const name = metadata?.name;
        const namespace = this.options.kind.namespaced ? metadata?.namespace : '';
        if (
          typeof uid === 'string' &&
          this.known.forget(uid, typeof namespace === 'string' ? namespace : undefined, typeof name === 'string' ? name : undefined)
        ) {
          changes.push({ type: 'delete', kind: this.options.kind.kind, uid });
        }
        break;
      }
      case 'BOOKMARK':
        break;
      case 'ERROR':
        throw errorFromStatus(500, event.object);
      default:
        this.options.log.debug({ type: event.type }, 'ignoring unknown watch event type');
        return;
    }
    if (typeof metadata?.resourceVersion === 'string' && metadata.resourceVersion !== '') {
      this.resourceVersion = metadata.resourceVersion;
    }
  }

  private strip(raw: unknown): ClusterRecord | undefined {
    const record = this.options.kind.strip(raw);
    if (!record && !this.warnedMalformed) {
      this.warnedMalformed = true;
      const metadata = (raw as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
      this.options.log.warn(
        { kind: this.options.kind.kind, name: metadata?.name, namespace: metadata?.namespace },
        'skipping malformed objects (no uid, name or namespace); further ones are skipped silently',
      );
    }
    return record;
  }

  private upsert(record: ClusterRecord, changes: SourceEvent[]): void {
    const { same, replaced } = this.known.remember(record);
    if (same) return;
    // The name now belongs to a new object (a pod recreated while a relist was due).
    if (replaced !== undefined) changes.push({ type: 'delete', kind: this.options.kind.kind, uid: replaced });
    changes.push({ type: 'upsert', record });
  }

  /** The record last emitted for this namespace ("" for cluster-scoped kinds) and name, while the object exists. */
  find(namespace: string, name: string): ClusterRecord | undefined {
    return this.known.find(namespace, name);
  }

  /**
   * Forgets an emitted record without emitting anything: the consumer dropped it on purpose
   * (the event limiter) and does not hold it. A later update of the object is emitted as new.
   */
  forget(record: ClusterRecord): void {
    this.known.forget(record.uid, record.namespace ?? '', record.name);
  }

  private withdrawAll(): void {
    const gone = this.known.sweep(() => false);
    this.emit(gone.map((uid) => ({ type: 'delete', kind: this.options.kind.kind, uid })));
  }

  private emit(changes: SourceEvent[]): void {
    if (changes.length === 0 || this.signal.aborted) return;
    this.options.emit(changes);
    if (this.status.count !== this.known.size) this.report({ ...this.status });
  }

  private report(next: Omit<PartitionStatus, 'count'>): void {
    const status: PartitionStatus = { ...next, count: this.known.size };
    if (JSON.stringify(status) === JSON.stringify(this.status) || this.signal.aborted) return;
    this.status = status;
    this.options.onStatus(status);
  }

  /** What to do after a failure: report it, and say how long to wait and whether to relist. */
  private recover(error: KubeApiError): { delayMs: number; relist?: string } {
    const { kind, timing } = this.options;
    if (error.gone) {
      // Expected now and then (history compacted while disconnected); a relist fixes it. Twice
      // in a row means the relist itself keeps expiring: slow down.
      this.gonesInARow++;
      this.options.log.debug({ kind: kind.kind, reason: error.message }, 'resource version expired, relisting');
      return { delayMs: this.gonesInARow > 1 ? this.backoff.next() : 0, relist: 'gone' };
    }
    if (error.status === 403) {
      this.fail(error, { state: 'unavailable', reason: forbiddenReason(kind), rbac: kind.rbac });
      return { delayMs: timing.forbiddenRetryMs, relist: 'recovered' };
    }
    if (error.status === 404) {
      // The resource itself is gone (a CRD was removed), and its objects with it.
      this.withdrawAll();
      this.fail(error, { state: 'unavailable', reason: `API not served by this cluster (${groupVersion(kind)} ${kind.resource})` });
      return { delayMs: timing.notFoundRetryMs, relist: 'recovered' };
    }
    const delayMs = Math.max(this.backoff.next(), error.retryAfterMs ?? 0);
    if (error.status === 401) {
      this.fail(error, { state: 'error', reason: `credentials rejected (401 Unauthorized): ${error.message}`, failure: 'unauthorized' });
    } else if (error.transient && ++this.blipsInARow === 1) {
      // A single reset connection (a keep-alive race, a load balancer) is retried at once and
      // not worth a "stale" banner; a second failure in a row is.
      this.options.log.debug({ kind: kind.kind, namespace: this.options.namespace, reason: error.message }, 'list/watch interrupted; retrying');
    } else if (error.status === 0) {
      this.fail(error, { state: 'error', reason: `API server unreachable: ${error.reason} (${error.message})`, failure: 'unreachable' });
    } else {
      this.fail(error, { state: 'error', reason: `${error.status} ${error.reason}: ${error.message}`, failure: 'other' });
    }
    return { delayMs };
  }

  private fail(error: KubeApiError, status: Omit<PartitionStatus, 'count'>): void {
    const key = `${error.status} ${error.reason}`;
    const fields = { kind: this.options.kind.kind, namespace: this.options.namespace, reason: status.reason };
    if (key === this.loggedFailure) this.options.log.debug(fields, 'list/watch still failing');
    // An optional API (Gateway API) missing from a cluster is normal, not a warning.
    else if (error.status === 404 && this.options.kind.optional) this.options.log.info(fields, 'API not installed; checking again later');
    else this.options.log.warn(fields, 'list/watch failed; retrying');
    this.loggedFailure = key;
    this.report(status);
  }

  private recovered(): void {
    this.blipsInARow = 0;
    if (this.loggedFailure === undefined) return;
    this.loggedFailure = undefined;
    this.options.log.info({ kind: this.options.kind.kind, namespace: this.options.namespace }, 'list/watch recovered');
  }
}

interface ListPage {
  items: unknown[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

function asListPage(body: unknown): ListPage {
  const list = body as { items?: unknown; metadata?: Record<string, unknown> } | null;
  const metadata = list?.metadata;
  const resourceVersion = metadata?.resourceVersion;
  if (!Array.isArray(list?.items) || typeof resourceVersion !== 'string') {
    throw new KubeApiError(0, 'InvalidResponse', 'a LIST response without items or resourceVersion');
  }
  const page: ListPage = { items: list.items, resourceVersion };
  if (typeof metadata?.continue === 'string' && metadata.continue !== '') page.continue = metadata.continue;
  if (typeof metadata?.remainingItemCount === 'number') page.remainingItemCount = metadata.remainingItemCount;
  return page;
}
