// The keyboard help overlay (opened with "?").
import { el } from '../dom.js';

export const SHORTCUTS: [string, string][] = [
  ['/', 'focus the filter'],
  ['?', 'show or hide this help'],
  ['f or 0', 'zoom to fit'],
  ['+ / −', 'zoom in / out'],
  ['arrow keys', 'pan (Shift: faster)'],
  ['Esc', 'close help, unpin details, then leave focus (topology)'],
  ['v', 'switch between occupancy and topology (the selection comes along)'],
  ['h', 'dim ↔ hide pods that do not match'],
  ['g', 'next grouping (none, zone, region, node pool, instance type)'],
  ['t', 'TV mode (no chrome, always fit)'],
  ['drag / wheel / pinch', 'pan / zoom'],
  ['click', 'pin details of a pod, node or topology vertex; a collapsed namespace expands'],
];

export const QUERY_HELP: [string, string][] = [
  ['web', 'pod name contains "web"'],
  ['web-*', 'glob on the whole name'],
  ['ns:prod-*', 'namespace'],
  ['app=web  app!=web', 'label equals / differs'],
  ['status:failing', 'ready, notready, pending, failing, crash, succeeded, terminating, or a pod status'],
  ['node:ip-10-*', 'node name'],
  ['owner:web  owner:Deployment/web', 'owner'],
  ['-ns:kube-system', 'NOT (prefix -); terms separated by spaces are ANDed'],
];

export class HelpOverlay {
  readonly element = el('div', { class: 'help-overlay', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'help-title', hidden: true, tabindex: -1 });

  constructor(onClose: () => void) {
    const close = el('button', { type: 'button', class: 'help-close' }, 'Close');
    close.addEventListener('click', onClose);
    const table = (rows: [string, string][]) => el('table', {}, el('tbody', {}, ...rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, el('kbd', {}, k)), el('td', {}, v)))));
    this.element.append(
      el('div', { class: 'help-card' },
        el('h2', { id: 'help-title' }, 'Keyboard shortcuts'),
        table(SHORTCUTS),
        el('h3', {}, 'Filter language'),
        table(QUERY_HELP),
        close,
      ),
    );
    this.element.addEventListener('click', (event) => {
      if (event.target === this.element) onClose();
    });
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  show(): void {
    this.element.hidden = false;
    this.element.focus();
  }

  hide(): void {
    this.element.hidden = true;
  }
}
