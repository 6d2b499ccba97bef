// A view's world drawn into a texture and shown on screen as one textured quad: while the camera
// moves, a frame shows this picture moved (or scaled) instead of drawing the world again. The
// texture is the screen plus a margin on every side. When to redraw it and where the quad lands
// are each view's own policy (occupancy/map-cache.ts, topology/picture-cache.ts); this is what
// they share: the texture, the quad and its shaders, and the drawing into the texture.
import { Container, Geometry, Mesh, RenderTexture, Shader, type Renderer } from 'pixi.js';
import type { Camera } from '../url-state.js';

const VERTEX = /* glsl */ `#version 300 es
in vec2 aPosition;
in vec2 aUV;
out vec2 vUV;
uniform mat3 uProjectionMatrix;
uniform mat3 uWorldTransformMatrix;
uniform mat3 uTransformMatrix;
void main() {
  mat3 mvp = uProjectionMatrix * uWorldTransformMatrix * uTransformMatrix;
  gl_Position = vec4((mvp * vec3(aPosition, 1.0)).xy, 0.0, 1.0);
  vUV = aUV;
}
`;

const FRAGMENT = /* glsl */ `#version 300 es
precision mediump float;
in vec2 vUV;
uniform sampler2D uPicture;
out vec4 finalColor;
void main() {
  finalColor = texture(uPicture, vUV);
}
`;

/** Where and when the picture was drawn, and whether the world changed since: what a redraw policy decides on. */
export interface PictureState {
  drawnAt: Camera | undefined;
  drawnAtMs: number;
  stale: boolean;
}

/** A rectangle on screen, in CSS pixels. */
export interface ScreenRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export abstract class CachedPicture {
  /** What is drawn into the texture: the view puts its world container here. */
  readonly root = new Container();
  /** What the screen shows: the texture, placed under the camera. */
  readonly display: Mesh<Geometry, Shader>;
  protected readonly texture: RenderTexture;
  /** The camera the picture was last drawn under; undefined before the first drawing. */
  protected drawnAt: Camera | undefined;
  private drawnAtMs = 0;
  private stale = true;
  private readonly positions = new Float32Array(8);

  /**
   * `margin`: CSS pixels drawn around the screen on every side. `scaleMode`: how the texture is
   * sampled where it is shown scaled ('nearest' for a picture only ever shown at its own size).
   */
  constructor(
    private readonly renderer: Renderer,
    private readonly margin: number,
    width: number,
    height: number,
    scaleMode: 'nearest' | 'linear',
  ) {
    // At the screen's resolution: on a HiDPI screen the picture at rest is as sharp as drawn directly.
    this.texture = RenderTexture.create({ width: width + 2 * margin, height: height + 2 * margin, scaleMode, resolution: renderer.resolution });
    const geometry = new Geometry({
      attributes: { aPosition: this.positions, aUV: new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]) },
      indexBuffer: new Uint32Array([0, 1, 2, 0, 2, 3]),
    });
    const shader = Shader.from({ gl: { vertex: VERTEX, fragment: FRAGMENT, name: 'kubeglance-cached-picture' }, resources: { uPicture: this.texture.source } });
    this.display = new Mesh({ geometry, shader });
    this.display.cullable = false;
  }

  /** The world or the look changed: the picture is redrawn when the policy allows. */
  invalidate(): void {
    this.stale = true;
  }

  resize(width: number, height: number): void {
    this.texture.resize(width + 2 * this.margin, height + 2 * this.margin);
    this.stale = true;
  }

  /**
   * Prepares a frame: redraws the picture when the policy says so (the caller has set up `world`'s
   * content for `camera`) and places the texture under the camera. `moving` says whether the
   * camera is in motion (then the policy may let a redraw wait). Returns whether it redrew.
   */
  update(world: Container, camera: Camera, moving: boolean, now: number): boolean {
    const redraw = this.needsRedraw({ drawnAt: this.drawnAt, drawnAtMs: this.drawnAtMs, stale: this.stale }, camera, moving, now);
    if (redraw) {
      world.position.set(camera.x + this.margin, camera.y + this.margin);
      world.scale.set(camera.scale);
      this.renderer.render({ container: this.root, target: this.texture, clear: true });
      this.drawnAt = { ...camera };
      this.drawnAtMs = now;
      this.stale = false;
    }
    const { x, y, width: w, height: h } = this.screenRect(this.drawnAt!, camera);
    this.positions.set([x, y, x + w, y, x + w, y + h, x, y + h]);
    this.display.geometry.getAttribute('aPosition').buffer.update();
    return redraw;
  }

  /** The redraw policy: whether the picture must be drawn again for this frame. */
  protected abstract needsRedraw(state: PictureState, camera: Camera, moving: boolean, now: number): boolean;

  /** Where the picture drawn under `drawnAt` lands on screen under `camera`. */
  protected abstract screenRect(drawnAt: Camera, camera: Camera): ScreenRect;
}
