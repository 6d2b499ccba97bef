// The drawn map, kept in a texture (cached-picture.ts). While the view pans, a frame shows this
// texture moved by the pan (one textured quad) instead of shading every node again; the map itself
// is redrawn when the zoom changes, when the pan leaves the margin drawn around the screen, and
// when the data changed (at most every REDRAW_WHILE_PANNING_MS while panning, at once otherwise):
// redraw-policy.ts. When the view comes to rest the map is redrawn exactly under the camera, so
// what is shown is always pixel-exact at rest.
//
// Why: in software GL (no GPU) shading the whole map costs about twice a plain textured quad.
import type { Renderer } from 'pixi.js';
import type { Camera } from '../../url-state.js';
import { CachedPicture, type PictureState, type ScreenRect } from '../cached-picture.js';
import { MARGIN, needsRedraw } from './redraw-policy.js';

export class MapCache extends CachedPicture {
  constructor(renderer: Renderer, width: number, height: number) {
    // Never shown scaled (a zoom redraws it), so sampled 'nearest'.
    super(renderer, MARGIN, width, height, 'nearest');
  }

  protected needsRedraw(state: PictureState, camera: Camera, panning: boolean, now: number): boolean {
    return needsRedraw(state, camera, panning, now);
  }

  /** The texture at its own size, moved by the pan since it was drawn. */
  protected screenRect(drawnAt: Camera, camera: Camera): ScreenRect {
    return { x: camera.x - drawnAt.x - MARGIN, y: camera.y - drawnAt.y - MARGIN, width: this.texture.width, height: this.texture.height };
  }
}
