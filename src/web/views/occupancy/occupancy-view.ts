// The occupancy view: every cluster, node and pod on one canvas, drawn on the GPU.
//
// Rendering is on demand: nothing is drawn unless something changed (data, camera, hover,
// size), so an idle screen costs no CPU. Data changes are applied per node: a changed pod
// rewrites its node's cells; only a change in the picture's shape (a node added, a node
// outgrowing its box, new grouping) triggers a full layout, at most once a second.
import { Application, Container, UniformGroup } from 'pixi.js';
import type { ClusterState } from '../../../model/cluster-state.js';
import { nodeOccupancy, placeholderNode, visualStatus } from '../../../model/occupancy.js';
import type { NodeRecord, PodRecord } from '../../../model/records.js';
import type { RecordChange, StoreEvent } from '../../live/live-store.js';
import type { Camera, NodeSort, PodSort, Selection } from '../../url-state.js';
import { CellTexture, shapeSource } from './cell-texture.js';
import { QuadMesh } from './quad-mesh.js';
import { CELL_OUTLINED, CELL_RESTARTED, CHROME_ATTRIBUTES, DETAIL_MIN_CELL_PIXELS, GRID_ATTRIBUTES, SHAPES, chromeFragment, gridFragment, type Detail } from './shaders.js';
import { fitCamera, toWorld } from '../camera.js';
import { rgba } from '../shader-color.js';
import { ViewCamera } from '../view-camera.js';
import * as g from './geometry.js';
import { OTHER_REASONS, boxKey, nodeSelectionUid, fillCells, layoutClusters, placeholderName, unscheduledKey, unscheduledReason, type OccupancyLayout, type PodBox } from './layout.js';
import { CORDONED, NOT_READY, SELECTED, STATUS_SHAPE, STATUS_STYLES, cssColor, dimmed, type Rgb, type Theme } from './palette.js';
import { pick, type Picked } from './pick.js';
import { describeScene, type SceneSnapshot } from './scene.js';
import { LabelLayer } from './labels.js';
import { MapCache } from './map-cache.js';

export interface OccupancyOptions {
  groupBy: string;
  sortNodes: NodeSort;
  sortPods: PodSort;
  /** Pods that match the filter; undefined when there is no filter. */
  matches: ((pod: PodRecord) => boolean) | undefined;
  /** Hide non-matching pods instead of dimming them. */
  hideNonMatching: boolean;
  /** Cluster ids to show; empty = all. */
  clusters: readonly string[];
  /** The server said this identity may not see nodes: placeholder nodes are "details hidden". */
  nodesHidden: boolean;
}

/**
 * A full layout waits at least this long after the previous one (pods come and go in bursts),
 * and at least ten times as long as the previous one took, so that at 150,000 pods (a few
 * hundred milliseconds per layout) layouts never take more than a tenth of the main thread.
 */
const LAYOUT_INTERVAL_MS = 1000;
const MAX_LAYOUT_INTERVAL_MS = 5000;
const LAYOUT_COST_FACTOR = 10;

export class OccupancyView {
  private app!: Application;
  private readonly world = new Container();
  private readonly cells = new CellTexture();
  /** Uniforms of the grid shader, and of the chrome shader (set per frame and per theme). */
  private readonly gridUniforms = new UniformGroup({
    uUnitsPerPixel: { value: 1, type: 'f32' },
    uMark: { value: new Float32Array(4), type: 'vec4<f32>' },
  });
  private readonly chromeUniforms = new UniformGroup({
    uUnitsPerPixel: { value: 1, type: 'f32' },
    uFill: { value: new Float32Array(4), type: 'vec4<f32>' },
    uBarBack: { value: new Float32Array(4), type: 'vec4<f32>' },
    uReserved: { value: new Float32Array(4), type: 'vec4<f32>' },
    uRequested: { value: new Float32Array(4), type: 'vec4<f32>' },
    uUsed: { value: new Float32Array(4), type: 'vec4<f32>' },
  });
  /** Every box: fill, border and pod grid. */
  private readonly grid = new QuadMesh(
    GRID_ATTRIBUTES,
    'kubeglance-grid',
    fragments(gridFragment),
    { uCells: this.cells.source, uShapes: shapeSource(), gridUniforms: this.gridUniforms },
  );
  /**
   * Frames of clusters and groups: thin quads one pixel wide, rebuilt when the zoom changes.
   * (Filled cluster and group boxes would shade most of the screen once more per frame, which
   * in software GL costs as much as all the pods.)
   */
  private readonly frames = new QuadMesh(
    GRID_ATTRIBUTES,
    'kubeglance-frames',
    fragments(gridFragment),
    { uCells: this.cells.source, uShapes: shapeSource(), gridUniforms: this.gridUniforms },
  );
  private framesScale = 0;
  /** The top of every pod box: header band and bars. */
  private readonly chrome = new QuadMesh(
    CHROME_ATTRIBUTES,
    'kubeglance-chrome',
    fragments(chromeFragment),
    { chromeUniforms: this.chromeUniforms },
  );
  private labels!: LabelLayer;
  private cache!: MapCache;
  /** A pan or zoom in progress shows the cached map moved. */
  private readonly viewCamera = new ViewCamera(
    () => fitCamera({ w: this.layout.width, h: this.layout.height }, this.viewSize()),
    (camera, byUser) => this.onCameraChange(camera, byUser),
    () => this.requestRender(),
  );
  private layout: OccupancyLayout = { clusters: [], boxes: [], boxByKey: new Map(), cellCount: 0, width: 0, height: 0 };
  private quadOfBox = new Map<PodBox, number>();
  private options: OccupancyOptions;
  private theme: Theme;
  private selection: Selection | null = null;
  private hovered: Picked | undefined;
  private dirtyBoxes = new Set<PodBox>();
  private layoutWanted = false;
  private lastLayoutAt = 0;
  private lastLayoutMs = 0;
  private layoutTimer: ReturnType<typeof setTimeout> | undefined;
  private frameRequested = false;
  private framesDrawn = 0;
  private lastFrameMs = 0;
  private layoutsDone = 0;
  private destroyed = false;

  constructor(
    private readonly host: HTMLElement,
    private readonly clusters: () => ReadonlyMap<string, ClusterState>,
    options: OccupancyOptions,
    theme: Theme,
    private readonly onCameraChange: (camera: Camera, byUser: boolean) => void,
  ) {
    this.options = options;
    this.theme = theme;
  }

  async init(): Promise<void> {
    this.app = new Application();
    await this.app.init({
      // WebGPU renders blank in software (no GPU); WebGL works everywhere.
      preference: 'webgl',
      autoStart: false,
      sharedTicker: false,
      antialias: false,
      resolution: Math.min(window.devicePixelRatio || 1, 2),
      autoDensity: true,
      width: Math.max(1, this.host.clientWidth),
      height: Math.max(1, this.host.clientHeight),
      // The canvas is the clusters' fill: filled cluster boxes would cost a full-screen pass per frame.
      background: cssColor(this.theme.clusterFill),
      // The canvas is redrawn only on demand, so it must keep its pixels between frames for screenshots.
      preserveDrawingBuffer: true,
    });
    this.app.ticker.stop();
    const canvas = this.app.canvas;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Cluster occupancy map: nodes as boxes, pods as squares');
    canvas.tabIndex = 0;
    this.host.append(canvas);
    this.applyThemeUniforms();
    this.world.addChild(this.frames.mesh, this.grid.mesh, this.chrome.mesh);
    this.labels = new LabelLayer(this.theme);
    this.cache = new MapCache(this.app.renderer, this.viewSize().width, this.viewSize().height);
    this.cache.root.addChild(this.world);
    this.app.stage.addChild(this.cache.display, this.labels.container);
    new ResizeObserver(() => this.resize()).observe(this.host);
    this.relayout();
  }

  get canvas(): HTMLCanvasElement {
    return this.app.canvas;
  }

  get camera(): Camera {
    return this.viewCamera.current;
  }

  get currentLayout(): OccupancyLayout {
    return this.layout;
  }

  get stats() {
    return { frames: this.framesDrawn, lastFrameMs: this.lastFrameMs, layouts: this.layoutsDone, boxes: this.layout.boxes.length, cells: this.layout.cellCount };
  }

  /** Whether a frame or layout is pending (tests wait until the view is idle). */
  get busy(): boolean {
    return this.frameRequested || this.layoutWanted || this.dirtyBoxes.size > 0 || this.viewCamera.settling;
  }

  setOptions(options: OccupancyOptions): void {
    const previous = this.options;
    this.options = options;
    const shapeChanged =
      previous.groupBy !== options.groupBy ||
      previous.sortNodes !== options.sortNodes ||
      previous.sortPods !== options.sortPods ||
      previous.hideNonMatching !== options.hideNonMatching ||
      previous.clusters.join('\n') !== options.clusters.join('\n') ||
      previous.nodesHidden !== options.nodesHidden ||
      (options.hideNonMatching && previous.matches !== options.matches);
    if (shapeChanged) this.relayout();
    else if (previous.matches !== options.matches) {
      this.writeAllCells();
      this.requestRender();
    }
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.applyThemeUniforms();
    this.writeAll(); // colours are baked into quads and cells
    this.labels.setTheme(theme);
    this.app.renderer.background.color = cssColor(theme.clusterFill);
    this.requestRender();
  }

  setSelection(selection: Selection | null): void {
    const previous = this.selection;
    this.selection = selection;
    for (const s of [previous, selection]) {
      const box = s === null ? undefined : this.boxOfSelection(s);
      if (box !== undefined) this.dirtyBoxes.add(box);
    }
    this.flushDirtyBoxes();
    this.requestRender();
  }

  /** Sets the camera; null zooms to fit and keeps fitting as the layout changes. */
  setCamera(camera: Camera | null, byUser = false): void {
    this.viewCamera.set(camera, byUser);
  }

  zoomToFit(): void {
    this.setCamera(null, true);
  }

  /** Centres the camera on a box (after selecting a node or pod from a link or search). */
  focusOn(selection: Selection): void {
    const box = this.boxOfSelection(selection);
    if (box === undefined) return;
    const { width, height } = this.viewSize();
    const scale = Math.max(this.camera.scale, Math.min(width / (box.w * 4), height / (box.h * 4), 2));
    this.setCamera({ scale, x: width / 2 - (box.x + box.w / 2) * scale, y: height / 2 - (box.y + box.h / 2) * scale }, true);
  }

  /** What is under a screen point (CSS pixels relative to the canvas). */
  pickAt(screenX: number, screenY: number): Picked | undefined {
    const { x, y } = toWorld(this.camera, screenX, screenY);
    return pick(this.layout, x, y);
  }

  setHovered(picked: Picked | undefined): void {
    const previous = this.hovered;
    if (previous?.box === picked?.box && previous?.cell === picked?.cell) return;
    this.hovered = picked;
    if (previous !== undefined) this.dirtyBoxes.add(previous.box);
    if (picked !== undefined) this.dirtyBoxes.add(picked.box);
    this.flushDirtyBoxes();
    this.requestRender();
  }

  onStoreEvent(event: StoreEvent): void {
    if (event.type === 'reset') {
      this.relayout();
      return;
    }
    for (const change of event.changes) this.noteChange(change);
    // Draw only when something on screen changed: usage samples of pods, for example, arrive
    // every few seconds and change nothing unless pods are sorted by usage.
    const rewritten = this.flushDirtyBoxes();
    if (this.layoutWanted) this.scheduleLayout();
    if (rewritten > 0 || event.statusChanged.size > 0) this.requestRender();
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.layoutTimer);
    this.viewCamera.stop();
    this.app.destroy(true, { children: true, texture: true });
  }

  // --- Data changes ---------------------------------------------------------------------------

  private noteChange(change: RecordChange): void {
    if (!this.showsCluster(change.cluster)) return;
    switch (change.kind) {
      case 'Pod':
        for (const pod of [change.previous, change.current] as (PodRecord | undefined)[]) {
          if (pod !== undefined) this.markBox(this.boxKeyOfPod(change.cluster, pod));
        }
        break;
      case 'Node': {
        const previous = change.previous as NodeRecord | undefined;
        const current = change.current as NodeRecord | undefined;
        const groupBy = this.options.groupBy;
        // A node that comes, goes, or moves to another group changes the shape of the picture.
        if (previous === undefined || current === undefined || (groupBy !== '' && previous.labels?.[groupBy] !== current.labels?.[groupBy])) {
          this.layoutWanted = true;
        } else this.markBox(boxKey(change.cluster, current.name));
        break;
      }
      case 'NodeMetrics': {
        const name = (change.current ?? change.previous)?.name;
        if (name !== undefined) this.markBox(boxKey(change.cluster, name));
        break;
      }
      case 'PodMetrics':
        // Usage moves pods only when pods are sorted by it.
        if (this.options.sortPods === 'cpu' || this.options.sortPods === 'memory') {
          const pod = this.clusters().get(change.cluster)?.get('Pod', change.uid);
          if (pod !== undefined) this.markBox(this.boxKeyOfPod(change.cluster, pod));
        }
        break;
      default:
        break;
    }
  }

  private boxKeyOfPod(cluster: string, pod: PodRecord): string {
    if (pod.nodeName !== undefined) return boxKey(cluster, pod.nodeName);
    const key = unscheduledKey(cluster, unscheduledReason(pod));
    const other = unscheduledKey(cluster, OTHER_REASONS);
    return !this.layout.boxByKey.has(key) && this.layout.boxByKey.has(other) ? other : key;
  }

  private markBox(key: string): void {
    const box = this.layout.boxByKey.get(key);
    if (box === undefined) this.layoutWanted = true;
    else this.dirtyBoxes.add(box);
  }

  /** Refills changed boxes in place; a box whose pods no longer fit asks for a full layout. */
  private flushDirtyBoxes(): number {
    if (this.dirtyBoxes.size === 0) return 0;
    let rewritten = 0;
    const clusters = this.clusters();
    let unscheduledByCluster: Map<string, Map<string, PodRecord[]>> | undefined;
    for (const box of this.dirtyBoxes) {
      const state = clusters.get(box.cluster);
      if (state === undefined) {
        this.layoutWanted = true;
        continue;
      }
      let pods: PodRecord[];
      if (box.kind === 'node') {
        pods = state.podsOnNode(box.name);
        if (box.node !== undefined) {
          box.node = state.get('Node', box.node.uid) ?? box.node;
          box.occupancy = nodeOccupancy(box.node, pods, state.get('NodeMetrics', box.node.uid));
        } else if (pods.length === 0) {
          // The last pod left a placeholder: nothing names the node any more, so its box goes.
          this.layoutWanted = true;
        } else box.placeholder = placeholderNode(box.name, pods);
      } else {
        unscheduledByCluster ??= new Map();
        let byReason = unscheduledByCluster.get(box.cluster);
        if (byReason === undefined) unscheduledByCluster.set(box.cluster, (byReason = unscheduledPodsByBox(state, this.layout)));
        pods = byReason.get(box.name) ?? [];
      }
      if (!fillCells(box, pods, state, this.layoutOptions())) {
        this.layoutWanted = true;
        continue;
      }
      this.writeBox(box);
      rewritten++;
    }
    this.dirtyBoxes.clear();
    return rewritten;
  }

  private scheduleLayout(): void {
    if (this.layoutTimer !== undefined) return;
    const interval = Math.min(MAX_LAYOUT_INTERVAL_MS, Math.max(LAYOUT_INTERVAL_MS, this.lastLayoutMs * LAYOUT_COST_FACTOR));
    const wait = Math.max(0, this.lastLayoutAt + interval - performance.now());
    this.layoutTimer = setTimeout(() => {
      this.layoutTimer = undefined;
      if (!this.destroyed && this.layoutWanted) this.relayout();
    }, wait);
  }

  private relayout(): void {
    const started = performance.now();
    const clusters = [...this.clusters().values()].filter((c) => this.showsCluster(c.id));
    this.layout = layoutClusters(clusters, this.layoutOptions());
    this.lastLayoutMs = performance.now() - started;
    this.layoutWanted = false;
    this.dirtyBoxes.clear();
    this.lastLayoutAt = performance.now();
    this.layoutsDone++;
    if (this.hovered !== undefined) this.hovered = undefined;
    this.writeAll();
    if (this.viewCamera.fitting) this.setCamera(null);
    this.requestRender();
  }

  private layoutOptions() {
    const { groupBy, sortNodes, sortPods, hideNonMatching, matches } = this.options;
    return { groupBy, sortNodes, sortPods, shows: hideNonMatching ? matches : undefined, nodesHidden: this.options.nodesHidden };
  }

  private showsCluster(id: string): boolean {
    return this.options.clusters.length === 0 || this.options.clusters.includes(id);
  }

  // --- Writing quads and cells ----------------------------------------------------------------

  private applyThemeUniforms(): void {
    const t = this.theme;
    const set = (group: UniformGroup, name: string, rgb: Rgb) => (group.uniforms[name] as Float32Array).set(rgba(rgb, 1));
    set(this.gridUniforms, 'uMark', t.mark);
    set(this.chromeUniforms, 'uFill', t.nodeFill);
    set(this.chromeUniforms, 'uBarBack', t.barBack);
    set(this.chromeUniforms, 'uReserved', t.reserved);
    set(this.chromeUniforms, 'uRequested', t.requested);
    set(this.chromeUniforms, 'uUsed', t.used);
    this.gridUniforms.update();
    this.chromeUniforms.update();
  }

  private writeAll(): void {
    const { boxes, cellCount } = this.layout;
    this.grid.reset(boxes.length);
    this.chrome.reset(boxes.length);
    this.cells.reserve(cellCount);
    this.framesScale = 0; // rebuilt at the next frame
    this.quadOfBox = new Map();
    boxes.forEach((box, i) => this.quadOfBox.set(box, i));
    for (const box of boxes) this.writeBox(box);
  }

  /** Cluster and group frames, one pixel wide at the current zoom. */
  private writeFrames(scale: number): void {
    const { clusters } = this.layout;
    const rects = [...clusters, ...clusters.flatMap((c) => c.groups.filter((group) => group.value !== ''))];
    this.frames.reset(rects.length * 4);
    const line = 1 / scale;
    const attributes = { aBox: [0, 0, 0, 0], aFill: rgba(this.theme.border, 0), aBorder: rgba(this.theme.border, 0) };
    rects.forEach(({ x, y, w, h }, i) => {
      this.frames.set(i * 4, { x, y, w, h: line }, attributes);
      this.frames.set(i * 4 + 1, { x, y: y + h - line, w, h: line }, attributes);
      this.frames.set(i * 4 + 2, { x, y, w: line, h }, attributes);
      this.frames.set(i * 4 + 3, { x: x + w - line, y, w: line, h }, attributes);
    });
    this.framesScale = scale;
  }

  private writeAllCells(): void {
    for (const box of this.layout.boxes) this.writeCells(box);
  }

  private writeBox(box: PodBox): void {
    const quad = this.quadOfBox.get(box);
    if (quad === undefined) return;
    const node = box.node;
    const t = this.theme;
    const selected = box.kind === 'node' && this.selection?.kind === 'Node' && this.selection.cluster === box.cluster && this.selection.uid === nodeSelectionUid(box);
    const hovered = this.hovered?.box === box && this.hovered.pod === undefined;
    const notReady = box.kind === 'node' && node !== undefined && !node.ready;
    // A placeholder (no Node record) has a dashed border: nothing about the node itself is known.
    const aBorder = selected ? rgba(SELECTED, 3) : hovered ? rgba(SELECTED, 2) : notReady ? rgba(NOT_READY, 1.5)
      : box.placeholder !== undefined ? rgba(t.placeholderBorder, -PLACEHOLDER_BORDER) : rgba(t.border, 1);
    // The grid quad covers the box below the chrome: no pixel is shaded twice.
    const gridRect = { x: box.x, y: box.y + g.GRID_TOP, w: box.w, h: box.h - g.GRID_TOP };
    this.grid.set(quad, gridRect, { aBox: [box.w, box.h, box.columns, box.firstCell], aFill: rgba(t.nodeFill, box.rows), aBorder }, { x: 0, y: g.GRID_TOP });

    // Header: plain for a healthy node; stripes for not ready, cordoned, unknown or unscheduled.
    let stripe: Rgb | undefined;
    if (box.kind === 'unscheduled' || node === undefined) stripe = t.background;
    else if (!node.ready) stripe = NOT_READY;
    else if (node.unschedulable) stripe = CORDONED;
    const marks = node === undefined ? 0 : (hasPressure(node) ? 1 : 0) + (hasSchedulingTaint(node) ? 2 : 0);
    const o = box.occupancy;
    const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
    const cpu = o === undefined ? [0, 0, -1, 0] : [share(o.reserved.cpu, o.capacity.cpu), share(o.requested.cpu, o.capacity.cpu), o.used ? share(o.used.cpu, o.capacity.cpu) : -1, share(o.podCount, o.maxPods)];
    const memory = o === undefined ? [0, 0, -1, marks] : [share(o.reserved.memory, o.capacity.memory), share(o.requested.memory, o.capacity.memory), o.used ? share(o.used.memory, o.capacity.memory) : -1, marks];
    // No bars for unscheduled pods, nor for placeholders: there is no capacity to measure against.
    const noBars = box.kind === 'unscheduled' || box.placeholder !== undefined;
    this.chrome.set(quad, { x: box.x, y: box.y, w: box.w, h: g.GRID_TOP }, {
      aHeader: rgba(t.header, box.w),
      aStripe: rgba(stripe ?? t.header, (stripe === undefined ? 0 : 1) + (noBars ? 2 : 0)),
      aCpu: cpu,
      aMemory: memory,
      aBorder,
    });
    this.writeCells(box);
  }

  private writeCells(box: PodBox): void {
    const matches = this.options.hideNonMatching ? undefined : this.options.matches;
    const selected = this.selection?.kind === 'Pod' && this.selection.cluster === box.cluster ? this.selection.uid : undefined;
    const hoveredCell = this.hovered?.box === box ? this.hovered.cell : undefined;
    const { emptyCell, nodeFill } = this.theme;
    const empty = SHAPES.indexOf('square') * 32;
    for (let i = 0; i < box.cells.length; i++) {
      const pod = box.cells[i];
      if (pod === undefined) {
        this.cells.set(box.firstCell + i, emptyCell, empty);
        continue;
      }
      const status = visualStatus(pod);
      const color = STATUS_STYLES[status].color;
      const dim = matches !== undefined && !matches(pod);
      let alpha = SHAPES.indexOf(STATUS_SHAPE[status]) * 32;
      if (pod.restarts > 0) alpha |= CELL_RESTARTED;
      if (pod.uid === selected || i === hoveredCell) alpha |= CELL_OUTLINED;
      this.cells.set(box.firstCell + i, dim ? dimmed(color, nodeFill) : color, alpha);
    }
  }

  private boxOfSelection(selection: Selection): PodBox | undefined {
    const state = this.clusters().get(selection.cluster);
    if (state === undefined) return undefined;
    if (selection.kind === 'Node') {
      const name = state.get('Node', selection.uid)?.name ?? placeholderName(selection.uid);
      return name === undefined ? undefined : this.layout.boxByKey.get(boxKey(selection.cluster, name));
    }
    const pod = state.get('Pod', selection.uid);
    return pod === undefined ? undefined : this.layout.boxByKey.get(this.boxKeyOfPod(selection.cluster, pod));
  }

  // --- Frames ---------------------------------------------------------------------------------

  requestRender(): void {
    if (this.frameRequested || this.destroyed) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.frameRequested = false;
    if (this.destroyed) return;
    const started = performance.now();
    const now = performance.now();
    const { scale } = this.camera;
    const unitsPerPixel = 1 / scale;
    this.gridUniforms.uniforms['uUnitsPerPixel'] = unitsPerPixel;
    this.chromeUniforms.uniforms['uUnitsPerPixel'] = unitsPerPixel;
    this.gridUniforms.update();
    this.chromeUniforms.update();
    const detail: Detail = g.CELL * scale >= DETAIL_MIN_CELL_PIXELS ? 'detail' : 'overview';
    this.grid.useDetail(detail);
    this.chrome.useDetail(detail);
    if (this.framesScale !== scale) this.writeFrames(scale);
    // Bitwise or: every mesh must upload, whatever the others did.
    if (Number(this.frames.flush()) | Number(this.grid.flush()) | Number(this.chrome.flush()) | Number(this.cells.flush())) this.cache.invalidate();
    this.cache.update(this.world, this.camera, this.viewCamera.movingAt(now), now);
    this.labels.update(this.layout, this.camera, this.viewSize(), this.clusters());
    this.app.render();
    if (this.framesDrawn === 0 || (this.layout.boxes.length > 0 && performance.getEntriesByName('kubeglance:first-data-frame').length === 0)) {
      performance.mark(this.layout.boxes.length > 0 ? 'kubeglance:first-data-frame' : 'kubeglance:first-frame');
    }
    this.framesDrawn++;
    this.lastFrameMs = performance.now() - started;
  }

  private resize(): void {
    const width = Math.max(1, this.host.clientWidth);
    const height = Math.max(1, this.host.clientHeight);
    this.app.renderer.resize(width, height);
    this.cache.resize(width, height);
    if (this.viewCamera.fitting) this.setCamera(null);
    this.requestRender();
  }

  private viewSize(): { width: number; height: number } {
    return { width: this.app.renderer.width / this.app.renderer.resolution, height: this.app.renderer.height / this.app.renderer.resolution };
  }

  // --- Test hook --------------------------------------------------------------------------------

  /** What is drawn, for tests: every box and pod with its place on screen, colour and state. */
  scene(): SceneSnapshot {
    return describeScene({
      layout: this.layout,
      camera: this.camera,
      view: this.viewSize(),
      frames: this.framesDrawn,
      clusters: this.clusters(),
      dims: this.options.hideNonMatching ? undefined : this.options.matches,
      selection: this.selection,
      theme: this.theme,
    });
  }
}

/** Unscheduled pods by the box they are drawn in (rare reasons share the "other reasons" box). */
function unscheduledPodsByBox(state: ClusterState, layout: OccupancyLayout): Map<string, PodRecord[]> {
  const byReason = new Map<string, PodRecord[]>();
  for (const pod of state.podsWithoutNode()) {
    let reason = unscheduledReason(pod);
    if (!layout.boxByKey.has(unscheduledKey(state.id, reason))) reason = OTHER_REASONS;
    const list = byReason.get(reason);
    if (list === undefined) byReason.set(reason, [pod]);
    else list.push(pod);
  }
  return byReason;
}

/** Border width in pixels of a placeholder box (drawn dashed). */
const PLACEHOLDER_BORDER = 1.5;

export function hasPressure(node: NodeRecord): boolean {
  return node.conditions.some((c) => c.type !== 'Ready' && c.status === 'True');
}

/** Taints that keep ordinary pods away (the cordon taint and control-plane taints are shown otherwise). */
export function hasSchedulingTaint(node: NodeRecord): boolean {
  return node.taints.some(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && t.key !== 'node.kubernetes.io/unschedulable' && !t.key.startsWith('node-role.kubernetes.io/'),
  );
}

function fragments(fragment: (detail: Detail) => string): Record<Detail, string> {
  return { detail: fragment('detail'), overview: fragment('overview') };
}
