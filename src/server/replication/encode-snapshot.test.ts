import { describe, expect, it } from 'vitest';
import { ClusterState } from '../../model/cluster-state.js';
import type { SnapshotMessage } from '../../model/stream.js';
import { node, pod } from '../../model/testing/records.js';
import { encodeSnapshotInSlices } from './encode-snapshot.js';

describe('encodeSnapshotInSlices', () => {
  it('gives the exact bytes of JSON.stringify, hostile strings included, for any slice size', async () => {
    const one = new ClusterState('c1', 'one');
    for (let i = 0; i < 25; i++) one.apply({ op: 'upsert', record: pod(`p${i}`, { name: `web-${i}`, labels: { app: '<script>"\u2028\\' } }) });
    one.apply({ op: 'upsert', record: node('n1') });
    const empty = new ClusterState('c2', 'two "quoted"');
    const message: SnapshotMessage = { seq: 1795656886558, clusters: [one.toSnapshot(), empty.toSnapshot()] };
    for (const slice of [1, 3, 7, 1_000]) {
      expect((await encodeSnapshotInSlices(message, slice)).toString()).toBe(JSON.stringify(message));
    }
    expect((await encodeSnapshotInSlices({ seq: 5, clusters: [] })).toString()).toBe('{"seq":5,"clusters":[]}');
  });

  it('lets other work run while it encodes', async () => {
    const state = new ClusterState('c1', 'one');
    for (let i = 0; i < 5_000; i++) state.apply({ op: 'upsert', record: pod(`p${i}`) });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await encodeSnapshotInSlices({ seq: 1, clusters: [state.toSnapshot()] }, 100);
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(0);
  });
});
