// The topology view's visual language, per theme: how each kind of vertex and each kind of edge
// looks. Colours come from the occupancy palette (Okabe–Ito, distinguishable with the common forms
// of colour blindness), and nothing depends on colour alone: every vertex kind also has its own
// badge shape and letters, every edge style its own dash pattern (and marks where it matters).
// The canvas drawing, the SVG export, the legend and the test hook all read this one table.
import type { EdgeType, VertexKind } from '../../../model/topology.js';
import type { ShapedEdge } from './contracts.js';
import { DECLARED_TYPE_ORDER } from './shape.js';
import { DARK, SELECTED, type Rgb, type Theme } from '../occupancy/palette.js';

/** What a vertex can be on screen: a model kind, or a collapsed namespace. */
export type DrawnKind = VertexKind | 'Namespace';

/** Badge shapes (the glyph shader and the SVG export draw each; the index is the shader's code). */
export const GLYPH_SHAPES = ['circle', 'ring', 'square', 'diamond', 'hexagon', 'triangle', 'deny'] as const;
export type GlyphShape = (typeof GLYPH_SHAPES)[number];

export type KindCategory = 'workload' | 'pod' | 'service' | 'entry' | 'outside' | 'namespace';

export interface KindStyle {
  shape: GlyphShape;
  category: KindCategory;
  /** One to three letters drawn on the badge when it is big enough. */
  letters: string;
}

/**
 * Shape and letters per kind. Within a category (one colour) every kind has its own shape; across
 * categories the colour and the letters tell kinds with the same shape apart.
 */
export const KIND_STYLES: Record<DrawnKind, KindStyle> = {
  Deployment: { shape: 'hexagon', category: 'workload', letters: 'D' },
  StatefulSet: { shape: 'square', category: 'workload', letters: 'SS' },
  DaemonSet: { shape: 'diamond', category: 'workload', letters: 'DS' },
  Job: { shape: 'triangle', category: 'workload', letters: 'J' },
  CronJob: { shape: 'ring', category: 'workload', letters: 'CJ' },
  Pod: { shape: 'circle', category: 'pod', letters: 'P' },
  Service: { shape: 'circle', category: 'service', letters: 'S' },
  ExternalService: { shape: 'ring', category: 'service', letters: 'X' },
  Ingress: { shape: 'diamond', category: 'entry', letters: 'In' },
  Gateway: { shape: 'hexagon', category: 'entry', letters: 'GW' },
  HTTPRoute: { shape: 'square', category: 'entry', letters: 'H' },
  GRPCRoute: { shape: 'triangle', category: 'entry', letters: 'G' },
  Outside: { shape: 'ring', category: 'outside', letters: 'O' },
  Namespace: { shape: 'square', category: 'namespace', letters: 'NS' },
};

/** How an edge is drawn, by what it says (see `edgeStyleOf` for the precedence). */
export type EdgeStyleName =
  | 'routes'
  | 'selects'
  | 'config'
  | 'policy-allow'
  /** Declared and confirmed by observed traffic: solid, in its type's colour, as wide as the rate. */
  | 'traffic'
  /** Observed traffic no declaration explains: loud. */
  | 'unexplained'
  /** Declared, but no traffic observed while the cluster reports traffic: faint. */
  | 'quiet'
  /** The connection a declaration implies is blocked by a NetworkPolicy. */
  | 'denied';

export const EDGE_STYLE_NAMES: readonly EdgeStyleName[] = ['routes', 'selects', 'config', 'policy-allow', 'traffic', 'unexplained', 'quiet', 'denied'];

export interface EdgeStyle {
  color: Rgb;
  /** Dash pattern in screen pixels: on, off, on, off (empty = solid). */
  dash: readonly number[];
  /** Line width in screen pixels (traffic edges: the width at no traffic; see trafficWidth). */
  width: number;
  alpha: number;
  /** For the legend. */
  label: string;
}

export interface TopologyPalette {
  theme: Theme['name'];
  background: Rgb;
  groupFill: Rgb;
  groupBorder: Rgb;
  vertexFill: Rgb;
  vertexBorder: Rgb;
  text: Rgb;
  mutedText: Rgb;
  barBack: Rgb;
  /** Replica health: all ready, some ready, none ready. */
  healthy: Rgb;
  degraded: Rgb;
  down: Rgb;
  selected: Rgb;
  /** The default-deny mark on a vertex. */
  deny: Rgb;
  categories: Record<KindCategory, { fill: Rgb; ink: Rgb }>;
  edges: Record<EdgeStyleName, EdgeStyle>;
}

// Okabe–Ito.
const ORANGE: Rgb = [0xe6, 0x9f, 0x00];
const SKY_BLUE: Rgb = [0x56, 0xb4, 0xe9];
const BLUISH_GREEN: Rgb = [0x00, 0x9e, 0x73];
const BLUE: Rgb = [0x00, 0x72, 0xb2];
const VERMILLION: Rgb = [0xd5, 0x5e, 0x00];
const REDDISH_PURPLE: Rgb = [0xcc, 0x79, 0xa7];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const INK: Rgb = [0x11, 0x11, 0x11];

/** Alpha of what the query dims, and of what a selection fades (everything not connected to it). */
export const DIM_ALPHA = 0.25;
export const FADE_ALPHA = 0.15;

export function rgbOf(hex: number): Rgb {
  return [(hex >> 16) & 0xff, (hex >> 8) & 0xff, hex & 0xff];
}

export function hexOf([r, g, b]: Rgb): number {
  return (r << 16) | (g << 8) | b;
}

export function topologyPalette(theme: Theme): TopologyPalette {
  const dark = theme.name === 'dark';
  // On the dark background Okabe–Ito blue is too dim for thin lines: use the lighter blue the
  // occupancy dark theme uses for its request bars.
  const blue = dark ? DARK.requested : BLUE;
  const neutral = rgbOf(theme.mutedText);
  return {
    theme: theme.name,
    background: theme.background,
    groupFill: theme.clusterFill,
    groupBorder: theme.border,
    vertexFill: theme.nodeFill,
    vertexBorder: dark ? [0x5a, 0x63, 0x73] : [0x9a, 0xa2, 0xae],
    text: rgbOf(theme.text),
    mutedText: neutral,
    barBack: theme.barBack,
    healthy: BLUISH_GREEN,
    degraded: ORANGE,
    down: VERMILLION,
    selected: dark ? SKY_BLUE : SELECTED,
    deny: VERMILLION,
    categories: {
      workload: { fill: blue, ink: WHITE },
      pod: { fill: SKY_BLUE, ink: INK },
      service: { fill: BLUISH_GREEN, ink: WHITE },
      entry: { fill: REDDISH_PURPLE, ink: INK },
      outside: { fill: rgbOf(theme.text), ink: theme.nodeFill },
      namespace: { fill: neutral, ink: theme.nodeFill },
    },
    edges: {
      routes: { color: blue, dash: [], width: 1.6, alpha: 0.9, label: 'routes (ingress, gateway, route → service)' },
      selects: { color: BLUISH_GREEN, dash: [7, 3], width: 1.5, alpha: 0.9, label: 'selects (service → pods)' },
      config: { color: REDDISH_PURPLE, dash: [9, 3, 2, 3], width: 1.5, alpha: 0.9, label: 'configured to call (env host)' },
      'policy-allow': { color: rgbOf(theme.text), dash: [3, 3], width: 1.2, alpha: 0.75, label: 'allowed by NetworkPolicy' },
      // Confirmed traffic is drawn in its declared type's colour; sky blue when no declaration is on
      // the pair itself (observed workload → workload, explained by a path through a Service).
      traffic: { color: SKY_BLUE, dash: [], width: 2, alpha: 0.9, label: 'observed traffic (width: request rate)' },
      unexplained: { color: ORANGE, dash: [8, 4], width: 2.5, alpha: 1, label: 'observed traffic no declaration explains (?)' },
      quiet: { color: neutral, dash: [1.5, 4], width: 1.2, alpha: 0.5, label: 'declared, no traffic observed (dotted, faint)' },
      denied: { color: VERMILLION, dash: [], width: 2, alpha: 1, label: 'denied by NetworkPolicy (bar)' },
    },
  };
}

/** The declared type an edge is coloured by, if it has any. */
function primaryType(edge: Pick<ShapedEdge, 'types'>): EdgeType | undefined {
  // An edge with several declared types shows the first in this order.
  for (const type of DECLARED_TYPE_ORDER) if (edge.types.includes(type)) return type;
  return undefined;
}

/**
 * The style an edge is drawn in. Precedence: what needs attention first (denied, then traffic no
 * declaration explains), then quiet, then confirmed traffic, then the declared type.
 */
export function edgeStyleOf(edge: Pick<ShapedEdge, 'types' | 'evidence' | 'quiet' | 'denied' | 'traffic'>): EdgeStyleName {
  if (edge.denied) return 'denied';
  if (edge.evidence === 'observed') return 'unexplained';
  if (edge.quiet) return 'quiet';
  if (edge.evidence === 'both' || edge.traffic !== undefined) return 'traffic';
  return (primaryType(edge) as Exclude<EdgeType, 'observed'> | undefined) ?? 'routes';
}

/** What an edge looks like: its style, and the colour and width that style gives this edge. */
export interface EdgeLook {
  style: EdgeStyleName;
  color: Rgb;
  dash: readonly number[];
  /** Screen pixels. */
  width: number;
  alpha: number;
  /** A "?" mark at the middle: traffic no declaration explains. */
  question: boolean;
  /** A bar across the middle: denied. */
  bar: boolean;
}

export function edgeLook(edge: ShapedEdge, palette: TopologyPalette): EdgeLook {
  const style = edgeStyleOf(edge);
  const s = palette.edges[style];
  let color = s.color;
  let width = s.width;
  if (style === 'traffic' || style === 'quiet') {
    // Confirmed and quiet edges keep the colour of what declares them.
    const type = primaryType(edge);
    if (type !== undefined && type !== 'observed') color = palette.edges[type as Exclude<EdgeType, 'observed'>].color;
    if (style === 'traffic') width = trafficWidth(edge.traffic?.requestRate);
  } else if (style === 'unexplained') width = Math.max(s.width, trafficWidth(edge.traffic?.requestRate));
  return { style, color, dash: s.dash, width, alpha: s.alpha, question: style === 'unexplained', bar: style === 'denied' };
}

export const MIN_TRAFFIC_WIDTH = 2;
export const MAX_TRAFFIC_WIDTH = 7;

/**
 * Line width for a request rate: logarithmic (rates span orders of magnitude), from 2 px at no
 * traffic to 7 px at about 3,000 req/s and above.
 */
export function trafficWidth(requestRate: number | undefined): number {
  if (requestRate === undefined || !(requestRate > 0)) return MIN_TRAFFIC_WIDTH;
  const w = MIN_TRAFFIC_WIDTH + 1.4 * Math.log10(1 + requestRate);
  return Math.min(MAX_TRAFFIC_WIDTH, w);
}

export type Health = 'healthy' | 'degraded' | 'down' | 'idle';

/** Replica health of a workload: all ready, some, none, or nothing wanted (scaled to zero). */
export function healthOf(ready: number | undefined, desired: number | undefined): Health | undefined {
  if (desired === undefined) return undefined;
  const r = ready ?? 0;
  if (desired <= 0) return 'idle';
  if (r >= desired) return 'healthy';
  return r > 0 ? 'degraded' : 'down';
}

export function healthColor(health: Health, palette: TopologyPalette): Rgb {
  return health === 'healthy' ? palette.healthy : health === 'degraded' ? palette.degraded : health === 'down' ? palette.down : palette.mutedText;
}

/**
 * The rate label of an edge: "12 req/s · 0.4% err · p95 85 ms", or TCP bytes and connections
 * when that is all there is. Empty when there is no traffic.
 */
export function trafficLabel(traffic: ShapedEdge['traffic']): string {
  if (traffic === undefined) return '';
  const parts: string[] = [];
  if (traffic.requestRate !== undefined) {
    parts.push(`${compact(traffic.requestRate)} req/s`);
    if (traffic.errorRate !== undefined && traffic.requestRate > 0) parts.push(`${percent(traffic.errorRate / traffic.requestRate)} err`);
  }
  if (traffic.p95Ms !== undefined) parts.push(`p95 ${compact(traffic.p95Ms)} ms`);
  if (parts.length === 0) {
    if (traffic.tcpBytesRate !== undefined) parts.push(`${bytes(traffic.tcpBytesRate)}/s`);
    if (traffic.tcpConnections !== undefined) parts.push(`${Math.round(traffic.tcpConnections)} conn`);
  }
  return parts.join(' · ');
}

function compact(n: number): string {
  if (n >= 1000) return `${(n / 1000).toFixed(n >= 10000 ? 0 : 1)}k`;
  if (n >= 10) return String(Math.round(n));
  if (n >= 1) return n.toFixed(1).replace(/\.0$/, '');
  return n === 0 ? '0' : n.toFixed(2);
}

function percent(share: number): string {
  const p = share * 100;
  return `${p >= 10 ? Math.round(p) : p.toFixed(1)}%`;
}

function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${Math.round(n)} B`;
}
