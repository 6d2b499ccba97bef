import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeltaMessage, SnapshotMessage } from '../model/stream.js';
import { Hub, type Frame, type HubOptions } from './hub.js';
import { ClusterStore } from './store.js';
import { pod, status } from './testing/fixtures.js';

function setup(options: HubOptions = {}) {
  const store = new ClusterStore();
  const sink = store.addCluster('c1', 'one');
  const hub = new Hub(store, { firstSeq: 100, now: () => 42, ...options });
  const frames: Frame[] = [];
  hub.subscribe((frame) => frames.push(frame));
  return { store, sink, hub, frames };
}

function parseFrame(frame: Frame): { id: string; event: string; data: unknown } {
  const match = /^id: (\d+)\nevent: (\w+)\ndata: (.*)\n\n$/s.exec(frame.bytes.toString());
  if (match === null) throw new Error(`not an SSE frame: ${frame.bytes.toString().slice(0, 80)}`);
  return { id: match[1]!, event: match[2]!, data: JSON.parse(match[3]!) };
}

const deltaOf = (frame: Frame) => parseFrame(frame).data as DeltaMessage;

afterEach(() => {
  vi.useRealTimers();
});

describe('Hub', () => {
  it('cuts numbered deltas, encoded as SSE frames, one seq at a time', () => {
    const { sink, hub, frames } = setup();
    sink([{ type: 'upsert', record: pod('a') }]);
    hub.flush();
    sink([{ type: 'delete', kind: 'Pod', uid: 'a' }]);
    hub.flush();
    hub.flush(); // nothing pending: no empty delta

    expect(frames.map((f) => f.seq)).toEqual([101, 102]);
    expect(hub.seq).toBe(102);
    expect(parseFrame(frames[0]!)).toEqual({
      id: '101',
      event: 'delta',
      data: { seq: 101, at: 42, changes: [{ op: 'upsert', cluster: 'c1', record: pod('a') }] },
    });
    expect(deltaOf(frames[1]!).changes).toEqual([{ op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'a' }]);
  });

  it('hands the same Buffer to every subscriber', () => {
    const { sink, hub, frames } = setup();
    const other: Frame[] = [];
    hub.subscribe((frame) => other.push(frame));
    sink([{ type: 'upsert', record: pod('a') }]);
    hub.flush();
    expect(other[0]!.bytes).toBe(frames[0]!.bytes);
  });

  it('coalesces a batch: last write wins per record, upsert then delete is a delete, one status per cluster', () => {
    const { store, sink, hub, frames } = setup();
    const sink2 = store.addCluster('c2', 'two');
    sink([{ type: 'upsert', record: pod('a', { restarts: 1 }) }, { type: 'upsert', record: pod('b') }]);
    sink([{ type: 'upsert', record: pod('a', { restarts: 2 }) }, { type: 'status', status: status('syncing') }]);
    sink([{ type: 'delete', kind: 'Pod', uid: 'b' }, { type: 'status', status: status('live') }]);
    sink2([{ type: 'upsert', record: pod('a') }, { type: 'status', status: status('live') }]);
    hub.flush();

    expect(frames).toHaveLength(1);
    const changes = deltaOf(frames[0]!).changes;
    expect(changes).toHaveLength(5);
    expect(changes).toEqual(
      expect.arrayContaining([
        { op: 'upsert', cluster: 'c1', record: pod('a', { restarts: 2 }) },
        { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'b' },
        { op: 'status', cluster: 'c1', status: status('live') },
        { op: 'upsert', cluster: 'c2', record: pod('a') },
        { op: 'status', cluster: 'c2', status: status('live') },
      ]),
    );
  });

  it('cuts a batch by itself after batchMs', () => {
    vi.useFakeTimers();
    const { sink, frames } = setup({ batchMs: 200 });
    sink([{ type: 'upsert', record: pod('a') }]);
    vi.advanceTimersByTime(150);
    sink([{ type: 'upsert', record: pod('b') }]);
    expect(frames).toHaveLength(0);
    vi.advanceTimersByTime(50);
    expect(frames).toHaveLength(1);
    expect(deltaOf(frames[0]!).changes).toHaveLength(2);
  });

  it('rejects a batch interval outside 100–250 ms', () => {
    expect(() => setup({ batchMs: 50 })).toThrow(/between 100 and 250/);
    expect(() => setup({ batchMs: 300 })).toThrow(/between 100 and 250/);
  });

  it('holds recent frames for resume, bounded by count', () => {
    const { sink, hub } = setup({ ringMaxDeltas: 3 });
    for (let i = 0; i < 5; i++) {
      sink([{ type: 'upsert', record: pod('a', { restarts: i }) }]);
      hub.flush();
    }
    expect(hub.seq).toBe(105);
    expect(hub.framesSince(105)).toEqual([]);
    expect(hub.framesSince(103)?.map((f) => f.seq)).toEqual([104, 105]);
    expect(hub.framesSince(102)?.map((f) => f.seq)).toEqual([103, 104, 105]);
    expect(hub.framesSince(101)).toBeUndefined(); // 102 was evicted
    expect(hub.framesSince(106)).toBeUndefined(); // not from this stream
  });

  it('holds recent frames for resume, bounded by bytes', () => {
    const { sink, hub, frames } = setup({ ringMaxBytes: 10_000 });
    for (let i = 0; i < 5; i++) {
      sink([{ type: 'upsert', record: pod('a', { name: 'x'.repeat(3_000), restarts: i }) }]);
      hub.flush();
    }
    const frameBytes = frames[0]!.bytes.length;
    expect(frameBytes).toBeGreaterThan(3_000);
    const held = Math.floor(10_000 / frameBytes);
    expect(hub.framesSince(105 - held)).toHaveLength(held);
    expect(hub.framesSince(105 - held - 1)).toBeUndefined();
  });

  it('builds the snapshot after cutting the open batch, and shares it until the next delta', () => {
    const { sink, hub, frames } = setup();
    sink([{ type: 'upsert', record: pod('a') }, { type: 'status', status: status('live') }]);
    const first = hub.snapshot();

    expect(frames.map((f) => f.seq)).toEqual([101]);
    expect(first.seq).toBe(101);
    const parsed = parseFrame(first);
    expect(parsed.event).toBe('snapshot');
    expect(parsed.id).toBe('101');
    const message = parsed.data as SnapshotMessage;
    expect(message.seq).toBe(101);
    expect(message.clusters[0]?.pods).toEqual([pod('a')]);
    expect(message.clusters[0]?.status.phase).toBe('live');
    expect(JSON.parse(first.json.toString())).toEqual(message);

    expect(hub.snapshot()).toBe(first);
    sink([{ type: 'delete', kind: 'Pod', uid: 'a' }]);
    const second = hub.snapshot();
    expect(second.seq).toBe(102);
    expect((JSON.parse(second.json.toString()) as SnapshotMessage).clusters[0]?.pods).toEqual([]);
  });

  it('starts from the clock by default, above any seq of an earlier run', () => {
    const store = new ClusterStore();
    const hub = new Hub(store, { now: () => 1_700_000_000_000 });
    expect(hub.seq).toBe(1_700_000_000_000);
  });

  it('drops changes after stop', () => {
    vi.useFakeTimers();
    const { sink, hub, frames } = setup();
    hub.stop();
    sink([{ type: 'upsert', record: pod('a') }]);
    vi.advanceTimersByTime(1_000);
    hub.flush();
    expect(frames).toEqual([]);
  });
});

describe('Hub following deltas cut elsewhere (replicas)', () => {
  /** A watcher's hub and a follower's hub, as two replicas have them. */
  function pair() {
    const watcher = setup();
    const followerStore = new ClusterStore();
    followerStore.addCluster('c1', 'one');
    const follower = new Hub(followerStore, { firstSeq: 100, now: () => 42 });
    const followed: Frame[] = [];
    follower.subscribe((frame) => followed.push(frame));
    return { watcher, followerStore, follower, followed };
  }

  it('adopts each delta with its seq and its exact bytes, and applies it to its store', () => {
    const { watcher, followerStore, follower, followed } = pair();
    watcher.sink([{ type: 'upsert', record: pod('a') }]);
    watcher.hub.flush();
    watcher.sink([{ type: 'upsert', record: pod('b') }, { type: 'delete', kind: 'Pod', uid: 'a' }]);
    watcher.hub.flush();

    for (const frame of watcher.frames) expect(follower.adopt(frame.seq, parseFrameJson(frame))).toBe('applied');
    expect(followed.map((f) => f.bytes.toString())).toEqual(watcher.frames.map((f) => f.bytes.toString()));
    expect(follower.seq).toBe(102);
    // The records; each store's initial status has its own creation time.
    expect(followerStore.snapshot()[0]!.pods).toEqual(watcher.store.snapshot()[0]!.pods);
    // Adopting does not batch the changes again: nothing more is cut.
    follower.flush();
    expect(followed).toHaveLength(2);
  });

  it('tells a duplicate and a gap apart, and applies neither', () => {
    const { watcher, followerStore, follower } = pair();
    for (const uid of ['a', 'b', 'c']) {
      watcher.sink([{ type: 'upsert', record: pod(uid) }]);
      watcher.hub.flush();
    }
    const [first, second, third] = watcher.frames.map((frame) => ({ seq: frame.seq, json: parseFrameJson(frame) }));
    expect(follower.adopt(first!.seq, first!.json)).toBe('applied');
    expect(follower.adopt(first!.seq, first!.json)).toBe('duplicate');
    expect(follower.adopt(third!.seq, third!.json)).toBe('gap');
    expect(followerStore.snapshot()[0]!.pods.map((p) => p.uid)).toEqual(['a']);
    expect(follower.adopt(second!.seq, second!.json)).toBe('applied');
    expect(follower.adopt(third!.seq, third!.json)).toBe('applied');
    expect(followerStore.snapshot()[0]!.pods.map((p) => p.uid)).toEqual(['a', 'b', 'c']);
  });

  it('resets to a snapshot: new state and seq, an empty resume ring, and reset listeners told', () => {
    const { watcher, followerStore, follower } = pair();
    watcher.sink([{ type: 'upsert', record: pod('a') }]);
    watcher.hub.flush();
    follower.adopt(watcher.frames[0]!.seq, parseFrameJson(watcher.frames[0]!));
    const resets = vi.fn();
    follower.onReset(resets);

    const replacement: SnapshotMessage = { seq: 500, clusters: [{ ...watcher.store.snapshot()[0]!, pods: [pod('z')], status: status('live') }] };
    follower.reset(replacement);

    expect(resets).toHaveBeenCalledTimes(1);
    expect(follower.seq).toBe(500);
    expect(follower.framesSince(101)).toBeUndefined();
    expect(follower.framesSince(500)).toEqual([]);
    expect(followerStore.snapshot()[0]!.pods.map((p) => p.uid)).toEqual(['z']);
    expect(followerStore.notYetLive()).toEqual([]);
    expect(JSON.parse(follower.snapshot().json.toString())).toEqual(replacement);
  });
});

describe('Hub reset with the snapshot text as stored', () => {
  it('serves that text as its snapshot when its store re-encodes to exactly it, and encodes afresh when not', () => {
    const { store, hub } = setup();
    const message: SnapshotMessage = { seq: 700, clusters: [{ ...store.snapshot()[0]!, pods: [pod('z')], status: status('live') }] };
    const json = Buffer.from(JSON.stringify(message));
    hub.reset(message, json);
    expect(hub.snapshot().json.equals(json)).toBe(true);
    expect(hub.snapshot().json.toString()).toBe(JSON.stringify({ seq: 700, clusters: store.snapshot() }));

    // Another name for the cluster than this replica was configured with: its own name is served.
    const renamed: SnapshotMessage = { seq: 701, clusters: [{ ...message.clusters[0]!, name: 'elsewhere' }] };
    hub.reset(renamed, Buffer.from(JSON.stringify(renamed)));
    expect(JSON.parse(hub.snapshot().json.toString()).clusters[0].name).toBe('one');
  });
});

describe('Hub jumpTo', () => {
  it('moves the seq on with the state unchanged: older seqs resume by snapshot, reset listeners told', () => {
    const { sink, hub } = setup();
    sink([{ type: 'upsert', record: pod('a') }]);
    hub.flush();
    const resets = vi.fn();
    hub.onReset(resets);
    hub.jumpTo(2_000);
    expect(resets).toHaveBeenCalledTimes(1);
    expect(hub.seq).toBe(2_000);
    expect(hub.framesSince(100)).toBeUndefined();
    const snapshot = JSON.parse(hub.snapshot().json.toString()) as SnapshotMessage;
    expect(snapshot.seq).toBe(2_000);
    expect(snapshot.clusters[0]!.pods.map((p) => p.uid)).toEqual(['a']);
  });
});

function parseFrameJson(frame: Frame): string {
  return JSON.stringify(parseFrame(frame).data);
}
