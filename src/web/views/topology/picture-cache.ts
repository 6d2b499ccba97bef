// The drawn topology, kept in a texture (the occupancy view's map cache, extended to zooms): while
// the camera moves, a frame shows this texture moved and scaled (one textured quad) instead of
// drawing thousands of edges again; cache-policy.ts says when to redraw it. At rest the texture is
// redrawn exactly under the camera, so what is shown at rest is pixel-exact.
import { Container, Geometry, Mesh, RenderTexture, Shader, type Renderer } from 'pixi.js';
import type { Camera } from '../../url-state.js';
import { CACHE_MARGIN, needsRedraw, placement } from './cache-policy.js';

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

export class PictureCache {
  /** What is drawn into the texture: the view puts its world container here. */
  readonly root = new Container();
  /** What the screen shows: the texture, placed under the camera. */
  readonly display: Mesh<Geometry, Shader>;
  private readonly texture: RenderTexture;
  private drawnAt: Camera | undefined;
  private drawnAtMs = 0;
  private stale = true;
  private view: { width: number; height: number };
  private readonly positions = new Float32Array(8);

  constructor(private readonly renderer: Renderer, width: number, height: number) {
    this.view = { width, height };
    // At the screen's resolution, so that the picture at rest is as sharp as drawn directly;
    // linear sampling for the moments it is shown scaled.
    this.texture = RenderTexture.create({ width: width + 2 * CACHE_MARGIN, height: height + 2 * CACHE_MARGIN, scaleMode: 'linear', resolution: renderer.resolution });
    const geometry = new Geometry({
      attributes: { aPosition: this.positions, aUV: new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]) },
      indexBuffer: new Uint32Array([0, 1, 2, 0, 2, 3]),
    });
    const shader = Shader.from({ gl: { vertex: VERTEX, fragment: FRAGMENT, name: 'kubeglance-topology-picture' }, resources: { uPicture: this.texture.source } });
    this.display = new Mesh({ geometry, shader });
    this.display.cullable = false;
  }

  /** The drawing or the look changed: the next frame redraws the picture (subject to the policy). */
  invalidate(): void {
    this.stale = true;
  }

  resize(width: number, height: number): void {
    this.view = { width, height };
    this.texture.resize(width + 2 * CACHE_MARGIN, height + 2 * CACHE_MARGIN);
    this.drawnAt = undefined;
    this.stale = true;
  }

  /**
   * Prepares a frame: redraws the picture when the policy says so (the caller has set the shaders'
   * zoom uniforms for `camera`) and places the texture under the camera. Returns whether it redrew.
   */
  update(world: Container, camera: Camera, moving: boolean, now: number): boolean {
    const redraw = needsRedraw({ drawnAt: this.drawnAt, drawnAtMs: this.drawnAtMs, stale: this.stale }, camera, this.view, moving, now);
    if (redraw) {
      world.position.set(camera.x + CACHE_MARGIN, camera.y + CACHE_MARGIN);
      world.scale.set(camera.scale);
      this.renderer.render({ container: this.root, target: this.texture, clear: true });
      this.drawnAt = { ...camera };
      this.drawnAtMs = now;
      this.stale = false;
    }
    const { x, y, width: w, height: h } = placement(this.drawnAt!, camera, this.view);
    this.positions.set([x, y, x + w, y, x + w, y + h, x, y + h]);
    this.display.geometry.getAttribute('aPosition').buffer.update();
    return redraw;
  }
}
