// Records, statuses and a hand-driven ClusterSource for the server's tests.
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { ClusterSource, SourceEvent, SourceSink } from '../../sources/source.js';

export { pod } from '../../model/testing/records.js';

export function status(phase: ClusterStatus['phase'], since = 1): ClusterStatus {
  return { phase, since, kinds: {}, metrics: 'pending' };
}

/** A source the test drives by hand: `emit` delivers a batch to whatever sink `start` received. */
export class FakeSource implements ClusterSource {
  private sink: SourceSink | undefined;
  stopped = false;

  constructor(
    readonly id: string,
    readonly name: string = id,
  ) {}

  start(sink: SourceSink): void {
    this.sink = sink;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sink = undefined;
  }

  emit(...events: SourceEvent[]): void {
    if (this.sink === undefined) throw new Error(`source ${this.id} is not started`);
    this.sink(events);
  }

  goLive(): void {
    this.emit({ type: 'status', status: status('live') });
  }
}
