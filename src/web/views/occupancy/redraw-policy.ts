// When the occupancy view's cached map (map-cache.ts) must be drawn again. Pure, so it is tested
// without a browser.
import type { Camera } from '../../url-state.js';

/** Drawn around the screen on every side, so that a pan of up to this many pixels needs no redraw. */
export const MARGIN = 128;
/** While the camera moves, new data is drawn at most this often (it is drawn at once at rest). */
export const REDRAW_WHILE_PANNING_MS = 250;

/** Whether the cached map must be drawn again for this frame (see map-cache.ts). */
export function needsRedraw(
  cache: { drawnAt: Camera | undefined; drawnAtMs: number; stale: boolean },
  camera: Camera,
  panning: boolean,
  now: number,
): boolean {
  const { drawnAt } = cache;
  if (drawnAt === undefined || drawnAt.scale !== camera.scale) return true;
  const dx = camera.x - drawnAt.x;
  const dy = camera.y - drawnAt.y;
  if (Math.abs(dx) > MARGIN || Math.abs(dy) > MARGIN) return true;
  if (!panning) return cache.stale || dx !== 0 || dy !== 0;
  return cache.stale && now - cache.drawnAtMs >= REDRAW_WHILE_PANNING_MS;
}
