// Triangles with interleaved float attributes, built on the CPU and uploaded to one GPU buffer per
// mesh (meshes.ts). Pure: the drawing (draw.ts) is built and tested without a browser. Arrays grow
// by doubling and are reused from one build to the next, so a rebuild allocates nothing once the
// graph has been drawn at its size.

/** Attribute names with their float counts, in buffer order. */
export type AttributeLayout = readonly (readonly [name: string, size: 1 | 2 | 3 | 4])[];

export class TriBuffer {
  /** Floats per vertex. */
  readonly stride: number;
  data: Float32Array;
  indices: Uint32Array;
  vertexCount = 0;
  indexCount = 0;

  constructor(readonly layout: AttributeLayout, initialVertices = 256) {
    this.stride = layout.reduce((sum, [, size]) => sum + size, 0);
    this.data = new Float32Array(initialVertices * this.stride);
    this.indices = new Uint32Array(initialVertices * 2);
  }

  clear(): void {
    this.vertexCount = 0;
    this.indexCount = 0;
  }

  /** Appends one vertex (values in layout order, `stride` of them) and returns its index. */
  vertex(values: ArrayLike<number>): number {
    if ((this.vertexCount + 1) * this.stride > this.data.length) this.data = grow(this.data, (this.vertexCount + 1) * this.stride);
    this.data.set(values, this.vertexCount * this.stride);
    return this.vertexCount++;
  }

  triangle(a: number, b: number, c: number): void {
    this.reserveIndices(3);
    this.indices[this.indexCount++] = a;
    this.indices[this.indexCount++] = b;
    this.indices[this.indexCount++] = c;
  }

  /** Two triangles a-b-c and a-c-d (corners in order around the quad). */
  quad(a: number, b: number, c: number, d: number): void {
    this.reserveIndices(6);
    const i = this.indices;
    let n = this.indexCount;
    i[n++] = a;
    i[n++] = b;
    i[n++] = c;
    i[n++] = a;
    i[n++] = c;
    i[n++] = d;
    this.indexCount = n;
  }

  /** The value of one attribute of one vertex (for tests). */
  read(vertex: number, name: string): number[] {
    let offset = 0;
    for (const [n, size] of this.layout) {
      if (n === name) return Array.from(this.data.subarray(vertex * this.stride + offset, vertex * this.stride + offset + size));
      offset += size;
    }
    throw new Error(`no attribute ${name}`);
  }

  private reserveIndices(n: number): void {
    if (this.indexCount + n > this.indices.length) this.indices = grow(this.indices, this.indexCount + n);
  }
}

function grow<T extends Float32Array | Uint32Array>(array: T, needed: number): T {
  let length = Math.max(64, array.length);
  while (length < needed) length *= 2;
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}
