// The pure authorization module: policy file, scopes, and the filters over snapshot, delta and topology.
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { ClusterRecord, EventRecord, NamespaceRecord, TrafficRecord } from '../../model/records.js';
import { ClusterState } from '../../model/cluster-state.js';
import type { DeltaMessage } from '../../model/stream.js';
import { node, pod, usage } from '../../model/testing/records.js';
import type { Topology } from '../../model/topology.js';
import type { Identity } from '../auth/identity.js';
import { filterDelta, filterSnapshot, filterTopology, recordVisible } from './filter.js';
import { AuthzPolicyError, parseAuthzPolicy } from './policy.js';
import { compileMatcher, NOTHING, scopeFor, type Scope } from './scope.js';

const POLICY = parseAuthzPolicy(`
groups:
  sre: { namespaces: ['*'], nodes: true }
  shop-devs: { namespaces: [shop, 'shop-*'], nodes: false }
  viewers: { namespaces: ['*'] }
  lobby-tv: { namespaces: [web, shop] }
default: { namespaces: [public], nodes: false }
`);

const who = (fields: Partial<Identity>): Identity => ({ name: 'someone', groups: [], via: 'proxy', ...fields });
const scoped = (scope: Scope) => {
  if (scope.all === true) throw new Error('expected a scoped scope');
  return scope;
};

function namespace(name: string): NamespaceRecord {
  return { kind: 'Namespace', uid: `ns-${name}`, name, createdAt: 1, phase: 'Active' };
}
function traffic(uid: string, source: TrafficRecord['source'], destination: TrafficRecord['destination']): TrafficRecord {
  return { kind: 'Traffic', uid, name: uid, createdAt: 1, mesh: 'istio', protocol: 'http', source, destination, sampledAt: 1 };
}
function event(uid: string, involved: EventRecord['involved'], namespace?: string): EventRecord {
  const record: EventRecord = { kind: 'Event', uid, name: uid, createdAt: 1, involved, type: 'Normal', reason: 'R', message: 'm', count: 1, lastSeenAt: 1 };
  if (namespace !== undefined) record.namespace = namespace;
  return record;
}
const STATUS: ClusterStatus = { phase: 'live', since: 1, kinds: {}, metrics: 'pending' };

describe('compileMatcher', () => {
  it('matches names exactly and * as any run of characters, nothing else special', () => {
    const m = compileMatcher(['shop', 'shop-*', '*-prod', 'a*b*c']);
    for (const ns of ['shop', 'shop-', 'shop-eu', 'shop-eu-1', 'x-prod', '-prod', 'abc', 'a-b-c', 'abbc']) expect(m(ns), ns).toBe(true);
    for (const ns of ['shopx', 'sho', 'shop.eu', 'prod', 'x-prodx', 'ab', 'acb', 'bc', 'SHOP', '']) expect(m(ns), ns).toBe(false);
  });

  it('compares hostile names as data, never as regular expressions or object keys', () => {
    const m = compileMatcher(['shop', 'shop-*']);
    for (const ns of ['.*', 'shop|web', '(shop)', 'sh[o]p', '__proto__', 'constructor', 'toString', 'shop\u0000', ' shop', 'shop\n', 'ѕhop']) {
      expect(m(ns), JSON.stringify(ns)).toBe(false);
    }
    expect(compileMatcher(['.*'])('anything')).toBe(false);
    expect(compileMatcher(['__proto__'])('__proto__')).toBe(true);
    expect(compileMatcher([])('shop')).toBe(false);
    expect(compileMatcher(['*'])('__proto__')).toBe(true);
  });

  it('does not overlap prefix and suffix of a glob', () => {
    expect(compileMatcher(['ab*ba'])('aba')).toBe(false);
    expect(compileMatcher(['ab*ba'])('abba')).toBe(true);
  });
});

describe('parseAuthzPolicy', () => {
  it('reads YAML and JSON; default defaults to nothing', () => {
    const policy = parseAuthzPolicy('{"groups": {"ops": {"namespaces": ["*"], "nodes": true}}}');
    expect(policy.groups.get('ops')).toEqual({ namespaces: ['*'], nodes: true });
    expect(policy.default).toEqual({ namespaces: [], nodes: false });
    expect(POLICY.groups.get('viewers')).toEqual({ namespaces: ['*'], nodes: false });
  });

  it.each([
    ['not a mapping', '- a\n- b'],
    ['unknown top-level key', 'group: {}'],
    ['unknown rule key', 'groups: { a: { namespace: [x] } }'],
    ['namespaces not a list', 'groups: { a: { namespaces: x } }'],
    ['bad pattern', 'groups: { a: { namespaces: ["Shop"] } }'],
    ['regex pattern', 'groups: { a: { namespaces: [".*"] } }'],
    ['nodes not boolean', 'groups: { a: { namespaces: [], nodes: "yes" } }'],
    ['broken YAML', 'groups: { a: ['],
  ])('refuses %s', (_what, text) => {
    expect(() => parseAuthzPolicy(text)).toThrow(AuthzPolicyError);
  });

  it('keeps a group named __proto__ as data', () => {
    const policy = parseAuthzPolicy('{"groups": {"__proto__": {"namespaces": ["x"]}}}');
    expect(scoped(scopeFor(who({ groups: ['__proto__'] }), policy)).namespaces('x')).toBe(true);
    expect(scoped(scopeFor(who({ groups: ['toString'] }), policy)).namespaces('x')).toBe(false);
  });
});

describe('scopeFor', () => {
  it('sees everything without a policy, unless a token is bound to namespaces', () => {
    expect(scopeFor(who({}), undefined)).toEqual({ all: true });
    const tv = scoped(scopeFor(who({ via: 'token', namespaces: ['web'] }), undefined));
    expect([tv.namespaces('web'), tv.namespaces('shop'), tv.nodes]).toEqual([true, false, true]);
  });

  it('is the fast path only for all namespaces and nodes', () => {
    expect(scopeFor(who({ groups: ['sre', 'shop-devs'] }), POLICY)).toEqual({ all: true });
    const viewer = scoped(scopeFor(who({ groups: ['viewers'] }), POLICY));
    expect([viewer.namespaces('anything'), viewer.nodes]).toEqual([true, false]);
  });

  it('unions the groups, falls back to the default, and fails closed without an identity', () => {
    const both = scoped(scopeFor(who({ groups: ['shop-devs', 'lobby-tv', 'unknown'] }), POLICY));
    expect(['shop', 'shop-eu', 'web', 'public'].map((ns) => both.namespaces(ns))).toEqual([true, true, true, false]);
    const nobody = scoped(scopeFor(who({ groups: ['unknown'] }), POLICY));
    expect(['public', 'shop'].map((ns) => nobody.namespaces(ns))).toEqual([true, false]);
    expect(scopeFor(null, POLICY)).toBe(NOTHING);
    expect(scopeFor(null, undefined)).toBe(NOTHING);
  });

  it('matches a token by its name; a proxy or OIDC user name is not a group', () => {
    const tv = scoped(scopeFor(who({ name: 'lobby-tv', via: 'session' }), POLICY));
    expect([tv.namespaces('web'), tv.namespaces('public')]).toEqual([true, false]);
    const proxied = scoped(scopeFor(who({ name: 'lobby-tv', via: 'proxy' }), POLICY));
    expect([proxied.namespaces('web'), proxied.namespaces('public')]).toEqual([false, true]);
    const oidc = scoped(scopeFor(who({ name: 'lobby-tv', via: 'oidc' }), POLICY));
    expect([oidc.namespaces('web'), oidc.namespaces('public')]).toEqual([false, true]);
  });

  it("narrows by a token's own namespaces (intersection)", () => {
    const tv = scoped(scopeFor(who({ name: 'lobby-tv', via: 'token', namespaces: ['web', 'kube-system'] }), POLICY));
    expect([tv.namespaces('web'), tv.namespaces('shop'), tv.namespaces('kube-system')]).toEqual([true, false, false]);
    const sre = scoped(scopeFor(who({ groups: ['sre'], via: 'token', namespaces: ['kube-system'] }), POLICY));
    expect([sre.namespaces('kube-system'), sre.namespaces('web'), sre.nodes]).toEqual([true, false, true]);
  });

  it('gives equal scopes equal signatures, different ones different', () => {
    const a = scoped(scopeFor(who({ groups: ['shop-devs'] }), POLICY)).signature;
    const b = scoped(scopeFor(who({ groups: ['shop-devs', 'shop-devs'] }), POLICY)).signature;
    const c = scoped(scopeFor(who({ groups: ['lobby-tv'] }), POLICY)).signature;
    const d = scoped(scopeFor(who({ groups: ['viewers'] }), POLICY)).signature;
    expect(a).toBe(b);
    expect(new Set([a, c, d, NOTHING.signature]).size).toBe(4);
  });
});

const SHOP: Scope = { namespaces: compileMatcher(['shop', 'shop-*']), nodes: false, signature: 'shop' };
const SHOP_NODES: Scope = { namespaces: compileMatcher(['shop']), nodes: true, signature: 'shop+nodes' };

describe('recordVisible', () => {
  it('namespaced records by namespace, Namespaces by name, Nodes by the flag', () => {
    expect(recordVisible(pod('a', { namespace: 'shop' }), SHOP)).toBe(true);
    expect(recordVisible(pod('a', { namespace: 'shop-eu' }), SHOP)).toBe(true);
    expect(recordVisible(pod('a', { namespace: 'web' }), SHOP)).toBe(false);
    const { namespace: _dropped, ...noNamespace } = pod('a');
    expect(recordVisible(noNamespace as ClusterRecord, SHOP)).toBe(false);
    expect(recordVisible(namespace('shop'), SHOP)).toBe(true);
    expect(recordVisible(namespace('web'), SHOP)).toBe(false);
    expect(recordVisible(node('n1'), SHOP)).toBe(false);
    expect(recordVisible(node('n1'), SHOP_NODES)).toBe(true);
    expect(recordVisible(usage('NodeMetrics', 'n1', { cpu: 1, memory: 1 }), SHOP)).toBe(false);
    expect(recordVisible({ ...usage('PodMetrics', 'p', { cpu: 1, memory: 1 }), namespace: 'shop' }, SHOP)).toBe(true);
  });

  it('traffic only when both peers are visible (Outside is)', () => {
    expect(recordVisible(traffic('t1', { namespace: 'shop', workload: 'a' }, { namespace: 'shop-eu', workload: 'b' }), SHOP)).toBe(true);
    expect(recordVisible(traffic('t2', { outside: true }, { namespace: 'shop', workload: 'b' }), SHOP)).toBe(true);
    expect(recordVisible(traffic('t3', { namespace: 'shop', workload: 'a' }, { namespace: 'web', workload: 'b' }), SHOP)).toBe(false);
    expect(recordVisible(traffic('t4', { serviceName: 'a' }, { namespace: 'shop', workload: 'b' }), SHOP)).toBe(false);
  });

  it('events only of visible objects', () => {
    expect(recordVisible(event('e1', { kind: 'Pod', name: 'p', namespace: 'shop' }, 'shop'), SHOP)).toBe(true);
    expect(recordVisible(event('e2', { kind: 'Pod', name: 'p', namespace: 'web' }, 'web'), SHOP)).toBe(false);
    expect(recordVisible(event('e3', { kind: 'Node', name: 'n1' }, 'default'), SHOP)).toBe(false);
    expect(recordVisible(event('e3', { kind: 'Node', name: 'n1' }, 'default'), SHOP_NODES)).toBe(true);
    expect(recordVisible(event('e4', { kind: 'Namespace', name: 'shop' }, 'default'), SHOP)).toBe(true);
    expect(recordVisible(event('e5', { kind: 'PersistentVolume', name: 'pv' }, 'shop'), SHOP)).toBe(false);
  });
});

describe('filterSnapshot and filterDelta', () => {
  const state = new ClusterState('c1', 'one', STATUS);
  const records: ClusterRecord[] = [
    pod('a', { namespace: 'shop' }),
    pod('b', { namespace: 'web' }),
    node('n1'),
    namespace('shop'),
    namespace('web'),
    traffic('t', { namespace: 'shop' }, { namespace: 'web' }),
  ];
  for (const record of records) state.apply({ op: 'upsert', record });

  it('keeps only visible records and the status; the fast path returns the same object', () => {
    const snapshot = { seq: 7, clusters: [state.toSnapshot()] };
    const filtered = filterSnapshot(snapshot, SHOP);
    const cluster = filtered.clusters[0]!;
    expect(filtered.seq).toBe(7);
    expect(cluster.status).toEqual(STATUS);
    expect(cluster.pods.map((p) => p.uid)).toEqual(['a']);
    expect(cluster.nodes).toEqual([]);
    expect(cluster.namespaces.map((n) => n.name)).toEqual(['shop']);
    expect(cluster.traffic).toEqual([]);
    expect(filterSnapshot(snapshot, { all: true })).toBe(snapshot);
  });

  it('passes deletes only of records that were visible, keeps seq and status, may end empty', () => {
    const removed = new Map<string, ClusterRecord>([['a', records[0]!], ['b', records[1]!]]);
    const delta: DeltaMessage = {
      seq: 8,
      at: 5,
      changes: [
        { op: 'upsert', cluster: 'c1', record: pod('c', { namespace: 'shop-eu' }) },
        { op: 'upsert', cluster: 'c1', record: pod('d', { namespace: 'web' }) },
        { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'a' },
        { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'b' },
        { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'unknown' },
        { op: 'delete', cluster: 'c1', kind: 'Node', uid: 'n1' },
        { op: 'status', cluster: 'c1', status: STATUS },
      ],
    };
    const filtered = filterDelta(delta, SHOP, (change) => removed.get(change.uid));
    expect(filtered).toEqual({ seq: 8, at: 5, changes: [delta.changes[0], delta.changes[2], delta.changes[6]] });
    expect(filterDelta(delta, SHOP_NODES, (change) => removed.get(change.uid)).changes).toContainEqual(delta.changes[5]);
    expect(filterDelta({ seq: 9, at: 6, changes: [delta.changes[1]!] }, SHOP)).toEqual({ seq: 9, at: 6, changes: [] });
    expect(filterDelta(delta, { all: true })).toBe(delta);
  });
});

describe('filterTopology', () => {
  const topology: Topology = {
    vertices: [
      { id: 'Deployment/shop/api', kind: 'Deployment', name: 'api', namespace: 'shop' },
      { id: 'Service/shop/api', kind: 'Service', name: 'api', namespace: 'shop' },
      { id: 'Deployment/web/front', kind: 'Deployment', name: 'front', namespace: 'web' },
      { id: 'Outside', kind: 'Outside', name: 'outside' },
    ],
    edges: [
      { id: 'sel:Service/shop/api->Deployment/shop/api', from: 'Service/shop/api', to: 'Deployment/shop/api', type: 'selects', rule: 'sel', reason: '', field: '' },
      { id: 'env:Deployment/web/front->Service/shop/api', from: 'Deployment/web/front', to: 'Service/shop/api', type: 'config', rule: 'env', reason: '', field: '' },
      { id: 'obs:Outside->Service/shop/api', from: 'Outside', to: 'Service/shop/api', type: 'observed', rule: 'obs', reason: '', field: '', explainedBy: ['sel:Service/shop/api->Deployment/shop/api', 'env:Deployment/web/front->Service/shop/api'] },
    ],
    unresolved: [
      { from: 'Deployment/shop/api', field: 'env', host: 'db' },
      { from: 'Deployment/web/front', field: 'env', host: 'secret-thing' },
    ],
    defaultDeny: ['Deployment/shop/api', 'Deployment/web/front'],
    isolation: [
      { vertex: 'Deployment/shop/api', ingress: ['shop/deny'], egress: [] },
      { vertex: 'Deployment/web/front', ingress: ['web/deny'], egress: [] },
    ],
    trafficAvailable: true,
  };

  it('keeps visible vertices and Outside, and only what lies between them', () => {
    const filtered = filterTopology(topology, SHOP);
    expect(filtered.vertices.map((v) => v.id)).toEqual(['Deployment/shop/api', 'Service/shop/api', 'Outside']);
    expect(filtered.edges.map((e) => e.id)).toEqual(['sel:Service/shop/api->Deployment/shop/api', 'obs:Outside->Service/shop/api']);
    expect(filtered.edges[1]!.explainedBy).toEqual(['sel:Service/shop/api->Deployment/shop/api']);
    expect(filtered.unresolved).toEqual([topology.unresolved[0]]);
    expect(filtered.defaultDeny).toEqual(['Deployment/shop/api']);
    expect(filtered.isolation).toEqual([topology.isolation![0]]);
    expect(filtered.trafficAvailable).toBe(true);
    expect(JSON.stringify(filtered)).not.toContain('web');
    expect(filterTopology(topology, { all: true })).toBe(topology);
  });
});
