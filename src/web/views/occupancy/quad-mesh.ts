// A PixiJS mesh of quads with our own shader: one quad per box, each vertex carrying the box's
// attributes (flat varyings). Typed arrays are sized to the layout; a full layout rebuilds them,
// a changed box rewrites its own quad in place. Uploads happen once per frame, only if dirty.
import { Geometry, Mesh, Shader } from 'pixi.js';
import type { Rect } from './geometry.js';
import type { Detail } from './shaders.js';

/** Attribute name → floats per vertex. Every mesh has aPosition (2) and aLocal (2) first. */
export type Layout = Record<string, 2 | 4>;

export class QuadMesh<A extends Layout> {
  readonly mesh: Mesh<Geometry, Shader>;
  private readonly geometry: Geometry;
  private readonly names: (keyof A & string)[];
  private arrays: Record<string, Float32Array>;
  private capacity: number;
  private count = 0;
  private dirty = false;

  private readonly shaders: Record<Detail, Shader>;

  /**
   * One program per level of detail, sharing the resources (textures and uniform groups). The
   * vertex shader is generated from the layout; fragments read attribute `aName` as `vName`.
   */
  constructor(
    private readonly layout: A,
    name: string,
    fragments: Record<Detail, string>,
    resources: Record<string, unknown>,
  ) {
    this.names = Object.keys(layout) as (keyof A & string)[];
    this.capacity = 64;
    this.arrays = this.allocate(this.capacity);
    this.geometry = new Geometry({
      attributes: Object.fromEntries(
        ['aPosition', 'aLocal', ...this.names].map((name) => [name, { buffer: this.arrays[name]!, format: `float32x${this.size(name)}` }]),
      ) as never,
      indexBuffer: quadIndices(this.capacity),
    });
    const vertex = passThroughVertex(layout);
    this.shaders = {
      detail: Shader.from({ gl: { vertex, fragment: fragments.detail, name: `${name}-detail` }, resources }),
      overview: Shader.from({ gl: { vertex, fragment: fragments.overview, name: `${name}-overview` }, resources }),
    };
    this.mesh = new Mesh({ geometry: this.geometry, shader: this.shaders.detail });
    // The layout decides what is visible; the mesh's bounds would only cost time to compute.
    this.mesh.cullable = false;
  }

  /** Starts over with room for `quads` quads (after a full layout). */
  reset(quads: number): void {
    if (quads > this.capacity) {
      this.capacity = Math.ceil(quads * 1.25);
      this.arrays = this.allocate(this.capacity);
      for (const name of ['aPosition', 'aLocal', ...this.names]) this.geometry.getAttribute(name).buffer.data = this.arrays[name]!;
      this.geometry.indexBuffer.data = quadIndices(this.capacity);
    }
    this.count = quads;
    this.dirty = true;
  }

  /**
   * Writes quad `i`: its world rectangle, its attributes, and where the rectangle starts in the
   * box's own coordinates (local coordinates run from `local` to `local` + (w, h)).
   */
  set(i: number, rect: Rect, attributes: { [K in keyof A]: readonly number[] }, local = { x: 0, y: 0 }): void {
    const { x, y, w, h } = rect;
    const v = i * 4;
    const position = this.arrays['aPosition']!;
    position.set([x, y, x + w, y, x + w, y + h, x, y + h], v * 2);
    const { x: lx, y: ly } = local;
    this.arrays['aLocal']!.set([lx, ly, lx + w, ly, lx + w, ly + h, lx, ly + h], v * 2);
    for (const name of this.names) {
      const array = this.arrays[name]!;
      const value = attributes[name];
      const size = this.layout[name]!;
      for (let k = 0; k < 4; k++) array.set(value, (v + k) * size);
    }
    this.dirty = true;
  }

  useDetail(detail: Detail): void {
    if (this.mesh.shader !== this.shaders[detail]) this.mesh.shader = this.shaders[detail];
  }

  /** Uploads what changed since the last frame; returns whether anything did. */
  flush(): boolean {
    if (!this.dirty) return false;
    for (const name of ['aPosition', 'aLocal', ...this.names]) this.geometry.getAttribute(name).buffer.update();
    this.geometry.indexBuffer.update();
    // Draw only the quads in use; the buffers may be larger. (A count of 0 would mean "all".)
    this.geometry.indexCount = this.count * 6;
    this.mesh.visible = this.count > 0;
    this.dirty = false;
    return true;
  }

  private size(name: string): number {
    return name === 'aPosition' || name === 'aLocal' ? 2 : this.layout[name]!;
  }

  private allocate(quads: number): Record<string, Float32Array> {
    return Object.fromEntries(['aPosition', 'aLocal', ...this.names].map((name) => [name, new Float32Array(quads * 4 * this.size(name))]));
  }
}

/**
 * The vertex shader of a layout: places aPosition with PixiJS's matrices, interpolates aLocal as
 * vLocal, and hands every other attribute on unchanged (flat) as its `v` varying. (GLSL ES 3.00:
 * PixiJS treats a shader as ES 3.00 only when the source says so.)
 */
function passThroughVertex(layout: Layout): string {
  const names = Object.keys(layout);
  const type = (name: string) => (layout[name] === 2 ? 'vec2' : 'vec4');
  const varying = (name: string) => `v${name.slice(1)}`;
  return [
    '#version 300 es',
    'in vec2 aPosition;',
    'in vec2 aLocal;',
    'out vec2 vLocal;',
    ...names.flatMap((n) => [`in ${type(n)} ${n};`, `flat out ${type(n)} ${varying(n)};`]),
    'uniform mat3 uProjectionMatrix;',
    'uniform mat3 uWorldTransformMatrix;',
    'uniform mat3 uTransformMatrix;',
    'void main() {',
    '  mat3 mvp = uProjectionMatrix * uWorldTransformMatrix * uTransformMatrix;',
    '  gl_Position = vec4((mvp * vec3(aPosition, 1.0)).xy, 0.0, 1.0);',
    '  vLocal = aLocal;',
    ...names.map((n) => `  ${varying(n)} = ${n};`),
    '}',
    '',
  ].join('\n');
}

function quadIndices(quads: number): Uint32Array {
  const indices = new Uint32Array(quads * 6);
  for (let q = 0; q < quads; q++) indices.set([q * 4, q * 4 + 1, q * 4 + 2, q * 4, q * 4 + 2, q * 4 + 3], q * 6);
  return indices;
}

