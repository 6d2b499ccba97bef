// The topology view: workloads, services, ingresses and routes as boxes in namespace groups, with
// declared and observed edges between them, drawn with PixiJS.
//
// Data stages (contracts.ts): a ShapedGraph comes in (setGraph), the layout worker places it, and
// the view draws the GraphLayout. While a layout is computed the previous drawing stays. A graph
// that differs only in readiness, traffic or dimming is drawn at once on the layout at hand.
//
// Rendering is on demand (no ticker): nothing is drawn unless something changed. The geometry is
// built once per layout and change (draw.ts) and drawn into a cached texture (picture-cache.ts): a
// pan or zoom in motion moves and scales that texture, and only the screen-space labels and the
// hover overlay are drawn on top of it each frame. At rest the picture is redrawn exactly.
import { Application, Container, Rectangle } from 'pixi.js';
import type { Camera } from '../../url-state.js';
import { fitCamera, MAX_SCALE, toWorld } from '../camera.js';
import { cssColor, type Theme } from '../occupancy/palette.js';
import { rgba } from '../shader-color.js';
import { ViewCamera } from '../view-camera.js';
import type { Box, GraphLayout, ShapedEdge, ShapedGraph, ShapedVertex } from './contracts.js';
import { drawingBounds } from './geometry.js';
import { addBox, BOX_LAYOUT, buildDrawing, buildOverlay, createDrawing, createOverlay } from './draw.js';
import { topologySvg } from './export-svg.js';
import { indexLabels, planLabels, type LabelIndex } from './label-plan.js';
import { TopologyLabels } from './labels.js';
import { createLayoutClient, type LayoutClient } from './layout-client.js';
import { LayoutFeed } from './layout-feed.js';
import { createTopologyUniforms, setZoom, TopologyMesh } from './meshes.js';
import { PictureCache } from './picture-cache.js';
import { buildPickIndex, EDGE_PICK_PIXELS, pickTopology, type PickIndex, type TopologyPick } from './pick.js';
import { describeTopologyScene, type TopologyScene } from './scene.js';
import { topologyPalette, type TopologyPalette } from './topology-palette.js';
import { TriBuffer } from './tri-buffer.js';

export interface TopologyViewOptions {
  /** The layout client to use (tests and scratch pages); by default the view starts the worker's. */
  layoutClient?: LayoutClient;
  /** Called after a graph is shown (a new layout, or new attributes on the current one): panels refresh. */
  onShown?: () => void;
}

/** focusOn zooms in at least this far, where names are readable. */
const FOCUS_SCALE = 1;

const EMPTY_GRAPH: ShapedGraph = { groups: [], vertices: [], edges: [] };

export class TopologyView {
  private app!: Application;
  /** What is drawn into the cache: groups, edges, vertices, glyphs. */
  private readonly world = new Container();
  /** Drawn over the cache each frame under the camera: the hover outline. */
  private readonly overlayRoot = new Container();
  private readonly uniforms = createTopologyUniforms();
  private meshes!: { groups: TopologyMesh; edges: TopologyMesh; vertices: TopologyMesh; glyphs: TopologyMesh };
  private overlayMeshes!: { lines: TopologyMesh; boxes: TopologyMesh };
  /** Plates under the labels that lie over lines (group names, rates): in screen space, zoom 1. */
  private plateMesh!: TopologyMesh;
  private readonly plates = new TriBuffer(BOX_LAYOUT, 64);
  private readonly drawing = createDrawing();
  private readonly overlay = createOverlay();
  private labels!: TopologyLabels;
  private cache!: PictureCache;
  private client: LayoutClient | undefined;
  private readonly onShown: (() => void) | undefined;
  private readonly ownsClient: boolean;
  private resizeObserver: ResizeObserver | undefined;

  private readonly feed: LayoutFeed;
  /** The graph drawn and its layout (same structure). */
  private graph: ShapedGraph | undefined;
  private layout: GraphLayout | undefined;
  private bounds: Box = { x: 0, y: 0, width: 0, height: 0 };
  private pickIndex: PickIndex = { vertices: [], edges: [], groups: [] };
  private labelIndex: LabelIndex = { vertices: [], groups: [], edges: [] };

  private palette: TopologyPalette;
  /** Follows the layout (zoom to fit) until the user pans or zooms; in motion, the cached picture is shown moved. */
  private readonly viewCamera = new ViewCamera(
    () => this.fitCamera(),
    (camera, byUser) => this.onCameraChange(camera, byUser),
    () => this.requestRender(),
  );
  private selected: string | null = null;
  private hovered: string | undefined;
  /** A vertex to centre on once it has been laid out. */
  private pendingFocus: string | undefined;

  private drawingDirty = false;
  private overlayDirty = false;
  private frameRequested = false;
  private framesDrawn = 0;
  private lastFrameMs = 0;
  private initialised = false;
  private destroyed = false;

  constructor(
    private readonly host: HTMLElement,
    theme: Theme,
    private readonly onCameraChange: (camera: Camera, byUser: boolean) => void,
    options: TopologyViewOptions = {},
  ) {
    this.palette = topologyPalette(theme);
    this.client = options.layoutClient;
    this.onShown = options.onShown;
    this.ownsClient = options.layoutClient === undefined;
    this.feed = new LayoutFeed(
      // The worker starts with the first graph, not with the app: the topology may never be shown.
      () => (this.client ??= createLayoutClient()),
      (graph, layout) => this.show(graph, layout),
      (message) => {
        console.error(`topology layout failed: ${message}`);
        this.requestRender();
      },
    );
  }

  async init(): Promise<void> {
    this.app = new Application();
    const width = Math.max(1, this.host.clientWidth);
    const height = Math.max(1, this.host.clientHeight);
    await this.app.init({
      // WebGPU renders blank in software (no GPU); WebGL works everywhere.
      preference: 'webgl',
      autoStart: false,
      sharedTicker: false,
      // Lines and shapes antialias themselves in their shaders; MSAA would cost every pixel.
      antialias: false,
      resolution: Math.min(window.devicePixelRatio || 1, 2),
      autoDensity: true,
      width,
      height,
      background: cssColor(this.palette.background),
      // Not needed: exportPng renders into a texture of its own.
      preserveDrawingBuffer: false,
    });
    this.app.ticker.stop();
    const canvas = this.app.canvas;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Topology: workloads, services and routes as boxes in namespaces, with the edges between them');
    canvas.tabIndex = 0;
    this.host.append(canvas);

    this.meshes = {
      groups: new TopologyMesh('box', this.uniforms),
      edges: new TopologyMesh('line', this.uniforms),
      vertices: new TopologyMesh('box', this.uniforms),
      glyphs: new TopologyMesh('glyph', this.uniforms),
    };
    this.world.addChild(this.meshes.groups.mesh, this.meshes.edges.mesh, this.meshes.vertices.mesh, this.meshes.glyphs.mesh);
    this.overlayMeshes = { lines: new TopologyMesh('line', this.uniforms), boxes: new TopologyMesh('box', this.uniforms) };
    this.overlayRoot.addChild(this.overlayMeshes.lines.mesh, this.overlayMeshes.boxes.mesh);
    const screenUniforms = createTopologyUniforms();
    setZoom(screenUniforms, 1);
    this.plateMesh = new TopologyMesh('box', screenUniforms);
    this.labels = new TopologyLabels();
    this.cache = new PictureCache(this.app.renderer, width, height);
    this.cache.root.addChild(this.world);
    this.app.stage.addChild(this.cache.display, this.overlayRoot, this.plateMesh.mesh, this.labels.container);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.host);
    this.initialised = true;
    this.drawingDirty = this.graph !== undefined;
    this.overlayDirty = true;
    // A layout that arrived while PixiJS started could not be fitted to the canvas yet.
    if (this.viewCamera.fitting && this.graph !== undefined) this.setCamera(null);
    this.requestRender();
  }

  get canvas(): HTMLCanvasElement {
    return this.app.canvas;
  }

  get camera(): Camera {
    return this.viewCamera.current;
  }

  get stats() {
    return { frames: this.framesDrawn, lastFrameMs: this.lastFrameMs, vertices: this.pickIndex.vertices.length, edges: this.pickIndex.edges.length, layoutMs: this.layout?.ms };
  }

  /** Whether a layout, a frame or the settling redraw is pending (tests wait until the view is idle). */
  get busy(): boolean {
    return this.feed.pending || this.frameRequested || this.viewCamera.settling;
  }

  // --- Data -------------------------------------------------------------------------------------

  /** Shows a graph: at once if only its attributes changed, else once the worker has laid it out. */
  setGraph(graph: ShapedGraph): void {
    if (!this.destroyed) this.feed.set(graph);
  }

  /** Draws a graph on its layout (from the feed); a new layout refits the camera or focuses as asked. */
  private show(graph: ShapedGraph, layout: GraphLayout): void {
    const relaid = layout !== this.layout;
    this.graph = graph;
    this.layout = layout;
    this.labelIndex = indexLabels(graph, layout, this.selected);
    if (this.hovered !== undefined && !this.exists(this.hovered)) this.hovered = undefined;
    this.drawingDirty = true;
    this.overlayDirty = true;
    if (relaid) {
      // Ids and boxes only: a graph on the same layout has the same structure (sameStructure).
      this.pickIndex = buildPickIndex(graph, layout);
      this.bounds = drawingBounds(graph, layout);
      const focus = this.pendingFocus;
      this.pendingFocus = undefined;
      if (focus !== undefined && layout.vertices[focus] !== undefined) this.focusOn(focus);
      else if (this.viewCamera.fitting && this.initialised) this.setCamera(null);
    }
    this.requestRender();
    this.onShown?.();
  }

  private exists(id: string): boolean {
    const layout = this.layout;
    return layout !== undefined && (layout.vertices[id] !== undefined || layout.edges[id] !== undefined || layout.groups[id] !== undefined);
  }

  setTheme(theme: Theme): void {
    this.palette = topologyPalette(theme);
    if (this.initialised) this.app.renderer.background.color = cssColor(this.palette.background);
    this.drawingDirty = this.graph !== undefined;
    this.overlayDirty = true;
    this.requestRender();
  }

  /** Outlines a vertex, highlights its edges and neighbours and fades the rest (null: nothing). */
  setSelection(vertexId: string | null): void {
    if (vertexId === this.selected) return;
    this.selected = vertexId;
    if (this.graph !== undefined && this.layout !== undefined) {
      this.labelIndex = indexLabels(this.graph, this.layout, vertexId);
      this.drawingDirty = true;
    }
    this.requestRender();
  }

  /** Outlines what is under the pointer: a vertex, edge or group id (from pickAt), or nothing. */
  setHovered(id: string | undefined): void {
    if (id === this.hovered) return;
    this.hovered = id;
    this.overlayDirty = true;
    this.requestRender();
  }

  // --- Camera -----------------------------------------------------------------------------------

  /** Sets the camera; null zooms to fit and keeps fitting as the layout changes, until the user moves. */
  setCamera(camera: Camera | null, byUser = false): void {
    this.viewCamera.set(camera, byUser);
  }

  zoomToFit(): void {
    this.setCamera(null, true);
  }

  /**
   * Centres the camera on a vertex, zoomed in far enough to read it; if a layout is on its way
   * (the vertex may be in it), once it has arrived. A vertex that is not drawn is ignored.
   */
  focusOn(vertexId: string): void {
    const box = this.layout?.vertices[vertexId];
    if (box === undefined) {
      if (this.feed.pending || this.layout === undefined) this.pendingFocus = vertexId;
      return;
    }
    this.pendingFocus = undefined;
    const { width, height } = this.viewSize();
    const scale = Math.min(MAX_SCALE, Math.max(this.camera.scale, FOCUS_SCALE));
    this.setCamera({ scale, x: width / 2 - (box.x + box.width / 2) * scale, y: height / 2 - (box.y + box.height / 2) * scale }, true);
  }

  private fitCamera(): Camera {
    const b = this.bounds;
    const camera = fitCamera({ w: b.width, h: b.height }, this.viewSize());
    return { scale: camera.scale, x: camera.x - b.x * camera.scale, y: camera.y - b.y * camera.scale };
  }

  /** What is under a screen point (CSS pixels relative to the canvas): vertex, else edge, else group. */
  pickAt(screenX: number, screenY: number): TopologyPick | undefined {
    const { x, y } = toWorld(this.camera, screenX, screenY);
    return pickTopology(this.pickIndex, x, y, EDGE_PICK_PIXELS / this.camera.scale);
  }

  /** An edge of the graph shown (one pickAt found), without describing the whole scene. */
  edge(id: string): ShapedEdge | undefined {
    return this.graph?.edges.find((e) => e.id === id);
  }

  /** The vertices drawn (those with a place in the layout), for the panels' counts. */
  drawnVertices(): ShapedVertex[] {
    const layout = this.layout;
    return this.graph === undefined || layout === undefined ? [] : this.graph.vertices.filter((v) => layout.vertices[v.id] !== undefined);
  }

  // --- Export -----------------------------------------------------------------------------------

  /** The view as drawn now, as a PNG (rendered into a texture of its own: no preserved drawing buffer needed). */
  async exportPng(): Promise<Blob> {
    if (!this.initialised || this.destroyed) throw new Error('the topology view is not running');
    this.draw(true);
    const { width, height } = this.viewSize();
    const canvas = this.app.renderer.extract.canvas({
      target: this.app.stage,
      frame: new Rectangle(0, 0, width, height),
      resolution: this.app.renderer.resolution,
      clearColor: cssColor(this.palette.background),
    }) as HTMLCanvasElement;
    return new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob === null ? reject(new Error('the PNG could not be encoded')) : resolve(blob)), 'image/png');
    });
  }

  /** The whole graph (not only what is on screen) as a standalone SVG document. */
  exportSvg(): string {
    const layout = this.layout ?? { width: 0, height: 0, groups: {}, vertices: {}, edges: {}, ms: 0 };
    return topologySvg(this.graph ?? EMPTY_GRAPH, layout, this.palette);
  }

  destroy(): void {
    this.destroyed = true;
    this.feed.stop();
    this.resizeObserver?.disconnect();
    this.viewCamera.stop();
    if (this.ownsClient) this.client?.dispose();
    if (this.initialised) this.app.destroy(true, { children: true, texture: true });
  }

  // --- Frames -----------------------------------------------------------------------------------

  requestRender(): void {
    if (this.frameRequested || this.destroyed || !this.initialised) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.draw());
  }

  /** Draws a frame; `atRest` redraws the cached picture exactly under the camera (for exports). */
  private draw(atRest = false): void {
    this.frameRequested = false;
    if (this.destroyed || !this.initialised) return;
    const started = performance.now();
    if (this.drawingDirty) {
      if (this.graph !== undefined && this.layout !== undefined) buildDrawing(this.drawing, this.graph, this.layout, this.palette, this.selected);
      this.meshes.groups.upload(this.drawing.groups);
      this.meshes.edges.upload(this.drawing.edges);
      this.meshes.vertices.upload(this.drawing.vertices);
      this.meshes.glyphs.upload(this.drawing.glyphs);
      this.cache.invalidate();
      this.drawingDirty = false;
    }
    if (this.overlayDirty) {
      if (this.graph !== undefined && this.layout !== undefined) buildOverlay(this.overlay, this.graph, this.layout, this.palette, this.hovered);
      this.overlayMeshes.lines.upload(this.overlay.lines);
      this.overlayMeshes.boxes.upload(this.overlay.boxes);
      this.overlayDirty = false;
    }
    const camera = this.camera;
    setZoom(this.uniforms, camera.scale);
    const now = performance.now();
    this.cache.update(this.world, camera, !atRest && this.viewCamera.movingAt(now), now);
    this.overlayRoot.position.set(camera.x, camera.y);
    this.overlayRoot.scale.set(camera.scale);
    const plan = planLabels(this.labelIndex, camera, this.viewSize(), this.palette);
    this.labels.update(plan);
    this.plates.clear();
    const plateColor = rgba(this.palette.groupFill, 0.85);
    for (const plate of this.labels.plates(plan)) addBox(this.plates, plate, 3, 0, plateColor, plateColor);
    this.plateMesh.upload(this.plates);
    this.app.render();
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
    if (!this.initialised) return { width: Math.max(1, this.host.clientWidth), height: Math.max(1, this.host.clientHeight) };
    return { width: this.app.renderer.width / this.app.renderer.resolution, height: this.app.renderer.height / this.app.renderer.resolution };
  }

  // --- Test hook --------------------------------------------------------------------------------

  /** What is drawn, for tests: groups, vertices and edges with their place on screen and look. */
  scene(): TopologyScene {
    return describeTopologyScene({
      graph: this.graph,
      layout: this.layout,
      camera: this.camera,
      view: this.viewSize(),
      frames: this.framesDrawn,
      pending: this.feed.pending,
      layoutError: this.feed.error,
      selected: this.selected,
      hovered: this.hovered,
      labels: this.initialised ? this.labels.shown : 0,
      palette: this.palette,
    });
  }
}
