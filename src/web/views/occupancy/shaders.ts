// The drawing path for the occupancy view: two shaders, one quad per box each, one draw call each.
//
// - The grid shader draws every box (cluster, group, node, unscheduled pods): its fill, its
//   border and, for pod boxes, the pod grid. The fragment shader finds the pod cell under the
//   pixel, reads that cell's colour and shape from a data texture (one RGBA texel per cell) and
//   the shape's coverage from a small mask atlas.
// - The chrome shader draws the top of each pod box: the status header band and the CPU,
//   memory and pod-count bars.
//
// Both are branch-free on purpose. In software GL (SwiftShader: no GPU, as in CI and on many
// VMs) a fragment shader runs every path of every branch for every pixel, so cost follows the
// amount of shader code, not the path taken: an earlier single shader with a branch per region
// and per status cost 17× a plain fill. Here each pixel does a few multiply-adds and two texel
// fetches. A changed pod rewrites 4 bytes of texture; geometry changes only with the layout.
import * as g from './geometry.js';

/** Width of the pod data texture in texels; a power of two so the shader can use shifts. */
export const CELL_TEXTURE_WIDTH = 2048;
const CELL_TEXTURE_SHIFT = Math.log2(CELL_TEXTURE_WIDTH);

/** Shapes in the mask atlas (index = the shape code stored in a cell's alpha). */
export const SHAPES = ['square', 'hollow', 'half', 'cross', 'dot', 'dash', 'checker', 'none'] as const;
export type Shape = (typeof SHAPES)[number];
export const SHAPE_SIZE = 16;

/** Cell alpha: shape code × 32 + these flags. */
export const CELL_RESTARTED = 1;
export const CELL_OUTLINED = 2;

const f = (n: number) => n.toFixed(1);

/**
 * What each quad of a mesh carries (attribute → floats per vertex, besides aPosition and aLocal).
 * Each attribute `aName` reaches the fragment shader as the flat varying `vName`: the vertex
 * shader is generated from this (see quad-mesh.ts).
 */
export const GRID_ATTRIBUTES = { aBox: 4, aFill: 4, aBorder: 4 } as const;
export const CHROME_ATTRIBUTES = { aHeader: 4, aStripe: 4, aCpu: 4, aMemory: 4, aBorder: 4 } as const;

const GRID_FRAGMENT = /* glsl */ `
precision highp float;
precision highp int;
in vec2 vLocal;
flat in vec4 vBox;     // width, height, pod columns (0: no grid), first cell
flat in vec4 vFill;    // rgb fill, a = pod rows
flat in vec4 vBorder;  // rgb border, a = border width in pixels (negative: dashed)
uniform highp sampler2D uCells;   // per cell: rgb = colour as drawn, a = shape * 32 + flags
uniform highp sampler2D uShapes;  // per shape: r = coverage, g = restart corner, b = outline
uniform float uUnitsPerPixel;
uniform vec4 uMark;
out vec4 finalColor;

void main() {
  vec2 p = vLocal;
  float columns = vBox.z;
  float rows = vFill.a;
  float edge = min(min(p.x, p.y), min(vBox.x - p.x, vBox.y - p.y));
  float gap = step(vBorder.a, 0.0) * step(0.5, fract((p.x + p.y) / (8.0 * uUnitsPerPixel)));
  float border = (1.0 - step(abs(vBorder.a) * uUnitsPerPixel, edge)) * (1.0 - gap);

  vec2 gp = (p - vec2(${f(g.NODE_PAD)}, ${f(g.GRID_TOP)})) / ${f(g.CELL)};
  vec2 cell = floor(gp);
  float inGrid = step(0.0, gp.x) * step(0.0, gp.y) * (1.0 - step(columns, gp.x)) * (1.0 - step(rows, gp.y));
  vec2 safe = clamp(cell, vec2(0.0), max(vec2(columns, rows) - 1.0, vec2(0.0)));
  int index = int(vBox.w + 0.5) + int(safe.y) * int(columns + 0.5) + int(safe.x);
  vec4 texel = texelFetch(uCells, ivec2(index & ${CELL_TEXTURE_WIDTH - 1}, index >> ${CELL_TEXTURE_SHIFT}), 0);
#if DETAIL
  float code = floor(texel.a * 255.0 + 0.5);
  float shape = floor(code / 32.0);
  float restarted = mod(code, 2.0);
  float outlined = mod(floor(code / 2.0), 2.0);
  vec2 u = (gp - cell) * ${f(g.CELL / g.POD)};
  float inSquare = (1.0 - step(1.0, u.x)) * (1.0 - step(1.0, u.y));
  vec2 su = min(u, vec2(0.999));
  vec4 mask = texelFetch(uShapes, ivec2(int(shape) * ${SHAPE_SIZE} + int(su.x * ${f(SHAPE_SIZE)}), int(su.y * ${f(SHAPE_SIZE)})), 0);
  vec3 pod = mix(vFill.rgb, texel.rgb, mask.r);
  pod = mix(pod, uMark.rgb, mask.g * restarted);
  pod = mix(pod, uMark.rgb, mask.b * outlined);
  vec3 color = mix(vFill.rgb, pod, inGrid * inSquare);
#else
  // Overview: a cell is a few pixels wide, with no room for a gap or a shape; colour carries it.
  vec3 color = mix(vFill.rgb, texel.rgb, inGrid);
#endif
  finalColor = vec4(mix(color, vBorder.rgb, border), 1.0);
}
`;

const CHROME_FRAGMENT = /* glsl */ `
precision highp float;
in vec2 vLocal;
flat in vec4 vHeader;  // rgb header colour, a = box width
flat in vec4 vStripe;  // rgb stripe colour, a = 1 for stripes (not ready, cordoned) + 2 for no bars (unscheduled pods, placeholders)
flat in vec4 vCpu;     // reserved, requested, used (-1: no metrics), pods / max pods   (fractions of capacity)
flat in vec4 vMemory;  // reserved, requested, used, marks: 1 = pressure, 2 = tainted (sum)
flat in vec4 vBorder;  // rgb border, a = border width in pixels (negative: dashed)
uniform float uUnitsPerPixel;
uniform vec4 uFill;
uniform vec4 uBarBack;
uniform vec4 uReserved;
uniform vec4 uRequested;
uniform vec4 uUsed;
out vec4 finalColor;

const vec3 ALERT = vec3(0.835, 0.369, 0.000);
const vec3 AMBER = vec3(0.902, 0.624, 0.000);
const vec3 TAINT = vec3(0.800, 0.475, 0.655);

void main() {
  vec2 p = vLocal;
  float w = vHeader.a;
  float pressure = mod(vMemory.w, 2.0);
  float tainted = step(2.0, vMemory.w);

  // Header band: state colour, stripes for not ready / cordoned, corner marks.
  float stripe = step(0.5, fract((p.x + p.y) / 10.0)) * mod(vStripe.a, 2.0);
  float hasBars = 1.0 - step(2.0, vStripe.a);
  vec3 header = mix(vHeader.rgb, vStripe.rgb, stripe);
  header = mix(header, AMBER, pressure * step(w - 14.0, p.x));
  header = mix(header, TAINT, tainted * (1.0 - step(10.0, p.x + p.y)));

#if DETAIL
  // Bars: CPU, memory, pods. Reserved first, then requests (upper half) and usage (lower half).
  float by = p.y - ${f(g.NODE_HEADER + 1)};
  float slot = floor(by / ${f(g.BAR_HEIGHT + g.BAR_GAP)});
  float v = (by - slot * ${f(g.BAR_HEIGHT + g.BAR_GAP)}) / ${f(g.BAR_HEIGHT)};
  float t = (p.x - ${f(g.NODE_PAD)}) / (w - ${f(2 * g.NODE_PAD)});
  float inBar = hasBars * step(0.0, by) * (1.0 - step(1.0, v)) * step(0.0, t) * (1.0 - step(1.0, t)) * (1.0 - step(3.0, slot));
  float isPods = step(1.5, slot);
  vec4 bar = mix(vCpu, vMemory, step(0.5, slot));
  float reserved = bar.x * (1.0 - isPods);
  float requested = mix(bar.y, vCpu.w, isPods);
  float used = mix(bar.z, -1.0, isPods);
  float upper = 1.0 - step(0.5, v);
  float hasUsage = step(0.0, used);
  vec3 c = uBarBack.rgb;
  c = mix(c, uRequested.rgb, max(upper, isPods) * step(t, reserved + requested));
  c = mix(c, uUsed.rgb, (1.0 - upper) * (1.0 - isPods) * hasUsage * step(t, reserved + used));
  c = mix(c, uReserved.rgb, step(t, reserved));
  float shown = mix(reserved + used * hasUsage, reserved + requested, max(upper, isPods));
  c = mix(c, ALERT, step(1.0, shown) * step(0.94, t));
  vec3 bars = mix(uFill.rgb, c, inBar);

#else
  // Overview: the bars are under a pixel tall; the header band alone carries the node's state.
  vec3 bars = uFill.rgb;
#endif
  vec3 color = mix(bars, header, 1.0 - step(${f(g.NODE_HEADER)}, p.y));
  float edge = min(min(p.x, p.y), w - p.x);
  float gap = step(vBorder.a, 0.0) * step(0.5, fract((p.x + p.y) / (8.0 * uUnitsPerPixel)));
  finalColor = vec4(mix(color, vBorder.rgb, (1.0 - step(abs(vBorder.a) * uUnitsPerPixel, edge)) * (1.0 - gap)), 1.0);
}
`;

/**
 * The shape atlas: SHAPES side by side, each SHAPE_SIZE² texels. Channel r is the shape's
 * coverage, g the restart corner, b the outline drawn around a selected or hovered pod.
 */
export function shapeAtlas(): Uint8Array {
  const n = SHAPE_SIZE;
  const data = new Uint8Array(SHAPES.length * n * n * 4);
  SHAPES.forEach((shape, s) => {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const u = { x: (x + 0.5) / n, y: (y + 0.5) / n };
        const o = (y * SHAPES.length * n + s * n + x) * 4;
        data[o] = covers(shape, u) ? 255 : 0;
        data[o + 1] = u.x > 0.62 && u.y < 0.38 && u.x - 0.62 > u.y ? 255 : 0;
        data[o + 2] = Math.max(Math.abs(u.x - 0.5), Math.abs(u.y - 0.5)) > 0.5 - 2 / n ? 255 : 0;
        data[o + 3] = 255;
      }
    }
  });
  return data;
}

/** Whether a shape covers a point of the unit square. Each status has its own shape. */
export function covers(shape: Shape, u: { x: number; y: number }): boolean {
  const cx = Math.abs(u.x - 0.5);
  const cy = Math.abs(u.y - 0.5);
  switch (shape) {
    case 'square': return true;
    case 'hollow': return Math.max(cx, cy) > 0.26;
    case 'half': return u.x + u.y > 0.95;
    case 'cross': return Math.abs(cx - cy) < 0.17;
    case 'dot': return cx * cx + cy * cy < 0.09;
    case 'dash': return cy < 0.16;
    case 'checker': return u.x < 0.5 !== u.y < 0.5;
    case 'none': return false;
  }
}

/**
 * Level of detail. 'detail' draws pod shapes, gaps, restart marks and node bars; 'overview' is
 * for zooms where a pod cell is under 4 pixels and none of that can be seen, and costs about half.
 * (In software GL a branch cannot skip work, so each level is its own program.)
 */
export type Detail = 'detail' | 'overview';
export const DETAIL_MIN_CELL_PIXELS = 4;

export function gridFragment(detail: Detail): string {
  return withDetail(GRID_FRAGMENT, detail);
}

export function chromeFragment(detail: Detail): string {
  return withDetail(CHROME_FRAGMENT, detail);
}

function withDetail(source: string, detail: Detail): string {
  return `#version 300 es\n#define DETAIL ${detail === 'detail' ? 1 : 0}\n${source}`;
}
