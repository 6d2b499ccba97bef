// Long responses (the event stream) outlive the authentication of the request that opened them. A
// revoked token, an expired session or an OIDC session whose refresh failed must not keep a stream
// going: every open stream is asked again whether its credential still holds, and ended when not.
// The browser's EventSource then reconnects, gets 401, and the app reloads into the login page.
//
// One timer for all streams (a wall of screens is thousands of them), running only while there
// are any. The checks are cheap: the token file is looked at again at most once a second, and an
// OIDC session is a map lookup, or one Redis GET with replicas (a refresh when due, shared by all
// requests of the session).
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';

const DEFAULT_INTERVAL_MS = 2_000;

export class StreamWatch {
  private readonly watched = new Map<ServerResponse, () => Promise<boolean>>();
  private timer: NodeJS.Timeout | undefined;
  /** A round of checks in progress: the next tick waits for it rather than piling up. */
  private checking = false;

  constructor(
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
    private readonly logger?: Logger,
  ) {}

  /** Ends `res` at the first check where `stillValid` says no (or throws). */
  watch(res: ServerResponse, stillValid: () => Promise<boolean>): void {
    if (res.destroyed || res.writableEnded) return;
    this.watched.set(res, stillValid);
    res.once('close', () => this.forget(res));
    this.timer ??= setInterval(() => void this.checkAll(), this.intervalMs).unref();
  }

  /** Streams being watched (tests). */
  get size(): number {
    return this.watched.size;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private forget(res: ServerResponse): void {
    this.watched.delete(res);
    if (this.watched.size === 0) this.close();
  }

  private async checkAll(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      let ended = 0;
      await Promise.all(
        [...this.watched].map(async ([res, stillValid]) => {
          // Fail closed: a check that cannot answer ends the stream; the reconnect authenticates afresh.
          const valid = await stillValid().catch(() => false);
          if (valid || !this.watched.has(res)) return;
          this.forget(res);
          res.end();
          ended++;
        }),
      );
      if (ended > 0) this.logger?.info({ streams: ended }, 'event streams ended: their token or session is no longer valid');
    } finally {
      this.checking = false;
    }
  }
}
