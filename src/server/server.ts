// Wires the stages together: sources → store → hub → HTTP/SSE, and takes them down in reverse.
import type { Logger } from 'pino';
import type { ClusterSource } from '../sources/source.js';
import type { AuthOptions } from './auth/hook.js';
import type { AuthzPolicy } from './authz/scope.js';
import { buildApp } from './http.js';
import { Hub, type HubOptions } from './hub.js';
import { ServerMetrics } from './metrics.js';
import type { EventStreamOptions } from './sse.js';
import { ClusterStore } from './store.js';

export interface ServerOptions {
  sources: ClusterSource[];
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Pass the instance whose sourceTelemetry the sources report to. */
  metrics?: ServerMetrics;
  hub?: HubOptions;
  stream?: EventStreamOptions;
  /** Authentication; absent: off (only allowed on loopback or with --insecure-no-auth, see cli/config.ts). */
  auth?: AuthOptions;
  /** Authorization by namespace (--authz-file); absent: everyone authenticated sees everything. */
  authz?: AuthzPolicy;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:7420/`, with the port actually bound. */
  url: string;
  port: number;
  /** Stops the sources, then the hub and the HTTP server (ending open streams). */
  stop(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { sources, logger } = options;
  const store = new ClusterStore();
  const sinks = sources.map((source) => store.addCluster(source.id, source.name));
  const hub = new Hub(store, options.hub);
  const app = buildApp({ store, hub, metrics: options.metrics ?? new ServerMetrics(), logger, stream: options.stream, auth: options.auth, authz: options.authz });

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    hub.stop();
    await app.close();
    throw error;
  }
  // Sources start only once the port is ours: a failed listen leaves nothing running.
  sources.forEach((source, i) => source.start(sinks[i]!));

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${urlHost(options.host)}:${port}/`,
    port,
    async stop() {
      const results = await Promise.allSettled(sources.map((source) => source.stop()));
      results.forEach((result, i) => {
        if (result.status === 'rejected') logger.warn({ err: result.reason, cluster: sources[i]!.id }, 'source did not stop cleanly');
      });
      hub.stop();
      await app.close();
    },
  };
}

/** IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
