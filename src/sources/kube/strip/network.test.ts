import { describe, expect, it } from 'vitest';
import { fixtureOf, mutations } from '../testing/fixtures.js';
import {
  stripEndpointSlice,
  stripGateway,
  stripGRPCRoute,
  stripHTTPRoute,
  stripIngress,
  stripNetworkPolicy,
  stripReferenceGrant,
  stripService,
} from './network.js';

describe('network strip functions', () => {
  it('Service: type, selector, ports with named target ports', () => {
    expect(stripService(fixtureOf('network.json', 'Service', 'web'))).toMatchObject({
      kind: 'Service',
      type: 'LoadBalancer',
      selector: { 'app.kubernetes.io/name': 'web' },
      clusterIP: '10.96.12.34',
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    });
  });

  it('Service: ExternalName has no selector', () => {
    const record = stripService(fixtureOf('network.json', 'Service', 'legacy-db'));
    expect(record).toMatchObject({ type: 'ExternalName', externalName: 'db.legacy.example.com', ports: [] });
    expect(record?.selector).toBeUndefined();
  });

  it('EndpointSlice: endpoints with their pods and readiness (unset means ready)', () => {
    expect(stripEndpointSlice(fixtureOf('network.json', 'EndpointSlice'))).toMatchObject({
      kind: 'EndpointSlice',
      serviceName: 'web',
      addressType: 'IPv4',
      owner: { kind: 'Service', name: 'web' },
      endpoints: [
        { targetPod: 'web-7d4b9c8f6d-x2x9q', nodeName: 'node-a-1', ready: true, addresses: ['10.244.3.17'] },
        { targetPod: 'web-7d4b9c8f6d-p8k4m', nodeName: 'node-b-2', ready: false, addresses: ['10.244.4.9'] },
        { ready: true, addresses: ['192.0.2.7'] },
      ],
    });
  });

  it('Ingress: class, rules to services (other backends skipped), default backend, TLS hosts', () => {
    expect(stripIngress(fixtureOf('network.json', 'Ingress'))).toMatchObject({
      kind: 'Ingress',
      className: 'nginx',
      defaultBackend: { service: 'web', port: 'http' },
      tlsHosts: ['shop.example.com', 'www.shop.example.com'],
      rules: [
        {
          host: 'shop.example.com',
          paths: [
            { path: '/', backend: { service: 'web', port: 80 } },
            { path: '/api', backend: { service: 'orders', port: 'http' } },
          ],
        },
        { paths: [{ path: '/healthz', backend: { service: 'web', port: 80 } }] },
      ],
    });
  });

  it('Ingress: falls back to the class annotation', () => {
    const raw = fixtureOf('network.json', 'Ingress');
    delete raw.spec.ingressClassName;
    expect(stripIngress(raw)?.className).toBe('legacy');
  });

  it('NetworkPolicy: peers, ports and policy types', () => {
    expect(stripNetworkPolicy(fixtureOf('network.json', 'NetworkPolicy', 'db-from-web'))).toMatchObject({
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          peers: [
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } },
            {
              namespaceSelector: { matchLabels: { team: 'analytics' } },
              podSelector: { matchExpressions: [{ key: 'role', operator: 'Exists' }] },
            },
            { ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.5.0/24'] } },
          ],
          ports: [
            { protocol: 'TCP', port: 5432 },
            { protocol: 'TCP', port: 'metrics', endPort: 9200 },
          ],
        },
      ],
      egress: [{ peers: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
  });

  it('NetworkPolicy: an empty selector selects every pod; types default like the API', () => {
    expect(stripNetworkPolicy(fixtureOf('network.json', 'NetworkPolicy', 'default-deny'))).toMatchObject({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [],
      egress: [],
    });
  });

  it('Gateway: class, listeners and addresses', () => {
    expect(stripGateway(fixtureOf('network.json', 'Gateway'))).toMatchObject({
      kind: 'Gateway',
      namespace: 'infra',
      className: 'envoy',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP' },
        { name: 'https', port: 443, protocol: 'HTTPS', hostname: '*.example.com' },
      ],
      addresses: ['203.0.113.30'],
    });
  });

  it('HTTPRoute: parents, hostnames and each backend once', () => {
    expect(stripHTTPRoute(fixtureOf('network.json', 'HTTPRoute'))).toMatchObject({
      kind: 'HTTPRoute',
      parents: [{ name: 'edge', namespace: 'infra', sectionName: 'https', kind: 'Gateway' }],
      hostnames: ['shop.example.com'],
      backends: [
        { service: 'web', port: 80, weight: 90 },
        { service: 'web-canary', port: 80, weight: 10 },
        { service: 'orders', namespace: 'orders', port: 8080, kind: 'Service' },
      ],
    });
  });

  it('GRPCRoute', () => {
    expect(stripGRPCRoute(fixtureOf('network.json', 'GRPCRoute'))).toMatchObject({
      kind: 'GRPCRoute',
      parents: [{ name: 'edge', namespace: 'infra' }],
      hostnames: [],
      backends: [{ service: 'payments', port: 50051 }],
    });
  });

  it('ReferenceGrant: who may refer (group, kind, namespace) and to what (group, kind, name or none); nothing else', () => {
    const record = stripReferenceGrant(fixtureOf('network.json', 'ReferenceGrant'));
    expect(record).toEqual({
      kind: 'ReferenceGrant',
      uid: '2b3c4d5e-6f70-4182-9394-b5c6d7e8f9a0',
      name: 'shop-routes-to-orders',
      namespace: 'orders',
      createdAt: Date.parse('2025-11-02T12:01:10Z'),
      from: [
        { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' },
        { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'billing' },
      ],
      to: [
        { group: '', kind: 'Service', name: 'orders' },
        { group: '', kind: 'Service' },
      ],
    });
  });

  it('ReferenceGrant: an absent group is the core group; entries that grant nothing are left out', () => {
    const raw = fixtureOf('network.json', 'ReferenceGrant');
    raw.spec.from = [{ kind: 'HTTPRoute', namespace: 'shop' }, { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }, { namespace: 'shop' }, 'junk'];
    raw.spec.to = [{ kind: 'Service', name: '' }, { group: '', name: 'orders' }, 7];
    expect(stripReferenceGrant(raw)).toMatchObject({
      from: [{ group: '', kind: 'HTTPRoute', namespace: 'shop' }],
      to: [{ group: '', kind: 'Service' }],
    });
    delete raw.spec;
    expect(stripReferenceGrant(raw)).toMatchObject({ from: [], to: [] });
  });

  it('survives malformed fields', () => {
    const cases: [string, (raw: unknown) => unknown][] = [
      ['Service', stripService],
      ['EndpointSlice', stripEndpointSlice],
      ['Ingress', stripIngress],
      ['NetworkPolicy', stripNetworkPolicy],
      ['HTTPRoute', stripHTTPRoute],
      ['ReferenceGrant', stripReferenceGrant],
    ];
    for (const [kind, strip] of cases) {
      for (const raw of mutations(fixtureOf('network.json', kind))) {
        expect(() => JSON.stringify(strip(raw))).not.toThrow();
      }
    }
  });
});
