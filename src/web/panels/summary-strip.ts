// Cluster summary strip: nodes ready/total, pods by status, CPU and memory requested and used
// against allocatable, and packing efficiency: the numbers behind the picture, per cluster.
import { VISUAL_STATUSES, formatBytes, formatCpu, formatPercent, type ClusterSummary } from '../../model/occupancy.js';
import { el, formatCount, replaceChildren } from '../dom.js';
import { STATUS_STYLES } from '../views/occupancy/palette.js';
import { shapeIcon } from './icons.js';

export interface ClusterSummaryView {
  id: string;
  name: string;
  summary: ClusterSummary;
  /** Pods matching the filter, when a filter is set. */
  matching?: number;
  /** The server does not let this identity see nodes (GET /api/v1/me). */
  nodesHidden?: boolean;
}

export class SummaryStrip {
  readonly element = el('section', { class: 'summary-strip', 'aria-label': 'Cluster summary' });

  render(clusters: ClusterSummaryView[]): void {
    replaceChildren(this.element, ...clusters.map(summaryRow));
  }
}

function summaryRow({ id, name, summary, matching, nodesHidden = false }: ClusterSummaryView): HTMLElement {
  const { nodes, pods, cpu, memory, packing, placeholderRequested } = summary;
  const share = (part: number | undefined, whole: number) => (part === undefined || whole <= 0 ? '–' : formatPercent(part / whole));
  const row = el('div', { class: 'summary-row', 'data-cluster': id });
  row.append(
    el('span', { class: 'summary-name' }, name),
    nodesHidden
      // Placeholders are not nodes: no ready count can be given for nodes one may not see.
      ? metric('nodes', `${formatCount(nodes.placeholders)} hidden`, 'node details hidden: this identity may not see nodes; pods are shown in boxes named after their node', 'hidden')
      : metric(
        'nodes',
        `${formatCount(nodes.ready)} / ${formatCount(nodes.total)} ready${nodes.placeholders > 0 ? ` · ${formatCount(nodes.placeholders)} missing` : ''}`,
        [nodes.cordoned > 0 ? `${nodes.cordoned} cordoned` : '', nodes.placeholders > 0 ? `${nodes.placeholders} nodes named by pods have no Node record (deleted, or not synced yet)` : ''].filter(Boolean).join('; ') || undefined,
      ),
    metric('pods', formatCount(pods.total), pods.unscheduled > 0 ? `${formatCount(pods.unscheduled)} unscheduled` : undefined),
  );
  const byStatus = el('span', { class: 'summary-statuses' });
  for (const status of VISUAL_STATUSES) {
    const count = pods.byStatus[status];
    if (count === 0) continue;
    byStatus.append(
      el('span', { class: 'summary-status', 'data-status': status, title: STATUS_STYLES[status].label }, shapeIcon(status), ` ${formatCount(count)}`),
    );
  }
  row.append(byStatus);
  if (nodesHidden && nodes.total === 0) {
    // No capacity to measure against: what the pods shown request, as amounts, not shares.
    row.append(
      metric('CPU', `req ${formatCpu(placeholderRequested.cpu)}`, 'requested by the pods shown; node capacity hidden'),
      metric('memory', `req ${formatBytes(placeholderRequested.memory)}`, 'requested by the pods shown; node capacity hidden'),
    );
  } else {
    row.append(
      metric('CPU', `req ${share(cpu.requested, cpu.allocatable)} · used ${share(cpu.used, cpu.allocatable)}`, `of ${formatCpu(cpu.allocatable)} cores`),
      metric('memory', `req ${share(memory.requested, memory.allocatable)} · used ${share(memory.used, memory.allocatable)}`, `of ${formatBytes(memory.allocatable)}`),
      metric('packing', packing === undefined ? '–' : formatPercent(packing), 'mean fullness of schedulable nodes on their binding resource'),
    );
  }
  if (matching !== undefined) row.append(metric('matching', formatCount(matching), 'pods matching the filter'));
  return row;
}

function metric(label: string, value: string, detail?: string, state?: string): HTMLElement {
  const attributes: Record<string, string | undefined> = { class: 'summary-metric', title: detail, 'data-metric': label };
  if (state !== undefined) attributes['data-state'] = state;
  return el('span', attributes, el('span', { class: 'summary-label' }, label), ' ', el('span', { class: 'summary-value' }, value));
}
