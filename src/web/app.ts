// The browser app: view state (kept in the URL), the live store, the occupancy view and the
// panels around it. Data flows one way: stream → store → view and panels; user input changes
// the view state, which is written to the URL and applied.
import type { ClusterState } from '../model/cluster-state.js';
import { clusterSummary, occupancyInState, type NodeOccupancy } from '../model/occupancy.js';
import { isEmptyQuery, matches, parseQuery, type QuerySubject } from '../model/query.js';
import type { NodeRecord, PodRecord } from '../model/records.js';
import { el } from './dom.js';
import { LiveStore, type StoreEvent } from './live/live-store.js';
import { DetailsPanel, Tooltip, tooltipLines } from './panels/details.js';
import { HelpOverlay } from './panels/help.js';
import { createLegend } from './panels/legend.js';
import { StatusBar } from './panels/status-bar.js';
import { SummaryStrip } from './panels/summary-strip.js';
import { Toolbar } from './panels/toolbar.js';
import { GROUP_PRESETS, formatViewState, parseViewState, type Camera, type ViewState } from './url-state.js';
import { attachCameraInput, panBy, zoomAt } from './views/occupancy/camera.js';
import { OccupancyView, type OccupancyOptions } from './views/occupancy/occupancy-view.js';
import { DARK, LIGHT, type Theme } from './views/occupancy/palette.js';

/**
 * Panels (summary, details, match count) refresh at most this often while data streams in, and
 * at least 20 times as long as they took (the summary counts every pod: ~50 ms at 150,000).
 */
const PANEL_INTERVAL_MS = 1000;
const PANEL_COST_FACTOR = 20;

export class App {
  private state: ViewState;
  private readonly store: LiveStore;
  private view!: OccupancyView;
  private readonly toolbar: Toolbar;
  private readonly status = new StatusBar();
  private readonly summary = new SummaryStrip();
  private readonly details: DetailsPanel;
  private readonly tooltip = new Tooltip();
  private readonly help: HelpOverlay;
  private readonly stage = el('main', { class: 'stage' });
  private matcher: ((pod: PodRecord) => boolean) | undefined;
  /** The current query's error, while the last valid query stays applied. */
  private queryError: { error: string; offset: number } | undefined;
  private panelTimer: ReturnType<typeof setTimeout> | undefined;
  private panelsDue = false;
  private panelMs = 0;
  private cameraUrlTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly darkScheme = window.matchMedia('(prefers-color-scheme: dark)');

  constructor(private readonly root: HTMLElement) {
    this.state = parseViewState(location.search);
    this.store = new LiveStore({
      onEvent: (event) => this.onStoreEvent(event),
      onConnection: () => this.schedulePanels(),
    });
    this.toolbar = new Toolbar({
      setQuery: (query) => this.update({ query }, 'replace'),
      setHide: (hideNonMatching) => this.update({ hideNonMatching }, 'push'),
      setGroupBy: (groupBy) => this.update({ groupBy }, 'push'),
      setSortNodes: (sortNodes) => this.update({ sortNodes }, 'push'),
      setSortPods: (sortPods) => this.update({ sortPods }, 'push'),
      setClusters: (clusters) => this.update({ clusters }, 'push'),
      zoomToFit: () => this.zoomToFit(),
      cycleTheme: () => this.update({ theme: this.state.theme === 'system' ? 'dark' : this.state.theme === 'dark' ? 'light' : 'system' }, 'push'),
      toggleTv: () => this.update({ tv: !this.state.tv, camera: null }, 'push'),
      showHelp: () => this.help.show(),
    });
    this.details = new DetailsPanel(() => this.update({ selection: null }, 'push'));
    this.help = new HelpOverlay(() => this.closeHelp());
  }

  async start(): Promise<void> {
    const chrome = el('div', { class: 'chrome' }, this.toolbar.element, this.status.element, this.summary.element);
    const legend = createLegend();
    this.stage.append(this.tooltip.element, legend);
    this.root.append(chrome, el('div', { class: 'workspace' }, this.stage, this.details.element), this.help.element);
    this.view = new OccupancyView(this.stage, () => this.store.clusters, this.occupancyOptions(), this.currentTheme(), (camera, byUser) => this.onCamera(camera, byUser));
    await this.view.init();
    this.stage.prepend(this.view.canvas);
    attachCameraInput(this.view.canvas, {
      get: () => this.view.camera,
      set: (camera) => this.setCameraByUser(camera),
      onClick: (x, y) => this.onClick(x, y),
      onHover: (x, y) => this.onHover(x, y),
      onLeave: () => {
        this.view.setHovered(undefined);
        this.tooltip.hide();
      },
    });
    window.addEventListener('popstate', () => this.apply(parseViewState(location.search)));
    window.addEventListener('keydown', (event) => this.onKey(event));
    this.darkScheme.addEventListener('change', () => this.applyTheme());
    this.apply(this.state);
    this.store.start();
    // The status line says "stale since … (2 min ago)": keep relative times current.
    setInterval(() => this.schedulePanels(), 10_000);
    exposeTestHook(this);
  }

  // --- View state -----------------------------------------------------------------------------

  /** Changes the view state, records it in the URL (a new history entry for 'push'), applies it. */
  private update(patch: Partial<ViewState>, history: 'push' | 'replace'): void {
    const next = { ...this.state, ...patch };
    const url = `${location.pathname}${formatViewState(next)}${location.hash}`;
    if (history === 'push') window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    this.apply(next);
  }

  private apply(next: ViewState): void {
    const previous = this.state;
    this.state = next;
    if (previous.query !== next.query || (this.matcher === undefined && this.queryError === undefined)) this.compileQuery();
    document.body.classList.toggle('tv', next.tv);
    this.applyTheme();
    this.toolbar.render(next);
    this.view.setOptions(this.occupancyOptions());
    this.view.setSelection(next.selection);
    const camera = next.tv ? null : next.camera;
    if (!sameCamera(camera, this.view.camera) || camera === null) this.view.setCamera(camera);
    this.renderPanels();
  }

  private compileQuery(): void {
    const parsed = parseQuery(this.state.query);
    if (!parsed.ok) {
      // An invalid query (often one being typed) leaves the picture as it was and says what is wrong.
      this.queryError = { error: parsed.error, offset: parsed.offset };
      this.toolbar.setFilterResult(this.queryError);
      return;
    }
    this.queryError = undefined;
    if (isEmptyQuery(parsed.query)) {
      this.matcher = undefined;
      this.toolbar.setFilterResult(undefined);
      return;
    }
    const query = parsed.query;
    const subject: QuerySubject = { name: '' };
    const clusters = this.store.clusters;
    this.matcher = (pod) => {
      // One reused subject: matching runs over every pod on each change of the filter.
      subject.name = pod.name;
      subject.namespace = pod.namespace;
      subject.labels = pod.labels;
      subject.status = pod.status;
      subject.node = pod.nodeName;
      subject.owner = topOwner(clusters, pod);
      return matches(query, subject);
    };
  }

  private occupancyOptions(): OccupancyOptions {
    const { groupBy, sortNodes, sortPods, hideNonMatching, clusters } = this.state;
    return { groupBy, sortNodes, sortPods, hideNonMatching, clusters, matches: this.matcher };
  }

  private currentTheme(): Theme {
    const name = this.state.theme === 'system' ? (this.darkScheme.matches ? 'dark' : 'light') : this.state.theme;
    return name === 'dark' ? DARK : LIGHT;
  }

  private applyTheme(): void {
    const theme = this.currentTheme();
    if (document.body.dataset.theme === theme.name) return;
    document.body.dataset.theme = theme.name;
    this.view?.setTheme(theme);
  }

  // --- Camera and pointer ---------------------------------------------------------------------

  private setCameraByUser(camera: Camera): void {
    if (this.state.tv) return; // TV mode always fits
    this.view.setCamera(camera, true);
  }

  /** Back to "fit": a state of its own (no camera in the URL), so the view keeps fitting as data changes. */
  private zoomToFit(): void {
    clearTimeout(this.cameraUrlTimer);
    this.update({ camera: null }, 'replace');
  }

  private onCamera(camera: Camera, byUser: boolean): void {
    if (!byUser) return;
    this.state = { ...this.state, camera };
    // Panning produces many positions a second; the URL takes the last one after a pause.
    clearTimeout(this.cameraUrlTimer);
    this.cameraUrlTimer = setTimeout(() => window.history.replaceState(null, '', `${location.pathname}${formatViewState(this.state)}`), 300);
  }

  private onHover(x: number, y: number): void {
    const picked = this.view.pickAt(x, y);
    this.view.setHovered(picked);
    if (picked === undefined) {
      this.tooltip.hide();
      return;
    }
    const state = this.store.clusters.get(picked.box.cluster);
    if (state === undefined) return;
    const lines = tooltipLines(state, { pod: picked.pod, node: picked.pod ? undefined : picked.box.node, boxName: picked.box.name, unscheduled: picked.box.kind === 'unscheduled' });
    this.tooltip.show(lines, x, y, { width: this.stage.clientWidth, height: this.stage.clientHeight });
  }

  private onClick(x: number, y: number): void {
    const picked = this.view.pickAt(x, y);
    this.view.canvas.focus();
    if (picked?.pod !== undefined) this.update({ selection: { cluster: picked.box.cluster, kind: 'Pod', uid: picked.pod.uid } }, 'push');
    else if (picked?.box.node !== undefined) this.update({ selection: { cluster: picked.box.cluster, kind: 'Node', uid: picked.box.node.uid } }, 'push');
    else if (this.state.selection !== null) this.update({ selection: null }, 'push');
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    const typing = target !== null && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA');
    if (event.key === 'Escape') {
      if (this.help.open) this.closeHelp();
      else if (this.state.selection !== null) this.update({ selection: null }, 'push');
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const step = event.shiftKey ? 400 : 100;
    const centre = { x: this.stage.clientWidth / 2, y: this.stage.clientHeight / 2 };
    const camera = this.view.camera;
    const keys: Record<string, () => void> = {
      '/': () => this.toolbar.filter.focus(),
      '?': () => (this.help.open ? this.closeHelp() : this.help.show()),
      f: () => this.zoomToFit(),
      '0': () => this.zoomToFit(),
      '+': () => this.setCameraByUser(zoomAt(camera, 1.25, centre.x, centre.y)),
      '=': () => this.setCameraByUser(zoomAt(camera, 1.25, centre.x, centre.y)),
      '-': () => this.setCameraByUser(zoomAt(camera, 0.8, centre.x, centre.y)),
      ArrowLeft: () => this.setCameraByUser(panBy(camera, step, 0)),
      ArrowRight: () => this.setCameraByUser(panBy(camera, -step, 0)),
      ArrowUp: () => this.setCameraByUser(panBy(camera, 0, step)),
      ArrowDown: () => this.setCameraByUser(panBy(camera, 0, -step)),
      h: () => this.update({ hideNonMatching: !this.state.hideNonMatching }, 'push'),
      t: () => this.update({ tv: !this.state.tv, camera: null }, 'push'),
      g: () => {
        const cycle = ['', ...GROUP_PRESETS.map((p) => p.key)];
        this.update({ groupBy: cycle[(cycle.indexOf(this.state.groupBy) + 1) % cycle.length] ?? '' }, 'push');
      },
    };
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  }

  private closeHelp(): void {
    this.help.hide();
    this.view.canvas.focus();
  }

  // --- Data -----------------------------------------------------------------------------------

  private onStoreEvent(event: StoreEvent): void {
    this.view.onStoreEvent(event);
    if (event.type === 'reset') {
      const clusters = [...this.store.clusters.values()];
      this.toolbar.setClusters(clusters.map((c) => ({ id: c.id, name: c.name })), this.state.clusters);
      this.toolbar.setGroupOptions(nodeLabelKeys(clusters));
      // A link with a selection: bring it into view once the data is there.
      if (this.state.selection !== null && this.state.camera === null && !this.state.tv) this.view.focusOn(this.state.selection);
      this.renderPanels();
    } else this.schedulePanels();
  }

  private schedulePanels(): void {
    if (this.panelTimer !== undefined) {
      this.panelsDue = true;
      return;
    }
    this.renderPanels();
    this.panelTimer = setTimeout(() => {
      this.panelTimer = undefined;
      if (this.panelsDue) {
        this.panelsDue = false;
        this.schedulePanels();
      }
    }, Math.max(PANEL_INTERVAL_MS, this.panelMs * PANEL_COST_FACTOR));
  }

  private renderPanels(): void {
    const started = performance.now();
    this.renderPanelsNow();
    this.panelMs = performance.now() - started;
  }

  private renderPanelsNow(): void {
    const visible = this.visibleClusters();
    this.status.render(this.store.clusters.values(), this.store.connection);
    const occupancyOf = this.occupancyFromView();
    let matching = 0;
    let total = 0;
    this.summary.render(
      visible.map((state) => {
        let clusterMatching: number | undefined;
        if (this.matcher !== undefined) {
          clusterMatching = 0;
          for (const pod of state.records('Pod')) if (this.matcher(pod)) clusterMatching++;
          matching += clusterMatching;
        }
        total += state.count('Pod');
        return { id: state.id, name: state.name, summary: clusterSummary(state, (node) => occupancyOf(node) ?? occupancyInState(state, node)), matching: clusterMatching };
      }),
    );
    if (this.queryError !== undefined) this.toolbar.setFilterResult(this.queryError);
    else if (this.matcher !== undefined) this.toolbar.setFilterResult({ matching, total });
    this.renderDetails();
  }

  /** The view keeps each node's occupancy current; the summary reuses it instead of recomputing. */
  private occupancyFromView(): (node: NodeRecord) => NodeOccupancy | undefined {
    const byUid = new Map<string, NodeOccupancy>();
    for (const box of this.view.currentLayout.boxes) if (box.node !== undefined && box.occupancy !== undefined) byUid.set(box.node.uid, box.occupancy);
    return (node) => byUid.get(node.uid);
  }

  private renderDetails(): void {
    const selection = this.state.selection;
    if (selection === null) {
      this.details.hide();
      return;
    }
    const state = this.store.clusters.get(selection.cluster);
    if (state === undefined) {
      if (this.store.lastSeq !== undefined) this.details.showGone(`Cluster ${selection.cluster}`);
      return;
    }
    if (selection.kind === 'Pod') {
      const pod = state.get('Pod', selection.uid);
      if (pod === undefined) this.details.showGone('This pod');
      else this.details.showPod(state, pod);
    } else {
      const node = state.get('Node', selection.uid);
      if (node === undefined) this.details.showGone('This node');
      else this.details.showNode(state, node);
    }
  }

  private visibleClusters(): ClusterState[] {
    const ids = this.state.clusters;
    return [...this.store.clusters.values()].filter((c) => ids.length === 0 || ids.includes(c.id));
  }

  // --- Test hook ------------------------------------------------------------------------------

  testHook() {
    return {
      scene: () => this.view.scene(),
      stats: () => ({ ...this.view.stats, seq: this.store.lastSeq, snapshotChars: this.store.lastSnapshotChars }),
      /** True when data has arrived and no frame or layout is pending. */
      idle: () => this.store.lastSeq !== undefined && !this.view.busy,
      state: () => structuredClone(this.state),
      pickAt: (x: number, y: number) => {
        const picked = this.view.pickAt(x, y);
        return picked === undefined ? undefined : { box: picked.box.name, pod: picked.pod?.name };
      },
    };
  }
}

/** The owner an operator thinks of: the Deployment rather than its ReplicaSet, the CronJob rather than its Job. */
function topOwner(clusters: ReadonlyMap<string, ClusterState>, pod: PodRecord): { kind: string; name: string } | undefined {
  const owner = pod.owner;
  if (owner === undefined) return undefined;
  if (owner.kind !== 'ReplicaSet' && owner.kind !== 'Job') return owner;
  for (const state of clusters.values()) {
    const parent = state.get(owner.kind, owner.uid)?.owner;
    if (parent !== undefined) return parent;
  }
  return owner;
}

/** Label keys found on nodes (most common first), offered for custom grouping. */
function nodeLabelKeys(clusters: ClusterState[]): string[] {
  const counts = new Map<string, number>();
  for (const state of clusters) for (const node of state.records('Node')) for (const key of Object.keys(node.labels ?? {})) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 50).map(([key]) => key);
}

function sameCamera(a: Camera | null, b: Camera): boolean {
  return a !== null && Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5 && Math.abs(a.scale / b.scale - 1) < 1e-3;
}

declare global {
  interface Window {
    __kubeglance?: ReturnType<App['testHook']>;
  }
}

function exposeTestHook(app: App): void {
  window.__kubeglance = app.testHook();
}

