// What a pod spec (a pod's own, or a workload's template) refers to: the raw material of declared
// topology edges. Only names are read; the contents of Secrets and ConfigMaps never are.
import type { TemplateRefs } from '../../../model/records.js';
import { interner } from './interner.js';
import { type Json, obj, objects, shared, str } from './read.js';

/** Env values longer than this are blobs (certificates, JSON config), not addresses. */
const MAX_ENV_VALUE_LENGTH = 2048;
const MAX_ENV_HOSTS = 32;

/** Init containers first, then the main ones: the order the kubelet starts them. */
function specContainers(spec: Json): Json[] {
  return [...objects(spec.initContainers), ...objects(spec.containers)];
}

/** Distinct container images of a pod spec. */
export function specImages(spec: Json): string[] {
  const images = new Set<string>();
  for (const container of specContainers(spec)) {
    const image = shared(container.image);
    if (image !== undefined) images.add(image);
  }
  return [...images];
}

export function specRefs(spec: Json): TemplateRefs | undefined {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const claims = new Set<string>();
  const hosts = new Set<string>();
  const add = (into: Set<string>, name: unknown) => {
    const value = shared(name);
    if (value !== undefined) into.add(value);
  };

  for (const volume of objects(spec.volumes)) {
    add(configMaps, obj(volume.configMap)?.name);
    add(secrets, obj(volume.secret)?.secretName);
    add(claims, obj(volume.persistentVolumeClaim)?.claimName);
    for (const source of objects(obj(volume.projected)?.sources)) {
      add(configMaps, obj(source.configMap)?.name);
      add(secrets, obj(source.secret)?.name);
    }
  }
  for (const container of specContainers(spec)) {
    for (const from of objects(container.envFrom)) {
      add(configMaps, obj(from.configMapRef)?.name);
      add(secrets, obj(from.secretRef)?.name);
    }
    for (const env of objects(container.env)) {
      const valueFrom = obj(env.valueFrom);
      if (valueFrom) {
        add(configMaps, obj(valueFrom.configMapKeyRef)?.name);
        add(secrets, obj(valueFrom.secretKeyRef)?.name);
      }
      const value = str(env.value);
      if (value !== undefined && hosts.size < MAX_ENV_HOSTS) collectHosts(value, hosts);
    }
  }

  const refs: TemplateRefs = {};
  const serviceAccount = shared(spec.serviceAccountName) ?? shared(spec.serviceAccount);
  if (serviceAccount !== undefined) refs.serviceAccount = serviceAccount;
  if (configMaps.size > 0) refs.configMaps = [...configMaps];
  if (secrets.size > 0) refs.secrets = [...secrets];
  if (claims.size > 0) refs.persistentVolumeClaims = [...claims];
  if (hosts.size > 0) refs.envHosts = [...hosts].slice(0, MAX_ENV_HOSTS);
  return Object.keys(refs).length > 0 ? interner.value(refs) : undefined;
}

// --- host names in env values ---------------------------------------------------------------

const URL_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;
const HOST_PORT = /^([a-z0-9.-]+):\d{1,5}$/i;
const DNS_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/**
 * Cluster DNS without its suffix: "orders.shop.svc.cluster.local" → "orders.shop" (service and
 * namespace), "kafka-0.kafka.data.svc" → "kafka-0.kafka.data" (a StatefulSet pod).
 */
const CLUSTER_DNS = /^(.+\.[^.]+)\.svc(\..+)?$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '0.0.0.0']);

/**
 * Adds the hosts an env value points at: URLs ("postgres://user:pw@db.shop:5432/x" → "db.shop",
 * credentials never kept), host:port pairs, and cluster service names ("orders.shop.svc").
 * Comma- or space-separated lists (Kafka brokers) give one host each.
 */
export function collectHosts(value: string, into: Set<string>): void {
  if (value.length > MAX_ENV_VALUE_LENGTH) return;
  for (const token of value.split(/[\s,;]+/)) {
    if (into.size >= MAX_ENV_HOSTS) return;
    const host = hostOf(token);
    if (host !== undefined) into.add(shared(host) ?? host);
  }
}

function hostOf(token: string): string | undefined {
  const url = URL_AUTHORITY.exec(token);
  if (url) {
    const authority = (url[1] ?? '').slice((url[1] ?? '').lastIndexOf('@') + 1);
    if (authority.startsWith('[')) return undefined; // IPv6 literal: no name to match
    return normalise(authority.replace(/:\d*$/, ''));
  }
  const hostPort = HOST_PORT.exec(token);
  if (hostPort) return normalise(hostPort[1] ?? '');
  if (/\.svc(\.|$)/i.test(token)) return normalise(token);
  return undefined;
}

function normalise(rawHost: string): string | undefined {
  const host = rawHost.toLowerCase().replace(/\.$/, '');
  if (host.length === 0 || host.length > 253 || LOOPBACK.has(host)) return undefined;
  if (IPV4.test(host)) return host;
  // A name needs a letter: "12:30" is a time, not host "12".
  if (!DNS_NAME.test(host) || !/[a-z]/.test(host)) return undefined;
  return CLUSTER_DNS.exec(host)?.[1] ?? host;
}

/** An init container with restartPolicy Always is a sidecar (KEP-753): it keeps running beside the main containers. */
export function isSidecar(container: Json): boolean {
  return container.restartPolicy === 'Always';
}
