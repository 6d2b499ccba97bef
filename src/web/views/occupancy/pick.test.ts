import { describe, expect, it } from 'vitest';
import { ClusterState } from '../../../model/cluster-state.js';
import { RECORD_KINDS, type ClusterRecord } from '../../../model/records.js';
import { node, pod } from '../../../model/testing/records.js';
import { generateCluster } from '../../../sources/simulated/generate.js';
import * as g from './geometry.js';
import { boxKey, layoutClusters, type LayoutOptions } from './layout.js';
import { cellRect, pick } from './pick.js';

const OPTIONS: LayoutOptions = { groupBy: 'kubeglance.io/pool', sortNodes: 'name', sortPods: 'status' };

function stateOf(id: string, records: Iterable<ClusterRecord>): ClusterState {
  const state = new ClusterState(id, id);
  for (const record of records) state.apply({ op: 'upsert', record });
  return state;
}

function generated(id: string, size: 'small' | 'medium', seed: number): ClusterState {
  const sim = generateCluster({ size, seed, now: Date.UTC(2025, 0, 6, 9) });
  return stateOf(id, RECORD_KINDS.flatMap((kind) => [...sim.ledger.records(kind)] as ClusterRecord[]));
}

/** A cluster with nodes that have no pool label, a node without a record, and pending pods for two reasons. */
const handmade = stateOf('h', [
  node('1', { name: 'n1' }),
  node('2', { name: 'n2' }),
  ...Array.from({ length: 23 }, (_, i) => pod(`a${i}`, { nodeName: i % 3 === 0 ? 'n1' : 'gone' })),
  ...Array.from({ length: 9 }, (_, i) => pod(`u${i}`, { phase: 'Pending', status: 'Pending', reason: i % 2 === 0 ? 'Unschedulable' : 'SchedulingGated' })),
]);

// Three clusters, stacked.
const layout = layoutClusters([generated('a', 'small', 1), handmade, generated('b', 'small', 2)], OPTIONS);

describe('pick', () => {
  it('finds every pod at the centre of its cell (round trip with cellRect)', () => {
    let pods = 0;
    const wrong: string[] = [];
    for (const box of layout.boxes) {
      box.cells.forEach((cellPod, cell) => {
        const r = cellRect(box, cell);
        const picked = pick(layout, r.x + r.w / 2, r.y + r.h / 2);
        const ok = cellPod === undefined
          ? picked?.box === box && picked.pod === undefined && picked.cell === undefined
          : picked?.box === box && picked.pod === cellPod && picked.cell === cell;
        if (!ok) wrong.push(`${box.key} cell ${cell}: picked ${picked?.box.key} ${picked?.pod?.name} ${picked?.cell}`);
        if (cellPod !== undefined) pods++;
      });
    }
    expect(wrong).toEqual([]);
    expect(pods).toBe(120 + 32 + 120);
    expect(layout.boxes.some((b) => b.kind === 'unscheduled' && b.podCount > 0)).toBe(true);
  });

  it('finds a pod on every corner of its square, and on the gap after it', () => {
    const box = layout.boxes.find((b) => b.podCount > 1)!;
    const cell = box.cells.findIndex((p) => p !== undefined);
    const r = cellRect(box, cell);
    for (const [x, y] of [[r.x, r.y], [r.x + r.w - 0.01, r.y], [r.x, r.y + r.h - 0.01], [r.x + g.CELL - 0.01, r.y + g.CELL - 0.01]] as const) {
      expect(pick(layout, x, y)).toEqual({ box, pod: box.cells[cell], cell });
    }
  });

  it('returns the box without a pod on its header, bars, padding and empty cells', () => {
    for (const box of layout.boxes) {
      const points = [
        [box.x + 1, box.y + 1], // header
        [box.x + box.w / 2, box.y + g.NODE_HEADER + 1], // bars
        [box.x + g.NODE_PAD / 2, box.y + g.GRID_TOP + 2], // left padding
        [box.x + box.w - g.NODE_PAD / 2, box.y + g.GRID_TOP + 2], // right padding
        [box.x + box.w / 2, box.y + box.h - g.NODE_PAD / 2], // bottom padding
        [box.x + box.w - 0.01, box.y + box.h - 0.01], // bottom right corner
      ] as const;
      for (const [x, y] of points) expect(pick(layout, x, y), `${box.key} at ${x},${y}`).toEqual({ box });
    }
    const withEmpty = layout.boxes.find((b) => b.cells.includes(undefined))!;
    const empty = withEmpty.cells.indexOf(undefined);
    const r = cellRect(withEmpty, empty);
    expect(pick(layout, r.x + 1, r.y + 1)).toEqual({ box: withEmpty });
  });

  it('returns nothing outside every box: between boxes, on group and cluster headers, beyond the world', () => {
    for (const box of layout.boxes) {
      expect(pick(layout, box.x - 0.5, box.y + box.h / 2)).toBeUndefined();
      expect(pick(layout, box.x + box.w / 2, box.y - 0.5)).toBeUndefined();
      // Right and bottom edges belong to what lies beyond the box.
      expect(pick(layout, box.x + box.w, box.y + box.h / 2)?.box).not.toBe(box);
      expect(pick(layout, box.x + box.w / 2, box.y + box.h)?.box).not.toBe(box);
    }
    for (const cluster of layout.clusters) expect(pick(layout, cluster.x + 2, cluster.y + 2)).toBeUndefined();
    for (const group of layout.clusters.flatMap((c) => c.groups)) expect(pick(layout, group.x + 2, group.y + 2)).toBeUndefined();
    expect(pick(layout, -1, -1)).toBeUndefined();
    expect(pick(layout, layout.width + 10, layout.height / 2)).toBeUndefined();
    expect(pick(layout, 10, layout.height + 10)).toBeUndefined();
  });

  it('finds nothing in an empty layout', () => {
    expect(pick(layoutClusters([], OPTIONS), 0, 0)).toBeUndefined();
  });
});

describe('cellRect', () => {
  it('is the drawn square of a cell, row by row from the top left of the pod grid', () => {
    const state = stateOf('c', [node('1', { name: 'n' }), ...Array.from({ length: 12 }, (_, i) => pod(`p${i}`, { nodeName: 'n' }))]);
    const box = layoutClusters([state], { ...OPTIONS, groupBy: '' }).boxByKey.get(boxKey('c', 'n'))!;
    expect(box.columns).toBe(5);
    expect(cellRect(box, 0)).toEqual({ x: box.x + g.NODE_PAD, y: box.y + g.GRID_TOP, w: g.POD, h: g.POD });
    expect(cellRect(box, 4)).toEqual({ x: box.x + g.NODE_PAD + 4 * g.CELL, y: box.y + g.GRID_TOP, w: g.POD, h: g.POD });
    expect(cellRect(box, 7)).toEqual({ x: box.x + g.NODE_PAD + 2 * g.CELL, y: box.y + g.GRID_TOP + g.CELL, w: g.POD, h: g.POD });
    // The last cell lies inside the box, padding included.
    const last = cellRect(box, box.columns * box.rows - 1);
    expect(last.x + g.CELL + g.NODE_PAD).toBeLessThanOrEqual(box.x + box.w);
    expect(last.y + g.CELL + g.NODE_PAD).toBeLessThanOrEqual(box.y + box.h);
  });
});
