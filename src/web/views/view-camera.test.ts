import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Camera } from '../url-state.js';
import { SETTLE_MS, ViewCamera } from './view-camera.js';

const FIT: Camera = { x: 16, y: 20, scale: 0.5 };

function setup() {
  const changes: [Camera, boolean][] = [];
  const renders = { count: 0 };
  let fit = FIT;
  const camera = new ViewCamera(
    () => fit,
    (c, byUser) => changes.push([c, byUser]),
    () => renders.count++,
  );
  return { camera, changes, renders, refitTo: (c: Camera) => (fit = c) };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ViewCamera', () => {
  it('fits until a camera is set, and fits again when asked', () => {
    const { camera, changes, refitTo } = setup();
    expect(camera.fitting).toBe(true);
    camera.set(null);
    expect(camera.current).toEqual(FIT);
    refitTo({ x: 0, y: 0, scale: 2 });
    camera.set(null);
    expect(camera.current).toEqual({ x: 0, y: 0, scale: 2 });

    const chosen = { x: 5, y: 6, scale: 3 };
    camera.set(chosen, true);
    expect(camera.fitting).toBe(false);
    expect(camera.current).toBe(chosen);
    camera.set(null, true);
    expect(camera.fitting).toBe(true);
    expect(changes.map(([, byUser]) => byUser)).toEqual([false, false, true, true]);
    expect(changes.at(-1)?.[0]).toEqual({ x: 0, y: 0, scale: 2 });
  });

  it('counts as moving until it has rested SETTLE_MS, then asks for one more frame', () => {
    const { camera, renders } = setup();
    expect(camera.movingAt(performance.now())).toBe(false);
    camera.set({ x: 1, y: 1, scale: 1 }, true);
    expect(renders.count).toBe(1);
    expect(camera.settling).toBe(true);
    expect(camera.movingAt(performance.now() + SETTLE_MS - 1)).toBe(true);
    expect(camera.movingAt(performance.now() + SETTLE_MS)).toBe(false);

    // Moving again postpones the frame after rest.
    vi.advanceTimersByTime(SETTLE_MS);
    camera.set({ x: 2, y: 1, scale: 1 }, true);
    vi.advanceTimersByTime(SETTLE_MS);
    expect(renders.count).toBe(2);
    expect(camera.settling).toBe(true);
    vi.advanceTimersByTime(20);
    expect(renders.count).toBe(3);
    expect(camera.settling).toBe(false);
    expect(camera.movingAt(performance.now())).toBe(false);
  });

  it('asks for no frame after stop', () => {
    const { camera, renders } = setup();
    camera.set(null);
    camera.stop();
    vi.advanceTimersByTime(SETTLE_MS * 2);
    expect(renders.count).toBe(1);
  });
});
