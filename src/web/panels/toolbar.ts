// The toolbar: filter bar (with its inline error and match count), grouping, sorting, cluster
// choice, and view buttons. It only reports what the user asked for; the app decides.
import { el, formatCount, replaceChildren } from '../dom.js';
import { GROUP_PRESETS, VIEWS, type NodeSort, type PodSort, type ViewState } from '../url-state.js';

export interface ToolbarActions {
  setView(view: ViewState['view']): void;
  setQuery(query: string): void;
  setHide(hide: boolean): void;
  setGroupBy(key: string): void;
  setSortNodes(sort: NodeSort): void;
  setSortPods(sort: PodSort): void;
  setClusters(ids: string[]): void;
  zoomToFit(): void;
  cycleTheme(): void;
  toggleTv(): void;
  showHelp(): void;
  logOut(): void;
}

const NODE_SORT_LABELS: Record<NodeSort, string> = {
  name: 'name', cpuRequested: 'CPU requested %', memoryRequested: 'memory requested %', cpuUsed: 'CPU used %',
  memoryUsed: 'memory used %', pods: 'pod count', age: 'age',
};
const POD_SORT_LABELS: Record<PodSort, string> = { status: 'status', name: 'name', age: 'age', cpu: 'CPU', memory: 'memory' };
const CUSTOM = '__custom__';
const PODS_PLACEHOLDER = 'Filter pods: name, ns:prod, app=web, status:failing, node:…, owner:…, -exclude';

export class Toolbar {
  readonly element = el('header', { class: 'toolbar' });
  readonly filter = el('input', {
    type: 'search', id: 'filter', class: 'filter-input', placeholder: PODS_PLACEHOLDER,
    'aria-label': 'Filter pods', 'aria-describedby': 'filter-message', autocomplete: 'off', spellcheck: 'false',
  });
  private readonly message = el('span', { id: 'filter-message', class: 'filter-message', 'aria-live': 'polite' });
  private readonly hide = el('input', { type: 'checkbox', id: 'hide-non-matching' });
  private readonly groupSelect = el('select', { id: 'group-by', 'aria-label': 'Group nodes by' });
  private readonly groupCustom = el('input', { type: 'text', id: 'group-custom', 'aria-label': 'Group by node label key', placeholder: 'label key', list: 'label-keys', hidden: true });
  private readonly labelKeys = el('datalist', { id: 'label-keys' });
  private readonly nodeSort = el('select', { id: 'sort-nodes', 'aria-label': 'Sort nodes by' });
  private readonly podSort = el('select', { id: 'sort-pods', 'aria-label': 'Sort pods by' });
  private readonly clusterChoice = el('fieldset', { class: 'cluster-choice' });
  private readonly viewButtons = {
    occupancy: el('button', { type: 'button', id: 'view-occupancy', title: 'Pods on nodes (v)', 'aria-pressed': 'false' }, 'Occupancy'),
    topology: el('button', { type: 'button', id: 'view-topology', title: 'What connects to what (v)', 'aria-pressed': 'false' }, 'Topology'),
  };
  private readonly user = el('span', { class: 'user', id: 'user', hidden: true });
  private readonly logOutButton = el('button', { type: 'button', id: 'log-out', title: 'End this session', hidden: true }, 'Log out');
  private knownLabelKeys: string[] = [];
  private queryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly actions: ToolbarActions) {
    for (const [value, label] of Object.entries(NODE_SORT_LABELS)) this.nodeSort.append(el('option', { value }, label));
    for (const [value, label] of Object.entries(POD_SORT_LABELS)) this.podSort.append(el('option', { value }, label));
    this.filter.addEventListener('input', () => {
      // Typing is applied after a short pause: each keystroke would re-match every pod.
      clearTimeout(this.queryTimer);
      this.queryTimer = setTimeout(() => actions.setQuery(this.filter.value), 120);
    });
    this.filter.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        clearTimeout(this.queryTimer);
        actions.setQuery(this.filter.value);
      } else if (event.key === 'Escape') this.filter.blur();
    });
    this.hide.addEventListener('change', () => actions.setHide(this.hide.checked));
    this.groupSelect.addEventListener('change', () => {
      if (this.groupSelect.value === CUSTOM) {
        this.groupCustom.hidden = false;
        this.groupCustom.focus();
      } else actions.setGroupBy(this.groupSelect.value);
    });
    this.groupCustom.addEventListener('change', () => actions.setGroupBy(this.groupCustom.value.trim()));
    this.nodeSort.addEventListener('change', () => actions.setSortNodes(this.nodeSort.value as NodeSort));
    this.podSort.addEventListener('change', () => actions.setSortPods(this.podSort.value as PodSort));
    const button = (label: string, title: string, action: () => void, id: string) => {
      const b = el('button', { type: 'button', id, title }, label);
      b.addEventListener('click', action);
      return b;
    };
    for (const view of VIEWS) this.viewButtons[view].addEventListener('click', () => actions.setView(view));
    this.logOutButton.addEventListener('click', () => actions.logOut());
    this.element.append(
      el('span', { class: 'brand' }, 'kubeglance'),
      el('span', { class: 'view-switch', role: 'group', 'aria-label': 'View (v)' }, this.viewButtons.occupancy, this.viewButtons.topology),
      el('div', { class: 'filter' }, this.filter, this.message),
      el('label', { class: 'toggle occupancy-only' }, this.hide, ' hide non-matching'),
      el('label', { class: 'occupancy-only' }, 'group ', this.groupSelect, this.groupCustom, this.labelKeys),
      el('label', { class: 'occupancy-only' }, 'nodes by ', this.nodeSort),
      el('label', { class: 'occupancy-only' }, 'pods by ', this.podSort),
      this.clusterChoice,
      el('span', { class: 'toolbar-buttons' },
        button('Fit', 'Zoom to fit (f)', actions.zoomToFit, 'fit'),
        button('Theme', 'Light / dark / system', actions.cycleTheme, 'theme'),
        button('TV', 'TV mode: no chrome, always fit (t)', actions.toggleTv, 'tv'),
        button('?', 'Keyboard shortcuts (?)', actions.showHelp, 'help'),
        this.user,
        this.logOutButton,
      ),
    );
    this.setGroupOptions([]);
  }

  /** Who is signed in (as text), and whether there is a session to end. */
  setUser(user: { name: string; canLogOut: boolean } | undefined): void {
    this.user.hidden = user === undefined || user.name === 'anonymous';
    this.user.textContent = user === undefined ? '' : user.name;
    this.logOutButton.hidden = user?.canLogOut !== true;
  }

  /** Reflects the state (after URL navigation or a shortcut) without firing actions. */
  render(state: ViewState): void {
    for (const view of VIEWS) this.viewButtons[view].setAttribute('aria-pressed', String(state.view === view));
    const placeholder = state.view === 'topology' ? 'Filter: name, ns:prod, owner:Deployment/web, -exclude' : PODS_PLACEHOLDER;
    if (this.filter.placeholder !== placeholder) {
      this.filter.placeholder = placeholder;
      this.filter.setAttribute('aria-label', state.view === 'topology' ? 'Filter workloads and services' : 'Filter pods');
    }
    if (document.activeElement !== this.filter && this.filter.value !== state.query) this.filter.value = state.query;
    this.hide.checked = state.hideNonMatching;
    this.nodeSort.value = state.sortNodes;
    this.podSort.value = state.sortPods;
    const known = [...this.groupSelect.options].some((o) => o.value === state.groupBy && o.value !== CUSTOM);
    if (!known && state.groupBy !== '') {
      this.groupSelect.value = CUSTOM;
      this.groupCustom.hidden = false;
      this.groupCustom.value = state.groupBy;
    } else {
      this.groupSelect.value = state.groupBy;
      this.groupCustom.hidden = true;
    }
    for (const input of this.clusterChoice.querySelectorAll('input')) input.checked = state.clusters.length === 0 || state.clusters.includes(input.value);
  }

  /** The filter's state: an error at an offset, or the number of matching pods (or vertices). */
  setFilterResult(result: { error: string; offset: number } | { matching: number; total: number; noun?: string } | undefined): void {
    this.filter.setAttribute('aria-invalid', String(result !== undefined && 'error' in result));
    if (result === undefined) this.message.textContent = '';
    else if ('error' in result) this.message.textContent = `${result.error} (at character ${result.offset + 1})`;
    else this.message.textContent = `${formatCount(result.matching)} of ${formatCount(result.total)} ${result.noun ?? 'pods'} match`;
    this.message.dataset.kind = result === undefined ? '' : 'error' in result ? 'error' : 'count';
  }

  /** Offers the presets, plus label keys seen on nodes (for custom grouping). */
  setGroupOptions(labelKeys: string[]): void {
    if (labelKeys.join('\n') === this.knownLabelKeys.join('\n') && this.groupSelect.options.length > 0) return;
    this.knownLabelKeys = labelKeys;
    const value = this.groupSelect.value;
    replaceChildren(
      this.groupSelect,
      el('option', { value: '' }, 'none'),
      ...GROUP_PRESETS.map((p) => el('option', { value: p.key }, p.label.toLowerCase())),
      el('option', { value: CUSTOM }, 'label…'),
    );
    replaceChildren(this.labelKeys, ...labelKeys.map((key) => el('option', { value: key })));
    this.groupSelect.value = value;
  }

  setClusters(clusters: { id: string; name: string }[], selected: string[]): void {
    if (clusters.length < 2) {
      this.clusterChoice.hidden = true;
      return;
    }
    this.clusterChoice.hidden = false;
    const current = [...this.clusterChoice.querySelectorAll('input')].map((i) => i.value).join('\n');
    if (current === clusters.map((c) => c.id).join('\n')) return;
    replaceChildren(this.clusterChoice, el('legend', {}, 'clusters'));
    for (const cluster of clusters) {
      const input = el('input', { type: 'checkbox', value: cluster.id, checked: selected.length === 0 || selected.includes(cluster.id) });
      input.addEventListener('change', () => {
        const ids = [...this.clusterChoice.querySelectorAll('input')].filter((i) => i.checked).map((i) => i.value);
        this.actions.setClusters(ids.length === clusters.length ? [] : ids);
      });
      this.clusterChoice.append(el('label', {}, input, ` ${cluster.name}`));
    }
  }
}
