import { describe, expect, it } from 'vitest';
import { LIGHT } from '../occupancy/palette.js';
import type { GraphLayout, ShapedGraph } from './contracts.js';
import { GROUP_HEADER } from './layout.js';
import { FADE_ALPHA, hexOf, topologyPalette } from './topology-palette.js';
import { FONT_SIZE, MIN_TEXT_PX, RATE_LABEL_MIN_SCALE, badgeInk, indexLabels, planLabels } from './label-plan.js';
import { HOSTILE_NAME, gridLayout, sampleGraph } from './testing/drawing-fixtures.js';

const palette = topologyPalette(LIGHT);
const graph = sampleGraph();
const layout = gridLayout(graph);
const index = indexLabels(graph, layout, null);
const view = { width: 4000, height: 3000 };
const keys = (plan: { key: string }[], prefix: string) => plan.filter((l) => l.key.startsWith(prefix)).map((l) => l.key.slice(prefix.length));

describe('planLabels', () => {
  it('shows names, replica counts and badges at readable zoom, in screen pixels', () => {
    const plan = planLabels(index, { x: 10, y: 20, scale: 1 }, view, palette);
    expect(keys(plan, 'v:').sort()).toEqual(graph.vertices.map((v) => v.id).sort());
    const cart = plan.find((l) => l.key === 'v:Deployment/shop/cart')!;
    expect(cart.text).toBe('cart');
    const box = layout.vertices['Deployment/shop/cart']!;
    expect(cart.x).toBeGreaterThan(box.x + 10);
    expect(cart.x).toBeLessThan(box.x + 10 + box.width);
    // Red or amber when not all replicas are ready.
    expect(plan.find((l) => l.key === 'r:Deployment/shop/cart')).toMatchObject({ text: '1/3', color: hexOf(palette.degraded) });
    expect(plan.find((l) => l.key === 'r:StatefulSet/shop/db')).toMatchObject({ text: '0/1', color: hexOf(palette.down) });
    expect(plan.find((l) => l.key === 'r:Deployment/shop/frontend')).toMatchObject({ text: '3/3', color: hexOf(palette.mutedText) });
    expect(plan.find((l) => l.key === 'k:Namespace/data')!.text).toBe('namespace · 42 objects');
    expect(plan.find((l) => l.key === 'b:Ingress/shop/web')!.text).toBe('In');
    expect(keys(plan, 'g:').sort()).toEqual(['', 'data', 'shop']);
  });

  it('shortens long names to the box, and keeps hostile names as plain text', () => {
    const plan = planLabels(index, { x: 0, y: 0, scale: 1 }, view, palette);
    const hostile = plan.find((l) => l.key === `v:Deployment/shop/${HOSTILE_NAME}`)!;
    expect(hostile.text.endsWith('…')).toBe(true);
    expect(HOSTILE_NAME.startsWith(hostile.text.slice(0, -1))).toBe(true);
  });

  it('drops vertex text below the readable size, keeps group names (at a minimum size)', () => {
    const tiny = planLabels(index, { x: 0, y: 0, scale: 0.2 }, view, palette);
    expect(keys(tiny, 'v:')).toEqual([]);
    expect(keys(tiny, 'g:').length).toBeGreaterThan(0);
    for (const l of tiny.filter((x) => x.key.startsWith('g:'))) expect(l.scale * FONT_SIZE.group).toBeGreaterThanOrEqual(11);
    // Just above the threshold, names appear.
    const scale = (MIN_TEXT_PX + 0.5) / (40 * 0.3);
    expect(keys(planLabels(index, { x: 0, y: 0, scale }, view, palette), 'v:').length).toBe(graph.vertices.length);
  });

  it('puts a group name in the header band of its group, or just above the group when the band is too thin', () => {
    for (const scale of [1, 0.2]) {
      const plan = planLabels(index, { x: 0, y: 0, scale }, view, palette);
      for (const label of plan.filter((l) => l.key.startsWith('g:'))) {
        const group = layout.groups[label.key.slice(2)]!;
        const top = group.y * scale;
        const bottom = label.y + label.scale * FONT_SIZE.group;
        // Never below the band, where the first row of vertices starts.
        expect(bottom, `${label.key} at zoom ${scale}`).toBeLessThanOrEqual(top + GROUP_HEADER * scale + 0.01);
        if (scale === 1) expect(label.y).toBeGreaterThanOrEqual(top);
      }
    }
  });

  it('skips what is off screen', () => {
    const box = layout.vertices['Outside']!;
    // Camera moved so that only the Outside vertex is on a small screen.
    const plan = planLabels(index, { x: -box.x + 5, y: -box.y + 5, scale: 1 }, { width: box.width, height: box.height }, palette);
    expect(keys(plan, 'v:')).toEqual(['Outside']);
  });

  it('shows rate labels only when zoomed in and the edge is long enough, and the "?" always', () => {
    const rated = 'Ingress/shop/web->Service/shop/frontend';
    const unexplained = graph.edges.find((e) => e.evidence === 'observed')!.id;
    const far = planLabels(index, { x: 0, y: 0, scale: RATE_LABEL_MIN_SCALE * 0.9 }, view, palette);
    expect(keys(far, 'e:')).toEqual([]);
    expect(keys(far, 'q:')).toEqual([unexplained]);
    // The edge runs 60 world units between two boxes: at 1× no label fits between them, at 1.5× the
    // rate does, at 4× all of the label.
    const big = { width: 20000, height: 20000 };
    expect(keys(planLabels(index, { x: 0, y: 0, scale: 1 }, big, palette), 'e:')).not.toContain(rated);
    expect(planLabels(index, { x: 0, y: 0, scale: 1.5 }, big, palette).find((l) => l.key === `e:${rated}`)!.text).toBe('120 req/s');
    const near = planLabels(index, { x: 0, y: 0, scale: 4 }, big, palette);
    expect(near.find((l) => l.key === `e:${rated}`)!.text).toBe('120 req/s · 0.5% err · p95 85 ms');
  });

  it('keeps rate labels off vertex boxes and off each other, the busiest edge first', () => {
    const two: ShapedGraph = {
      groups: [{ id: 'ns', label: 'ns', collapsed: false, counts: {} }],
      vertices: ['a', 'b', 'c'].map((id) => ({ id, kind: 'Deployment' as const, name: id, group: 'ns', dim: false, width: 100, height: 40 })),
      edges: [
        { id: 'a->b', from: 'a', to: 'b', types: ['config'], edges: [], evidence: 'both', traffic: { requestRate: 5 }, dim: false },
        { id: 'b->a', from: 'b', to: 'a', types: ['config'], edges: [], evidence: 'both', traffic: { requestRate: 50 }, dim: false },
        { id: 'a->c', from: 'a', to: 'c', types: ['config'], edges: [], evidence: 'both', traffic: { requestRate: 500 }, dim: false },
      ],
    };
    const twoLayout: GraphLayout = {
      width: 1000, height: 400, ms: 1, groups: {},
      vertices: { a: { x: 0, y: 100, width: 100, height: 40 }, b: { x: 600, y: 100, width: 100, height: 40 }, c: { x: 300, y: 0, width: 100, height: 40 } },
      // a->b and b->a run side by side; a->c passes just under c's box, so its label would cover it.
      edges: { 'a->b': [100, 120, 600, 120], 'b->a': [600, 124, 100, 124], 'a->c': [100, 50, 600, 50] },
    };
    const plan = planLabels(indexLabels(two, twoLayout, null), { x: 0, y: 0, scale: 1 }, view, palette);
    expect(keys(plan, 'e:')).toEqual(['b->a']);
  });

  it('caps the number of labels', () => {
    expect(planLabels(index, { x: 0, y: 0, scale: 1 }, view, palette, 5)).toHaveLength(5);
  });

  it('fades the labels of what a selection fades', () => {
    const selected = indexLabels(graph, layout, 'Deployment/shop/cart');
    const plan = planLabels(selected, { x: 0, y: 0, scale: 1 }, view, palette);
    expect(plan.find((l) => l.key === 'v:Ingress/shop/web')!.alpha).toBeCloseTo(FADE_ALPHA);
    expect(plan.find((l) => l.key === 'v:Service/shop/cart')!.alpha).toBe(1);
  });
});

describe('badge letters', () => {
  it('stay readable on every badge: ink on filled shapes, the ring colour in hollow ones', () => {
    expect(badgeInk('ExternalService', palette)).toEqual(palette.categories.service.fill);
    expect(badgeInk('Service', palette)).toEqual(palette.categories.service.ink);
    expect(badgeInk('Outside', palette)).not.toEqual(palette.vertexFill);
  });
});
