import { describe, expect, it } from 'vitest';
import type { ShapedEdge } from './contracts.js';
import { DARK, LIGHT } from '../occupancy/palette.js';
import { EDGE_STYLE_NAMES, KIND_STYLES, MAX_TRAFFIC_WIDTH, edgeLook, edgeStyleOf, healthOf, topologyPalette, trafficLabel, trafficWidth, type DrawnKind } from './topology-palette.js';

const edge = (extra: Partial<ShapedEdge>): ShapedEdge => ({ id: 'a->b', from: 'a', to: 'b', types: ['config'], edges: [], evidence: 'declared', dim: false, ...extra });

describe('edge styles', () => {
  it('chooses by precedence: denied, unexplained, quiet, traffic, then the declared type', () => {
    expect(edgeStyleOf(edge({ denied: true, quiet: true }))).toBe('denied');
    expect(edgeStyleOf(edge({ types: [], evidence: 'observed', traffic: { requestRate: 1 } }))).toBe('unexplained');
    expect(edgeStyleOf(edge({ quiet: true }))).toBe('quiet');
    expect(edgeStyleOf(edge({ evidence: 'both', traffic: { requestRate: 5 } }))).toBe('traffic');
    expect(edgeStyleOf(edge({ types: ['policy-allow', 'selects'] }))).toBe('selects');
    expect(edgeStyleOf(edge({ types: ['policy-allow'] }))).toBe('policy-allow');
  });

  for (const theme of [LIGHT, DARK]) {
    it(`gives every declared type its own colour and dash pattern (${theme.name})`, () => {
      const p = topologyPalette(theme);
      const declared = ['routes', 'selects', 'config', 'policy-allow'] as const;
      expect(new Set(declared.map((t) => p.edges[t].color.join(','))).size).toBe(4);
      expect(new Set(declared.map((t) => p.edges[t].dash.join(','))).size).toBe(4);
      // The loud and the warning styles differ from every declared style in colour.
      for (const loud of ['unexplained', 'denied'] as const) {
        for (const t of declared) expect(p.edges[loud].color.join(',')).not.toBe(p.edges[t].color.join(','));
      }
      expect(p.edges.quiet.alpha).toBeLessThan(p.edges.routes.alpha);
      for (const name of EDGE_STYLE_NAMES) expect(p.edges[name].dash.length % 2).toBe(0);
    });
  }

  it('keeps the declared colour for confirmed and quiet edges, widens traffic by rate', () => {
    const p = topologyPalette(LIGHT);
    const slow = edgeLook(edge({ types: ['selects'], evidence: 'both', traffic: { requestRate: 1 } }), p);
    const fast = edgeLook(edge({ types: ['selects'], evidence: 'both', traffic: { requestRate: 500 } }), p);
    expect(slow.color).toEqual(p.edges.selects.color);
    expect(slow.dash).toEqual([]);
    expect(fast.width).toBeGreaterThan(slow.width);
    expect(edgeLook(edge({ types: ['config'], quiet: true }), p).color).toEqual(p.edges.config.color);
    expect(edgeLook(edge({ types: ['config'], quiet: true }), p).dash).toEqual(p.edges.quiet.dash);
    const unexplained = edgeLook(edge({ types: [], evidence: 'observed' }), p);
    expect(unexplained.question).toBe(true);
    expect(edgeLook(edge({ denied: true }), p).bar).toBe(true);
  });
});

describe('trafficWidth', () => {
  it('grows with the rate, logarithmically, within bounds', () => {
    expect(trafficWidth(undefined)).toBe(trafficWidth(0));
    expect(trafficWidth(10)).toBeGreaterThan(trafficWidth(1));
    expect(trafficWidth(1000)).toBeGreaterThan(trafficWidth(10));
    expect(trafficWidth(1000) - trafficWidth(100)).toBeLessThan(trafficWidth(100) - trafficWidth(0));
    expect(trafficWidth(1e9)).toBe(MAX_TRAFFIC_WIDTH);
    expect(trafficWidth(Number.NaN)).toBe(trafficWidth(0));
  });
});

describe('trafficLabel', () => {
  it('reads rate, error share and p95', () => {
    expect(trafficLabel({ requestRate: 12, errorRate: 0.048, p95Ms: 85 })).toBe('12 req/s · 0.4% err · p95 85 ms');
    expect(trafficLabel({ requestRate: 1500, errorRate: 300 })).toBe('1.5k req/s · 20% err');
    expect(trafficLabel({ requestRate: 0.25 })).toBe('0.25 req/s');
  });

  it('falls back to TCP numbers, and is empty without traffic', () => {
    expect(trafficLabel({ tcpBytesRate: 2048, tcpConnections: 4 })).toBe('2.0 kB/s · 4 conn');
    expect(trafficLabel(undefined)).toBe('');
  });
});

describe('kinds', () => {
  it('tells every kind apart by shape or colour, and by letters', () => {
    const kinds = Object.keys(KIND_STYLES) as DrawnKind[];
    const looks = kinds.map((k) => `${KIND_STYLES[k].shape}/${KIND_STYLES[k].category}`);
    expect(new Set(looks).size).toBe(kinds.length);
    const letters = kinds.map((k) => `${KIND_STYLES[k].letters}/${KIND_STYLES[k].category}`);
    expect(new Set(letters).size).toBe(kinds.length);
  });

  it('rates replica health', () => {
    expect(healthOf(3, 3)).toBe('healthy');
    expect(healthOf(1, 3)).toBe('degraded');
    expect(healthOf(0, 3)).toBe('down');
    expect(healthOf(undefined, 2)).toBe('down');
    expect(healthOf(0, 0)).toBe('idle');
    expect(healthOf(undefined, undefined)).toBeUndefined();
  });
});
