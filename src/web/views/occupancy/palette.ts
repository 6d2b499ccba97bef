// Colours of the occupancy view. Pod statuses use the Okabe–Ito palette (distinguishable with
// the common forms of colour blindness) and each status also has its own shape, so nothing
// depends on colour alone. The same status colours work on light and dark backgrounds.
import type { VisualStatus } from '../../../model/occupancy.js';
import type { Shape } from './shaders.js';

export type Rgb = readonly [number, number, number];

export interface StatusStyle {
  color: Rgb;
  /** How the square looks, for the legend and for people who do not tell the colours apart. */
  shape: string;
  label: string;
}

export const STATUS_STYLES: Record<VisualStatus, StatusStyle> = {
  ready: { color: [0x00, 0x9e, 0x73], shape: 'filled square', label: 'Ready' },
  notReady: { color: [0xe6, 0x9f, 0x00], shape: 'hollow square', label: 'Not ready' },
  pending: { color: [0x56, 0xb4, 0xe9], shape: 'half square', label: 'Pending / creating' },
  failing: { color: [0xd5, 0x5e, 0x00], shape: 'cross', label: 'Crash-looping / error' },
  succeeded: { color: [0x8c, 0x8c, 0x8c], shape: 'dot', label: 'Succeeded' },
  terminating: { color: [0xcc, 0x79, 0xa7], shape: 'dash', label: 'Terminating' },
  unknown: { color: [0xf0, 0xe4, 0x42], shape: 'checkerboard', label: 'Unknown' },
};

/** The shape each status is drawn with (see the shape atlas in shaders.ts). */
export const STATUS_SHAPE: Record<VisualStatus, Shape> = {
  ready: 'square',
  notReady: 'hollow',
  pending: 'half',
  failing: 'cross',
  succeeded: 'dot',
  terminating: 'dash',
  unknown: 'checker',
};

export interface Theme {
  name: 'light' | 'dark';
  background: Rgb;
  clusterFill: Rgb;
  nodeFill: Rgb;
  border: Rgb;
  header: Rgb;
  barBack: Rgb;
  reserved: Rgb;
  requested: Rgb;
  used: Rgb;
  emptyCell: Rgb;
  /** The dashed border of a placeholder node (pods name it; its details are not known). */
  placeholderBorder: Rgb;
  /** Restart marks, selection outlines and other marks drawn over pods. */
  mark: Rgb;
  text: number;
  mutedText: number;
}

export const LIGHT: Theme = {
  name: 'light',
  background: [0xf4, 0xf5, 0xf7],
  clusterFill: [0xff, 0xff, 0xff],
  nodeFill: [0xff, 0xff, 0xff],
  border: [0xb8, 0xbe, 0xc8],
  header: [0xd9, 0xde, 0xe6],
  barBack: [0xe6, 0xe8, 0xec],
  reserved: [0x9a, 0xa0, 0xa8],
  requested: [0x00, 0x72, 0xb2],
  used: [0x1f, 0x29, 0x37],
  emptyCell: [0xf1, 0xf2, 0xf5],
  placeholderBorder: [0x7a, 0x82, 0x8f],
  mark: [0x11, 0x11, 0x11],
  text: 0x1f2937,
  mutedText: 0x5b6472,
};

export const DARK: Theme = {
  name: 'dark',
  background: [0x11, 0x14, 0x1a],
  clusterFill: [0x1a, 0x1e, 0x26],
  nodeFill: [0x15, 0x19, 0x20],
  border: [0x3a, 0x42, 0x50],
  header: [0x2c, 0x33, 0x40],
  barBack: [0x2a, 0x30, 0x3b],
  reserved: [0x6b, 0x72, 0x80],
  requested: [0x3d, 0xa5, 0xe0],
  used: [0xe5, 0xe7, 0xeb],
  emptyCell: [0x1c, 0x21, 0x2a],
  placeholderBorder: [0x7d, 0x86, 0x96],
  mark: [0xf5, 0xf5, 0xf5],
  text: 0xe5e7eb,
  mutedText: 0x9aa3b2,
};

/** Node state marks (alert colours are Okabe–Ito too). */
export const NOT_READY: Rgb = [0xd5, 0x5e, 0x00];
export const CORDONED: Rgb = [0xe6, 0x9f, 0x00];
export const SELECTED: Rgb = [0x00, 0x72, 0xb2];

export function cssColor([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** What a dimmed (filtered-out) colour becomes: mostly background, a hint of the colour. */
export const DIM_KEEP = 0.22;

export function dimmed(color: Rgb, background: Rgb): Rgb {
  return [0, 1, 2].map((i) => Math.round(color[i]! * DIM_KEEP + background[i]! * (1 - DIM_KEEP))) as unknown as Rgb;
}
