// The topology view's own controls, a second toolbar row: namespace and kind choice, the focus
// (with its hop count), exports, and what the graph holds. Reports what the user asked for; the
// app decides.
import { el, formatCount, replaceChildren } from '../dom.js';
import { MAX_FOCUS_HOPS, TOPOLOGY_KINDS, type TopologyKind, type ViewState } from '../url-state.js';

export interface TopologyToolbarActions {
  setNamespaces(namespaces: string[]): void;
  setKinds(kinds: TopologyKind[]): void;
  setHops(hops: number): void;
  clearFocus(): void;
  exportPng(): void;
  exportSvg(): void;
  exportJson(): void;
}

export class TopologyToolbar {
  readonly element = el('div', { class: 'topology-toolbar topology-only', role: 'toolbar', 'aria-label': 'Topology' });
  private readonly namespaceList = el('div', { class: 'choice-list', id: 'namespace-list' });
  private readonly namespaceSummary = el('summary', {}, 'namespaces: all');
  private readonly kindSummary = el('summary', {}, 'kinds: all');
  private readonly kindList = el('div', { class: 'choice-list', id: 'kind-list' });
  private readonly hops = el('select', { id: 'hops', 'aria-label': 'Hops around the focused vertex' });
  private readonly focusLabel = el('span', { class: 'focus-label', id: 'focus-label' });
  private readonly clearFocusButton = el('button', { type: 'button', id: 'clear-focus', title: 'Show the whole graph again' }, 'clear focus');
  private readonly focusGroup = el('span', { class: 'focus-group', hidden: true }, this.focusLabel, ' within ', this.hops, this.clearFocusButton);
  private readonly info = el('span', { class: 'graph-info muted', id: 'graph-info', 'aria-live': 'polite' });
  private knownNamespaces: string[] = [];
  private state: ViewState | undefined;

  constructor(private readonly actions: TopologyToolbarActions) {
    for (let hops = 1; hops <= MAX_FOCUS_HOPS; hops++) this.hops.append(el('option', { value: String(hops) }, hops === 1 ? '1 hop' : `${hops} hops`));
    this.hops.addEventListener('change', () => actions.setHops(Number(this.hops.value)));
    this.clearFocusButton.addEventListener('click', () => actions.clearFocus());
    for (const kind of TOPOLOGY_KINDS) {
      const input = el('input', { type: 'checkbox', value: kind, name: 'kind' });
      input.addEventListener('change', () => actions.setKinds(this.checked(this.kindList) as TopologyKind[]));
      this.kindList.append(el('label', {}, input, ` ${kind}`));
    }
    const button = (label: string, id: string, title: string, action: () => void) => {
      const b = el('button', { type: 'button', id, title }, label);
      b.addEventListener('click', action);
      return b;
    };
    this.element.append(
      el('details', { class: 'choice', id: 'namespaces' }, this.namespaceSummary, this.namespaceList),
      el('details', { class: 'choice', id: 'kinds' }, this.kindSummary, this.kindList),
      this.focusGroup,
      this.info,
      el('span', { class: 'toolbar-buttons' },
        button('PNG', 'export-png', 'Save the view as a PNG image', actions.exportPng),
        button('SVG', 'export-svg', 'Save the whole graph as SVG', actions.exportSvg),
        button('JSON', 'export-json', 'Save the graph (vertices, edges, reasons) as JSON', actions.exportJson),
      ),
    );
  }

  /** Reflects the state without firing actions. */
  render(state: ViewState): void {
    this.state = state;
    this.renderNamespaceChoice();
    for (const input of this.kindList.querySelectorAll('input')) input.checked = state.kinds.includes(input.value as TopologyKind);
    this.kindSummary.textContent = state.kinds.length === 0 ? 'kinds: all' : `kinds: ${state.kinds.join(', ')}`;
    this.focusGroup.hidden = state.focus === null;
    this.focusLabel.textContent = state.focus === null ? '' : `focus: ${state.focus}`;
    this.hops.value = String(state.hops);
  }

  /** The namespaces the graph holds (offered in the namespace choice). */
  setNamespaces(namespaces: string[]): void {
    if (namespaces.join('\n') === this.knownNamespaces.join('\n')) return;
    this.knownNamespaces = namespaces;
    this.renderNamespaceChoice(true);
  }

  /** What is drawn: counts, collapsed namespaces, layout time. */
  setInfo(info: { vertices: number; edges: number; collapsed: number; layoutMs?: number; trafficNote?: string }): void {
    const parts = [`${formatCount(info.vertices)} vertices`, `${formatCount(info.edges)} edges`];
    if (info.collapsed > 0) parts.push(`${formatCount(info.collapsed)} namespaces collapsed (click one to expand)`);
    if (info.layoutMs !== undefined) parts.push(`layout ${Math.round(info.layoutMs)} ms`);
    if (info.trafficNote) parts.push(info.trafficNote);
    this.info.textContent = parts.join(' · ');
  }

  private renderNamespaceChoice(rebuild = false): void {
    const chosen = this.state?.namespaces ?? [];
    // Chosen namespaces stay offered even when they hold nothing right now (a link to them).
    const names = [...new Set([...this.knownNamespaces, ...chosen])].sort();
    const current = [...this.namespaceList.querySelectorAll('input')].map((i) => i.value);
    if (rebuild || current.join('\n') !== names.join('\n')) {
      replaceChildren(
        this.namespaceList,
        ...names.map((name) => {
          const input = el('input', { type: 'checkbox', value: name, name: 'namespace' });
          input.addEventListener('change', () => this.actions.setNamespaces(this.checked(this.namespaceList)));
          return el('label', {}, input, ` ${name}`);
        }),
      );
    }
    for (const input of this.namespaceList.querySelectorAll('input')) input.checked = chosen.includes(input.value);
    this.namespaceSummary.textContent = chosen.length === 0 ? 'namespaces: all' : `namespaces: ${chosen.length === 1 ? chosen[0] : formatCount(chosen.length)}`;
  }

  private checked(list: HTMLElement): string[] {
    return [...list.querySelectorAll('input')].filter((i) => i.checked).map((i) => i.value);
  }
}
