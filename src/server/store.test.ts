import { describe, expect, it } from 'vitest';
import type { Change } from '../model/stream.js';
import { ClusterStore } from './store.js';
import { pod, status } from './testing/fixtures.js';

describe('ClusterStore', () => {
  it('turns source events into stream changes and passes on only those that changed something', () => {
    const store = new ClusterStore();
    const sink = store.addCluster('c1', 'one');
    const heard: Change[][] = [];
    store.subscribe((changes) => heard.push(changes));

    sink([{ type: 'upsert', record: pod('a') }, { type: 'upsert', record: pod('a') }]);
    sink([{ type: 'upsert', record: pod('a') }, { type: 'delete', kind: 'Pod', uid: 'zzz' }]);
    sink([{ type: 'delete', kind: 'Pod', uid: 'a' }]);

    expect(heard).toEqual([
      [{ op: 'upsert', cluster: 'c1', record: pod('a') }],
      [{ op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'a' }],
    ]);
  });

  it('keeps clusters apart', () => {
    const store = new ClusterStore();
    store.addCluster('c1', 'one')([{ type: 'upsert', record: pod('a') }]);
    store.addCluster('c2', 'two')([{ type: 'upsert', record: pod('b') }]);
    const [one, two] = store.snapshot();
    expect(one?.pods.map((p) => p.uid)).toEqual(['a']);
    expect(two?.pods.map((p) => p.uid)).toEqual(['b']);
    expect(store.summaries().map((s) => [s.id, s.name, s.status.phase])).toEqual([
      ['c1', 'one', 'connecting'],
      ['c2', 'two', 'connecting'],
    ]);
  });

  it('counts a cluster as ready once it has been live, even if it goes stale later', () => {
    const store = new ClusterStore();
    const sink1 = store.addCluster('c1', 'one');
    store.addCluster('c2', 'two');
    expect(store.notYetLive().map((s) => s.id)).toEqual(['c1', 'c2']);
    sink1([{ type: 'status', status: status('live') }]);
    sink1([{ type: 'status', status: status('stale') }]);
    expect(store.notYetLive().map((s) => s.id)).toEqual(['c2']);
  });

  it('refuses a duplicate cluster id and events for an unknown one', () => {
    const store = new ClusterStore();
    store.addCluster('c1', 'one');
    expect(() => store.addCluster('c1', 'again')).toThrow(/duplicate/);
    expect(() => store.apply('nope', [])).toThrow(/unknown cluster/);
  });
});
