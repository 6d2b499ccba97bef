// The pinned details panel (click a pod or node) and the hover tooltip. Everything shown is
// cluster data, set as text. Names have a copy button.
import type { ClusterState } from '../../model/cluster-state.js';
import { formatBytes, formatCpu, formatPercent, occupancyInState, placeholderNode, podUsage, visualStatus, type PlaceholderNode } from '../../model/occupancy.js';
import type { ContainerRecord, EventRecord, NodeRecord, PodRecord } from '../../model/records.js';
import { el, formatAge, formatCount, replaceChildren } from '../dom.js';
import { STATUS_STYLES } from '../views/occupancy/palette.js';
import { shapeIcon } from './icons.js';

/** At most this many recent events are listed for a pod or node. */
const MAX_EVENTS = 10;

export class DetailsPanel {
  readonly element = el('aside', { class: 'details', 'aria-label': 'Details', hidden: true, tabindex: -1 });
  private readonly body = el('div', { class: 'details-body' });
  private readonly closeButton = el('button', { type: 'button', class: 'details-close', 'aria-label': 'Close details (Esc)' }, '×');

  constructor(onClose: () => void) {
    this.closeButton.addEventListener('click', onClose);
    this.element.append(this.closeButton, this.body);
  }

  showPod(state: ClusterState, pod: PodRecord, now = Date.now()): void {
    this.element.hidden = false;
    this.element.dataset.kind = 'Pod';
    replaceChildren(this.body, ...podDetails(state, pod, now));
  }

  showNode(state: ClusterState, node: NodeRecord, now = Date.now()): void {
    this.element.hidden = false;
    this.element.dataset.kind = 'Node';
    replaceChildren(this.body, ...nodeDetails(state, node, now));
  }

  /**
   * A node pods are bound to that has no Node record here: only its name and what its pods ask
   * for are known. `hidden`: the server does not let this identity see nodes.
   */
  showPlaceholderNode(state: ClusterState, name: string, hidden: boolean): void {
    this.element.hidden = false;
    this.element.dataset.kind = 'Node';
    replaceChildren(this.body, ...placeholderDetails(state, name, hidden));
  }

  /** Any other object (a topology vertex): the caller builds the content from the helpers below. */
  show(kind: string, content: Node[]): void {
    this.element.hidden = false;
    this.element.dataset.kind = kind;
    replaceChildren(this.body, ...content);
  }

  /** The selected object is gone (deleted): say so rather than show stale data. */
  showGone(what: string): void {
    this.element.hidden = false;
    replaceChildren(this.body, el('p', { class: 'details-gone' }, `${what} no longer exists.`));
  }

  hide(): void {
    this.element.hidden = true;
    delete this.element.dataset.kind;
    this.body.replaceChildren();
  }
}

function podDetails(state: ClusterState, pod: PodRecord, now: number): Node[] {
  const status = visualStatus(pod);
  const usage = podUsage(state, pod);
  const out: Node[] = [
    title('Pod', pod.name),
    fields([
      ['namespace', pod.namespace ?? ''],
      ['status', statusLine(pod)],
      ['owner', pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : 'none (bare pod)'],
      ['node', pod.nodeName ?? 'not scheduled'],
      pod.schedulingMessage ? ['scheduler', pod.schedulingMessage] : undefined,
      ['phase', pod.phase],
      ['restarts', formatCount(pod.restarts)],
      ['age', formatAge(now - pod.createdAt)],
      ['pod IP', pod.podIP],
      ['QoS', pod.qosClass],
      ['priority class', pod.priorityClassName],
      ['requests', `cpu ${formatCpu(pod.requests.cpu)} · memory ${formatBytes(pod.requests.memory)}`],
      ['limits', resources(pod.limits)],
      ['usage', usage ? `cpu ${formatCpu(usage.cpu)} · memory ${formatBytes(usage.memory)}` : 'no metrics'],
    ]),
  ];
  out[0]!.appendChild(el('span', { class: 'details-status', 'data-status': status }, shapeIcon(status), ` ${STATUS_STYLES[status].label}`));
  if (pod.conditions && pod.conditions.length > 0) {
    out.push(section('Conditions'), list(pod.conditions.map((c) => `${c.type}: ${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? ` — ${c.message}` : ''}`)));
  }
  out.push(section('Containers'), containersTable(pod.containers));
  out.push(...labelsSection(pod.labels));
  out.push(...eventsSection(state, pod.uid, pod.name, 'Pod', now));
  return out;
}

function nodeDetails(state: ClusterState, node: NodeRecord, now: number): Node[] {
  const o = occupancyInState(state, node);
  const pct = (part: number | undefined, whole: number) => (part === undefined || whole <= 0 ? '–' : formatPercent(part / whole));
  const out: Node[] = [
    title('Node', node.name),
    fields([
      ['roles', node.roles.length > 0 ? node.roles.join(', ') : 'worker'],
      ['ready', node.ready ? 'Ready' : 'NotReady'],
      ['schedulable', node.unschedulable ? 'cordoned (unschedulable)' : 'yes'],
      ['pods', `${formatCount(o.podCount)} / ${formatCount(o.maxPods)}`],
      ['CPU', `requested ${formatCpu(o.requested.cpu)} (${pct(o.requested.cpu, o.allocatable.cpu)}) · used ${o.used ? `${formatCpu(o.used.cpu)} (${pct(o.used.cpu, o.allocatable.cpu)})` : '–'} · allocatable ${formatCpu(o.allocatable.cpu)} of ${formatCpu(o.capacity.cpu)}`],
      ['memory', `requested ${formatBytes(o.requested.memory)} (${pct(o.requested.memory, o.allocatable.memory)}) · used ${o.used ? `${formatBytes(o.used.memory)} (${pct(o.used.memory, o.allocatable.memory)})` : '–'} · allocatable ${formatBytes(o.allocatable.memory)} of ${formatBytes(o.capacity.memory)}`],
      ['reserved', `cpu ${formatCpu(o.reserved.cpu)} · memory ${formatBytes(o.reserved.memory)} (capacity − allocatable)`],
      ['kubelet', node.kubeletVersion],
      ['internal IP', node.internalIP],
      ['age', formatAge(now - node.createdAt)],
    ]),
    section('Conditions'),
    list(node.conditions.map((c) => `${c.type}: ${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? ` — ${c.message}` : ''}`)),
    section('Taints'),
    list(node.taints.length === 0 ? ['none'] : node.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`)),
  ];
  out.push(...labelsSection(node.labels));
  out.push(...eventsSection(state, node.uid, node.name, 'Node', now));
  return out;
}

/** Why a node box has no details: the one line shown in its panel and tooltip. */
function placeholderNote(hidden: boolean): string {
  return hidden
    ? 'Node details hidden: this identity may not see nodes. Capacity, usage, readiness and labels are not shown.'
    : 'No Node record: the node was deleted or is not synced yet. Capacity, usage, readiness and labels are not known.';
}

function placeholderDetails(state: ClusterState, name: string, hidden: boolean): Node[] {
  const pods = state.podsOnNode(name);
  const p = placeholderNode(name, pods);
  const note = el('p', { class: 'details-note', 'data-placeholder': hidden ? 'hidden' : 'missing' }, placeholderNote(hidden));
  return [
    title('Node', name),
    note,
    fields([
      ['pods', `${formatCount(p.podCount)} holding resources${pods.length > p.podCount ? ` (${formatCount(pods.length)} in all)` : ''}`],
      ['requests', `cpu ${formatCpu(p.requested.cpu)} · memory ${formatBytes(p.requested.memory)} (of the pods shown, not the node's capacity)`],
    ]),
  ];
}

function statusLine(pod: PodRecord): string {
  return pod.reason !== undefined && pod.reason !== pod.status ? `${pod.status} (${pod.reason})` : pod.status;
}

function resources(r: { cpu?: number; memory?: number }): string {
  const parts = [r.cpu !== undefined ? `cpu ${formatCpu(r.cpu)}` : undefined, r.memory !== undefined ? `memory ${formatBytes(r.memory)}` : undefined];
  const text = parts.filter(Boolean).join(' · ');
  return text === '' ? 'none' : text;
}

export function title(kind: string, name: string): HTMLElement {
  const copy = el('button', { type: 'button', class: 'copy', title: `Copy ${kind.toLowerCase()} name`, 'aria-label': `Copy name ${name}` }, 'copy');
  copy.addEventListener('click', () => void copyText(name, copy));
  return el('header', { class: 'details-title' }, el('span', { class: 'details-kind' }, kind), el('h2', { class: 'details-name' }, name), copy);
}

async function copyText(text: string, button: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'copied';
  } catch {
    button.textContent = 'select and copy';
  }
  setTimeout(() => (button.textContent = 'copy'), 1500);
}

export function fields(rows: ([string, string | undefined] | undefined)[]): HTMLElement {
  const dl = el('dl', { class: 'details-fields' });
  for (const row of rows) {
    if (row === undefined || row[1] === undefined || row[1] === '') continue;
    dl.append(el('dt', {}, row[0]), el('dd', {}, row[1]));
  }
  return dl;
}

export function section(name: string): HTMLElement {
  return el('h3', { class: 'details-section' }, name);
}

export function list(items: string[]): HTMLElement {
  return el('ul', { class: 'details-list' }, ...items.map((item) => el('li', {}, item)));
}

function containersTable(containers: ContainerRecord[]): HTMLElement {
  const table = el('table', { class: 'details-containers' });
  table.append(el('thead', {}, el('tr', {}, ...['name', 'state', 'restarts', 'requests', 'limits'].map((h) => el('th', { scope: 'col' }, h)))));
  const body = el('tbody');
  for (const c of containers) {
    body.append(
      el('tr', {},
        el('td', {}, c.init ? `${c.name} (init)` : c.name, el('div', { class: 'image' }, c.image)),
        el('td', {}, `${c.state}${c.reason ? ` (${c.reason})` : ''}${c.ready ? ', ready' : ''}`),
        el('td', {}, formatCount(c.restarts)),
        el('td', {}, resources(c.requests ?? {})),
        el('td', {}, resources(c.limits ?? {})),
      ),
    );
  }
  table.append(body);
  return table;
}

export function labelsSection(labels: Record<string, string> | undefined): Node[] {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return [];
  return [section('Labels'), list(entries.map(([k, v]) => `${k}=${v}`))];
}

function eventsSection(state: ClusterState, uid: string, name: string, kind: string, now: number): Node[] {
  const events: EventRecord[] = [];
  for (const event of state.records('Event')) {
    if (event.involved.uid === uid || (event.involved.uid === undefined && event.involved.kind === kind && event.involved.name === name)) events.push(event);
  }
  events.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  if (events.length === 0) return [section('Recent events'), el('p', { class: 'muted' }, 'none kept')];
  return [
    section('Recent events'),
    list(events.slice(0, MAX_EVENTS).map((e) => `${formatAge(now - e.lastSeenAt)} ago · ${e.type} ${e.reason}${e.count > 1 ? ` ×${e.count}` : ''}: ${e.message}`)),
  ];
}

/** The short form for the hover tooltip. */
export function tooltipLines(
  state: ClusterState,
  target: { pod?: PodRecord; node?: NodeRecord; boxName: string; unscheduled: boolean; placeholder?: PlaceholderNode; detailsHidden?: boolean },
): string[] {
  const { pod, node } = target;
  if (pod !== undefined) {
    const usage = podUsage(state, pod);
    return [
      `${pod.namespace}/${pod.name}`,
      `${STATUS_STYLES[visualStatus(pod)].label}: ${statusLine(pod)}${pod.restarts > 0 ? ` · ${pod.restarts} restarts` : ''}`,
      pod.nodeName ? `node ${pod.nodeName}` : `not scheduled: ${pod.schedulingMessage ?? pod.reason ?? 'pending'}`,
      `requests cpu ${formatCpu(pod.requests.cpu)} · mem ${formatBytes(pod.requests.memory)}${usage ? ` · used cpu ${formatCpu(usage.cpu)} · mem ${formatBytes(usage.memory)}` : ''}`,
    ];
  }
  if (node !== undefined) {
    const o = occupancyInState(state, node);
    const flags = [node.ready ? 'Ready' : 'NotReady', node.unschedulable ? 'cordoned' : undefined, ...node.conditions.filter((c) => c.type !== 'Ready' && c.status === 'True').map((c) => c.type)].filter(Boolean);
    return [
      `node ${node.name}${node.roles.length > 0 ? ` (${node.roles.join(', ')})` : ''}`,
      flags.join(' · '),
      `pods ${o.podCount} / ${o.maxPods}`,
      `cpu req ${formatPercent(o.cpuRequested)}${o.cpuUsed !== undefined ? ` · used ${formatPercent(o.cpuUsed)}` : ''} · mem req ${formatPercent(o.memoryRequested)}${o.memoryUsed !== undefined ? ` · used ${formatPercent(o.memoryUsed)}` : ''}`,
    ];
  }
  if (target.unscheduled) return [`unscheduled: ${target.boxName}`];
  const hidden = target.detailsHidden === true;
  // A placeholder box carries its placeholder, kept up to date with its pods; counted here only without one.
  const p = target.placeholder ?? placeholderNode(target.boxName, state.podsOnNode(target.boxName));
  return [
    `node ${target.boxName}`,
    hidden ? 'node details hidden (this identity may not see nodes)' : 'no Node record (deleted, or not synced yet)',
    `pods ${p.podCount} · requests cpu ${formatCpu(p.requested.cpu)} · mem ${formatBytes(p.requested.memory)}`,
  ];
}

export class Tooltip {
  readonly element = el('div', { class: 'tooltip', role: 'tooltip', hidden: true });

  show(lines: string[], x: number, y: number, bounds: { width: number; height: number }): void {
    replaceChildren(this.element, ...lines.map((line, i) => el(i === 0 ? 'strong' : 'div', {}, line)));
    this.element.hidden = false;
    const { offsetWidth: w, offsetHeight: h } = this.element;
    const left = x + 14 + w > bounds.width ? x - 14 - w : x + 14;
    const top = y + 14 + h > bounds.height ? y - 14 - h : y + 14;
    this.element.style.transform = `translate(${Math.max(0, left)}px, ${Math.max(0, top)}px)`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
