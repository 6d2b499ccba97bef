import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClusterState } from '../../model/cluster-state.js';
import type { ClusterStatus } from '../../model/cluster-status.js';
import type { ClusterRecord } from '../../model/records.js';
import type { Change, DeltaMessage, SnapshotMessage } from '../../model/stream.js';
import { node, pod } from '../../model/testing/records.js';
import { LiveStore, type ConnectionState, type StoreEvent } from './live-store.js';

/** EventSource as the store uses it: listeners, readyState, close; the test plays the server. */
class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static all: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  closed = false;

  constructor(readonly url: string) {
    super();
    FakeEventSource.all.push(this);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.closed = true;
  }

  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  send(event: 'delta' | 'snapshot', data: DeltaMessage | SnapshotMessage): void {
    // A browser dispatches nothing on a source that was closed: a test doing so is wrong.
    if (this.closed) throw new Error(`${event} sent on a closed stream`);
    this.dispatchEvent(new MessageEvent(event, { data: JSON.stringify(data), lastEventId: String(data.seq) }));
  }

  /** The connection dropped: the browser retries by itself. */
  drop(): void {
    this.readyState = FakeEventSource.CONNECTING;
    this.dispatchEvent(new Event('error'));
  }

  /** The server refused the stream (HTTP error): the browser gives up. */
  refuse(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.dispatchEvent(new Event('error'));
  }
}

const LIVE: ClusterStatus = { phase: 'live', since: 1, kinds: {}, metrics: 'available' };

function cluster(id: string, records: ClusterRecord[], status = LIVE): ClusterState {
  const state = new ClusterState(id, `cluster ${id}`, status);
  for (const record of records) state.apply({ op: 'upsert', record });
  return state;
}

function snapshot(seq: number, ...clusters: ClusterState[]): SnapshotMessage {
  return { seq, clusters: clusters.map((c) => c.toSnapshot()) };
}

function delta(seq: number, ...changes: Change[]): DeltaMessage {
  return { seq, at: 0, changes };
}

/** What fetch resolves to, as far as the store reads it. */
function response(body: unknown, status = 200): Response {
  const text = JSON.stringify(body);
  return { ok: status >= 200 && status < 300, status, text: () => Promise.resolve(text) } as Response;
}

/** Lets the store's awaits (fetch, text) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const n1 = node('n1', { name: 'n1' });
const n2 = node('n2', { name: 'n2' });
const p1 = pod('p1', { nodeName: 'n1' });
const first = () => cluster('c1', [n1, n2, p1]);

let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;
let events: StoreEvent[];
let connections: ConnectionState[];

function newStore(): LiveStore {
  return new LiveStore({ baseUrl: 'http://kubeglance.test', onEvent: (e) => events.push(e), onConnection: (c) => connections.push(c) });
}

/** A started store that has applied `snap` and whose stream is open. */
async function liveStore(snap = snapshot(5, first())): Promise<{ store: LiveStore; source: FakeEventSource }> {
  fetchMock.mockResolvedValueOnce(response(snap));
  const store = newStore();
  store.start();
  await settle();
  const source = FakeEventSource.all.at(-1)!;
  source.open();
  events.length = 0;
  return { store, source };
}

beforeEach(() => {
  FakeEventSource.all = [];
  events = [];
  connections = [];
  fetchMock = vi.fn<typeof fetch>();
  vi.stubGlobal('fetch', fetchMock);
  vi.stubGlobal('EventSource', FakeEventSource);
  // Retry delays without jitter: exactly 1 s, 2 s, 4 s...
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('LiveStore', () => {
  it('fetches a snapshot, then follows the stream from right after its seq', async () => {
    const snap = snapshot(5, first());
    fetchMock.mockResolvedValueOnce(response(snap));
    const store = newStore();
    expect(store.connection.phase).toBe('connecting');
    store.start();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]![0]).toBe('http://kubeglance.test/api/v1/snapshot');
    expect(fetchMock.mock.calls[0]![1]).toMatchObject({ headers: { accept: 'application/json' } });
    await settle();

    expect(events).toEqual([{ type: 'reset' }]);
    expect(store.lastSeq).toBe(5);
    expect(store.lastSnapshotChars).toBe(JSON.stringify(snap).length);
    expect([...store.clusters.keys()]).toEqual(['c1']);
    expect(store.clusters.get('c1')!.get('Pod', 'p1')).toEqual(p1);
    expect(store.clusters.get('c1')!.status).toEqual(LIVE);

    expect(FakeEventSource.all.map((s) => s.url)).toEqual(['http://kubeglance.test/api/v1/stream?lastEventId=5']);
    expect(connections).toEqual([]);
    FakeEventSource.all[0]!.open();
    expect(store.connection.phase).toBe('live');
    expect(connections.map((c) => c.phase)).toEqual(['live']);
  });

  it('applies deltas in order and reports every change with what it was before', async () => {
    const { store, source } = await liveStore();
    const p2 = pod('p2', { nodeName: 'n2' });
    const moved = { ...p1, nodeName: 'n2' };

    source.send('delta', delta(6, { op: 'upsert', cluster: 'c1', record: p2 }, { op: 'upsert', cluster: 'c1', record: moved }));
    expect(events).toEqual([{
      type: 'changes',
      changes: [
        { cluster: 'c1', kind: 'Pod', uid: 'p2', previous: undefined, current: p2 },
        { cluster: 'c1', kind: 'Pod', uid: 'p1', previous: p1, current: moved },
      ],
      statusChanged: new Set(),
    }]);
    expect(store.lastSeq).toBe(6);
    expect(store.clusters.get('c1')!.podsOnNode('n2').map((p) => p.uid).sort()).toEqual(['p1', 'p2']);

    events.length = 0;
    const stale: ClusterStatus = { ...LIVE, phase: 'stale', since: 2, reason: 'watch timed out' };
    source.send('delta', delta(7, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'p2' }, { op: 'status', cluster: 'c1', status: stale }));
    expect(events).toEqual([{
      type: 'changes',
      changes: [{ cluster: 'c1', kind: 'Pod', uid: 'p2', previous: p2, current: undefined }],
      statusChanged: new Set(['c1']),
    }]);
    expect(store.clusters.get('c1')!.status).toEqual(stale);

    // Changes that change nothing, or concern a cluster the snapshot did not have, make no event,
    // but the sequence moves on.
    events.length = 0;
    source.send('delta', delta(8, { op: 'upsert', cluster: 'c1', record: moved }, { op: 'status', cluster: 'c1', status: stale }));
    source.send('delta', delta(9, { op: 'upsert', cluster: 'other', record: pod('x') }, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'nope' }));
    expect(events).toEqual([]);
    expect(store.lastSeq).toBe(9);
    expect(store.clusters.has('other')).toBe(false);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('ignores deltas it already has (the overlap of a resumed stream)', async () => {
    const { store, source } = await liveStore();
    source.send('delta', delta(5, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'p1' }));
    source.send('delta', delta(2, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'p1' }));
    expect(events).toEqual([]);
    expect(store.lastSeq).toBe(5);
    expect(store.clusters.get('c1')!.get('Pod', 'p1')).toEqual(p1);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(source.closed).toBe(false);

    source.send('delta', delta(6, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'p1' }));
    expect(store.clusters.get('c1')!.get('Pod', 'p1')).toBeUndefined();
    expect(store.lastSeq).toBe(6);
  });

  it('starts again from a fresh snapshot when a delta skips a seq', async () => {
    const { store, source } = await liveStore();
    const later = cluster('c1', [n1, n2, p1, pod('p3', { nodeName: 'n1' })]);
    fetchMock.mockResolvedValueOnce(response(snapshot(12, later)));

    source.send('delta', delta(7, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'p1' }));
    // Nothing of the delta after the gap is applied; the stream is dropped at once.
    expect(store.clusters.get('c1')!.get('Pod', 'p1')).toEqual(p1);
    expect(source.closed).toBe(true);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await settle();

    expect(events).toEqual([{ type: 'reset' }]);
    expect(store.lastSeq).toBe(12);
    expect(store.clusters.get('c1')!.get('Pod', 'p3')).toBeDefined();
    expect(FakeEventSource.all).toHaveLength(2);
    const resumed = FakeEventSource.all[1]!;
    expect(resumed.url).toBe('http://kubeglance.test/api/v1/stream?lastEventId=12');
    resumed.open();
    resumed.send('delta', delta(13, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'p3' }));
    expect(store.lastSeq).toBe(13);
    expect(store.clusters.get('c1')!.get('Pod', 'p3')).toBeUndefined();
  });

  it('resets the model on a snapshot frame from the stream', async () => {
    const { store, source } = await liveStore();
    const other = cluster('c2', [node('m1', { name: 'm1' })]);
    source.send('snapshot', snapshot(40, other));
    expect(events).toEqual([{ type: 'reset' }]);
    expect([...store.clusters.keys()]).toEqual(['c2']);
    expect(store.lastSeq).toBe(40);

    // Deltas continue from the frame's seq, on the same stream.
    source.send('delta', delta(6, { op: 'upsert', cluster: 'c1', record: pod('old') }));
    source.send('delta', delta(41, { op: 'upsert', cluster: 'c2', record: pod('q', { nodeName: 'm1' }) }));
    expect(store.lastSeq).toBe(41);
    expect(store.clusters.get('c2')!.podsOnNode('m1').map((p) => p.uid)).toEqual(['q']);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(source.closed).toBe(false);
  });

  it('retries a failed snapshot with growing delays, saying why', async () => {
    vi.useFakeTimers();
    fetchMock
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(response({ error: 'no' }, 503))
      .mockResolvedValueOnce(response(snapshot(3, first())));
    const store = newStore();
    store.start();
    await settle();
    expect(store.connection).toMatchObject({ phase: 'connecting', reason: 'Failed to fetch' });
    expect(FakeEventSource.all).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(999);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await settle();
    expect(store.connection).toMatchObject({ phase: 'connecting', reason: 'snapshot: HTTP 503' });

    await vi.advanceTimersByTimeAsync(1_999);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledTimes(3);
    await settle();
    expect(events).toEqual([{ type: 'reset' }]);
    expect(store.lastSeq).toBe(3);
    FakeEventSource.all[0]!.open();
    expect(store.connection.phase).toBe('live');
    expect(connections.map((c) => [c.phase, c.reason])).toEqual([
      ['connecting', 'Failed to fetch'],
      ['connecting', 'snapshot: HTTP 503'],
      ['live', undefined],
    ]);
    store.stop();
  });

  it('stops and says so when the server wants a login (401), instead of retrying', async () => {
    vi.useFakeTimers();
    fetchMock.mockResolvedValueOnce(response({ error: { code: 'unauthorized' } }, 401));
    const unauthorized = vi.fn();
    const store = new LiveStore({ onEvent: (event) => events.push(event), onUnauthorized: unauthorized });
    store.start();
    await settle();
    expect(unauthorized).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(FakeEventSource.all).toHaveLength(0);
  });

  it('doubles the retry delay up to 30 seconds', async () => {
    vi.useFakeTimers();
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const store = newStore();
    store.start();
    await settle();
    for (const [i, delay] of [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000].entries()) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(fetchMock).toHaveBeenCalledTimes(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(fetchMock).toHaveBeenCalledTimes(i + 2);
      await settle();
    }
    store.stop();
  });

  it('reconnects from a snapshot when the server refuses the stream, as "reconnecting"', async () => {
    vi.useFakeTimers();
    const { store, source } = await liveStore();
    fetchMock.mockResolvedValueOnce(response(snapshot(9, first())));
    source.refuse();
    expect(store.connection).toMatchObject({ phase: 'reconnecting', reason: 'stream closed by the server' });
    expect(fetchMock).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await settle();
    expect(events).toEqual([{ type: 'reset' }]);
    expect(FakeEventSource.all.map((s) => s.url.split('?')[1])).toEqual(['lastEventId=5', 'lastEventId=9']);
    FakeEventSource.all[1]!.open();
    expect(store.connection.phase).toBe('live');
    store.stop();
  });

  it('reports a failed snapshot after a gap as "reconnecting" (it had data) and retries', async () => {
    vi.useFakeTimers();
    const { store, source } = await liveStore();
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValueOnce(response(snapshot(30, first())));
    source.send('delta', delta(8, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'p1' }));
    await settle();
    expect(store.connection).toMatchObject({ phase: 'reconnecting', reason: 'Failed to fetch' });
    // The model stays as it was, for the views, until the new snapshot.
    expect(store.clusters.get('c1')!.get('Pod', 'p1')).toEqual(p1);
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(store.lastSeq).toBe(30);
    expect(FakeEventSource.all.at(-1)!.url).toMatch(/lastEventId=30$/);
    store.stop();
  });

  it('shows a dropped stream as reconnecting while the browser retries it, and live again when it opens', async () => {
    const { store, source } = await liveStore();
    source.drop();
    expect(store.connection).toMatchObject({ phase: 'reconnecting', reason: 'stream interrupted' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(source.closed).toBe(false);
    source.open();
    expect(store.connection.phase).toBe('live');
    source.send('delta', delta(6, { op: 'delete', cluster: 'c1', kind: 'Pod', uid: 'p1' }));
    expect(store.lastSeq).toBe(6);
  });

  it('stop() closes the stream', async () => {
    const { store, source } = await liveStore();
    store.stop();
    expect(source.closed).toBe(true);
  });

  it('stop() cancels a pending retry, and a stopped store opens no stream', async () => {
    vi.useFakeTimers();
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const store = newStore();
    store.start();
    await settle();
    store.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);

    // Stopped while the snapshot is on its way.
    fetchMock.mockResolvedValueOnce(response(snapshot(1, first())));
    const other = newStore();
    other.start();
    other.stop();
    await settle();
    expect(FakeEventSource.all).toHaveLength(0);
  });
});
