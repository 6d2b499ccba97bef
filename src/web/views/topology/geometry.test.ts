import { describe, expect, it } from 'vitest';
import { arrowHead, distanceToPolyline, distanceToSegment, drawingBounds, lineScaleAt, pointAlong, polylineLength, truncate, vertexParts } from './geometry.js';
import { gridLayout, sampleGraph } from './testing/drawing-fixtures.js';

describe('polylines', () => {
  const elbow = [0, 0, 30, 0, 30, 40]; // 30 right, then 40 down: length 70

  it('measures length over all segments, ignoring repeated points', () => {
    expect(polylineLength(elbow)).toBe(70);
    expect(polylineLength([0, 0, 30, 0, 30, 0, 30, 40])).toBe(70);
    expect(polylineLength([5, 5])).toBe(0);
  });

  it('finds the point halfway along the length, with the direction of its segment', () => {
    expect(pointAlong(elbow, 0.5)).toEqual({ x: 30, y: 5, dx: 0, dy: 1 });
    expect(pointAlong(elbow, 0.2)).toEqual({ x: 14, y: 0, dx: 1, dy: 0 });
    expect(pointAlong(elbow, 1)).toEqual({ x: 30, y: 40, dx: 0, dy: 1 });
    expect(pointAlong(elbow, 0)).toMatchObject({ x: 0, y: 0 });
  });

  it('survives degenerate polylines', () => {
    expect(pointAlong([7, 8, 7, 8], 0.5)).toEqual({ x: 7, y: 8, dx: 1, dy: 0 });
    expect(distanceToPolyline([1, 1], 0, 0)).toBe(Infinity);
  });

  it('measures the distance to a segment: perpendicular inside, to the nearest end outside', () => {
    expect(distanceToSegment(5, 3, 0, 0, 10, 0)).toBe(3);
    expect(distanceToSegment(-3, 4, 0, 0, 10, 0)).toBe(5);
    expect(distanceToSegment(13, -4, 0, 0, 10, 0)).toBe(5);
    expect(distanceToSegment(3, 4, 0, 0, 0, 0)).toBe(5);
  });

  it('measures the distance to a polyline as the nearest of its segments', () => {
    expect(distanceToPolyline(elbow, 33, 20)).toBe(3);
    expect(distanceToPolyline(elbow, 15, -2)).toBe(2);
    expect(distanceToPolyline(elbow, 30, 50)).toBe(10);
  });
});

describe('arrowHead', () => {
  it('puts the tip at the end and the base behind it, along the last segment', () => {
    const [tx, ty, ax, ay, bx, by] = arrowHead([0, 0, 100, 0], 10, 6)!;
    expect([tx, ty]).toEqual([100, 0]);
    expect([ax, bx]).toEqual([90, 90]);
    expect([ay, by].sort((a, b) => a - b)).toEqual([-3, 3]);
  });

  it('points down a vertical last segment, and skips a trailing zero-length segment', () => {
    const head = arrowHead([0, 0, 0, 50, 0, 50], 8, 4)!;
    expect(head.slice(0, 2)).toEqual([0, 50]);
    expect(head[3]).toBe(42);
    expect(head[5]).toBe(42);
    expect(Math.abs(head[2] - head[4])).toBe(4);
  });

  it('has none for a polyline of no length', () => {
    expect(arrowHead([3, 3, 3, 3], 8, 4)).toBeUndefined();
  });
});

describe('vertexParts', () => {
  const box = { x: 100, y: 50, width: 176, height: 40 };

  it('keeps every part inside the box, the badge left of the text', () => {
    const parts = vertexParts(box, { desired: 3, defaultDeny: true });
    const inside = (b: { x: number; y: number; width: number; height: number }) =>
      b.x >= box.x && b.y >= box.y && b.x + b.width <= box.x + box.width && b.y + b.height <= box.y + box.height;
    expect(inside(parts.badge)).toBe(true);
    expect(inside(parts.bar!)).toBe(true);
    expect(parts.textX).toBeGreaterThan(parts.badge.x + parts.badge.width);
    expect(parts.bar!.x).toBe(parts.textX);
    // Room for "ready/desired" right of the bar.
    expect(parts.bar!.x + parts.bar!.width).toBeLessThan(parts.textRight - parts.secondSize * 2);
    expect(parts.nameY + parts.nameSize).toBeLessThanOrEqual(parts.secondY + 1);
    // The default-deny mark sits on the top-right corner.
    expect(parts.deny!.x).toBeGreaterThan(box.x + box.width - parts.deny!.r);
    expect(parts.deny!.y).toBeLessThan(box.y + parts.deny!.r);
  });

  it('has a replica bar only for vertices with desired replicas, and a deny mark only when asked', () => {
    expect(vertexParts(box, {}).bar).toBeUndefined();
    expect(vertexParts(box, {}).deny).toBeUndefined();
    expect(vertexParts(box, { desired: 0 }).bar).toBeDefined();
  });
});

describe('truncate', () => {
  it('keeps short text and cuts long text with an ellipsis', () => {
    expect(truncate('cart', 10)).toBe('cart');
    expect(truncate('checkout-service', 8)).toBe('checkou…');
    expect(truncate('checkout', 1)).toBe('');
  });
});

describe('drawingBounds', () => {
  it('covers every group, vertex and edge point', () => {
    const graph = sampleGraph();
    const layout = gridLayout(graph);
    layout.edges[graph.edges[0]!.id] = [-50, -20, 10, 10];
    const b = drawingBounds(graph, layout);
    expect(b.x).toBe(-50);
    expect(b.y).toBe(-20);
    for (const box of [...Object.values(layout.vertices), ...Object.values(layout.groups)]) {
      expect(box.x + box.width).toBeLessThanOrEqual(b.x + b.width);
      expect(box.y + box.height).toBeLessThanOrEqual(b.y + b.height);
    }
  });
});

describe('lineScaleAt', () => {
  it('keeps nominal widths from half size on, and thins lines down to a floor when zoomed out', () => {
    expect(lineScaleAt(2)).toBe(1);
    expect(lineScaleAt(0.5)).toBe(1);
    expect(lineScaleAt(0.25)).toBe(0.5);
    expect(lineScaleAt(0.01)).toBe(0.4);
  });
});
