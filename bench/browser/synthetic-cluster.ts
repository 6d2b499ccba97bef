// The synthetic topology (src/web/views/topology/testing/synthetic.ts) as the records of a cluster,
// so that the topology browser bench takes the real app path: a FakeSource holds these records, the
// server streams them, and the browser derives the topology from them as it would from any cluster.
//
// The records are made so that deriveTopology gives back exactly the synthetic graph (the same vertex
// and edge ids; the bench checks it with graphDifference): per vertex kind
//   - workloads (Deployment with a ReplicaSet, StatefulSet, DaemonSet, CronJob) with their pods
//     (one per desired replica; `ready` of them ready) on a few nodes, for the occupancy side of the
//     app, which is loaded too when the topology is shown;
//   - Services selecting their workloads, Ingresses with one path per backend, env hosts for the
//     config edges (`name` in the namespace, `name.namespace:8080` across), and one NetworkPolicy per
//     namespace for its policy edges.
// Selection: a workload can be selected by two Services (the synthetic canary), so a Service's
// selector cannot be the workload's `app` label; each Service selects a label of its own, which
// the workloads it selects carry.
import type { ClusterRecord, DeploymentRecord, NodeRecord, OwnerRef, PodRecord, ServiceRecord, WorkloadRecord } from '../../src/model/records.js';
import { node, pod } from '../../src/model/testing/records.js';
import { cronJob, deployment, ingress, namespace, networkPolicy, replicaSet, service, statefulSet } from '../../src/model/testing/shop.js';
import type { Edge, Topology, Vertex } from '../../src/model/topology.js';
import { withAddedWorkload } from '../../src/web/views/topology/testing/synthetic.js';

/** Pods per node: a small cluster's density; the nodes only give the pods somewhere to be. */
const PODS_PER_NODE = 30;

/** The label a Service selects (see the header). */
function selectionLabel(service: string): string {
  return `bench.kubeglance.io/svc-${service}`;
}

/** The env host naming `target` as seen from a workload in `from`'s namespace. */
function hostOf(from: Vertex, target: Vertex): string {
  return from.namespace === target.namespace ? target.name : `${target.name}.${target.namespace}:8080`;
}

export function syntheticClusterRecords(topology: Topology): ClusterRecord[] {
  const byId = new Map(topology.vertices.map((v) => [v.id, v]));
  const outgoing = new Map<string, Edge[]>();
  for (const e of topology.edges) (outgoing.get(e.from) ?? outgoing.set(e.from, []).get(e.from)!).push(e);
  const targetsOf = (v: Vertex, rule: string) => (outgoing.get(v.id) ?? []).filter((e) => e.rule === rule).map((e) => byId.get(e.to) as Vertex);

  // Labels of each workload's pod template: its name, and the label of every Service selecting it.
  const templateLabels = new Map<string, Record<string, string>>();
  for (const v of topology.vertices) if (v.ready !== undefined) templateLabels.set(v.id, { app: v.name });
  for (const e of topology.edges) if (e.rule === 'service-selector') templateLabels.get(e.to)![selectionLabel((byId.get(e.from) as Vertex).name)] = 'true';

  const records: ClusterRecord[] = [];
  const pods: PodRecord[] = [];
  const namespaces = new Set<string>();
  for (const v of topology.vertices) {
    const ns = v.namespace;
    if (ns === undefined) continue; // Outside: derived from the Ingresses
    namespaces.add(ns);
    const uid = `${v.kind}-${ns}-${v.name}`;
    if (v.ready !== undefined) {
      const labels = templateLabels.get(v.id) as Record<string, string>;
      const fields = {
        uid,
        namespace: ns,
        desired: v.desired ?? 1,
        ready: v.ready,
        selector: { matchLabels: { app: v.name } },
        templateLabels: labels,
        template: { envHosts: targetsOf(v, 'env-host').map((target) => hostOf(v, target)) },
      };
      let workload: WorkloadRecord;
      if (v.kind === 'Deployment') workload = deployment(v.name, fields);
      else if (v.kind === 'StatefulSet') workload = statefulSet(v.name, fields);
      else if (v.kind === 'CronJob') workload = cronJob(v.name, fields);
      else if (v.kind === 'DaemonSet') workload = { kind: 'DaemonSet', name: v.name, createdAt: 1, ...fields };
      else throw new Error(`syntheticClusterRecords: unexpected workload kind ${v.kind}`);
      records.push(workload);
      // Pods belong to the ReplicaSet of a Deployment, to the workload itself otherwise; a
      // CronJob's pods would belong to Jobs, of which there are none between runs.
      let owner: OwnerRef = { kind: workload.kind, name: workload.name, uid: workload.uid };
      if (workload.kind === 'Deployment') {
        const rs = { ...replicaSet(workload), uid: `rs-${ns}-${v.name}` };
        records.push(rs);
        owner = { kind: 'ReplicaSet', name: rs.name, uid: rs.uid };
      }
      if (workload.kind !== 'CronJob') {
        for (let i = 0; i < workload.desired; i++) {
          const ready = i < workload.ready;
          pods.push(pod(`pod-${uid}-${i}`, { name: `${owner.name}-${i}`, namespace: ns, labels, owner, ready, status: ready ? 'Running' : 'NotReady' }));
        }
      }
    } else if (v.kind === 'Service') {
      records.push(service(v.name, { uid, namespace: ns, selector: { [selectionLabel(v.name)]: 'true' } }));
    } else if (v.kind === 'Ingress') {
      const paths = targetsOf(v, 'ingress-backend').map((s) => ({ path: `/${s.name}`, backend: { service: s.name, port: 8080 } }));
      records.push(ingress(v.name, { uid, namespace: ns, rules: [{ host: `${v.name}.${ns}.example.com`, paths }] }));
    } else throw new Error(`syntheticClusterRecords: unexpected vertex kind ${v.kind}`);
  }

  // One NetworkPolicy per namespace with policy edges: the synthetic ones are every chosen source
  // to every chosen target of the namespace, which is what one policy with one peer gives.
  const policyEdges = topology.edges.filter((e) => e.rule === 'network-policy-ingress');
  for (const ns of namespaces) {
    const edges = policyEdges.filter((e) => byId.get(e.to)?.namespace === ns);
    if (edges.length === 0) continue;
    const names = (ids: string[]) => [...new Set(ids.map((id) => (byId.get(id) as Vertex).name))].sort();
    records.push(
      networkPolicy('allow', {
        uid: `np-${ns}-allow`,
        namespace: ns,
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: names(edges.map((e) => e.to)) }] },
        ingress: [{ peers: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: names(edges.map((e) => e.from)) }] } }] }],
      }),
    );
  }

  const nodes: NodeRecord[] = Array.from({ length: Math.max(1, Math.ceil(pods.length / PODS_PER_NODE)) }, (_, i) => node(`node-${i}`, { name: `node-${String(i).padStart(3, '0')}` }));
  pods.forEach((p, i) => (p.nodeName = nodes[i % nodes.length]!.name));
  return [...[...namespaces].sort().map((ns) => namespace(ns)), ...nodes, ...records, ...pods];
}

/** Where two graphs differ, by vertex and edge ids (at most a few of each); empty when they are the same. */
export function graphDifference(expected: Topology, actual: Topology): string {
  const diff = (what: string, a: string[], b: string[]) => {
    const inB = new Set(b);
    const inA = new Set(a);
    const missing = a.filter((id) => !inB.has(id));
    const extra = b.filter((id) => !inA.has(id));
    return [missing.length > 0 ? `${missing.length} ${what} missing (${missing.slice(0, 3).join(', ')})` : '', extra.length > 0 ? `${extra.length} extra ${what} (${extra.slice(0, 3).join(', ')})` : ''];
  };
  return [...diff('vertices', expected.vertices.map((v) => v.id), actual.vertices.map((v) => v.id)), ...diff('edges', expected.edges.map((e) => e.id), actual.edges.map((e) => e.id))]
    .filter((s) => s !== '')
    .join('; ');
}

export interface AddedWorkload {
  /** Upsert these to add it, delete them to take it away again. */
  records: [DeploymentRecord, ServiceRecord];
  /** Vertex ids of the new Deployment and Service. */
  vertices: [string, string];
  /** Ids of the drawn edges (`from->to`): Service → Deployment (selects), Deployment → the existing Service it calls (config). */
  edges: [string, string];
  namespace: string;
}

/**
 * A new Deployment with its own Service, in the namespace of the `nth` Service (by id) and
 * configured to call it (withAddedWorkload of synthetic.ts, as records): "one workload was added".
 */
export function addedWorkload(topology: Topology, nth: number, name: string): AddedWorkload {
  const { topology: changed, added } = withAddedWorkload(topology, nth, name);
  const calls = changed.edges.find((e) => e.from === added.id) as Edge;
  const target = changed.vertices.find((v) => v.id === calls.to) as Vertex;
  const ns = added.namespace as string;
  const labels = { app: name, [selectionLabel(name)]: 'true' };
  const d = deployment(name, { uid: `bench-added-deploy-${ns}-${name}`, namespace: ns, desired: 1, ready: 1, selector: { matchLabels: { app: name } }, templateLabels: labels, template: { envHosts: [hostOf(added, target)] } });
  const s = service(name, { uid: `bench-added-svc-${ns}-${name}`, namespace: ns, selector: { [selectionLabel(name)]: 'true' } });
  const serviceId = `Service/${ns}/${name}`;
  return { records: [d, s], vertices: [added.id, serviceId], edges: [`${serviceId}->${added.id}`, `${added.id}->${target.id}`], namespace: ns };
}
