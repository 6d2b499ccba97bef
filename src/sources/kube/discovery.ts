// What the API server serves: its version and API group/versions, read once before any
// list/watch so that kinds a cluster lacks (Gateway API, metrics) are reported, not retried.
import type { ApiClient } from './api-client.js';
import { KubeApiError } from './api-error.js';

export interface Discovery {
  version?: string;
  /** Served group/versions ("v1", "apps/v1", ...); undefined when the server would not say. */
  groupVersions?: Set<string>;
}

/**
 * Throws KubeApiError when the server cannot be reached or rejects the credentials; a server
 * that hides discovery (403) yields an empty answer, and everything is tried.
 */
export async function discover(client: ApiClient, signal: AbortSignal): Promise<Discovery> {
  const discovery: Discovery = {};
  const version = await optional(client.get({ path: '/version', resource: 'discovery', signal }));
  const gitVersion = (version as { gitVersion?: unknown } | undefined)?.gitVersion;
  if (typeof gitVersion === 'string') discovery.version = gitVersion;

  const groups = await optional(client.get({ path: '/apis', resource: 'discovery', signal }));
  const list = (groups as { groups?: unknown } | undefined)?.groups;
  if (Array.isArray(list)) {
    discovery.groupVersions = new Set(['v1']);
    for (const group of list) {
      for (const version of Array.isArray(group?.versions) ? group.versions : []) {
        if (typeof version?.groupVersion === 'string') discovery.groupVersions.add(version.groupVersion);
      }
    }
  }
  return discovery;
}

/** Forbidden or missing discovery documents are not fatal; anything else is. */
async function optional(request: Promise<unknown>): Promise<unknown> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) return undefined;
    throw error;
  }
}
