// Polls Prometheus for observed traffic and reports what changed: Traffic upserts and deletes,
// and the traffic part of the cluster status.
//
// - Every `intervalMs` all queries (queries.ts) run; their answers become records (parse.ts).
//   Only records that are new or moved noticeably (parse.ts: movedNoticeably) are sent, and a
//   delete for every pair that is no longer reported. A quiet cluster costs nothing downstream.
// - Status: 'pending' until the first answer; 'available' (with the meshes found) when the
//   queries succeed and some mesh has series; 'unavailable' with a reason an operator can act on
//   when Prometheus cannot be reached, answers with an error, is not Prometheus at all, or has
//   none of the mesh series.
// - While Prometheus cannot be reached, the records last sent are kept (traffic a few minutes old
//   is still a good picture of who talks to whom; the status says it is not current) and polls
//   back off exponentially with jitter. After `dropAfterMs` (5 minutes) of failure they are
//   withdrawn: a map must not show traffic from long ago as if it were happening. When
//   Prometheus answers but the series are gone, the records go at once, like any other pair
//   that disappeared.
import type { Logger } from 'pino';
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { TrafficRecord } from '../../model/records.js';
import { Backoff, sleep, type BackoffPolicy } from '../kube/backoff.js';
import type { SourceEvent } from '../source.js';
import {
  buildTrafficRecords,
  meshesWithSeries,
  movedNoticeably,
  parseVectorAnswer,
  prometheusError,
  PrometheusAnswerError,
  type PromSample,
  type QueryAnswer,
} from './parse.js';
import { DEFAULT_WINDOW, trafficQueries, type TrafficQuery } from './queries.js';

/** The traffic fields of a ClusterStatus. */
export type TrafficStatus = Required<Pick<ClusterStatus, 'traffic'>> & Pick<ClusterStatus, 'trafficReason' | 'trafficMeshes'>;

export interface TrafficUpdate {
  /** Traffic upserts and deletes; may be empty when only the status changed. */
  events: SourceEvent[];
  status: TrafficStatus;
  /** Whether `status` differs from the status last reported. */
  statusChanged: boolean;
}

export interface TrafficPollerOptions {
  /** Base URL of Prometheus' HTTP API (queries go to `<url>/api/v1/query`); may carry a path prefix. */
  url: string;
  /** Between polls while Prometheus answers. Default 30 s (the command line allows 5 s and up). */
  intervalMs?: number;
  /** Range of the rates, a Prometheus duration. Default "1m"; tests use a few seconds. */
  window?: string;
  /** Per query request. Default: the interval, at most 10 s. */
  timeoutMs?: number;
  /** Retry delays while polls fail. Default: from the interval, doubling up to 5 minutes. */
  backoff?: BackoffPolicy;
  /** How long records are kept while Prometheus cannot be reached. Default 5 minutes. */
  dropAfterMs?: number;
  /** Queries in flight at once: Prometheus is shared, so a poll does not fire all at once. Default 4. */
  concurrency?: number;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
  logger?: Logger;
}

export const DEFAULT_TRAFFIC_INTERVAL_MS = 30_000;
export const DEFAULT_DROP_AFTER_MS = 5 * 60_000;
const MAX_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/** A poll that failed as a whole, with the words to show for it. */
class PollFailure extends Error {
  override name = 'PollFailure';
}

export class TrafficPoller {
  private readonly abort = new AbortController();
  private readonly queries: TrafficQuery[];
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly dropAfterMs: number;
  private readonly backoff: Backoff;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly queryUrl: URL;
  /** The URL as shown in reasons. */
  readonly displayUrl: string;
  /** uid → the record last sent (the consumer holds it too). */
  private readonly sent = new Map<string, TrafficRecord>();
  private current: TrafficStatus = { traffic: 'pending' };
  /** When the current run of failed polls began; undefined while polls succeed. */
  private failingSince: number | undefined;
  private running: Promise<void> | undefined;
  private onUpdate: ((update: TrafficUpdate) => void) | undefined;

  constructor(private readonly options: TrafficPollerOptions) {
    const base = new URL(options.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`Prometheus URL must be http or https: ${options.url}`);
    this.displayUrl = base.href.replace(/\/$/, '');
    // A relative path keeps a prefix such as http://host/prometheus/ in front of api/v1/query.
    this.queryUrl = new URL('api/v1/query', base.href.endsWith('/') ? base.href : `${base.href}/`);
    this.queries = trafficQueries({ window: options.window ?? DEFAULT_WINDOW });
    this.intervalMs = options.intervalMs ?? DEFAULT_TRAFFIC_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? Math.min(this.intervalMs, MAX_TIMEOUT_MS);
    this.dropAfterMs = options.dropAfterMs ?? DEFAULT_DROP_AFTER_MS;
    this.backoff = new Backoff(options.backoff ?? { initialMs: this.intervalMs, maxMs: Math.max(this.intervalMs, MAX_BACKOFF_MS) }, options.random);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  /** The traffic status as last reported ('pending' before the first answer). */
  get status(): TrafficStatus {
    return this.current;
  }

  /** Starts polling; the first poll runs at once. `onUpdate` hears every change, in order. */
  start(onUpdate: (update: TrafficUpdate) => void): void {
    if (this.running) throw new Error('traffic poller: start() called twice');
    this.onUpdate = onUpdate;
    this.running = this.run();
  }

  /** Stops polling and any request in flight. Nothing is reported after the promise resolves. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.onUpdate = undefined;
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const delayMs = await this.pollOnce();
      await sleep(delayMs, this.abort.signal);
    }
  }

  /** One poll: queries, diff, report. Returns how long to wait before the next. Never throws. */
  async pollOnce(): Promise<number> {
    let answers: QueryAnswer[];
    try {
      answers = await this.queryAll();
    } catch (error) {
      if (this.abort.signal.aborted) return 0;
      return this.failed(error);
    }
    if (this.abort.signal.aborted) return 0;
    this.failingSince = undefined;
    this.backoff.reset();
    const events = this.diff(buildTrafficRecords(answers));
    const meshes = meshesWithSeries(answers);
    const status: TrafficStatus =
      meshes.length > 0
        ? { traffic: 'available', trafficMeshes: meshes }
        : { traffic: 'unavailable', trafficReason: `no Istio, Linkerd or OpenTelemetry service-graph series found in Prometheus at ${this.displayUrl}` };
    this.report(events, status);
    return this.intervalMs;
  }

  private failed(error: unknown): number {
    const reason = error instanceof PollFailure ? error.message : `querying Prometheus at ${this.displayUrl} failed: ${errorMessage(error)}`;
    const now = this.now();
    this.failingSince ??= now;
    const events: SourceEvent[] = [];
    if (now - this.failingSince >= this.dropAfterMs && this.sent.size > 0) {
      for (const uid of this.sent.keys()) events.push({ type: 'delete', kind: 'Traffic', uid });
      this.sent.clear();
    }
    this.options.logger?.debug({ reason }, 'traffic poll failed');
    this.report(events, { traffic: 'unavailable', trafficReason: reason });
    return this.backoff.next();
  }

  private report(events: SourceEvent[], status: TrafficStatus): void {
    const statusChanged = !sameStatus(status, this.current);
    if (statusChanged) {
      if (status.traffic === 'unavailable') this.options.logger?.info({ reason: status.trafficReason }, 'observed traffic unavailable');
      else if (status.traffic === 'available') this.options.logger?.info({ meshes: status.trafficMeshes }, 'observed traffic available');
    }
    this.current = status;
    if (events.length > 0 || statusChanged) this.onUpdate?.({ events, status, statusChanged });
  }

  /** Upserts for records that are new or moved noticeably, deletes for pairs no longer reported. */
  private diff(records: TrafficRecord[]): SourceEvent[] {
    const events: SourceEvent[] = [];
    const seen = new Set<string>();
    for (const record of records) {
      seen.add(record.uid);
      const previous = this.sent.get(record.uid);
      if (previous && !movedNoticeably(previous, record)) continue;
      // First seen is when the pair first appeared, not when it last moved.
      if (previous) record.createdAt = previous.createdAt;
      this.sent.set(record.uid, record);
      events.push({ type: 'upsert', record });
    }
    for (const uid of this.sent.keys()) {
      if (seen.has(uid)) continue;
      this.sent.delete(uid);
      events.push({ type: 'delete', kind: 'Traffic', uid });
    }
    return events;
  }

  /** Runs every query, a few at a time; the first failure fails the poll (answers would be partial). */
  private async queryAll(): Promise<QueryAnswer[]> {
    const answers: QueryAnswer[] = new Array(this.queries.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
      // After a failure no new query starts: the poll has failed whatever the others answer.
      while (!failed && next < this.queries.length) {
        const index = next++;
        const query = this.queries[index]!;
        try {
          answers[index] = { query, samples: await this.query(query) };
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const workers = Array.from({ length: Math.min(this.options.concurrency ?? 4, this.queries.length) }, worker);
    // allSettled: no request may outlive the poll that started it.
    const results = await Promise.allSettled(workers);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return answers;
  }

  private async query(query: TrafficQuery): Promise<PromSample[]> {
    const url = new URL(this.queryUrl);
    url.searchParams.set('query', query.promql);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.any([this.abort.signal, timeout]) });
    } catch (error) {
      if (timeout.aborted && !this.abort.signal.aborted) throw new PollFailure(`Prometheus at ${this.displayUrl} did not answer within ${formatDuration(this.timeoutMs)}`);
      throw new PollFailure(`Prometheus at ${this.displayUrl} unreachable: ${networkReason(error)}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (timeout.aborted && !this.abort.signal.aborted) throw new PollFailure(`Prometheus at ${this.displayUrl} did not finish answering within ${formatDuration(this.timeoutMs)}`);
      throw new PollFailure(`Prometheus at ${this.displayUrl} broke off its answer: ${networkReason(error)}`);
    }
    const body = parseJson(text);
    // Prometheus answers query errors (400 bad_data, 422 execution, 503 timeout) with a JSON body.
    const rejection = prometheusError(body);
    if (rejection !== undefined) {
      throw new PollFailure(`Prometheus at ${this.displayUrl} rejected the ${query.description} query (HTTP ${response.status}): ${rejection}`);
    }
    if (!response.ok) {
      const hint = response.status === 404 ? ` (is ${this.displayUrl} the base URL of Prometheus? kubeglance queries ${this.queryUrl.pathname})` : '';
      throw new PollFailure(`Prometheus at ${this.displayUrl} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${hint}`);
    }
    if (body === undefined) {
      const type = response.headers.get('content-type')?.split(';')[0] ?? 'no content type';
      throw new PollFailure(`${this.displayUrl} does not look like Prometheus: ${this.queryUrl.pathname} answered ${type}, not JSON`);
    }
    try {
      return parseVectorAnswer(body);
    } catch (error) {
      if (!(error instanceof PrometheusAnswerError)) throw error;
      throw new PollFailure(`${this.displayUrl} does not look like Prometheus: unexpected answer to the ${query.description} query: ${error.message}`);
    }
  }
}

function sameStatus(a: TrafficStatus, b: TrafficStatus): boolean {
  return a.traffic === b.traffic && a.trafficReason === b.trafficReason && (a.trafficMeshes ?? []).join() === (b.trafficMeshes ?? []).join();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** ECONNREFUSED, ENOTFOUND, a TLS problem: undici puts the system error in `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  if (cause instanceof Error) return cause.message;
  return errorMessage(error);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatDuration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
