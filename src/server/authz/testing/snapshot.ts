// Helpers for the authorization tests: what a snapshot lists.
import type { KindKey, SnapshotMessage } from '../../../model/stream.js';

/** The uids listed under `key` in the first cluster of `snapshot`, sorted. */
export const uids = (snapshot: SnapshotMessage, key: KindKey): string[] => snapshot.clusters[0]![key].map((r) => r.uid).sort();
