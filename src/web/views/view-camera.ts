// The camera of a canvas view: where it is, whether it follows the picture (zoom to fit) or the
// user, and whether it is still moving. A camera in motion lets the view show its cached picture
// moved (cached-picture.ts); once it has rested SETTLE_MS the view draws one more frame, in which
// the picture is redrawn exactly under it.
import type { Camera } from '../url-state.js';

/** The camera counts as moving until it has rested this long. */
export const SETTLE_MS = 300;

export class ViewCamera {
  private camera: Camera = { x: 0, y: 0, scale: 1 };
  private following = true;
  private movedAt = -Infinity;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** The camera that shows the whole picture, as it is now. */
    private readonly fit: () => Camera,
    private readonly onChange: (camera: Camera, byUser: boolean) => void,
    private readonly requestRender: () => void,
  ) {}

  get current(): Camera {
    return this.camera;
  }

  /** True while the camera follows the picture (zoom to fit), until the user pans or zooms. */
  get fitting(): boolean {
    return this.following;
  }

  /** Whether the frame after the camera comes to rest is still to come. */
  get settling(): boolean {
    return this.settleTimer !== undefined;
  }

  /** Whether the camera moved less than SETTLE_MS before `now` (performance.now()). */
  movingAt(now: number): boolean {
    return now - this.movedAt < SETTLE_MS;
  }

  /** Sets the camera; null fits the picture and keeps fitting it (see `fitting`). */
  set(camera: Camera | null, byUser = false): void {
    if (camera === null) {
      this.following = true;
      this.camera = this.fit();
    } else {
      this.following = false;
      this.camera = camera;
    }
    this.onChange(this.camera, byUser);
    // One more frame once the camera rests, to redraw the cached picture exactly under it.
    this.movedAt = performance.now();
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.requestRender();
    }, SETTLE_MS + 20);
    this.requestRender();
  }

  /** Cancels the frame after rest (the view is destroyed). */
  stop(): void {
    clearTimeout(this.settleTimer);
  }
}
