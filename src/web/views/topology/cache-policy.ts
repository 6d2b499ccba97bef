// When the topology view's cached picture (picture-cache.ts) must be drawn again. Pure, so it is
// tested without a browser.
//
// Like the occupancy view's map cache, a pan within a margin just moves the cached picture. Unlike
// it, a zoom in motion also reuses the picture, scaled (a little blurred or cut short at the edges
// for a moment): drawing a whole overview of thousands of edges takes longer than a frame in
// software GL, so redrawing it on every wheel step would make zooming stutter. At rest the picture
// is always redrawn exactly under the camera.
import type { Camera } from '../../url-state.js';
import type { PictureState } from '../cached-picture.js';

/** Drawn around the screen on every side, so that a pan of up to this many pixels needs no redraw. */
export const CACHE_MARGIN = 160;
/** While the camera moves, new data is drawn at most this often. */
export const REDRAW_WHILE_MOVING_MS = 250;
/** While the camera moves, a picture that no longer covers the screen is redrawn at most this often. */
export const REFILL_WHILE_MOVING_MS = 120;
/** Scaled further than this (either way) while moving, the picture is redrawn at once. */
export const MAX_STRETCH = 2;

/** Where the cached picture lands on screen under `camera` (its texture is the view plus the margin on each side). */
export function placement(drawnAt: Camera, camera: Camera, view: { width: number; height: number }): { x: number; y: number; width: number; height: number } {
  const ratio = camera.scale / drawnAt.scale;
  return {
    x: camera.x - (drawnAt.x + CACHE_MARGIN) * ratio,
    y: camera.y - (drawnAt.y + CACHE_MARGIN) * ratio,
    width: (view.width + 2 * CACHE_MARGIN) * ratio,
    height: (view.height + 2 * CACHE_MARGIN) * ratio,
  };
}

export function needsRedraw(cache: PictureState, camera: Camera, view: { width: number; height: number }, moving: boolean, now: number): boolean {
  const { drawnAt } = cache;
  if (drawnAt === undefined) return true;
  const exact = drawnAt.scale === camera.scale && drawnAt.x === camera.x && drawnAt.y === camera.y;
  if (!moving) return cache.stale || !exact;
  const ratio = camera.scale / drawnAt.scale;
  if (ratio > MAX_STRETCH || ratio < 1 / MAX_STRETCH) return true;
  const since = now - cache.drawnAtMs;
  const p = placement(drawnAt, camera, view);
  const covers = p.x <= 0 && p.y <= 0 && p.x + p.width >= view.width && p.y + p.height >= view.height;
  if (!covers && since >= REFILL_WHILE_MOVING_MS) return true;
  return cache.stale && since >= REDRAW_WHILE_MOVING_MS;
}
