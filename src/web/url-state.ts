// All view state lives in the URL query string, so a link reproduces the view someone is looking
// at. Parsing never throws: a URL is user input (pasted, hand-edited, truncated by a chat app),
// so each field that is missing or garbled falls back to its default on its own.
//
// Values are percent-encoded, but characters that are common in filters and harmless in a query
// string (`:` `/` `=` `@` `,`) are left readable and spaces become `+`, so `?q=ns:prod+app=web`
// stays legible. List items (cluster ids, selection parts) also encode their separators.
//
// No DOM types here: this module typechecks and is tested under Node.

export const VIEWS = ['occupancy', 'topology'] as const;
export const NODE_SORTS = ['name', 'cpuRequested', 'memoryRequested', 'cpuUsed', 'memoryUsed', 'pods', 'age'] as const;
export const POD_SORTS = ['name', 'age', 'cpu', 'memory', 'status'] as const;
export const THEMES = ['system', 'light', 'dark'] as const;
/** 'Vertex': a topology vertex, by its id (e.g. `Deployment/shop/cart`). */
export const SELECTION_KINDS = ['Pod', 'Node', 'Vertex'] as const;
/** Topology vertex kinds offered by the kind filter (Outside is shown whenever an edge reaches it). */
export const TOPOLOGY_KINDS = [
  'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'Service', 'ExternalService', 'Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute',
] as const;
export type TopologyKind = (typeof TOPOLOGY_KINDS)[number];
export const MAX_FOCUS_HOPS = 5;

export type NodeSort = (typeof NODE_SORTS)[number];
export type PodSort = (typeof POD_SORTS)[number];
export type Theme = (typeof THEMES)[number];

/** World → screen: screen = world * scale + (x, y). */
export interface Camera {
  x: number;
  y: number;
  scale: number;
}
export const MIN_CAMERA_SCALE = 1e-4;
export const MAX_CAMERA_SCALE = 100;

export interface Selection {
  cluster: string;
  kind: (typeof SELECTION_KINDS)[number];
  uid: string;
}

export interface ViewState {
  view: (typeof VIEWS)[number];
  /** The filter text as typed (see src/model/query.ts). */
  query: string;
  /** false (default): dim pods that don't match the query; true: hide them. */
  hideNonMatching: boolean;
  /** Cluster ids to show; empty = all. */
  clusters: string[];
  /** A node label key to group nodes by; '' = no grouping. */
  groupBy: string;
  sortNodes: NodeSort;
  sortPods: PodSort;
  /** null = zoom to fit. */
  camera: Camera | null;
  selection: Selection | null;
  tv: boolean;
  theme: Theme;
  /** Topology view: namespaces shown (empty = all), kinds shown (empty = all). */
  namespaces: string[];
  kinds: TopologyKind[];
  /** Topology view: a vertex id and the hops of its neighbourhood shown; null = whole graph. */
  focus: string | null;
  hops: number;
  /** Topology view: namespaces expanded although the graph is large enough to collapse them. */
  expanded: string[];
}

/** Shared: copy before changing (parseViewState always returns a fresh object). */
export const DEFAULT_VIEW_STATE: ViewState = Object.freeze({
  view: 'occupancy',
  query: '',
  hideNonMatching: false,
  clusters: [],
  groupBy: '',
  sortNodes: 'name',
  sortPods: 'status',
  camera: null,
  selection: null,
  tv: false,
  theme: 'system',
  namespaces: [],
  kinds: [],
  focus: null,
  hops: 1,
  expanded: [],
});

/**
 * Node label keys offered for grouping. The node pool key is the one the simulated cluster sets;
 * real clusters use provider-specific keys (cloud.google.com/gke-nodepool,
 * eks.amazonaws.com/nodegroup, karpenter.sh/nodepool, agentpool), which work as custom keys.
 */
export const GROUP_PRESETS: { label: string; key: string }[] = [
  { label: 'Zone', key: 'topology.kubernetes.io/zone' },
  { label: 'Region', key: 'topology.kubernetes.io/region' },
  { label: 'Node pool', key: 'kubeglance.io/pool' },
  { label: 'Instance type', key: 'node.kubernetes.io/instance-type' },
];

// ---------------------------------------------------------------------------------------------
// Parsing

export function parseViewState(search: string): ViewState {
  const params = readParams(search);
  const text = (key: string) => decode(params.get(key));
  const d = DEFAULT_VIEW_STATE;
  return {
    view: oneOf(text('view'), VIEWS, d.view),
    query: text('q') ?? d.query,
    hideNonMatching: parseFlag(text('hide'), d.hideNonMatching),
    clusters: parseList(params.get('clusters')),
    groupBy: parseGroupBy(text('group')),
    sortNodes: oneOf(text('nsort'), NODE_SORTS, d.sortNodes),
    sortPods: oneOf(text('psort'), POD_SORTS, d.sortPods),
    camera: parseCamera(text('cam')),
    selection: parseSelection(params.get('sel')),
    tv: parseFlag(text('tv'), d.tv),
    theme: oneOf(text('theme'), THEMES, d.theme),
    namespaces: parseList(params.get('ns')),
    kinds: parseList(params.get('kinds')).filter((k): k is TopologyKind => (TOPOLOGY_KINDS as readonly string[]).includes(k)),
    focus: text('focus') || null,
    hops: parseHops(text('hops')),
    expanded: parseList(params.get('expand')),
  };
}

/**
 * Raw (still encoded) values by decoded key; the first occurrence of a key wins, as with
 * URLSearchParams.get. Kept raw because list values must be split before they are decoded.
 */
function readParams(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    if (key !== undefined && key !== '' && !params.has(key)) params.set(key, eq < 0 ? '' : pair.slice(eq + 1));
  }
  return params;
}

/** Form-style decoding (`+` is a space); undefined for malformed escapes such as `%E0%A4%A`. */
function decode(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
}

function parseFlag(value: string | undefined, fallback: boolean): boolean {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  return fallback;
}

function parseHops(value: string | undefined): number {
  const hops = Number(value);
  return value !== undefined && Number.isInteger(hops) && hops >= 1 && hops <= MAX_FOCUS_HOPS ? hops : DEFAULT_VIEW_STATE.hops;
}

/** A comma-separated list of encoded items; empty and malformed items dropped. */
function parseList(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map(decode)
    .filter((id): id is string => id !== undefined && id !== '');
}

/** Kubernetes label keys: up to a 253-character DNS prefix, "/", and a 63-character name. */
const LABEL_KEY = /^[A-Za-z0-9._/-]{1,317}$/;

function parseGroupBy(value: string | undefined): string {
  return value !== undefined && LABEL_KEY.test(value) ? value : DEFAULT_VIEW_STATE.groupBy;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseCamera(value: string | undefined): Camera | null {
  const parts = value?.split(',');
  if (parts?.length !== 3 || !parts.every((part) => NUMBER.test(part))) return null;
  const [x, y, scale] = parts.map(Number) as [number, number, number];
  const valid = Number.isFinite(x) && Number.isFinite(y) && scale >= MIN_CAMERA_SCALE && scale <= MAX_CAMERA_SCALE;
  return valid ? { x, y, scale } : null;
}

function parseSelection(raw: string | undefined): Selection | null {
  const parts = raw?.split('/').map(decode);
  if (parts?.length !== 3) return null;
  const [cluster, kind, uid] = parts;
  if (!cluster || !uid || !(SELECTION_KINDS as readonly (string | undefined)[]).includes(kind)) return null;
  return { cluster, kind: kind as Selection['kind'], uid };
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** '?'-prefixed query string with only the non-default fields, in a fixed order; '' if none. */
export function formatViewState(state: ViewState): string {
  const d = DEFAULT_VIEW_STATE;
  const params: string[] = [];
  const add = (key: string, value: string) => params.push(`${key}=${value}`);
  if (state.view !== d.view) add('view', state.view);
  if (state.query !== d.query) add('q', encode(state.query, READABLE));
  if (state.hideNonMatching !== d.hideNonMatching) add('hide', '1');
  const clusters = state.clusters.filter((id) => id !== '');
  if (clusters.length > 0) add('clusters', clusters.map((id) => encode(id, READABLE_IN_LIST)).join(','));
  if (state.groupBy !== d.groupBy) add('group', encode(state.groupBy, READABLE));
  if (state.sortNodes !== d.sortNodes) add('nsort', state.sortNodes);
  if (state.sortPods !== d.sortPods) add('psort', state.sortPods);
  const camera = state.camera && formatCamera(state.camera);
  if (camera) add('cam', camera);
  if (state.selection) add('sel', [state.selection.cluster, state.selection.kind, state.selection.uid].map((part) => encode(part, READABLE_IN_LIST)).join('/'));
  if (state.tv !== d.tv) add('tv', '1');
  if (state.theme !== d.theme) add('theme', state.theme);
  const list = (key: string, items: readonly string[]) => {
    const kept = items.filter((item) => item !== '');
    if (kept.length > 0) add(key, kept.map((item) => encode(item, READABLE_IN_LIST)).join(','));
  };
  list('ns', state.namespaces);
  list('kinds', state.kinds);
  if (state.focus !== null && state.focus !== '') add('focus', encode(state.focus, READABLE));
  if (state.hops !== d.hops) add('hops', String(state.hops));
  list('expand', state.expanded);
  return params.length > 0 ? `?${params.join('&')}` : '';
}

/**
 * Rounded so URLs stay short and don't change on sub-pixel pans: x and y to whole pixels, scale
 * to 4 significant digits (clamped to what parsing accepts). Undefined if not finite.
 */
function formatCamera(camera: Camera): string | undefined {
  const { x, y, scale } = camera;
  if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(scale)) return undefined;
  const clamped = Math.min(MAX_CAMERA_SCALE, Math.max(MIN_CAMERA_SCALE, scale));
  // `+ 0` turns -0 into 0, so a camera near the origin doesn't write "-0".
  return `${Math.round(x) + 0},${Math.round(y) + 0},${Number(clamped.toPrecision(4))}`;
}

/** Escapes left readable: separators of neither the query string nor our lists. */
const READABLE = /%(3A|2F|3D|40|2C)/g;
/** In lists ',' and '/' separate items, so they stay encoded. */
const READABLE_IN_LIST = /%(3A|3D|40)/g;

function encode(value: string, readable: RegExp): string {
  return encodeURIComponent(wellFormed(value))
    .replace(readable, (escape) => decodeURIComponent(escape))
    .replace(/%20/g, '+');
}

/** encodeURIComponent throws on lone surrogates; they become U+FFFD, as TextEncoder does. */
function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
