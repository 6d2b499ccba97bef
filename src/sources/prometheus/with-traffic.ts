// Adds observed traffic from Prometheus to any cluster source, without changing the
// ClusterSource interface: the wrapped source's events pass through unchanged except that every
// status carries the traffic fields, and the poller's Traffic upserts and deletes are injected
// into the same stream, followed by a status event when the traffic status moved.
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { ClusterSource, SourceEvent, SourceSink } from '../source.js';
import { TrafficPoller, type TrafficPollerOptions, type TrafficStatus, type TrafficUpdate } from './traffic-poller.js';

export function withTraffic(source: ClusterSource, options: TrafficPollerOptions): ClusterSource {
  return new TrafficSource(source, new TrafficPoller(options));
}

class TrafficSource implements ClusterSource {
  readonly id: string;
  readonly name: string;
  private sink: SourceSink | undefined;
  /** The wrapped source's last status, as it sent it (without traffic fields). */
  private lastInnerStatus: ClusterStatus | undefined;

  constructor(
    private readonly inner: ClusterSource,
    private readonly poller: TrafficPoller,
  ) {
    this.id = inner.id;
    this.name = inner.name;
  }

  start(sink: SourceSink): void {
    if (this.sink) throw new Error(`${this.id}: start() called twice`);
    this.sink = sink;
    this.inner.start((events) => this.forward(events));
    this.poller.start((update) => this.inject(update));
  }

  async stop(): Promise<void> {
    // From here on nothing reaches the sink, even a batch already on its way.
    this.sink = undefined;
    await Promise.all([this.poller.stop(), this.inner.stop()]);
  }

  private forward(events: SourceEvent[]): void {
    const sink = this.sink;
    if (!sink) return;
    let merged: SourceEvent[] | undefined;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.type !== 'status') continue;
      this.lastInnerStatus = event.status;
      // Copy on first status only: large sync batches of upserts pass through untouched.
      merged ??= events.slice();
      merged[i] = { type: 'status', status: withTrafficFields(event.status, this.poller.status) };
    }
    sink(merged ?? events);
  }

  private inject(update: TrafficUpdate): void {
    const sink = this.sink;
    if (!sink) return;
    const events = update.events.slice();
    // Before the wrapped source's first status there is nothing to merge into; its first status
    // will carry the traffic fields.
    if (update.statusChanged && this.lastInnerStatus) events.push({ type: 'status', status: withTrafficFields(this.lastInnerStatus, update.status) });
    if (events.length > 0) sink(events);
  }
}

/** A copy of `status` whose traffic fields are exactly `traffic` (no stale reason or meshes left over). */
export function withTrafficFields(status: ClusterStatus, traffic: TrafficStatus): ClusterStatus {
  const { trafficReason: _reason, trafficMeshes: _meshes, ...rest } = status;
  const merged: ClusterStatus = { ...rest, traffic: traffic.traffic };
  if (traffic.trafficReason !== undefined) merged.trafficReason = traffic.trafficReason;
  if (traffic.trafficMeshes !== undefined) merged.trafficMeshes = [...traffic.trafficMeshes];
  return merged;
}
