// Wires the stages together: sources → store → hub → HTTP/SSE, and takes them down in reverse.
import type { Logger } from 'pino';
import type { ClusterSource, SourceSink } from '../sources/source.js';
import type { AuthOptions } from './auth/hook.js';
import type { AuthzPolicy } from './authz/scope.js';
import { SessionSigner } from './auth/session.js';
import { buildApp } from './http.js';
import { Hub, type HubOptions } from './hub.js';
import { ServerMetrics } from './metrics.js';
import type { EventStreamOptions } from './sse.js';
import { Replica, type ReplicaOptions } from './replication/replica.js';
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
  /** One of several replicas sharing a Redis (--redis-url): the sources run only while this one holds the lease. */
  replication?: ReplicaOptions;
  /**
   * Called when the server cannot go on (a replica that lost its lease while watching). The
   * caller must stop the server and exit non-zero. Default: throw, which ends the process.
   */
  onFatal?: (error: Error) => void;
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
  const startOn = (targets: SourceSink[]) => (): void => sources.forEach((source, i) => source.start(targets[i]!));
  const startSources = startOn(sinks);
  const stopSources = async (): Promise<void> => {
    const results = await Promise.allSettled(sources.map((source) => source.stop()));
    results.forEach((result, i) => {
      if (result.status === 'rejected') logger.warn({ err: result.reason, cluster: sources[i]!.id }, 'source did not stop cleanly');
    });
  };
  const replica = options.replication === undefined ? undefined : watchingThroughRedis(options.replication);
  /**
   * With replicas, the sources write to a store of their own, run only while this replica holds
   * the lease; browsers are served from `store`, which follows Redis (src/server/replication).
   */
  function watchingThroughRedis(replication: ReplicaOptions): Replica {
    const watchStore = new ClusterStore();
    const watchSinks = sources.map((source) => watchStore.addCluster(source.id, source.name));
    const onFatal =
      options.onFatal ??
      ((error: Error) => {
        throw error;
      });
    const watching = { store: watchStore, start: startOn(watchSinks), stop: stopSources, onFatal };
    return new Replica(replication, hub, store, watching, logger.child({ component: 'replication' }));
  }
  let auth = options.auth;
  if (replica !== undefined) {
    // Before listening: the replica serves the stored snapshot from its first request on.
    await replica.connect();
    // A session cookie, and the OIDC session it names, from one replica must be good at every other.
    if (auth !== undefined) {
      auth = { ...auth, sessions: new SessionSigner(await replica.sessionSecret()) };
      if (auth.oidc !== undefined) auth.oidc = { ...auth.oidc, store: replica.oidcSessions };
    }
  }
  const metrics = options.metrics ?? new ServerMetrics();
  if (replica !== undefined) metrics.observeReplica(() => replica.stats());
  const app = buildApp({ store, hub, metrics, logger, stream: options.stream, auth, authz: options.authz });

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    hub.stop();
    await app.close();
    await replica?.stop();
    throw error;
  }
  // Sources start only once the port is ours: a failed listen leaves nothing running. With
  // replicas, only the one holding the lease runs them.
  if (replica !== undefined) replica.start();
  else startSources();

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${urlHost(options.host)}:${port}/`,
    port,
    async stop() {
      if (replica !== undefined) await replica.stop();
      else await stopSources();
      hub.stop();
      await app.close();
    },
  };
}

/** IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
