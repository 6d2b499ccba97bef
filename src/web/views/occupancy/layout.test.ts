import { assert, describe, expect, it } from 'vitest';
import { ClusterState } from '../../../model/cluster-state.js';
import { visualStatus } from '../../../model/occupancy.js';
import { RECORD_KINDS, type ClusterRecord, type NodeRecord, type PodRecord } from '../../../model/records.js';
import { node, pod, usage } from '../../../model/testing/records.js';
import { generateCluster } from '../../../sources/simulated/generate.js';
import * as g from './geometry.js';
import {
  NO_LABEL,
  OTHER_REASONS,
  UNKNOWN_GROUP,
  nodeSelectionUid,
  placeholderName,
  boxKey,
  fillCells,
  NODE_SLACK,
  NODE_SLACK_PODS,
  layoutClusters,
  naturalCompare,
  unscheduledKey,
  unscheduledReason,
  type LayoutOptions,
  type OccupancyLayout,
  type PodBox,
} from './layout.js';

const NOW = Date.UTC(2025, 0, 6, 9, 0, 0);
const GI = 2 ** 30;
const MI = 2 ** 20;
const ZONE = 'topology.kubernetes.io/zone';
const POOL = 'kubeglance.io/pool';
const BY_NAME: LayoutOptions = { groupBy: '', sortNodes: 'name', sortPods: 'name' };

function stateOf(records: Iterable<ClusterRecord>, id = 'c1', name = id): ClusterState {
  const state = new ClusterState(id, name);
  for (const record of records) state.apply({ op: 'upsert', record });
  return state;
}

function generatedRecords(size: 'small' | 'medium', seed: number): ClusterRecord[] {
  const sim = generateCluster({ size, seed, now: NOW });
  return RECORD_KINDS.flatMap((kind) => [...sim.ledger.records(kind)] as ClusterRecord[]);
}

/** A node under a given name (pods refer to nodes by name). */
function worker(name: string, fields: Partial<NodeRecord> = {}): NodeRecord {
  return node(name, { name, ...fields });
}

/** A pod on a node, named after its uid. */
function on(nodeName: string | undefined, uid: string, fields: Partial<PodRecord> = {}): PodRecord {
  return pod(uid, { name: uid, ...(nodeName === undefined ? {} : { nodeName }), ...fields });
}

const isPod = (p: PodRecord | undefined): p is PodRecord => p !== undefined;
const isSystem = (p: PodRecord) => p.daemon === true || p.namespace === 'kube-system';
const names = (cells: readonly (PodRecord | undefined)[]) => cells.map((p) => p?.name ?? '.');
/** The expected cells of a box: `top` from the top left, `bottom` from the bottom left, '.' elsewhere. */
function grid(box: PodBox, top: string[], bottom: string[]): string[] {
  const cells = new Array<string>(box.columns * box.rows).fill('.');
  top.forEach((name, i) => (cells[i] = name));
  bottom.forEach((name, k) => (cells[(box.rows - 1 - Math.floor(k / box.columns)) * box.columns + (k % box.columns)] = name));
  return cells;
}

const right = (r: g.Rect) => r.x + r.w;
const bottom = (r: g.Rect) => r.y + r.h;

function inside(inner: g.Rect, outer: g.Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && right(inner) <= right(outer) && bottom(inner) <= bottom(outer);
}

function overlap(a: g.Rect, b: g.Rect): boolean {
  return a.x < right(b) && b.x < right(a) && a.y < bottom(b) && b.y < bottom(a);
}

function expectDisjoint(rects: readonly g.Rect[], what: string): void {
  const sorted = [...rects].sort((a, b) => a.x - b.x);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j]!.x < right(sorted[i]!); j++) {
      if (overlap(sorted[i]!, sorted[j]!)) assert.fail(`${what} overlap: ${JSON.stringify(sorted[i])} and ${JSON.stringify(sorted[j])}`);
    }
  }
}

/** Everything a layout promises, checked against the states it was made from. */
function expectSoundLayout(layout: OccupancyLayout, states: ClusterState[], options: LayoutOptions): void {
  const shows = options.shows ?? (() => true);
  expect(layout.clusters.map((c) => c.id)).toEqual(states.map((s) => s.id));

  // Boxes: every one listed once, in texture order, under a unique key.
  let cell = 0;
  for (const box of layout.boxes) {
    expect(box.firstCell).toBe(cell);
    expect(box.cells).toHaveLength(box.columns * box.rows);
    expect(box.w).toBe(g.nodeWidth(box.columns));
    expect(box.h).toBe(g.nodeHeight(box.rows));
    expect(box.podCount).toBe(box.cells.filter(isPod).length);
    expect(layout.boxByKey.get(box.key)).toBe(box);
    cell += box.columns * box.rows;
  }
  expect(layout.cellCount).toBe(cell);
  expect(layout.boxByKey.size).toBe(layout.boxes.length);
  const inClusters = layout.clusters.flatMap((c) => [...c.groups.flatMap((group) => group.nodes), ...c.unscheduled]);
  expect(new Set(inClusters)).toEqual(new Set(layout.boxes));
  expect(inClusters).toHaveLength(layout.boxes.length);

  // Geometry: nothing overlaps, everything lies inside what contains it.
  expectDisjoint(layout.boxes, 'boxes');
  expectDisjoint(layout.clusters, 'clusters');
  const world = { x: 0, y: 0, w: layout.width, h: layout.height };
  for (const cluster of layout.clusters) {
    expect(inside(cluster, world)).toBe(true);
    expectDisjoint([...cluster.groups, ...cluster.unscheduled], `groups of ${cluster.id}`);
    for (const group of cluster.groups) {
      expect(inside(group, cluster)).toBe(true);
      for (const box of group.nodes) expect(inside(box, group)).toBe(true);
    }
    for (const box of cluster.unscheduled) expect(inside(box, cluster)).toBe(true);
  }

  states.forEach((state, i) => {
    const cluster = layout.clusters[i]!;
    // Every (shown) pod exactly once.
    const placed = [...cluster.groups.flatMap((group) => group.nodes), ...cluster.unscheduled].flatMap((box) => box.cells.filter(isPod).map((p) => p.uid));
    const expected = [...state.records('Pod')].filter(shows).map((p) => p.uid);
    expect(placed.sort()).toEqual(expected.sort());

    for (const group of cluster.groups) {
      // One size per group, from its fullest node: room for it and one more pod, not a row more than that needs.
      const fullest = Math.max(1, ...group.nodes.map((box) => state.podsOnNode(box.name).filter(shows).length));
      for (const box of group.nodes) {
        expect(box.kind).toBe('node');
        expect(box.cluster).toBe(state.id);
        expect(box.key).toBe(boxKey(state.id, box.name));
        expectSizedFor(box, fullest);
        expect([box.columns, box.rows]).toEqual([group.nodes[0]!.columns, group.nodes[0]!.rows]);
        expect(box.cells.every((p) => p === undefined || p.nodeName === box.name), `pods of ${box.key} are on it`).toBe(true);
        // A node box counts every pod on the node, shown or not.
        if (box.node !== undefined) expect(box.occupancy?.podCount).toBe(state.podsOnNode(box.name).filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed').length);
        expectBands(box);
      }
    }
    for (const box of cluster.unscheduled) {
      expect(box.kind).toBe('unscheduled');
      expect(box.key).toBe(unscheduledKey(state.id, box.name));
      expect(box.cells.every((p) => p?.nodeName === undefined), `pods of ${box.key} have no node`).toBe(true);
      // Unscheduled boxes sit right of the node groups.
      for (const group of cluster.groups) expect(box.x).toBeGreaterThanOrEqual(right(group));
    }
  });
}

/** A node box sized for its group's fullest node: a square-ish grid with room for a few more pods, and no empty row beyond that. */
function expectSizedFor(box: PodBox, fullest: number): void {
  const room = fullest * NODE_SLACK + NODE_SLACK_PODS;
  expect(box.columns).toBe(g.podColumns(fullest));
  expect(box.columns * box.rows).toBeGreaterThanOrEqual(room);
  expect(box.columns * (box.rows - 1)).toBeLessThan(room);
}

/** Workload pods fill from the top left; system pods form a band of bottom rows, or follow the workloads when crowded. */
function expectBands(box: PodBox): 'band' | 'crowded' {
  const pods = box.cells.filter(isPod);
  const workloads = pods.filter((p) => !isSystem(p)).length;
  const system = pods.length - workloads;
  expect(box.cells.slice(0, workloads).every((p) => p !== undefined && !isSystem(p))).toBe(true);
  const systemRows = Math.ceil(system / box.columns);
  const systemCells = box.cells.flatMap((p, i) => (p !== undefined && isSystem(p) ? [i] : []));
  if (workloads <= (box.rows - systemRows) * box.columns) {
    // The bottom rows, filled from the bottom left.
    expect(systemCells.every((i) => Math.floor(i / box.columns) >= box.rows - systemRows)).toBe(true);
    if (system > 0) expect(box.cells[(box.rows - 1) * box.columns]).toSatisfy((p: PodRecord | undefined) => p !== undefined && isSystem(p));
    return 'band';
  }
  expect(systemCells).toEqual(Array.from({ length: system }, (_, k) => workloads + k));
  return 'crowded';
}

/** What a layout puts where, without the records' identities: for comparing two layouts. */
function shape(layout: OccupancyLayout) {
  return {
    size: [layout.width, layout.height, layout.cellCount],
    clusters: layout.clusters.map((c) => ({
      id: c.id, rect: [c.x, c.y, c.w, c.h],
      groups: c.groups.map((group) => [group.value, group.x, group.y, group.w, group.h, group.nodes.map((n) => n.key)]),
    })),
    boxes: layout.boxes.map((b) => [b.key, b.x, b.y, b.w, b.h, b.columns, b.rows, b.firstCell, b.cells.map((p) => p?.uid ?? '')]),
  };
}

const smallRecords = generatedRecords('small', 1);
const mediumRecords = generatedRecords('medium', 1);
const small = stateOf(smallRecords, 'small');
const medium = stateOf(mediumRecords, 'medium');

describe('layoutClusters on generated clusters', () => {
  const variants: [string, LayoutOptions][] = [
    ['ungrouped, by name', BY_NAME],
    ['by pool, fullest CPU first, failing pods first', { groupBy: POOL, sortNodes: 'cpuRequested', sortPods: 'status' }],
    ['by zone, by pod count, by CPU', { groupBy: ZONE, sortNodes: 'pods', sortPods: 'cpu' }],
    ['by a label no node has', { groupBy: 'example.com/none', sortNodes: 'age', sortPods: 'age' }],
    ['hiding kube-system and every third pod', { ...BY_NAME, groupBy: POOL, shows: (p) => p.namespace !== 'kube-system' && p.uid.charCodeAt(p.uid.length - 1) % 3 !== 0 }],
  ];

  it.each(variants)('places every pod of the small cluster once, without overlaps (%s)', (_, options) => {
    expectSoundLayout(layoutClusters([small], options), [small], options);
  });

  it.each(variants)('places every pod of the medium cluster once, without overlaps (%s)', (_, options) => {
    expectSoundLayout(layoutClusters([medium], options), [medium], options);
  });

  it('has system pods in a band at the bottom of the nodes of a generated cluster', () => {
    const layout = layoutClusters([medium], { groupBy: POOL, sortNodes: 'name', sortPods: 'name' });
    const modes = layout.boxes.filter((b) => b.kind === 'node').map(expectBands);
    expect(modes.filter((m) => m === 'band').length).toBeGreaterThan(100);
    // The generated cluster has DaemonSet pods and kube-system pods on its nodes.
    expect(layout.boxes.some((b) => b.cells.some((p) => p?.daemon === true))).toBe(true);
  });

  it('groups the generated pending pods by the scheduler reason without its node counts', () => {
    const layout = layoutClusters([medium], BY_NAME);
    const pending = [...medium.records('Pod')].filter((p) => p.nodeName === undefined);
    expect(pending.length).toBeGreaterThan(0);
    const [cluster] = layout.clusters;
    expect(cluster!.unscheduled.length).toBeGreaterThan(0);
    for (const box of cluster!.unscheduled) expect(box.name).not.toMatch(/^\d+\/\d+ nodes/);
    expect(cluster!.unscheduled.reduce((n, b) => n + b.podCount, 0)).toBe(pending.length);
  });

  it('is deterministic: the same clusters give the same layout, whatever order the records came in', () => {
    const options: LayoutOptions = { groupBy: POOL, sortNodes: 'memoryRequested', sortPods: 'status' };
    const once = shape(layoutClusters([medium], options));
    expect(shape(layoutClusters([medium], options))).toEqual(once);
    expect(shape(layoutClusters([stateOf([...mediumRecords].reverse(), 'medium')], options))).toEqual(once);
  });

  it('stacks two clusters vertically without overlap, even with the same node names', () => {
    const again = stateOf(smallRecords, 'copy', 'copy of small');
    const layout = layoutClusters([small, medium, again], BY_NAME);
    expectSoundLayout(layout, [small, medium, again], BY_NAME);
    const [a, b, c] = layout.clusters;
    expect(a!.y).toBe(0);
    expect(b!.y).toBe(a!.y + a!.h + g.CLUSTER_GAP);
    expect(c!.y).toBe(b!.y + b!.h + g.CLUSTER_GAP);
    expect(layout.height).toBe(bottom(c!));
    expect(layout.width).toBe(Math.max(a!.w, b!.w, c!.w));
    expect(layout.boxByKey.has(boxKey('small', small.records('Node').next().value!.name))).toBe(true);
    expect(layout.boxByKey.has(boxKey('copy', small.records('Node').next().value!.name))).toBe(true);
  });
});

describe('layoutClusters', () => {
  it('lays out nothing for no clusters, and a header-only box for an empty cluster', () => {
    expect(layoutClusters([], BY_NAME)).toMatchObject({ clusters: [], boxes: [], cellCount: 0, width: 0, height: 0 });
    const layout = layoutClusters([stateOf([], 'empty')], BY_NAME);
    expect(layout.boxes).toEqual([]);
    expect(layout.clusters[0]).toMatchObject({ id: 'empty', groups: [], unscheduled: [], x: 0, y: 0, h: g.CLUSTER_HEADER + g.CLUSTER_PAD });
    expect(layout.height).toBe(g.CLUSTER_HEADER + g.CLUSTER_PAD);
  });

  it('sizes every node box of a group from its fullest node, and gives empty nodes a box', () => {
    const pods = Array.from({ length: 30 }, (_, i) => on('big', `p${i}`));
    const state = stateOf([worker('big'), worker('small'), worker('empty'), ...pods, on('small', 'q1')]);
    const layout = layoutClusters([state], BY_NAME);
    const boxes = ['big', 'small', 'empty'].map((n) => layout.boxByKey.get(boxKey('c1', n))!);
    // 30 pods: 6 columns (a square-ish grid, at least 5), rows for 31 or a few more.
    for (const box of boxes) {
      expect(box.columns).toBe(6);
      expectSizedFor(box, 30);
      expect([box.rows, box.w, box.h]).toEqual([boxes[0]!.rows, g.nodeWidth(6), g.nodeHeight(boxes[0]!.rows)]);
    }
    expect(boxes.map((b) => b.podCount)).toEqual([30, 1, 0]);
    expect(boxes[2]!.cells.every((p) => p === undefined)).toBe(true);
    expectSoundLayout(layout, [state], BY_NAME);
  });

  it('puts workload pods from the top left and DaemonSet and kube-system pods in the bottom row', () => {
    const state = stateOf([
      worker('n'),
      ...['w3', 'w1', 'w2', 'w5', 'w4', 'w7', 'w6'].map((uid) => on('n', uid)),
      on('n', 'ds-b', { daemon: true }),
      on('n', 'ds-a', { daemon: true }),
      on('n', 'kube-proxy', { namespace: 'kube-system' }),
      on('n', 'coredns', { namespace: 'kube-system' }),
    ]);
    const box = layoutClusters([state], BY_NAME).boxes[0]!;
    expect(box.columns).toBe(5);
    expect(box.rows).toBeGreaterThanOrEqual(3);
    expect(names(box.cells)).toEqual(grid(box, ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'], ['coredns', 'ds-a', 'ds-b', 'kube-proxy']));
  });

  it('fills a crowded node completely, system pods following the workloads, and loses no pod', () => {
    // 16 workloads in a box of 5 columns and 4 rows leave no free bottom row. (A layout leaves
    // room above the fullest node; a node crowds its box when pods arrive between layouts.)
    const workloads = Array.from({ length: 16 }, (_, i) => on('n', `w${String(i + 1).padStart(2, '0')}`));
    const pods = [...workloads, on('n', 's1', { daemon: true })];
    const state = stateOf([worker('n'), ...pods]);
    const laidOut = layoutClusters([state], BY_NAME).boxes[0]!;
    const box: PodBox = { ...laidOut, columns: 5, rows: 4, cells: new Array<PodRecord | undefined>(20) };
    expect(fillCells(box, pods, state, BY_NAME)).toBe(true);
    expect([box.columns, box.rows, box.podCount]).toEqual([5, 4, 17]);
    expect(names(box.cells)).toEqual([...workloads.map((p) => p.name), 's1', '.', '.', '.']);
    expect(expectBands(box)).toBe('crowded');
  });

  it('makes one group per label value, in natural order, with nodes without the label, then placeholders, last', () => {
    const state = stateOf([
      worker('n1', { labels: { [ZONE]: 'z-10' } }),
      worker('n2', { labels: { [ZONE]: 'z-2' } }),
      worker('n3'),
      worker('n4', { labels: { [ZONE]: 'z-2' } }),
      worker('n5', { labels: { [ZONE]: 'a' } }),
      worker('n6', { labels: { other: 'x' } }),
      on('ghost', 'p-on-a-node-nobody-can-see'),
    ]);
    const options: LayoutOptions = { ...BY_NAME, groupBy: ZONE };
    const layout = layoutClusters([state], options);
    const groups = layout.clusters[0]!.groups;
    expect(groups.map((group) => [group.value, group.nodes.map((n) => n.name)])).toEqual([
      ['a', ['n5']],
      ['z-2', ['n2', 'n4']],
      ['z-10', ['n1']],
      [NO_LABEL, ['n3', 'n6']],
      // A node pods name without a Node record: its labels are not known, nor is its group.
      [UNKNOWN_GROUP, ['ghost']],
    ]);
    // A grouped group has a header above its nodes; groups stack top to bottom.
    for (const group of groups) for (const box of group.nodes) expect(box.y).toBeGreaterThanOrEqual(group.y + g.GROUP_HEADER + g.GROUP_PAD);
    for (let i = 1; i < groups.length; i++) expect(groups[i]!.y).toBeGreaterThanOrEqual(bottom(groups[i - 1]!) + g.GROUP_GAP);
    expectSoundLayout(layout, [state], options);

    const ungrouped = layoutClusters([state], BY_NAME).clusters[0]!.groups;
    expect(ungrouped.map((group) => group.value)).toEqual(['']);
    expect(ungrouped[0]!.nodes[0]!.y).toBe(ungrouped[0]!.y + g.GROUP_PAD);
  });

  it('gives pods on a node without a Node record a box of their own', () => {
    const state = stateOf([worker('n1'), on('n1', 'a'), on('gone', 'b'), on('gone', 'c')]);
    const layout = layoutClusters([state], BY_NAME);
    const box = layout.boxByKey.get(boxKey('c1', 'gone'));
    expect(box).toMatchObject({ kind: 'node', name: 'gone', node: undefined, occupancy: undefined, podCount: 2, detailsHidden: false });
    expect(names(box!.cells.filter(isPod))).toEqual(['b', 'c']);
    expectSoundLayout(layout, [state], BY_NAME);
  });

  it('gives placeholders only what their pods say (requests, no capacity), marked hidden only when the server says so', () => {
    const state = stateOf([
      worker('n1'),
      on('n1', 'a'),
      on('hidden-1', 'b', { requests: { cpu: 250, memory: 64 * MI } }),
      on('hidden-1', 'c', { requests: { cpu: 500, memory: 128 * MI } }),
      // A finished pod still names the node, but holds nothing.
      on('hidden-1', 'done', { phase: 'Succeeded', status: 'Succeeded', requests: { cpu: 4000, memory: GI } }),
    ]);
    const shown = layoutClusters([state], BY_NAME);
    const placeholder = shown.boxByKey.get(boxKey('c1', 'hidden-1'))!;
    expect(placeholder).toMatchObject({ kind: 'node', node: undefined, occupancy: undefined, podCount: 3, detailsHidden: false });
    expect(placeholder.placeholder).toEqual({ name: 'hidden-1', podCount: 2, requested: { cpu: 750, memory: 192 * MI } });
    expect(shown.boxByKey.get(boxKey('c1', 'n1'))!.placeholder).toBeUndefined();
    expect(shown.clusters[0]).toMatchObject({ placeholders: 1, nodesHidden: false });

    const hidden = layoutClusters([state], { ...BY_NAME, nodesHidden: true });
    expect(hidden.boxByKey.get(boxKey('c1', 'hidden-1'))).toMatchObject({ detailsHidden: true });
    // A real node is never marked hidden, whatever the server says.
    expect(hidden.boxByKey.get(boxKey('c1', 'n1'))).toMatchObject({ detailsHidden: false, placeholder: undefined });
    expect(hidden.clusters[0]).toMatchObject({ placeholders: 1, nodesHidden: true });
    expectSoundLayout(hidden, [state], BY_NAME);
  });

  it('draws every pod of a user who sees no nodes in placeholders grouped as unknown, whatever the grouping', () => {
    // As the server sends it with `nodes: false`: pods with their nodeName, no Node records.
    const state = stateOf([on('w1', 'a'), on('w1', 'b'), on('w2', 'c'), pod('pending', { phase: 'Pending', status: 'Pending' })]);
    for (const groupBy of [ZONE, POOL]) {
      const layout = layoutClusters([state], { ...BY_NAME, groupBy, nodesHidden: true });
      const groups = layout.clusters[0]!.groups;
      expect(groups.map((group) => [group.value, group.nodes.map((n) => n.name)])).toEqual([[UNKNOWN_GROUP, ['w1', 'w2']]]);
      expect(groups[0]!.nodes.every((box) => box.placeholder !== undefined && box.detailsHidden)).toBe(true);
      expect(names(layout.boxes.filter((b) => b.kind === 'node').flatMap((b) => b.cells.filter(isPod)))).toEqual(['a', 'b', 'c']);
      expect(layout.clusters[0]!.unscheduled.map((b) => b.podCount)).toEqual([1]);
      expectSoundLayout(layout, [state], { ...BY_NAME, groupBy });
    }
  });

  it('keeps a placeholder box (same key, same place) as its pods change, and drops it when the last pod leaves or the Node arrives', () => {
    const state = stateOf([on('w1', 'a'), on('w1', 'b'), on('w2', 'c')]);
    const options: LayoutOptions = { ...BY_NAME, nodesHidden: true };
    const before = layoutClusters([state], options).boxByKey.get(boxKey('c1', 'w1'))!;
    // A pod's status changes and another pod comes: the same box, in the same place.
    state.apply({ op: 'upsert', record: on('w1', 'a', { status: 'CrashLoopBackOff', ready: false }) });
    state.apply({ op: 'upsert', record: on('w1', 'd') });
    const after = layoutClusters([state], options).boxByKey.get(boxKey('c1', 'w1'))!;
    expect({ x: after.x, y: after.y, key: after.key, detailsHidden: after.detailsHidden }).toEqual({ x: before.x, y: before.y, key: before.key, detailsHidden: true });
    expect(names(after.cells.filter(isPod))).toEqual(['a', 'b', 'd']);
    expect(after.placeholder?.podCount).toBe(3);
    // The last pod of w2 goes: so does its box.
    state.apply({ op: 'delete', kind: 'Pod', uid: 'c' });
    expect(layoutClusters([state], options).boxByKey.has(boxKey('c1', 'w2'))).toBe(false);
    // w1's Node record arrives (nodes became visible, or it synced): a real node box, not a placeholder.
    state.apply({ op: 'upsert', record: worker('w1') });
    const real = layoutClusters([state], options);
    expect(real.boxByKey.get(boxKey('c1', 'w1'))).toMatchObject({ placeholder: undefined, detailsHidden: false, node: { name: 'w1' } });
    expect(real.clusters[0]!.placeholders).toBe(0);
  });

  it('selects a placeholder by a name-based id that no node uid can be, and a node by its uid', () => {
    const state = stateOf([worker('n1'), on('ghost', 'a')]);
    const layout = layoutClusters([state], BY_NAME);
    const ghost = layout.boxByKey.get(boxKey('c1', 'ghost'))!;
    const uid = nodeSelectionUid(ghost)!;
    expect(placeholderName(uid)).toBe('ghost');
    expect(nodeSelectionUid(layout.boxByKey.get(boxKey('c1', 'n1'))!)).toBe('n1');
    expect(placeholderName('n1')).toBeUndefined();
    expect(placeholderName('0b9d1c6e-5d2f-4c1a-9a57-3c3f2f0b8e11')).toBeUndefined();
  });

  it('places nodes row by row in the sorted order', () => {
    const state = stateOf(Array.from({ length: 12 }, (_, i) => worker(`node-${12 - i}`)));
    const layout = layoutClusters([state], BY_NAME);
    const boxes = layout.clusters[0]!.groups[0]!.nodes;
    expect(boxes.map((b) => b.name)).toEqual(Array.from({ length: 12 }, (_, i) => `node-${i + 1}`));
    // Reading order: left to right, then the next row down.
    for (let i = 1; i < boxes.length; i++) {
      const [a, b] = [boxes[i - 1]!, boxes[i]!];
      expect(b.y > a.y || (b.y === a.y && b.x > a.x)).toBe(true);
    }
    // More than one row, and the rows are wider than tall (about CLUSTER_ASPECT).
    const perRow = boxes.filter((b) => b.y === boxes[0]!.y).length;
    expect(perRow).toBeGreaterThan(1);
    expect(perRow).toBeLessThan(12);
  });
});

describe('sorting nodes', () => {
  // cpu requested: node-1 25%, node-2 75%, node-10 50%; memory: node-1 50%, node-2 ~0%, node-10 25%;
  // pods: node-2 3, node-10 2, node-1 1; usage: node-1 cpu 75% memory 1Gi, node-10 cpu 25% memory 10Gi,
  // node-2 no metrics; age: node-10 oldest, then node-2, node-1; a node pods name but nobody can see.
  const records: ClusterRecord[] = [
    node('1', { createdAt: 3 }),
    node('2', { createdAt: 2 }),
    node('10', { createdAt: 1 }),
    on('node-1', 'a1', { requests: { cpu: 1000, memory: 8 * GI } }),
    ...['b1', 'b2', 'b3'].map((uid) => on('node-2', uid, { requests: { cpu: 1000, memory: MI } })),
    ...['c1', 'c2'].map((uid) => on('node-10', uid, { requests: { cpu: 1000, memory: 2 * GI } })),
    ...['g1', 'g2', 'g3', 'g4'].map((uid) => on('node-ghost', uid)),
    usage('NodeMetrics', '1', { cpu: 3000, memory: GI }),
    usage('NodeMetrics', '10', { cpu: 1000, memory: 10 * GI }),
  ];
  const state = stateOf(records);
  const order = (sortNodes: LayoutOptions['sortNodes']) =>
    layoutClusters([state], { ...BY_NAME, sortNodes }).clusters[0]!.groups[0]!.nodes.map((b) => b.name);

  it.each([
    ['name', ['node-1', 'node-2', 'node-10', 'node-ghost']],
    ['cpuRequested', ['node-2', 'node-10', 'node-1', 'node-ghost']],
    ['memoryRequested', ['node-1', 'node-10', 'node-2', 'node-ghost']],
    ['cpuUsed', ['node-1', 'node-10', 'node-2', 'node-ghost']],
    ['memoryUsed', ['node-10', 'node-1', 'node-2', 'node-ghost']],
    ['pods', ['node-ghost', 'node-2', 'node-10', 'node-1']],
    ['age', ['node-10', 'node-2', 'node-1', 'node-ghost']],
  ] as const)('sorts by %s', (sortNodes, expected) => {
    expect(order(sortNodes)).toEqual(expected);
  });

  it('breaks ties by name, in natural order, and puts overcommitted nodes (no allocatable) first', () => {
    const none = { cpu: 0, memory: 0, pods: 0 };
    const tied = stateOf([
      ...['node-10', 'node-9', 'node-1'].map((name) => worker(name)),
      worker('node-zero', { allocatable: none }),
      worker('node-zero-2', { allocatable: none }),
      ...['node-10', 'node-9', 'node-1', 'node-zero', 'node-zero-2'].map((name) => on(name, `${name}-p`)),
    ]);
    const nodes = layoutClusters([tied], { ...BY_NAME, sortNodes: 'cpuRequested' }).clusters[0]!.groups[0]!.nodes;
    expect(nodes.map((b) => b.name)).toEqual(['node-zero', 'node-zero-2', 'node-1', 'node-9', 'node-10']);
    expect(nodes[0]!.occupancy?.cpuRequested).toBe(Infinity);
  });
});

describe('sorting pods', () => {
  const cells = (state: ClusterState, sortPods: LayoutOptions['sortPods']) =>
    names(layoutClusters([state], { ...BY_NAME, sortPods }).boxes[0]!.cells.filter(isPod));

  it('by status: what needs attention first, then by name', () => {
    const state = stateOf([
      worker('n'),
      on('n', 'ok-2'),
      on('n', 'done', { phase: 'Succeeded', status: 'Succeeded', ready: false }),
      on('n', 'ok-1'),
      on('n', 'creating', { phase: 'Pending', status: 'ContainerCreating', ready: false }),
      on('n', 'going', { deletingAt: 5, status: 'Running' }),
      on('n', 'crash', { status: 'CrashLoopBackOff', ready: false }),
      on('n', 'lost', { phase: 'Unknown', status: 'Unknown', ready: false }),
      on('n', 'half', { status: 'NotReady', ready: false }),
      on('n', 'error', { status: 'Error', ready: false }),
    ]);
    const sorted = cells(state, 'status');
    expect(sorted).toEqual(['crash', 'error', 'half', 'creating', 'going', 'lost', 'ok-1', 'ok-2', 'done']);
    const byUid = new Map([...state.records('Pod')].map((p) => [p.name, p]));
    expect(visualStatus(byUid.get(sorted[0]!)!)).toBe('failing');
  });

  it('by name (plain string order, unlike nodes), by age (oldest first), by cpu and memory (usage when measured, else requests, largest first)', () => {
    const state = stateOf([
      worker('n'),
      on('n', 'p-10', { createdAt: 1, requests: { cpu: 500, memory: 3 * MI } }),
      on('n', 'p-2', { createdAt: 3, requests: { cpu: 100, memory: 1 * MI } }),
      on('n', 'p-1', { createdAt: 2, requests: { cpu: 200, memory: 2 * MI } }),
      usage('PodMetrics', 'p-2', { cpu: 900, memory: 1 }),
    ]);
    expect(cells(state, 'name')).toEqual(['p-1', 'p-10', 'p-2']);
    expect(cells(state, 'age')).toEqual(['p-10', 'p-1', 'p-2']);
    expect(cells(state, 'cpu')).toEqual(['p-2', 'p-10', 'p-1']);
    expect(cells(state, 'memory')).toEqual(['p-10', 'p-1', 'p-2']);
  });

  it('sorts DaemonSet and kube-system pods among themselves, from the bottom left', () => {
    const state = stateOf([
      worker('n'),
      on('n', 'ds-ok', { daemon: true }),
      on('n', 'ds-crash', { daemon: true, status: 'CrashLoopBackOff', ready: false }),
      ...['app-4', 'app-3', 'app-2', 'app-1'].map((uid) => on('n', uid)),
    ]);
    const box = layoutClusters([state], { ...BY_NAME, sortPods: 'status' }).boxes[0]!;
    expect(names(box.cells)).toEqual(grid(box, ['app-1', 'app-2', 'app-3', 'app-4'], ['ds-crash', 'ds-ok']));
  });
});

describe('unscheduled pods', () => {
  const message = (nodes: number, reason: string) => `0/${nodes} nodes are available: ${reason}`;

  it('are grouped by the scheduler reason, whatever the node counts in front of it', () => {
    const state = stateOf([
      worker('n'),
      on(undefined, 'a', { status: 'Pending', phase: 'Pending', reason: 'Unschedulable', schedulingMessage: message(150, '3 Insufficient cpu.') }),
      on(undefined, 'b', { status: 'Pending', phase: 'Pending', reason: 'Unschedulable', schedulingMessage: message(149, '3 Insufficient cpu.') }),
      on(undefined, 'c', { status: 'Pending', phase: 'Pending', reason: 'Unschedulable', schedulingMessage: message(150, '1 node(s) had volume node affinity conflict.') }),
      on(undefined, 'd', { status: 'Pending', phase: 'Pending' }),
    ]);
    const layout = layoutClusters([state], BY_NAME);
    const boxes = layout.clusters[0]!.unscheduled;
    expect(boxes.map((b) => [b.name, names(b.cells.filter(isPod))])).toEqual([
      ['3 Insufficient cpu.', ['a', 'b']],
      ['1 node(s) had volume node affinity conflict.', ['c']],
      ['Pending', ['d']],
    ]);
    for (const box of boxes) {
      expect(box).toMatchObject({ kind: 'unscheduled', node: undefined, occupancy: undefined });
      expect(box.key).toBe(unscheduledKey('c1', box.name));
      // Room to grow without a full layout.
      expect(box.columns * box.rows).toBeGreaterThanOrEqual(Math.ceil(box.podCount * 1.5));
    }
    expectSoundLayout(layout, [state], BY_NAME);
  });

  it('share one "other reasons" box beyond the six most common reasons', () => {
    // Reason r1 has 8 pods, r2 7, ... r8 1.
    const pods = Array.from({ length: 8 }, (_, r) =>
      Array.from({ length: 8 - r }, (_, i) => on(undefined, `r${r + 1}-${i}`, { phase: 'Pending', status: 'Pending', reason: `r${r + 1}` })),
    ).flat();
    const layout = layoutClusters([stateOf(pods)], BY_NAME);
    const boxes = layout.clusters[0]!.unscheduled;
    expect(boxes.map((b) => [b.name, b.podCount])).toEqual([['r1', 8], ['r2', 7], ['r3', 6], ['r4', 5], ['r5', 4], ['r6', 3], [OTHER_REASONS, 3]]);
    expect(names(boxes[6]!.cells.filter(isPod))).toEqual(['r7-0', 'r7-1', 'r8-0']);
    expectSoundLayout(layout, [stateOf(pods)], BY_NAME);

    const six = layoutClusters([stateOf(pods.filter((p) => !/^r[78]-/.test(p.name)))], BY_NAME);
    expect(six.clusters[0]!.unscheduled.map((b) => b.name)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('ranks reasons with the same count by name', () => {
    const pods = ['b', 'a', 'c'].map((reason) => on(undefined, `p-${reason}`, { phase: 'Pending', status: 'Pending', reason }));
    expect(layoutClusters([stateOf(pods)], BY_NAME).clusters[0]!.unscheduled.map((b) => b.name)).toEqual(['a', 'b', 'c']);
  });
});

describe('unscheduledReason', () => {
  it('drops the node counts in front of a scheduler message', () => {
    expect(unscheduledReason(pod('a', { schedulingMessage: '0/150 nodes are available: 65 Insufficient cpu. preemption: 0/150 nodes are available: 150 No preemption victims found for incoming pod.' })))
      .toBe('65 Insufficient cpu. preemption: 0/150 nodes are available: 150 No preemption victims found for incoming pod.');
    expect(unscheduledReason(pod('a', { schedulingMessage: '0/3 nodes are available: 3 node(s) were unschedulable.' }))).toBe('3 node(s) were unschedulable.');
  });

  it('keeps other messages whole, and falls back to the reason, then the status', () => {
    expect(unscheduledReason(pod('a', { schedulingMessage: 'pod has unbound immediate PersistentVolumeClaims: not found', reason: 'Unschedulable' })))
      .toBe('pod has unbound immediate PersistentVolumeClaims: not found');
    expect(unscheduledReason(pod('a', { reason: 'SchedulingGated', status: 'Pending' }))).toBe('SchedulingGated');
    expect(unscheduledReason(pod('a', { status: 'Pending' }))).toBe('Pending');
  });

  it('cuts long reasons to 120 characters', () => {
    const reason = unscheduledReason(pod('a', { schedulingMessage: `0/5 nodes are available: ${'x'.repeat(300)}` }));
    expect(reason).toHaveLength(120);
    expect(reason).toBe(`${'x'.repeat(119)}…`);
    expect(unscheduledReason(pod('a', { reason: 'y'.repeat(120) }))).toBe('y'.repeat(120));
  });
});

describe('hidden pods (shows)', () => {
  const records: ClusterRecord[] = [
    worker('n'),
    on('n', 'a'),
    on('n', 'b', { namespace: 'hidden' }),
    on('n', 'c'),
    on('n', 'd', { namespace: 'hidden' }),
    on(undefined, 'pending-hidden', { namespace: 'hidden', phase: 'Pending', status: 'Pending' }),
  ];
  const shows = (p: PodRecord) => p.namespace !== 'hidden';

  it('leaves them out of the cells, but not out of the node occupancy', () => {
    const state = stateOf(records);
    const layout = layoutClusters([state], { ...BY_NAME, shows });
    const box = layout.boxByKey.get(boxKey('c1', 'n'))!;
    expect(names(box.cells.filter(isPod))).toEqual(['a', 'c']);
    expect(box.podCount).toBe(2);
    expect(box.occupancy?.podCount).toBe(4);
    expect(box.occupancy?.requested.cpu).toBe(400);
    // Hidden pending pods get no box at all.
    expect(layout.clusters[0]!.unscheduled).toEqual([]);
    expectSoundLayout(layout, [state], { ...BY_NAME, shows });
  });

  it('size node boxes by the pods shown', () => {
    const many = [worker('n'), ...Array.from({ length: 40 }, (_, i) => on('n', `h${i}`, { namespace: 'hidden' })), on('n', 'shown')];
    const box = layoutClusters([stateOf(many)], { ...BY_NAME, shows }).boxes[0]!;
    expect([box.columns, box.rows, box.podCount]).toEqual([g.MIN_POD_COLUMNS, 1, 1]);
  });
});

describe('fillCells', () => {
  // Six pods: a box of 5 columns and 2 rows.
  const state = stateOf([worker('n'), ...['a', 'b', 'c', 'd', 'e', 'f'].map((uid) => on('n', uid))]);
  const fresh = () => layoutClusters([state], BY_NAME).boxes[0]!;
  const many = (n: number, prefix = 'p', fields: Partial<PodRecord> = {}) =>
    Array.from({ length: n }, (_, i) => on('n', `${prefix}${String(i + 1).padStart(2, '0')}`, fields));

  it('refills a box in place and clears cells that emptied', () => {
    const box = fresh();
    expect([box.columns, box.rows, box.podCount]).toEqual([5, 2, 6]);
    expect(fillCells(box, [on('n', 'z'), on('n', 'y', { daemon: true })], state, BY_NAME)).toBe(true);
    expect(names(box.cells)).toEqual(grid(box, ['z'], ['y']));
    expect(box.podCount).toBe(2);
  });

  it('returns false, and leaves the box as it was, when the pods do not fit', () => {
    const box = fresh();
    const before = [...box.cells];
    const capacity = box.columns * box.rows;
    expect(fillCells(box, many(capacity + 1), state, BY_NAME)).toBe(false);
    expect(box.cells).toEqual(before);
    expect(box.podCount).toBe(6);
    expect(fillCells(box, many(capacity), state, BY_NAME)).toBe(true);
    expect(box.podCount).toBe(capacity);
    expect(box.cells.every(isPod)).toBe(true);
  });

  it('counts only the pods shown against the capacity', () => {
    const box = fresh();
    const capacity = box.columns * box.rows;
    const pods = [...many(capacity), ...many(2, 'h', { namespace: 'hidden' })];
    expect(fillCells(box, pods, state, { ...BY_NAME, shows: (p) => p.namespace !== 'hidden' })).toBe(true);
    expect(names(box.cells)).toEqual(many(capacity).map((p) => p.name));
    expect(box.podCount).toBe(capacity);
  });

  it('puts system pods right after the workloads when a bottom band would overlap them, losing none', () => {
    const box = fresh();
    expect([box.columns, box.rows]).toEqual([5, 2]);
    expect(fillCells(box, [...many(8, 'w'), ...many(2, 's', { daemon: true })], state, BY_NAME)).toBe(true);
    expect(names(box.cells)).toEqual(['w01', 'w02', 'w03', 'w04', 'w05', 'w06', 'w07', 'w08', 's01', 's02']);
    expect(expectBands(box)).toBe('crowded');
    // Single-row boxes have no room for a band: system pods always follow the workloads there.
    const pods = [on('n', 'app'), on('n', 'ds', { daemon: true })];
    const singleState = stateOf([worker('n'), ...pods]);
    const single: PodBox = { ...layoutClusters([singleState], BY_NAME).boxes[0]!, columns: 5, rows: 1, cells: new Array<PodRecord | undefined>(5) };
    expect(fillCells(single, pods, singleState, BY_NAME)).toBe(true);
    expect(names(single.cells)).toEqual(['app', 'ds', '.', '.', '.']);
  });
});

describe('naturalCompare', () => {
  it('orders numbers inside names by value', () => {
    expect(naturalCompare('node-2', 'node-10')).toBeLessThan(0);
    expect(naturalCompare('node-10', 'node-2')).toBeGreaterThan(0);
    expect(naturalCompare('node-2', 'node-2')).toBe(0);
    expect(['node-10', 'node-1', 'node-b', 'node-2', 'node-a'].sort(naturalCompare)).toEqual(['node-1', 'node-2', 'node-10', 'node-a', 'node-b']);
    expect(['ip-10-0-12-5', 'ip-10-0-2-50', 'ip-10-0-2-6'].sort(naturalCompare)).toEqual(['ip-10-0-2-6', 'ip-10-0-2-50', 'ip-10-0-12-5']);
  });
});
