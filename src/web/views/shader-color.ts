// A colour as the shaders take it: 0..1 floats, with a fourth value (an alpha, or whatever the
// attribute carries alongside the colour). Shared by the occupancy and topology views.
import type { Rgb } from './occupancy/palette.js';

export function rgba(rgb: Rgb, fourth: number): [number, number, number, number] {
  return [rgb[0] / 255, rgb[1] / 255, rgb[2] / 255, fourth];
}
