// The test hook's view of what the topology view drew (window.__kubeglance.topology()): every group,
// vertex and edge with its place on screen (CSS pixels relative to the canvas) and how it is drawn,
// so that end-to-end tests assert what is on screen, not only that a canvas exists.
import type { Camera } from '../../url-state.js';
import type { Box, GraphLayout, ShapedEdge, ShapedGraph, ShapedVertex } from './contracts.js';
import { emphasisOf } from './draw.js';
import { lineScaleAt } from './geometry.js';
import { cssColor } from '../occupancy/palette.js';
import { edgeLook, healthOf, trafficLabel, type EdgeStyleName, type Health, type TopologyPalette } from './topology-palette.js';

export interface ScreenRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface TopologyScene {
  camera: Camera;
  view: { width: number; height: number };
  /** Frames drawn since the view was created. */
  frames: number;
  /** A layout is being computed (the first, or one for a changed graph; the previous drawing stays meanwhile). */
  pending: boolean;
  /** The worker's time for the layout drawn; undefined before the first. */
  layoutMs: number | undefined;
  /** The last layout failure (not counting superseded requests), if the latest request failed. */
  layoutError: string | undefined;
  selected: string | null;
  hovered: string | undefined;
  /** Labels on screen right now (texts are only drawn when big enough to read). */
  labels: number;
  groups: { id: string; label: string; collapsed: boolean; box: ScreenRect }[];
  vertices: {
    id: string;
    kind: ShapedVertex['kind'];
    name: string;
    group: string;
    ready: number | undefined;
    desired: number | undefined;
    count: number | undefined;
    health: Health | undefined;
    defaultDeny: boolean;
    dim: boolean;
    selected: boolean;
    /** A neighbour of the selected vertex (or the vertex itself). */
    highlighted: boolean;
    /** Faded because something else is selected. */
    faded: boolean;
    box: ScreenRect;
  }[];
  edges: {
    id: string;
    from: string;
    to: string;
    types: ShapedEdge['types'];
    /** Model edge ids merged into this one. */
    edges: string[];
    evidence: ShapedEdge['evidence'];
    quiet: boolean;
    denied: boolean;
    traffic: ShapedEdge['traffic'];
    dim: boolean;
    highlighted: boolean;
    faded: boolean;
    style: EdgeStyleName;
    color: string;
    dash: number[];
    /** Line width in screen pixels, as drawn at this zoom (thinner when zoomed far out). */
    width: number;
    /** The rate label's text (shown when zoomed in far enough); empty without traffic. */
    rateLabel: string;
    /** The polyline on screen: x0, y0, x1, y1, … */
    points: number[];
  }[];
}

export interface TopologySceneInput {
  graph: ShapedGraph | undefined;
  layout: GraphLayout | undefined;
  camera: Camera;
  view: { width: number; height: number };
  frames: number;
  pending: boolean;
  layoutError: string | undefined;
  selected: string | null;
  hovered: string | undefined;
  labels: number;
  palette: TopologyPalette;
}

export function describeTopologyScene(input: TopologySceneInput): TopologyScene {
  const { graph, layout, camera, palette, selected } = input;
  const s = camera.scale;
  const screen = (b: Box): ScreenRect => ({ x: b.x * s + camera.x, y: b.y * s + camera.y, w: b.width * s, h: b.height * s });
  const scene: TopologyScene = {
    camera: { ...camera },
    view: { ...input.view },
    frames: input.frames,
    pending: input.pending,
    layoutMs: layout?.ms,
    layoutError: input.layoutError,
    selected,
    hovered: input.hovered,
    labels: input.labels,
    groups: [],
    vertices: [],
    edges: [],
  };
  if (graph === undefined || layout === undefined) return scene;
  const emphasis = emphasisOf(graph, selected);
  for (const g of graph.groups) {
    const box = layout.groups[g.id];
    if (box !== undefined) scene.groups.push({ id: g.id, label: g.label, collapsed: g.collapsed, box: screen(box) });
  }
  for (const v of graph.vertices) {
    const box = layout.vertices[v.id];
    if (box === undefined) continue;
    const highlighted = emphasis?.vertices.has(v.id) ?? false;
    scene.vertices.push({
      id: v.id, kind: v.kind, name: v.name, group: v.group, ready: v.ready, desired: v.desired, count: v.count,
      health: healthOf(v.ready, v.desired), defaultDeny: v.defaultDeny === true, dim: v.dim,
      selected: v.id === selected, highlighted, faded: emphasis !== undefined && !highlighted, box: screen(box),
    });
  }
  for (const e of graph.edges) {
    const points = layout.edges[e.id];
    if (points === undefined || points.length < 4) continue;
    const look = edgeLook(e, palette);
    const highlighted = emphasis?.edges.has(e.id) ?? false;
    scene.edges.push({
      id: e.id, from: e.from, to: e.to, types: [...e.types], edges: [...e.edges], evidence: e.evidence,
      quiet: e.quiet === true, denied: e.denied === true, traffic: e.traffic === undefined ? undefined : { ...e.traffic }, dim: e.dim,
      highlighted, faded: emphasis !== undefined && !highlighted,
      style: look.style, color: cssColor(look.color), dash: [...look.dash], width: look.width * lineScaleAt(s), rateLabel: trafficLabel(e.traffic),
      points: points.map((p, i) => (i % 2 === 0 ? p * s + camera.x : p * s + camera.y)),
    });
  }
  return scene;
}
