// `GET /api/v1/stream`: Server-Sent Events. A new client gets the snapshot frame and then every
// delta frame; a client that reconnects with Last-Event-ID gets the deltas it missed when the hub
// still holds them, else a fresh snapshot.
//
// A client that reads slower than deltas arrive is never buffered without bound: once more than
// `maxQueuedBytes` wait in its socket it stops receiving deltas, and when the socket drains it gets
// one fresh snapshot at the current seq and continues from there.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { DeltaMessage } from '../model/stream.js';
import type { Frame, Hub } from './hub.js';

/**
 * A client's own view of the stream when it may not see everything (src/server/authz): its
 * snapshot, resume frames and deltas instead of the shared ones, with the hub's sequence numbers.
 */
export interface StreamView {
  /** The snapshot frame at the hub's current seq (cuts the open batch). */
  snapshot(): Buffer;
  /** As Hub.framesSince, filtered. */
  framesSince(lastSeq: number): Frame[] | undefined;
  /** The filtered frame of a delta the hub just cut. */
  delta(frame: Frame, delta: DeltaMessage): Frame;
}

export interface EventStreamOptions {
  /** Interval of the keepalive comment that stops proxies from closing an idle stream. Default 15 s. */
  keepaliveMs?: number;
  /** Bytes a client may have waiting before it is cut off from deltas. Default 16 MiB. */
  maxQueuedBytes?: number;
  /** Reconnection delay suggested to EventSource (`retry:`). Default 2 s. */
  retryMs?: number;
}

export interface StreamStats {
  clients: number;
  /** Clients cut off from deltas until their socket drains. */
  lagging: number;
  /** Bytes waiting in all clients' sockets. */
  queuedBytes: number;
}

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told not to; deltas would arrive in lumps.
  'x-accel-buffering': 'no',
};

const KEEPALIVE_FRAME = Buffer.from(': keepalive\n\n');

interface StreamClient {
  res: ServerResponse;
  /** Cut off from deltas until its socket drains. */
  lagging: boolean;
  /**
   * Size of the largest frame queued since the socket last drained. One large frame (a snapshot,
   * the delta of an initial sync) can exceed the limit by itself and must not make the client
   * look slow; only a queue that keeps growing does.
   */
  burstAllowance: number;
  /** Absent: the client sees everything and gets the shared frames. */
  view: StreamView | undefined;
}

export class EventStream {
  private readonly clients = new Set<StreamClient>();
  private readonly maxQueuedBytes: number;
  private readonly retryFrame: Buffer;
  private readonly keepaliveTimer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly unsubscribeReset: () => void;

  constructor(
    private readonly hub: Hub,
    private readonly logger: Logger,
    options: EventStreamOptions = {},
  ) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? 16 * 1024 * 1024;
    this.retryFrame = Buffer.from(`retry: ${options.retryMs ?? 2_000}\n\n`);
    this.keepaliveTimer = setInterval(() => this.sendKeepalive(), options.keepaliveMs ?? 15_000).unref();
    this.unsubscribe = hub.subscribe((frame, delta) => this.broadcast(frame, delta));
    // The state was replaced as a whole: every client starts over from the new snapshot. Held
    // back from deltas at once; the snapshot follows once every other reset listener (the
    // per-scope frames) has forgotten the old state.
    this.unsubscribeReset = hub.onReset(() => {
      for (const client of this.clients) client.lagging = true;
      setImmediate(() => {
        for (const client of this.clients) if (client.lagging && client.res.writable) this.sendSnapshot(client);
      });
    });
  }

  /** What the stream holds right now, for /metrics: the bound on slow clients made visible. */
  stats(): StreamStats {
    let lagging = 0;
    let queuedBytes = 0;
    for (const client of this.clients) {
      if (client.lagging) lagging++;
      queuedBytes += client.res.writableLength;
    }
    return { clients: this.clients.size, lagging, queuedBytes };
  }

  /** Route handler: takes over the raw response for as long as the client stays. */
  connect(request: FastifyRequest, reply: FastifyReply, view?: StreamView): void {
    reply.hijack();
    const res = reply.raw;
    // Headers set by hooks (the security headers) would be lost with the hijack: pass them on.
    res.writeHead(200, { ...(reply.getHeaders() as OutgoingHttpHeaders), ...STREAM_HEADERS });
    const client: StreamClient = { res, lagging: false, burstAllowance: 0, view };
    res.on('drain', () => this.onDrain(client));
    res.on('error', (err) => this.logger.debug({ err }, 'stream client socket error'));
    res.on('close', () => {
      this.clients.delete(client);
      this.logger.debug({ clients: this.clients.size }, 'stream client disconnected');
    });

    res.write(this.retryFrame);
    this.catchUp(client, lastEventId(request));
    this.clients.add(client);
    this.logger.debug({ clients: this.clients.size }, 'stream client connected');
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    clearInterval(this.keepaliveTimer);
    this.unsubscribe();
    this.unsubscribeReset();
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  /** Resumes from `lastSeq` when the missed deltas are held and not too many, else sends a snapshot. */
  private catchUp(client: StreamClient, lastSeq: number | undefined): void {
    const missed = lastSeq === undefined ? undefined : (client.view ?? this.hub).framesSince(lastSeq);
    if (missed === undefined || totalBytes(missed) > this.maxQueuedBytes) {
      this.sendSnapshot(client);
      return;
    }
    client.res.cork();
    for (const frame of missed) this.write(client, frame.bytes);
    client.res.uncork();
  }

  private sendSnapshot(client: StreamClient): void {
    // Lagging stays set while the hub cuts its open batch inside snapshot(), so that delta (which
    // the snapshot already contains) is not sent to this client as well.
    this.write(client, client.view === undefined ? this.hub.snapshot().bytes : client.view.snapshot());
    client.lagging = false;
  }

  private write(client: StreamClient, bytes: Buffer): void {
    const belowHighWaterMark = client.res.write(bytes);
    if (!belowHighWaterMark) client.burstAllowance = Math.max(client.burstAllowance, bytes.length);
  }

  private broadcast(frame: Frame, delta: DeltaMessage): void {
    for (const client of this.clients) this.deliver(client, frame, delta);
  }

  private deliver(client: StreamClient, frame: Frame, delta: DeltaMessage): void {
    if (client.lagging || !client.res.writable) return;
    const queued = client.res.writableLength;
    if (queued > this.maxQueuedBytes + client.burstAllowance) {
      client.lagging = true;
      this.logger.warn({ queuedBytes: queued }, 'stream client too slow: holding deltas back until it catches up');
      return;
    }
    this.write(client, client.view === undefined ? frame.bytes : client.view.delta(frame, delta).bytes);
  }

  private onDrain(client: StreamClient): void {
    client.burstAllowance = 0;
    if (client.lagging) {
      this.logger.info('slow stream client caught up: sending a fresh snapshot');
      this.sendSnapshot(client);
    }
  }

  private sendKeepalive(): void {
    for (const client of this.clients) {
      if (!client.lagging && client.res.writable) client.res.write(KEEPALIVE_FRAME);
    }
  }
}

/** The seq a reconnecting client last saw: the Last-Event-ID header, or `?lastEventId=` for clients that cannot set headers. */
function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.['lastEventId'];
  const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  if (raw === undefined || !/^\d{1,15}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

function totalBytes(frames: Frame[]): number {
  return frames.reduce((sum, frame) => sum + frame.bytes.length, 0);
}
