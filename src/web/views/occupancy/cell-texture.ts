// Data textures of the grid shader: the pod cells (one RGBA texel per cell: colour as drawn,
// shape and flags) and the shape masks.
import { BufferImageSource } from 'pixi.js';
import { CELL_TEXTURE_WIDTH, SHAPES, SHAPE_SIZE, shapeAtlas } from './shaders.js';

export class CellTexture {
  readonly source: BufferImageSource;
  private data: Uint8Array;
  private dirty = false;

  constructor() {
    this.data = new Uint8Array(CELL_TEXTURE_WIDTH * 4 * 4);
    this.source = dataSource(this.data, CELL_TEXTURE_WIDTH, 4);
  }

  /** Makes room for `cells` cells (after a full layout), growing with headroom. */
  reserve(cells: number): void {
    const rows = Math.max(4, Math.ceil(cells / CELL_TEXTURE_WIDTH));
    if (rows * CELL_TEXTURE_WIDTH * 4 <= this.data.length) return;
    const height = Math.ceil(rows * 1.25);
    this.data = new Uint8Array(CELL_TEXTURE_WIDTH * height * 4);
    this.source.resource = this.data;
    this.source.resize(CELL_TEXTURE_WIDTH, height);
    this.dirty = true;
  }

  set(index: number, rgb: readonly [number, number, number], alpha: number): void {
    const o = index * 4;
    const data = this.data;
    data[o] = rgb[0];
    data[o + 1] = rgb[1];
    data[o + 2] = rgb[2];
    data[o + 3] = alpha;
    this.dirty = true;
  }

  /** Uploads the texture if a cell changed since the last frame; returns whether it did. */
  flush(): boolean {
    if (!this.dirty) return false;
    this.source.update();
    this.dirty = false;
    return true;
  }
}

export function shapeSource(): BufferImageSource {
  return dataSource(shapeAtlas(), SHAPES.length * SHAPE_SIZE, SHAPE_SIZE);
}

function dataSource(data: Uint8Array, width: number, height: number): BufferImageSource {
  return new BufferImageSource({
    resource: data,
    width,
    height,
    format: 'rgba8unorm',
    scaleMode: 'nearest',
    // The bytes are data, not colours to blend: no premultiplying, no mipmaps.
    alphaMode: 'no-premultiply-alpha',
    autoGenerateMipmaps: false,
  });
}
