// The PixiJS side of the box shader: geometry (one quad per box) and the pod-cell texture.
// Owns typed arrays sized to the layout; a full layout rebuilds them, a changed node rewrites
// its own quad and cells in place.
import { BufferImageSource, Geometry, Mesh, Shader, UniformGroup } from 'pixi.js';
import type { Rect } from './geometry.js';
import { BOX_FRAGMENT, BOX_VERTEX, CELL_TEXTURE_WIDTH, EMPTY_CELL } from './box-shader.js';
import type { Rgb, Theme } from './palette.js';

const FLOATS_PER_VERTEX = { aPosition: 2, aLocal: 2, aBox: 4, aCpu: 4, aMemory: 4, aInfo: 4 } as const;
type AttributeName = keyof typeof FLOATS_PER_VERTEX;
const ATTRIBUTES = Object.keys(FLOATS_PER_VERTEX) as AttributeName[];

/** What one quad carries besides its rectangle (see the shader for the meaning of each value). */
export interface BoxAttributes {
  box: readonly [number, number, number, number];
  cpu: readonly [number, number, number, number];
  memory: readonly [number, number, number, number];
  info: readonly [number, number, number, number];
}

export class BoxMesh {
  readonly mesh: Mesh<Geometry, Shader>;
  private readonly geometry: Geometry;
  private readonly theme: UniformGroup;
  private readonly cellSource: BufferImageSource;
  private arrays: Record<AttributeName, Float32Array>;
  private quadCapacity = 0;
  private quadCount = 0;
  /** RGBA per pod cell. */
  cells: Uint8Array;
  private dirtyGeometry = false;
  private dirtyCells = false;

  constructor() {
    this.arrays = allocate(64);
    this.quadCapacity = 64;
    this.geometry = new Geometry({
      attributes: Object.fromEntries(ATTRIBUTES.map((name) => [name, { buffer: this.arrays[name], format: `float32x${FLOATS_PER_VERTEX[name]}` }])) as never,
      indexBuffer: quadIndices(64),
    });
    this.cells = new Uint8Array(CELL_TEXTURE_WIDTH * 4 * 4).fill(EMPTY_CELL);
    this.cellSource = new BufferImageSource({
      resource: this.cells,
      width: CELL_TEXTURE_WIDTH,
      height: 4,
      format: 'rgba8unorm',
      scaleMode: 'nearest',
      alphaMode: 'no-premultiply-alpha',
      autoGenerateMipmaps: false,
    });
    this.theme = new UniformGroup(
      Object.fromEntries(THEME_UNIFORMS.map((name) => [name, { value: new Float32Array([0, 0, 0, 1]), type: 'vec4<f32>' }])) as never,
    );
    const shader = Shader.from({
      gl: { vertex: BOX_VERTEX, fragment: BOX_FRAGMENT, name: 'kubeglance-boxes' },
      resources: { uCells: this.cellSource, theme: this.theme },
    });
    this.mesh = new Mesh({ geometry: this.geometry, shader });
    // The layout decides what is visible; the mesh's bounds would only cost time to compute.
    this.mesh.cullable = false;
  }

  setTheme(theme: Theme): void {
    const set = (name: (typeof THEME_UNIFORMS)[number], rgb: Rgb) => {
      const value = this.theme.uniforms[name] as Float32Array;
      value.set([rgb[0] / 255, rgb[1] / 255, rgb[2] / 255, 1]);
    };
    set('uClusterFill', theme.clusterFill);
    set('uGroupFill', theme.groupFill);
    set('uNodeFill', theme.nodeFill);
    set('uBorder', theme.border);
    set('uHeader', theme.header);
    set('uBarBack', theme.barBack);
    set('uReserved', theme.reserved);
    set('uRequested', theme.requested);
    set('uUsed', theme.used);
    set('uEmptyCell', theme.emptyCell);
    set('uMark', theme.mark);
    set('uBackground', theme.background);
    this.theme.update();
  }

  /** Starts a new set of quads and cells (after a full layout). */
  reset(quads: number, cellCount: number): void {
    if (quads > this.quadCapacity) {
      this.quadCapacity = Math.ceil(quads * 1.25);
      this.arrays = allocate(this.quadCapacity);
      for (const name of ATTRIBUTES) this.geometry.getAttribute(name).buffer.data = this.arrays[name];
      this.geometry.indexBuffer.data = quadIndices(this.quadCapacity);
    }
    this.quadCount = quads;
    const rows = Math.max(4, Math.ceil(cellCount / CELL_TEXTURE_WIDTH));
    if (rows * CELL_TEXTURE_WIDTH * 4 !== this.cells.length) {
      // Grow with headroom so that new nodes do not reallocate every time.
      const height = Math.ceil(rows * 1.25);
      this.cells = new Uint8Array(CELL_TEXTURE_WIDTH * height * 4);
      this.cellSource.resource = this.cells;
      this.cellSource.resize(CELL_TEXTURE_WIDTH, height);
    }
    this.cells.fill(EMPTY_CELL);
    this.dirtyGeometry = true;
    this.dirtyCells = true;
  }

  get cellCapacity(): number {
    return this.cells.length / 4;
  }

  /** Writes quad `i`: its world rectangle and attributes. */
  setQuad(i: number, rect: Rect, attributes: BoxAttributes): void {
    const { x, y, w, h } = rect;
    const v = i * 4;
    put(this.arrays.aPosition, v, 2, [x, y], [x + w, y], [x + w, y + h], [x, y + h]);
    put(this.arrays.aLocal, v, 2, [0, 0], [w, 0], [w, h], [0, h]);
    putSame(this.arrays.aBox, v, attributes.box);
    putSame(this.arrays.aCpu, v, attributes.cpu);
    putSame(this.arrays.aMemory, v, attributes.memory);
    putSame(this.arrays.aInfo, v, attributes.info);
    this.dirtyGeometry = true;
  }

  /** Sets one pod cell's status code and flags. */
  setCell(index: number, status: number, flags: number): void {
    const o = index * 4;
    this.cells[o] = status;
    this.cells[o + 1] = flags;
    this.cells[o + 2] = 0;
    this.cells[o + 3] = 255;
    this.dirtyCells = true;
  }

  cellAt(index: number): { status: number; flags: number } {
    return { status: this.cells[index * 4]!, flags: this.cells[index * 4 + 1]! };
  }

  /** Uploads what changed since the last frame. */
  flush(): void {
    if (this.dirtyGeometry) {
      for (const name of ATTRIBUTES) this.geometry.getAttribute(name).buffer.update();
      this.geometry.indexBuffer.update();
      // Draw only the quads in use; the buffers may be larger. (A count of 0 would mean "all".)
      this.geometry.indexCount = this.quadCount * 6;
      this.mesh.visible = this.quadCount > 0;
      this.dirtyGeometry = false;
    }
    if (this.dirtyCells) {
      this.cellSource.update();
      this.dirtyCells = false;
    }
  }
}

const THEME_UNIFORMS = [
  'uClusterFill', 'uGroupFill', 'uNodeFill', 'uBorder', 'uHeader', 'uBarBack', 'uReserved', 'uRequested', 'uUsed',
  'uEmptyCell', 'uMark', 'uBackground',
] as const;

function allocate(quads: number): Record<AttributeName, Float32Array> {
  return Object.fromEntries(ATTRIBUTES.map((name) => [name, new Float32Array(quads * 4 * FLOATS_PER_VERTEX[name])])) as Record<
    AttributeName,
    Float32Array
  >;
}

function quadIndices(quads: number): Uint32Array {
  const indices = new Uint32Array(quads * 6);
  for (let q = 0; q < quads; q++) indices.set([q * 4, q * 4 + 1, q * 4 + 2, q * 4, q * 4 + 2, q * 4 + 3], q * 6);
  return indices;
}

function put(array: Float32Array, vertex: number, size: number, ...values: number[][]): void {
  values.forEach((value, k) => array.set(value, (vertex + k) * size));
}

function putSame(array: Float32Array, vertex: number, value: readonly number[]): void {
  for (let k = 0; k < 4; k++) array.set(value, (vertex + k) * 4);
}

