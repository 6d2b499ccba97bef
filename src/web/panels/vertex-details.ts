// Details of a topology vertex: what it is, and every edge in and out with the answer to "why is
// this edge here?" (the rule, the field it was read from, observed rates, policy marks). All
// cluster text is set as text.
import type { ClusterState } from '../../model/cluster-state.js';
import { el, formatCount } from '../dom.js';
import { hasPods } from '../../model/pod-owner.js';
import { trafficParts } from '../../model/observed-traffic.js';
import type { Edge, TrafficStats, Vertex } from '../../model/topology.js';
import type { VertexDetails } from '../views/topology/topology-controller.js';
import { fields, labelsSection, list, section, title } from './details.js';

export interface VertexActions {
  focus(vertexId: string): void;
  showPods(vertexId: string): void;
}

const EDGE_WORDS: Record<Edge['type'], { out: string; in: string }> = {
  routes: { out: 'routes to', in: 'routed from' },
  selects: { out: 'selects', in: 'selected by' },
  config: { out: 'configured to call', in: 'called (by configuration) from' },
  'policy-allow': { out: 'may connect to (policy)', in: 'accepts (policy) from' },
  observed: { out: 'observed traffic to', in: 'observed traffic from' },
};

export function vertexDetails(details: VertexDetails, actions: VertexActions): Node[] {
  const { vertex, cluster } = details;
  const out: Node[] = [title(vertex.kind === 'Outside' ? 'Outside' : vertex.kind, vertex.name), fields(vertexFields(cluster, vertex))];
  const buttons = el('div', { class: 'details-actions' });
  const focus = el('button', { type: 'button', class: 'focus-vertex' }, 'Focus on its neighbourhood');
  focus.addEventListener('click', () => actions.focus(vertex.id));
  buttons.append(focus);
  if (hasPods(vertex)) {
    const pods = el('button', { type: 'button', class: 'show-pods' }, 'Show its pods in the occupancy view');
    pods.addEventListener('click', () => actions.showPods(vertex.id));
    buttons.append(pods);
  }
  out.push(buttons);
  out.push(section(`Outgoing (${details.outgoing.length})`), edgeList(details.outgoing, 'out', details.vertices));
  out.push(section(`Incoming (${details.incoming.length})`), edgeList(details.incoming, 'in', details.vertices));
  if (details.unresolved.length > 0) {
    out.push(
      section(`Names that resolve to nothing (${details.unresolved.length})`),
      list(details.unresolved.map((u) => `${u.host} — in ${u.field}`)),
    );
  }
  out.push(...labelsSection(recordOf(cluster, vertex)?.labels));
  return out;
}

function vertexFields(cluster: ClusterState, vertex: Vertex): ([string, string | undefined] | undefined)[] {
  const rows: ([string, string | undefined] | undefined)[] = [['namespace', vertex.namespace], ['cluster', cluster.name]];
  if (vertex.desired !== undefined) rows.push(['replicas', `${formatCount(vertex.ready ?? 0)} ready of ${formatCount(vertex.desired)}`]);
  const record = recordOf(cluster, vertex);
  if (record?.kind === 'Service') {
    rows.push(['type', record.type]);
    rows.push(['selector', record.selector ? Object.entries(record.selector).map(([k, v]) => `${k}=${v}`).join(', ') : 'none (endpoints managed by hand)']);
    rows.push(['ports', record.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}${p.targetPort !== undefined ? `→${p.targetPort}` : ''}${p.protocol && p.protocol !== 'TCP' ? `/${p.protocol}` : ''}`).join(', ')]);
    rows.push(['external name', record.externalName]);
  } else if (record?.kind === 'Ingress') {
    rows.push(['class', record.className]);
    rows.push(['hosts', [...new Set(record.rules.map((r) => r.host ?? '*'))].join(', ')]);
  } else if (record?.kind === 'Gateway') {
    rows.push(['class', record.className]);
    rows.push(['listeners', record.listeners.map((l) => `${l.name} ${l.protocol}:${l.port}${l.hostname ? ` ${l.hostname}` : ''}`).join(', ')]);
  } else if (record?.kind === 'HTTPRoute' || record?.kind === 'GRPCRoute') {
    rows.push(['hostnames', record.hostnames.join(', ')]);
  } else if (record !== undefined && 'images' in record && record.images) {
    rows.push(['images', record.images.join(', ')]);
  }
  return rows;
}

/** The record a vertex was made from (by kind, namespace and name), when the client has it. */
function recordOf(cluster: ClusterState, vertex: Vertex) {
  const kind = vertex.kind === 'ExternalService' ? 'Service' : vertex.kind;
  if (kind === 'Outside') return undefined;
  for (const record of cluster.records(kind)) if (record.name === vertex.name && record.namespace === vertex.namespace) return record;
  return undefined;
}

function edgeList(edges: readonly Edge[], direction: 'in' | 'out', vertices: ReadonlyMap<string, Vertex>): HTMLElement {
  if (edges.length === 0) return el('p', { class: 'muted' }, 'none');
  const items = el('ul', { class: 'details-edges' });
  const sorted = [...edges].sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
  for (const edge of sorted) {
    const otherId = direction === 'out' ? edge.to : edge.from;
    const other = vertices.get(otherId);
    const name = other === undefined ? otherId : other.kind === 'Outside' ? 'outside the cluster' : `${other.kind} ${other.namespace ? `${other.namespace}/` : ''}${other.name}`;
    const item = el('li', { class: 'details-edge', 'data-edge': edge.id, 'data-type': edge.type },
      el('strong', {}, `${EDGE_WORDS[edge.type][direction]} ${name}`),
      el('div', { class: 'edge-reason' }, edge.reason),
      el('div', { class: 'edge-source muted' }, `rule ${edge.rule} · field ${edge.field}`),
    );
    const marks = edgeMarks(edge);
    if (marks !== '') item.append(el('div', { class: 'edge-marks' }, marks));
    items.append(item);
  }
  return items;
}

function edgeMarks(edge: Edge): string {
  const marks: string[] = [];
  if (edge.traffic) marks.push(formatTraffic(edge.traffic));
  if (edge.type === 'observed' && edge.explainedBy?.length === 0) marks.push('no declaration explains this traffic');
  if (edge.type !== 'observed' && edge.observed === false) marks.push('no traffic observed');
  if (edge.endpoints) marks.push(`endpoints ${edge.endpoints.ready} ready, ${edge.endpoints.notReady} not ready`);
  if (edge.deniedBy) marks.push(`denied by NetworkPolicy ${edge.deniedBy}`);
  return marks.join(' · ');
}

/** "12.3 req/s · 0.4% errors · p95 85 ms · 1.2 kB/s TCP · 4 connections (istio)". */
export function formatTraffic(t: TrafficStats): string {
  return `${trafficParts(t).join(' · ')}${t.meshes.length > 0 ? ` (${t.meshes.join(', ')})` : ''}`;
}
