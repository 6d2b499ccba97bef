// The legend: what each pod square, mark and node band means. Collapsible, keyboard reachable.
import { VISUAL_STATUSES } from '../../model/occupancy.js';
import { el } from '../dom.js';
import { STATUS_STYLES, type Theme } from '../views/occupancy/palette.js';
import { EDGE_STYLE_NAMES, topologyPalette } from '../views/topology/topology-palette.js';
import { edgeIcon, nodeMarkIcon, restartIcon, shapeIcon } from './icons.js';

/** The occupancy view's legend. */
export function createLegend(): HTMLElement {
  // Collapsed at first: open it covers part of the map (the summary strip shows the status icons too).
  const details = el('details', { class: 'legend' });
  details.classList.add('occupancy-only');
  details.append(el('summary', {}, 'Legend'));
  const list = el('ul', { class: 'legend-list' });
  for (const status of VISUAL_STATUSES) {
    const style = STATUS_STYLES[status];
    list.append(el('li', { 'data-status': status }, shapeIcon(status), ` ${style.label}`, el('span', { class: 'muted' }, ` (${style.shape})`)));
  }
  list.append(el('li', {}, restartIcon(), ' restarted (corner mark)'));
  list.append(el('li', {}, nodeMarkIcon('notReady'), ' node NotReady (red stripes)'));
  list.append(el('li', {}, nodeMarkIcon('cordoned'), ' node cordoned (amber stripes)'));
  list.append(el('li', {}, nodeMarkIcon('pressure'), ' node under pressure'));
  list.append(el('li', {}, nodeMarkIcon('tainted'), ' node tainted NoSchedule/NoExecute'));
  list.append(el('li', { 'data-legend': 'placeholder' }, el('span', { class: 'legend-dashed', 'aria-hidden': 'true' }), ' dashed box, no bars: a node pods run on whose details are hidden from you (or that has no Node record)'));
  details.append(
    list,
    el('p', { class: 'legend-bars' }, 'Node bars: CPU, memory, pods. Grey = reserved (capacity − allocatable), blue (upper half) = requested, dark (lower half) = used. Workload pods fill from the top; DaemonSet and kube-system pods from the bottom.'),
  );
  return details;
}

/** The topology view's legend: one line sample per edge style, in the theme's colours. */
export class TopologyLegend {
  readonly element = el('details', { class: 'legend topology-only', id: 'topology-legend' });
  private themeName = '';

  render(theme: Theme): void {
    if (theme.name === this.themeName) return;
    this.themeName = theme.name;
    const palette = topologyPalette(theme);
    const list = el('ul', { class: 'legend-list' });
    for (const name of EDGE_STYLE_NAMES) {
      const style = palette.edges[name];
      list.append(el('li', { 'data-edge-style': name }, edgeIcon(style), ` ${style.label}`));
    }
    this.element.replaceChildren(
      el('summary', {}, 'Legend'),
      list,
      el('p', { class: 'legend-bars' }, 'Boxes: workloads with a ready/desired bar, services, ingresses, gateways and routes, grouped by namespace. A red mark on a box: a NetworkPolicy isolates it. Click a box for every edge and why it is there; click a collapsed namespace to expand it.'),
    );
  }
}
