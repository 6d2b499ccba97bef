// The drawing path for everything rectangular in the occupancy view: one quad per cluster,
// group and node, drawn by one shader in one draw call. A node's quad draws its border, status
// header, CPU/memory/pod bars and its whole pod grid: the fragment shader finds the pod cell
// under each pixel and reads that pod's status from a data texture (one RGBA texel per cell).
//
// Why not one display object per pod: in software GL (no GPU, as in CI and on many VMs) a frame
// costs per object and per covered pixel; a PixiJS sprite or particle per pod made 150,000 pods
// run at 5–7 fps, while this path costs about as much as one full-screen quad. Changing a pod
// rewrites 4 bytes of texture, not geometry.
import * as g from './geometry.js';

/** Box kinds (attribute aInfo.x). */
export const KIND_CLUSTER = 0;
export const KIND_GROUP = 1;
export const KIND_NODE = 2;
export const KIND_UNSCHEDULED = 3;

/** Node flags (attribute aInfo.y, a bit set). */
export const NODE_NOT_READY = 1;
export const NODE_CORDONED = 2;
export const NODE_PRESSURE = 4;
export const NODE_TAINTED = 8;
export const NODE_SELECTED = 16;
export const NODE_HOVERED = 32;
export const NODE_UNKNOWN = 64;

/** Pod cell texel: R = status code, or EMPTY_CELL; G = these flags. */
export const EMPTY_CELL = 255;
export const POD_RESTARTED = 1;
export const POD_DIMMED = 2;
export const POD_SELECTED = 4;
export const POD_HOVERED = 8;

/** Width of the pod data texture in texels (a row holds this many cells). */
export const CELL_TEXTURE_WIDTH = 2048;

const f = (n: number) => n.toFixed(1);

// GLSL ES 3.00 (WebGL2): texelFetch, integer maths and flat varyings. PixiJS treats a shader as
// ES 3.00 only when the source says so.
export const BOX_VERTEX = /* glsl */ `#version 300 es
in vec2 aPosition;
in vec2 aLocal;
in vec4 aBox;
in vec4 aCpu;
in vec4 aMemory;
in vec4 aInfo;

uniform mat3 uProjectionMatrix;
uniform mat3 uWorldTransformMatrix;
uniform mat3 uTransformMatrix;

out vec2 vLocal;
flat out vec4 vBox;
flat out vec4 vCpu;
flat out vec4 vMemory;
flat out vec4 vInfo;

void main() {
  mat3 mvp = uProjectionMatrix * uWorldTransformMatrix * uTransformMatrix;
  gl_Position = vec4((mvp * vec3(aPosition, 1.0)).xy, 0.0, 1.0);
  vLocal = aLocal;
  vBox = aBox;
  vCpu = aCpu;
  vMemory = aMemory;
  vInfo = aInfo;
}
`;

export const BOX_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
precision highp int;

in vec2 vLocal;
flat in vec4 vBox;     // width, height, pod columns, first cell
flat in vec4 vCpu;     // reserved, requested, used (-1: no metrics), pod count / max pods   (fractions of capacity)
flat in vec4 vMemory;  // reserved, requested, used, unused
flat in vec4 vInfo;    // kind, flags, pod rows, unused

uniform highp sampler2D uCells;
uniform vec4 uClusterFill;
uniform vec4 uGroupFill;
uniform vec4 uNodeFill;
uniform vec4 uBorder;
uniform vec4 uHeader;
uniform vec4 uBarBack;
uniform vec4 uReserved;
uniform vec4 uRequested;
uniform vec4 uUsed;
uniform vec4 uEmptyCell;
uniform vec4 uMark;
uniform vec4 uBackground;

out vec4 finalColor;

const vec3 STATUS[7] = vec3[7](
  vec3(0.000, 0.620, 0.451),  // ready: bluish green
  vec3(0.902, 0.624, 0.000),  // not ready: orange
  vec3(0.337, 0.706, 0.914),  // pending: sky blue
  vec3(0.835, 0.369, 0.000),  // failing: vermillion
  vec3(0.549, 0.549, 0.549),  // succeeded: grey
  vec3(0.800, 0.475, 0.655),  // terminating: reddish purple
  vec3(0.941, 0.894, 0.259)   // unknown: yellow
);
const vec3 NOT_READY = vec3(0.835, 0.369, 0.000);
const vec3 CORDONED = vec3(0.902, 0.624, 0.000);
const vec3 TAINTED = vec3(0.800, 0.475, 0.655);
const vec3 SELECTED = vec3(0.000, 0.447, 0.698);
const vec3 OVER = vec3(0.835, 0.369, 0.000);

bool has(int flags, int bit) { return (flags & bit) != 0; }

// Shape of each status inside a unit square (u in [0,1]^2): colour is never the only signal.
bool inShape(int status, vec2 u) {
  vec2 c = abs(u - 0.5);
  if (status == 0) return true;                                  // ready: filled square
  if (status == 1) return max(c.x, c.y) > 0.26;                  // not ready: hollow square
  if (status == 2) return u.x + u.y > 0.95;                      // pending: half square
  if (status == 3) return abs(c.x - c.y) < 0.17;                 // failing: cross
  if (status == 4) return dot(c, c) < 0.09;                      // succeeded: dot
  if (status == 5) return c.y < 0.16;                            // terminating: dash
  return (u.x < 0.5) != (u.y < 0.5);                             // unknown: checkerboard
}

vec3 bar(float t, float reserved, float requested, float used, vec3 base, float v) {
  // Reserved (capacity - allocatable) first, then requests after it; real usage is the lower
  // half of the bar. Anything beyond capacity is clamped and marked in the alert colour.
  if (t < reserved) return uReserved.rgb;
  float x = t - reserved;
  if (v < 0.5) {
    if (x < requested) return reserved + requested > 1.0 && t > 0.94 ? OVER : uRequested.rgb;
  } else if (used >= 0.0 && x < used) {
    return reserved + used > 1.0 && t > 0.94 ? OVER : uUsed.rgb;
  }
  return base;
}

vec4 drawPodBox(vec2 p, float upp) {
  int kind = int(vInfo.x + 0.5);
  int flags = int(vInfo.y + 0.5);
  float w = vBox.x;
  float h = vBox.y;
  float edge = min(min(p.x, p.y), min(w - p.x, h - p.y));
  bool selected = has(flags, ${NODE_SELECTED});
  bool hovered = has(flags, ${NODE_HOVERED});
  float borderWidth = (selected ? 3.0 : hovered ? 2.0 : 1.0) * upp;
  if (edge < borderWidth) {
    if (selected || hovered) return vec4(SELECTED, 1.0);
    if (has(flags, ${NODE_NOT_READY})) return vec4(NOT_READY, 1.0);
    return uBorder;
  }
  // Header band: status of the node at a glance, readable at any zoom.
  if (p.y < ${f(g.NODE_HEADER)}) {
    if (kind == ${KIND_UNSCHEDULED}) return mod(floor((p.x + p.y) / 4.0), 2.0) < 1.0 ? uHeader : uBackground;
    if (has(flags, ${NODE_NOT_READY})) return mod(floor((p.x - p.y) / 5.0), 2.0) < 1.0 ? vec4(NOT_READY, 1.0) : uHeader;
    if (has(flags, ${NODE_CORDONED})) return mod(floor((p.x + p.y) / 5.0), 2.0) < 1.0 ? vec4(CORDONED, 1.0) : uHeader;
    if (has(flags, ${NODE_PRESSURE}) && p.x > w - 14.0) return vec4(CORDONED, 1.0);
    if (has(flags, ${NODE_TAINTED}) && p.x + p.y < 10.0) return vec4(TAINTED, 1.0);
    if (has(flags, ${NODE_UNKNOWN})) return mod(floor(p.x / 3.0), 2.0) < 1.0 ? uHeader : uNodeFill;
    return uHeader;
  }
  float inner = w - ${f(2 * g.NODE_PAD)};
  float t = (p.x - ${f(g.NODE_PAD)}) / inner;
  if (p.y < ${f(g.GRID_TOP)}) {
    if (kind == ${KIND_UNSCHEDULED} || t < 0.0 || t >= 1.0) return uNodeFill;
    float by = p.y - ${f(g.NODE_HEADER + 1)};
    float slot = floor(by / ${f(g.BAR_HEIGHT + g.BAR_GAP)});
    float v = (by - slot * ${f(g.BAR_HEIGHT + g.BAR_GAP)}) / ${f(g.BAR_HEIGHT)};
    if (v >= 1.0 || by < 0.0) return uNodeFill;
    if (slot < 0.5) return vec4(bar(t, vCpu.x, vCpu.y, vCpu.z, uBarBack.rgb, v), 1.0);
    if (slot < 1.5) return vec4(bar(t, vMemory.x, vMemory.y, vMemory.z, uBarBack.rgb, v), 1.0);
    return vec4(t < vCpu.w ? (vCpu.w > 1.0 && t > 0.94 ? OVER : uReserved.rgb) : uBarBack.rgb, 1.0);
  }
  // Pod grid.
  vec2 gp = (p - vec2(${f(g.NODE_PAD)}, ${f(g.GRID_TOP)})) / ${f(g.CELL)};
  float columns = vBox.z;
  float rows = vInfo.z;
  if (gp.x < 0.0 || gp.y < 0.0 || gp.x >= columns || gp.y >= rows) return uNodeFill;
  vec2 cell = floor(gp);
  vec2 inCell = (gp - cell) * ${f(g.CELL)};
  float cellPixels = ${f(g.CELL)} / upp;
  // Below about 4 pixels a cell has no room for gaps or shapes: colour carries the status.
  bool detailed = cellPixels >= 4.0;
  if (detailed && (inCell.x >= ${f(g.POD)} || inCell.y >= ${f(g.POD)})) return uNodeFill;
  int index = int(vBox.w + 0.5) + int(cell.y) * int(columns + 0.5) + int(cell.x);
  vec4 texel = texelFetch(uCells, ivec2(index % ${CELL_TEXTURE_WIDTH}, index / ${CELL_TEXTURE_WIDTH}), 0);
  int status = int(texel.r * 255.0 + 0.5);
  int podFlags = int(texel.g * 255.0 + 0.5);
  if (status == ${EMPTY_CELL}) return detailed ? uEmptyCell : uNodeFill;
  vec2 u = inCell / ${f(g.POD)};
  vec3 color = STATUS[min(status, 6)];
  bool dim = has(podFlags, ${POD_DIMMED});
  if (has(podFlags, ${POD_SELECTED}) || has(podFlags, ${POD_HOVERED})) {
    if (detailed && max(abs(u.x - 0.5), abs(u.y - 0.5)) > 0.5 - 1.5 * upp / ${f(g.POD)}) return uMark;
    dim = false;
  }
  vec3 shaped = detailed && !inShape(status, u) ? uEmptyCell.rgb : color;
  // Restarts: a small corner mark (top right).
  if (detailed && has(podFlags, ${POD_RESTARTED}) && u.x > 0.62 && u.y < 0.38 && u.x - 0.62 > u.y) shaped = uMark.rgb;
  if (dim) shaped = mix(uBackground.rgb, shaped, ${f(0.22)});
  return vec4(shaped, 1.0);
}

void main() {
  vec2 p = vLocal;
  float upp = max(fwidth(p.x), 1e-4); // world units per screen pixel
  int kind = int(vInfo.x + 0.5);
  if (kind == ${KIND_CLUSTER} || kind == ${KIND_GROUP}) {
    float edge = min(min(p.x, p.y), min(vBox.x - p.x, vBox.y - p.y));
    if (edge < upp) { finalColor = uBorder; return; }
    finalColor = kind == ${KIND_CLUSTER} ? uClusterFill : uGroupFill;
    return;
  }
  finalColor = drawPodBox(p, upp);
}
`;
