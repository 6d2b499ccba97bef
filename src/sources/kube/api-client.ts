// HTTP to one API server: GET requests returning parsed JSON, and watches yielding parsed events
// as they stream in. Read-only by construction: GET is the only method this code can send.
//
// Plain node:http(s) rather than the generated client: the generated client buffers whole
// responses and keeps full objects, and its watch reconnect logic is not ours to tune. Auth
// (tokens, exec plugins, client certificates) comes from the endpoint, which wraps the
// kubeconfig (see kubeconfig.ts).
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { pipeline, type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { noTelemetry, type ApiVerb, type SourceTelemetry } from '../telemetry.js';
import { errorFromStatus, KubeApiError, parseRetryAfter, toKubeApiError } from './api-error.js';
import { JsonLines } from './json-lines.js';

/** How to reach and authenticate to one API server. */
export interface ApiEndpoint {
  /** Base URL without trailing slash, e.g. https://10.0.0.1:6443 (may carry a path prefix). */
  readonly server: string;
  /**
   * Adds credentials and TLS settings (headers.Authorization, ca, cert, key, servername, ...) to
   * the options of one request. Called for every request, so rotating credentials (exec plugins,
   * projected service account tokens) are picked up. May set `agent` (a proxy); otherwise the
   * client's own keep-alive agent is used.
   */
  authorize(options: https.RequestOptions): Promise<void>;
}

export interface ApiClientOptions {
  /** Cluster id, for telemetry. */
  cluster: string;
  endpoint: ApiEndpoint;
  telemetry?: SourceTelemetry;
  /** A GET fails when no bytes move for this long. */
  requestTimeoutMs?: number;
}

export interface ApiRequest {
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Resource plural (or "discovery"), for telemetry. */
  resource: string;
  signal?: AbortSignal;
}

export interface WatchRequest extends ApiRequest {
  /** The watch fails when no bytes move for this long (the server ends it at timeoutSeconds). */
  idleTimeoutMs: number;
}

export interface WatchEvent {
  type: string;
  object: unknown;
}

const USER_AGENT = 'kubeglance (read-only)';
/** A paginated LIST page or a metrics list; bigger means something is wrong. */
const MAX_BODY_BYTES = 512 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** An exec credential plugin that has not answered by then is not going to. */
const AUTHORIZE_TIMEOUT_MS = 60_000;

export class ApiClient {
  private readonly cluster: string;
  private readonly endpoint: ApiEndpoint;
  private readonly telemetry: SourceTelemetry;
  private readonly requestTimeoutMs: number;
  // One pool per protocol. Node pools sockets by TLS options too, so a rotated client
  // certificate gets a new connection while the old one idles out.
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private readonly httpAgent = new http.Agent({ keepAlive: true });

  constructor(options: ApiClientOptions) {
    this.cluster = options.cluster;
    this.endpoint = options.endpoint;
    this.telemetry = options.telemetry ?? noTelemetry;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  get server(): string {
    return this.endpoint.server;
  }

  /** GET a JSON document: one LIST page, discovery, metrics. */
  async get(request: ApiRequest, verb: Exclude<ApiVerb, 'watch'> = 'get'): Promise<unknown> {
    const body = await this.send(request, verb, this.requestTimeoutMs);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) throw new KubeApiError(0, 'InvalidResponse', `response larger than ${MAX_BODY_BYTES} bytes`);
        chunks.push(chunk);
      }
    } catch (error) {
      body.destroy();
      throw toKubeApiError(error);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new KubeApiError(0, 'InvalidResponse', `response to ${request.path} is not JSON`);
    }
  }

  /**
   * Opens a watch. Resolves once the server accepted it (HTTP 200), then yields the events of
   * each received chunk as one batch. Ends when the server closes the watch; throws
   * KubeApiError when the connection breaks.
   */
  async watch(request: WatchRequest): Promise<AsyncIterable<WatchEvent[]>> {
    const body = await this.send({ ...request, query: { ...request.query, watch: true } }, 'watch', request.idleTimeoutMs);
    return this.events(body, request.resource);
  }

  /** Closes idle connections. Requests in flight end through their abort signals. */
  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  private async *events(body: Readable, resource: string): AsyncGenerator<WatchEvent[]> {
    this.telemetry.watchOpen(this.cluster, resource, 1);
    const lines = new JsonLines();
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const events = lines.push(chunk).map(asWatchEvent);
        for (const event of events) this.telemetry.watchEvent(this.cluster, resource, event.type);
        if (events.length > 0) yield events;
      }
      const rest = lines.end().map(asWatchEvent);
      if (rest.length > 0) yield rest;
    } catch (error) {
      throw toKubeApiError(error);
    } finally {
      this.telemetry.watchOpen(this.cluster, resource, -1);
      body.destroy();
    }
  }

  /** Sends one GET; resolves with the (decompressed) body of a 2xx response, rejects otherwise. */
  private async send(request: ApiRequest, verb: ApiVerb, idleTimeoutMs: number): Promise<Readable> {
    const url = new URL(this.endpoint.server + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const options: https.RequestOptions = {
      headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip', 'User-Agent': USER_AGENT },
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.endpoint.authorize(options),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no credentials after ${AUTHORIZE_TIMEOUT_MS / 1000} s`)), AUTHORIZE_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      this.telemetry.apiRequest(this.cluster, verb, request.resource, 0);
      const message = error instanceof Error ? error.message : String(error);
      throw new KubeApiError(0, 'CredentialsUnavailable', `could not obtain credentials: ${message}`);
    } finally {
      clearTimeout(timer);
    }
    options.method = 'GET'; // set last: nothing may turn a read into a write
    const secure = url.protocol === 'https:';
    options.agent ??= secure ? this.httpsAgent : this.httpAgent;
    if (request.signal) options.signal = request.signal;

    return new Promise<Readable>((resolve, reject) => {
      let response: IncomingMessage | undefined;
      const req = (secure ? https : http).request(url, options, (res) => {
        response = res;
        const status = res.statusCode ?? 0;
        this.telemetry.apiRequest(this.cluster, verb, request.resource, status);
        const body = bodyOf(res, (bytes) => this.telemetry.apiBytes(this.cluster, request.resource, bytes));
        if (status >= 200 && status < 300) {
          resolve(body);
        } else {
          readError(res, body, status).then(reject, reject);
        }
      });
      req.setTimeout(idleTimeoutMs, () => {
        const timeout = new KubeApiError(0, 'Timeout', `no data from ${url.host} for ${Math.round(idleTimeoutMs / 1000)} s`);
        req.destroy(timeout);
        response?.destroy(timeout);
      });
      req.on('error', (error) => {
        if (!response) this.telemetry.apiRequest(this.cluster, verb, request.resource, 0);
        reject(toKubeApiError(error));
      });
      req.end();
    });
  }
}

/**
 * The response body, decompressed, with wire bytes counted as they pass. Through pipeline (not
 * pipe, not a 'data' listener): a broken connection fails the stream the caller reads, and
 * nothing is consumed before the caller starts reading.
 */
function bodyOf(response: IncomingMessage, countBytes: (bytes: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      countBytes(chunk.length);
      done(null, chunk);
    },
  });
  const ignore = () => {};
  return response.headers['content-encoding'] === 'gzip'
    ? pipeline(response, counter, createGunzip(), ignore)
    : pipeline(response, counter, ignore);
}

async function readError(response: IncomingMessage, body: Readable, status: number): Promise<KubeApiError> {
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ERROR_BODY_BYTES) break;
      chunks.push(chunk);
    }
  } catch {
    // The status code says enough; the body was a bonus.
  }
  body.destroy();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  return errorFromStatus(status, parsed, retryAfterMs);
}

function asWatchEvent(value: unknown): WatchEvent {
  const event = value as Partial<WatchEvent> | null;
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string') {
    throw new KubeApiError(0, 'InvalidResponse', 'a watch event without a type');
  }
  return { type: event.type, object: event.object };
}
