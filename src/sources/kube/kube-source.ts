// One Kubernetes cluster as a ClusterSource: discovery, then one reflector per kind (per
// namespace and field selector), the metrics poller, bounded events, and one ClusterStatus
// folded from all of them.
import type { Logger } from 'pino';
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { RecordKind, RecordMeta } from '../../model/records.js';
import type { ClusterSource, SourceEvent, SourceSink } from '../source.js';
import { noTelemetry, type SourceTelemetry } from '../telemetry.js';
import { ApiClient, type ApiEndpoint } from './api-client.js';
import { toKubeApiError } from './api-error.js';
import { Backoff, type BackoffPolicy, sleep } from './backoff.js';
import { type Discovery, discover } from './discovery.js';
import { EventLimiter } from './event-limiter.js';
import { groupVersion, type KindOptIns, METRICS_PODS, type WatchedKind, watchedKinds } from './kinds.js';
import { DEFAULT_METRICS_TIMING, MetricsPoller, type MetricsTiming } from './metrics-poller.js';
import { DEFAULT_REFLECTOR_TIMING, Reflector, type ReflectorTiming } from './reflector.js';
import { StatusTracker } from './status-tracker.js';

export interface KubeSourceTiming {
  reflector: ReflectorTiming;
  metrics: MetricsTiming;
  /** Retrying discovery while the API server cannot be reached or rejects the credentials. */
  discoveryBackoff: BackoffPolicy;
  /** Discovery is repeated this often so that API groups installed later (Gateway API) are picked up. */
  rediscoveryMs: number;
  /** Metrics polling starts when the cluster is first live (uids known), or after this long. */
  metricsStartMs: number;
  /** Status changes that only move counts are sent at most this often. */
  statusCoalesceMs: number;
}

export const DEFAULT_KUBE_SOURCE_TIMING: KubeSourceTiming = {
  reflector: DEFAULT_REFLECTOR_TIMING,
  metrics: DEFAULT_METRICS_TIMING,
  discoveryBackoff: { initialMs: 1000, maxMs: 30_000 },
  rediscoveryMs: 300_000,
  metricsStartMs: 60_000,
  statusCoalesceMs: 1000,
};

export interface KubeSourceOptions {
  id: string;
  name: string;
  endpoint: ApiEndpoint;
  /** Scoped mode: namespaced kinds are read in these namespaces only. */
  namespaces?: readonly string[];
  /** Kinds read only on request (--read-configmaps); without it they are never requested. */
  optIns?: KindOptIns;
  logger: Logger;
  telemetry?: SourceTelemetry;
  timing?: Partial<KubeSourceTiming>;
}

export class KubeSource implements ClusterSource {
  readonly id: string;
  readonly name: string;
  private readonly options: KubeSourceOptions;
  private readonly timing: KubeSourceTiming;
  private readonly log: Logger;
  private readonly telemetry: SourceTelemetry;
  private readonly client: ApiClient;
  private readonly abort = new AbortController();
  private readonly tracker = new StatusTracker();
  private readonly reflectors: Reflector[] = [];
  private readonly kinds: readonly WatchedKind[];
  private readonly startedKinds = new Set<RecordKind>();
  private readonly reportedNotServed = new Set<RecordKind>();
  private readonly events = new EventLimiter();
  /** The reflectors of pods (one per namespace in scoped mode) and nodes: who has which name. */
  private readonly podReflectors: Reflector[] = [];
  private readonly nodeReflectors: Reflector[] = [];
  /** The reflectors of events: they forget the events the limiter drops. */
  private readonly eventReflectors: Reflector[] = [];
  private readonly metrics: MetricsPoller;
  private metricsServed = true;
  private metricsTimer: NodeJS.Timeout | undefined;
  private sink: SourceSink | undefined;
  private running: Promise<void> | undefined;
  private sentStatus = '';
  private sentShape = '';
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(options: KubeSourceOptions) {
    this.id = options.id;
    this.name = options.name;
    this.options = options;
    this.timing = { ...DEFAULT_KUBE_SOURCE_TIMING, ...options.timing };
    this.kinds = watchedKinds(options.optIns);
    this.log = options.logger.child({ cluster: options.id });
    this.telemetry = options.telemetry ?? noTelemetry;
    this.client = new ApiClient({ cluster: options.id, endpoint: options.endpoint, telemetry: this.telemetry });
    this.metrics = new MetricsPoller({
      client: this.client,
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      node: (name) => find(this.nodeReflectors, '', name),
      pod: (namespace, name) => find(this.podReflectors, namespace, name),
      emit: (events) => this.deliver(events),
      onAvailability: (state, reason) => {
        this.tracker.setMetrics(state, reason);
        this.publishStatus();
      },
      timing: this.timing.metrics,
      log: this.log,
    });
  }

  start(sink: SourceSink): void {
    if (this.sink || this.abort.signal.aborted) return;
    this.sink = sink;
    this.publishStatus();
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.statusTimer);
    clearTimeout(this.metricsTimer);
    await this.running;
    await Promise.all([...this.reflectors.map((r) => r.stop()), this.metrics.stop()]);
    this.client.close();
  }

  private async run(): Promise<void> {
    const discovery = await this.connect();
    if (!discovery || this.abort.signal.aborted) return;
    this.metricsServed = discovery.groupVersions?.has(groupVersion(METRICS_PODS)) ?? true;
    this.startReflectors(discovery);
    this.metricsTimer = setTimeout(() => this.startMetrics(), this.timing.metricsStartMs);
    this.publishStatus();
    while (!this.abort.signal.aborted) {
      await sleep(this.timing.rediscoveryMs, this.abort.signal);
      if (this.abort.signal.aborted) return;
      try {
        this.startReflectors(await discover(this.client, this.abort.signal));
      } catch {
        // The reflectors report connection trouble themselves; the next round will tell.
      }
    }
  }

  /** Discovery, retried until the API server answers it. */
  private async connect(): Promise<Discovery | undefined> {
    const backoff = new Backoff(this.timing.discoveryBackoff);
    let logged = '';
    while (!this.abort.signal.aborted) {
      try {
        const discovery = await discover(this.client, this.abort.signal);
        this.tracker.setConnected(discovery.version);
        this.log.info({ server: this.client.server, version: discovery.version }, 'connected to the API server');
        return discovery;
      } catch (thrown) {
        if (this.abort.signal.aborted) return undefined;
        const error = toKubeApiError(thrown);
        const reason =
          error.status === 401
            ? `credentials rejected by ${this.client.server} (401 Unauthorized): ${error.message}`
            : error.status === 0
              ? `API server ${this.client.server} unreachable: ${error.reason} (${error.message})`
              : `API server ${this.client.server} answered ${error.status} ${error.reason}: ${error.message}`;
        if (reason !== logged) this.log.warn({ reason }, 'cannot reach the API server; retrying');
        logged = reason;
        this.tracker.setConnectionFailed(reason);
        this.publishStatus();
        await sleep(Math.max(backoff.next(), error.retryAfterMs ?? 0), this.abort.signal);
      }
    }
    return undefined;
  }

  /** Starts reflectors for every kind discovery says is served and that is not running yet. */
  private startReflectors(discovery: Discovery): void {
    for (const kind of this.kinds) {
      if (this.startedKinds.has(kind.kind)) continue;
      if (discovery.groupVersions && !discovery.groupVersions.has(groupVersion(kind))) {
        const reason = `API not served by this cluster (${groupVersion(kind)} ${kind.resource})`;
        // Gateway API missing is normal; a built-in group missing means a cluster too old for us.
        if (!kind.optional && !this.reportedNotServed.has(kind.kind)) this.log.warn({ kind: kind.kind, reason }, 'kind not available');
        this.reportedNotServed.add(kind.kind);
        this.tracker.setNotServed(kind.kind, reason);
        continue;
      }
      this.startedKinds.add(kind.kind);
      const namespaces = kind.namespaced && this.options.namespaces ? this.options.namespaces : [undefined];
      for (const namespace of namespaces) {
        for (const fieldSelector of kind.fieldSelectors ?? [undefined]) {
          const partition = `${namespace ?? '*'} ${fieldSelector ?? ''}`;
          this.tracker.setPartition(kind.kind, partition, { state: 'pending', count: 0 });
          const reflector = new Reflector({
            cluster: this.id,
            client: this.client,
            kind,
            ...(namespace !== undefined ? { namespace } : {}),
            ...(fieldSelector !== undefined ? { fieldSelector } : {}),
            timing: kind.pageSize === undefined ? this.timing.reflector : { ...this.timing.reflector, pageSize: Math.min(kind.pageSize, this.timing.reflector.pageSize) },
            emit: (events) => this.deliverKind(kind.kind, events),
            onStatus: (status) => {
              this.tracker.setPartition(kind.kind, partition, status);
              this.publishStatus();
            },
            log: this.log,
            telemetry: this.telemetry,
          });
          this.reflectors.push(reflector);
          if (kind.kind === 'Pod') this.podReflectors.push(reflector);
          else if (kind.kind === 'Node') this.nodeReflectors.push(reflector);
          else if (kind.kind === 'Event') this.eventReflectors.push(reflector);
          reflector.start();
        }
      }
    }
  }

  private startMetrics(): void {
    clearTimeout(this.metricsTimer);
    if (this.abort.signal.aborted) return;
    this.metrics.start(this.metricsServed);
  }

  private deliverKind(kind: RecordKind, events: SourceEvent[]): void {
    if (kind !== 'Event') return this.deliver(events);
    // An event the limiter drops is forgotten by its reflector too: nothing holds it any more,
    // and an update of it arrives as a new event, which the limiter weighs again.
    const kept = this.events.filter(events, (dropped) => {
      for (const reflector of this.eventReflectors) reflector.forget(dropped);
    });
    this.tracker.setEmittedCount('Event', this.events.size);
    this.deliver(kept);
    this.publishStatus();
  }

  private deliver(events: SourceEvent[]): void {
    if (events.length === 0 || !this.sink || this.abort.signal.aborted) return;
    this.sink(events);
  }

  /**
   * Sends the status when it changed. A change of phase or of any kind's state goes out at
   * once; one that only moves counts (every page of a sync, every pod added) waits up to
   * statusCoalesceMs, so status events do not double the event rate.
   */
  private publishStatus(): void {
    if (!this.sink || this.abort.signal.aborted) return;
    const status = this.tracker.status();
    if (status.phase === 'live') this.startMetrics();
    if (JSON.stringify(status) === this.sentStatus) return;
    if (shapeOf(status) !== this.sentShape) {
      clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
      this.sendStatus();
    } else {
      this.statusTimer ??= setTimeout(() => {
        this.statusTimer = undefined;
        this.sendStatus();
      }, this.timing.statusCoalesceMs);
    }
  }

  private sendStatus(): void {
    if (!this.sink || this.abort.signal.aborted) return;
    const status = this.tracker.status();
    this.sentStatus = JSON.stringify(status);
    this.sentShape = shapeOf(status);
    this.sink([{ type: 'status', status }]);
  }
}

function find(reflectors: readonly Reflector[], namespace: string, name: string): RecordMeta | undefined {
  for (const reflector of reflectors) {
    const record = reflector.find(namespace, name);
    if (record !== undefined) return record as RecordMeta;
  }
  return undefined;
}

/** A status without its counts: what must reach a view at once when it changes. */
function shapeOf(status: ClusterStatus): string {
  const kinds = Object.entries(status.kinds).map(([kind, s]) => [kind, s?.state, s?.reason, s?.rbac]);
  return JSON.stringify({ ...status, kinds });
}
