// The snapshot the watcher stores every 30 s, encoded a slice at a time. One JSON.stringify of
// 150,000 pods (about 240 MiB) holds the event loop for seconds: deltas stop, the lease renewal
// waits. The records are captured first (arrays of references at one seq: records are immutable
// values, so later changes cannot alter them), then encoded `recordsPerSlice` at a time with a
// turn of the event loop in between.
import type { SnapshotMessage } from '../../model/stream.js';

const DEFAULT_RECORDS_PER_SLICE = 2_000;

/** The same JSON as JSON.stringify(message), as one Buffer, built without a long pause. */
export async function encodeSnapshotInSlices(message: SnapshotMessage, recordsPerSlice = DEFAULT_RECORDS_PER_SLICE): Promise<Buffer> {
  const parts: string[] = [`{"seq":${JSON.stringify(message.seq)},"clusters":[`];
  let sinceYield = 0;
  for (const [c, cluster] of message.clusters.entries()) {
    parts.push(c === 0 ? '{' : ',{');
    for (const [k, [key, value]] of Object.entries(cluster).entries()) {
      parts.push(`${k === 0 ? '' : ','}${JSON.stringify(key)}:`);
      if (!Array.isArray(value)) {
        parts.push(JSON.stringify(value));
        continue;
      }
      parts.push('[');
      for (let i = 0; i < value.length; i++) {
        parts.push(i === 0 ? JSON.stringify(value[i]) : `,${JSON.stringify(value[i])}`);
        if (++sinceYield >= recordsPerSlice) {
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      parts.push(']');
    }
    parts.push('}');
  }
  parts.push(']}');
  return Buffer.from(parts.join(''));
}
