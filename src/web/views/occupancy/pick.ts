// What is under a point of the occupancy view: a pod, a node (or unscheduled box), or nothing.
import type { PodRecord } from '../../../model/records.js';
import * as g from './geometry.js';
import type { OccupancyLayout, PodBox } from './layout.js';

export interface Picked {
  box: PodBox;
  /** The pod under the point, when the point is on a pod square. */
  pod?: PodRecord;
  cell?: number;
}

/** Scans the boxes (a few thousand rectangle tests: microseconds, no index needed). */
export function pick(layout: OccupancyLayout, x: number, y: number): Picked | undefined {
  for (const box of layout.boxes) {
    if (!g.contains(box, x, y)) continue;
    const gx = (x - box.x - g.NODE_PAD) / g.CELL;
    const gy = (y - box.y - g.GRID_TOP) / g.CELL;
    if (gx < 0 || gy < 0 || gx >= box.columns || gy >= box.rows) return { box };
    const cell = Math.floor(gy) * box.columns + Math.floor(gx);
    const pod = box.cells[cell];
    return pod === undefined ? { box } : { box, pod, cell };
  }
  return undefined;
}

/** The world rectangle of a box's cell (the drawn square, without the gap). */
export function cellRect(box: PodBox, cell: number): g.Rect {
  return {
    x: box.x + g.NODE_PAD + (cell % box.columns) * g.CELL,
    y: box.y + g.GRID_TOP + Math.floor(cell / box.columns) * g.CELL,
    w: g.POD,
    h: g.POD,
  };
}
