import { describe, expect, it } from 'vitest';
import type { ClusterRecord, ConfigMapRecord, PodRecord, WorkloadRecord } from './records.js';
import { pod } from './testing/records.js';
import { deployment, service, stateOf } from './testing/shop.js';
import { configMapHostRelation, resolveServiceHost } from './topology-configmap.js';
import type { Finding, PodOwnerVertex, TopologyIndex, Vertex, VertexKind } from './topology.js';
import { vertexId } from './topology-names.js';

function configMap(name: string, hosts: [string, string][], namespace = 'shop'): ConfigMapRecord {
  return { kind: 'ConfigMap', uid: `cm-${namespace}-${name}`, name, namespace, createdAt: 1, hosts: hosts.map(([h]) => h), hostFields: hosts.map(([, f]) => f) };
}

/**
 * The part of a topology index the relation reads (state, services, pod owners), with each pod
 * owner carrying its template's `configMaps` as buildIndex does once PodOwnerVertex has them.
 * Built here because topology.ts's buildIndex is not exported; a cast stands for the parts of a
 * real index (policies, per-namespace lists) the relation never touches.
 */
function indexOf(records: ClusterRecord[]): TopologyIndex {
  const state = stateOf(records);
  const vertices = new Map<string, Vertex>();
  const services = new Map<string, string>();
  const podOwners: (PodOwnerVertex & { configMaps: readonly string[]; hostFields: readonly string[] })[] = [];
  const owner = (kind: VertexKind, r: WorkloadRecord | PodRecord, configMaps: readonly string[] | undefined) => {
    const vertex: Vertex = { id: vertexId(kind, r.namespace, r.name), kind, name: r.name, namespace: r.namespace as string };
    vertices.set(vertex.id, vertex);
    podOwners.push({ vertex, labels: {}, envHosts: [], envField: '', hostFields: [], configMaps: configMaps ?? [] });
  };
  for (const w of state.records('Deployment')) owner('Deployment', w, w.template?.configMaps);
  for (const p of state.records('Pod')) if (p.owner === undefined) owner('Pod', p, p.refs?.configMaps);
  for (const s of state.records('Service')) {
    const id = vertexId(s.type === 'ExternalName' ? 'ExternalService' : 'Service', s.namespace, s.name);
    services.set(`${s.namespace}/${s.name}`, id);
  }
  return { state, vertices, services, podOwners } as unknown as TopologyIndex;
}

const findings = (records: ClusterRecord[]): Finding[] => [...configMapHostRelation.derive(indexOf(records))];
const D = (name: string, ns = 'shop') => `Deployment/${ns}/${name}`;

describe('configmap-host', () => {
  it('is a config relation that explains itself with the ConfigMap key', () => {
    expect(configMapHostRelation).toMatchObject({ id: 'configmap-host', type: 'config' });
    expect(configMapHostRelation.explain).toBe('{from} is configured to call {to} (ConfigMap {detail})');
  });

  it('resolves each host of a ConfigMap the workload reads: Services drawn, the rest unresolved', () => {
    const records: ClusterRecord[] = [
      deployment('api', { template: { configMaps: ['api-config', 'not-read'] } }),
      configMap('api-config', [
        ['db.shop', 'data[DATABASE_URL]'],
        ['cache', 'data[REDIS_HOST]'],
        ['payments.billing', 'data[application.yaml]'],
        ['api.stripe.com', 'data[STRIPE_URL]'],
        ['paymnets', 'data[PAYMENTS_HOST]'],
        ['10.0.0.7', 'data[LEGACY_ADDR]'],
      ]),
      service('db'),
      service('cache'),
      service('payments', { namespace: 'billing' }),
    ];
    expect(findings(records)).toEqual([
      { from: D('api'), to: 'Service/shop/db', field: 'configmap/api-config data[DATABASE_URL]', detail: 'api-config data[DATABASE_URL] names host "db.shop"' },
      { from: D('api'), to: 'Service/shop/cache', field: 'configmap/api-config data[REDIS_HOST]', detail: 'api-config data[REDIS_HOST] names host "cache"' },
      { from: D('api'), to: 'Service/billing/payments', field: 'configmap/api-config data[application.yaml]', detail: 'api-config data[application.yaml] names host "payments.billing"' },
      { from: D('api'), field: 'configmap/api-config data[STRIPE_URL]', missing: 'api.stripe.com' },
      { from: D('api'), field: 'configmap/api-config data[PAYMENTS_HOST]', missing: 'paymnets' },
      { from: D('api'), field: 'configmap/api-config data[LEGACY_ADDR]', missing: '10.0.0.7' },
    ]);
  });

  it('reads only ConfigMaps of the reader’s own namespace, and resolves short names there', () => {
    const records: ClusterRecord[] = [
      deployment('api', { template: { configMaps: ['shared'] } }),
      deployment('worker', { namespace: 'jobs', uid: 'deploy-worker', template: { configMaps: ['shared'] } }),
      configMap('shared', [['queue', 'data[QUEUE_HOST]']], 'jobs'),
      service('queue', { namespace: 'jobs', uid: 'svc-jobs-queue' }),
      service('queue'),
    ];
    expect(findings(records)).toEqual([
      { from: D('worker', 'jobs'), to: 'Service/jobs/queue', field: 'configmap/shared data[QUEUE_HOST]', detail: 'shared data[QUEUE_HOST] names host "queue"' },
    ]);
  });

  it('reads the ConfigMaps of bare pods too, and draws ExternalName Services', () => {
    const records: ClusterRecord[] = [
      pod('tool', { name: 'tool', namespace: 'shop', refs: { configMaps: ['tool-config'] } }),
      pod('owned', { name: 'web-1', namespace: 'shop', owner: { kind: 'ReplicaSet', name: 'web-7d9f8c', uid: 'rs-web' }, refs: { configMaps: ['tool-config'] } }),
      configMap('tool-config', [['stripe', 'data[PSP_HOST]']]),
      service('stripe', { type: 'ExternalName', externalName: 'api.stripe.com', selector: undefined }),
    ];
    expect(findings(records)).toEqual([
      { from: 'Pod/shop/tool', to: 'ExternalService/shop/stripe', field: 'configmap/tool-config data[PSP_HOST]', detail: 'tool-config data[PSP_HOST] names host "stripe"' },
    ]);
  });

  it('says nothing without ConfigMap records (not read), nor for ConfigMaps nobody reads', () => {
    expect(findings([deployment('api', { template: { configMaps: ['api-config'] } }), service('db')])).toEqual([]);
    expect(findings([deployment('api'), configMap('api-config', [['db', 'data[DB_HOST]']]), service('db')])).toEqual([]);
  });
});

describe('resolveServiceHost', () => {
  const g = { services: new Map([['shop/orders', 'Service/shop/orders'], ['data/kafka', 'Service/data/kafka']]) };

  it.each<[string, string | undefined]>([
    ['orders', 'Service/shop/orders'],
    ['orders.shop', 'Service/shop/orders'],
    ['orders.shop.svc.cluster.local', 'Service/shop/orders'],
    ['orders:8080', 'Service/shop/orders'],
    ['kafka-0.kafka.data.svc', 'Service/data/kafka'],
    ['kafka.data', 'Service/data/kafka'],
    ['kafka', undefined],
    ['10.0.0.1', undefined],
    ['api.example.com', undefined],
  ])('%s → %s', (host, to) => {
    const found = resolveServiceHost(g, 'Pod/shop/x', 'f', host, 'shop');
    expect(found).toEqual(to === undefined ? { from: 'Pod/shop/x', field: 'f', missing: host } : { from: 'Pod/shop/x', to, field: 'f', detail: host });
  });
});
