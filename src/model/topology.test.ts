import { afterAll, describe, expect, it } from 'vitest';
import { edgeLine, SHOP_DEFAULT_DENY, SHOP_DENIED, SHOP_EDGES, SHOP_EGRESS_ISOLATED, SHOP_FIELDS, SHOP_REPLICAS, SHOP_UNRESOLVED } from '../../test/fixtures/shop/expected.js';
import { shopManifestRecords } from '../../test/fixtures/shop/manifests.js';
import { ClusterState } from './cluster-state.js';
import { matchesSelector } from './label-selector.js';
import type { ClusterRecord, ReferenceGrantRecord, TrafficRecord } from './records.js';
import { pod } from './testing/records.js';
import {
  cronJob,
  deployment,
  endpointSlice,
  gateway,
  ingress,
  job,
  largeCluster,
  namespace,
  networkPolicy,
  podEndpoint,
  replicaSet,
  route,
  service,
  stateOf,
  statefulSet,
  traffic,
} from './testing/shop.js';
import { OUTSIDE_ID, RELATIONS, deriveTopology, type Edge, type Topology } from './topology.js';
import { serviceOfHost } from './topology-names.js';

/** Rule ids some test saw produce an edge: every rule in RELATIONS must be among them. */
const produced = new Set<string>();

function derive(records: ClusterRecord[], state = stateOf(records)): Topology {
  const topology = deriveTopology(state);
  const vertexIds = new Set(topology.vertices.map((v) => v.id));
  for (const edge of topology.edges) {
    if (edge.type !== 'observed') produced.add(edge.rule);
    expect(edge.reason.length, edge.id).toBeGreaterThan(0);
    expect(edge.reason, edge.id).not.toMatch(/\{(from|to|detail)\}/);
    expect(edge.field.length, edge.id).toBeGreaterThan(0);
    expect(vertexIds.has(edge.from), edge.id).toBe(true);
    expect(vertexIds.has(edge.to), edge.id).toBe(true);
  }
  return topology;
}

const triples = (t: Topology) => t.edges.map((e) => `${e.from} -${e.type}-> ${e.to}`).sort();
const D = (name: string) => `Deployment/shop/${name}`;
const S = (name: string) => `Service/shop/${name}`;
const STS = (name: string) => `StatefulSet/shop/${name}`;
const edgeOf = (t: Topology, rule: string, from: string, to: string): Edge | undefined => t.edges.find((e) => e.rule === rule && e.from === from && e.to === to);

describe('deriveTopology: the shop manifests (test/fixtures/shop), stripped as the kube source strips them', () => {
  const shop = derive(shopManifestRecords());
  const byLine = new Map(shop.edges.map((e) => [edgeLine(e), e]));

  it('has exactly the declared edges', () => {
    expect(shop.edges.map(edgeLine).sort()).toEqual([...SHOP_EDGES].sort());
  });

  it('says where each edge was read from', () => {
    for (const [line, field] of Object.entries(SHOP_FIELDS)) expect(byLine.get(line)?.field, line).toBe(field);
    for (const e of shop.edges.filter((e) => e.rule === 'env-host')) expect(e.field, e.id).toMatch(/^spec\.template\.spec\.containers/);
  });

  it('marks the connections the policies block, and only those', () => {
    const denied = Object.fromEntries(shop.edges.filter((e) => e.deniedBy !== undefined).map((e) => [edgeLine(e), e.deniedBy]));
    expect(denied).toEqual(SHOP_DENIED);
  });

  it('lists the external API as unresolved and draws it nowhere', () => {
    expect(shop.unresolved.map(({ from, host }) => ({ from, host }))).toEqual(SHOP_UNRESOLVED);
    expect(shop.unresolved[0]?.field).toMatch(/^spec\.template\.spec\.containers/);
  });

  it('lists the isolated workloads: all of the shop for ingress, payments also for egress', () => {
    expect(shop.defaultDeny).toEqual(SHOP_DEFAULT_DENY);
    const egress = Object.fromEntries((shop.isolation ?? []).filter((i) => i.egress.length > 0).map((i) => [i.vertex, i.egress]));
    expect(egress).toEqual(SHOP_EGRESS_ISOLATED);
    expect(shop.isolation?.find((i) => i.vertex === STS('db'))?.ingress).toEqual(['shop/default-deny', 'shop/from-checkout', 'shop/prometheus-scrape']);
  });

  it('has one vertex per workload, Service and Ingress, plus Outside, with the replicas asked for', () => {
    const services = ['frontend', 'cart', 'catalog', 'checkout', 'payments', 'cache', 'db'].map(S);
    expect(shop.vertices.map((v) => v.id).sort()).toEqual(
      [OUTSIDE_ID, 'Ingress/shop/shop', ...Object.keys(SHOP_REPLICAS), ...services, 'Service/monitoring/prometheus', 'Service/monitoring/otel-collector'].sort(),
    );
    for (const [id, replicas] of Object.entries(SHOP_REPLICAS)) expect(shop.vertices.find((v) => v.id === id)?.desired, id).toBe(replicas);
  });

  it('explains each edge in words', () => {
    expect(byLine.get(`ingress-backend: Ingress/shop/shop -> ${S('frontend')}`)?.reason).toBe('Ingress shop/shop sends shop.example.com/ to Service shop/frontend');
    expect(byLine.get(`env-host: ${D('checkout')} -> ${S('db')}`)?.reason).toBe('Deployment shop/checkout is configured to call Service shop/db (env value names host "db.shop")');
    expect(byLine.get(`network-policy-egress: ${D('payments')} -> ${OUTSIDE_ID}`)?.reason).toBe(
      'Deployment shop/payments may connect to outside the cluster: egress allowed by NetworkPolicy shop/payments-egress',
    );
    expect(byLine.get(`network-policy-ingress: Deployment/monitoring/prometheus -> ${STS('db')}`)?.reason).toBe(
      'Deployment monitoring/prometheus may connect to StatefulSet shop/db: allowed by NetworkPolicy shop/prometheus-scrape',
    );
  });

  it('has no traffic source: no observed edges and no observed marks', () => {
    expect(shop.trafficAvailable).toBe(false);
    expect(shop.edges.some((e) => e.type === 'observed' || e.observed !== undefined || e.traffic !== undefined)).toBe(false);
  });

  it('is deterministic', () => {
    expect(deriveTopology(stateOf(shopManifestRecords().reverse()))).toEqual(shop);
  });
});

describe('deriveTopology: rules one by one', () => {
  it('ingress: default backend, duplicate backends merged into one edge, missing service unresolved', () => {
    const t = derive([
      service('web'),
      ingress('main', {
        rules: [{ host: 'a.example.com', paths: [{ path: '/', backend: { service: 'web' } }, { path: '/gone', backend: { service: 'gone' } }] }],
        defaultBackend: { service: 'web' },
      }),
    ]);
    const edges = t.edges.filter((e) => e.rule === 'ingress-backend');
    expect(edges).toHaveLength(1);
    expect(edges[0]?.field).toBe('spec.rules[0].http.paths[0].backend, spec.defaultBackend');
    expect(t.unresolved).toEqual([{ from: 'Ingress/shop/main', field: 'spec.rules[0].http.paths[1].backend', host: 'shop/gone' }]);
  });

  it('gateway and routes: parents, local backends; cross-namespace backends and missing gateways unresolved', () => {
    const t = derive([
      gateway('public'),
      service('frontend'),
      service('api', { namespace: 'other' }),
      route('HTTPRoute', 'web', {
        parents: [{ name: 'public', sectionName: 'https' }, { name: 'internal' }],
        backends: [{ service: 'frontend', port: 8080, weight: 90 }, { service: 'api', namespace: 'other' }],
      }),
      route('GRPCRoute', 'rpc', { parents: [{ name: 'public', namespace: 'shop', kind: 'Gateway' }], backends: [{ service: 'frontend' }] }),
    ]);
    expect(triples(t)).toEqual(
      [
        `${OUTSIDE_ID} -routes-> Gateway/shop/public`,
        'Gateway/shop/public -routes-> HTTPRoute/shop/web',
        'Gateway/shop/public -routes-> GRPCRoute/shop/rpc',
        `HTTPRoute/shop/web -routes-> ${S('frontend')}`,
        `GRPCRoute/shop/rpc -routes-> ${S('frontend')}`,
      ].sort(),
    );
    expect(t.edges.find((e) => e.to === 'HTTPRoute/shop/web')).toMatchObject({ rule: 'gateway-route', field: 'spec.parentRefs[0]' });
    expect(t.unresolved).toEqual(
      expect.arrayContaining([
        { from: 'HTTPRoute/shop/web', field: 'spec.parentRefs[1]', host: 'shop/internal' },
        { from: 'HTTPRoute/shop/web', field: 'spec.rules[].backendRefs (backend #1)', host: 'other/api (cross-namespace: needs a ReferenceGrant)' },
      ]),
    );
    expect(t.unresolved).toHaveLength(2);
  });

  describe('route backends in another namespace: drawn only with a ReferenceGrant there', () => {
    const GW = 'gateway.networking.k8s.io';
    const grant = (name: string, fields: Partial<ReferenceGrantRecord> = {}): ReferenceGrantRecord => ({
      kind: 'ReferenceGrant',
      uid: `rg-${name}`,
      name,
      namespace: 'other',
      createdAt: 1,
      from: [{ group: GW, kind: 'HTTPRoute', namespace: 'shop' }],
      to: [{ group: '', kind: 'Service' }],
      ...fields,
    });
    const FIELD = 'spec.rules[].backendRefs (backend #0)';
    const NEEDS = { from: 'HTTPRoute/shop/web', field: FIELD, host: 'other/api (cross-namespace: needs a ReferenceGrant)' };
    const withGrants = (...grants: ReferenceGrantRecord[]) =>
      derive([
        service('api', { namespace: 'other' }),
        service('billing', { namespace: 'other' }),
        route('HTTPRoute', 'web', { backends: [{ service: 'api', namespace: 'other', weight: 10 }] }),
        ...grants,
      ]);
    const backendEdge = (t: Topology) => edgeOf(t, 'route-backend', 'HTTPRoute/shop/web', 'Service/other/api');

    it('a grant for the route kind from its namespace to Services: drawn, naming the grant', () => {
      const t = withGrants(grant('from-shop'));
      expect(backendEdge(t)).toMatchObject({
        type: 'routes',
        field: FIELD,
        reason: 'HTTPRoute shop/web sends requests to Service other/api (weight 10, allowed by ReferenceGrant other/from-shop)',
      });
      expect(t.unresolved).toEqual([]);
    });

    it('GRPCRoutes need a grant from GRPCRoute; the first allowing grant by name is named', () => {
      const t = derive([
        service('api', { namespace: 'other' }),
        route('GRPCRoute', 'rpc', { backends: [{ service: 'api', namespace: 'other' }] }),
        grant('z-http-only'),
        grant('b-grpc', { from: [{ group: GW, kind: 'GRPCRoute', namespace: 'shop' }] }),
        grant('a-both', { from: [{ group: GW, kind: 'HTTPRoute', namespace: 'shop' }, { group: GW, kind: 'GRPCRoute', namespace: 'shop' }] }),
      ]);
      expect(edgeOf(t, 'route-backend', 'GRPCRoute/shop/rpc', 'Service/other/api')?.reason).toBe(
        'GRPCRoute shop/rpc sends requests to Service other/api (backendRef, allowed by ReferenceGrant other/a-both)',
      );
    });

    it('a grant for another kind (from or to) or another group allows nothing', () => {
      for (const g of [
        grant('grpc-only', { from: [{ group: GW, kind: 'GRPCRoute', namespace: 'shop' }] }),
        grant('core-group', { from: [{ group: '', kind: 'HTTPRoute', namespace: 'shop' }] }),
        grant('secrets', { to: [{ group: '', kind: 'Secret' }] }),
        grant('not-core', { to: [{ group: 'multicluster.x-k8s.io', kind: 'Service' }] }),
      ]) {
        const t = withGrants(g);
        expect(backendEdge(t), g.name).toBeUndefined();
        expect(t.unresolved, g.name).toEqual([NEEDS]);
      }
    });

    it('a grant for routes of another namespace, or kept in the wrong namespace, allows nothing', () => {
      for (const g of [
        grant('from-elsewhere', { from: [{ group: GW, kind: 'HTTPRoute', namespace: 'elsewhere' }] }),
        // In the route's namespace, not the Service's: a namespace cannot grant itself access to another.
        grant('in-shop', { namespace: 'shop' }),
        grant('in-third', { namespace: 'third' }),
      ]) {
        const t = withGrants(g);
        expect(backendEdge(t), g.name).toBeUndefined();
        expect(t.unresolved, g.name).toEqual([NEEDS]);
      }
    });

    it('a grant naming the Service allows it; one naming another Service does not', () => {
      const named = withGrants(grant('api-only', { to: [{ group: '', kind: 'Service', name: 'api' }] }));
      expect(backendEdge(named)?.reason).toContain('allowed by ReferenceGrant other/api-only');
      expect(named.unresolved).toEqual([]);

      const other = withGrants(grant('billing-only', { to: [{ group: '', kind: 'Service', name: 'billing' }] }));
      expect(backendEdge(other)).toBeUndefined();
      expect(other.unresolved).toEqual([NEEDS]);
    });

    it('a granted backend whose Service is gone is unresolved as missing', () => {
      const t = derive([route('HTTPRoute', 'web', { backends: [{ service: 'api', namespace: 'other' }] }), grant('from-shop')]);
      expect(t.edges.filter((e) => e.rule === 'route-backend')).toEqual([]);
      expect(t.unresolved).toEqual([{ from: 'HTTPRoute/shop/web', field: FIELD, host: 'other/api' }]);
    });
  });

  it('service selectors: all pairs must match, same namespace only, no selector selects nothing, bare pods too', () => {
    const t = derive([
      deployment('web', { templateLabels: { app: 'web', tier: 'front' } }),
      deployment('web', { uid: 'other-web', namespace: 'other', templateLabels: { app: 'web', tier: 'front' } }),
      service('web', { selector: { app: 'web', tier: 'front' } }),
      service('strict', { selector: { app: 'web', tier: 'back' } }),
      service('manual', { selector: undefined }),
      service('empty', { selector: {} }),
      service('stripe', { type: 'ExternalName', externalName: 'api.stripe.com', selector: undefined }),
      pod('debug', { name: 'debug', namespace: 'shop', labels: { app: 'web', tier: 'front' } }),
      pod('owned', { name: 'web-abc', namespace: 'shop', labels: { app: 'web', tier: 'front' }, owner: { kind: 'ReplicaSet', name: 'web-1', uid: 'rs' } }),
    ]);
    expect(triples(t)).toEqual([`${S('web')} -selects-> ${D('web')}`, `${S('web')} -selects-> Pod/shop/debug`]);
    expect(t.vertices.find((v) => v.name === 'stripe')?.kind).toBe('ExternalService');
  });

  it('jobs fold into their cronjob; a bare job is its own vertex', () => {
    const t = derive([
      cronJob('report', { template: { envHosts: ['postgres'] } }),
      job('report-28911', { owner: { kind: 'CronJob', name: 'report', uid: 'cj-report' }, template: { envHosts: ['postgres'] } }),
      job('migrate', { template: { envHosts: ['postgres.shop.svc.cluster.local.'] } }),
      statefulSet('postgres'),
      service('postgres'),
    ]);
    expect(t.vertices.map((v) => v.id).filter((id) => id.includes('Job'))).toEqual(['CronJob/shop/report', 'Job/shop/migrate']);
    expect(triples(t)).toContain(`CronJob/shop/report -config-> ${S('postgres')}`);
    expect(triples(t)).toContain(`Job/shop/migrate -config-> ${S('postgres')}`);
  });

  it('folds ReplicaSets and owned pods into their Deployment; lists a typo as unresolved', () => {
    const web = deployment('web', { template: { envHosts: ['cart:8080', 'crat'] } });
    const t = derive([
      web,
      replicaSet(web),
      pod('web-1', { name: 'web-7d9f8c-abcde', namespace: 'shop', labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-7d9f8c', uid: 'rs-web' } }),
      service('cart'),
    ]);
    expect(t.vertices.map((v) => v.id)).toEqual([D('web'), S('cart')]);
    expect(triples(t)).toEqual([`${D('web')} -config-> ${S('cart')}`]);
    expect(t.unresolved.map(({ from, host }) => [from, host])).toEqual([[D('web'), 'crat']]);
    expect(t.unresolved[0]?.field).toMatch(/^spec\.template\.spec\.containers/);
  });

  it('env hosts: other namespaces, StatefulSet pod names, ports; bare pods use spec.containers', () => {
    const t = derive([
      service('kafka', { namespace: 'data' }),
      pod('tool', { name: 'tool', namespace: 'shop', refs: { envHosts: ['kafka-0.kafka.data.svc', '10.0.0.1', 'kafka.data:9092', 'kafka'] } }),
    ]);
    expect(t.edges.map((e) => [e.from, e.to, e.field])).toEqual([['Pod/shop/tool', 'Service/data/kafka', 'spec.containers[].env']]);
    expect(t.unresolved.map((u) => u.host)).toEqual(['10.0.0.1', 'kafka']);
  });

  it('env hosts name the exact field when the record says (a CronJob template is under jobTemplate)', () => {
    const t = derive([
      deployment('api', { template: { envHosts: ['db.shop', 'nowhere'], hostFields: ['containers[api].env[DATABASE_URL]', 'containers[api].args[2]'] } }),
      cronJob('report', { template: { envHosts: ['db'], hostFields: ['initContainers[wait].command[1]'] } }),
      service('db'),
    ]);
    expect(t.edges.filter((e) => e.rule === 'env-host').map((e) => [e.from, e.field])).toEqual([
      ['CronJob/shop/report', 'spec.jobTemplate.spec.template.spec.initContainers[wait].command[1]'],
      [D('api'), 'spec.template.spec.containers[api].env[DATABASE_URL]'],
    ]);
    expect(t.unresolved).toEqual([{ from: D('api'), field: 'spec.template.spec.containers[api].args[2]', host: 'nowhere' }]);
  });

  it('configmap hosts: a workload reading a ConfigMap calls the Services its values name', () => {
    const t = derive([
      deployment('api', { template: { configMaps: ['api-config'] } }),
      { kind: 'ConfigMap', uid: 'cm-api-config', name: 'api-config', namespace: 'shop', createdAt: 1, hosts: ['db.shop', 'api.stripe.com'], hostFields: ['data[DATABASE_URL]', 'data[STRIPE_URL]'] },
      service('db'),
    ]);
    expect(t.edges.filter((e) => e.rule === 'configmap-host').map((e) => [e.from, e.to, e.type, e.field, e.reason])).toEqual([
      [D('api'), S('db'), 'config', 'configmap/api-config data[DATABASE_URL]', 'Deployment shop/api is configured to call Service shop/db (ConfigMap api-config data[DATABASE_URL] names host "db.shop")'],
    ]);
    expect(t.unresolved).toEqual([{ from: D('api'), field: 'configmap/api-config data[STRIPE_URL]', host: 'api.stripe.com' }]);
  });
});

/** `rule from -> to @ field` of the edges of some types, sorted: compact to compare. */
const rows = (t: Topology, ...types: Edge['type'][]) => t.edges.filter((e) => types.includes(e.type)).map((e) => `${e.rule} ${e.from} -> ${e.to} @ ${e.field}`).sort();
const allowFrom = (name: string, to: string, from: string): ClusterRecord =>
  networkPolicy(name, { podSelector: { matchLabels: { app: to } }, ingress: [{ peers: [{ podSelector: { matchLabels: { app: from } } }] }] });

describe('deriveTopology: NetworkPolicy rules', () => {
  it('ingress: podSelector peers of the policy namespace only; namespaceSelector and podSelector together; other namespaces not let in', () => {
    const t = derive([
      namespace('shop'),
      namespace('monitoring', { team: 'ops' }),
      namespace('tools', { team: 'dev' }),
      deployment('web'),
      deployment('api'),
      deployment('web', { uid: 'd-tools-web', namespace: 'tools' }),
      deployment('prometheus', { uid: 'd-prometheus', namespace: 'monitoring', templateLabels: { app: 'prometheus' } }),
      deployment('prometheus', { uid: 'd-tools-prometheus', namespace: 'tools', templateLabels: { app: 'prometheus' } }),
      allowFrom('api-from-web', 'api', 'web'),
      networkPolicy('scrape', {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
        ingress: [{ peers: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }],
      }),
    ]);
    expect(rows(t, 'policy-allow')).toEqual([
      `network-policy-ingress Deployment/monitoring/prometheus -> ${D('api')} @ spec.ingress[0].from[0]`,
      `network-policy-ingress ${D('web')} -> ${D('api')} @ spec.ingress[0].from[0]`,
    ]);
    expect(edgeOf(t, 'network-policy-ingress', D('web'), D('api'))?.reason).toBe('Deployment shop/web may connect to Deployment shop/api: allowed by NetworkPolicy shop/api-from-web');
  });

  it('ingress: an empty namespaceSelector allows every namespace, also one without a record; one without podSelector every pod there', () => {
    const t = derive([
      namespace('shop'),
      deployment('web'),
      deployment('agent', { namespace: 'elsewhere', uid: 'deploy-agent' }),
      deployment('batch', { namespace: 'jobs', uid: 'deploy-batch' }),
      namespace('jobs', { team: 'data' }),
      networkPolicy('any-ns', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ peers: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'agent' } } }] }] }),
      networkPolicy('data-ns', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ peers: [{ namespaceSelector: { matchLabels: { team: 'data' } } }] }] }),
    ]);
    expect(t.edges.map((e) => [e.from, e.to, e.field, e.reason.split('NetworkPolicy ')[1]])).toEqual([
      ['Deployment/elsewhere/agent', D('web'), 'spec.ingress[0].from[0]', 'shop/any-ns'],
      ['Deployment/jobs/batch', D('web'), 'spec.ingress[0].from[0]', 'shop/data-ns'],
    ]);
  });

  it('ingress: a rule without peers and an ipBlock of private addresses draw nothing; a block with public addresses is Outside', () => {
    const t = derive([
      deployment('web'),
      networkPolicy('open', { ingress: [{ peers: [] }] }),
      networkPolicy('pod-range', { ingress: [{ peers: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
      networkPolicy('internet', { ingress: [{ peers: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] }),
    ]);
    expect(rows(t, 'policy-allow')).toEqual([`network-policy-ingress ${OUTSIDE_ID} -> ${D('web')} @ spec.ingress[0].from[0]`]);
    // No Ingress or Gateway: the policy alone brings the Outside vertex.
    expect(t.vertices.map((v) => v.id)).toEqual([D('web'), OUTSIDE_ID]);
    expect(t.edges[0]?.reason).toBe('outside the cluster may connect to Deployment shop/web: allowed by NetworkPolicy shop/internet');
  });

  it('egress: podSelector, namespaceSelector and public ipBlock peers, from the selected workload; private blocks not drawn', () => {
    const t = derive([
      namespace('shop'),
      namespace('data', { tier: 'data' }),
      deployment('api'),
      deployment('web'),
      deployment('kafka', { uid: 'd-kafka', namespace: 'data', templateLabels: { app: 'kafka' } }),
      networkPolicy('api-egress', {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Egress'],
        egress: [
          { peers: [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { tier: 'data' } } }] },
          { peers: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] },
          { peers: [{ ipBlock: { cidr: '192.168.0.0/16' } }] },
        ],
      }),
    ]);
    expect(rows(t, 'policy-allow')).toEqual([
      `network-policy-egress ${D('api')} -> Deployment/data/kafka @ spec.egress[0].to[1]`,
      `network-policy-egress ${D('api')} -> ${D('web')} @ spec.egress[0].to[0]`,
      `network-policy-egress ${D('api')} -> ${OUTSIDE_ID} @ spec.egress[1].to[0]`,
    ]);
    expect(edgeOf(t, 'network-policy-egress', D('api'), D('web'))?.reason).toBe('Deployment shop/api may connect to Deployment shop/web: egress allowed by NetworkPolicy shop/api-egress');
    expect(t.isolation).toEqual([{ vertex: D('api'), ingress: [], egress: ['shop/api-egress'] }]);
  });

  it('isolation: every policy of a type isolates what it selects in its namespace, whatever its rules allow', () => {
    const t = derive([
      deployment('web'),
      deployment('api'),
      deployment('db'),
      deployment('web', { uid: 'd-other-web', namespace: 'other' }),
      networkPolicy('web-locked', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] }),
      networkPolicy('api-open', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ peers: [] }] }),
      allowFrom('db-from-api', 'db', 'api'),
    ]);
    expect(t.defaultDeny).toEqual([D('api'), D('db'), D('web')]);
    expect(t.isolation).toEqual([
      { vertex: D('api'), ingress: ['shop/api-open'], egress: [] },
      { vertex: D('db'), ingress: ['shop/db-from-api'], egress: [] },
      { vertex: D('web'), ingress: ['shop/web-locked'], egress: ['shop/web-locked'] },
    ]);
    expect(derive([deployment('web')]).defaultDeny).toEqual([]);
  });
});

describe('deriveTopology: declared connections NetworkPolicies block (deniedBy)', () => {
  const CALL = `env-host:${D('web')}->${S('api')}`;
  const base = (): ClusterRecord[] => [namespace('shop'), deployment('web', { template: { envHosts: ['api'] } }), deployment('api'), service('api')];
  const denied = (records: ClusterRecord[]) => Object.fromEntries(derive([...base(), ...records]).edges.filter((e) => e.deniedBy !== undefined).map((e) => [e.id, e.deniedBy]));
  const webEgress = (name: string, to?: string) =>
    networkPolicy(name, { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: to === undefined ? [] : [{ peers: [{ podSelector: { matchLabels: { app: to } } }] }] });

  it.each<[string, ClusterRecord[], Record<string, string>]>([
    ['no policy', [], {}],
    ['the target is isolated and no rule admits the caller', [networkPolicy('deny')], { [CALL]: 'shop/deny' }],
    ['a podSelector rule admits the caller', [networkPolicy('deny'), allowFrom('api-from-web', 'api', 'web')], {}],
    ['a rule admits another caller only', [allowFrom('api-from-x', 'api', 'x')], { [CALL]: 'shop/api-from-x' }],
    ['a rule without peers admits everyone', [networkPolicy('deny'), networkPolicy('open', { ingress: [{ peers: [] }] })], {}],
    ['an ipBlock of private addresses may hold the caller’s pods', [networkPolicy('pods', { ingress: [{ peers: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })], {}],
    [
      'an ipBlock of public addresses only does not',
      [networkPolicy('internet', { ingress: [{ peers: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }] }] })],
      { [CALL]: 'shop/internet' },
    ],
    ['the caller is isolated for egress and no rule lets it out to the target', [webEgress('web-out', 'db')], { [CALL]: 'shop/web-out' }],
    ['an egress rule lets the caller out to the target', [webEgress('web-out', 'api')], {}],
    ['both directions blocked: the policies of both', [allowFrom('api-from-x', 'api', 'x'), webEgress('web-out')], { [CALL]: 'shop/api-from-x, shop/web-out' }],
  ])('%s', (_, policies, expected) => {
    expect(denied(policies)).toEqual(expected);
  });

  it('a Service in front of several workloads: denied only when the way to every one is blocked', () => {
    const canary = deployment('api-canary', { templateLabels: { app: 'api', track: 'canary' } });
    const onlyStable = networkPolicy('stable-locked', { podSelector: { matchExpressions: [{ key: 'track', operator: 'DoesNotExist' }] } });
    expect(denied([canary, onlyStable])).toEqual({});
    expect(denied([canary, networkPolicy('deny')])).toEqual({ [CALL]: 'shop/deny' });
  });

  it('routes: the proxy behind an Ingress may come in through a namespaceSelector peer, not through a podSelector-only one', () => {
    const shop = ingress('shop', { rules: [{ host: 'shop.example.com', paths: [{ backend: { service: 'api' } }] }] });
    const BACKEND = `ingress-backend:Ingress/shop/shop->${S('api')}`;
    expect(denied([shop, allowFrom('api-from-web', 'api', 'web')])).toEqual({ [BACKEND]: 'shop/api-from-web' });
    const fromController = networkPolicy('api-from-ingress', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }],
    });
    expect(denied([shop, allowFrom('api-from-web', 'api', 'web'), fromController])).toEqual({});
  });

  it('a Service that selects no workload implies no connection to judge', () => {
    expect(denied([networkPolicy('deny'), service('api', { selector: { app: 'nothing' } })])).toEqual({});
    expect(denied([networkPolicy('deny'), service('api', { type: 'ExternalName', externalName: 'api.example.com', selector: undefined })])).toEqual({});
  });
});

describe('deriveTopology: endpoints on selects edges', () => {
  const web = deployment('web');
  const rsOld = { ...replicaSet(web), uid: 'rs-old', name: 'web-old' };
  const rsNew = { ...replicaSet(web), uid: 'rs-new', name: 'web-new' };
  const owned = (name: string, owner: { kind: string; name: string; uid: string }) => pod(`uid-${name}`, { name, namespace: 'shop', labels: { app: 'web' }, owner });
  const records: ClusterRecord[] = [
    web,
    rsOld,
    rsNew,
    owned('web-old-a', { kind: 'ReplicaSet', name: 'web-old', uid: 'rs-old' }),
    owned('web-new-b', { kind: 'ReplicaSet', name: 'web-new', uid: 'rs-new' }),
    owned('web-new-c', { kind: 'ReplicaSet', name: 'web-new', uid: 'rs-new' }),
    statefulSet('legacy', { templateLabels: { app: 'web' } }),
    owned('legacy-0', { kind: 'StatefulSet', name: 'legacy', uid: 'sts-legacy' }),
    pod('debug', { name: 'debug', namespace: 'shop', labels: { app: 'web' } }),
    service('web'),
    service('web-internal', { selector: { app: 'web' } }),
    deployment('api'),
    service('api'),
    // Both address families list web-new-b; the IPv6 slice says it is not ready (yet): ready counts once.
    endpointSlice('web', [podEndpoint('web-old-a', false), podEndpoint('web-new-b'), podEndpoint('legacy-0'), podEndpoint('debug'), { ready: true, addresses: ['10.0.0.9'] }], { uid: 'eps-v4' }),
    endpointSlice('web', [podEndpoint('web-new-b', false), podEndpoint('web-new-c', false)], { uid: 'eps-v6', addressType: 'IPv6' }),
    // Another Service's slice names the same pods: it counts for that Service only.
    endpointSlice('web-internal', [podEndpoint('web-new-b')], { uid: 'eps-internal' }),
  ];
  const t = derive(records);
  const endpoints = (from: string, to: string) => edgeOf(t, 'service-selector', from, to)?.endpoints;

  it('counts the pods of each selected workload among the Service’s endpoints, each pod once', () => {
    expect(endpoints(S('web'), D('web'))).toEqual({ ready: 1, notReady: 2 });
    expect(endpoints(S('web'), STS('legacy'))).toEqual({ ready: 1, notReady: 0 });
    expect(endpoints(S('web'), 'Pod/shop/debug')).toEqual({ ready: 1, notReady: 0 });
    expect(endpoints(S('web-internal'), D('web'))).toEqual({ ready: 1, notReady: 0 });
    expect(endpoints(S('web-internal'), STS('legacy'))).toEqual({ ready: 0, notReady: 0 });
  });

  it('says nothing for a Service without EndpointSlices', () => {
    expect(edgeOf(t, 'service-selector', S('api'), D('api'))).toBeDefined();
    expect(endpoints(S('api'), D('api'))).toBeUndefined();
  });

  it('finds a CronJob’s pods through its Jobs', () => {
    const t2 = derive([
      cronJob('report', { templateLabels: { app: 'report' } }),
      job('report-1', { owner: { kind: 'CronJob', name: 'report', uid: 'cj-report' } }),
      pod('r1', { name: 'report-1-x2b4z', namespace: 'shop', labels: { app: 'report' }, owner: { kind: 'Job', name: 'report-1', uid: 'job-report-1' } }),
      service('report'),
      endpointSlice('report', [podEndpoint('report-1-x2b4z', false)]),
    ]);
    expect(edgeOf(t2, 'service-selector', S('report'), 'CronJob/shop/report')?.endpoints).toEqual({ ready: 0, notReady: 1 });
  });
});

describe('deriveTopology: observed traffic', () => {
  const frontend = deployment('frontend', { template: { envHosts: ['cart:8080', 'db'] } });
  const world = (): ClusterRecord[] => [
    namespace('shop'),
    frontend,
    replicaSet(frontend),
    deployment('cart'),
    deployment('cart', { uid: 'd-other-cart', namespace: 'other' }),
    statefulSet('db'),
    service('frontend'),
    service('cart'),
    service('db'),
    ingress('shop', { rules: [{ host: 'shop.example.com', paths: [{ path: '/', backend: { service: 'frontend' } }] }] }),
    allowFrom('cart-from-frontend', 'cart', 'frontend'),
  ];
  const CART = { namespace: 'shop', workload: 'cart' };
  const FRONTEND = { namespace: 'shop', workload: 'frontend' };
  const observed = (t: Topology) => t.edges.filter((e) => e.type === 'observed');

  it.each<[string, TrafficRecord['source'], string]>([
    ['a workload in its namespace', FRONTEND, D('frontend')],
    ['a ReplicaSet: its Deployment', { namespace: 'shop', workload: 'frontend-7d9f8c' }, D('frontend')],
    ['a pod: its Deployment', { namespace: 'shop', workload: 'frontend-7d9f8c-x2b4z' }, D('frontend')],
    ['a StatefulSet pod', { namespace: 'shop', workload: 'db-0' }, STS('db')],
    ['a Service by name', { namespace: 'shop', service: 'frontend' }, S('frontend')],
    ['a Service by DNS name', { service: 'frontend.shop.svc.cluster.local' }, S('frontend')],
    ['an unknown workload with a known Service', { namespace: 'shop', workload: 'gone', service: 'frontend' }, S('frontend')],
    ['an OpenTelemetry service name, unique across namespaces', { serviceName: 'frontend' }, D('frontend')],
    ['an OpenTelemetry service name in a namespace', { namespace: 'shop', serviceName: 'db' }, STS('db')],
    ['outside', { outside: true }, OUTSIDE_ID],
  ])('resolves %s', (_, source, vertex) => {
    const t = derive([...world(), traffic(source, CART)]);
    expect(observed(t).map((e) => [e.from, e.to])).toEqual([[vertex, D('cart')]]);
    expect(t.unresolved).toEqual([]);
  });

  it('lists what it cannot resolve under the end that resolved, naming the mesh', () => {
    const t = derive([
      ...world(),
      traffic({ serviceName: 'cart' }, FRONTEND, { mesh: 'otel' }), // two workloads named cart: ambiguous
      traffic(FRONTEND, { namespace: 'shop', workload: 'cart-v2' }, { mesh: 'linkerd' }),
      traffic({ namespace: 'x', workload: 'a' }, { namespace: 'x', workload: 'b' }),
    ]);
    expect(observed(t)).toEqual([]);
    expect(t.unresolved).toEqual([
      { from: D('frontend'), field: 'traffic (linkerd)', host: 'destination workload shop/cart-v2' },
      { from: D('frontend'), field: 'traffic (otel)', host: 'source otel service cart' },
      { from: 'source workload x/a', field: 'traffic (istio)', host: 'destination workload x/b' },
    ]);
  });

  it('one edge per pair: traffic summed over records and meshes, p95 the worst, the metrics named', () => {
    const t = derive([
      ...world(),
      traffic(FRONTEND, CART, { requestRate: 10, errorRate: 0.04, p95Ms: 80 }),
      traffic({ namespace: 'shop', workload: 'frontend-7d9f8c' }, { namespace: 'shop', service: 'cart', workload: 'cart' }, { mesh: 'linkerd', requestRate: 2.3, errorRate: 0, p95Ms: 85 }),
      traffic(FRONTEND, CART, { protocol: 'tcp', tcpBytesRate: 1500, tcpConnections: 3 }),
    ]);
    const [edge, ...more] = observed(t);
    expect(more).toEqual([]);
    expect(edge).toMatchObject({
      id: `observed-traffic:${D('frontend')}->${D('cart')}`,
      rule: 'observed-traffic',
      field: 'istio_requests_total, istio_tcp_sent_bytes_total, response_total',
      reason: 'istio observed 10.0 req/s, 0.4% errors, p95 80 ms, 1.5 kB/s TCP, 3 connections; linkerd observed 2.3 req/s, 0.0% errors, p95 85 ms',
      traffic: { errorRate: 0.04, p95Ms: 85, tcpBytesRate: 1500, tcpConnections: 3, meshes: ['istio', 'linkerd'] },
    });
    expect(edge?.traffic?.requestRate).toBeCloseTo(12.3);
  });

  it('explainedBy: the declared path through a Service, the same pair, the chain in from outside; none for unexplained traffic', () => {
    const t = derive([
      ...world(),
      traffic(FRONTEND, CART),
      traffic(FRONTEND, { namespace: 'shop', service: 'cart' }),
      traffic({ outside: true }, FRONTEND),
      traffic(CART, { namespace: 'shop', workload: 'db-0' }),
    ]);
    const explained = Object.fromEntries(observed(t).map((e) => [`${e.from} -> ${e.to}`, e.explainedBy]));
    expect(explained).toEqual({
      [`${D('frontend')} -> ${D('cart')}`]: [`env-host:${D('frontend')}->${S('cart')}`, `service-selector:${S('cart')}->${D('cart')}`],
      [`${D('frontend')} -> ${S('cart')}`]: [`env-host:${D('frontend')}->${S('cart')}`],
      [`${OUTSIDE_ID} -> ${D('frontend')}`]: [
        `ingress-backend:Ingress/shop/shop->${S('frontend')}`,
        `outside-entry:${OUTSIDE_ID}->Ingress/shop/shop`,
        `service-selector:${S('frontend')}->${D('frontend')}`,
      ],
      [`${D('cart')} -> ${STS('db')}`]: [],
    });
  });

  it('marks declared calls observed or not and carries the traffic that confirms them', () => {
    const t = derive([...world(), traffic(FRONTEND, CART, { requestRate: 4 }), traffic(FRONTEND, { namespace: 'shop', service: 'cart' }, { requestRate: 1 }), traffic({ outside: true }, FRONTEND, { requestRate: 7 })]);
    expect(t.trafficAvailable).toBe(true);
    const marks = Object.fromEntries(t.edges.filter((e) => e.type !== 'observed').map((e) => [e.id, [e.observed, e.traffic?.requestRate]]));
    expect(marks).toEqual({
      [`env-host:${D('frontend')}->${S('cart')}`]: [true, 5],
      [`env-host:${D('frontend')}->${S('db')}`]: [false, undefined],
      [`outside-entry:${OUTSIDE_ID}->Ingress/shop/shop`]: [true, 7],
      [`ingress-backend:Ingress/shop/shop->${S('frontend')}`]: [true, 7],
      // Selectors and policies are not calls: no marks.
      [`service-selector:${S('frontend')}->${D('frontend')}`]: [undefined, undefined],
      [`service-selector:${S('cart')}->${D('cart')}`]: [undefined, undefined],
      [`service-selector:${S('db')}->${STS('db')}`]: [undefined, undefined],
      [`network-policy-ingress:${D('frontend')}->${D('cart')}`]: [undefined, undefined],
    });
  });

  it('without Traffic records, calls are quiet only when the traffic source reads the mesh series', () => {
    const withStatus = (traffic: 'available' | 'unavailable') => {
      const state = new ClusterState('t', 't', { phase: 'live', since: 1, kinds: {}, metrics: 'available', traffic });
      for (const record of world()) state.apply({ op: 'upsert', record });
      return derive([], state);
    };
    const available = withStatus('available');
    expect(available.trafficAvailable).toBe(true);
    expect(available.edges.filter((e) => e.type === 'config' || e.type === 'routes').every((e) => e.observed === false)).toBe(true);
    const unavailable = withStatus('unavailable');
    expect(unavailable.trafficAvailable).toBe(false);
    expect(unavailable.edges.some((e) => e.observed !== undefined)).toBe(false);
  });

  it('traffic among the pods of one workload is no edge and nothing unresolved', () => {
    const t = derive([...world(), traffic(FRONTEND, { namespace: 'shop', workload: 'frontend-7d9f8c-x2b4z' })]);
    expect(observed(t)).toEqual([]);
    expect(t.unresolved).toEqual([]);
  });
});

describe('deriveTopology: a large cluster', () => {
  // 40 namespaces × 50 workloads; see largeCluster for what each holds. Every count below follows
  // from that description, not from running the derivation.
  const size = { namespaces: 40, workloadsPerNamespace: 50, trafficRecords: 300 };
  const workloads = size.namespaces * size.workloadsPerNamespace;
  const t = deriveTopology(stateOf(largeCluster(size)));
  const count = (pred: (e: Edge) => boolean) => t.edges.filter(pred).length;

  it('has every vertex and declared edge', () => {
    expect(t.vertices).toHaveLength(2 * workloads + size.namespaces + 1); // Deployments, Services, Ingresses, Outside
    expect(count((e) => e.type === 'selects')).toBe(workloads);
    expect(count((e) => e.type === 'config')).toBe(workloads * 1.5); // one host each, a second for every even j
    expect(count((e) => e.type === 'routes')).toBe(2 * size.namespaces);
    expect(count((e) => e.type === 'policy-allow')).toBe(size.namespaces * (size.workloadsPerNamespace / 2)); // w0 to each back-tier workload
    expect(t.edges.filter((e) => e.type === 'selects').every((e) => e.endpoints?.ready === 2 && e.endpoints.notReady === 0)).toBe(true);
  });

  it('judges every call against the policies', () => {
    expect(t.defaultDeny).toHaveLength(workloads);
    // In each namespace only w0 → w1 (back tier) is let in; every other call, and every Ingress backend, is denied.
    expect(count((e) => e.type === 'config' && e.deniedBy !== undefined)).toBe(workloads * 1.5 - size.namespaces);
    const backends = t.edges.filter((e) => e.rule === 'ingress-backend').map((e) => e.deniedBy);
    expect(backends.sort()).toEqual(Array.from({ length: size.namespaces }, (_, i) => `ns-${i}/default-deny`).sort());
  });

  it('draws the observed traffic, explains it, and marks the calls it confirms', () => {
    const unknown = size.trafficRecords / 10; // every tenth names a workload that does not exist
    const observed = t.edges.filter((e) => e.type === 'observed');
    expect(observed).toHaveLength(size.trafficRecords - unknown);
    expect(observed.every((e) => e.explainedBy?.length === 2)).toBe(true);
    expect(t.unresolved).toHaveLength(unknown);
    expect(count((e) => e.type === 'config' && e.observed === true)).toBe(size.trafficRecords - unknown);
    expect(count((e) => e.type === 'config' && e.observed === false)).toBe(workloads * 1.5 - (size.trafficRecords - unknown));
  });
});

describe('matchesSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    ['absent selector selects nothing', undefined, false],
    ['empty selector selects everything', {}, true],
    ['matchLabels: all pairs', { matchLabels: { app: 'web', tier: 'front' } }, true],
    ['matchLabels: a wrong value', { matchLabels: { app: 'web', tier: 'back' } }, false],
    ['matchLabels: a missing key', { matchLabels: { zone: 'a' } }, false],
    ['In: value among values', { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }] }, true],
    ['In: value not among values', { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] }, false],
    ['In: key absent', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn: value not among values', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }, true],
    ['NotIn: value among values', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, false],
    ['NotIn: key absent', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists: key present', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists: key absent', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist: key absent', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist: key present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['unknown operator', { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
    ['matchLabels AND matchExpressions', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
    ['several expressions all hold', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'zone', operator: 'DoesNotExist' }] }, true],
  ])('%s', (_, selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });
  it('does not take inherited properties for labels', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {})).toBe(false);
  });
});

describe('serviceOfHost', () => {
  it.each([
    ['cart', { namespace: 'shop', name: 'cart' }],
    ['cart:8080', { namespace: 'shop', name: 'cart' }],
    ['catalog.shop', { namespace: 'shop', name: 'catalog' }],
    ['postgres.shop.svc', { namespace: 'shop', name: 'postgres' }],
    ['payments.shop.svc.cluster.local', { namespace: 'shop', name: 'payments' }],
    ['Payments.Shop.svc.corp.internal.', { namespace: 'shop', name: 'payments' }],
    ['kafka-0.kafka.data.svc', { namespace: 'data', name: 'kafka' }],
    ['api.stripe.com', undefined],
    ['10.1.2.3', undefined],
  ])('%s', (host, expected) => {
    expect(serviceOfHost(host, 'shop')).toEqual(expected);
  });
});

describe('RELATIONS', () => {
  it('is a table of rules with unique ids, an edge type and an explanation', () => {
    const ids = RELATIONS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RELATIONS) {
      expect(r.explain).toMatch(/\{(from|to)\}/);
      expect(['routes', 'selects', 'config', 'policy-allow']).toContain(r.type);
    }
  });

  afterAll(() => {
    // Runs after every test above: each rule produced at least one edge somewhere.
    expect([...produced].sort()).toEqual(RELATIONS.map((r) => r.id).sort());
  });
});
