// The browser app: view state (kept in the URL), the live store, the two views (occupancy and
// topology) and the panels around them. Data flows one way: stream → store → views and panels;
// user input changes the view state, which is written to the URL and applied.
//
// The views share the filter, the details panel and the selection: a workload selected in the
// topology view highlights its pods in the occupancy view, and a pod selected there selects its
// workload when switching back.
import type { ClusterState } from '../model/cluster-state.js';
import { clusterSummary, occupancyInState, type NodeOccupancy } from '../model/occupancy.js';
import { podVertexId, topOwner } from '../model/pod-owner.js';
import { isEmptyQuery, matches, parseQuery, type Query, type QuerySubject } from '../model/query.js';
import type { NodeRecord, PodRecord } from '../model/records.js';
import { el } from './dom.js';
import { LiveStore, type StoreEvent } from './live/live-store.js';
import { DetailsPanel, Tooltip, tooltipLines } from './panels/details.js';
import { HelpOverlay } from './panels/help.js';
import { TopologyLegend, createLegend } from './panels/legend.js';
import { StatusBar, trafficProblem } from './panels/status-bar.js';
import { SummaryStrip } from './panels/summary-strip.js';
import { Toolbar } from './panels/toolbar.js';
import { TopologyToolbar } from './panels/topology-toolbar.js';
import { formatTraffic, vertexDetails } from './panels/vertex-details.js';
import { GROUP_PRESETS, formatViewState, parseViewState, type Camera, type Selection, type ViewState } from './url-state.js';
import { attachCameraInput, panBy, zoomAt } from './views/camera.js';
import { nodeSelectionUid, placeholderName } from './views/occupancy/layout.js';
import { OccupancyView, type OccupancyOptions } from './views/occupancy/occupancy-view.js';
import { DARK, LIGHT, type Theme } from './views/occupancy/palette.js';
import { TopologyController } from './views/topology/topology-controller.js';
import { collapsedNamespaceOf } from './views/topology/shape.js';
import { TopologyView } from './views/topology/topology-view.js';

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
  /** Created the first time the topology is shown: an occupancy screen never pays for it. */
  private topologyView: TopologyView | undefined;
  private topologyViewStarting = false;
  private readonly topology: TopologyController;
  private readonly toolbar: Toolbar;
  private readonly topologyToolbar: TopologyToolbar;
  /** Each view keeps its own camera while the other one is shown (null = fit). */
  private readonly cameras: Record<ViewState['view'], Camera | null> = { occupancy: null, topology: null };
  private readonly status = new StatusBar();
  private readonly summary = new SummaryStrip();
  private readonly details: DetailsPanel;
  private readonly tooltip = new Tooltip();
  private readonly topologyLegend = new TopologyLegend();
  private readonly help: HelpOverlay;
  private readonly stage = el('main', { class: 'stage' });
  private matcher: ((pod: PodRecord) => boolean) | undefined;
  /** The compiled query, for the topology view (which matches vertices, not pods). */
  private query: Query | undefined;
  private vertexMatcher: { key: string; query: ((pod: PodRecord) => boolean) | undefined; matches: (pod: PodRecord) => boolean } | undefined;
  /** The current query's error, while the last valid query stays applied. */
  private queryError: { error: string; offset: number } | undefined;
  private panelTimer: ReturnType<typeof setTimeout> | undefined;
  private panelsDue = false;
  private panelMs = 0;
  private cameraUrlTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly darkScheme = window.matchMedia('(prefers-color-scheme: dark)');
  /**
   * The server said (GET /api/v1/me) that this identity may not see nodes: boxes of the nodes
   * pods name read "node details hidden" rather than "no Node record".
   */
  private nodesHidden = false;

  constructor(private readonly root: HTMLElement) {
    this.state = parseViewState(location.search);
    this.store = new LiveStore({
      onEvent: (event) => this.onStoreEvent(event),
      onConnection: () => this.schedulePanels(),
      // A session that ended: the page itself gets the login page (or the login redirect).
      onUnauthorized: () => window.location.reload(),
    });
    this.toolbar = new Toolbar({
      setView: (view) => this.switchView(view),
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
      logOut: () => void this.logOut(),
    });
    this.topologyToolbar = new TopologyToolbar({
      setNamespaces: (namespaces) => this.update({ namespaces }, 'push'),
      setKinds: (kinds) => this.update({ kinds }, 'push'),
      setHops: (hops) => this.update({ hops }, 'push'),
      clearFocus: () => this.update({ focus: null, camera: null }, 'push'),
      exportPng: () => void this.exportPng(),
      exportSvg: () => this.exportSvg(),
      exportJson: () => this.exportJson(),
    });
    this.topology = new TopologyController({ setGraph: (graph) => this.topologyView?.setGraph(graph) }, () => this.store.clusters, () => this.schedulePanels());
    this.details = new DetailsPanel(() => this.update({ selection: null }, 'push'));
    this.help = new HelpOverlay(() => this.closeHelp());
  }

  async start(): Promise<void> {
    // Asked first, answered while the renderer starts: known before the first draw, so pods of
    // nodes this identity may not see are labelled so from the start.
    const identity = fetchIdentity();
    const chrome = el('div', { class: 'chrome' }, this.toolbar.element, this.topologyToolbar.element, this.status.element, this.summary.element);
    const legend = createLegend();
    this.topologyLegend.render(this.currentTheme());
    this.stage.append(this.tooltip.element, legend, this.topologyLegend.element);
    this.root.append(chrome, el('div', { class: 'workspace' }, this.stage, this.details.element), this.help.element);
    this.view = new OccupancyView(this.stage, () => this.store.clusters, this.occupancyOptions(), this.currentTheme(), (camera, byUser) => this.onCamera(camera, byUser));
    await this.view.init();
    this.view.canvas.classList.add('occupancy-canvas');
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
    const known = await Promise.race([identity, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_500))]);
    if (known !== undefined) this.showIdentity(known);
    else void identity.then((late) => late !== undefined && this.showIdentity(late));
    this.store.start();
    // The status line says "stale since … (2 min ago)": keep relative times current.
    setInterval(() => this.schedulePanels(), 10_000);
    exposeTestHook(this);
  }

  /** True when the topology view exists; otherwise starts creating it (then applies the state again). */
  private ensureTopologyView(): boolean {
    if (this.topologyView !== undefined) return true;
    if (!this.topologyViewStarting) {
      this.topologyViewStarting = true;
      this.startTopologyView().catch((error: unknown) => console.error('the topology view could not start', error));
    }
    return false;
  }

  private async startTopologyView(): Promise<void> {
    const view = new TopologyView(this.stage, this.currentTheme(), (camera, byUser) => this.onCamera(camera, byUser), { onShown: () => this.schedulePanels() });
    await view.init();
    view.canvas.classList.add('topology-canvas');
    this.view.canvas.after(view.canvas);
    attachCameraInput(view.canvas, {
      get: () => view.camera,
      set: (camera) => this.setCameraByUser(camera),
      onClick: (x, y) => this.onTopologyClick(view, x, y),
      onHover: (x, y) => this.onTopologyHover(view, x, y),
      onLeave: () => {
        view.setHovered(undefined);
        this.tooltip.hide();
      },
    });
    this.topologyView = view;
    this.topology.refresh();
    this.apply(this.state);
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
    document.body.dataset.view = next.view;
    this.applyTheme();
    this.toolbar.render(next);
    this.topologyToolbar.render(next);
    this.view.setOptions(this.occupancyOptions());
    this.view.setSelection(next.selection?.kind === 'Vertex' ? null : next.selection);
    this.topologyView?.setSelection(next.selection?.kind === 'Vertex' ? next.selection.uid : null);
    this.topology.setState(next, this.query);
    const topologyShown = next.view === 'topology';
    const topologyReady = topologyShown ? this.ensureTopologyView() : this.topologyView !== undefined;
    this.view.canvas.hidden = topologyShown;
    if (this.topologyView !== undefined) this.topologyView.canvas.hidden = !topologyShown;
    this.topology.setActive(topologyShown);
    if (topologyShown && !topologyReady) {
      // The camera is applied once the view exists (startTopologyView applies the state again).
      this.renderPanels();
      return;
    }
    const active = this.activeView();
    const camera = next.tv ? null : next.camera;
    if (!sameCamera(camera, active.camera) || camera === null) active.setCamera(camera);
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
    this.query = isEmptyQuery(parsed.query) ? undefined : parsed.query;
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
      subject.owner = topOwnerIn(clusters, pod);
      return matches(query, subject);
    };
  }

  private occupancyOptions(): OccupancyOptions {
    const { groupBy, sortNodes, sortPods, hideNonMatching, clusters } = this.state;
    return { groupBy, sortNodes, sortPods, hideNonMatching, clusters, matches: this.occupancyMatcher(), nodesHidden: this.nodesHidden };
  }

  /**
   * The occupancy view's filter: the query, and (cross-highlight) with a topology vertex
   * selected, only that workload's pods.
   */
  private occupancyMatcher(): ((pod: PodRecord) => boolean) | undefined {
    const selection = this.state.selection;
    const query = this.matcher;
    if (selection?.kind !== 'Vertex') return query;
    // The same function while nothing changed: a new one makes the view re-match every pod.
    const key = `${selection.cluster}\n${selection.uid}`;
    if (this.vertexMatcher?.key === key && this.vertexMatcher.query === query) return this.vertexMatcher.matches;
    const state = this.store.clusters.get(selection.cluster);
    if (state === undefined) return query;
    const ofVertex = (pod: PodRecord) => podVertexId(state, pod) === selection.uid;
    const matches = query === undefined ? ofVertex : (pod: PodRecord) => ofVertex(pod) && query(pod);
    this.vertexMatcher = { key, query, matches };
    return matches;
  }

  private activeView(): OccupancyView | TopologyView {
    return this.state.view === 'topology' && this.topologyView !== undefined ? this.topologyView : this.view;
  }

  /**
   * Switches views, carrying the selection across: a pod becomes its workload's vertex, a
   * workload vertex stays (the occupancy view highlights its pods), a node has no vertex.
   */
  private switchView(view: ViewState['view']): void {
    if (view === this.state.view) return;
    this.cameras[this.state.view] = this.state.camera;
    let selection: Selection | null = this.state.selection;
    if (view === 'topology' && selection !== null && selection.kind !== 'Vertex') {
      const state = this.store.clusters.get(selection.cluster);
      const pod = selection.kind === 'Pod' ? state?.get('Pod', selection.uid) : undefined;
      selection = state !== undefined && pod !== undefined ? { cluster: selection.cluster, kind: 'Vertex', uid: podVertexId(state, pod) } : null;
    }
    this.update({ view, selection, camera: this.cameras[view] }, 'push');
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
    this.topologyView?.setTheme(theme);
    this.topologyLegend.render(theme);
  }

  // --- Camera and pointer ---------------------------------------------------------------------

  private setCameraByUser(camera: Camera): void {
    if (this.state.tv) return; // TV mode always fits
    this.activeView().setCamera(camera, true);
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
    const lines = tooltipLines(state, {
      pod: picked.pod, node: picked.pod ? undefined : picked.box.node, boxName: picked.box.name, unscheduled: picked.box.kind === 'unscheduled',
      placeholder: picked.box.placeholder, detailsHidden: picked.box.detailsHidden,
    });
    this.tooltip.show(lines, x, y, { width: this.stage.clientWidth, height: this.stage.clientHeight });
  }

  private onClick(x: number, y: number): void {
    const picked = this.view.pickAt(x, y);
    this.view.canvas.focus();
    if (picked?.pod !== undefined) this.update({ selection: { cluster: picked.box.cluster, kind: 'Pod', uid: picked.pod.uid } }, 'push');
    else if (picked !== undefined && picked.box.kind === 'node') {
      // A placeholder (no Node record) is selected by its name: see layout.ts placeholderSelectionUid.
      this.update({ selection: { cluster: picked.box.cluster, kind: 'Node', uid: nodeSelectionUid(picked.box)! } }, 'push');
    }
    else if (this.state.selection !== null) this.update({ selection: null }, 'push');
  }

  private onTopologyHover(view: TopologyView, x: number, y: number): void {
    const picked = view.pickAt(x, y);
    view.setHovered(picked?.id);
    const lines = picked === undefined ? undefined : this.topologyTooltip(view, picked);
    if (lines === undefined) {
      this.tooltip.hide();
      return;
    }
    this.tooltip.show(lines, x, y, { width: this.stage.clientWidth, height: this.stage.clientHeight });
  }

  private topologyTooltip(view: TopologyView, picked: { type: 'vertex' | 'edge' | 'group'; id: string }): string[] | undefined {
    const topology = this.topology.current;
    if (topology === undefined) return undefined;
    if (picked.type === 'edge') {
      const drawn = view.edge(picked.id);
      if (drawn === undefined) return undefined;
      const modelEdges = this.topology.modelEdges(drawn.edges);
      const lines = modelEdges.slice(0, 6).map((e) => `${e.type}: ${e.reason}`);
      if (modelEdges.length > 6) lines.push(`… and ${modelEdges.length - 6} more`);
      if (drawn.traffic) lines.push(formatTraffic({ ...drawn.traffic, meshes: [] }));
      if (drawn.evidence === 'observed') lines.push('observed traffic no declaration explains');
      if (drawn.quiet) lines.push('declared, but no traffic observed');
      if (drawn.denied) lines.push('denied by NetworkPolicy');
      return [`${drawn.from} → ${drawn.to}`, ...lines];
    }
    if (picked.type === 'group') return [`namespace ${picked.id || '(cluster-wide)'}`];
    const collapsed = collapsedNamespaceOf(picked.id);
    if (collapsed !== undefined) return [`namespace ${collapsed} (collapsed)`, 'click to expand'];
    const details = this.topology.details(picked.id);
    if (details === undefined) return undefined;
    const v = details.vertex;
    return [
      `${v.kind} ${v.namespace ? `${v.namespace}/` : ''}${v.name}`,
      v.desired !== undefined ? `${v.ready ?? 0} ready of ${v.desired}` : '',
      `${details.outgoing.length} out · ${details.incoming.length} in${details.unresolved.length > 0 ? ` · ${details.unresolved.length} unresolved names` : ''}`,
    ].filter((line) => line !== '');
  }

  private onTopologyClick(view: TopologyView, x: number, y: number): void {
    const picked = view.pickAt(x, y);
    view.canvas.focus();
    // The details panel may open and the graph re-fit: the tooltip would point at nothing.
    this.tooltip.hide();
    const cluster = this.topology.clusterShown?.id;
    const namespace = picked?.type === 'vertex' ? collapsedNamespaceOf(picked.id) : undefined;
    if (namespace !== undefined) {
      this.update({ expanded: [...new Set([...this.state.expanded, namespace])] }, 'push');
    } else if (picked?.type === 'vertex' && cluster !== undefined) this.update({ selection: { cluster, kind: 'Vertex', uid: picked.id } }, 'push');
    else if (picked?.type !== 'edge' && this.state.selection !== null) this.update({ selection: null }, 'push');
  }

  // --- Session --------------------------------------------------------------------------------

  private showIdentity(me: Identity): void {
    this.toolbar.setUser(me);
    // Older servers do not say: nodes are then taken as visible (a missing one is "no Node record").
    if (me.nodes === false && !this.nodesHidden) {
      this.nodesHidden = true;
      this.view.setOptions(this.occupancyOptions());
      this.schedulePanels();
    }
  }

  /** Ends the session; with OIDC the provider may want the browser too (its end-session URL). */
  private async logOut(): Promise<void> {
    const response = await fetch('/logout', { method: 'POST' });
    const body = response.status === 200 ? ((await response.json().catch(() => ({}))) as { location?: unknown }) : {};
    if (typeof body.location === 'string' && /^https?:\/\//.test(body.location)) window.location.assign(body.location);
    else window.location.reload();
  }

  // --- Exports --------------------------------------------------------------------------------

  private async exportPng(): Promise<void> {
    if (this.topologyView !== undefined) download(await this.topologyView.exportPng(), `${this.exportName()}.png`);
  }

  private exportSvg(): void {
    if (this.topologyView !== undefined) download(new Blob([this.topologyView.exportSvg()], { type: 'image/svg+xml' }), `${this.exportName()}.svg`);
  }

  private exportJson(): void {
    const cluster = this.topology.clusterShown;
    const topology = this.topology.current;
    const graph = { cluster: cluster?.id, exportedAt: new Date().toISOString(), ...topology };
    download(new Blob([`${JSON.stringify(graph, null, 2)}\n`], { type: 'application/json' }), `${this.exportName()}.json`);
  }

  private exportName(): string {
    const cluster = (this.topology.clusterShown?.id ?? 'cluster').replace(/[^A-Za-z0-9._-]+/g, '_');
    return `kubeglance-topology-${cluster}`;
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    const typing = target !== null && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA');
    if (event.key === 'Escape') {
      if (this.help.open) this.closeHelp();
      else if (this.state.selection !== null) this.update({ selection: null }, 'push');
      else if (this.state.view === 'topology' && this.state.focus !== null) this.update({ focus: null, camera: null }, 'push');
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const step = event.shiftKey ? 400 : 100;
    const centre = { x: this.stage.clientWidth / 2, y: this.stage.clientHeight / 2 };
    const camera = this.activeView().camera;
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
      v: () => this.switchView(this.state.view === 'topology' ? 'occupancy' : 'topology'),
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
    this.activeView().canvas.focus();
  }

  // --- Data -----------------------------------------------------------------------------------

  private onStoreEvent(event: StoreEvent): void {
    this.view.onStoreEvent(event);
    this.topology.onDataChanged(event.type === 'reset');
    if (event.type === 'reset') {
      const clusters = [...this.store.clusters.values()];
      this.toolbar.setClusters(clusters.map((c) => ({ id: c.id, name: c.name })), this.state.clusters);
      this.toolbar.setGroupOptions(nodeLabelKeys(clusters));
      // A link with a selection: bring it into view once the data is there.
      if (this.state.selection !== null && this.state.selection.kind !== 'Vertex' && this.state.camera === null && !this.state.tv) this.view.focusOn(this.state.selection);
      // The cluster shown in the topology may only now be known.
      this.topology.setState(this.state, this.query);
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
        return {
          id: state.id, name: state.name, summary: clusterSummary(state, (node) => occupancyOf(node) ?? occupancyInState(state, node)), matching: clusterMatching,
          nodesHidden: this.nodesHidden,
        };
      }),
    );
    if (this.state.view === 'topology') this.renderTopologyPanels();
    else if (this.queryError !== undefined) this.toolbar.setFilterResult(this.queryError);
    else if (this.matcher !== undefined) this.toolbar.setFilterResult({ matching, total });
    this.renderDetails();
  }

  private renderTopologyPanels(): void {
    if (this.topologyView === undefined) return;
    const vertices = this.topologyView.drawnVertices();
    const { edges, layoutMs } = this.topologyView.stats;
    this.topologyToolbar.setNamespaces(this.topology.namespaces());
    const status = this.topology.clusterShown?.status;
    const trafficNote =
      status === undefined ? undefined
      : status.traffic === 'available' ? 'observed traffic: on'
      : status.traffic === 'pending' ? 'observed traffic: waiting for Prometheus'
      : trafficProblem(status);
    const info: Parameters<TopologyToolbar['setInfo']>[0] = { vertices: vertices.length, edges, collapsed: vertices.filter((v) => v.kind === 'Namespace').length };
    if (layoutMs !== undefined) info.layoutMs = layoutMs;
    if (trafficNote !== undefined) info.trafficNote = trafficNote;
    this.topologyToolbar.setInfo(info);
    if (this.queryError !== undefined) this.toolbar.setFilterResult(this.queryError);
    else if (this.query !== undefined) {
      const workloads = vertices.filter((v) => v.kind !== 'Namespace');
      this.toolbar.setFilterResult({ matching: workloads.filter((v) => !v.dim).length, total: workloads.length, noun: 'vertices' });
    } else this.toolbar.setFilterResult(undefined);
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
    if (selection.kind === 'Vertex') {
      const details = this.topology.details(selection.uid, true);
      if (details === undefined) this.details.showGone(`${selection.uid.split('/')[0] ?? 'This'} ${selection.uid.split('/').slice(1).join('/')}`);
      else {
        this.details.show(details.vertex.kind, vertexDetails(details, {
          focus: (id) => this.update({ focus: id, camera: null, view: 'topology' }, 'push'),
          showPods: () => this.switchView('occupancy'),
        }));
      }
    } else if (selection.kind === 'Pod') {
      const pod = state.get('Pod', selection.uid);
      if (pod === undefined) this.details.showGone('This pod');
      else this.details.showPod(state, pod);
    } else {
      const node = state.get('Node', selection.uid);
      const placeholder = placeholderName(selection.uid);
      if (node !== undefined) this.details.showNode(state, node);
      else if (placeholder === undefined) this.details.showGone('This node');
      else {
        // The Node record may have arrived since (then it is shown); else what its pods say.
        const arrived = [...state.records('Node')].find((n) => n.name === placeholder);
        if (arrived !== undefined) this.details.showNode(state, arrived);
        else if (state.podsOnNode(placeholder).length === 0) this.details.showGone(`Node ${placeholder}`);
        else this.details.showPlaceholderNode(state, placeholder, this.nodesHidden);
      }
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
      topology: () => this.topologyView?.scene(),
      topologyModel: () => structuredClone(this.topology.current),
      topologyIdle: () => this.store.lastSeq !== undefined && this.topologyView !== undefined && !this.topology.busy && !this.topologyView.busy,
      stats: () => ({ ...this.view.stats, seq: this.store.lastSeq, snapshotChars: this.store.lastSnapshotChars }),
      /** True when data has arrived and no frame or layout is pending. */
      idle: () => this.store.lastSeq !== undefined && !this.view.busy,
      state: () => structuredClone(this.state),
      /** Whether the server said this identity may not see nodes. */
      nodesHidden: () => this.nodesHidden,
      pickAt: (x: number, y: number) => {
        const picked = this.view.pickAt(x, y);
        return picked === undefined ? undefined : { box: picked.box.name, pod: picked.pod?.name };
      },
    };
  }
}

/**
 * The owner an operator thinks of (the Deployment rather than its ReplicaSet), for a pod of any
 * cluster shown: the filter runs over pods without knowing their cluster.
 */
function topOwnerIn(clusters: ReadonlyMap<string, ClusterState>, pod: PodRecord): { kind: string; name: string } | undefined {
  const owner = pod.owner;
  if (owner === undefined || (owner.kind !== 'ReplicaSet' && owner.kind !== 'Job')) return owner;
  for (const state of clusters.values()) {
    const top = topOwner(state, pod);
    if (top !== owner) return top;
  }
  return owner;
}

/** Label keys found on nodes (most common first), offered for custom grouping. */
function nodeLabelKeys(clusters: ClusterState[]): string[] {
  const counts = new Map<string, number>();
  for (const state of clusters) for (const node of state.records('Node')) for (const key of Object.keys(node.labels ?? {})) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 50).map(([key]) => key);
}

/** Saves a blob under a file name (an object URL on a link the user did not have to click). */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
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

/** Who the browser is signed in as (GET /api/v1/me); undefined when that cannot be told. */
interface Identity {
  name: string;
  canLogOut: boolean;
  nodes?: boolean;
}

async function fetchIdentity(): Promise<Identity | undefined> {
  try {
    const response = await fetch('/api/v1/me', { headers: { accept: 'application/json' } });
    return response.ok ? ((await response.json()) as Identity) : undefined;
  } catch {
    // Only the name in the toolbar is missing; the map works without it.
    return undefined;
  }
}
