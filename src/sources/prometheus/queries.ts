// The PromQL that reads observed traffic from Prometheus, per mesh. Pure: strings only.
//
// Each query yields one number per pair of peers (an instant vector grouped by the mesh's peer
// labels) for one field of a TrafficRecord; parse.ts folds the answers of all queries into
// records. Values of the same field and pair from several queries add up (TCP bytes sent +
// received), except latency, where the largest wins (see parse.ts).
//
// Rates are per second over a window (`rate(...[1m])` by default). Choices worth knowing:
//
// - Istio: both sidecars of a call report it (reporter="source" and reporter="destination").
//   Each field prefers the source's series and falls back to the destination's only for pairs
//   that the source does not report at all (a caller outside the mesh, `source_workload="unknown"`),
//   so no call is ever counted twice.
// - Istio TCP connections: open connections are `opened_total - closed_total` of the same proxy
//   (both counters restart together, so the difference survives proxy restarts), not the rate of
//   opened connections: a gauge of what is open now is what an operator compares with limits.
//   A series that has never seen a close has no `closed_total` yet and counts as 0 closed.
// - Linkerd: only `direction="outbound"` (the caller's proxy), so each call is counted once; a
//   caller outside the mesh is therefore not seen by Linkerd. gRPC is told from HTTP by the
//   `grpc_status` label of response_total.
// - OpenTelemetry service graph: `traces_service_graph_request_server_seconds` (the current name
//   in the collector's servicegraph connector and Tempo's metrics generator) and, for collectors
//   that still emit the legacy name, `traces_service_graph_request_duration_seconds`; seconds are
//   turned into milliseconds. Namespaces come from the `k8s.namespace.name` dimension
//   (`client_k8s_namespace_name`, `server_k8s_namespace_name`) when the pipeline adds it.
import type { TrafficRecord } from '../../model/records.js';

export type Mesh = TrafficRecord['mesh'];

export const MESHES: readonly Mesh[] = ['istio', 'linkerd', 'otel'];

/**
 * The record field a query's values feed. `grpcRequestRate` is not a record field: it is the
 * share of requests that were gRPC, for telling the protocol (Linkerd).
 */
export type TrafficField = 'requestRate' | 'errorRate' | 'p95Ms' | 'tcpBytesRate' | 'tcpConnections' | 'grpcRequestRate';

export interface TrafficQuery {
  mesh: Mesh;
  field: TrafficField;
  /** Words for error messages, e.g. "Istio request rate". */
  description: string;
  promql: string;
}

export interface QueryOptions {
  /** The range of `rate(...[window])`, a Prometheus duration such as "1m" or "10s". Default "1m". */
  window?: string;
}

export const DEFAULT_WINDOW = '1m';

/** A single Prometheus duration (e.g. 30s, 1m, 1m30s, 2h), as a rate window accepts it. */
const DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

export function isPromDuration(text: string): boolean {
  return text !== '' && DURATION.test(text) && /[1-9]/.test(text);
}

/** The peer labels of each mesh: what every query groups by. */
export const ISTIO_PEER_LABELS = [
  'source_workload',
  'source_workload_namespace',
  'destination_workload',
  'destination_workload_namespace',
  'destination_service_name',
  'destination_service_namespace',
] as const;

export const LINKERD_PEER_LABELS = [
  'namespace',
  'deployment',
  'statefulset',
  'daemonset',
  'dst_namespace',
  'dst_deployment',
  'dst_statefulset',
  'dst_daemonset',
  'dst_service',
] as const;

/** `connection_type` tells Tempo's virtual "user" client (an uninstrumented caller) from a service of that name. */
export const OTEL_PEER_LABELS = ['client', 'server', 'client_k8s_namespace_name', 'server_k8s_namespace_name', 'connection_type'] as const;

/** Istio's label that carries "http" or "grpc" on request series. */
export const ISTIO_PROTOCOL_LABEL = 'request_protocol';

export function trafficQueries(options: QueryOptions = {}): TrafficQuery[] {
  const window = options.window ?? DEFAULT_WINDOW;
  if (!isPromDuration(window)) throw new Error(`not a Prometheus duration: "${window}"`);
  return [...istioQueries(window), ...linkerdQueries(window), ...otelQueries(window)];
}

function istioQueries(w: string): TrafficQuery[] {
  const by = ISTIO_PEER_LABELS.join(', ');
  const q = (field: TrafficField, description: string, promql: string): TrafficQuery => ({ mesh: 'istio', field, description: `Istio ${description}`, promql });
  /**
   * `expr` for reporter="source", and for reporter="destination" only where the source has no
   * series of `presence` for the pair: `or` keeps the left side whole and adds right-side pairs
   * that the left lacks; `unless on(peers)` makes that lack a property of the pair, not of the
   * exact label set (a request series may also carry request_protocol).
   */
  const preferSource = (expr: (reporter: string) => string, presenceMetric: string) =>
    `${expr('reporter="source"')} or (${expr('reporter="destination"')} unless on(${by}) group by (${by}) (${presenceMetric}{reporter="source"}))`;
  const requests = 'istio_requests_total';
  const tcpOpened = 'istio_tcp_connections_opened_total';
  return [
    q('requestRate', 'request rate', preferSource((r) => `sum by (${by}, ${ISTIO_PROTOCOL_LABEL}) (rate(${requests}{${r}}[${w}]))`, requests)),
    q(
      'errorRate',
      'error rate',
      // 5xx, plus gRPC calls that answered HTTP 200 with a non-OK grpc-status (the selectors are
      // disjoint: the second excludes 5xx), so no call counts twice.
      preferSource(
        (r) =>
          `sum by (${by}) (rate(${requests}{${r}, response_code=~"5.."}[${w}]) or rate(${requests}{${r}, ${ISTIO_PROTOCOL_LABEL}="grpc", response_code!~"5..", grpc_response_status!~"0|"}[${w}]))`,
        requests,
      ),
    ),
    q(
      'p95Ms',
      'p95 latency',
      preferSource((r) => `histogram_quantile(0.95, sum by (le, ${by}) (rate(istio_request_duration_milliseconds_bucket{${r}}[${w}])))`, requests),
    ),
    q('tcpBytesRate', 'TCP bytes sent', preferSource((r) => `sum by (${by}) (rate(istio_tcp_sent_bytes_total{${r}}[${w}]))`, 'istio_tcp_sent_bytes_total')),
    q(
      'tcpBytesRate',
      'TCP bytes received',
      preferSource((r) => `sum by (${by}) (rate(istio_tcp_received_bytes_total{${r}}[${w}]))`, 'istio_tcp_received_bytes_total'),
    ),
    q(
      'tcpConnections',
      'open TCP connections',
      preferSource(
        (r) =>
          `clamp_min(sum by (${by}) (${tcpOpened}{${r}} - (istio_tcp_connections_closed_total{${r}} or ${tcpOpened}{${r}} * 0)), 0)`,
        tcpOpened,
      ),
    ),
  ];
}

function linkerdQueries(w: string): TrafficQuery[] {
  const by = LINKERD_PEER_LABELS.join(', ');
  const q = (field: TrafficField, description: string, promql: string): TrafficQuery => ({ mesh: 'linkerd', field, description: `Linkerd ${description}`, promql });
  const outbound = 'direction="outbound"';
  // Transport metrics of the connection the caller's proxy opened to the destination (peer="dst"),
  // not the one the application opened to its own proxy (peer="src", which names no destination).
  const toDestination = `${outbound}, peer="dst"`;
  return [
    q('requestRate', 'request rate', `sum by (${by}) (rate(response_total{${outbound}}[${w}]))`),
    q('errorRate', 'failure rate', `sum by (${by}) (rate(response_total{${outbound}, classification="failure"}[${w}]))`),
    q('grpcRequestRate', 'gRPC request rate', `sum by (${by}) (rate(response_total{${outbound}, grpc_status!=""}[${w}]))`),
    q('p95Ms', 'p95 latency', `histogram_quantile(0.95, sum by (le, ${by}) (rate(response_latency_ms_bucket{${outbound}}[${w}])))`),
    q('tcpBytesRate', 'TCP bytes read', `sum by (${by}) (rate(tcp_read_bytes_total{${toDestination}}[${w}]))`),
    q('tcpBytesRate', 'TCP bytes written', `sum by (${by}) (rate(tcp_write_bytes_total{${toDestination}}[${w}]))`),
    q('tcpConnections', 'open TCP connections', `sum by (${by}) (tcp_open_connections{${toDestination}})`),
  ];
}

function otelQueries(w: string): TrafficQuery[] {
  const by = OTEL_PEER_LABELS.join(', ');
  const q = (field: TrafficField, description: string, promql: string): TrafficQuery => ({
    mesh: 'otel',
    field,
    description: `OpenTelemetry service-graph ${description}`,
    promql,
  });
  const p95Seconds = (histogram: string) => `histogram_quantile(0.95, sum by (le, ${by}) (rate(${histogram}[${w}])))`;
  return [
    q('requestRate', 'request rate', `sum by (${by}) (rate(traces_service_graph_request_total[${w}]))`),
    q('errorRate', 'failure rate', `sum by (${by}) (rate(traces_service_graph_request_failed_total[${w}]))`),
    q(
      'p95Ms',
      'p95 latency',
      `(${p95Seconds('traces_service_graph_request_server_seconds_bucket')} or ${p95Seconds('traces_service_graph_request_duration_seconds_bucket')}) * 1000`,
    ),
  ];
}
