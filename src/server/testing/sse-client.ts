// A minimal Server-Sent Events reader over node:http for tests: parses frames as they arrive and
// can stop reading (pause) to play a slow client.
import { get, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export class SseClient {
  private readonly events: SseEvent[] = [];
  private waiter: (() => void) | undefined;
  /** Text received but not yet parsed, in chunks: appending to one string would copy a 16 MB frame per chunk. */
  private unparsed: string[] = [];
  private ended = false;
  /** Comment lines seen (keepalives). */
  comments = 0;
  /** Resolves when the server ends the stream (or it is closed here), with the time it did (Date.now()). */
  readonly closed: Promise<number>;

  private constructor(private readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.receive(chunk));
    this.closed = new Promise((resolve) =>
      response.on('close', () => {
        this.ended = true;
        this.wake();
        resolve(Date.now());
      }),
    );
  }

  /** Whether the stream has ended. */
  get isClosed(): boolean {
    return this.ended;
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      get(url, { headers }, (response) => resolve(new SseClient(response))).on('error', reject);
    });
  }

  get headers(): IncomingHttpHeaders {
    return this.response.headers;
  }

  get status(): number | undefined {
    return this.response.statusCode;
  }

  /** The next event that carries data, waiting up to `timeoutMs`. */
  async next(timeoutMs = 2_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      if (this.ended) throw new Error('stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.events.shift()!;
  }

  /** The next event, parsed, asserting its type. */
  async nextJson<T>(event: 'snapshot' | 'delta', timeoutMs?: number): Promise<T> {
    const received = await this.next(timeoutMs);
    if (received.event !== event) throw new Error(`expected ${event}, got ${received.event} (id ${received.id})`);
    return JSON.parse(received.data) as T;
  }

  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  close(): void {
    this.response.destroy();
  }

  private receive(chunk: string): void {
    const previous = this.unparsed.at(-1) ?? '';
    const completesFrame = chunk.includes('\n\n') || (previous.endsWith('\n') && chunk.startsWith('\n'));
    this.unparsed.push(chunk);
    if (!completesFrame) return;
    let text = this.unparsed.join('');
    let end: number;
    while ((end = text.indexOf('\n\n')) !== -1) {
      this.parseBlock(text.slice(0, end));
      text = text.slice(end + 2);
    }
    this.unparsed = text === '' ? [] : [text];
    this.wake();
  }

  private parseBlock(block: string): void {
    const event: SseEvent = { event: 'message', data: '' };
    let hasData = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      if (field === 'event') event.event = value;
      if (field === 'data') {
        event.data += hasData ? `\n${value}` : value;
        hasData = true;
      }
    }
    if (hasData) this.events.push(event);
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
