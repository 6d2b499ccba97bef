// ConfigMap → record: only the hosts its data values name and the keys they were found under.
// Read only with --read-configmaps. The values themselves are never kept: a ConfigMap holds
// whatever its owner put there, and nothing of it travels beyond the host names.
import type { ConfigMapRecord } from '../../../model/records.js';
import { fieldKey, HostCollector, type HostLimits, namesHost } from './hosts.js';
import { meta, obj } from './read.js';

/**
 * Config files (application.yaml, nginx.conf, a Grafana datasource) are longer than env values,
 * so values up to 256 KiB are read; a ConfigMap may hold up to 1 MiB, and a larger value is a
 * bundle or a dashboard, not configuration worth the work. `binaryData` is never read.
 */
const CONFIGMAP_HOST_LIMITS: HostLimits = { maxHosts: 64, maxValueLength: 256 * 1024, budget: 512 * 1024 };

export function stripConfigMap(raw: unknown): ConfigMapRecord | undefined {
  const object = obj(raw);
  const base = object && meta(object, true);
  if (!object || !base) return undefined;
  const hosts = new HostCollector(CONFIGMAP_HOST_LIMITS);
  const data = obj(object.data);
  if (data) {
    for (const key of Object.keys(data)) {
      if (!hosts.open) break;
      const value = data[key];
      if (typeof value === 'string') hosts.scan(value, () => `data[${fieldKey(key)}]`, namesHost(key));
    }
  }
  return { kind: 'ConfigMap', ...base, hosts: hosts.hosts, hostFields: hosts.fields };
}
