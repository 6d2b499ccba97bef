// The 'configmap-host' relation: a workload (or bare pod) whose pods read a ConfigMap is
// configured to call the Services that ConfigMap's values name. Drawn only when ConfigMaps were
// read (--read-configmaps): without them there are no ConfigMap records and nothing to say.
//
// Only types come from topology.ts: it lists this relation in RELATIONS, so importing a value
// from it would be a cycle in which RELATIONS could be built before this module ran.
import type { ConfigMapRecord } from './records.js';
import type { Finding, Relation, TopologyIndex } from './topology.js';
import { serviceOfHost } from './topology-names.js';

/**
 * What a host found at `field` of vertex `from` (in `namespace`) amounts to: an edge to the
 * Service it names when that Service exists, with `detail` (default: the host itself);
 * otherwise the host as unresolved (an external name, an IP address, a typo, a Service that is
 * gone). The same for hosts in env values, args and ConfigMap values.
 */
export function resolveServiceHost(
  g: Pick<TopologyIndex, 'services'>,
  from: string,
  field: string,
  host: string,
  namespace: string,
  detail: string = host,
): Finding {
  const target = serviceOfHost(host, namespace);
  const to = target === undefined ? undefined : g.services.get(`${target.namespace}/${target.name}`);
  return to === undefined ? { from, field, missing: host } : { from, to, field, detail };
}

export const configMapHostRelation: Relation = {
  id: 'configmap-host',
  type: 'config',
  explain: '{from} is configured to call {to} (ConfigMap {detail})',
  *derive(g) {
    const configMaps = new Map<string, ConfigMapRecord>();
    for (const cm of g.state.records('ConfigMap')) configMaps.set(`${cm.namespace ?? ''}/${cm.name}`, cm);
    if (configMaps.size === 0) return;
    for (const owner of g.podOwners) {
      const namespace = owner.vertex.namespace ?? '';
      // Pods read ConfigMaps of their own namespace only. One that is not there (not read, or
      // missing) names no host: nothing to draw, nothing unresolved.
      for (const name of owner.configMaps) {
        const cm = configMaps.get(`${namespace}/${name}`);
        if (cm === undefined) continue;
        for (const [i, host] of cm.hosts.entries()) {
          const key = cm.hostFields[i] ?? 'data';
          yield resolveServiceHost(g, owner.vertex.id, `configmap/${name} ${key}`, host, namespace, `${name} ${key} names host "${host}"`);
        }
      }
    }
  },
};
