// Lays out a ShapedGraph: each namespace group on its own, then the group boxes packed into
// slots. Runs in the layout worker (layout-worker.ts); pure apart from the ELK instance it is given.
//
// Within a group the unit of work is a block: a set of vertices that ELK lays out together with
// the edges it routes. Blocks are the connected components of the group's own edges, except that
// a component too big for ELK (ELK_BUDGET: ELK layered on a dense 300-vertex namespace takes tens
// of seconds, as every long edge becomes a chain of dummy nodes) is laid out over its backbone
// only, the `routes` and `selects` edges (entry → Service → workloads: small trees, cheap for ELK),
// its other edges drawn straight (with some hysteresis around the budget, so that a namespace at
// the budget does not switch back and forth). Each block goes to ELK `layered` (direction RIGHT,
// model order considered), all new blocks in one ELK call; single vertices, and the many blocks of
// one Service and its one workload, need no ELK at all.
//
// Blocks are packed into the group box by this file, not by ELK's own component packing: ELK
// orders components by size and recomputes its row width from the total area, so one added
// workload could move every other component; here the order is fixed (bigger blocks first, then
// by id) and the row width is kept while the group's area stays within a band.
//
// Stability, from coarse to fine, all through the cache carried from one layout to the next:
//   - a group whose content (vertex ids and sizes, edges inside it) did not change keeps its
//     relative layout as it was, without ELK;
//   - in a changed group, a block whose content did not change keeps its layout (cached by a
//     content signature), so only the changed block goes to ELK;
//   - every group sits in a slot bigger than its box (slack, rounded up to a step): while the
//     group fits its slot, and the set of groups is the same, no other group moves at all. When a
//     slot must grow, the shelf assignment is kept: only slots after it on its shelf and the
//     shelves below shift. A new set of groups (a filter changed) is packed afresh, by group id.
//
// Edges: routed by ELK inside blocks (orthogonal polylines); every other edge (between groups,
// between blocks, off the backbone) is a straight segment between the borders of its two vertex
// boxes, computed after packing. Edges whose ends are not in the graph are left out.
import type { ElkExtendedEdge, ElkNode, ELK } from 'elkjs/lib/elk-api.js';
import type { Box, GraphLayout, LayoutRequest, LayoutResponse, ShapedEdge, ShapedGraph, ShapedVertex } from './contracts.js';

/** Space inside a group box around its content, and the band at its top for the label. */
export const GROUP_PADDING = 20;
export const GROUP_HEADER = 36;
/** Space between blocks in a group. */
export const BLOCK_GAP = 32;
/** Least space between two group boxes. */
export const GROUP_GAP = 48;
/** A slot is this much bigger than its group box (plus GROUP_GAP), rounded up to SLOT_STEP. */
export const SLOT_SLACK = 0.12;
export const SLOT_STEP = 64;
/** A slot shrinks (and others move) only when its group box takes less than this share of it. */
const SLOT_SHRINK_BELOW = 0.45;
/** Width : height that block rows in a group and shelves of groups aim for. */
const GROUP_ASPECT = 1.8;
const WORLD_ASPECT = 1.6;
/** A group keeps its row width while the width its area asks for stays within this band of it. */
const WRAP_KEEP_BAND = [0.8, 1.25] as const;

/** Largest component ELK lays out with all its edges; bigger ones are laid out on their backbone. */
export const ELK_BUDGET = { vertices: 40, edges: 80 };
/**
 * Hysteresis around ELK_BUDGET: a component laid out whole last time stays whole up to this
 * multiple of the budget, one laid out on its backbone stays so down to the lower one. Without it
 * a namespace at the budget would switch between the two (and rearrange) with every workload added
 * and removed.
 */
const BUDGET_STAY_WHOLE = 1.5;
const BUDGET_STAY_SPLIT = 0.75;
/** Edge types that make the backbone of an over-budget component. */
const BACKBONE_TYPES = new Set(['routes', 'selects']);

/** ELK options of every block. The graph's order is by id, so model order is a stable order. */
export const BLOCK_LAYOUT_OPTIONS: Readonly<Record<string, string>> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  // A block is one connected component by construction.
  'elk.separateConnectedComponents': 'false',
  'elk.spacing.nodeNode': '16',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
  // Fewer crossing-minimisation rounds than the default 7: about 15% less time on the synthetic
  // 2,000-vertex graph, for drawings of the same size (blocks are small, see ELK_BUDGET).
  'elk.layered.thoroughness': '4',
};

// --- the cache ------------------------------------------------------------------------------------

/** A block or group laid out relative to its own top-left corner. */
interface RelativeLayout {
  width: number;
  height: number;
  /** Top-left corner of each vertex. */
  vertices: Map<string, { x: number; y: number }>;
  /** Polylines of the edges routed inside (x0, y0, x1, y1, …). */
  edges: Map<string, number[]>;
}

interface GroupLayout extends RelativeLayout {
  signature: string;
  /** Row width the blocks were packed to (kept for the next layout of the group). */
  wrapWidth: number;
  /** Its blocks, so that their layouts stay cached while the group is reused whole. */
  blockSignatures: string[];
  /** Vertices of components laid out whole by ELK, and of those laid out on their backbone (for the hysteresis). */
  whole: Set<string>;
  split: Set<string>;
}

interface Packing {
  /** The group ids packed, sorted, joined: a different set is packed afresh. */
  key: string;
  shelfWidth: number;
  shelves: string[][];
  /** Slot of each group: position and size (the group box sits at its top-left). */
  slots: Map<string, Box>;
}

/** What one layout hands to the next. Stays in the worker: it is not part of GraphLayout. */
export interface LayoutCache {
  blocks: Map<string, RelativeLayout>;
  groups: Map<string, GroupLayout>;
  packing: Packing | undefined;
}

export interface LayoutState extends GraphLayout {
  cache: LayoutCache;
}

/** The plain GraphLayout of a state (what crosses the worker boundary). */
export function toGraphLayout(state: LayoutState): GraphLayout {
  const { width, height, groups, vertices, edges, ms } = state;
  return { width, height, groups, vertices, edges, ms };
}

/**
 * What the layout worker runs: answers requests one after another, each laid out with the cache
 * of the last good layout. Separate from the Worker entry (layout-worker.ts) so that the Node
 * bench can run the very same thing in a worker thread.
 */
export function createLayoutService(elk: Pick<ELK, 'layout'>): (request: LayoutRequest) => Promise<LayoutResponse> {
  let previous: LayoutState | undefined;
  let last: Promise<unknown> = Promise.resolve();
  return (request) => {
    const response = last.then(async (): Promise<LayoutResponse> => {
      try {
        previous = await layoutGraph(elk, request.graph, previous);
        return { id: request.id, layout: toGraphLayout(previous) };
      } catch (error) {
        // The cache stays as it was: the next request starts from the last good layout.
        return { id: request.id, error: error instanceof Error ? error.message : String(error) };
      }
    });
    last = response;
    return response;
  };
}

// --- layout ---------------------------------------------------------------------------------------

interface Block {
  signature: string;
  vertices: ShapedVertex[];
  /** Edges ELK routes inside the block. */
  edges: ShapedEdge[];
  /** A component laid out whole, a part of one laid out on its backbone, or a lone vertex. */
  mode: 'whole' | 'split' | 'single';
}

interface GroupPlan {
  id: string;
  signature: string;
  /** Set when the group must be laid out again. */
  blocks?: Block[];
}

export async function layoutGraph(elk: Pick<ELK, 'layout'>, graph: ShapedGraph, previous?: LayoutState): Promise<LayoutState> {
  const started = performance.now();
  const old = previous?.cache;
  const vertexById = new Map<string, ShapedVertex>();
  const members = new Map<string, ShapedVertex[]>();
  for (const g of graph.groups) members.set(g.id, []);
  for (const v of graph.vertices) {
    vertexById.set(v.id, v);
    (members.get(v.group) ?? members.set(v.group, []).get(v.group)!).push(v);
  }
  const inner = new Map<string, ShapedEdge[]>();
  for (const e of graph.edges) {
    const from = vertexById.get(e.from);
    const to = vertexById.get(e.to);
    if (from === undefined || to === undefined || from.group !== to.group || from === to) continue;
    (inner.get(from.group) ?? inner.set(from.group, []).get(from.group)!).push(e);
  }

  // 1. Which groups changed, and the blocks of those that did.
  const plans: GroupPlan[] = [];
  for (const [id, vertices] of [...members].sort(([a], [b]) => compare(a, b))) {
    if (vertices.length === 0) continue;
    vertices.sort(byId);
    const edges = (inner.get(id) ?? []).sort(byId);
    const signature = contentSignature(vertices, edges);
    const before = old?.groups.get(id);
    plans.push(before?.signature === signature ? { id, signature } : { id, signature, blocks: planBlocks(vertices, edges, before) });
  }

  // 2. ELK for the blocks nobody has laid out yet, all in one call.
  const blocks = new Map<string, RelativeLayout>();
  const toLayOut = new Map<string, Block>();
  for (const plan of plans) {
    for (const block of plan.blocks ?? []) {
      if (block.vertices.length === 1) continue;
      const cached = old?.blocks.get(block.signature) ?? pairLayout(block);
      if (cached) blocks.set(block.signature, cached);
      else toLayOut.set(block.signature, block);
    }
  }
  for (const [signature, layout] of await runElk(elk, [...toLayOut.values()])) blocks.set(signature, layout);

  // 3. Group layouts: reused, or packed from their blocks.
  const groups = new Map<string, GroupLayout>();
  for (const plan of plans) {
    const reused = old?.groups.get(plan.id);
    if (plan.blocks === undefined && reused) groups.set(plan.id, reused);
    else groups.set(plan.id, packBlocks(plan, blocks, reused?.wrapWidth));
  }
  // Blocks of groups reused whole stay cached too: the group may change again next time.
  if (old) for (const plan of plans) if (plan.blocks === undefined) carryBlocks(groups.get(plan.id) as GroupLayout, old.blocks, blocks);

  // 4. Group boxes into slots, then everything into world coordinates.
  const boxes = new Map<string, { width: number; height: number }>();
  for (const [id, g] of groups) boxes.set(id, { width: g.width + 2 * GROUP_PADDING, height: g.height + GROUP_HEADER + GROUP_PADDING });
  const packing = packGroups(boxes, old?.packing);

  const out: GraphLayout = { width: 0, height: 0, groups: {}, vertices: {}, edges: {}, ms: 0 };
  for (const [id, g] of groups) {
    const slot = packing.slots.get(id) as Box;
    const box = boxes.get(id) as { width: number; height: number };
    out.groups[id] = { x: slot.x, y: slot.y, width: box.width, height: box.height };
    out.width = Math.max(out.width, slot.x + box.width);
    out.height = Math.max(out.height, slot.y + box.height);
    const ox = slot.x + GROUP_PADDING;
    const oy = slot.y + GROUP_HEADER;
    for (const [vid, p] of g.vertices) {
      const v = vertexById.get(vid) as ShapedVertex;
      out.vertices[vid] = { x: ox + p.x, y: oy + p.y, width: v.width, height: v.height };
    }
    for (const [eid, points] of g.edges) out.edges[eid] = translate(points, ox, oy);
  }
  for (const e of graph.edges) {
    if (out.edges[e.id] !== undefined) continue;
    const from = out.vertices[e.from];
    const to = out.vertices[e.to];
    if (from !== undefined && to !== undefined) out.edges[e.id] = straightEdge(from, to);
  }
  out.ms = performance.now() - started;
  return { ...out, cache: { blocks, groups, packing } };
}

// --- blocks ---------------------------------------------------------------------------------------

/** The blocks of a group: connected components, over-budget ones split along their backbone. */
function planBlocks(vertices: ShapedVertex[], edges: ShapedEdge[], before: GroupLayout | undefined): Block[] {
  const blocks: Block[] = [];
  for (const component of components(vertices, edges)) {
    if (component.vertices.length === 1) {
      blocks.push(block(component.vertices, [], 'single'));
      continue;
    }
    const wasSplit = before !== undefined && component.vertices.some((v) => before.split.has(v.id));
    const wasWhole = !wasSplit && before !== undefined && component.vertices.some((v) => before.whole.has(v.id));
    const scale = wasSplit ? BUDGET_STAY_SPLIT : wasWhole ? BUDGET_STAY_WHOLE : 1;
    const tooBig = component.vertices.length > ELK_BUDGET.vertices * scale || component.edges.length > ELK_BUDGET.edges * scale;
    if (!tooBig) {
      blocks.push(block(component.vertices, component.edges, 'whole'));
      continue;
    }
    const backbone = component.edges.filter((e) => e.types.some((t) => BACKBONE_TYPES.has(t)));
    for (const part of components(component.vertices, backbone)) blocks.push(block(part.vertices, part.edges, 'split'));
  }
  // Bigger blocks first (rows of similar heights), then by the id of their first vertex: an order
  // that only changes where the content changes.
  return blocks.sort((a, b) => b.vertices.length - a.vertices.length || compare((a.vertices[0] as ShapedVertex).id, (b.vertices[0] as ShapedVertex).id));
}

function block(vertices: ShapedVertex[], edges: ShapedEdge[], mode: Block['mode']): Block {
  return { signature: contentSignature(vertices, edges), vertices, edges, mode };
}

/** Connected components (edges undirected), each with its vertices and edges in input order. */
function components(vertices: readonly ShapedVertex[], edges: readonly ShapedEdge[]): { vertices: ShapedVertex[]; edges: ShapedEdge[] }[] {
  const index = new Map<string, number>();
  vertices.forEach((v, i) => index.set(v.id, i));
  const parent = vertices.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  for (const e of edges) {
    const a = find(index.get(e.from) as number);
    const b = find(index.get(e.to) as number);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const byRoot = new Map<number, { vertices: ShapedVertex[]; edges: ShapedEdge[] }>();
  vertices.forEach((v, i) => {
    const root = find(i);
    (byRoot.get(root) ?? byRoot.set(root, { vertices: [], edges: [] }).get(root)!).vertices.push(v);
  });
  for (const e of edges) byRoot.get(find(index.get(e.from) as number))!.edges.push(e);
  return [...byRoot.values()];
}

/** What a layout depends on: vertex ids and sizes, and the edges routed. Inputs sorted by id. */
function contentSignature(vertices: readonly ShapedVertex[], edges: readonly ShapedEdge[]): string {
  let s = '';
  for (const v of vertices) s += `${v.id} ${v.width}x${v.height}\n`;
  s += '|\n';
  for (const e of edges) s += `${e.id}\n`;
  return s;
}

/**
 * A block of two vertices and one edge, laid out as ELK layered lays it out: source left, target
 * right one layer apart, centres level, a straight edge. Most blocks are a Service and the one
 * workload it selects, and ELK's fixed cost per graph would otherwise be most of the layout time.
 */
function pairLayout(block: Block): RelativeLayout | undefined {
  if (block.vertices.length !== 2 || block.edges.length !== 1) return undefined;
  const edge = block.edges[0] as ShapedEdge;
  const [a, b] = block.vertices as [ShapedVertex, ShapedVertex];
  const [from, to] = edge.from === a.id ? [a, b] : [b, a];
  const height = Math.max(from.height, to.height);
  const gap = Number(BLOCK_LAYOUT_OPTIONS['elk.layered.spacing.nodeNodeBetweenLayers']);
  const toX = from.width + gap;
  return {
    width: toX + to.width,
    height,
    vertices: new Map([
      [from.id, { x: 0, y: (height - from.height) / 2 }],
      [to.id, { x: toX, y: (height - to.height) / 2 }],
    ]),
    edges: new Map([[edge.id, [from.width, height / 2, toX, height / 2]]]),
  };
}

/** One ELK call for all blocks: each block a child of a root that ELK leaves where it is. */
async function runElk(elk: Pick<ELK, 'layout'>, blocks: Block[]): Promise<Map<string, RelativeLayout>> {
  const result = new Map<string, RelativeLayout>();
  if (blocks.length === 0) return result;
  const root: ElkNode = {
    id: 'root',
    layoutOptions: { 'elk.algorithm': 'fixed' },
    children: blocks.map((b, i) => ({
      id: `block:${i}`,
      layoutOptions: BLOCK_LAYOUT_OPTIONS,
      children: b.vertices.map((v) => ({ id: v.id, width: v.width, height: v.height })),
      edges: b.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.from], targets: [e.to] })),
    })),
  };
  const laidOut = await elk.layout(root);
  for (const [i, node] of (laidOut.children ?? []).entries()) result.set((blocks[i] as Block).signature, relativeLayout(node));
  return result;
}

/** A laid-out block moved so that its content starts at (0, 0). Edge points are block-relative. */
function relativeLayout(node: ElkNode): RelativeLayout {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const extend = (x: number, y: number, w = 0, h = 0) => {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + w);
    maxY = Math.max(maxY, y + h);
  };
  for (const c of node.children ?? []) extend(c.x ?? 0, c.y ?? 0, c.width ?? 0, c.height ?? 0);
  const polylines = new Map<string, number[]>();
  for (const e of (node.edges ?? []) as ElkExtendedEdge[]) {
    const points: number[] = [];
    for (const section of e.sections ?? []) {
      for (const p of [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]) {
        points.push(p.x, p.y);
        extend(p.x, p.y);
      }
    }
    // Without a route (ELK gave none) the edge is drawn straight after packing.
    if (points.length >= 4) polylines.set(e.id, points);
  }
  const vertices = new Map<string, { x: number; y: number }>();
  for (const c of node.children ?? []) vertices.set(c.id, { x: (c.x ?? 0) - minX, y: (c.y ?? 0) - minY });
  for (const [id, points] of polylines) polylines.set(id, translate(points, -minX, -minY));
  return { width: maxX - minX, height: maxY - minY, vertices, edges: polylines };
}

function carryBlocks(group: GroupLayout, from: ReadonlyMap<string, RelativeLayout>, into: Map<string, RelativeLayout>): void {
  for (const signature of group.blockSignatures) {
    const layout = from.get(signature);
    if (layout) into.set(signature, layout);
  }
}

// --- packing blocks into a group -------------------------------------------------------------------

function packBlocks(plan: GroupPlan, layouts: ReadonlyMap<string, RelativeLayout>, previousWrap: number | undefined): GroupLayout {
  const placed: { layout: RelativeLayout; signature: string }[] = [];
  const whole = new Set<string>();
  const split = new Set<string>();
  for (const b of plan.blocks ?? []) {
    if (b.mode !== 'single') for (const v of b.vertices) (b.mode === 'whole' ? whole : split).add(v.id);
    const v = b.vertices[0] as ShapedVertex;
    placed.push({ signature: b.signature, layout: b.vertices.length === 1 ? { width: v.width, height: v.height, vertices: new Map([[v.id, { x: 0, y: 0 }]]), edges: new Map() } : (layouts.get(b.signature) as RelativeLayout) });
  }
  let area = 0;
  let widest = 0;
  for (const { layout } of placed) {
    area += (layout.width + BLOCK_GAP) * (layout.height + BLOCK_GAP);
    widest = Math.max(widest, layout.width);
  }
  const wanted = Math.max(widest, Math.sqrt(area * GROUP_ASPECT));
  const keep = previousWrap !== undefined && wanted >= previousWrap * WRAP_KEEP_BAND[0] && wanted <= previousWrap * WRAP_KEEP_BAND[1];
  const wrapWidth = keep ? Math.max(previousWrap, widest) : wanted;

  const group: GroupLayout = { signature: plan.signature, wrapWidth, width: 0, height: 0, vertices: new Map(), edges: new Map(), blockSignatures: [], whole, split };
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const { layout, signature } of placed) {
    if (x > 0 && x + layout.width > wrapWidth) {
      x = 0;
      y += rowHeight + BLOCK_GAP;
      rowHeight = 0;
    }
    for (const [id, p] of layout.vertices) group.vertices.set(id, { x: x + p.x, y: y + p.y });
    for (const [id, points] of layout.edges) group.edges.set(id, translate(points, x, y));
    group.blockSignatures.push(signature);
    group.width = Math.max(group.width, x + layout.width);
    group.height = Math.max(group.height, y + layout.height);
    rowHeight = Math.max(rowHeight, layout.height);
    x += layout.width + BLOCK_GAP;
  }
  return group;
}

// --- packing groups into slots ---------------------------------------------------------------------

function slotSize(box: { width: number; height: number }): { width: number; height: number } {
  const round = (n: number) => Math.ceil(n / SLOT_STEP) * SLOT_STEP;
  return { width: round(box.width * (1 + SLOT_SLACK) + GROUP_GAP), height: round(box.height * (1 + SLOT_SLACK) + GROUP_GAP) };
}

/** Whether a box still belongs in a slot of this size: it fits, and does not rattle around in it. */
function fitsSlot(box: { width: number; height: number }, slot: { width: number; height: number }): boolean {
  return box.width + GROUP_GAP <= slot.width && box.height + GROUP_GAP <= slot.height && box.width * box.height >= SLOT_SHRINK_BELOW * slot.width * slot.height;
}

function packGroups(boxes: ReadonlyMap<string, { width: number; height: number }>, previous: Packing | undefined): Packing {
  const ids = [...boxes.keys()].sort(compare);
  const key = ids.join('\n');
  const sizes = new Map<string, { width: number; height: number }>();
  let unchanged = previous?.key === key;
  for (const id of ids) {
    const box = boxes.get(id) as { width: number; height: number };
    const old = previous?.slots.get(id);
    if (old && fitsSlot(box, old)) sizes.set(id, { width: old.width, height: old.height });
    else {
      sizes.set(id, slotSize(box));
      unchanged = false;
    }
  }
  if (unchanged && previous) return previous;

  let shelves: string[][];
  let shelfWidth: number;
  if (previous?.key === key) {
    // Same groups, some slot resized: keep who is on which shelf, so only what comes after moves.
    shelves = previous.shelves;
    shelfWidth = previous.shelfWidth;
  } else {
    let area = 0;
    let widest = 0;
    for (const s of sizes.values()) {
      area += s.width * s.height;
      widest = Math.max(widest, s.width);
    }
    shelfWidth = Math.max(widest, Math.sqrt(area * WORLD_ASPECT));
    shelves = [];
    let row: string[] = [];
    let x = 0;
    for (const id of ids) {
      const w = (sizes.get(id) as { width: number }).width;
      if (row.length > 0 && x + w > shelfWidth) {
        shelves.push(row);
        row = [];
        x = 0;
      }
      row.push(id);
      x += w;
    }
    if (row.length > 0) shelves.push(row);
  }
  const slots = new Map<string, Box>();
  let y = 0;
  for (const shelf of shelves) {
    let x = 0;
    let height = 0;
    for (const id of shelf) {
      const s = sizes.get(id) as { width: number; height: number };
      slots.set(id, { x, y, width: s.width, height: s.height });
      x += s.width;
      height = Math.max(height, s.height);
    }
    y += height;
  }
  return { key, shelfWidth, shelves, slots };
}

// --- geometry ---------------------------------------------------------------------------------------

function translate(points: readonly number[], dx: number, dy: number): number[] {
  const out = new Array<number>(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = (points[i] as number) + dx;
    out[i + 1] = (points[i + 1] as number) + dy;
  }
  return out;
}

/** A segment on the line between the two box centres, from border to border. */
export function straightEdge(from: Box, to: Box): number[] {
  const ax = from.x + from.width / 2;
  const ay = from.y + from.height / 2;
  const bx = to.x + to.width / 2;
  const by = to.y + to.height / 2;
  const dx = bx - ax;
  const dy = by - ay;
  if (dx === 0 && dy === 0) return [ax, ay, bx, by];
  // The share of the centre line inside a box: where it first meets a vertical or horizontal side.
  const inside = (b: Box) => Math.min(dx === 0 ? Infinity : b.width / 2 / Math.abs(dx), dy === 0 ? Infinity : b.height / 2 / Math.abs(dy));
  const s = inside(from);
  const t = inside(to);
  // Overlapping boxes: no border-to-border segment exists, so centre to centre.
  if (s + t >= 1) return [ax, ay, bx, by];
  return [ax + dx * s, ay + dy * s, bx - dx * t, by - dy * t];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byId(a: { id: string }, b: { id: string }): number {
  return compare(a.id, b.id);
}
