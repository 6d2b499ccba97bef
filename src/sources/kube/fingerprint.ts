// A cheap identity for a compact record, so an unchanged record is not sent again.
//
// Node status heartbeats, pod probe times and lease renewals change an object's
// resourceVersion many times a minute while nothing kubeglance draws changes. Keeping the last
// record's JSON per uid would cost hundreds of bytes for each of 150,000 pods; a 53-bit hash
// of it (cyrb53) costs 8, and a collision (a change not sent) has a chance of 1 in 2^53.
import type { ClusterRecord } from '../../model/records.js';

export function fingerprint(record: ClusterRecord): number {
  const text = JSON.stringify(record);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
