// Finding and reading the kubeconfig, choosing contexts, and turning a context into an
// ApiEndpoint. @kubernetes/client-node does the parts that are easy to get wrong: exec
// credential plugins, OIDC and token files with refresh, client certificates, in-cluster
// service account config. kubeglance only asks it for request options (applyToHTTPSOptions).
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { type Cluster, type Context, KubeConfig, type User } from '@kubernetes/client-node';
import type { ApiEndpoint } from './api-client.js';
import { kubeconfigSearch } from './kubeconfig-search.js';

/** The kubeconfig cannot be used: missing file, unparsable, unknown or missing context. */
export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

export interface LoadedKubeConfig {
  config: KubeConfig;
  /** From the pod's service account rather than a file. */
  inCluster: boolean;
  /** Where it came from, for logs. */
  origin: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads the kubeconfig the way kubectl finds it: an explicit path, else $KUBECONFIG (a list,
 * merged, first one wins), else ~/.kube/config, else the pod's service account. Null when
 * there is none of these: the caller shows the demo cluster instead.
 */
export function loadKubeConfig(
  path: string | undefined,
  /** Prepended to the service account paths, for tests. */
  serviceAccountPrefix = '',
): LoadedKubeConfig | null {
  const env = process.env;
  const search = kubeconfigSearch(path, env);
  const existing = search.paths.filter((p) => existsSync(p));
  if (search.from === 'flag') {
    if (existing.length === 0) throw new KubeConfigError(`kubeconfig ${path} does not exist`);
    return { config: loadFile(path!), inCluster: false, origin: path! };
  }
  if (search.from === 'KUBECONFIG') {
    if (existing.length === 0) throw new KubeConfigError(`KUBECONFIG names no existing file: ${search.paths.join(', ')}`);
    return { config: merge(existing.map(loadFile)), inCluster: false, origin: existing.join(delimiter) };
  }
  const defaultPath = existing[0];
  if (defaultPath !== undefined) return { config: loadFile(defaultPath), inCluster: false, origin: defaultPath };
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(serviceAccountPrefix + SERVICE_ACCOUNT_TOKEN)) {
    const config = new KubeConfig();
    config.loadFromCluster(serviceAccountPrefix);
    return { config, inCluster: true, origin: 'in-cluster service account' };
  }
  return null;
}

function loadFile(path: string): KubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromFile(path);
  } catch (error) {
    throw new KubeConfigError(`cannot read kubeconfig ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return config;
}

/** kubectl's merge of a KUBECONFIG list: the first definition of each name wins. */
function merge(configs: KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const config of configs) {
    for (const cluster of config.getClusters()) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster);
    for (const user of config.getUsers()) if (!users.has(user.name)) users.set(user.name, user);
    for (const context of config.getContexts()) if (!contexts.has(context.name)) contexts.set(context.name, context);
    currentContext ||= config.getCurrentContext() ?? '';
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
  return merged;
}

/** The contexts to show: the ones asked for, all of them, or the current one. */
export function selectContexts(config: KubeConfig, options: { contexts?: readonly string[]; allContexts?: boolean }): string[] {
  const available = config.getContexts().map((c) => c.name);
  const list = available.length > 0 ? available.join(', ') : 'none';
  if (available.length === 0) throw new KubeConfigError('the kubeconfig defines no contexts');
  let selected: string[];
  if (options.contexts && options.contexts.length > 0) {
    const unknown = options.contexts.filter((c) => !available.includes(c));
    if (unknown.length > 0) {
      throw new KubeConfigError(`unknown context ${unknown.map((c) => `"${c}"`).join(', ')} (available: ${list})`);
    }
    selected = [...new Set(options.contexts)];
  } else if (options.allContexts) {
    selected = available;
  } else {
    const current = config.getCurrentContext();
    if (!current) throw new KubeConfigError(`the kubeconfig has no current-context; choose one with --context (available: ${list})`);
    if (!available.includes(current)) {
      throw new KubeConfigError(`the current-context "${current}" is not defined in the kubeconfig (available: ${list})`);
    }
    selected = [current];
  }
  for (const name of selected) resolveContext(config, name);
  return selected;
}

/** A context's cluster and user, checked. */
function resolveContext(config: KubeConfig, name: string): { context: Context; cluster: Cluster; user: User | undefined } {
  const context = config.getContextObject(name);
  if (!context) throw new KubeConfigError(`context "${name}" is not defined`);
  const cluster = config.getCluster(context.cluster);
  if (!cluster) throw new KubeConfigError(`context "${name}" refers to cluster "${context.cluster}", which is not defined`);
  const user = context.user ? config.getUser(context.user) : undefined;
  if (context.user && !user) throw new KubeConfigError(`context "${name}" refers to user "${context.user}", which is not defined`);
  return { context, cluster, user: user ?? undefined };
}

/** Name of the credential-less user given to contexts without one (client-node skips TLS settings without a user). */
const ANONYMOUS = 'kubeglance-anonymous';

/** An ApiEndpoint for one context: its server, and credentials applied per request. */
export function endpointFor(config: KubeConfig, contextName: string): ApiEndpoint {
  const { context, cluster, user } = resolveContext(config, contextName);
  // client-node refuses http:// servers unless insecure-skip-tls-verify is set. There is no TLS
  // to verify on http (kubectl proxy, a local test server), so saying so changes nothing else.
  const usableCluster = cluster.server.startsWith('http:') ? { ...cluster, skipTLSVerify: true } : cluster;
  const usableUser = user ?? { name: ANONYMOUS };
  const scoped = new KubeConfig();
  scoped.loadFromOptions({
    clusters: [usableCluster],
    users: [usableUser],
    contexts: [{ ...context, user: usableUser.name }],
    currentContext: context.name,
  });
  return {
    server: cluster.server,
    async authorize(options) {
      await scoped.applyToHTTPSOptions(options);
      // Its agent has keep-alive off and keeps the first client certificate even after an exec
      // plugin rotated it; the API client's own agent pools by TLS options instead. A proxy agent
      // stays: it is how proxy-url works.
      if (!cluster.proxyUrl) delete options.agent;
    },
  };
}
