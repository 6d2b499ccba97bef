import { describe, expect, it } from 'vitest';
import type { Camera } from '../url-state.js';
import { MAX_SCALE, MIN_SCALE, fitCamera, panBy, toWorld, zoomAt } from './camera.js';

/** World → screen, the transform a camera stands for. */
const toScreen = (camera: Camera, x: number, y: number) => ({ x: x * camera.scale + camera.x, y: y * camera.scale + camera.y });

describe('toWorld', () => {
  it('inverts the camera transform', () => {
    for (const camera of [{ x: 0, y: 0, scale: 1 }, { x: -120.5, y: 33, scale: 0.37 }, { x: 900, y: -4000, scale: 7.5 }]) {
      for (const [wx, wy] of [[0, 0], [10, 20], [-300.25, 1e4]] as const) {
        const screen = toScreen(camera, wx, wy);
        const world = toWorld(camera, screen.x, screen.y);
        expect(world.x).toBeCloseTo(wx, 9);
        expect(world.y).toBeCloseTo(wy, 9);
      }
    }
  });

  it('maps the camera offset to the world origin', () => {
    expect(toWorld({ x: 40, y: -8, scale: 3 }, 40, -8)).toEqual({ x: 0, y: 0 });
  });
});

describe('zoomAt', () => {
  const cameras: Camera[] = [{ x: 0, y: 0, scale: 1 }, { x: -250, y: 75, scale: 0.2 }, { x: 13, y: -900, scale: 4 }];

  it.each([0.5, 0.9, 1.1, 2, 10])('keeps the world point under the cursor fixed (factor %s)', (factor) => {
    for (const camera of cameras) {
      for (const [sx, sy] of [[0, 0], [400, 300], [1234.5, 17]] as const) {
        const before = toWorld(camera, sx, sy);
        const zoomed = zoomAt(camera, factor, sx, sy);
        const after = toWorld(zoomed, sx, sy);
        expect(after.x).toBeCloseTo(before.x, 6);
        expect(after.y).toBeCloseTo(before.y, 6);
        if (camera.scale * factor <= MAX_SCALE && camera.scale * factor >= MIN_SCALE) expect(zoomed.scale).toBeCloseTo(camera.scale * factor, 12);
      }
    }
  });

  it('clamps the scale, and still keeps the point under the cursor fixed', () => {
    const camera = { x: 10, y: 20, scale: 2 };
    const inward = zoomAt(camera, 1000, 300, 200);
    expect(inward.scale).toBe(MAX_SCALE);
    expect(toWorld(inward, 300, 200).x).toBeCloseTo(toWorld(camera, 300, 200).x, 9);
    expect(toWorld(inward, 300, 200).y).toBeCloseTo(toWorld(camera, 300, 200).y, 9);

    const outward = zoomAt(camera, 1e-9, 300, 200);
    expect(outward.scale).toBe(MIN_SCALE);
    expect(toWorld(outward, 300, 200).x).toBeCloseTo(toWorld(camera, 300, 200).x, 6);

    // At a limit, zooming further changes nothing.
    expect(zoomAt(inward, 2, 50, 50)).toEqual(inward);
    expect(zoomAt(outward, 0.5, 50, 50)).toEqual(outward);
  });

  it('undoes itself with the inverse factor', () => {
    const camera = { x: -42, y: 17, scale: 0.8 };
    const back = zoomAt(zoomAt(camera, 1.7, 120, 80), 1 / 1.7, 120, 80);
    expect(back.x).toBeCloseTo(camera.x, 9);
    expect(back.y).toBeCloseTo(camera.y, 9);
    expect(back.scale).toBeCloseTo(camera.scale, 12);
  });
});

describe('panBy', () => {
  it('moves the picture by screen pixels at any scale', () => {
    const camera = { x: 5, y: 6, scale: 0.25 };
    const panned = panBy(camera, 30, -40);
    expect(panned).toEqual({ x: 35, y: -34, scale: 0.25 });
    const a = toScreen(camera, 100, 100);
    const b = toScreen(panned, 100, 100);
    expect([b.x - a.x, b.y - a.y]).toEqual([30, -40]);
  });
});

describe('fitCamera', () => {
  const views = [{ width: 800, height: 600 }, { width: 1920, height: 1080 }, { width: 390, height: 844 }];
  const worlds = [{ w: 1000, h: 500 }, { w: 300, h: 4000 }, { w: 20_000, h: 9_000 }, { w: 50, h: 40 }];

  it.each(views.flatMap((view) => worlds.map((world) => [view, world] as const)))('shows the whole world inside the view with a margin (%o, %o)', (view, world) => {
    const margin = 16;
    const camera = fitCamera(world, view, margin);
    const topLeft = toScreen(camera, 0, 0);
    const bottomRight = toScreen(camera, world.w, world.h);
    const eps = 1e-6;
    expect(topLeft.x).toBeGreaterThanOrEqual(margin - eps);
    expect(topLeft.y).toBeGreaterThanOrEqual(margin - eps);
    expect(bottomRight.x).toBeLessThanOrEqual(view.width - margin + eps);
    expect(bottomRight.y).toBeLessThanOrEqual(view.height - margin + eps);
    // Centred, and as large as fits: one dimension touches its margins (unless the zoom limit stops it).
    expect(topLeft.x + bottomRight.x).toBeCloseTo(view.width, 6);
    expect(topLeft.y + bottomRight.y).toBeCloseTo(view.height, 6);
    if (camera.scale < MAX_SCALE) {
      const touchesX = Math.abs(bottomRight.x - topLeft.x - (view.width - 2 * margin)) < 1e-6;
      const touchesY = Math.abs(bottomRight.y - topLeft.y - (view.height - 2 * margin)) < 1e-6;
      expect(touchesX || touchesY).toBe(true);
    }
  });

  it('does not zoom in past the maximum on a tiny world', () => {
    const camera = fitCamera({ w: 1, h: 1 }, { width: 800, height: 600 });
    expect(camera.scale).toBe(MAX_SCALE);
    const centre = toScreen(camera, 0.5, 0.5);
    expect(centre.x).toBeCloseTo(400, 6);
    expect(centre.y).toBeCloseTo(300, 6);
  });

  it('treats an empty world as one unit (no division by zero)', () => {
    const camera = fitCamera({ w: 0, h: 0 }, { width: 800, height: 600 });
    expect(Number.isFinite(camera.x) && Number.isFinite(camera.y) && Number.isFinite(camera.scale)).toBe(true);
  });
});
