// A small realistic shop for topology tests: five deployments, a redis cache and a postgres
// database (StatefulSets), a Service for each, an Ingress to the frontend.
import type {
  DeploymentRecord,
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
 * The shop behind NetworkPolicies: default-deny ingress in `shop`, frontend -> cart,
 * checkout -> payments, and the prometheus of the `monitoring` namespace (labelled team=ops) to
 * every shop pod labelled part-of=shop; a `tools` namespace (team=dev) is not let in.
 */
export function shopPolicyRecords(): ClusterRecord[] {
  const allow = (name: string, to: string, from: string) =>
    networkPolicy(name, { podSelector: { matchLabels: { app: to } }, ingress: [{ peers: [{ podSelector: { matchLabels: { app: from } } }] }] });
  return [
    ...shopRecords(),
    namespace('shop'),
    namespace('monitoring', { team: 'ops' }),
    namespace('tools', { team: 'dev' }),
    deployment('prometheus', { namespace: 'monitoring', uid: 'deploy-prometheus', templateLabels: { app: 'prometheus' } }),
    deployment('debug', { namespace: 'tools', uid: 'deploy-debug', templateLabels: { app: 'prometheus' } }),
    networkPolicy('default-deny'),
    allow('frontend-to-cart', 'cart', 'frontend'),
    allow('checkout-to-payments', 'payments', 'checkout'),
    networkPolicy('ops-scrape', {
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/part-of', operator: 'In', values: ['shop'] }, { key: 'app', operator: 'NotIn', values: ['frontend', 'cart', 'catalog'] }] },
      ingress: [
        { peers: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'prometheus' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }] },
        { peers: [] },
      ],
    }),
    networkPolicy('egress-only', { policyTypes: ['Egress'], egress: [{ peers: [{ podSelector: {} }] }] }),
  ];
}

/** The shop's records: env hosts as ingest keeps them, plus the forms the topology must normalise. */
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

export function stateOf(records: ClusterRecord[]): ClusterState {
  const state = new ClusterState('test', 'test');
  for (const record of records) state.apply({ op: 'upsert', record });
  return state;
}
