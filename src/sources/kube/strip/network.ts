// Networking kinds → records: what routes traffic to what. Services, EndpointSlices, Ingresses,
// NetworkPolicies and the Gateway API's Gateways, routes and ReferenceGrants.
import type {
  BackendRef,
  EndpointSliceRecord,
  GatewayRecord,
  IngressRecord,
  NetworkPolicyPeer,
  NetworkPolicyRecord,
  NetworkPolicyRule,
  ReferenceGrantRecord,
  RouteRecord,
  ServicePort,
  ServiceRecord,
} from '../../../model/records.js';
import { annotation, apiObject, count, type Json, labels, labelSelector, obj, objects, shared, strings, text } from './read.js';

/** A port given as a number or as a named port. */
function portRef(value: unknown): number | string | undefined {
  return count(value) ?? text(value);
}

export function stripService(raw: unknown): ServiceRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec } = read;
  const ports = objects(spec.ports).flatMap((p): ServicePort[] => {
    const port = count(p.port);
    if (port === undefined) return [];
    const result: ServicePort = { port };
    const name = shared(p.name);
    if (name !== undefined) result.name = name;
    const targetPort = portRef(p.targetPort);
    if (targetPort !== undefined) result.targetPort = targetPort;
    const protocol = shared(p.protocol);
    if (protocol !== undefined) result.protocol = protocol;
    return [result];
  });
  const record: ServiceRecord = { kind: 'Service', ...base, type: shared(spec.type) ?? 'ClusterIP', ports };
  const selector = labels(spec.selector);
  if (selector) record.selector = selector;
  const clusterIP = text(spec.clusterIP);
  if (clusterIP !== undefined) record.clusterIP = clusterIP;
  const externalName = text(spec.externalName);
  if (externalName !== undefined) record.externalName = externalName;
  return record;
}

export function stripEndpointSlice(raw: unknown): EndpointSliceRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { object, base } = read;
  const endpoints = objects(object.endpoints).map((e) => {
    const endpoint: EndpointSliceRecord['endpoints'][number] = {
      // The API says an unset ready condition means ready.
      ready: obj(e.conditions)?.ready !== false,
      addresses: strings(e.addresses),
    };
    const target = obj(e.targetRef);
    const podName = target?.kind === 'Pod' ? text(target.name) : undefined;
    if (podName !== undefined) endpoint.targetPod = podName;
    const nodeName = shared(e.nodeName);
    if (nodeName !== undefined) endpoint.nodeName = nodeName;
    return endpoint;
  });
  const record: EndpointSliceRecord = {
    kind: 'EndpointSlice',
    ...base,
    addressType: shared(object.addressType) ?? 'IPv4',
    endpoints,
  };
  const serviceName = base.labels?.['kubernetes.io/service-name'];
  if (serviceName !== undefined) record.serviceName = serviceName;
  return record;
}

function ingressBackend(value: unknown): BackendRef | undefined {
  const service = obj(obj(value)?.service);
  const name = shared(service?.name);
  if (name === undefined) return undefined;
  const port = obj(service?.port);
  const ref: BackendRef = { service: name };
  const portValue = count(port?.number) ?? text(port?.name);
  if (portValue !== undefined) ref.port = portValue;
  return ref;
}

export function stripIngress(raw: unknown): IngressRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { object, base, spec } = read;
  const rules = objects(spec.rules).map((rule) => {
    const paths = objects(obj(rule.http)?.paths).flatMap((p) => {
      const backend = ingressBackend(p.backend);
      if (!backend) return [];
      const path = text(p.path);
      return [path !== undefined ? { path, backend } : { backend }];
    });
    const host = text(rule.host);
    return host !== undefined ? { host, paths } : { paths };
  });
  const record: IngressRecord = { kind: 'Ingress', ...base, rules };
  // The annotation predates spec.ingressClassName and is still common.
  const className = shared(spec.ingressClassName) ?? shared(annotation(object, 'kubernetes.io/ingress.class'));
  if (className !== undefined) record.className = className;
  const defaultBackend = ingressBackend(spec.defaultBackend);
  if (defaultBackend) record.defaultBackend = defaultBackend;
  const tlsHosts = objects(spec.tls).flatMap((t) => strings(t.hosts));
  if (tlsHosts.length > 0) record.tlsHosts = tlsHosts;
  return record;
}

function policyPeer(value: Json): NetworkPolicyPeer {
  const peer: NetworkPolicyPeer = {};
  const podSelector = labelSelector(value.podSelector);
  if (podSelector) peer.podSelector = podSelector;
  const namespaceSelector = labelSelector(value.namespaceSelector);
  if (namespaceSelector) peer.namespaceSelector = namespaceSelector;
  const ipBlock = obj(value.ipBlock);
  const cidr = text(ipBlock?.cidr);
  if (cidr !== undefined) {
    const except = strings(ipBlock?.except);
    peer.ipBlock = except.length > 0 ? { cidr, except } : { cidr };
  }
  return peer;
}

function policyRule(value: Json, peersKey: 'from' | 'to'): NetworkPolicyRule {
  const rule: NetworkPolicyRule = { peers: objects(value[peersKey]).map(policyPeer) };
  const ports = objects(value.ports).map((p) => {
    const port: NonNullable<NetworkPolicyRule['ports']>[number] = {};
    const protocol = shared(p.protocol);
    if (protocol !== undefined) port.protocol = protocol;
    const portValue = portRef(p.port);
    if (portValue !== undefined) port.port = portValue;
    const endPort = count(p.endPort);
    if (endPort !== undefined) port.endPort = endPort;
    return port;
  });
  if (ports.length > 0) rule.ports = ports;
  return rule;
}

export function stripNetworkPolicy(raw: unknown): NetworkPolicyRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec } = read;
  const egress = objects(spec.egress).map((r) => policyRule(r, 'to'));
  const declaredTypes = strings(spec.policyTypes).filter(
    (t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress',
  );
  return {
    kind: 'NetworkPolicy',
    ...base,
    podSelector: labelSelector(spec.podSelector) ?? {},
    // The API server defaults policyTypes the same way when a client leaves it out.
    policyTypes: declaredTypes.length > 0 ? declaredTypes : egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'],
    ingress: objects(spec.ingress).map((r) => policyRule(r, 'from')),
    egress,
  };
}

export function stripGateway(raw: unknown): GatewayRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec, status } = read;
  const listeners = objects(spec.listeners).flatMap((l) => {
    const name = shared(l.name);
    const port = count(l.port);
    const protocol = shared(l.protocol);
    if (name === undefined || port === undefined || protocol === undefined) return [];
    const hostname = text(l.hostname);
    return [hostname !== undefined ? { name, port, protocol, hostname } : { name, port, protocol }];
  });
  const record: GatewayRecord = {
    kind: 'Gateway',
    ...base,
    className: shared(spec.gatewayClassName) ?? '',
    listeners,
  };
  const addresses = strings(objects(status.addresses).map((a) => a.value));
  if (addresses.length > 0) record.addresses = addresses;
  return record;
}

function stripRoute(raw: unknown, kind: RouteRecord['kind']): RouteRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec } = read;
  const parents = objects(spec.parentRefs).flatMap((p) => {
    const name = text(p.name);
    if (name === undefined) return [];
    const parent: RouteRecord['parents'][number] = { name };
    const namespace = shared(p.namespace);
    if (namespace !== undefined) parent.namespace = namespace;
    const sectionName = shared(p.sectionName);
    if (sectionName !== undefined) parent.sectionName = sectionName;
    const parentKind = shared(p.kind);
    if (parentKind !== undefined) parent.kind = parentKind;
    return [parent];
  });
  // The same backend usually appears in several rules (one per path); one edge is enough.
  const backends = new Map<string, RouteRecord['backends'][number]>();
  for (const rule of objects(spec.rules)) {
    for (const ref of objects(rule.backendRefs)) {
      const service = text(ref.name);
      if (service === undefined) continue;
      const backend: RouteRecord['backends'][number] = { service };
      const namespace = shared(ref.namespace);
      if (namespace !== undefined) backend.namespace = namespace;
      const port = count(ref.port);
      if (port !== undefined) backend.port = port;
      const backendKind = shared(ref.kind);
      if (backendKind !== undefined) backend.kind = backendKind;
      const weight = count(ref.weight);
      if (weight !== undefined) backend.weight = weight;
      const key = JSON.stringify([backend.kind, backend.namespace, service, backend.port]);
      if (!backends.has(key)) backends.set(key, backend);
    }
  }
  return {
    kind,
    ...base,
    parents,
    hostnames: strings(spec.hostnames),
    backends: [...backends.values()],
  };
}

export function stripHTTPRoute(raw: unknown): RouteRecord | undefined {
  return stripRoute(raw, 'HTTPRoute');
}

export function stripGRPCRoute(raw: unknown): RouteRecord | undefined {
  return stripRoute(raw, 'GRPCRoute');
}

/**
 * A ReferenceGrant: only who may refer (group, kind, namespace) and to what (group, kind,
 * optional name). Entries without a kind, or a `from` without a namespace, grant nothing and are
 * left out; an absent group is the core group ("").
 */
export function stripReferenceGrant(raw: unknown): ReferenceGrantRecord | undefined {
  const read = apiObject(raw, true);
  if (!read) return undefined;
  const { base, spec } = read;
  const from = objects(spec.from).flatMap((f) => {
    const kind = shared(f.kind);
    const namespace = shared(f.namespace);
    if (kind === undefined || namespace === undefined) return [];
    return [{ group: shared(f.group) ?? '', kind, namespace }];
  });
  const to = objects(spec.to).flatMap((t) => {
    const kind = shared(t.kind);
    if (kind === undefined) return [];
    const group = shared(t.group) ?? '';
    const name = text(t.name);
    return [name !== undefined ? { group, kind, name } : { group, kind }];
  });
  return { kind: 'ReferenceGrant', ...base, from, to };
}
