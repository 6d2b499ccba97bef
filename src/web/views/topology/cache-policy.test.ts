import { describe, expect, it } from 'vitest';
import { CACHE_MARGIN, MAX_STRETCH, REDRAW_WHILE_MOVING_MS, REFILL_WHILE_MOVING_MS, needsRedraw, placement } from './cache-policy.js';

const view = { width: 800, height: 600 };
const at = { x: 100, y: 50, scale: 0.5 };
const fresh = { drawnAt: at, drawnAtMs: 1000, stale: false };

describe('placement', () => {
  it('puts the picture exactly under the camera it was drawn at (offset by the margin)', () => {
    expect(placement(at, at, view)).toEqual({ x: -CACHE_MARGIN, y: -CACHE_MARGIN, width: 800 + 2 * CACHE_MARGIN, height: 600 + 2 * CACHE_MARGIN });
  });

  it('keeps a world point where the camera puts it, when panned and zoomed', () => {
    const camera = { x: 300, y: -20, scale: 0.8 };
    const p = placement(at, camera, view);
    // World point (400, 200) was drawn at texture pixel (400*0.5 + 100 + margin, 200*0.5 + 50 + margin).
    const u = 400 * at.scale + at.x + CACHE_MARGIN;
    const v = 200 * at.scale + at.y + CACHE_MARGIN;
    const ratio = camera.scale / at.scale;
    expect(p.x + u * ratio).toBeCloseTo(400 * camera.scale + camera.x);
    expect(p.y + v * ratio).toBeCloseTo(200 * camera.scale + camera.y);
  });
});

describe('needsRedraw', () => {
  it('draws the first frame', () => {
    expect(needsRedraw({ drawnAt: undefined, drawnAtMs: 0, stale: false }, at, view, false, 0)).toBe(true);
  });

  it('redraws exactly under the camera at rest, and not again while nothing changes', () => {
    expect(needsRedraw(fresh, { ...at, x: at.x + 3 }, view, false, 1001)).toBe(true);
    expect(needsRedraw(fresh, { ...at, scale: 0.51 }, view, false, 1001)).toBe(true);
    expect(needsRedraw(fresh, at, view, false, 9000)).toBe(false);
    expect(needsRedraw({ ...fresh, stale: true }, at, view, false, 1001)).toBe(true);
  });

  it('moves the picture while panning within the margin, and refills it beyond, at most so often', () => {
    expect(needsRedraw(fresh, { ...at, x: at.x + CACHE_MARGIN }, view, true, 1001)).toBe(false);
    expect(needsRedraw(fresh, { ...at, y: at.y - CACHE_MARGIN - 1 }, view, true, 1000 + REFILL_WHILE_MOVING_MS - 1)).toBe(false);
    expect(needsRedraw(fresh, { ...at, y: at.y - CACHE_MARGIN - 1 }, view, true, 1000 + REFILL_WHILE_MOVING_MS)).toBe(true);
  });

  it('scales the picture while zooming in, and redraws once stretched too far', () => {
    const zoomIn = (ratio: number) => ({ scale: at.scale * ratio, x: 400 - (400 - at.x) * ratio, y: 300 - (300 - at.y) * ratio });
    expect(needsRedraw(fresh, zoomIn(1.5), view, true, 1001)).toBe(false);
    expect(needsRedraw(fresh, zoomIn(MAX_STRETCH * 1.01), view, true, 1001)).toBe(true);
    expect(needsRedraw(fresh, zoomIn(1 / (MAX_STRETCH * 1.01)), view, true, 1001)).toBe(true);
  });

  it('shows new data while moving at most every few hundred milliseconds', () => {
    const stale = { ...fresh, stale: true };
    const moved = { ...at, x: at.x + 5 };
    expect(needsRedraw(stale, moved, view, true, 1000 + REDRAW_WHILE_MOVING_MS - 1)).toBe(false);
    expect(needsRedraw(stale, moved, view, true, 1000 + REDRAW_WHILE_MOVING_MS)).toBe(true);
  });
});
