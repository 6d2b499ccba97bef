// The legend: what each pod square, mark and node band means. Collapsible, keyboard reachable.
import { VISUAL_STATUSES } from '../../model/occupancy.js';
import { el } from '../dom.js';
import { STATUS_STYLES } from '../views/occupancy/palette.js';
import { nodeMarkIcon, restartIcon, shapeIcon } from './icons.js';

export function createLegend(): HTMLElement {
  // Collapsed at first: open it covers part of the map (the summary strip shows the status icons too).
  const details = el('details', { class: 'legend' });
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
  details.append(
    list,
    el('p', { class: 'legend-bars' }, 'Node bars: CPU, memory, pods. Grey = reserved (capacity − allocatable), blue (upper half) = requested, dark (lower half) = used. Workload pods fill from the top; DaemonSet and kube-system pods from the bottom.'),
  );
  return details;
}
