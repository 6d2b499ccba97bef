// What PromQL reads traffic; that it computes the right numbers is shown against a real
// Prometheus in test/integration/prometheus-traffic.test.ts.
import { describe, expect, it } from 'vitest';
import { ISTIO_PEER_LABELS, LINKERD_PEER_LABELS, OTEL_PEER_LABELS, isPromDuration, trafficQueries, type TrafficQuery } from './queries.js';

const byMesh = (queries: TrafficQuery[], mesh: TrafficQuery['mesh']) => queries.filter((q) => q.mesh === mesh);

function balanced(promql: string): boolean {
  let depth = 0;
  for (const ch of promql) {
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    if (ch === ')' || ch === '}' || ch === ']') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

describe('trafficQueries', () => {
  const queries = trafficQueries();

  it('covers every field of every mesh, each query well-formed and described', () => {
    const fields = (mesh: TrafficQuery['mesh']) => [...new Set(byMesh(queries, mesh).map((q) => q.field))].sort();
    expect(fields('istio')).toEqual(['errorRate', 'p95Ms', 'requestRate', 'tcpBytesRate', 'tcpConnections']);
    expect(fields('linkerd')).toEqual(['errorRate', 'grpcRequestRate', 'p95Ms', 'requestRate', 'tcpBytesRate', 'tcpConnections']);
    expect(fields('otel')).toEqual(['errorRate', 'p95Ms', 'requestRate']);
    for (const q of queries) {
      expect(balanced(q.promql), q.promql).toBe(true);
      expect(q.description).toMatch(/^(Istio|Linkerd|OpenTelemetry service-graph) /);
    }
  });

  it('rates over a one-minute window by default, or the window asked for', () => {
    for (const q of queries) if (q.promql.includes('rate(')) expect(q.promql).not.toMatch(/\[(?!1m\])[^\]]*\]/);
    const short = trafficQueries({ window: '10s' });
    expect(short.filter((q) => q.promql.includes('[10s]'))).toHaveLength(queries.filter((q) => q.promql.includes('[1m]')).length);
    expect(short.some((q) => q.promql.includes('[1m]'))).toBe(false);
  });

  it('refuses a window that is not a Prometheus duration', () => {
    for (const bad of ['', '10', 'one minute', '1m; drop', '0s']) expect(() => trafficQueries({ window: bad }), bad).toThrow(/not a Prometheus duration/);
    for (const good of ['30s', '1m', '1m30s', '2h', '500ms']) expect(isPromDuration(good), good).toBe(true);
  });

  it("groups every query by its mesh's peer labels (and `le` inside quantiles)", () => {
    const peers = { istio: ISTIO_PEER_LABELS, linkerd: LINKERD_PEER_LABELS, otel: OTEL_PEER_LABELS } as const;
    for (const q of queries) {
      const groupings = [...q.promql.matchAll(/(?:sum|group) by \(([^)]*)\)/g)].map((m) => m[1]!.split(', '));
      expect(groupings.length, q.promql).toBeGreaterThan(0);
      for (const labels of groupings) {
        for (const label of peers[q.mesh]) expect(labels, `${q.description}: ${label}`).toContain(label);
      }
      if (q.field === 'p95Ms') expect(q.promql).toMatch(/histogram_quantile\(0\.95, sum by \(le, /);
    }
  });

  it('Istio: prefers the source reporter and falls back to the destination only for pairs the source lacks', () => {
    for (const q of byMesh(queries, 'istio')) {
      const [preferred, fallback] = q.promql.split(' or (');
      expect(preferred).toContain('reporter="source"');
      expect(preferred).not.toContain('reporter="destination"');
      expect(fallback).toMatch(new RegExp(`reporter="destination".* unless on\\(${ISTIO_PEER_LABELS.join(', ')}\\) group by \\(`));
    }
    const errors = byMesh(queries, 'istio').find((q) => q.field === 'errorRate')!.promql;
    expect(errors).toContain('response_code=~"5.."');
    expect(errors).toContain('grpc_response_status!~"0|"');
    const connections = byMesh(queries, 'istio').find((q) => q.field === 'tcpConnections')!.promql;
    expect(connections).toContain('istio_tcp_connections_opened_total{reporter="source"} - (istio_tcp_connections_closed_total{reporter="source"} or ');
  });

  it('Linkerd: outbound only, transport metrics of the connection to the destination', () => {
    for (const q of byMesh(queries, 'linkerd')) {
      expect(q.promql).toContain('direction="outbound"');
      expect(q.promql).not.toContain('inbound');
      if (q.field.startsWith('tcp')) expect(q.promql).toContain('peer="dst"');
    }
  });

  it('OpenTelemetry: current and legacy latency histograms, seconds to milliseconds', () => {
    const p95 = byMesh(queries, 'otel').find((q) => q.field === 'p95Ms')!.promql;
    expect(p95).toContain('traces_service_graph_request_server_seconds_bucket');
    expect(p95).toContain('traces_service_graph_request_duration_seconds_bucket');
    expect(p95).toMatch(/\) \* 1000$/);
  });
});
