// The drawn topology, kept in a texture (cached-picture.ts, as the occupancy view's map cache, but
// extended to zooms): while the camera moves, a frame shows this texture moved and scaled (one
// textured quad) instead of drawing thousands of edges again; cache-policy.ts says when to redraw
// it. At rest the texture is redrawn exactly under the camera, so what is shown at rest is
// pixel-exact.
import type { Renderer } from 'pixi.js';
import type { Camera } from '../../url-state.js';
import { CachedPicture, type PictureState, type ScreenRect } from '../cached-picture.js';
import { CACHE_MARGIN, needsRedraw, placement } from './cache-policy.js';

export class PictureCache extends CachedPicture {
  private view: { width: number; height: number };

  constructor(renderer: Renderer, width: number, height: number) {
    // Linear sampling for the moments it is shown scaled.
    super(renderer, CACHE_MARGIN, width, height, 'linear');
    this.view = { width, height };
  }

  override resize(width: number, height: number): void {
    super.resize(width, height);
    this.view = { width, height };
    this.drawnAt = undefined;
  }

  protected needsRedraw(state: PictureState, camera: Camera, moving: boolean, now: number): boolean {
    return needsRedraw(state, camera, this.view, moving, now);
  }

  protected screenRect(drawnAt: Camera, camera: Camera): ScreenRect {
    return placement(drawnAt, camera, this.view);
  }
}
