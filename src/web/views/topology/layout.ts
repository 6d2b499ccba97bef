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
// model order considered), all blocks to lay out in one ELK call; single vertices, and the many
// blocks of one Service and its one workload, need no ELK at all.
//
// A group laid out for the first time is packed by this file, not by ELK's own component
// packing: ELK orders components by size and recomputes its row width from the total area, so one
// added workload could move every other component; here the order is fixed (bigger blocks first,
// then by id) and the row width is kept while the group's area stays within a band.
//
// Stability, from coarse to fine, all through the cache carried from one layout to the next:
//   - a group whose content (vertex ids and sizes, edges inside it) did not change keeps its
//     relative layout as it was, without ELK;
//   - in a changed group, every vertex that was there before stays where it was (same id, same
//     size), whatever block it is in now. Blocks are matched to the previous ones by their
//     vertices: a block's "base" is the old block most of its surviving vertices come from.
//     Vertices new to a block are placed incrementally, one by one (most placed neighbours first),
//     in the layer their edges imply (right of their sources, left of their targets, level with
//     them) or the nearest free place to it: no overlap with any vertex (NODE_SPACING) or routed
//     edge (ROUTE_CLEARANCE), never left of or above the group's origin, and not beyond the room
//     its slot has (so that no other group moves); growing the group box inside that room costs
//     as much as the same distance away from the ideal place. Their edges get a simple route
//     (straight, or one bend); ELK's routes between vertices that stayed stay. Removed vertices
//     leave a gap. Blocks that merge (an edge joins them) keep all their positions too, the
//     smaller ones counting as changes of the merged block (below); blocks that split keep theirs;
//   - a block is laid out afresh (ELK, as a unit, at its old top-left corner if there is room,
//     else the nearest free place) when, in an update where it gained something (vertices, or
//     edges), its changes since its last full layout — vertices its last full layout did not
//     place (added, merged in, resized), plus edges between vertices it did place that it did not
//     route — exceed INCREMENTAL_LIMIT (a quarter of its vertices, at least 2). Only counts, no
//     aspect rule: a single added workload in a dense group may have to go some distance to find
//     room, and it must not make its whole block jump. A block that only lost vertices or edges
//     keeps its positions, whatever its count. Brand-new blocks are placed as a unit next to the
//     vertices they have edges to, or in the first free place from the top-left;
//   - a group is packed afresh (its blocks whose layout is not exactly their last full one laid
//     out again) when, in an update where it gained vertices, more of its vertices than
//     INCREMENTAL_LIMIT were not there at its last packing; if its usual rows would not fit the
//     room of its slot, it is packed to the width of that room (when that fits);
//   - every group sits in a slot bigger than its box (slack, rounded up to a step): while the
//     group fits its slot, and the set of groups is the same, no other group moves at all. A
//     group that outgrows its slot grows into the room its shelf has beside or below it (the end
//     of the shelf, or a shelf taller than the slot), so that still nothing else moves; only when
//     that is not enough is the shelf assignment kept and the slots after it on its shelf and the
//     shelves below shifted. A new set of groups (a filter changed) is packed afresh, by group id.
//
// Edges: routed by ELK inside blocks (orthogonal polylines), or simply (above) when added to a
// block incrementally; every other edge (between groups, between blocks, off the backbone) is a
// straight segment between the borders of its two vertex boxes, computed after packing. Edges
// whose ends are not in the graph are left out.
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

/**
 * How far a block, or a group, may drift from its last full layout (packing) before it is laid
 * out (packed) afresh: changes beyond this share of its vertices, and beyond `atLeast` (so that a
 * Service and its workload take a couple more workloads without moving). See the top of the file.
 */
export const INCREMENTAL_LIMIT = { share: 0.25, atLeast: 2 } as const;

/** Space between vertices of a layer, and between layers: ELK's, and incremental placement's. */
const NODE_SPACING = 16;
const LAYER_SPACING = 48;
/** Least distance between a vertex or block placed incrementally and a routed edge. */
const ROUTE_CLEARANCE = 8;
/** Cost of a place beyond the room of the group's slot (others would move): only when nothing else is free. */
const OVERFLOW_COST = 1e6;

/** ELK options of every block. The graph's order is by id, so model order is a stable order. */
export const BLOCK_LAYOUT_OPTIONS: Readonly<Record<string, string>> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  // A block is one connected component by construction.
  'elk.separateConnectedComponents': 'false',
  'elk.spacing.nodeNode': String(NODE_SPACING),
  'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_SPACING),
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
  // Fewer crossing-minimisation rounds than the default 7: about 15% less time on the synthetic
  // 2,000-vertex graph, for drawings of the same size (blocks are small, see ELK_BUDGET).
  'elk.layered.thoroughness': '4',
};

// --- the cache ------------------------------------------------------------------------------------

/** A block laid out relative to its own top-left corner. */
interface RelativeLayout {
  width: number;
  height: number;
  /** Top-left corner of each vertex. */
  vertices: Map<string, { x: number; y: number }>;
  /** Polylines of the edges routed inside (x0, y0, x1, y1, …). */
  edges: Map<string, number[]>;
}

/** A block as it was laid out: what the next layout matches its blocks against. */
interface BlockState {
  signature: string;
  mode: Block['mode'];
  vertices: string[];
  /** Edges routed inside the block (by ELK, or simply when added incrementally). */
  edges: string[];
  /** Vertices placed, and edges routed, by the block's last full layout (ELK, or a trivial one). */
  laidOut: Set<string>;
  routed: Set<string>;
}

interface GroupLayout {
  signature: string;
  /** Extent of the content from the group's origin (content never goes left of or above it). */
  width: number;
  height: number;
  /** Box of each vertex, relative to the group's content origin. */
  vertices: Map<string, Box>;
  /** Routes of the edges routed inside blocks, relative to the same origin. */
  edges: Map<string, number[]>;
  blocks: BlockState[];
  /** Row width the blocks were packed to (kept for the next packing of the group). */
  wrapWidth: number;
  /** Vertices of components laid out whole by ELK, and of those laid out on their backbone (for the hysteresis). */
  whole: Set<string>;
  split: Set<string>;
  /** The vertices the group had when it was last packed afresh. */
  packed: Set<string>;
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
  groups: Map<string, GroupLayout>;
  packing: Packing | undefined;
}

export interface LayoutState extends GraphLayout {
  cache: LayoutCache;
}

/** The plain GraphLayout of a state (what crosses the worker boundary). */
function toGraphLayout(state: LayoutState): GraphLayout {
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
  /** Edges routed inside the block. */
  edges: ShapedEdge[];
  /** A component laid out whole, a part of one laid out on its backbone, or a lone vertex. */
  mode: 'whole' | 'split' | 'single';
}

/** What happens to one block of a changed group. */
interface BlockPlan {
  block: Block;
  /**
   * 'keep': its vertices that were there stay, new ones are placed one by one; 'full': laid out
   * afresh (ELK, or trivially) and placed as a unit.
   */
  how: 'keep' | 'full';
  /** What its last full layout placed and routed, as it will be after this layout. */
  laidOut: Set<string>;
  routed: Set<string>;
  /** 'full' in a group not packed afresh: where it was (its top-left), if it was there at all. */
  anchor?: { x: number; y: number };
  /** 'full': its layout, once known. */
  layout?: RelativeLayout;
}

interface GroupPlan {
  id: string;
  signature: string;
  before: GroupLayout | undefined;
  /** Set when the group changed. */
  blocks?: BlockPlan[];
  /** Packed afresh (no previous layout, or too many new vertices) rather than placed incrementally. */
  fresh: boolean;
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

  // 1. Which groups changed, and what happens to the blocks of those that did.
  const plans: GroupPlan[] = [];
  for (const [id, vertices] of [...members].sort(([a], [b]) => compare(a, b))) {
    if (vertices.length === 0) continue;
    vertices.sort(byId);
    const edges = (inner.get(id) ?? []).sort(byId);
    const signature = contentSignature(vertices, edges);
    const before = old?.groups.get(id);
    plans.push(before?.signature === signature ? { id, signature, before, fresh: false } : planGroup(id, signature, vertices, edges, before));
  }

  // 2. Layouts of the blocks laid out afresh: ELK for those that need it, all in one call.
  const toLayOut = new Map<string, Block>();
  for (const plan of plans) {
    for (const b of plan.blocks ?? []) {
      if (b.how !== 'full' || b.layout !== undefined) continue;
      b.layout = trivialLayout(b.block);
      if (b.layout === undefined) toLayOut.set(b.block.signature, b.block);
    }
  }
  const elkLayouts = await runElk(elk, [...toLayOut.values()]);
  for (const plan of plans) for (const b of plan.blocks ?? []) if (b.how === 'full') b.layout ??= elkLayouts.get(b.block.signature);

  // 3. Group layouts: reused, packed afresh, or updated in place within the room of their slots.
  const key = plans.map((p) => p.id).join('\n');
  const extents = old?.packing?.key === key ? slotExtents(old.packing) : undefined;
  const groups = new Map<string, GroupLayout>();
  for (const plan of plans) {
    const room = contentRoom(extents?.get(plan.id));
    if (plan.blocks === undefined) groups.set(plan.id, plan.before as GroupLayout);
    else if (plan.fresh) groups.set(plan.id, packBlocks(plan, room));
    else groups.set(plan.id, placeIncrementally(plan, inner.get(plan.id) ?? [], room));
  }

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
    for (const [vid, p] of g.vertices) out.vertices[vid] = { x: ox + p.x, y: oy + p.y, width: p.width, height: p.height };
    for (const [eid, points] of g.edges) out.edges[eid] = translate(points, ox, oy);
  }
  for (const e of graph.edges) {
    if (out.edges[e.id] !== undefined) continue;
    const from = out.vertices[e.from];
    const to = out.vertices[e.to];
    if (from !== undefined && to !== undefined) out.edges[e.id] = straightEdge(from, to);
  }
  out.ms = performance.now() - started;
  return { ...out, cache: { groups, packing } };
}

// --- blocks ---------------------------------------------------------------------------------------

/** The blocks of a changed group, matched to its previous blocks: kept and grown, or laid out afresh. */
function planGroup(id: string, signature: string, vertices: ShapedVertex[], edges: ShapedEdge[], before: GroupLayout | undefined): GroupPlan {
  const blocks = planBlocks(vertices, edges, before);
  // A vertex stays where it was if it was in the group before, at the same size.
  const survives = (v: ShapedVertex) => {
    const p = before?.vertices.get(v.id);
    return p !== undefined && p.width === v.width && p.height === v.height;
  };
  if (before === undefined) return { id, signature, before, fresh: true, blocks: blocks.map((block) => fullPlan(block)) };
  const gained = vertices.some((v) => !survives(v));
  const newSincePacked = vertices.reduce((n, v) => n + (before.packed.has(v.id) ? 0 : 1), 0);
  const fresh = gained && overLimit(newSincePacked, vertices.length);
  const oldBlockOf = new Map<string, BlockState>();
  for (const b of before.blocks) for (const v of b.vertices) oldBlockOf.set(v, b);

  const plans = blocks.map((block): BlockPlan => {
    // Its base: the old block most of its surviving vertices come from (the first, on a tie).
    const counts = new Map<BlockState, number>();
    for (const v of block.vertices) {
      const b = survives(v) ? oldBlockOf.get(v.id) : undefined;
      if (b) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    let base: BlockState | undefined;
    let most = 0;
    for (const [b, n] of counts) if (n > most) [base, most] = [b, n];
    if (base === undefined) return fullPlan(block);
    if (fresh) {
      // Packed afresh: a block that is exactly its last full layout keeps it; others are laid out again.
      const pristine = base.signature === block.signature && base.laidOut.size === base.vertices.length && base.routed.size === base.edges.length;
      return pristine ? { ...fullPlan(block), layout: extractLayout(before, base) } : fullPlan(block);
    }
    const laidOut = new Set(block.vertices.filter((v) => survives(v) && base.laidOut.has(v.id)).map((v) => v.id));
    const routed = new Set(block.edges.filter((e) => base.routed.has(e.id) && laidOut.has(e.from) && laidOut.has(e.to)).map((e) => e.id));
    const baseVertices = new Set(base.vertices);
    const baseEdges = new Set(base.edges);
    const grew = block.vertices.some((v) => !baseVertices.has(v.id) || !survives(v)) || block.edges.some((e) => !baseEdges.has(e.id));
    let changes = 0;
    for (const v of block.vertices) if (!laidOut.has(v.id)) changes++;
    for (const e of block.edges) if (!routed.has(e.id) && laidOut.has(e.from) && laidOut.has(e.to)) changes++;
    if (grew && overLimit(changes, block.vertices.length)) {
      let x = Infinity;
      let y = Infinity;
      for (const v of block.vertices) {
        const p = survives(v) ? before.vertices.get(v.id) : undefined;
        if (p) [x, y] = [Math.min(x, p.x), Math.min(y, p.y)];
      }
      return { ...fullPlan(block), anchor: { x, y } };
    }
    return { block, how: 'keep', laidOut, routed };
  });
  return { id, signature, before, fresh, blocks: plans };
}

function fullPlan(block: Block): BlockPlan {
  return { block, how: 'full', laidOut: new Set(block.vertices.map((v) => v.id)), routed: new Set(block.edges.map((e) => e.id)) };
}

function overLimit(changes: number, size: number): boolean {
  return changes > Math.max(INCREMENTAL_LIMIT.atLeast, INCREMENTAL_LIMIT.share * size);
}

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

/** The layout of a block that needs no ELK: a lone vertex, or a pair (pairLayout). */
function trivialLayout(block: Block): RelativeLayout | undefined {
  if (block.vertices.length !== 1) return pairLayout(block);
  const v = block.vertices[0] as ShapedVertex;
  return { width: v.width, height: v.height, vertices: new Map([[v.id, { x: 0, y: 0 }]]), edges: new Map() };
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
  const toX = from.width + LAYER_SPACING;
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
  const bounds = new Bounds();
  for (const c of node.children ?? []) bounds.add(c.x ?? 0, c.y ?? 0, c.width ?? 0, c.height ?? 0);
  const polylines = new Map<string, number[]>();
  for (const e of (node.edges ?? []) as ElkExtendedEdge[]) {
    const points: number[] = [];
    for (const section of e.sections ?? []) {
      for (const p of [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]) {
        points.push(p.x, p.y);
        bounds.add(p.x, p.y);
      }
    }
    // Without a route (ELK gave none) the edge is drawn straight after packing.
    if (points.length >= 4) polylines.set(e.id, points);
  }
  const vertices = new Map<string, { x: number; y: number }>();
  for (const c of node.children ?? []) vertices.set(c.id, { x: (c.x ?? 0) - bounds.minX, y: (c.y ?? 0) - bounds.minY });
  for (const [id, points] of polylines) polylines.set(id, translate(points, -bounds.minX, -bounds.minY));
  return { width: bounds.maxX - bounds.minX, height: bounds.maxY - bounds.minY, vertices, edges: polylines };
}

/** A block's layout as it stands in a group, moved to (0, 0). */
function extractLayout(group: GroupLayout, state: BlockState): RelativeLayout {
  const bounds = new Bounds();
  for (const id of state.vertices) {
    const p = group.vertices.get(id) as Box;
    bounds.add(p.x, p.y, p.width, p.height);
  }
  for (const id of state.edges) {
    const points = group.edges.get(id) ?? [];
    for (let i = 0; i < points.length; i += 2) bounds.add(points[i] as number, points[i + 1] as number);
  }
  const vertices = new Map<string, { x: number; y: number }>();
  for (const id of state.vertices) {
    const p = group.vertices.get(id) as Box;
    vertices.set(id, { x: p.x - bounds.minX, y: p.y - bounds.minY });
  }
  const edges = new Map<string, number[]>();
  for (const id of state.edges) {
    const points = group.edges.get(id);
    if (points) edges.set(id, translate(points, -bounds.minX, -bounds.minY));
  }
  return { width: bounds.maxX - bounds.minX, height: bounds.maxY - bounds.minY, vertices, edges };
}

function blockState(plan: BlockPlan): BlockState {
  const { block: b, laidOut, routed } = plan;
  return { signature: b.signature, mode: b.mode, vertices: b.vertices.map((v) => v.id), edges: b.edges.map((e) => e.id), laidOut, routed };
}

function modeSets(plans: readonly BlockPlan[]): { whole: Set<string>; split: Set<string> } {
  const whole = new Set<string>();
  const split = new Set<string>();
  for (const { block: b } of plans) if (b.mode !== 'single') for (const v of b.vertices) (b.mode === 'whole' ? whole : split).add(v.id);
  return { whole, split };
}

// --- packing blocks into a group afresh ------------------------------------------------------------

/**
 * Blocks in rows, in their order, wrapped at a width kept from the last packing while the area
 * stays within a band. A group packed again (too many new vertices) whose rows would not fit the
 * room of its slot is packed to the width of that room instead, if that fits: no other group moves.
 */
function packBlocks(plan: GroupPlan, room: { width: number; height: number }): GroupLayout {
  const plans = plan.blocks as BlockPlan[];
  const previousWrap = plan.before?.wrapWidth;
  let area = 0;
  let widest = 0;
  for (const { layout } of plans) {
    const l = layout as RelativeLayout;
    area += (l.width + BLOCK_GAP) * (l.height + BLOCK_GAP);
    widest = Math.max(widest, l.width);
  }
  const wanted = Math.max(widest, Math.sqrt(area * GROUP_ASPECT));
  const keep = previousWrap !== undefined && wanted >= previousWrap * WRAP_KEEP_BAND[0] && wanted <= previousWrap * WRAP_KEEP_BAND[1];
  const group = packRows(plan, keep ? Math.max(previousWrap, widest) : wanted);
  const fits = (g: GroupLayout) => g.width <= room.width && g.height <= room.height;
  if (fits(group) || room.width === Infinity || room.width < widest) return group;
  const inRoom = packRows(plan, room.width);
  return fits(inRoom) ? inRoom : group;
}

function packRows(plan: GroupPlan, wrapWidth: number): GroupLayout {
  const plans = plan.blocks as BlockPlan[];
  const group: GroupLayout = {
    signature: plan.signature,
    wrapWidth,
    width: 0,
    height: 0,
    vertices: new Map(),
    edges: new Map(),
    blocks: plans.map(blockState),
    ...modeSets(plans),
    packed: new Set(plans.flatMap((b) => b.block.vertices.map((v) => v.id))),
  };
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const { block: b, layout } of plans) {
    const l = layout as RelativeLayout;
    if (x > 0 && x + l.width > wrapWidth) {
      x = 0;
      y += rowHeight + BLOCK_GAP;
      rowHeight = 0;
    }
    for (const v of b.vertices) {
      const p = l.vertices.get(v.id) as { x: number; y: number };
      group.vertices.set(v.id, { x: x + p.x, y: y + p.y, width: v.width, height: v.height });
    }
    for (const [id, points] of l.edges) group.edges.set(id, translate(points, x, y));
    group.width = Math.max(group.width, x + l.width);
    group.height = Math.max(group.height, y + l.height);
    rowHeight = Math.max(rowHeight, l.height);
    x += l.width + BLOCK_GAP;
  }
  return group;
}

// --- updating a group in place ----------------------------------------------------------------------

/** A neighbour of a vertex over an edge, and whether the edge leaves the vertex. */
interface Neighbour {
  id: string;
  outgoing: boolean;
}

/**
 * A changed group, not packed afresh: vertices that were there stay; blocks laid out afresh go
 * back where they were (or nearby); new vertices and new blocks go where their edges want them,
 * in free space within `room` (the content size the group's slot allows without moving others).
 */
function placeIncrementally(plan: GroupPlan, groupEdges: readonly ShapedEdge[], room: { width: number; height: number }): GroupLayout {
  const before = plan.before as GroupLayout;
  const plans = plan.blocks as BlockPlan[];
  const vertices = new Map<string, Box>();
  const edges = new Map<string, number[]>();
  const space = new FreeSpace(room);

  // Vertices of kept blocks that were there stay, and so do the routes between them.
  for (const { how, block: b } of plans) {
    if (how !== 'keep') continue;
    for (const v of b.vertices) {
      const p = before.vertices.get(v.id);
      if (p === undefined || p.width !== v.width || p.height !== v.height) continue;
      vertices.set(v.id, p);
      space.addBox(p);
    }
  }
  for (const { how, block: b } of plans) {
    if (how !== 'keep') continue;
    for (const e of b.edges) {
      const route = before.edges.get(e.id);
      if (route === undefined || !vertices.has(e.from) || !vertices.has(e.to)) continue;
      edges.set(e.id, route);
      space.addRoute(route);
    }
  }

  const neighbours = (list: readonly ShapedEdge[]) => {
    const out = new Map<string, Neighbour[]>();
    const add = (a: string, n: Neighbour) => (out.get(a) ?? out.set(a, []).get(a)!).push(n);
    for (const e of list) {
      add(e.from, { id: e.to, outgoing: true });
      add(e.to, { id: e.from, outgoing: false });
    }
    return out;
  };
  /** Where a vertex wants to be next to its placed neighbours: a layer right of its sources, left of its targets, centres level. */
  const wanted = (v: ShapedVertex, around: readonly Neighbour[] | undefined) => {
    const xs: number[] = [];
    let sy = 0;
    for (const n of around ?? []) {
      const p = vertices.get(n.id);
      if (p === undefined) continue;
      xs.push(n.outgoing ? p.x - LAYER_SPACING - v.width : p.x + p.width + LAYER_SPACING);
      sy += p.y + p.height / 2 - v.height / 2;
    }
    if (xs.length === 0) return undefined;
    return { x: xs.reduce((a, b) => a + b, 0) / xs.length, y: sy / xs.length, xs };
  };
  const placeUnit = (b: BlockPlan, at: { x: number; y: number }) => {
    const layout = b.layout as RelativeLayout;
    for (const v of b.block.vertices) {
      const p = layout.vertices.get(v.id) as { x: number; y: number };
      const box = { x: at.x + p.x, y: at.y + p.y, width: v.width, height: v.height };
      vertices.set(v.id, box);
      space.addBox(box);
    }
    for (const [id, points] of layout.edges) {
      const route = translate(points, at.x, at.y);
      edges.set(id, route);
      space.addRoute(route);
    }
  };

  // Blocks laid out afresh: where they were, or the nearest free place.
  for (const b of plans) {
    if (b.how !== 'full' || b.anchor === undefined) continue;
    const layout = b.layout as RelativeLayout;
    placeUnit(b, space.find(layout.width, layout.height, b.anchor, BLOCK_GAP, [b.anchor.x]));
  }

  // New vertices of kept blocks, one by one: the one with the most placed neighbours first (by id on a tie).
  for (const b of plans) {
    if (b.how !== 'keep') continue;
    const pending = b.block.vertices.filter((v) => !vertices.has(v.id));
    if (pending.length === 0) continue;
    const around = neighbours(b.block.edges);
    while (pending.length > 0) {
      let pick = 0;
      let most = -1;
      for (const [i, v] of pending.entries()) {
        const n = (around.get(v.id) ?? []).reduce((k, x) => k + (vertices.has(x.id) ? 1 : 0), 0);
        if (n > most) [pick, most] = [i, n];
      }
      const v = pending.splice(pick, 1)[0] as ShapedVertex;
      const want = wanted(v, around.get(v.id)) ?? { x: 0, y: 0, xs: [] };
      const at = space.find(v.width, v.height, want, NODE_SPACING, want.xs);
      const box = { x: at.x, y: at.y, width: v.width, height: v.height };
      vertices.set(v.id, box);
      space.addBox(box);
    }
  }

  // New blocks: next to the placed vertices they have edges to, else the first free place from the top-left.
  const groupNeighbours = neighbours(groupEdges);
  for (const b of plans) {
    if (b.how !== 'full' || b.anchor !== undefined) continue;
    const layout = b.layout as RelativeLayout;
    const xs: number[] = [];
    let sy = 0;
    for (const v of b.block.vertices) {
      const want = wanted(v, groupNeighbours.get(v.id));
      if (want === undefined) continue;
      const p = layout.vertices.get(v.id) as { x: number; y: number };
      for (const x of want.xs) xs.push(x - p.x);
      sy += (want.y - p.y) * want.xs.length;
    }
    const want = xs.length > 0 ? { x: xs.reduce((a, c) => a + c, 0) / xs.length, y: sy / xs.length } : { x: 0, y: 0 };
    placeUnit(b, space.find(layout.width, layout.height, want, b.block.vertices.length === 1 ? NODE_SPACING : BLOCK_GAP, xs));
  }

  // Edges of kept blocks without a route (new, or between vertices that were not in one block): a simple one.
  for (const { how, block: b } of plans) {
    if (how !== 'keep') continue;
    for (const e of b.edges) if (!edges.has(e.id)) edges.set(e.id, simpleRoute(vertices.get(e.from) as Box, vertices.get(e.to) as Box));
  }

  const bounds = new Bounds();
  bounds.add(0, 0);
  for (const p of vertices.values()) bounds.add(p.x, p.y, p.width, p.height);
  for (const points of edges.values()) for (let i = 0; i < points.length; i += 2) bounds.add(points[i] as number, points[i + 1] as number);
  return {
    signature: plan.signature,
    width: bounds.maxX,
    height: bounds.maxY,
    vertices,
    edges,
    blocks: plans.map(blockState),
    wrapWidth: before.wrapWidth,
    ...modeSets(plans),
    packed: before.packed,
  };
}

/**
 * The free space of a group's content area while things are placed in it: vertex boxes and
 * route segments as obstacles, the content's extent so far, and the room it may grow into.
 */
class FreeSpace {
  private readonly boxes: Box[] = [];
  private readonly segments: Box[] = [];
  private width = 0;
  private height = 0;

  constructor(private readonly room: { width: number; height: number }) {}

  addBox(b: Box): void {
    this.boxes.push(b);
    this.width = Math.max(this.width, b.x + b.width);
    this.height = Math.max(this.height, b.y + b.height);
  }

  addRoute(points: readonly number[]): void {
    for (let i = 0; i + 3 < points.length; i += 2) {
      const [x0, y0, x1, y1] = [points[i], points[i + 1], points[i + 2], points[i + 3]] as [number, number, number, number];
      const b = { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) };
      this.segments.push(b);
      this.width = Math.max(this.width, b.x + b.width);
      this.height = Math.max(this.height, b.y + b.height);
    }
  }

  /**
   * The top-left corner, at x, y ≥ 0, of the cheapest free place for a `width` × `height` box
   * that keeps `margin` from every vertex box (ROUTE_CLEARANCE from every route). Cost: distance
   * from `ideal` (|dx| + |dy|), plus how much the content's extent grows, plus OVERFLOW_COST
   * beyond the room. Columns tried: the ideal one, `xs`, and those lined up with the vertex boxes
   * (same left side, or just right or left of one); in each, the free places at the edges of
   * the blocked stretches.
   */
  find(width: number, height: number, ideal: { x: number; y: number }, margin: number, xs: readonly number[]): { x: number; y: number } {
    const columns = new Set<number>([Math.max(0, ideal.x), 0]);
    for (const x of xs) if (x >= 0) columns.add(x);
    for (const o of this.boxes) {
      columns.add(o.x);
      columns.add(o.x + o.width + margin);
      if (o.x - margin - width >= 0) columns.add(o.x - margin - width);
    }
    const order = [...columns].sort((a, b) => Math.abs(a - ideal.x) - Math.abs(b - ideal.x) || a - b);
    let best = { x: 0, y: 0, cost: Infinity };
    const blocked: [number, number][] = [];
    for (const x of order) {
      // Every place costs at least its distance in x: no farther column can do better.
      if (Math.abs(x - ideal.x) >= best.cost) break;
      // Stretches of y where the box would come too near something: open intervals (a, b).
      blocked.length = 0;
      const collect = (o: Box, m: number) => {
        if (x < o.x + o.width + m && o.x < x + width + m) blocked.push([o.y - m - height, o.y + o.height + m]);
      };
      for (const o of this.boxes) collect(o, margin);
      for (const o of this.segments) collect(o, ROUTE_CLEARANCE);
      blocked.sort((a, b) => a[0] - b[0]);
      const merged: [number, number][] = [];
      for (const [a, b] of blocked) {
        const last = merged.at(-1);
        if (last !== undefined && a < last[1]) last[1] = Math.max(last[1], b);
        else merged.push([a, b]);
      }
      const free = (y: number) => y >= 0 && !merged.some(([a, b]) => a < y && y < b);
      const ys: number[] = [];
      const target = Math.max(0, ideal.y);
      if (free(target)) ys.push(target);
      if (free(0)) ys.push(0);
      for (const [a, b] of merged) {
        if (a >= 0) ys.push(a);
        if (b >= 0) ys.push(b);
      }
      for (const y of ys) {
        const right = Math.max(this.width, x + width);
        const bottom = Math.max(this.height, y + height);
        const over = Math.max(0, right - this.room.width) + Math.max(0, bottom - this.room.height);
        const cost = Math.abs(x - ideal.x) + Math.abs(y - ideal.y) + (right - this.width) + (bottom - this.height) + (over > 0 ? OVERFLOW_COST + over : 0);
        if (cost < best.cost) best = { x, y, cost };
      }
    }
    return { x: best.x, y: best.y };
  }
}

/**
 * A route for an edge added incrementally, from border to border: straight across where the two
 * boxes face each other (side by side, or one above the other), else one bend: out of the side
 * of `from` that faces `to`, level with its centre, then up or down into `to`.
 */
function simpleRoute(from: Box, to: Box): number[] {
  const top = Math.max(from.y, to.y);
  const bottom = Math.min(from.y + from.height, to.y + to.height);
  if (top < bottom) {
    const y = (top + bottom) / 2;
    return from.x + from.width <= to.x ? [from.x + from.width, y, to.x, y] : [from.x, y, to.x + to.width, y];
  }
  const left = Math.max(from.x, to.x);
  const right = Math.min(from.x + from.width, to.x + to.width);
  if (left < right) {
    const x = (left + right) / 2;
    return from.y + from.height <= to.y ? [x, from.y + from.height, x, to.y] : [x, from.y, x, to.y + to.height];
  }
  const y = from.y + from.height / 2;
  const x = to.x + to.width / 2;
  return [x > from.x + from.width ? from.x + from.width : from.x, y, x, y, x, to.y > y ? to.y : to.y + to.height];
}

/** The content size a group's slot allows it without moving any other group (see packGroups). */
function contentRoom(extent: { width: number; height: number } | undefined): { width: number; height: number } {
  if (extent === undefined) return { width: Infinity, height: Infinity };
  return { width: extent.width - GROUP_GAP - 2 * GROUP_PADDING, height: extent.height - GROUP_GAP - GROUP_HEADER - GROUP_PADDING };
}

class Bounds {
  minX = Infinity;
  minY = Infinity;
  maxX = -Infinity;
  maxY = -Infinity;

  add(x: number, y: number, w = 0, h = 0): void {
    this.minX = Math.min(this.minX, x);
    this.minY = Math.min(this.minY, y);
    this.maxX = Math.max(this.maxX, x + w);
    this.maxY = Math.max(this.maxY, y + h);
  }
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

/**
 * How far each slot may grow without moving another: to the height of its shelf (the tallest slot
 * on it) and, the last slot of a shelf, to the shelf's width.
 */
function slotExtents(packing: Packing): Map<string, { width: number; height: number }> {
  const extents = new Map<string, { width: number; height: number }>();
  for (const shelf of packing.shelves) {
    let height = 0;
    for (const id of shelf) height = Math.max(height, (packing.slots.get(id) as Box).height);
    for (const [i, id] of shelf.entries()) {
      const slot = packing.slots.get(id) as Box;
      extents.set(id, { width: i === shelf.length - 1 ? Math.max(slot.width, packing.shelfWidth - slot.x) : slot.width, height });
    }
  }
  return extents;
}

function packGroups(boxes: ReadonlyMap<string, { width: number; height: number }>, previous: Packing | undefined): Packing {
  const ids = [...boxes.keys()].sort(compare);
  const key = ids.join('\n');
  const sizes = new Map<string, { width: number; height: number }>();
  let unchanged = previous?.key === key;
  const extents = previous?.key === key ? slotExtents(previous) : undefined;
  for (const id of ids) {
    const box = boxes.get(id) as { width: number; height: number };
    const old = previous?.slots.get(id);
    const extent = extents?.get(id);
    if (old && fitsSlot(box, old)) {
      sizes.set(id, { width: old.width, height: old.height });
      continue;
    }
    unchanged = false;
    const [w, h] = [box.width + GROUP_GAP, box.height + GROUP_GAP];
    if (old && extent && w <= extent.width && h <= extent.height && (w > old.width || h > old.height)) {
      // Outgrown, but its extent has room: grow into it (with what slack there is), nothing else moves.
      const wanted = slotSize(box);
      sizes.set(id, { width: w <= old.width ? old.width : Math.min(wanted.width, extent.width), height: h <= old.height ? old.height : Math.min(wanted.height, extent.height) });
    } else sizes.set(id, slotSize(box));
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
