import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../model/cluster-status.js';
import type { Change } from '../model/stream.js';
import { ClusterStore } from './store.js';
import { usage } from '../model/testing/records.js';
import { pod, status } from './testing/fixtures.js';

/** A store holding what an old watcher published, about to be re-listed by a new source. */
function heldStore() {
  const store = new ClusterStore();
  const sink = store.addCluster('c1', 'one');
  sink([
    { type: 'upsert', record: pod('kept') },
    { type: 'upsert', record: pod('changed', { restarts: 0 }) },
    { type: 'upsert', record: pod('gone') },
    { type: 'status', status: { ...status('live'), kinds: { Pod: { state: 'live', count: 3 } } } },
  ]);
  const heard: Change[] = [];
  store.subscribe((changes) => heard.push(...changes));
  store.beginResync();
  return { store, sink, heard };
}

const syncing: ClusterStatus = { ...status('syncing', 2), kinds: { Pod: { state: 'syncing', count: 0 } } };
const podsLive: ClusterStatus = { ...status('live', 3), kinds: { Pod: { state: 'live', count: 2 } } };

describe('resync after a takeover', () => {
  it('passes on only real differences, and deletes what was not listed again once the kind is synced', () => {
    const { sink, heard, store } = heldStore();
    sink([{ type: 'status', status: syncing }]);
    sink([{ type: 'upsert', record: pod('kept') }, { type: 'upsert', record: pod('changed', { restarts: 4 }) }]);
    // Not synced yet: "gone" may still come.
    expect(heard.filter((c) => c.op !== 'status')).toEqual([{ op: 'upsert', cluster: 'c1', record: pod('changed', { restarts: 4 }) }]);

    sink([{ type: 'status', status: podsLive }]);
    expect(heard.filter((c) => c.op === 'delete')).toEqual([{ op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'gone' }]);
    expect(store.snapshot()[0]!.pods.map((p) => p.uid).sort()).toEqual(['changed', 'kept']);
  });

  it('waits for a status from the new source: the old "live" says nothing about the new lists', () => {
    const { sink, heard } = heldStore();
    sink([{ type: 'upsert', record: pod('kept') }]);
    expect(heard.filter((c) => c.op === 'delete')).toEqual([]);
  });

  it('a record listed again late, after a delete of its own, is not deleted twice', () => {
    const { sink, heard } = heldStore();
    sink([{ type: 'status', status: syncing }, { type: 'delete', kind: 'Pod', uid: 'gone' }]);
    sink([{ type: 'upsert', record: pod('kept') }, { type: 'upsert', record: pod('changed') }, { type: 'status', status: podsLive }]);
    expect(heard.filter((c) => c.op === 'delete')).toEqual([{ op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'gone' }]);
  });

  it('sweeps metrics when the metrics status settles and traffic when the traffic status does', () => {
    const store = new ClusterStore();
    const sink = store.addCluster('c1', 'one');
    sink([{ type: 'upsert', record: usage('PodMetrics', 'm1', { cpu: 1, memory: 1 }) }]);
    const heard: Change[] = [];
    store.subscribe((changes) => heard.push(...changes));
    store.beginResync();

    sink([{ type: 'status', status: { ...status('live'), metrics: 'pending' } }]);
    expect(heard.filter((c) => c.op === 'delete')).toEqual([]);
    sink([{ type: 'status', status: { ...status('live'), metrics: 'unavailable' } }]);
    expect(heard.filter((c) => c.op === 'delete')).toEqual([{ op: 'delete', cluster: 'c1', kind: 'PodMetrics', uid: 'm1' }]);
  });
});
