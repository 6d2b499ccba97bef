// The drawn map, kept in a texture. While the view pans, a frame shows this texture moved by
// the pan (one textured quad) instead of shading every node again; the map itself is redrawn
// when the zoom changes, when the pan leaves the margin drawn around the screen, and when the
// data changed (at most every REDRAW_WHILE_PANNING_MS while panning, at once otherwise). When
// the view comes to rest the map is redrawn exactly under the camera, so what is shown is
// always pixel-exact at rest.
//
// Why: in software GL (no GPU) shading the whole map costs about twice a plain textured quad.
import { Container, Geometry, Mesh, RenderTexture, Shader, type Renderer } from 'pixi.js';
import type { Camera } from '../../url-state.js';
import { MARGIN, needsRedraw } from './redraw-policy.js';


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
uniform sampler2D uMap;
out vec4 finalColor;
void main() {
  finalColor = texture(uMap, vUV);
}
`;

export class MapCache {
  /** What is drawn into the texture: the view puts its world container here. */
  readonly root = new Container();
  /** What the screen shows: the texture, placed under the camera. */
  readonly display: Mesh<Geometry, Shader>;
  private texture: RenderTexture;
  private drawnAt: Camera | undefined;
  private drawnAtMs = 0;
  private stale = true;
  private readonly positions = new Float32Array(8);

  constructor(private readonly renderer: Renderer, width: number, height: number) {
    // At the screen's resolution: on a HiDPI screen the map stays as sharp as drawn directly.
    this.texture = RenderTexture.create({ width: width + 2 * MARGIN, height: height + 2 * MARGIN, scaleMode: 'nearest', resolution: renderer.resolution });
    const geometry = new Geometry({
      attributes: { aPosition: this.positions, aUV: new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]) },
      indexBuffer: new Uint32Array([0, 1, 2, 0, 2, 3]),
    });
    const shader = Shader.from({ gl: { vertex: VERTEX, fragment: FRAGMENT, name: 'kubeglance-map-cache' }, resources: { uMap: this.texture.source } });
    this.display = new Mesh({ geometry, shader });
    this.display.cullable = false;
  }

  /** The data or the look changed: the next frame redraws the map (subject to the panning limit). */
  invalidate(): void {
    this.stale = true;
  }

  resize(width: number, height: number): void {
    this.texture.resize(width + 2 * MARGIN, height + 2 * MARGIN);
    this.stale = true;
  }

  /**
   * Prepares a frame: redraws the map into the texture when needed, and places the texture under
   * the camera. `panning` says whether the camera is moving (then stale data may wait a little).
   * Returns whether the map was redrawn.
   */
  update(world: Container, camera: Camera, panning: boolean, now: number): boolean {
    const redraw = needsRedraw({ drawnAt: this.drawnAt, drawnAtMs: this.drawnAtMs, stale: this.stale }, camera, panning, now);
    if (redraw) {
      world.position.set(camera.x + MARGIN, camera.y + MARGIN);
      world.scale.set(camera.scale);
      this.renderer.render({ container: this.root, target: this.texture, clear: true });
      this.drawnAt = { ...camera };
      this.drawnAtMs = now;
      this.stale = false;
    }
    const at = this.drawnAt!;
    const x = camera.x - at.x - MARGIN;
    const y = camera.y - at.y - MARGIN;
    const w = this.texture.width;
    const h = this.texture.height;
    this.positions.set([x, y, x + w, y, x + w, y + h, x, y + h]);
    this.display.geometry.getAttribute('aPosition').buffer.update();
    return redraw;
  }
}
