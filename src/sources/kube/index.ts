// The Kubernetes source: one ClusterSource per kubeconfig context.
import type { Logger } from 'pino';
import type { ClusterSource } from '../source.js';
import type { SourceTelemetry } from '../telemetry.js';
import { KubeSource, type KubeSourceTiming } from './kube-source.js';
import { endpointFor, loadKubeConfig, selectContexts } from './kubeconfig.js';
import { DEFAULT_METRICS_TIMING } from './metrics-poller.js';

export { KubeApiError } from './api-error.js';
export { KubeSource, type KubeSourceOptions, type KubeSourceTiming } from './kube-source.js';
export { KubeConfigError } from './kubeconfig.js';

export interface KubeSourcesOptions {
  /** --kubeconfig; otherwise $KUBECONFIG, ~/.kube/config, or the pod's service account. */
  kubeconfigPath?: string;
  /** Contexts to show; default: the current context. */
  contexts?: string[];
  allContexts?: boolean;
  /** Scoped mode: read namespaced kinds in these namespaces only (for credentials limited to them). */
  namespaces?: string[];
  /** --read-configmaps: also read ConfigMaps, for the hosts their values name. */
  readConfigMaps?: boolean;
  logger: Logger;
  telemetry?: SourceTelemetry;
  metricsIntervalMs?: number;
  /** Retry and polling intervals; tests shorten them. */
  timing?: Partial<KubeSourceTiming>;
}

/**
 * Sources for the selected kubeconfig contexts, or null when there is no kubeconfig at all (so
 * the caller can show the demo cluster). Throws KubeConfigError for a kubeconfig that cannot
 * be used: a path that does not exist, a file that does not parse, an unknown context, no
 * current-context. Nothing is requested from any cluster until a source is started.
 */
export async function createKubeSources(options: KubeSourcesOptions): Promise<ClusterSource[] | null> {
  const loaded = loadKubeConfig(options.kubeconfigPath);
  if (!loaded) return null;
  const contexts = loaded.inCluster ? [loaded.config.getCurrentContext()] : selectContexts(loaded.config, options);
  const namespaces = options.namespaces && options.namespaces.length > 0 ? [...new Set(options.namespaces)] : undefined;
  const timing: Partial<KubeSourceTiming> = { ...options.timing };
  if (options.metricsIntervalMs !== undefined) {
    timing.metrics = { ...(timing.metrics ?? DEFAULT_METRICS_TIMING), intervalMs: options.metricsIntervalMs };
  }
  options.logger.info({ kubeconfig: loaded.origin, contexts, namespaces, readConfigMaps: options.readConfigMaps === true }, 'reading Kubernetes clusters');
  return contexts.map((context) => {
    const id = loaded.inCluster ? 'in-cluster' : context;
    return new KubeSource({
      id,
      name: id,
      endpoint: endpointFor(loaded.config, context),
      logger: options.logger,
      ...(namespaces ? { namespaces } : {}),
      ...(options.readConfigMaps ? { optIns: { readConfigMaps: true } } : {}),
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      timing,
    });
  });
}
