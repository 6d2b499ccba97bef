// Helpers shared by the kube source's tests.
import { pino, type Logger } from 'pino';
import type { ClusterStatus } from '../../../model/cluster-status.js';
import type { ClusterRecord } from '../../../model/records.js';
import type { SourceEvent } from '../../source.js';
import type { ApiEndpoint } from '../api-client.js';
import { KubeSource, type KubeSourceOptions } from '../kube-source.js';
import type { FakeApiServer } from './fake-api-server.js';

/** An endpoint for the fake server, without credentials. */
export function endpointFor(server: FakeApiServer): ApiEndpoint {
  return { server: server.url, authorize: async () => {} };
}

/** A logger whose entries tests can read. */
export function capturingLogger(): { log: Logger; entries: Record<string, any>[] } {
  const entries: Record<string, any>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => entries.push(JSON.parse(line)) });
  return { log, entries };
}

const USAGE_KINDS = new Set<string>(['NodeMetrics', 'PodMetrics']);

/**
 * Applies source events in order, as a consumer would: the state it ends up holding. Usage
 * records share the uid of the pod or node they measure, so they are kept apart.
 */
export class AppliedState {
  readonly records = new Map<string, ClusterRecord>();
  readonly usage = new Map<string, ClusterRecord>();
  readonly events: SourceEvent[] = [];

  apply = (events: SourceEvent[]): void => {
    for (const event of events) {
      this.events.push(event);
      if (event.type === 'upsert') this.mapOf(event.record.kind).set(event.record.uid, event.record);
      else if (event.type === 'delete') this.mapOf(event.kind).delete(event.uid);
    }
  };

  private mapOf(kind: string): Map<string, ClusterRecord> {
    return USAGE_KINDS.has(kind) ? this.usage : this.records;
  }

  uids(): string[] {
    return [...this.records.keys()].sort();
  }

  upsertsOf(uid: string): number {
    return this.events.filter((e) => e.type === 'upsert' && e.record.uid === uid).length;
  }
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Where a started source's events go: each batch (when asked), the applied state, the statuses in order. */
export interface SourceSink {
  state: AppliedState;
  statuses: ClusterStatus[];
  batches?: SourceEvent[][];
}

/** Starts a source 'kind-dev' on the fake server, its events going to `sink`. */
export function startKubeSource(server: FakeApiServer, options: Omit<KubeSourceOptions, 'id' | 'name' | 'endpoint'>, sink: SourceSink): KubeSource {
  const source = new KubeSource({ id: 'kind-dev', name: 'kind-dev', endpoint: endpointFor(server), ...options });
  source.start((events) => {
    sink.batches?.push(events);
    sink.state.apply(events);
    for (const e of events) if (e.type === 'status') sink.statuses.push(e.status);
  });
  return source;
}
