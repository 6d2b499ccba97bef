// Record factories for topology tests (the smallest valid record of a kind in namespace "shop",
// with fields to override), and a large generated cluster for the derivation's scale test. The
// realistic shop itself is YAML: test/fixtures/shop.
import type {
  DeploymentRecord,
  EndpointSliceRecord,
  GatewayRecord,
  IngressRecord,
  JobRecord,
  NamespaceRecord,
  NetworkPolicyRecord,
  CronJobRecord,
  ReplicaSetRecord,
  RouteRecord,
  ServiceRecord,
  StatefulSetRecord,
  ClusterRecord,
  TrafficPeer,
  TrafficRecord,
} from '../records.js';
import { ClusterState } from '../cluster-state.js';
import { pod } from './records.js';

const NS = 'shop';

export function deployment(name: string, fields: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    kind: 'Deployment',
    uid: `deploy-${name}`,
    name,
    namespace: NS,
    createdAt: 1,
    desired: 2,
    ready: 2,
    selector: { matchLabels: { app: name } },
    templateLabels: { app: name, 'app.kubernetes.io/part-of': 'shop' },
    ...fields,
  };
}

export function replicaSet(of: DeploymentRecord): ReplicaSetRecord {
  return {
    kind: 'ReplicaSet',
    uid: `rs-${of.name}`,
    name: `${of.name}-7d9f8c`,
    namespace: of.namespace as string,
    createdAt: 1,
    desired: of.desired,
    ready: of.ready,
    owner: { kind: 'Deployment', name: of.name, uid: of.uid },
    ...(of.templateLabels ? { templateLabels: of.templateLabels } : {}),
    ...(of.template ? { template: of.template } : {}),
  };
}

export function statefulSet(name: string, fields: Partial<StatefulSetRecord> = {}): StatefulSetRecord {
  return {
    kind: 'StatefulSet',
    uid: `sts-${name}`,
    name,
    namespace: NS,
    createdAt: 1,
    desired: 1,
    ready: 1,
    serviceName: name,
    templateLabels: { app: name },
    ...fields,
  };
}

export function job(name: string, fields: Partial<JobRecord> = {}): JobRecord {
  return { kind: 'Job', uid: `job-${name}`, name, namespace: NS, createdAt: 1, desired: 1, ready: 0, succeeded: 0, failed: 0, active: 1, ...fields };
}

export function cronJob(name: string, fields: Partial<CronJobRecord> = {}): CronJobRecord {
  return { kind: 'CronJob', uid: `cj-${name}`, name, namespace: NS, createdAt: 1, desired: 1, ready: 0, schedule: '0 * * * *', suspend: false, active: 0, ...fields };
}

export function service(name: string, fields: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    kind: 'Service',
    uid: `svc-${name}`,
    name,
    namespace: NS,
    createdAt: 1,
    type: 'ClusterIP',
    selector: { app: name },
    clusterIP: '10.96.0.10',
    ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
    ...fields,
  };
}

export function ingress(name: string, fields: Partial<IngressRecord> = {}): IngressRecord {
  return { kind: 'Ingress', uid: `ing-${name}`, name, namespace: NS, createdAt: 1, className: 'nginx', rules: [], ...fields };
}

export function gateway(name: string, fields: Partial<GatewayRecord> = {}): GatewayRecord {
  return {
    kind: 'Gateway',
    uid: `gw-${name}`,
    name,
    namespace: NS,
    createdAt: 1,
    className: 'eg',
    listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com' }],
    ...fields,
  };
}

export function route(kind: RouteRecord['kind'], name: string, fields: Partial<RouteRecord> = {}): RouteRecord {
  return { kind, uid: `${kind}-${name}`, name, namespace: NS, createdAt: 1, parents: [], hostnames: [], backends: [], ...fields };
}

export function namespace(name: string, labels: Record<string, string> = {}): NamespaceRecord {
  return { kind: 'Namespace', uid: `ns-${name}`, name, createdAt: 1, phase: 'Active', labels };
}

export function networkPolicy(name: string, fields: Partial<NetworkPolicyRecord> = {}): NetworkPolicyRecord {
  return { kind: 'NetworkPolicy', uid: `np-${name}`, name, namespace: NS, createdAt: 1, podSelector: {}, policyTypes: ['Ingress'], ingress: [], egress: [], ...fields };
}

/**
 * A small shop as records (five deployments, redis and postgres StatefulSets, a Service each, an
 * Ingress to the frontend), for tests that want one without YAML (the browser tests).
 */
export function shopRecords(): ClusterRecord[] {
  const frontend = deployment('frontend', { template: { envHosts: ['cart:8080', 'catalog.shop'] } });
  return [
    frontend,
    replicaSet(frontend),
    pod('frontend-1', { name: 'frontend-7d9f8c-abcde', namespace: NS, labels: { app: 'frontend' }, owner: { kind: 'ReplicaSet', name: 'frontend-7d9f8c', uid: 'rs-frontend' } }),
    deployment('cart', { template: { envHosts: ['redis'] } }),
    deployment('catalog', { template: { envHosts: ['postgres.shop.svc'] } }),
    deployment('checkout', { ready: 1, template: { envHosts: ['payments.shop.svc.cluster.local', 'redis', 'paymnets'] } }),
    deployment('payments', { template: { envHosts: ['api.stripe.com'] } }),
    statefulSet('redis'),
    statefulSet('postgres'),
    ...['frontend', 'cart', 'catalog', 'checkout', 'payments', 'redis', 'postgres'].map((name) => service(name)),
    ingress('shop', {
      tlsHosts: ['shop.example.com'],
      rules: [{ host: 'shop.example.com', paths: [{ path: '/', backend: { service: 'frontend', port: 8080 } }] }],
    }),
  ];
}

export function endpointSlice(service: string, endpoints: EndpointSliceRecord['endpoints'], fields: Partial<EndpointSliceRecord> = {}): EndpointSliceRecord {
  return { kind: 'EndpointSlice', uid: `eps-${service}-${endpoints.length}`, name: `${service}-abcde`, namespace: NS, createdAt: 1, serviceName: service, addressType: 'IPv4', endpoints, ...fields };
}

/** An endpoint of a pod: ready unless said otherwise. */
export function podEndpoint(podName: string, ready = true): EndpointSliceRecord['endpoints'][number] {
  return { targetPod: podName, ready, addresses: ['10.244.0.1'] };
}

let trafficSeq = 0;
export function traffic(source: TrafficPeer, destination: TrafficPeer, fields: Partial<TrafficRecord> = {}): TrafficRecord {
  const mesh = fields.mesh ?? 'istio';
  return {
    kind: 'Traffic',
    uid: `${mesh}:${JSON.stringify(source)}->${JSON.stringify(destination)}#${trafficSeq++}`,
    name: 'traffic',
    createdAt: 1,
    mesh,
    protocol: 'http',
    source,
    destination,
    sampledAt: 1,
    ...fields,
  };
}

export interface LargeClusterSize {
  namespaces: number;
  workloadsPerNamespace: number;
  /** Traffic records: one per workload in order (w0 → w1 in ns-0, ...), every tenth from a workload no one has. */
  trafficRecords: number;
}

/**
 * A large, regular cluster, so a test can say from the size alone what the topology must hold.
 * In each namespace `ns-<i>`: Deployments w0…w(n-1) (tier front for even j, back for odd), each
 * with a ReplicaSet and two ready pods, a Service per Deployment with an EndpointSlice of both
 * pods; wj's env names w(j+1) (the last wraps to w0) and, for even j, also w(j+2) as
 * "w(j+2).ns-<i>:8080"; an Ingress to w0; a default-deny policy and one letting w0 reach the
 * back tier.
 */
export function largeCluster({ namespaces, workloadsPerNamespace: n, trafficRecords }: LargeClusterSize): ClusterRecord[] {
  const records: ClusterRecord[] = [];
  for (let i = 0; i < namespaces; i++) {
    const ns = `ns-${i}`;
    records.push(namespace(ns, { tenant: `t${i % 4}` }));
    for (let j = 0; j < n; j++) {
      const name = `w${j}`;
      const envHosts = [`w${(j + 1) % n}`, ...(j % 2 === 0 ? [`w${(j + 2) % n}.${ns}:8080`] : [])];
      const d = deployment(name, { uid: `d-${ns}-${name}`, namespace: ns, templateLabels: { app: name, tier: j % 2 === 0 ? 'front' : 'back' }, template: { envHosts } });
      const rs = { ...replicaSet(d), uid: `rs-${ns}-${name}` };
      const pods = [0, 1].map((k) => pod(`p-${ns}-${name}-${k}`, { name: `${rs.name}-x${k}`, namespace: ns, labels: d.templateLabels ?? {}, owner: { kind: 'ReplicaSet', name: rs.name, uid: rs.uid } }));
      records.push(d, rs, ...pods, service(name, { uid: `s-${ns}-${name}`, namespace: ns }));
      records.push(endpointSlice(name, pods.map((p) => podEndpoint(p.name)), { uid: `eps-${ns}-${name}`, namespace: ns }));
    }
    records.push(ingress('web', { uid: `ing-${ns}`, namespace: ns, rules: [{ host: `${ns}.example.com`, paths: [{ path: '/', backend: { service: 'w0' } }] }] }));
    records.push(networkPolicy('default-deny', { uid: `np-${ns}-deny`, namespace: ns }));
    records.push(
      networkPolicy('w0-to-back', {
        uid: `np-${ns}-back`,
        namespace: ns,
        podSelector: { matchLabels: { tier: 'back' } },
        ingress: [{ peers: [{ podSelector: { matchLabels: { app: 'w0' } } }] }],
      }),
    );
  }
  for (let k = 0; k < trafficRecords; k++) {
    const ns = `ns-${Math.floor(k / n) % namespaces}`;
    const j = k % n;
    const destination = k % 10 === 9 ? `gone-${k}` : `w${(j + 1) % n}`;
    records.push(traffic({ namespace: ns, workload: `w${j}` }, { namespace: ns, workload: destination, service: destination }, { uid: `t-${k}`, requestRate: 1, p95Ms: 10 + k }));
  }
  return records;
}

export function stateOf(records: ClusterRecord[]): ClusterState {
  const state = new ClusterState('test', 'test');
  for (const record of records) state.apply({ op: 'upsert', record });
  return state;
}
