// The GPU side of the topology drawing: one PixiJS mesh per buffer of draw.ts, each with its own
// small shader. Vertex shaders place a world anchor plus an offset in screen pixels (scaled by
// uUnitsPerPixel), so line widths, dashes, arrowheads and marks keep their size on screen at any
// zoom without rebuilding the geometry.
//
// The fragment shaders are branch-free on purpose: in software GL (SwiftShader) every path of a
// branch runs for every pixel. Each computes a coverage (antialiased edges from distances in
// pixels) and writes premultiplied alpha, which PixiJS's normal blend mode expects.
import { Buffer, BufferUsage, Geometry, Mesh, Shader, UniformGroup } from 'pixi.js';
import { BOX_LAYOUT, GLYPH_LAYOUT, LINE_LAYOUT } from './draw.js';
import { lineScaleAt } from './geometry.js';
import type { AttributeLayout, TriBuffer } from './tri-buffer.js';

/** The zoom, shared by every topology shader; set before each render. */
export function createTopologyUniforms() {
  return new UniformGroup({
    uUnitsPerPixel: { value: 1, type: 'f32' },
    uPixelsPerUnit: { value: 1, type: 'f32' },
    /** Lines (widths, arrowheads, bars) are thinner when zoomed far out: see lineScaleAt. */
    uLineScale: { value: 1, type: 'f32' },
  });
}

/** Sets the zoom the shaders draw at. */
export function setZoom(uniforms: TopologyUniforms, scale: number): void {
  uniforms.uniforms.uUnitsPerPixel = 1 / scale;
  uniforms.uniforms.uPixelsPerUnit = scale;
  uniforms.uniforms.uLineScale = lineScaleAt(scale);
  uniforms.update();
}

export type TopologyUniforms = ReturnType<typeof createTopologyUniforms>;

const HEADER = /* glsl */ `#version 300 es
precision highp float;
uniform mat3 uProjectionMatrix;
uniform mat3 uWorldTransformMatrix;
uniform mat3 uTransformMatrix;
uniform float uUnitsPerPixel;
uniform float uPixelsPerUnit;
uniform float uLineScale;
vec4 place(vec2 world) {
  mat3 mvp = uProjectionMatrix * uWorldTransformMatrix * uTransformMatrix;
  return vec4((mvp * vec3(world, 1.0)).xy, 0.0, 1.0);
}
`;

const LINE_VERTEX = /* glsl */ `${HEADER}
in vec2 aPosition;
in vec2 aOffset;
in vec2 aDist;
in vec2 aAcross;
in vec4 aColor;
in vec4 aDash;
out vec2 vDist;
out vec2 vAcross;
flat out vec4 vColor;
flat out vec4 vDash;
void main() {
  gl_Position = place(aPosition + aOffset * (uLineScale * uUnitsPerPixel));
  vDist = vec2(aDist.x, aDist.y * uLineScale);
  vAcross = aAcross * uLineScale;
  vColor = aColor;
  vDash = aDash;
}
`;

const LINE_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec2 vDist;     // distance along the line: world units, plus pixels
in vec2 vAcross;   // signed distance across the line in pixels, half the width
flat in vec4 vColor;
flat in vec4 vDash; // on, off, on, off (pixels); all zero: solid
uniform float uPixelsPerUnit;
out vec4 finalColor;
void main() {
  float period = vDash.x + vDash.y + vDash.z + vDash.w;
  float t = mod(vDist.x * uPixelsPerUnit + vDist.y, max(period, 0.001));
  float on = step(t, vDash.x) + step(vDash.x + vDash.y, t) * step(t, vDash.x + vDash.y + vDash.z);
  on = max(min(on, 1.0), 1.0 - step(0.001, period));
  float cover = clamp(vAcross.y + 0.5 - abs(vAcross.x), 0.0, 1.0);
  float a = vColor.a * on * cover;
  finalColor = vec4(vColor.rgb * a, a);
}
`;

const BOX_VERTEX = /* glsl */ `${HEADER}
in vec2 aPosition;
in vec2 aLocal;
in vec4 aBox;
in vec4 aFill;
in vec4 aBorder;
out vec2 vLocal;
flat out vec4 vBox;
flat out vec4 vFill;
flat out vec4 vBorder;
void main() {
  gl_Position = place(aPosition);
  vLocal = aLocal;
  vBox = aBox;
  vFill = aFill;
  vBorder = aBorder;
}
`;

const BOX_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec2 vLocal;       // world units from the box's top-left corner
flat in vec4 vBox;    // width, height, corner radius (world), border width (pixels)
flat in vec4 vFill;
flat in vec4 vBorder;
uniform float uPixelsPerUnit;
out vec4 finalColor;
void main() {
  vec2 halfSize = vBox.xy * 0.5;
  vec2 q = abs(vLocal - halfSize) - halfSize + vBox.z;
  // Signed distance to the rounded outline, in pixels (negative inside).
  float d = (length(max(q, 0.0)) + min(max(q.x, q.y), 0.0) - vBox.z) * uPixelsPerUnit;
  float inside = clamp(0.5 - d, 0.0, 1.0);
  float border = clamp(d + vBox.w + 0.5, 0.0, 1.0) * step(0.001, vBox.w);
  vec4 fill = vec4(vFill.rgb * vFill.a, vFill.a);
  vec4 line = vec4(vBorder.rgb * vBorder.a, vBorder.a);
  finalColor = mix(fill, line, border) * inside;
}
`;

const GLYPH_VERTEX = /* glsl */ `${HEADER}
in vec2 aPosition;
in vec2 aOffset;
in vec2 aLocal;
in vec4 aShape;
in vec4 aColor;
out vec2 vLocal;
flat out vec4 vShape;
flat out vec4 vColor;
void main() {
  gl_Position = place(aPosition + aOffset * uUnitsPerPixel);
  vLocal = aLocal;
  vShape = aShape;
  vColor = aColor;
}
`;

/** Shape codes follow GLYPH_SHAPES in topology-palette.ts. */
const GLYPH_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec2 vLocal;        // -1..1 across the glyph
flat in vec4 vShape;   // shape code, half size in world units, half size in pixels
flat in vec4 vColor;
uniform float uPixelsPerUnit;
out vec4 finalColor;
float isShape(float code) { return 1.0 - step(0.5, abs(vShape.x - code)); }
void main() {
  vec2 p = vLocal;
  vec2 a = abs(p);
  float r = length(p);
  float circle = r - 0.92;
  float ring = abs(r - 0.7) - 0.22;
  vec2 sq = a - vec2(0.62);
  float square = length(max(sq, 0.0)) + min(max(sq.x, sq.y), 0.0) - 0.2;
  float diamond = (a.x + a.y - 1.0) * 0.7071;
  float hexagon = max(a.x * 0.866025 + a.y * 0.5, a.y) - 0.84;
  float triangle = max(a.x * 0.866025 - (p.y - 0.25) * 0.5, p.y - 0.25) - 0.55;
  float bar = max(a.x - 0.58, a.y - 0.17);
  float deny = max(circle, -bar);
  float d = circle * isShape(0.0) + ring * isShape(1.0) + square * isShape(2.0) + diamond * isShape(3.0) + hexagon * isShape(4.0) + triangle * isShape(5.0) + deny * isShape(6.0);
  float pixelsPerLocal = vShape.y * uPixelsPerUnit + vShape.z;
  float a1 = clamp(0.5 - d * pixelsPerLocal, 0.0, 1.0) * vColor.a;
  finalColor = vec4(vColor.rgb * a1, a1);
}
`;

export type MeshKind = 'line' | 'box' | 'glyph';

const PROGRAMS: Record<MeshKind, { layout: AttributeLayout; vertex: string; fragment: string }> = {
  line: { layout: LINE_LAYOUT, vertex: LINE_VERTEX, fragment: LINE_FRAGMENT },
  box: { layout: BOX_LAYOUT, vertex: BOX_VERTEX, fragment: BOX_FRAGMENT },
  glyph: { layout: GLYPH_LAYOUT, vertex: GLYPH_VERTEX, fragment: GLYPH_FRAGMENT },
};

/** A mesh drawing one TriBuffer: one interleaved vertex buffer, one index buffer, one draw call. */
export class TopologyMesh {
  readonly mesh: Mesh<Geometry, Shader>;
  private readonly vertices: Buffer;
  private readonly indices: Buffer;
  private readonly geometry: Geometry;
  private readonly stride: number;

  constructor(kind: MeshKind, uniforms: TopologyUniforms) {
    const { layout, vertex, fragment } = PROGRAMS[kind];
    this.stride = layout.reduce((sum, [, size]) => sum + size, 0);
    this.vertices = new Buffer({ data: new Float32Array(this.stride * 4), usage: BufferUsage.VERTEX | BufferUsage.COPY_DST });
    this.indices = new Buffer({ data: new Uint32Array(6), usage: BufferUsage.INDEX | BufferUsage.COPY_DST });
    let offset = 0;
    const attributes: Record<string, { buffer: Buffer; format: string; stride: number; offset: number }> = {};
    for (const [name, size] of layout) {
      attributes[name] = { buffer: this.vertices, format: size === 1 ? 'float32' : `float32x${size}`, stride: this.stride * 4, offset: offset * 4 };
      offset += size;
    }
    this.geometry = new Geometry({ attributes: attributes as never, indexBuffer: this.indices });
    const shader = Shader.from({ gl: { vertex, fragment, name: `kubeglance-topology-${kind}` }, resources: { topologyUniforms: uniforms } });
    this.mesh = new Mesh({ geometry: this.geometry, shader });
    // What is drawn is decided by the layout; PixiJS would only spend time on bounds.
    this.mesh.cullable = false;
    this.mesh.visible = false;
  }

  /** Uploads a rebuilt buffer (only the part in use, unless the arrays grew). */
  upload(tri: TriBuffer): void {
    if (this.vertices.data !== tri.data) this.vertices.data = tri.data;
    else this.vertices.update(tri.vertexCount * this.stride * 4);
    if (this.indices.data !== tri.indices) this.indices.data = tri.indices;
    else this.indices.update(tri.indexCount * 4);
    // Draw only the indices in use: the arrays are larger. (A count of 0 would mean "all".)
    this.geometry.indexCount = tri.indexCount;
    this.mesh.visible = tri.indexCount > 0;
  }
}
