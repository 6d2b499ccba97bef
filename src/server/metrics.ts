// `/metrics`: process metrics, the load kubeglance puts on each cluster (reported by sources
// through SourceTelemetry) and the state of the stream. Each ServerMetrics has its own registry,
// so several servers in one process (tests) do not collide.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RECORD_KINDS } from '../model/records.js';
import type { SourceTelemetry } from '../sources/telemetry.js';
import type { Hub } from './hub.js';
import type { ReplicaStats } from './replication/replica.js';
import type { StreamStats } from './sse.js';
import type { ClusterStore } from './store.js';

/** What the stream-side gauges read at scrape time. */
export interface StreamMetricsInputs {
  store: ClusterStore;
  hub: Hub;
  streamStats: () => StreamStats;
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly sourceTelemetry: SourceTelemetry;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.sourceTelemetry = this.createSourceTelemetry();
  }

  /** Adds the stream metrics; call once, when the store, hub and SSE endpoint exist. */
  observe({ store, hub, streamStats }: StreamMetricsInputs): void {
    const registers = [this.registry];
    const deltaBytes = new Counter({
      name: 'kubeglance_delta_bytes_total',
      help: 'Bytes of encoded delta frames cut by the hub (each sent to every client).',
      registers,
    });
    hub.subscribe((frame) => deltaBytes.inc(frame.bytes.length));
    new Gauge({
      name: 'kubeglance_stream_seq',
      help: 'Sequence number of the latest delta.',
      registers,
      collect() {
        this.set(hub.seq);
      },
    });
    new Gauge({
      name: 'kubeglance_sse_clients',
      help: 'Clients connected to the event stream.',
      registers,
      collect() {
        this.set(streamStats().clients);
      },
    });
    new Gauge({
      name: 'kubeglance_sse_lagging_clients',
      help: 'Stream clients too slow to keep up, held back until they can take a fresh snapshot.',
      registers,
      collect() {
        this.set(streamStats().lagging);
      },
    });
    new Gauge({
      name: 'kubeglance_sse_queued_bytes',
      help: 'Bytes waiting in stream clients\' socket buffers.',
      registers,
      collect() {
        this.set(streamStats().queuedBytes);
      },
    });
    new Gauge({
      name: 'kubeglance_records',
      help: 'Records held in memory, by cluster and kind.',
      labelNames: ['cluster', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const cluster of store.clusters()) {
          for (const kind of RECORD_KINDS) this.set({ cluster: cluster.id, kind }, cluster.count(kind));
        }
      },
    });
  }

  /** Adds the replica metrics (--redis-url); call once. */
  observeReplica(stats: () => ReplicaStats): void {
    const registers = [this.registry];
    new Gauge({
      name: 'kubeglance_replica_watching',
      help: '1 on the replica that holds the lease and watches the clusters, 0 on followers.',
      registers,
      collect() {
        this.set(stats().role === 'watcher' ? 1 : 0);
      },
    });
    const counters = [
      ['kubeglance_replica_takeovers_total', 'Times this replica took the lease.', 'takeovers'],
      ['kubeglance_replica_snapshots_loaded_total', 'Stored snapshots this replica loaded (at start, or after missing deltas).', 'snapshotsLoaded'],
      ['kubeglance_replica_snapshots_written_total', 'Snapshots this replica stored while watching.', 'snapshotsWritten'],
    ] as const;
    for (const [name, help, field] of counters) {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(stats()[field]);
        },
      });
    }
  }

  private createSourceTelemetry(): SourceTelemetry {
    const registers = [this.registry];
    const apiRequests = new Counter({
      name: 'kubeglance_api_requests_total',
      help: 'Requests to Kubernetes API servers, by response code (0: failed before a status).',
      labelNames: ['cluster', 'verb', 'resource', 'code'],
      registers,
    });
    const apiBytes = new Counter({
      name: 'kubeglance_api_response_bytes_total',
      help: 'Response body bytes read from Kubernetes API servers.',
      labelNames: ['cluster', 'resource'],
      registers,
    });
    const watchEvents = new Counter({
      name: 'kubeglance_watch_events_total',
      help: 'Watch events received, by type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR).',
      labelNames: ['cluster', 'resource', 'type'],
      registers,
    });
    const relists = new Counter({
      name: 'kubeglance_relists_total',
      help: 'Full LISTs started, by reason.',
      labelNames: ['cluster', 'resource', 'reason'],
      registers,
    });
    const watchesOpen = new Gauge({
      name: 'kubeglance_watches_open',
      help: 'Watches currently open.',
      labelNames: ['cluster', 'resource'],
      registers,
    });
    return {
      apiRequest: (cluster, verb, resource, code) => apiRequests.inc({ cluster, verb, resource, code: String(code) }),
      apiBytes: (cluster, resource, bytes) => apiBytes.inc({ cluster, resource }, bytes),
      watchEvent: (cluster, resource, type) => watchEvents.inc({ cluster, resource, type }),
      relist: (cluster, resource, reason) => relists.inc({ cluster, resource, reason }),
      watchOpen: (cluster, resource, delta) => watchesOpen.inc({ cluster, resource }, delta),
    };
  }
}
