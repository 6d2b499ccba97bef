// How the topology names things: vertex ids, the one Outside vertex, and the Service a host name
// in configuration (or in a mesh's metric labels) stands for. A leaf module: the topology's
// passes (network policies, observed traffic) share these without importing each other.
import type { VertexKind } from './topology.js';

/** The one vertex for traffic from (or to) outside the cluster. */
export const OUTSIDE_ID = 'Outside';

export function vertexId(kind: VertexKind, namespace: string | undefined, name: string): string {
  return kind === 'Outside' ? OUTSIDE_ID : `${kind}/${namespace ?? ''}/${name}`;
}

/**
 * A host named in configuration as a Service: "svc", "svc.ns", "svc.ns.svc",
 * "svc.ns.svc.cluster.local" (any cluster domain), with an optional ":port"; "pod.svc.ns" (a
 * StatefulSet pod through its headless Service) names the Service. Undefined for IP addresses
 * and anything else (external names such as "api.stripe.com" are reported as unresolved by the
 * caller, since they name no Service).
 */
export function serviceOfHost(rawHost: string, ownNamespace: string): { namespace: string; name: string } | undefined {
  let host = rawHost.trim().toLowerCase().replace(/:\d*$/, '').replace(/\.$/, '');
  if (host === '' || /^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return undefined;
  const svc = /^(.+?\.[^.]+)\.svc(\..+)?$/.exec(host);
  if (svc) host = svc[1] ?? host;
  const parts = host.split('.');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 1) return { namespace: ownNamespace, name: parts[0] as string };
  if (parts.length === 2) return { namespace: parts[1] as string, name: parts[0] as string };
  // Only a cluster-DNS form (it had ".svc") may be "pod.service.namespace".
  if (parts.length === 3 && svc) return { namespace: parts[2] as string, name: parts[1] as string };
  return undefined;
}
