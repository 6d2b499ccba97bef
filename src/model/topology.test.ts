import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterRecord } from './records.js';
import { pod } from './testing/records.js';
import { cronJob, deployment, gateway, ingress, job, namespace, networkPolicy, route, service, shopPolicyRecords, shopRecords, stateOf, statefulSet } from './testing/shop.js';
import { OUTSIDE_ID, RELATIONS, defaultDenied, deriveTopology, matchesSelector, serviceOfHost, type Topology } from './topology.js';

/** Rule ids some test saw produce an edge: every rule in RELATIONS must be among them. */
const produced = new Set<string>();

function derive(records: ClusterRecord[]): Topology {
  const topology = deriveTopology(stateOf(records));
  for (const edge of topology.edges) {
    produced.add(edge.rule);
    expect(edge.reason.length, edge.id).toBeGreaterThan(0);
    expect(edge.reason, edge.id).not.toMatch(/\{(from|to|detail)\}/);
    expect(edge.field.length, edge.id).toBeGreaterThan(0);
    expect(topology.vertices.some((v) => v.id === edge.from), edge.id).toBe(true);
    expect(topology.vertices.some((v) => v.id === edge.to), edge.id).toBe(true);
  }
  return topology;
}

const triples = (t: Topology) => t.edges.map((e) => `${e.from} -${e.type}-> ${e.to}`).sort();
const D = (name: string) => `Deployment/shop/${name}`;
const S = (name: string) => `Service/shop/${name}`;
const STS = (name: string) => `StatefulSet/shop/${name}`;

describe('deriveTopology: the shop', () => {
  const shop = derive(shopRecords());

  it('has one vertex per workload, service and ingress, plus Outside; ReplicaSets and owned pods are folded', () => {
    expect(shop.vertices.map((v) => v.id).sort()).toEqual(
      [
        OUTSIDE_ID,
        'Ingress/shop/shop',
        ...['frontend', 'cart', 'catalog', 'checkout', 'payments'].map(D),
        ...['redis', 'postgres'].map(STS),
        ...['frontend', 'cart', 'catalog', 'checkout', 'payments', 'redis', 'postgres'].map(S),
      ].sort(),
    );
    expect(shop.vertices.find((v) => v.id === D('checkout'))).toMatchObject({ kind: 'Deployment', name: 'checkout', namespace: 'shop', ready: 1, desired: 2 });
  });

  it('has exactly the declared edges', () => {
    expect(triples(shop)).toEqual(
      [
        `${OUTSIDE_ID} -routes-> Ingress/shop/shop`,
        `Ingress/shop/shop -routes-> ${S('frontend')}`,
        ...['frontend', 'cart', 'catalog', 'checkout', 'payments'].map((n) => `${S(n)} -selects-> ${D(n)}`),
        ...['redis', 'postgres'].map((n) => `${S(n)} -selects-> ${STS(n)}`),
        `${D('frontend')} -config-> ${S('cart')}`,
        `${D('frontend')} -config-> ${S('catalog')}`,
        `${D('cart')} -config-> ${S('redis')}`,
        `${D('catalog')} -config-> ${S('postgres')}`,
        `${D('checkout')} -config-> ${S('payments')}`,
        `${D('checkout')} -config-> ${S('redis')}`,
      ].sort(),
    );
  });

  it('says why and where each edge comes from', () => {
    const edge = (from: string, to: string) => shop.edges.find((e) => e.from === from && e.to === to);
    expect(edge('Ingress/shop/shop', S('frontend'))).toMatchObject({
      rule: 'ingress-backend',
      field: 'spec.rules[0].http.paths[0].backend',
      reason: 'Ingress shop/shop sends shop.example.com/ to Service shop/frontend',
    });
    expect(edge(OUTSIDE_ID, 'Ingress/shop/shop')?.reason).toContain('traffic from outside the cluster');
    expect(edge(S('cart'), D('cart'))).toMatchObject({ rule: 'service-selector', field: 'spec.selector', reason: expect.stringContaining('app=cart') });
    expect(edge(D('checkout'), S('payments'))).toMatchObject({
      rule: 'env-host',
      type: 'config',
      field: 'spec.template.spec.containers[].env',
      reason: expect.stringContaining('payments.shop.svc.cluster.local'),
    });
  });

  it('lists the typo and the external host as unresolved, and draws neither', () => {
    expect(shop.unresolved).toEqual(
      expect.arrayContaining([
        { from: D('checkout'), field: 'spec.template.spec.containers[].env', host: 'paymnets' },
        { from: D('payments'), field: 'spec.template.spec.containers[].env', host: 'api.stripe.com' },
      ]),
    );
    expect(shop.unresolved).toHaveLength(2);
  });

  it('is deterministic', () => {
    expect(deriveTopology(stateOf(shopRecords().reverse()))).toEqual(shop);
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

  it('env hosts: other namespaces, StatefulSet pod names, ports; bare pods use spec.containers', () => {
    const t = derive([
      service('kafka', { namespace: 'data' }),
      pod('tool', { name: 'tool', namespace: 'shop', refs: { envHosts: ['kafka-0.kafka.data.svc', '10.0.0.1', 'kafka.data:9092', 'kafka'] } }),
    ]);
    expect(t.edges.map((e) => [e.from, e.to, e.field])).toEqual([['Pod/shop/tool', 'Service/data/kafka', 'spec.containers[].env']]);
    expect(t.unresolved.map((u) => u.host)).toEqual(['10.0.0.1', 'kafka']);
  });
});

describe('deriveTopology: NetworkPolicy ingress', () => {
  const records = shopPolicyRecords();
  const t = derive(records);
  const allowed = t.edges.filter((e) => e.type === 'policy-allow');

  it('draws exactly the allowed peers: same-namespace podSelectors and a namespaceSelector; ipBlock, allow-all and egress are not drawn', () => {
    expect(allowed.map((e) => [e.from, e.to, e.field])).toEqual(
      [
        [D('checkout'), D('payments'), 'spec.ingress[0].from[0]'],
        [D('frontend'), D('cart'), 'spec.ingress[0].from[0]'],
        ['Deployment/monitoring/prometheus', D('checkout'), 'spec.ingress[0].from[0]'],
        ['Deployment/monitoring/prometheus', D('payments'), 'spec.ingress[0].from[0]'],
      ].sort(),
    );
    expect(allowed.every((e) => e.rule === 'network-policy-ingress')).toBe(true);
    expect(allowed.find((e) => e.to === D('cart'))?.reason).toBe('Deployment shop/frontend may connect to Deployment shop/cart: allowed by NetworkPolicy shop/frontend-to-cart');
    expect(allowed.find((e) => e.from.includes('prometheus'))?.reason).toContain('NetworkPolicy shop/ops-scrape');
  });

  it('leaves the other edges as they were', () => {
    expect(t.edges.filter((e) => e.type !== 'policy-allow')).toEqual(deriveTopology(stateOf(shopRecords())).edges);
  });

  it('lists the pods selected by a default-deny ingress policy', () => {
    expect([...defaultDenied(stateOf(records))].sort()).toEqual([...['cart', 'catalog', 'checkout', 'frontend', 'payments'].map(D), STS('postgres'), STS('redis')]);
    expect(defaultDenied(stateOf(shopRecords())).size).toBe(0);
  });

  it('an empty namespaceSelector allows every namespace; a peer without podSelector allows every pod there', () => {
    const t2 = derive([
      namespace('shop'),
      deployment('web'),
      deployment('agent', { namespace: 'elsewhere', uid: 'deploy-agent' }), // no Namespace record
      deployment('batch', { namespace: 'jobs', uid: 'deploy-batch' }),
      namespace('jobs', { team: 'data' }),
      networkPolicy('any-ns', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ peers: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'agent' } } }] }] }),
      networkPolicy('data-ns', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ peers: [{ namespaceSelector: { matchLabels: { team: 'data' } } }] }] }),
    ]);
    expect(t2.edges.map((e) => [e.from, e.to, e.field, e.reason.split('NetworkPolicy ')[1]])).toEqual([
      ['Deployment/elsewhere/agent', D('web'), 'spec.ingress[0].from[0]', 'shop/any-ns'],
      ['Deployment/jobs/batch', D('web'), 'spec.ingress[0].from[0]', 'shop/data-ns'],
    ]);
    expect(defaultDenied(stateOf([deployment('web'), networkPolicy('any-ns', { ingress: [{ peers: [] }] })])).size).toBe(0);
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
