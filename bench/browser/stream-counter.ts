// Counts what arrives on the event stream, as a browser gets it: changes per kind in the delta
// frames (after the hub's coalescing). Resumes from a given seq so that it never downloads the
// snapshot (150,000 pods at xl).
import { readEventStream } from '../../test/support/event-stream.js';
import type { DeltaMessage } from '../../src/model/stream.js';

export interface StreamCounts {
  deltas: number;
  /** Pod upserts and deletes. */
  pods: number;
  /** Every change, by kind (`status` for cluster status changes). */
  byKind: Map<string, number>;
  snapshots: number;
}

export class StreamCounter {
  private readonly abort = new AbortController();
  private done: Promise<void> | undefined;
  counts: StreamCounts = emptyCounts();

  constructor(private readonly baseUrl: string) {}

  /** Connects, resuming after `seq`; counting starts at once. */
  async connect(seq: number): Promise<void> {
    const response = await fetch(new URL(`/api/v1/stream?lastEventId=${seq}`, this.baseUrl), {
      headers: { accept: 'text/event-stream' },
      signal: this.abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`stream: HTTP ${response.status}`);
    this.done = readEventStream(response.body, this.abort.signal, (event) => {
      if (event.event === 'snapshot') this.counts.snapshots++;
      if (event.event !== 'delta') return;
      const delta = JSON.parse(event.data) as DeltaMessage;
      this.counts.deltas++;
      for (const change of delta.changes) {
        const kind = change.op === 'upsert' ? change.record.kind : change.op === 'delete' ? change.kind : 'status';
        this.counts.byKind.set(kind, (this.counts.byKind.get(kind) ?? 0) + 1);
        if (kind === 'Pod') this.counts.pods++;
      }
    });
  }

  /** Returns the counts so far and starts counting from zero. */
  take(): StreamCounts {
    const counts = this.counts;
    this.counts = emptyCounts();
    return counts;
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.done ?? Promise.resolve();
  }
}

function emptyCounts(): StreamCounts {
  return { deltas: 0, pods: 0, byKind: new Map(), snapshots: 0 };
}

/** `Pod 512, PodMetrics 80, Event 40, …`, largest first. */
export function formatKinds(byKind: Map<string, number>, seconds: number): string {
  return [...byKind]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${(n / seconds).toFixed(n / seconds < 10 ? 1 : 0)}`)
    .join(', ');
}
