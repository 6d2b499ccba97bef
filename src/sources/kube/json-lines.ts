// Splits a stream of newline-delimited JSON (a watch response) into parsed values as the bytes
// arrive, holding at most one incomplete line.
import { KubeApiError } from './api-error.js';

const NEWLINE = 0x0a;

export class JsonLines {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** One object larger than this is not something the API server sends; refuse to buffer it. */
  constructor(private readonly maxLineBytes = 64 * 1024 * 1024) {}

  /** The values completed by this chunk. */
  push(chunk: Buffer): unknown[] {
    const values: unknown[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      const line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingBytes = 0;
      start = end + 1;
      parseInto(line, values);
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.maxLineBytes) {
        throw new KubeApiError(0, 'InvalidResponse', `a watch event exceeded ${this.maxLineBytes} bytes`);
      }
    }
    return values;
  }

  /** The last value, when the stream ended without a final newline. */
  end(): unknown[] {
    const values: unknown[] = [];
    if (this.pending.length > 0) parseInto(Buffer.concat(this.pending), values);
    this.pending = [];
    this.pendingBytes = 0;
    return values;
  }
}

function parseInto(line: Buffer, values: unknown[]): void {
  const text = line.toString('utf8').trim();
  if (text.length === 0) return;
  try {
    values.push(JSON.parse(text));
  } catch {
    throw new KubeApiError(0, 'InvalidResponse', `malformed JSON in a watch stream: ${text.slice(0, 80)}`);
  }
}
