// Fixtures for tests of the topology drawing (draw, pick, labels, SVG export, scene), independent
// of the real layout worker:
//   - sampleGraph(): a small shaped graph with one of everything (every edge style, every kind,
//     a collapsed namespace, a default-deny mark, dimmed vertices, hostile names);
//   - gridLayout(graph): groups side by side in rows, vertices in a grid inside each group, edges
//     as orthogonal polylines from the right side of one box to the left side of the other.
// Both deterministic.
import type { Box, GraphLayout, ShapedEdge, ShapedGraph, ShapedVertex } from '../contracts.js';

export const GROUP_PAD = 24;
export const GROUP_HEADER = 28;
const GAP_X = 60;
const GAP_Y = 28;

export function gridLayout(graph: ShapedGraph, options: { columns?: number; rowWidth?: number } = {}): GraphLayout {
  const columns = options.columns ?? 4;
  const rowWidth = options.rowWidth ?? 4000;
  const groups: Record<string, Box> = {};
  const vertices: Record<string, Box> = {};
  const byGroup = new Map<string, ShapedGraph['vertices']>();
  for (const v of graph.vertices) {
    const list = byGroup.get(v.group);
    if (list === undefined) byGroup.set(v.group, [v]);
    else list.push(v);
  }
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const g of graph.groups) {
    const members = byGroup.get(g.id) ?? [];
    if (members.length === 0) continue;
    const cellW = Math.max(...members.map((v) => v.width)) + GAP_X;
    const cellH = Math.max(...members.map((v) => v.height)) + GAP_Y;
    const cols = Math.min(columns, members.length);
    const rows = Math.ceil(members.length / cols);
    const box = { x, y, width: cols * cellW - GAP_X + 2 * GROUP_PAD, height: GROUP_HEADER + rows * cellH - GAP_Y + 2 * GROUP_PAD };
    if (x > 0 && x + box.width > rowWidth) {
      x = 0;
      y += rowHeight + 40;
      rowHeight = 0;
      box.x = 0;
      box.y = y;
    }
    members.forEach((v, i) => {
      vertices[v.id] = { x: box.x + GROUP_PAD + (i % cols) * cellW, y: box.y + GROUP_HEADER + GROUP_PAD + Math.floor(i / cols) * cellH, width: v.width, height: v.height };
    });
    groups[g.id] = box;
    x = box.x + box.width + 40;
    rowHeight = Math.max(rowHeight, box.height);
    width = Math.max(width, x);
  }
  const edges: Record<string, number[]> = {};
  for (const e of graph.edges) {
    const a = vertices[e.from];
    const b = vertices[e.to];
    if (a === undefined || b === undefined) continue;
    const x0 = a.x + a.width;
    const y0 = a.y + a.height / 2;
    const x1 = b.x;
    const y1 = b.y + b.height / 2;
    const mid = (x0 + x1) / 2;
    edges[e.id] = y0 === y1 ? [x0, y0, x1, y1] : [x0, y0, mid, y0, mid, y1, x1, y1];
  }
  return { width, height: y + rowHeight, groups, vertices, edges, ms: 1 };
}

const W = 176;
const H = 40;

function vertex(id: string, kind: ShapedVertex['kind'], name: string, group: string, extra: Partial<ShapedVertex> = {}): ShapedVertex {
  return { id, kind, name, group, dim: false, width: W, height: H, ...extra };
}

function edge(from: string, to: string, types: ShapedEdge['types'], extra: Partial<ShapedEdge> = {}): ShapedEdge {
  const id = `${from}->${to}`;
  return { id, from, to, types, edges: types.map((t) => `${t}:${id}`), evidence: 'declared', dim: false, ...extra };
}

/** Hostile names: markup, quotes, ampersands, a control character. Cluster text is data. */
export const HOSTILE_NAME = '<script>alert("x")</script>&\'\u0007';

export function sampleGraph(): ShapedGraph {
  const vertices: ShapedVertex[] = [
    vertex('Outside', 'Outside', 'outside', ''),
    vertex('Ingress/shop/web', 'Ingress', 'web', 'shop'),
    vertex('Service/shop/frontend', 'Service', 'frontend', 'shop'),
    vertex('Deployment/shop/frontend', 'Deployment', 'frontend', 'shop', { ready: 3, desired: 3 }),
    vertex('Deployment/shop/cart', 'Deployment', 'cart', 'shop', { ready: 1, desired: 3, defaultDeny: true }),
    vertex('StatefulSet/shop/db', 'StatefulSet', 'db', 'shop', { ready: 0, desired: 1 }),
    vertex('Service/shop/cart', 'Service', 'cart', 'shop'),
    vertex('ExternalService/shop/stripe', 'ExternalService', 'stripe', 'shop', { dim: true }),
    vertex(`Deployment/shop/${HOSTILE_NAME}`, 'Deployment', HOSTILE_NAME, 'shop', { ready: 0, desired: 0 }),
    vertex('Namespace/data', 'Namespace', 'data', 'data', { count: 42, width: 240, height: 72 }),
  ];
  const edges: ShapedEdge[] = [
    edge('Outside', 'Ingress/shop/web', ['routes']),
    edge('Ingress/shop/web', 'Service/shop/frontend', ['routes'], { evidence: 'both', traffic: { requestRate: 120, errorRate: 0.6, p95Ms: 85 } }),
    edge('Service/shop/frontend', 'Deployment/shop/frontend', ['selects']),
    edge('Deployment/shop/frontend', 'Service/shop/cart', ['config'], { quiet: true }),
    edge('Service/shop/cart', 'Deployment/shop/cart', ['selects']),
    edge('Deployment/shop/frontend', 'Deployment/shop/cart', ['policy-allow']),
    edge('Deployment/shop/cart', 'StatefulSet/shop/db', ['config'], { denied: true }),
    edge('Deployment/shop/cart', 'Namespace/data', [], { evidence: 'observed', traffic: { requestRate: 3 } }),
    edge('Deployment/shop/frontend', 'ExternalService/shop/stripe', ['config'], { dim: true }),
  ];
  return {
    groups: [
      { id: '', label: 'cluster', collapsed: false, counts: { Outside: 1 } },
      { id: 'shop', label: 'shop', collapsed: false, counts: { Deployment: 3, StatefulSet: 1, Service: 2, ExternalService: 1, Ingress: 1 } },
      { id: 'data', label: 'data', collapsed: true, counts: { Deployment: 30, Service: 12 } },
    ],
    vertices,
    edges,
  };
}
