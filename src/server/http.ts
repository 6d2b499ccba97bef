// The HTTP surface: JSON API, the event stream, health, readiness, metrics and (for now) a
// placeholder page. Every response carries the security headers; every error leaves through one
// handler as JSON.
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Hub, SnapshotFrame } from './hub.js';
import type { ServerMetrics } from './metrics.js';
import { EventStream, type EventStreamOptions } from './sse.js';
import type { ClusterStore, ClusterSummary } from './store.js';

export interface AppOptions {
  store: ClusterStore;
  hub: Hub;
  metrics: ServerMetrics;
  logger: Logger;
  stream?: EventStreamOptions;
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

export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "font-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** Below this a snapshot is sent as is: compressing it would cost more than it saves. */
const GZIP_MIN_BYTES = 64 * 1024;

export function buildApp({ store, hub, metrics, logger, stream: streamOptions }: AppOptions): FastifyInstance {
  // Request logging is off: /metrics scrapes and health probes would drown everything else.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  const stream = new EventStream(hub, logger, streamOptions);
  const gzipSnapshot = gzipPerSeq();
  metrics.observe({ store, hub, streamStats: () => stream.stats() });

  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.addHook('preClose', async () => stream.close());
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const httpError = toHttpError(error);
    if (httpError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(httpError.statusCode).send({ error: { code: httpError.code, message: httpError.message } });
  });
  app.setNotFoundHandler((request) => {
    throw new HttpError(404, 'not_found', `no route for ${request.method} ${request.url}`);
  });

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(placeholderPage(store.summaries())));
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
  app.get('/api/v1/snapshot', async (request, reply) => {
    const snapshot = hub.snapshot();
    reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
    if (snapshot.json.length < GZIP_MIN_BYTES || !acceptsGzip(request.headers['accept-encoding'])) {
      return reply.send(snapshot.json);
    }
    return reply.header('content-encoding', 'gzip').send(await gzipSnapshot(snapshot));
  });
  app.get('/api/v1/stream', { exposeHeadRoute: false }, (request, reply) => stream.connect(request, reply));
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

/**
 * Compresses the snapshot once per seq and shares the result, off the event loop (zlib runs on
 * the thread pool). Holds one compressed snapshot at most.
 */
function gzipPerSeq(): (snapshot: SnapshotFrame) => Promise<Buffer> {
  let cached: { seq: number; body: Promise<Buffer> } | undefined;
  return (snapshot) => {
    if (cached?.seq !== snapshot.seq) {
      const entry = { seq: snapshot.seq, body: gzip(snapshot.json, { level: 4 }) };
      entry.body.catch(() => {
        if (cached === entry) cached = undefined;
      });
      cached = entry;
    }
    return cached.body;
  };
}

/** Whether Accept-Encoding allows gzip (listed, or `*`, without q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function placeholderPage(clusters: ClusterSummary[]): string {
  const items = clusters
    .map(({ id, name, status }) => `<li>${escapeHtml(name)} (${escapeHtml(id)}): ${escapeHtml(status.phase)}</li>`)
    .join('');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>kubeglance</title></head><body>' +
    '<h1>kubeglance</h1><p>The cluster map arrives in a later release. Clusters:</p>' +
    `<ul>${items}</ul>` +
    '<p>API: <a href="/api/v1/clusters">clusters</a>, <a href="/api/v1/snapshot">snapshot</a>, ' +
    '<a href="/api/v1/stream">stream</a>, <a href="/metrics">metrics</a>.</p></body></html>'
  );
}

/** Cluster text is data: it is escaped, never interpreted as HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
