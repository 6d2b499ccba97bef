// A small exporter of service-mesh traffic series for a real Prometheus to scrape: what Istio's
// sidecars, Linkerd's proxies and an OpenTelemetry service-graph connector would expose for a
// set of caller → callee pairs, at rates a test chooses and may change while it runs.
//
// Counters grow continuously at the configured per-second rates (their value is computed at
// scrape time, so Prometheus' rate() sees exactly those rates); every request of a pair is
// observed at the pair's latency in the histograms; gauges hold open connections. Series look
// like the real ones, down to the labels a reader must ignore: both Istio reporters, Linkerd's
// inbound side and its app-to-proxy (peer="src") connections, the service graph's client-side
// histogram.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ExportedMesh = 'istio' | 'linkerd' | 'otel';

export interface ExportedPair {
  mesh: ExportedMesh;
  /**
   * The caller as the mesh names it: Istio source_workload ("unknown" for a caller outside the
   * mesh), Linkerd deployment, OTel client ("user" with connectionType "virtual_node" for Tempo's
   * uninstrumented caller).
   */
  from: { namespace?: string; workload: string };
  /** The callee: Istio destination_workload and destination_service_name, Linkerd dst_*, OTel server. */
  to: { namespace?: string; workload: string; service?: string };
  /** Default http. tcp pairs have only TCP series. */
  protocol?: 'http' | 'grpc' | 'tcp';
  /** Requests per second, and how many of them fail. */
  requestRate?: number;
  errorRate?: number;
  /** Every request takes this long. */
  latencyMs?: number;
  /** TCP bytes per second, both ways together, and connections open. */
  tcpBytesRate?: number;
  tcpConnections?: number;
  /** Istio: which proxies report the pair. Default 'both' (sidecars at both ends). */
  reporters?: 'both' | 'source' | 'destination';
  /** OTel connection_type label. */
  connectionType?: string;
}

/** Istio's default request duration buckets (ms). */
const ISTIO_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
/** Linkerd's response_latency_ms buckets. */
const LINKERD_BUCKETS_MS = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000];
/** The servicegraph connector's default latency buckets (s). */
const OTEL_BUCKETS_S = [0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15];
/** Connections opened and closed per second on a TCP pair (their difference is what stays open). */
const CONNECTION_CHURN_PER_SECOND = 2;

interface Totals {
  requests: number;
  errors: number;
  bytes: number;
  closed: number;
}

interface PairState {
  pair: ExportedPair;
  totals: Totals;
  /** When `totals` were last brought up to date, epoch ms. */
  since: number;
}

type Labels = Record<string, string>;

export class TrafficExporter {
  private readonly pairs = new Map<string, PairState>();
  private server: http.Server | undefined;
  /** Scrapes served so far. */
  scrapes = 0;
  url = '';

  constructor(
    pairs: Record<string, ExportedPair> = {},
    private readonly now: () => number = Date.now,
  ) {
    for (const [id, pair] of Object.entries(pairs)) this.set(id, pair);
  }

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      if (request.method === 'GET' && request.url?.split('?')[0] === '/metrics') {
        this.scrapes++;
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        response.end(this.metrics());
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('404 page not found\n');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** host:port, as a Prometheus scrape target. */
  get target(): string {
    return new URL(this.url).host;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds a pair, or replaces one: its counters go on from where they were, at the new rates. */
  set(id: string, pair: ExportedPair): void {
    const state = this.pairs.get(id);
    if (!state) {
      this.pairs.set(id, { pair, totals: { requests: 0, errors: 0, bytes: 0, closed: 0 }, since: this.now() });
      return;
    }
    this.catchUp(state);
    // Fewer connections open: the difference was closed just now (counters never go back).
    state.totals.closed += Math.max(0, (state.pair.tcpConnections ?? 0) - (pair.tcpConnections ?? 0));
    state.pair = pair;
  }

  update(id: string, change: Partial<ExportedPair>): void {
    const state = this.pairs.get(id);
    if (!state) throw new Error(`no exported pair ${id}`);
    this.set(id, { ...state.pair, ...change });
  }

  /** The pair's series vanish from the next scrape (Prometheus marks them stale). */
  remove(id: string): void {
    this.pairs.delete(id);
  }

  /** The exposition, in Prometheus text format, at this moment. */
  metrics(): string {
    const families = new Families();
    for (const state of this.pairs.values()) {
      const totals = this.catchUp(state);
      const { pair } = state;
      if (pair.mesh === 'istio') istio(families, pair, totals);
      else if (pair.mesh === 'linkerd') linkerd(families, pair, totals);
      else otel(families, pair, totals);
    }
    return families.render();
  }

  private catchUp(state: PairState): Totals {
    const now = this.now();
    const seconds = Math.max(0, now - state.since) / 1000;
    const { pair, totals } = state;
    if (pair.protocol !== 'tcp') {
      totals.requests += (pair.requestRate ?? 0) * seconds;
      totals.errors += Math.min(pair.errorRate ?? 0, pair.requestRate ?? 0) * seconds;
    }
    totals.bytes += (pair.tcpBytesRate ?? 0) * seconds;
    if (pair.tcpConnections !== undefined) totals.closed += CONNECTION_CHURN_PER_SECOND * seconds;
    state.since = now;
    return totals;
  }
}

// --- series per mesh ---------------------------------------------------------------------------

function istio(families: Families, pair: ExportedPair, totals: Totals): void {
  const outsideCaller = pair.from.workload === 'unknown';
  const reporters = pair.reporters === 'source' ? ['source'] : pair.reporters === 'destination' || outsideCaller ? ['destination'] : ['source', 'destination'];
  const toNs = pair.to.namespace ?? 'default';
  const service = pair.to.service ?? pair.to.workload;
  for (const reporter of reporters) {
    const peers: Labels = {
      reporter,
      source_workload: pair.from.workload,
      source_workload_namespace: outsideCaller ? 'unknown' : (pair.from.namespace ?? 'default'),
      source_canonical_service: pair.from.workload,
      destination_workload: pair.to.workload,
      destination_workload_namespace: toNs,
      destination_canonical_service: pair.to.workload,
      destination_service: `${service}.${toNs}.svc.cluster.local`,
      destination_service_name: service,
      destination_service_namespace: toNs,
      connection_security_policy: reporter === 'destination' ? 'mutual_tls' : 'unknown',
      response_flags: '-',
    };
    if (pair.protocol === 'tcp') {
      const tcp = { ...peers, request_protocol: 'tcp' };
      families.counter('istio_tcp_sent_bytes_total', tcp, totals.bytes / 2);
      families.counter('istio_tcp_received_bytes_total', tcp, totals.bytes / 2);
      families.counter('istio_tcp_connections_opened_total', tcp, totals.closed + (pair.tcpConnections ?? 0));
      families.counter('istio_tcp_connections_closed_total', tcp, totals.closed);
      continue;
    }
    const grpc = pair.protocol === 'grpc';
    const protocol = { ...peers, request_protocol: grpc ? 'grpc' : 'http' };
    const ok = totals.requests - totals.errors;
    // gRPC fails with HTTP 200 and a non-zero grpc-status; HTTP with a 5xx.
    families.counter('istio_requests_total', { ...protocol, response_code: '200', grpc_response_status: grpc ? '0' : '' }, ok);
    families.counter('istio_requests_total', { ...protocol, response_code: grpc ? '200' : '503', grpc_response_status: grpc ? '14' : '' }, totals.errors);
    families.histogram('istio_request_duration_milliseconds', protocol, ISTIO_BUCKETS_MS, pair.latencyMs ?? 10, totals.requests);
  }
}

function linkerd(families: Families, pair: ExportedPair, totals: Totals): void {
  const toNs = pair.to.namespace ?? 'default';
  const service = pair.to.service ?? pair.to.workload;
  const outbound: Labels = {
    direction: 'outbound',
    namespace: pair.from.namespace ?? 'default',
    deployment: pair.from.workload,
    pod: `${pair.from.workload}-5d8f7c9b6-x2x7q`,
    authority: `${service}.${toNs}.svc.cluster.local:8080`,
    dst_namespace: toNs,
    dst_deployment: pair.to.workload,
    dst_pod: `${pair.to.workload}-6b7c8d9f5-k4k8z`,
    dst_service: service,
    tls: 'true',
  };
  // The callee's proxy sees the same calls inbound, named by its own pod: a reader of outbound
  // series must not count them again.
  const inbound: Labels = { direction: 'inbound', namespace: toNs, deployment: pair.to.workload, pod: `${pair.to.workload}-6b7c8d9f5-k4k8z`, tls: 'true' };
  if (pair.protocol !== 'tcp') {
    const grpc = pair.protocol === 'grpc';
    for (const side of [outbound, inbound]) {
      const ok = { ...side, classification: 'success', status_code: '200', ...(grpc ? { grpc_status: '0' } : {}) };
      const failed = { ...side, classification: 'failure', status_code: grpc ? '200' : '500', ...(grpc ? { grpc_status: '14' } : {}) };
      families.counter('response_total', ok, totals.requests - totals.errors);
      families.counter('response_total', failed, totals.errors);
      families.histogram('response_latency_ms', side, LINKERD_BUCKETS_MS, pair.latencyMs ?? 10, totals.requests);
    }
  }
  if (pair.tcpConnections !== undefined || pair.tcpBytesRate !== undefined) {
    const toDestination = { ...outbound, peer: 'dst' };
    // The application's own connection to its proxy: no destination, not traffic between workloads.
    const fromApp = { direction: 'outbound', namespace: outbound.namespace!, deployment: pair.from.workload, peer: 'src', tls: 'no_identity' };
    for (const side of [toDestination, fromApp]) {
      families.gauge('tcp_open_connections', side, pair.tcpConnections ?? 0);
      families.counter('tcp_read_bytes_total', side, totals.bytes / 2);
      families.counter('tcp_write_bytes_total', side, totals.bytes / 2);
    }
  }
}

function otel(families: Families, pair: ExportedPair, totals: Totals): void {
  const labels: Labels = { client: pair.from.workload, server: pair.to.workload, connection_type: pair.connectionType ?? '' };
  if (pair.from.namespace !== undefined) labels.client_k8s_namespace_name = pair.from.namespace;
  if (pair.to.namespace !== undefined) labels.server_k8s_namespace_name = pair.to.namespace;
  families.counter('traces_service_graph_request_total', labels, totals.requests);
  families.counter('traces_service_graph_request_failed_total', labels, totals.errors);
  const seconds = (pair.latencyMs ?? 10) / 1000;
  families.histogram('traces_service_graph_request_server_seconds', labels, OTEL_BUCKETS_S, seconds, totals.requests);
  // The client side sees the network too; readers use the server side.
  families.histogram('traces_service_graph_request_client_seconds', labels, OTEL_BUCKETS_S, seconds * 1.5, totals.requests);
}

// --- exposition format -------------------------------------------------------------------------

/** Samples grouped by metric family, as the text format wants them. */
class Families {
  private readonly families = new Map<string, { type: 'counter' | 'gauge' | 'histogram'; lines: string[] }>();

  counter(name: string, labels: Labels, value: number): void {
    this.family(name, 'counter').push(line(name, labels, value));
  }

  gauge(name: string, labels: Labels, value: number): void {
    this.family(name, 'gauge').push(line(name, labels, value));
  }

  /** `count` observations, each of `value`. */
  histogram(name: string, labels: Labels, buckets: number[], value: number, count: number): void {
    const lines = this.family(name, 'histogram');
    for (const le of buckets) lines.push(line(`${name}_bucket`, { ...labels, le: String(le) }, le >= value ? count : 0));
    lines.push(line(`${name}_bucket`, { ...labels, le: '+Inf' }, count));
    lines.push(line(`${name}_sum`, labels, count * value));
    lines.push(line(`${name}_count`, labels, count));
  }

  render(): string {
    const out: string[] = [];
    for (const [name, { type, lines }] of this.families) out.push(`# TYPE ${name} ${type}`, ...lines);
    return `${out.join('\n')}\n`;
  }

  private family(name: string, type: 'counter' | 'gauge' | 'histogram'): string[] {
    let family = this.families.get(name);
    if (!family) this.families.set(name, (family = { type, lines: [] }));
    return family.lines;
  }
}

function line(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`);
  return `${name}{${pairs.join(',')}} ${value}`;
}
