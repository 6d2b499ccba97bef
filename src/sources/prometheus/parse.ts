// Prometheus HTTP API answers (`/api/v1/query`) to TrafficRecords. Pure: no I/O.
//
// Whatever Prometheus (or something pretending to be it) answers, the functions here either
// return valid records or throw a PrometheusAnswerError that says what was wrong; they never
// crash on a malformed body and never emit NaN, Infinity or negative numbers.
import type { TrafficPeer, TrafficRecord } from '../../model/records.js';
import { ISTIO_PROTOCOL_LABEL, MESHES, type Mesh, type TrafficField, type TrafficQuery } from './queries.js';

/** One element of an instant vector. */
export interface PromSample {
  labels: Readonly<Record<string, string>>;
  value: number;
  /** Evaluation time, epoch ms. */
  at: number;
}

/** The answer was not what the Prometheus HTTP API returns, or reported an error. */
export class PrometheusAnswerError extends Error {
  override name = 'PrometheusAnswerError';
  constructor(
    message: string,
    /** Prometheus' own errorType ("bad_data", "execution", "timeout", ...) when it sent one. */
    readonly errorType?: string,
  ) {
    super(message);
  }
}

/**
 * The samples of an instant-vector answer. Samples whose value is not a finite number or is
 * negative are dropped (histogram_quantile yields NaN without requests in the window and +Inf
 * when the quantile falls in the last bucket; neither is a latency).
 */
export function parseVectorAnswer(body: unknown): PromSample[] {
  if (!isObject(body)) throw new PrometheusAnswerError(`expected a JSON object, got ${describe(body)}`);
  const rejection = prometheusError(body);
  if (rejection !== undefined) throw new PrometheusAnswerError(rejection, typeof body.errorType === 'string' ? body.errorType : undefined);
  if (body.status !== 'success') throw new PrometheusAnswerError(`"status" is ${describe(body.status)}, expected "success" or "error"`);
  const data = body.data;
  if (!isObject(data)) throw new PrometheusAnswerError(`"data" is ${describe(data)}, expected an object`);
  if (data.resultType !== 'vector') throw new PrometheusAnswerError(`"data.resultType" is ${describe(data.resultType)}, expected "vector"`);
  if (!Array.isArray(data.result)) throw new PrometheusAnswerError(`"data.result" is ${describe(data.result)}, expected an array`);
  const samples: PromSample[] = [];
  data.result.forEach((item: unknown, i) => {
    const where = `data.result[${i}]`;
    if (!isObject(item)) throw new PrometheusAnswerError(`${where} is ${describe(item)}, expected an object`);
    const metric = item.metric ?? {};
    if (!isObject(metric) || !Object.values(metric).every((v) => typeof v === 'string')) {
      throw new PrometheusAnswerError(`${where}.metric is not an object of string labels`);
    }
    const pair = item.value;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || typeof pair[1] !== 'string') {
      throw new PrometheusAnswerError(`${where}.value is ${describe(pair)}, expected [<unix seconds>, "<number>"]`);
    }
    // "NaN", "+Inf" and "-Inf" are how Prometheus writes those values; none is a measurement.
    const value = pair[1].trim() === '' ? NaN : Number(pair[1]);
    if (!Number.isFinite(value) || value < 0) return;
    samples.push({ labels: metric as Record<string, string>, value, at: Math.round(pair[0] * 1000) });
  });
  return samples;
}

/** For an error answer (`"status": "error"`), its message as "<errorType>: <error>"; otherwise undefined. */
export function prometheusError(body: unknown): string | undefined {
  if (!isObject(body) || body.status !== 'error') return undefined;
  const error = typeof body.error === 'string' && body.error !== '' ? body.error : 'no message';
  return typeof body.errorType === 'string' && body.errorType !== '' ? `${body.errorType}: ${error}` : error;
}

/** The samples one query returned. */
export interface QueryAnswer {
  query: Pick<TrafficQuery, 'mesh' | 'field'>;
  samples: readonly PromSample[];
}

/**
 * Folds the answers of all queries into one record per mesh and pair of peers. A pair becomes a
 * record when it carried requests or TCP traffic (latency or errors alone describe nothing that
 * can be drawn). Pairs whose peers cannot be named are skipped.
 */
export function buildTrafficRecords(answers: readonly QueryAnswer[]): TrafficRecord[] {
  const pairs = new Map<string, PairAccumulator>();
  for (const { query, samples } of answers) {
    for (const sample of samples) {
      const peers = peersOf(query.mesh, sample.labels);
      if (!peers) continue;
      const uid = trafficUid(query.mesh, peers.source, peers.destination);
      let pair = pairs.get(uid);
      if (!pair) {
        pair = { mesh: query.mesh, source: peers.source, destination: peers.destination, values: {}, at: sample.at, httpRate: 0, grpcRate: 0 };
        pairs.set(uid, pair);
      }
      addValue(pair, query.field, sample);
    }
  }
  const records: TrafficRecord[] = [];
  for (const [uid, pair] of pairs) {
    const record = toRecord(uid, pair);
    if (record) records.push(record);
  }
  return records;
}

/** Meshes for which at least one query returned at least one series. */
export function meshesWithSeries(answers: readonly QueryAnswer[]): Mesh[] {
  const found = new Set<Mesh>();
  for (const answer of answers) if (answer.samples.length > 0) found.add(answer.query.mesh);
  return MESHES.filter((mesh) => found.has(mesh));
}

// --- identity of records -----------------------------------------------------------------------

/**
 * A peer as one unambiguous string, e.g. `shop/w:checkout`, `orders/w:orders-api/s:orders-api`,
 * `n:frontend`, `outside`. Every field that tells peers apart is in it, so two different peers
 * never share a key.
 */
export function peerKey(peer: TrafficPeer): string {
  const parts: string[] = [];
  if (peer.outside) parts.push('outside');
  if (peer.namespace !== undefined) parts.push(peer.namespace);
  if (peer.workload !== undefined) parts.push(`w:${peer.workload}`);
  if (peer.service !== undefined) parts.push(`s:${peer.service}`);
  if (peer.serviceName !== undefined) parts.push(`n:${peer.serviceName}`);
  return parts.join('/');
}

/** The stable key of a pair within a cluster: `${mesh}:${source}->${destination}`. */
export function trafficUid(mesh: Mesh, source: TrafficPeer, destination: TrafficPeer): string {
  return `${mesh}:${peerKey(source)}->${peerKey(destination)}`;
}

/** "shop/checkout → orders/orders-api", for lists. */
export function trafficName(source: TrafficPeer, destination: TrafficPeer): string {
  return `${peerLabel(source)} → ${peerLabel(destination)}`;
}

function peerLabel(peer: TrafficPeer): string {
  const name = peer.workload ?? peer.serviceName ?? peer.service;
  if (peer.outside) return name === undefined ? 'outside' : `outside (${name})`;
  return peer.namespace === undefined ? (name ?? '?') : `${peer.namespace}/${name ?? '*'}`;
}

// --- numbers -----------------------------------------------------------------------------------

/**
 * Rounds a measured value to what is worth showing and comparing: whole numbers from 100 up,
 * three significant digits below (12.3 req/s, 0.0123 req/s). Keeps records small on the wire and
 * keeps float noise from looking like change.
 */
export function roundMetric(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return 0;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

/** Relative change above which a record is sent again (below it, polling noise). */
export const TRAFFIC_CHANGE_THRESHOLD = 0.05;

const MEASURED_FIELDS = ['requestRate', 'errorRate', 'p95Ms', 'tcpBytesRate', 'tcpConnections'] as const;

/**
 * Whether `next` differs from `previous` enough to be sent: a value appeared or vanished, went to
 * or from zero, or moved by more than the threshold; or the protocol changed.
 */
export function movedNoticeably(previous: TrafficRecord, next: TrafficRecord, threshold = TRAFFIC_CHANGE_THRESHOLD): boolean {
  if (previous.protocol !== next.protocol) return true;
  for (const field of MEASURED_FIELDS) {
    const before = previous[field];
    const after = next[field];
    if (before === undefined || after === undefined) {
      if (before !== after) return true;
      continue;
    }
    if ((before === 0) !== (after === 0)) return true;
    if (Math.abs(after - before) > Math.abs(before) * threshold) return true;
  }
  return false;
}

// --- folding -----------------------------------------------------------------------------------

interface PairAccumulator {
  mesh: Mesh;
  source: TrafficPeer;
  destination: TrafficPeer;
  values: Partial<Record<Exclude<TrafficField, 'grpcRequestRate'>, number>>;
  /** Evaluation time of the first sample seen for the pair. */
  at: number;
  /** Request rate by protocol label (Istio's request_protocol), and the gRPC part (Linkerd). */
  httpRate: number;
  grpcRate: number;
}

function addValue(pair: PairAccumulator, field: TrafficField, sample: PromSample): void {
  if (field === 'grpcRequestRate') {
    pair.grpcRate += sample.value;
    return;
  }
  if (field === 'requestRate') {
    if (sample.labels[ISTIO_PROTOCOL_LABEL] === 'grpc') pair.grpcRate += sample.value;
    else pair.httpRate += sample.value;
  }
  const previous = pair.values[field];
  // Latency quantiles do not add up: where two series describe one pair, the slower one is shown.
  if (field === 'p95Ms') pair.values.p95Ms = previous === undefined ? sample.value : Math.max(previous, sample.value);
  else pair.values[field] = (previous ?? 0) + sample.value;
}

function toRecord(uid: string, pair: PairAccumulator): TrafficRecord | undefined {
  const { requestRate, errorRate, p95Ms, tcpBytesRate, tcpConnections } = pair.values;
  const hasRequests = requestRate !== undefined;
  if (!hasRequests && tcpBytesRate === undefined && tcpConnections === undefined) return undefined;
  // Linkerd's gRPC part is counted inside its request rate; Istio's comes split by protocol.
  const grpcShare = pair.mesh === 'linkerd' ? pair.grpcRate / (requestRate || 1) : pair.grpcRate / (pair.grpcRate + pair.httpRate || 1);
  const protocol: TrafficRecord['protocol'] = !hasRequests ? 'tcp' : grpcShare > 0.5 ? 'grpc' : 'http';
  const record: TrafficRecord = {
    kind: 'Traffic',
    uid,
    name: trafficName(pair.source, pair.destination),
    createdAt: pair.at,
    mesh: pair.mesh,
    protocol,
    source: pair.source,
    destination: pair.destination,
    sampledAt: pair.at,
  };
  if (hasRequests) {
    record.requestRate = roundMetric(requestRate);
    // No error series for a pair means no errors; windows of two queries can disagree slightly.
    record.errorRate = roundMetric(Math.min(errorRate ?? 0, requestRate));
    if (p95Ms !== undefined) record.p95Ms = roundMetric(p95Ms);
  }
  if (tcpBytesRate !== undefined) record.tcpBytesRate = roundMetric(tcpBytesRate);
  if (tcpConnections !== undefined) record.tcpConnections = Math.round(tcpConnections);
  return record;
}

// --- peers per mesh ----------------------------------------------------------------------------

type Labels = Readonly<Record<string, string>>;

/** A label's value, or undefined when it is absent, empty or Istio's "unknown". */
function known(labels: Labels, name: string): string | undefined {
  const value = labels[name];
  return value === undefined || value === '' || value === 'unknown' ? undefined : value;
}

function peersOf(mesh: Mesh, labels: Labels): { source: TrafficPeer; destination: TrafficPeer } | undefined {
  const peers = mesh === 'istio' ? istioPeers(labels) : mesh === 'linkerd' ? linkerdPeers(labels) : otelPeers(labels);
  return peers && isNamed(peers.source) && isNamed(peers.destination) ? peers : undefined;
}

function isNamed(peer: TrafficPeer): boolean {
  return peer.outside === true || peer.workload !== undefined || peer.service !== undefined || peer.serviceName !== undefined;
}

/** Builds a peer without undefined fields (records are plain JSON, compared by their keys). */
function peer(fields: TrafficPeer): TrafficPeer {
  const out: TrafficPeer = {};
  if (fields.namespace !== undefined) out.namespace = fields.namespace;
  if (fields.workload !== undefined) out.workload = fields.workload;
  if (fields.service !== undefined) out.service = fields.service;
  if (fields.serviceName !== undefined) out.serviceName = fields.serviceName;
  if (fields.outside) out.outside = true;
  return out;
}

function istioPeers(labels: Labels): { source: TrafficPeer; destination: TrafficPeer } {
  const sourceWorkload = known(labels, 'source_workload');
  // Istio names a caller it has no identity for (outside the mesh, often outside the cluster) "unknown".
  const source = sourceWorkload === undefined ? peer({ outside: true }) : peer({ namespace: known(labels, 'source_workload_namespace'), workload: sourceWorkload });
  const workload = known(labels, 'destination_workload');
  const service = known(labels, 'destination_service_name');
  const namespace = workload !== undefined ? known(labels, 'destination_workload_namespace') : known(labels, 'destination_service_namespace');
  // No workload and no namespace: a host outside the cluster (a ServiceEntry, PassthroughCluster).
  const destination = workload === undefined && namespace === undefined ? peer({ outside: true, service }) : peer({ namespace, workload, service });
  return { source, destination };
}

function linkerdPeers(labels: Labels): { source: TrafficPeer; destination: TrafficPeer } {
  const source = peer({
    namespace: known(labels, 'namespace'),
    workload: known(labels, 'deployment') ?? known(labels, 'statefulset') ?? known(labels, 'daemonset'),
  });
  const namespace = known(labels, 'dst_namespace');
  const workload = known(labels, 'dst_deployment') ?? known(labels, 'dst_statefulset') ?? known(labels, 'dst_daemonset');
  const service = known(labels, 'dst_service');
  // An outbound call without any destination metadata left the cluster (or the mesh's view of it).
  const destination = namespace === undefined && workload === undefined && service === undefined ? peer({ outside: true }) : peer({ namespace, workload, service });
  return { source, destination };
}

function otelPeers(labels: Labels): { source: TrafficPeer; destination: TrafficPeer } | undefined {
  const client = labels.client || undefined;
  const server = labels.server || undefined;
  if (server === undefined) return undefined;
  // Tempo and the servicegraph connector call an uninstrumented caller of a root span "user".
  const outsideClient = client === undefined || (client === 'user' && labels.connection_type === 'virtual_node');
  const source = outsideClient ? peer({ outside: true }) : peer({ namespace: labels.client_k8s_namespace_name || undefined, serviceName: client });
  const destination = peer({ namespace: labels.server_k8s_namespace_name || undefined, serviceName: server });
  return { source, destination };
}

// --- helpers -----------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
