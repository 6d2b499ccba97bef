// Cluster status, always visible: syncing with progress, live, stale since when, error with the
// reason, and the kinds this client may not read with the RBAC rule that would allow it. The
// connection between this browser and kubeglance itself is shown the same way.
import type { ClusterState } from '../../model/cluster-state.js';
import type { ClusterStatus, KindStatus } from '../../model/cluster-status.js';
import type { RecordKind } from '../../model/records.js';
import { KIND_KEYS } from '../../model/stream.js';
import { el, formatCount, replaceChildren } from '../dom.js';
import type { ConnectionState } from '../live/live-store.js';

export class StatusBar {
  readonly element = el('div', { class: 'status-bar', role: 'status', 'aria-live': 'polite' });

  render(clusters: Iterable<ClusterState>, connection: ConnectionState, now = Date.now()): void {
    const items: Node[] = [];
    if (connection.phase !== 'live') {
      const text = connection.phase === 'connecting' ? 'connecting to kubeglance…' : `reconnecting to kubeglance since ${clock(connection.since)}`;
      items.push(el('span', { class: 'status status-stale', 'data-connection': connection.phase }, text, connection.reason ? ` (${connection.reason})` : ''));
    }
    for (const cluster of clusters) items.push(clusterStatus(cluster, now));
    if (items.length === 0) items.push(el('span', { class: 'status' }, 'no clusters'));
    replaceChildren(this.element, ...items);
  }
}

function clusterStatus(cluster: ClusterState, now: number): HTMLElement {
  const status = cluster.status;
  const item = el('span', { class: `status status-${status.phase}`, 'data-cluster': cluster.id, 'data-phase': status.phase });
  item.append(el('strong', {}, cluster.name), ' ', el('span', { class: 'phase' }, phaseText(status, now)));
  const problems = kindProblems(status);
  if (problems.length > 0) item.append(el('span', { class: 'kind-problems' }, ` · ${problems.join(' · ')}`));
  for (const problem of pollProblems(status)) item.append(el('span', { class: 'kind-problems' }, ` · ${problem}`));
  return item;
}

/** What the polled sources (metrics.k8s.io, Prometheus) cannot give right now, and why. */
export function pollProblems(status: ClusterStatus): string[] {
  const problems: string[] = [];
  if (status.metrics === 'unavailable') problems.push(`usage unavailable${status.metricsReason ? `: ${status.metricsReason}` : ''}`);
  const traffic = trafficProblem(status);
  if (traffic !== undefined) problems.push(traffic);
  return problems;
}

/** Why observed traffic (Prometheus) is unavailable, if it is (also the topology toolbar's note). */
export function trafficProblem(status: ClusterStatus): string | undefined {
  return status.traffic === 'unavailable' ? `observed traffic unavailable${status.trafficReason ? `: ${status.trafficReason}` : ''}` : undefined;
}

export function phaseText(status: ClusterStatus, now = Date.now()): string {
  switch (status.phase) {
    case 'connecting':
      return 'connecting…';
    case 'syncing': {
      const progress = syncProgress(status);
      return progress === '' ? 'syncing…' : `syncing: ${progress}`;
    }
    case 'live':
      return 'live';
    case 'stale':
      return `stale since ${clock(status.since)} (${ago(now - status.since)})${status.reason ? `: ${status.reason}` : ''}`;
    case 'error':
      return `error: ${status.reason ?? 'unknown'}`;
  }
}

/** "pods 45,000 / 150,000" for the kinds still syncing (pods and nodes first: they are what is drawn). */
function syncProgress(status: ClusterStatus): string {
  const order: RecordKind[] = ['Pod', 'Node'];
  const syncing = (Object.entries(status.kinds) as [RecordKind, KindStatus][])
    .filter(([, k]) => k.state === 'syncing' || k.state === 'pending')
    .sort(([a], [b]) => rank(order, a) - rank(order, b));
  return syncing
    .slice(0, 2)
    .map(([kind, k]) => `${KIND_KEYS[kind]} ${formatCount(k.count)}${k.expected !== undefined ? ` / ${formatCount(k.expected)}` : ''}`)
    .join(', ');
}

function rank(order: RecordKind[], kind: RecordKind): number {
  const i = order.indexOf(kind);
  return i < 0 ? order.length : i;
}

/** "RBAC: needs list on pods", "gateways: API not served" — what an operator can act on. */
export function kindProblems(status: ClusterStatus): string[] {
  const problems: string[] = [];
  for (const [kind, k] of Object.entries(status.kinds) as [RecordKind, KindStatus][]) {
    if (k.state !== 'unavailable' && k.state !== 'error') continue;
    if (k.rbac !== undefined) problems.push(`RBAC: ${k.reason ?? `needs list/watch on ${KIND_KEYS[kind]} (${k.rbac})`}`);
    else if (k.reason === undefined) problems.push(`${KIND_KEYS[kind]}: ${k.state}`);
    else if (!/not served/i.test(k.reason)) problems.push(`${KIND_KEYS[kind]}: ${k.reason}`);
  }
  return problems;
}

function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s ago` : `${Math.round(s / 60)} min ago`;
}
