// The state of one cluster's connection, as every view shows it. Plain data: sent on the wire.
import type { RecordKind } from './records.js';

export type ClusterPhase = 'connecting' | 'syncing' | 'live' | 'stale' | 'error';

export interface KindStatus {
  state: 'pending' | 'syncing' | 'live' | 'unavailable' | 'error';
  /** Objects of this kind currently known. */
  count: number;
  /** While syncing: how many the API said exist (from the LIST's remainingItemCount), if known. */
  expected?: number;
  /** Why the kind is unavailable or failing, in words an operator can act on. */
  reason?: string;
  /**
   * For a kind the credentials may not read: the exact RBAC rule that would allow it,
   * e.g. `apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"]`.
   */
  rbac?: string;
}

export interface ClusterStatus {
  phase: ClusterPhase;
  /** Epoch ms when the phase last changed (for "stale since 12:04"). */
  since: number;
  /** Overall reason for stale or error, e.g. "API server unreachable: ECONNREFUSED". */
  reason?: string;
  kinds: Partial<Record<RecordKind, KindStatus>>;
  /** metrics.k8s.io: usage is shown only when available. */
  metrics: 'pending' | 'available' | 'unavailable';
  metricsReason?: string;
  /**
   * Observed traffic from Prometheus: `off` without --prometheus-url; `unavailable` with a reason
   * when Prometheus cannot be reached or has none of the mesh series (declared edges still work).
   */
  traffic?: 'off' | 'pending' | 'available' | 'unavailable';
  trafficReason?: string;
  /** The meshes whose series were found, e.g. ["istio", "otel"]. */
  trafficMeshes?: string[];
  /** Server version when known, e.g. "v1.36.3". */
  version?: string;
}

export function initialClusterStatus(now = Date.now()): ClusterStatus {
  return { phase: 'connecting', since: now, kinds: {}, metrics: 'pending' };
}
