import { describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../../model/records.js';
import { validateRecord } from '../../model/validate.js';
import {
  buildTrafficRecords,
  meshesWithSeries,
  movedNoticeably,
  parseVectorAnswer,
  PrometheusAnswerError,
  roundMetric,
  trafficName,
  trafficUid,
  type PromSample,
  type QueryAnswer,
} from './parse.js';
import type { TrafficQuery } from './queries.js';

const AT = 1_750_000_000_000;

function vector(...result: { metric: Record<string, string>; value: [number, string] }[]) {
  return { status: 'success', data: { resultType: 'vector', result } };
}

const sample = (labels: Record<string, string>, value: number): PromSample => ({ labels, value, at: AT });
const answer = (mesh: TrafficQuery['mesh'], field: TrafficQuery['field'], ...samples: PromSample[]): QueryAnswer => ({ query: { mesh, field }, samples });

const istio = (src: string, dst: string, extra: Record<string, string> = {}) => ({
  source_workload: src,
  source_workload_namespace: src === 'unknown' ? 'unknown' : 'shop',
  destination_workload: dst,
  destination_workload_namespace: 'shop',
  destination_service_name: dst,
  destination_service_namespace: 'shop',
  ...extra,
});

function only(records: TrafficRecord[], uid: string): TrafficRecord {
  const record = records.find((r) => r.uid === uid);
  if (!record) throw new Error(`no record ${uid} in ${records.map((r) => r.uid).join(', ')}`);
  return record;
}

describe('parseVectorAnswer', () => {
  it('reads labels, values and the evaluation time', () => {
    const samples = parseVectorAnswer(vector({ metric: { a: 'b' }, value: [1_750_000_000.5, '12.5'] }, { metric: {}, value: [1_750_000_000.5, '0'] }));
    expect(samples).toEqual([
      { labels: { a: 'b' }, value: 12.5, at: 1_750_000_000_500 },
      { labels: {}, value: 0, at: 1_750_000_000_500 },
    ]);
  });

  it('drops NaN, infinities, negative and empty values (no quantile without requests is a latency)', () => {
    const values = ['NaN', '+Inf', '-Inf', '-0.5', '', ' ', '3'];
    const samples = parseVectorAnswer(vector(...values.map((v, i) => ({ metric: { i: String(i) }, value: [1, v] as [number, string] }))));
    expect(samples.map((s) => s.value)).toEqual([3]);
  });

  it("reports Prometheus' own error with its type", () => {
    const error = (() => {
      try {
        parseVectorAnswer({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected "}"' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PrometheusAnswerError);
    expect((error as PrometheusAnswerError).message).toBe('bad_data: 1:5: parse error: unexpected "}"');
    expect((error as PrometheusAnswerError).errorType).toBe('bad_data');
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', '<html>', /expected a JSON object, got "<html>"/],
    ['null', null, /expected a JSON object, got null/],
    ['an array', [], /expected a JSON object, got an array/],
    ['no status', { data: {} }, /"status" is missing/],
    ['no data', { status: 'success' }, /"data" is missing, expected an object/],
    ['a matrix', { status: 'success', data: { resultType: 'matrix', result: [] } }, /"data.resultType" is "matrix", expected "vector"/],
    ['result not a list', { status: 'success', data: { resultType: 'vector', result: {} } }, /"data.result" is an object, expected an array/],
    ['a null element', vector(null as never), /data.result\[0\] is null/],
    ['labels that are not strings', vector({ metric: { a: 1 as never }, value: [1, '1'] }), /data.result\[0\].metric is not an object of string labels/],
    ['a numeric value', vector({ metric: {}, value: [1, 2 as never] }), /data.result\[0\].value is an array, expected \[<unix seconds>, "<number>"\]/],
    ['a missing value', vector({ metric: {} } as never), /data.result\[0\].value is missing/],
  ])('refuses %s with a clear error, never a crash', (_name, body, message) => {
    expect(() => parseVectorAnswer(body)).toThrow(PrometheusAnswerError);
    expect(() => parseVectorAnswer(body)).toThrow(message);
  });

  it('throws nothing but PrometheusAnswerError for arbitrary junk', () => {
    const junk: unknown[] = [undefined, 0, true, 'x', {}, { status: 'error' }, { status: 'success', data: null }, { status: 'success', data: { resultType: 'vector', result: [1, 'a', [], {}] } }];
    for (const body of junk) {
      try {
        parseVectorAnswer(body);
      } catch (error) {
        expect(error, JSON.stringify(body)).toBeInstanceOf(PrometheusAnswerError);
      }
    }
  });
});

describe('buildTrafficRecords', () => {
  it('Istio: one record per pair, protocol from request_protocol, errors, p95 and uid', () => {
    const records = buildTrafficRecords([
      answer('istio', 'requestRate', sample(istio('frontend', 'cart', { request_protocol: 'http' }), 12.345), sample(istio('checkout', 'payments', { request_protocol: 'grpc' }), 4)),
      answer('istio', 'errorRate', sample(istio('frontend', 'cart'), 0.5)),
      answer('istio', 'p95Ms', sample(istio('frontend', 'cart'), 48.75)),
    ]);
    expect(records).toHaveLength(2);
    const cart = only(records, 'istio:shop/w:frontend->shop/w:cart/s:cart');
    expect(cart).toEqual({
      kind: 'Traffic',
      uid: 'istio:shop/w:frontend->shop/w:cart/s:cart',
      name: 'shop/frontend → shop/cart',
      createdAt: AT,
      sampledAt: AT,
      mesh: 'istio',
      protocol: 'http',
      source: { namespace: 'shop', workload: 'frontend' },
      destination: { namespace: 'shop', workload: 'cart', service: 'cart' },
      requestRate: 12.3,
      errorRate: 0.5,
      p95Ms: 48.8,
    });
    const payments = only(records, 'istio:shop/w:checkout->shop/w:payments/s:payments');
    expect(payments.protocol).toBe('grpc');
    // No error series for a pair: Istio has seen no 5xx for it.
    expect(payments.errorRate).toBe(0);
    expect(payments.p95Ms).toBeUndefined();
    for (const r of records) expect(validateRecord(r), r.uid).toEqual([]);
  });

  it('Istio: an "unknown" caller is outside; a destination without workload or namespace is outside too', () => {
    const records = buildTrafficRecords([
      answer('istio', 'requestRate', sample(istio('unknown', 'frontend'), 3)),
      answer(
        'istio',
        'requestRate',
        sample({ source_workload: 'checkout', source_workload_namespace: 'shop', destination_workload: 'unknown', destination_workload_namespace: 'unknown', destination_service_name: 'api.stripe.com', destination_service_namespace: 'unknown' }, 1),
      ),
    ]);
    const incoming = only(records, 'istio:outside->shop/w:frontend/s:frontend');
    expect(incoming.source).toEqual({ outside: true });
    expect(incoming.name).toBe('outside → shop/frontend');
    const egress = only(records, 'istio:shop/w:checkout->outside/s:api.stripe.com');
    expect(egress.destination).toEqual({ outside: true, service: 'api.stripe.com' });
    for (const r of records) expect(validateRecord(r), r.uid).toEqual([]);
  });

  it('Istio TCP: sent and received bytes add up, open connections are whole, protocol tcp', () => {
    const pair = istio('orders-api', 'postgres');
    const [record] = buildTrafficRecords([
      answer('istio', 'tcpBytesRate', sample(pair, 1500.4)),
      answer('istio', 'tcpBytesRate', sample(pair, 500.3)),
      answer('istio', 'tcpConnections', sample(pair, 7)),
    ]);
    expect(record).toMatchObject({ protocol: 'tcp', tcpBytesRate: 2001, tcpConnections: 7 });
    expect(record!.requestRate).toBeUndefined();
    expect(record!.errorRate).toBeUndefined();
  });

  it('Linkerd: workload kinds, dst_service, gRPC share, failures capped at the request rate', () => {
    const pair = { namespace: 'shop', deployment: 'web', statefulset: '', dst_namespace: 'data', dst_statefulset: 'kafka', dst_service: 'kafka' };
    const grpcPair = { namespace: 'shop', daemonset: 'agent', dst_namespace: 'shop', dst_deployment: 'api', dst_service: 'api' };
    const records = buildTrafficRecords([
      answer('linkerd', 'requestRate', sample(pair, 2), sample(grpcPair, 10)),
      answer('linkerd', 'errorRate', sample(pair, 2.2)),
      answer('linkerd', 'grpcRequestRate', sample(grpcPair, 9)),
      answer('linkerd', 'p95Ms', sample(grpcPair, 28)),
    ]);
    const web = only(records, 'linkerd:shop/w:web->data/w:kafka/s:kafka');
    expect(web).toMatchObject({ protocol: 'http', requestRate: 2, errorRate: 2, source: { namespace: 'shop', workload: 'web' }, destination: { namespace: 'data', workload: 'kafka', service: 'kafka' } });
    expect(only(records, 'linkerd:shop/w:agent->shop/w:api/s:api')).toMatchObject({ protocol: 'grpc', requestRate: 10, p95Ms: 28 });
  });

  it('OpenTelemetry: service names, namespaces when the pipeline adds them, the virtual "user" client outside', () => {
    const records = buildTrafficRecords([
      answer(
        'otel',
        'requestRate',
        sample({ client: 'frontend', server: 'checkout', client_k8s_namespace_name: 'shop', server_k8s_namespace_name: 'shop', connection_type: '' }, 3),
        sample({ client: 'user', server: 'frontend', connection_type: 'virtual_node' }, 5),
        sample({ client: 'user', server: 'profile', connection_type: '' }, 1),
        sample({ client: 'frontend', server: '' }, 1),
      ),
      answer('otel', 'errorRate', sample({ client: 'frontend', server: 'checkout', client_k8s_namespace_name: 'shop', server_k8s_namespace_name: 'shop', connection_type: '' }, 0.3)),
    ]);
    expect(records.map((r) => r.uid).sort()).toEqual(['otel:n:user->n:profile', 'otel:outside->n:frontend', 'otel:shop/n:frontend->shop/n:checkout']);
    expect(only(records, 'otel:shop/n:frontend->shop/n:checkout')).toMatchObject({ requestRate: 3, errorRate: 0.3, source: { namespace: 'shop', serviceName: 'frontend' } });
    // A real service called "user" is not the virtual node.
    expect(only(records, 'otel:n:user->n:profile').source).toEqual({ serviceName: 'user' });
    for (const r of records) expect(validateRecord(r), r.uid).toEqual([]);
  });

  it('skips pairs that carried neither requests nor TCP traffic, and peers that cannot be named', () => {
    const records = buildTrafficRecords([
      answer('istio', 'p95Ms', sample(istio('a', 'b'), 10)),
      answer('istio', 'errorRate', sample(istio('a', 'c'), 1)),
      answer('linkerd', 'requestRate', sample({ dst_namespace: 'x', dst_deployment: 'y' }, 1)),
    ]);
    expect(records).toEqual([]);
  });

  it('keeps the meshes apart: the same pair in two meshes is two records', () => {
    const records = buildTrafficRecords([
      answer('istio', 'requestRate', sample(istio('a', 'b'), 1)),
      answer('linkerd', 'requestRate', sample({ namespace: 'shop', deployment: 'a', dst_namespace: 'shop', dst_deployment: 'b', dst_service: 'b' }, 1)),
    ]);
    expect(records.map((r) => r.uid).sort()).toEqual(['istio:shop/w:a->shop/w:b/s:b', 'linkerd:shop/w:a->shop/w:b/s:b']);
  });
});

describe('meshesWithSeries', () => {
  it('lists meshes with at least one series, in a fixed order', () => {
    expect(meshesWithSeries([answer('otel', 'requestRate', sample({}, 0)), answer('istio', 'p95Ms', sample({}, 1)), answer('linkerd', 'requestRate')])).toEqual(['istio', 'otel']);
    expect(meshesWithSeries([answer('linkerd', 'requestRate')])).toEqual([]);
  });
});

describe('record identity and numbers', () => {
  it('gives distinct uids to peers that differ in any field', () => {
    const peers = [{ namespace: 'a', workload: 'x' }, { namespace: 'a', service: 'x' }, { namespace: 'a', serviceName: 'x' }, { workload: 'x' }, { outside: true }, { outside: true, service: 'x' }];
    const uids = new Set(peers.map((p) => trafficUid('istio', p, { namespace: 'b', workload: 'y' })));
    expect(uids.size).toBe(peers.length);
    expect(trafficName({ outside: true, service: 'api.stripe.com' }, { workload: 'x' })).toBe('outside (api.stripe.com) → x');
  });

  it('rounds to whole numbers from 100, three significant digits below', () => {
    expect([1234.56, 100.4, 99.94, 12.345, 0.012345, 0, NaN].map(roundMetric)).toEqual([1235, 100, 99.9, 12.3, 0.0123, 0, 0]);
  });

  it('calls a change noticeable above 5%, at zero crossings, and when a value or the protocol changes', () => {
    const base: TrafficRecord = { kind: 'Traffic', uid: 'u', name: 'n', createdAt: 0, sampledAt: 0, mesh: 'istio', protocol: 'http', source: {}, destination: {}, requestRate: 100, errorRate: 0, p95Ms: 50 };
    expect(movedNoticeably(base, { ...base, requestRate: 104, p95Ms: 52 })).toBe(false);
    expect(movedNoticeably(base, { ...base, requestRate: 106 })).toBe(true);
    expect(movedNoticeably(base, { ...base, errorRate: 0.01 })).toBe(true);
    expect(movedNoticeably({ ...base, requestRate: 0 }, { ...base, requestRate: 0 })).toBe(false);
    expect(movedNoticeably(base, { ...base, p95Ms: undefined })).toBe(true);
    expect(movedNoticeably(base, { ...base, protocol: 'grpc' })).toBe(true);
  });
});
