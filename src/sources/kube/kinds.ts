// What kubeglance reads from the API, as data: one row per kind, with where it lives, how to strip
// it, and the exact RBAC rule an operator grants when access is missing.
import type { ClusterRecord, RecordKind, RecordOfKind } from '../../model/records.js';
import { stripNamespace, stripNode } from './strip/cluster.js';
import { stripConfigMap } from './strip/configmap.js';
import { stripEvent } from './strip/event.js';
import {
  stripEndpointSlice,
  stripGateway,
  stripGRPCRoute,
  stripHTTPRoute,
  stripIngress,
  stripNetworkPolicy,
  stripReferenceGrant,
  stripService,
} from './strip/network.js';
import { stripPod } from './strip/pod.js';
import {
  stripCronJob,
  stripDaemonSet,
  stripDeployment,
  stripJob,
  stripReplicaSet,
  stripStatefulSet,
} from './strip/workloads.js';

/** Where a resource lives in the API. */
export interface ApiResource {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Plural resource name, as in the URL and in RBAC rules. */
  resource: string;
  namespaced: boolean;
  /** The only verbs kubeglance uses on it. */
  verbs: readonly string[];
  /** The RBAC rule that grants them, for messages, e.g. `apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"]`. */
  rbac: string;
}

export type WatchedKindName = Exclude<RecordKind, 'NodeMetrics' | 'PodMetrics'>;

export interface WatchedKind extends ApiResource {
  kind: WatchedKindName;
  /** Raw API object → compact record of `kind`; undefined for an object that is not usable. */
  strip: (raw: unknown) => ClusterRecord | undefined;
  /** One list+watch per selector (the API has no OR); absent: one for everything. */
  fieldSelectors?: readonly string[];
  /**
   * The group may be missing from a cluster (Gateway API is a CRD); its absence is normal and
   * reported as unavailable, not as an error.
   */
  optional?: boolean;
  /**
   * Rows of OPT_IN_KINDS: the option that grants reading the kind. Without it the kind is
   * neither listed nor watched, needs no RBAC rule, and has no status.
   */
  optIn?: keyof KindOptIns;
  /** Fewer objects per LIST page than usual: the kind's objects can be large. */
  pageSize?: number;
}

/** The kinds an operator opts in to, by the option that grants each. */
export interface KindOptIns {
  /** --read-configmaps: ConfigMap values are read for the hosts they name (Secrets never are). */
  readConfigMaps?: boolean;
}

function apiResource(group: string, version: string, resource: string, namespaced: boolean, verbs: readonly string[]): ApiResource {
  const rbac = `apiGroups: ["${group}"], resources: ["${resource}"], verbs: [${verbs.map((v) => `"${v}"`).join(', ')}]`;
  return { group, version, resource, namespaced, verbs, rbac };
}

function watched<K extends WatchedKindName>(
  kind: K,
  group: string,
  version: string,
  resource: string,
  namespaced: boolean,
  // Typed per kind here, so a row cannot pair a kind with another kind's strip function.
  strip: (raw: unknown) => RecordOfKind<K> | undefined,
  extra: Pick<WatchedKind, 'fieldSelectors' | 'optional' | 'optIn' | 'pageSize'> = {},
): WatchedKind {
  return { kind, ...apiResource(group, version, resource, namespaced, ['list', 'watch']), strip, ...extra };
}

const GATEWAY_API = 'gateway.networking.k8s.io';

export const WATCHED_KINDS: readonly WatchedKind[] = [
  watched('Namespace', '', 'v1', 'namespaces', false, stripNamespace),
  watched('Node', '', 'v1', 'nodes', false, stripNode),
  watched('Pod', '', 'v1', 'pods', true, stripPod),
  watched('Deployment', 'apps', 'v1', 'deployments', true, stripDeployment),
  watched('ReplicaSet', 'apps', 'v1', 'replicasets', true, stripReplicaSet),
  watched('StatefulSet', 'apps', 'v1', 'statefulsets', true, stripStatefulSet),
  watched('DaemonSet', 'apps', 'v1', 'daemonsets', true, stripDaemonSet),
  watched('Job', 'batch', 'v1', 'jobs', true, stripJob),
  watched('CronJob', 'batch', 'v1', 'cronjobs', true, stripCronJob),
  watched('Service', '', 'v1', 'services', true, stripService),
  watched('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', true, stripEndpointSlice),
  watched('Ingress', 'networking.k8s.io', 'v1', 'ingresses', true, stripIngress),
  watched('NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies', true, stripNetworkPolicy),
  watched('Gateway', GATEWAY_API, 'v1', 'gateways', true, stripGateway, { optional: true }),
  watched('HTTPRoute', GATEWAY_API, 'v1', 'httproutes', true, stripHTTPRoute, { optional: true }),
  watched('GRPCRoute', GATEWAY_API, 'v1', 'grpcroutes', true, stripGRPCRoute, { optional: true }),
  // v1beta1: every Gateway API release since v0.6 serves ReferenceGrant there. v1.5 added v1 (still
  // storing v1beta1); asking for v1 would 404 on every cluster with an older Gateway API, whose
  // gateway.networking.k8s.io/v1 is served for Gateways and routes all the same.
  watched('ReferenceGrant', GATEWAY_API, 'v1beta1', 'referencegrants', true, stripReferenceGrant, { optional: true }),
  // Only events about pods and nodes are drawn; the rest (deployments scaling, leases, ...) is
  // most of a busy cluster's event traffic.
  watched('Event', '', 'v1', 'events', true, stripEvent, {
    fieldSelectors: ['involvedObject.kind=Pod', 'involvedObject.kind=Node'],
  }),
];

/**
 * Kinds read only when the operator grants them, each with the option that does. Apart from
 * WATCHED_KINDS, so that whatever reads "the kinds kubeglance watches" gets the default set.
 */
export const OPT_IN_KINDS: readonly WatchedKind[] = [
  // A ConfigMap's data is whatever its owner put there: read for host names only, on request.
  // One may hold 1 MiB, so a page of 50 stays far below the client's response limit where a
  // page of 500 might not.
  watched('ConfigMap', '', 'v1', 'configmaps', true, stripConfigMap, { optIn: 'readConfigMaps', pageSize: 50 }),
];

/** The kinds to read: the watched ones, and the opt-in ones granted. */
export function watchedKinds(optIns: KindOptIns = {}): readonly WatchedKind[] {
  const granted = OPT_IN_KINDS.filter((kind) => kind.optIn !== undefined && optIns[kind.optIn] === true);
  return granted.length === 0 ? WATCHED_KINDS : [...WATCHED_KINDS, ...granted];
}

// metrics.k8s.io is polled, not watched: it has no watch, and usage is a sample, not a state.
export const METRICS_NODES = apiResource('metrics.k8s.io', 'v1beta1', 'nodes', false, ['list']);
export const METRICS_PODS = apiResource('metrics.k8s.io', 'v1beta1', 'pods', true, ['list']);

export function groupVersion(resource: Pick<ApiResource, 'group' | 'version'>): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** The collection URL path, e.g. /api/v1/namespaces/shop/pods or /apis/apps/v1/deployments. */
export function collectionPath(resource: ApiResource, namespace?: string): string {
  const root = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const scope = resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${scope}/${resource.resource}`;
}

/** The sentence an operator reads when access is missing. */
export function forbiddenReason(resource: ApiResource): string {
  return `needs ${resource.verbs.join('/')} on ${resource.resource} (${resource.rbac})`;
}
