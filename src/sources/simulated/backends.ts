// The Services an Ingress or a route sends to, as the simulated source's traffic and its
// consistency check both read them.
import type { BackendRef, ClusterRecord } from '../../model/records.js';

/** The backends of an Ingress (its rules' paths), an HTTPRoute or a GRPCRoute; none for any other record. */
export function backendsOf(record: ClusterRecord): BackendRef[] {
  return record.kind === 'Ingress'
    ? record.rules.flatMap((rule) => rule.paths.map((path) => path.backend))
    : record.kind === 'HTTPRoute' || record.kind === 'GRPCRoute'
      ? record.backends
      : [];
}
