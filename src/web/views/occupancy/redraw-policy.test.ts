import { describe, expect, it } from 'vitest';
import { MARGIN, REDRAW_WHILE_PANNING_MS, needsRedraw } from './redraw-policy.js';

const at = { x: 100, y: 50, scale: 0.5 };
const fresh = { drawnAt: at, drawnAtMs: 1000, stale: false };

describe('needsRedraw', () => {
  it('draws the first frame and every zoom change', () => {
    expect(needsRedraw({ drawnAt: undefined, drawnAtMs: 0, stale: false }, at, false, 0)).toBe(true);
    expect(needsRedraw(fresh, { ...at, scale: 0.6 }, true, 1001)).toBe(true);
  });

  it('moves the cached map while panning within the margin, and redraws beyond it', () => {
    expect(needsRedraw(fresh, { ...at, x: at.x + MARGIN - 1 }, true, 1001)).toBe(false);
    expect(needsRedraw(fresh, { ...at, y: at.y - MARGIN - 1 }, true, 1001)).toBe(true);
  });

  it('redraws exactly under the camera once it rests, and not again while nothing changes', () => {
    expect(needsRedraw(fresh, { ...at, x: at.x + 3 }, false, 1001)).toBe(true);
    expect(needsRedraw(fresh, at, false, 5000)).toBe(false);
  });

  it('shows new data at once at rest, and at most every few hundred milliseconds while panning', () => {
    const stale = { ...fresh, stale: true };
    expect(needsRedraw(stale, at, false, 1001)).toBe(true);
    expect(needsRedraw(stale, { ...at, x: at.x + 5 }, true, 1000 + REDRAW_WHILE_PANNING_MS - 1)).toBe(false);
    expect(needsRedraw(stale, { ...at, x: at.x + 5 }, true, 1000 + REDRAW_WHILE_PANNING_MS)).toBe(true);
  });
});
