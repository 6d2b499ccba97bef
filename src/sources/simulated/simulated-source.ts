// The embedded demo cluster as a ClusterSource: the same events, in the same order and shape,
// as the Kubernetes source would emit for a real cluster of that size.
import type { ClusterStatus, KindStatus } from '../../model/cluster-status.js';
import { RECORD_KINDS, type RecordKind } from '../../model/records.js';
import type { ClusterSource, SourceEvent, SourceSink } from '../source.js';
import { Churn } from './churn.js';
import { systemClock, type Clock } from './clock.js';
import type { SimCluster } from './cluster.js';
import { generateCluster } from './generate.js';
import { SIZES, type SimulatedSize } from './sizes.js';
import { Timeline } from './timeline.js';
import { TrafficModel } from './traffic.js';
import { UsageModel } from './usage.js';

export interface SimulatedOptions {
  size: SimulatedSize;
  /** Same seed (and start time), same cluster. Default 1. */
  seed?: number;
  /** Churn operations started per second (each changes a few objects); 0 = static. Default per size. */
  churnPerSecond?: number;
  id?: string;
  name?: string;
  clock?: Clock;
  /** How often usage is sampled, as metrics-server's resolution; 0 = never resampled. Default 15 s. */
  metricsIntervalMs?: number;
}

/** Records per sink call during the initial sync: a few large batches, not one per object. */
const SYNC_BATCH = 20_000;
const CHURN_TICK_MS = 250;
const USAGE_SLICE_MS = 1_000;
/** How often the scheduler retries pods it could not place. */
const RETRY_PENDING_MS = 5_000;
const RETRY_PENDING_PODS = 25;
/** Observed traffic is re-sampled in slices, every pair once a minute (as a poller of Prometheus would). */
const TRAFFIC_PASS_MS = 60_000;
const TRAFFIC_SLICE_MS = 5_000;
const SERVER_VERSION = 'v1.31.4';

export class SimulatedSource implements ClusterSource {
  readonly id: string;
  readonly name: string;
  private readonly clock: Clock;
  private readonly timeline: Timeline;
  private model: SimCluster | undefined;
  private sink: SourceSink | undefined;
  private started = false;

  constructor(private readonly options: SimulatedOptions) {
    if (!(options.size in SIZES)) throw new Error(`unknown simulated size "${options.size}"`);
    this.id = options.id ?? 'demo';
    this.name = options.name ?? `Demo cluster (${options.size})`;
    this.clock = options.clock ?? systemClock;
    this.timeline = new Timeline(this.clock, (work) => this.batch(work));
  }

  /** The simulated cluster itself, generated on first use (test drivers mutate it directly). */
  get cluster(): SimCluster {
    this.model ??= generateCluster({ size: this.options.size, seed: this.options.seed ?? 1, now: this.clock.now() });
    return this.model;
  }

  start(sink: SourceSink): void {
    if (this.started) throw new Error('simulated source: start() called twice');
    this.started = true;
    this.sink = sink;
    const since = this.clock.now();
    sink([{ type: 'status', status: { phase: 'connecting', since, kinds: {}, metrics: 'pending', traffic: 'pending' } }]);
    // Generating a large cluster takes a moment: not inside start(), which must return at once.
    this.timeline.after(0, () => this.sync());
  }

  async stop(): Promise<void> {
    this.timeline.stop();
    this.sink = undefined;
  }

  /**
   * Applies a change from outside (a test driver) as one batch, as if the API server had
   * accepted a request: its events leave in one sink call.
   */
  mutate<T>(change: (cluster: SimCluster) => T): T {
    let result: T | undefined;
    this.batch(() => {
      result = change(this.cluster);
    });
    return result as T;
  }

  /** Runs work, lets the controllers react, and emits everything that changed in one call. */
  private batch(work: () => void): void {
    const cluster = this.cluster;
    work();
    cluster.flush();
    const events = cluster.ledger.take();
    if (events.length > 0 && this.sink) this.sink(events);
  }

  private sync(): void {
    const cluster = this.cluster;
    const ledger = cluster.ledger;
    const sink = this.sink;
    if (!sink) return;
    const kinds: Partial<Record<RecordKind, KindStatus>> = {};
    for (const kind of RECORD_KINDS) kinds[kind] = { state: 'syncing', count: 0, expected: ledger.count(kind) };
    const status = (phase: ClusterStatus['phase']): ClusterStatus => ({
      phase,
      since: this.clock.now(),
      kinds: Object.fromEntries(Object.entries(kinds).map(([k, s]) => [k, { ...s }])),
      metrics: phase === 'live' ? 'available' : 'pending',
      // The demo's traffic is simulated Istio telemetry, there from the start like its usage.
      ...(phase === 'live' ? { traffic: 'available' as const, trafficMeshes: ['istio'] } : { traffic: 'pending' as const }),
      version: SERVER_VERSION,
    });
    sink([{ type: 'status', status: status('syncing') }]);
    for (const kind of RECORD_KINDS) {
      let batch: SourceEvent[] = [];
      for (const record of ledger.records(kind)) {
        batch.push({ type: 'upsert', record });
        if (batch.length === SYNC_BATCH) {
          sink(batch);
          batch = [];
        }
      }
      kinds[kind] = { state: 'live', count: ledger.count(kind) };
      const last = kind === RECORD_KINDS[RECORD_KINDS.length - 1];
      batch.push({ type: 'status', status: status(last ? 'live' : 'syncing') });
      sink(batch);
    }
    ledger.recording = true;
    this.goLive(cluster);
  }

  private goLive(cluster: SimCluster): void {
    const size = SIZES[this.options.size];
    cluster.live = true;
    cluster.sealShared();
    cluster.now = () => this.clock.now();
    cluster.prng = cluster.prng.fork('live');
    cluster.later = (ms, fn) => this.timeline.after(ms, fn);
    this.timeline.every(RETRY_PENDING_MS, () => cluster.retryPending(RETRY_PENDING_PODS));
    const metricsInterval = this.options.metricsIntervalMs ?? 15_000;
    if (metricsInterval > 0) {
      // Every node once per interval, a slice about every second (metrics-server scrapes nodes
      // independently too): usage arrives steadily rather than as one burst per interval.
      const usage = new UsageModel(cluster);
      const slices = Math.max(1, Math.round(metricsInterval / USAGE_SLICE_MS));
      this.timeline.every(metricsInterval / slices, () => usage.sampleSlice(this.clock.now(), Math.ceil(cluster.placement.all.size / slices)));
    }
    const perSecond = this.options.churnPerSecond ?? size.churnPerSecond;
    if (perSecond > 0) {
      const churn = new Churn(cluster, size, perSecond);
      churn.settle();
      this.timeline.every(CHURN_TICK_MS, () => churn.tick(CHURN_TICK_MS));
      // Traffic drifts only in a living demo: a static one (churn 0) stays exactly as generated.
      const traffic = new TrafficModel(cluster, this.options.seed ?? 1);
      const perSlice = Math.ceil((traffic.size * TRAFFIC_SLICE_MS) / TRAFFIC_PASS_MS);
      if (traffic.size > 0) this.timeline.every(TRAFFIC_SLICE_MS, () => traffic.sampleSlice(this.clock.now(), perSlice));
    }
  }
}

export function createSimulatedSource(options: SimulatedOptions): SimulatedSource {
  return new SimulatedSource(options);
}
