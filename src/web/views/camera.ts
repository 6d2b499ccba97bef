// Pan and zoom of the canvas views (occupancy and topology): wheel and trackpad pinch (which
// browsers report as a wheel event with ctrlKey) zoom around the pointer, dragging pans, two
// fingers pinch. The camera is plain data (screen = world * scale + offset) so that it can live
// in the URL.
import type { Camera } from '../url-state.js';

export const MIN_SCALE = 1e-3;
export const MAX_SCALE = 12;

export function zoomAt(camera: Camera, factor: number, screenX: number, screenY: number): Camera {
  const scale = clamp(camera.scale * factor, MIN_SCALE, MAX_SCALE);
  const applied = scale / camera.scale;
  return { scale, x: screenX - (screenX - camera.x) * applied, y: screenY - (screenY - camera.y) * applied };
}

export function panBy(camera: Camera, dx: number, dy: number): Camera {
  return { ...camera, x: camera.x + dx, y: camera.y + dy };
}

/** The camera that shows a world rectangle whole, centred, with a margin in screen pixels. */
export function fitCamera(world: { w: number; h: number }, view: { width: number; height: number }, margin = 16): Camera {
  const w = Math.max(world.w, 1);
  const h = Math.max(world.h, 1);
  const scale = clamp(Math.min((view.width - 2 * margin) / w, (view.height - 2 * margin) / h), MIN_SCALE, MAX_SCALE);
  return { scale, x: (view.width - w * scale) / 2, y: Math.max(margin, (view.height - h * scale) / 2) };
}

export function toWorld(camera: Camera, screenX: number, screenY: number): { x: number; y: number } {
  return { x: (screenX - camera.x) / camera.scale, y: (screenY - camera.y) / camera.scale };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export interface CameraInputOptions {
  get(): Camera;
  set(camera: Camera, source: 'wheel' | 'drag' | 'pinch'): void;
  /** A press and release without movement: a click at this screen point. */
  onClick(x: number, y: number, event: PointerEvent): void;
  onHover(x: number, y: number): void;
  onLeave(): void;
}

/** Wires pointer and wheel input on the canvas to the camera. Returns a function that unwires it. */
export function attachCameraInput(element: HTMLElement, options: CameraInputOptions): () => void {
  const pointers = new Map<number, { x: number; y: number }>();
  let moved = false;
  let pinchDistance = 0;
  const local = (event: { clientX: number; clientY: number }) => {
    const rect = element.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };

  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    const { x, y } = local(event);
    // Pixel-mode deltas from mice are ~100 per notch; trackpad pinch deltas are small and fine-grained.
    const delta = event.deltaMode === 1 ? event.deltaY * 33 : event.deltaY;
    options.set(zoomAt(options.get(), Math.exp(-delta * (event.ctrlKey ? 0.01 : 0.0015)), x, y), 'wheel');
  };
  const onDown = (event: PointerEvent) => {
    element.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, local(event));
    moved = false;
    if (pointers.size === 2) pinchDistance = distance([...pointers.values()]);
  };
  const onMove = (event: PointerEvent) => {
    const point = local(event);
    const previous = pointers.get(event.pointerId);
    if (previous === undefined) {
      options.onHover(point.x, point.y);
      return;
    }
    if (Math.abs(point.x - previous.x) + Math.abs(point.y - previous.y) > 0) moved = true;
    pointers.set(event.pointerId, point);
    if (pointers.size === 1) {
      options.set(panBy(options.get(), point.x - previous.x, point.y - previous.y), 'drag');
    } else if (pointers.size === 2) {
      const points = [...pointers.values()];
      const d = distance(points);
      const centre = { x: (points[0]!.x + points[1]!.x) / 2, y: (points[0]!.y + points[1]!.y) / 2 };
      if (pinchDistance > 0) options.set(zoomAt(options.get(), d / pinchDistance, centre.x, centre.y), 'pinch');
      pinchDistance = d;
    }
  };
  const onUp = (event: PointerEvent) => {
    const point = local(event);
    const wasSingle = pointers.size === 1;
    pointers.delete(event.pointerId);
    if (wasSingle && !moved) options.onClick(point.x, point.y, event);
  };
  const onLeave = () => {
    if (pointers.size === 0) options.onLeave();
  };
  element.addEventListener('wheel', onWheel, { passive: false });
  element.addEventListener('pointerdown', onDown);
  element.addEventListener('pointermove', onMove);
  element.addEventListener('pointerup', onUp);
  element.addEventListener('pointercancel', onUp);
  element.addEventListener('pointerleave', onLeave);
  return () => {
    element.removeEventListener('wheel', onWheel);
    element.removeEventListener('pointerdown', onDown);
    element.removeEventListener('pointermove', onMove);
    element.removeEventListener('pointerup', onUp);
    element.removeEventListener('pointercancel', onUp);
    element.removeEventListener('pointerleave', onLeave);
  };
}

function distance(points: { x: number; y: number }[]): number {
  const [a, b] = points;
  return a === undefined || b === undefined ? 0 : Math.hypot(a.x - b.x, a.y - b.y);
}
