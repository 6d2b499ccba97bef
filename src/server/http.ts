// The HTTP surface: the browser app (built into dist/web), JSON API, the event stream, health,
// readiness and metrics. Every response carries the security headers; every error leaves through
// one handler as JSON.
import { promisify } from 'node:util';
import { brotliCompress as brotliCallback, constants as zlibConstants, gzip as gzipCallback } from 'node:zlib';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { installAuth, type AuthOptions } from './auth/hook.js';
import { StreamWatch } from './auth/stream-watch.js';
import { Authorizer } from './authz/authorizer.js';
import type { AuthzPolicy } from './authz/scope.js';
import type { Hub, SnapshotFrame } from './hub.js';
import type { ServerMetrics } from './metrics.js';
import { EventStream, type EventStreamOptions } from './sse.js';
import type { ClusterStore } from './store.js';
import { TopologyCache } from './topology-cache.js';
import { ANONYMOUS } from './auth/identity.js';
import { etagMatches, WebAssets, type WebFile } from './web-assets.js';

export interface AppOptions {
  store: ClusterStore;
  hub: Hub;
  metrics: ServerMetrics;
  logger: Logger;
  stream?: EventStreamOptions;
  /** The built browser app: index.html and assets/ (default: dist/web of this checkout). */
  webRoot?: string;
  /** Authentication (src/server/auth); absent: off, every request is anonymous (loopback or --insecure-no-auth). */
  auth?: AuthOptions;
  /** Authorization by namespace (--authz-file, src/server/authz); absent: everyone sees everything but what a token's namespaces= narrows. */
  authz?: AuthzPolicy;
}

/** The one error type routes throw; the error handler turns it into a JSON response. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

// No 'unsafe-inline' and no 'unsafe-eval'. PixiJS 8 generates code with new Function unless
// `import 'pixi.js/unsafe-eval'` comes first in the app (test/e2e/pixi-csp.test.ts); without it its
// renderer refuses to start under this policy. blob: workers and data:/blob: images are PixiJS's
// texture loading.
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = 'web assets not built: run npm run build\n';

/** Below this a snapshot is sent as is: compressing it would cost more than it saves. */
const GZIP_MIN_BYTES = 64 * 1024;

export function buildApp({ store, hub, metrics, logger, stream: streamOptions, webRoot, auth, authz }: AppOptions): FastifyInstance {
  // Request logging is off: /metrics scrapes and health probes would drown everything else.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // No route takes a body (logout is a bodiless POST).
    bodyLimit: 1024,
    // Stopping ends the event streams; a keep-alive socket left behind by one must not hold the
    // shutdown for the keep-alive timeout (72 s).
    forceCloseConnections: true,
  });
  const stream = new EventStream(hub, logger, streamOptions);
  const snapshots = new SnapshotCompressor(hub);
  const topologies = new TopologyCache();
  const authorizer = new Authorizer(hub, store, authz);
  const web = new WebAssets(webRoot);
  const streamWatch = new StreamWatch(auth?.streamRecheckMs, logger);
  metrics.observe({ store, hub, streamStats: () => stream.stats() });

  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  // After the security headers: a 401 carries them too.
  installAuth(app, auth);
  app.addHook('preClose', async () => {
    streamWatch.close();
    stream.close();
    authorizer.close();
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const httpError = toHttpError(error);
    if (httpError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(httpError.statusCode).send({ error: { code: httpError.code, message: httpError.message } });
  });
  app.setNotFoundHandler((request) => {
    throw new HttpError(404, 'not_found', `no route for ${request.method} ${request.url}`);
  });

  app.get('/', async (request, reply) => {
    const index = await web.index();
    if (index === undefined) {
      return reply.code(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(NOT_BUILT);
    }
    return sendWebFile(request, reply, index);
  });
  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const file = await web.asset(request.params['*']);
    if (file === undefined) throw new HttpError(404, 'not_found', `no asset ${request.url}`);
    return sendWebFile(request, reply, file);
  });
  // Browsers ask for it on their own; there is none, and a 404 would be an error in the console.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const waiting = store.notYetLive();
    if (waiting.length === 0) return { ready: true };
    const waitingFor = waiting.map(({ id, name, status }) => ({ id, name, phase: status.phase, reason: status.reason }));
    return reply.code(503).send({ ready: false, waitingFor });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get('/api/v1/clusters', async () => store.summaries());
  // Who the browser is signed in as, so the app can show it and offer to log out; and whether
  // it may see nodes, so that pods on nodes it is not sent read as "node hidden", not "missing".
  app.get('/api/v1/me', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const identity = request.identity ?? ANONYMOUS;
    return {
      name: identity.name, groups: identity.groups, via: identity.via, canLogOut: identity.via === 'session' || identity.via === 'oidc',
      nodes: authorizer.seesNodes(request),
    };
  });
  // Derived from the cluster's current state, reused for about a second (see topology-cache.ts).
  app.get<{ Params: { id: string } }>('/api/v1/clusters/:id/topology', async (request, reply) => {
    const { id } = request.params;
    const state = store.clusters().find((cluster) => cluster.id === id);
    if (state === undefined) throw new HttpError(404, 'not_found', `no cluster "${id}"`);
    const { topology: derived, derivedAt } = topologies.get(state);
    const topology = authorizer.topology(request, derived);
    const { vertices, edges, unresolved, defaultDeny = [], isolation = [], trafficAvailable = false } = topology;
    reply.header('cache-control', 'no-store');
    return { cluster: state.id, derivedAt, vertices, edges, unresolved, defaultDeny, isolation, trafficAvailable };
  });
  app.get('/api/v1/snapshot', async (request, reply) => {
    reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
    const accepted = request.headers['accept-encoding'];
    const encoding = acceptsEncoding(accepted, 'br') ? 'br' : acceptsGzip(accepted) ? 'gzip' : undefined;
    const scope = authorizer.scope(request);
    if (scope.all !== true) {
      // This scope's own snapshot, compressed per request (not shared).
      const { json } = authorizer.snapshot(scope);
      if (json.length < GZIP_MIN_BYTES || encoding === undefined) return reply.send(json);
      return reply.header('content-encoding', encoding).send(await compress(json, encoding));
    }
    // A shared recent snapshot spares even the JSON encoding (about a second at 150,000 pods).
    const shared = encoding === undefined ? undefined : snapshots.recent(encoding);
    if (shared !== undefined) return reply.header('content-encoding', encoding).send(await shared);
    const snapshot = hub.snapshot();
    if (snapshot.json.length < GZIP_MIN_BYTES || encoding === undefined) return reply.send(snapshot.json);
    return reply.header('content-encoding', encoding).send(await snapshots.compress(snapshot, encoding));
  });
  app.get('/api/v1/stream', { exposeHeadRoute: false }, (request, reply) => {
    stream.connect(request, reply, authorizer.streamView(request));
    // The stream outlives this request's authentication: it ends when the token or session does.
    if (request.stillValid !== null) streamWatch.watch(reply.raw, request.stillValid);
  });
  return app;
}

function toHttpError(error: FastifyError | HttpError): HttpError {
  if (error instanceof HttpError) return error;
  // Fastify's own errors (malformed request, unsupported media type) carry a 4xx status.
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new HttpError(status, error.code ?? 'bad_request', error.message);
  return new HttpError(500, 'internal', 'internal server error');
}

const gzip = promisify(gzipCallback);
const brotli = promisify(brotliCallback);

/**
 * A compressed snapshot is reused for this long, as long as the stream can still take a client
 * from its seq to now: browsers opening together (a wall of screens after a deploy) share one
 * compression, and each catches up through the stream.
 */
const SNAPSHOT_REUSE_MS = 10_000;

/**
 * Compresses snapshots off the event loop (zlib runs on the thread pool) and shares the result.
 * Brotli at quality 1 is both faster and smaller than gzip on snapshot JSON (150,000 pods:
 * 0.7 s → 33 MB, against gzip level 4 2.4 s → 35 MB); gzip level 1 is for clients without it.
 * Holds one compressed snapshot per encoding.
 */
class SnapshotCompressor {
  private readonly cached = new Map<Encoding, { seq: number; at: number; body: Promise<Buffer> }>();

  constructor(private readonly hub: Hub) {}

  /** The compressed snapshot to share, if one is recent and the stream still resumes from its seq. */
  recent(encoding: Encoding): Promise<Buffer> | undefined {
    const entry = this.cached.get(encoding);
    if (entry === undefined || Date.now() - entry.at >= SNAPSHOT_REUSE_MS || this.hub.framesSince(entry.seq) === undefined) return undefined;
    return entry.body;
  }

  compress(snapshot: SnapshotFrame, encoding: Encoding): Promise<Buffer> {
    const entry = this.cached.get(encoding);
    if (entry?.seq === snapshot.seq) return entry.body;
    const body = compress(snapshot.json, encoding);
    const fresh = { seq: snapshot.seq, at: Date.now(), body };
    body.catch(() => {
      if (this.cached.get(encoding) === fresh) this.cached.delete(encoding);
    });
    this.cached.set(encoding, fresh);
    return body;
  }
}

type Encoding = 'br' | 'gzip';

/** Snapshot JSON compressed on the thread pool, at the settings above. */
function compress(json: Buffer, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br'
    ? brotli(json, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: json.length } })
    : gzip(json, { level: 1 });
}

/** Whether Accept-Encoding allows gzip (listed, or `*`, without q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  return acceptsEncoding(header, 'gzip');
}

/** Whether Accept-Encoding allows a content coding (listed, or `*`, without q=0). */
export function acceptsEncoding(header: string | undefined, coding: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name.trim() !== coding && name.trim() !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Sends a file of the app: revalidated on every use (no-cache; the names carry no content hash),
 * 304 when the ETag still matches, gzip when the client takes it.
 */
function sendWebFile(request: FastifyRequest, reply: FastifyReply, file: WebFile): FastifyReply {
  reply.header('cache-control', 'no-cache').header('etag', file.etag).header('vary', 'accept-encoding');
  if (etagMatches(request.headers['if-none-match'], file.etag)) return reply.code(304).send();
  reply.type(file.contentType);
  if (file.gzipped && acceptsGzip(request.headers['accept-encoding'])) {
    return reply.header('content-encoding', 'gzip').send(file.gzipped);
  }
  return reply.send(file.body);
}
