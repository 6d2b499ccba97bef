// Sizes of everything the occupancy view draws, in world units (1 unit = 1 CSS pixel at zoom 1).
// Shared by the layout (where boxes go), the pod-grid shader (what is drawn inside a box) and hit
// testing (what is under the pointer), so the three can never disagree.

/** One pod square plus the gap after it. */
export const CELL = 10;
/** The drawn pod square. */
export const POD = 8;

export const NODE_PAD = 4;
/** Band at the top of a node box: status colour and, when zoomed in, the node's name. */
export const NODE_HEADER = 16;
export const BAR_HEIGHT = 3;
export const BAR_GAP = 2;
/** Bars under the header: CPU, memory, pod count. */
export const BAR_COUNT = 3;
/** Where the pod grid starts inside a node box. */
export const GRID_TOP = NODE_HEADER + BAR_COUNT * (BAR_HEIGHT + BAR_GAP) + 1;
export const MIN_POD_COLUMNS = 5;
export const NODE_GAP = 6;

export const GROUP_HEADER = 20;
export const GROUP_PAD = 8;
export const GROUP_GAP = 12;

export const CLUSTER_HEADER = 28;
export const CLUSTER_PAD = 10;
export const CLUSTER_GAP = 40;

/** Target width:height of a cluster's node area (a wide screen). */
export const CLUSTER_ASPECT = 1.8;

export function nodeWidth(columns: number): number {
  return 2 * NODE_PAD + columns * CELL;
}

export function nodeHeight(rows: number): number {
  return GRID_TOP + rows * CELL + NODE_PAD;
}

/** Pod grid columns for a group whose fullest node holds `maxPods`: a square-ish grid. */
export function podColumns(maxPods: number): number {
  return Math.max(MIN_POD_COLUMNS, Math.ceil(Math.sqrt(Math.max(1, maxPods))));
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function contains(rect: Rect, x: number, y: number): boolean {
  return x >= rect.x && y >= rect.y && x < rect.x + rect.w && y < rect.y + rect.h;
}
