import { describe, expect, it } from 'vitest';
import { LIGHT } from '../occupancy/palette.js';
import { describeTopologyScene, type TopologySceneInput } from './scene.js';
import { gridLayout, sampleGraph } from './testing/drawing-fixtures.js';
import { topologyPalette } from './topology-palette.js';

const graph = sampleGraph();
const layout = gridLayout(graph);
const input: TopologySceneInput = {
  graph, layout, camera: { x: 100, y: 50, scale: 0.5 }, view: { width: 800, height: 600 }, frames: 3, pending: false,
  layoutError: undefined, selected: null, hovered: undefined, labels: 0, palette: topologyPalette(LIGHT),
};

describe('describeTopologyScene', () => {
  it('places groups, vertices and edges on screen through the camera', () => {
    const scene = describeTopologyScene(input);
    const cart = scene.vertices.find((v) => v.id === 'Deployment/shop/cart')!;
    const box = layout.vertices['Deployment/shop/cart']!;
    expect(cart.box).toEqual({ x: box.x * 0.5 + 100, y: box.y * 0.5 + 50, w: box.width * 0.5, h: box.height * 0.5 });
    expect(cart).toMatchObject({ kind: 'Deployment', ready: 1, desired: 3, health: 'degraded', defaultDeny: true, selected: false, faded: false });
    const edge = scene.edges.find((e) => e.id === graph.edges[0]!.id)!;
    expect(edge.points.slice(0, 2)).toEqual([layout.edges[edge.id]![0]! * 0.5 + 100, layout.edges[edge.id]![1]! * 0.5 + 50]);
    expect(scene.groups.map((g) => g.id)).toEqual(['', 'shop', 'data']);
    expect(scene.layoutMs).toBe(layout.ms);
  });

  it('reports each edge with its evidence, marks, style and merged model edges', () => {
    const scene = describeTopologyScene(input);
    const styles = Object.fromEntries(scene.edges.map((e) => [e.id, e.style]));
    expect(styles['Deployment/shop/cart->StatefulSet/shop/db']).toBe('denied');
    expect(styles['Deployment/shop/cart->Namespace/data']).toBe('unexplained');
    expect(styles['Deployment/shop/frontend->Service/shop/cart']).toBe('quiet');
    const traffic = scene.edges.find((e) => e.style === 'traffic')!;
    expect(traffic.rateLabel).toBe('120 req/s · 0.5% err · p95 85 ms');
    expect(traffic.edges).toEqual(['routes:Ingress/shop/web->Service/shop/frontend']);
    expect(traffic.width).toBeGreaterThan(scene.edges.find((e) => e.style === 'routes')!.width);
  });

  it('marks the selection, its neighbourhood and what fades', () => {
    const scene = describeTopologyScene({ ...input, selected: 'Service/shop/cart', hovered: 'shop' });
    expect(scene.vertices.filter((v) => v.selected).map((v) => v.id)).toEqual(['Service/shop/cart']);
    expect(scene.vertices.filter((v) => v.highlighted).map((v) => v.id).sort()).toEqual(['Deployment/shop/cart', 'Deployment/shop/frontend', 'Service/shop/cart']);
    expect(scene.vertices.find((v) => v.id === 'Outside')!.faded).toBe(true);
    expect(scene.edges.filter((e) => e.highlighted).length).toBe(2);
    expect(scene.hovered).toBe('shop');
  });

  it('is empty but well formed before the first layout', () => {
    const scene = describeTopologyScene({ ...input, graph: undefined, layout: undefined, pending: true });
    expect(scene).toMatchObject({ pending: true, layoutMs: undefined, groups: [], vertices: [], edges: [] });
  });
});
