// Replicas in one process (sources driven by hand) against a real redis-server, with short
// leases, for what the command-level test cannot provoke on cue: a watcher whose lease was taken
// cannot write and exits; a delta missing from the stream makes followers load the next snapshot
// instead of going on with a hole; Redis restarting empty costs the watcher its lease, another
// replica takes over, and a client of a follower goes on without a gap.
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { createClient } from 'redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterState } from '../../src/model/cluster-state.js';
import type { PodRecord } from '../../src/model/records.js';
import type { DeltaMessage, SnapshotMessage } from '../../src/model/stream.js';
import type { ReplicaOptions } from '../../src/server/replication/replica.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { FakeSource, pod, status } from '../../src/server/testing/fixtures.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { StreamClient } from '../support/stream-client.js';

const FAST = { leaseMs: 1_000, renewEveryMs: 200, acquireEveryMs: 100, snapshotEveryMs: 300 };
const PREFIX = 'failures:';

interface TestReplica {
  server: RunningServer;
  source: FakeSource;
  fatal: Error[];
}

let redis: RunningRedis;
const replicas: TestReplica[] = [];
const clients: StreamClient[] = [];

beforeEach(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(replicas.splice(0).map((replica) => replica.server.stop()));
  await redis.stop();
});

async function replica(options: Partial<ReplicaOptions> = {}): Promise<TestReplica> {
  const source = new FakeSource('c1', 'one');
  const fatal: Error[] = [];
  const server = await startServer({
    sources: [source],
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    replication: { url: redis.url, keyPrefix: PREFIX, ...FAST, ...options },
    onFatal: (error) => fatal.push(error),
  });
  const started = { server, source, fatal };
  replicas.push(started);
  return started;
}

/** The replica whose source runs (it holds the lease). */
async function watcherOf(candidates: TestReplica[], timeoutMs = 5_000): Promise<TestReplica> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const watcher = candidates.find((candidate) => isStarted(candidate.source));
    if (watcher !== undefined) return watcher;
    if (Date.now() > deadline) throw new Error('no replica took the lease');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function isStarted(source: FakeSource): boolean {
  try {
    source.emit();
    return true;
  } catch {
    return false;
  }
}

async function follow(target: TestReplica): Promise<StreamClient> {
  const client = new StreamClient(target.server.url);
  clients.push(client);
  await client.connect();
  return client;
}

async function redisClient() {
  const client = createClient({ url: redis.url });
  await client.connect();
  return client;
}

const podUids = (client: StreamClient) => client.records('Pod').map((p) => p.uid).sort();

type Direct = Awaited<ReturnType<typeof redisClient>>;

async function storeSnapshot(direct: Direct, seq: number, pods: PodRecord[]): Promise<void> {
  const cluster = { ...new ClusterState('c1', 'one', status('live')).toSnapshot(), pods };
  const message: SnapshotMessage = { seq, clusters: [cluster] };
  await direct.hSet(`${PREFIX}snapshot`, { seq: String(seq), gz: gzipSync(JSON.stringify(message)) });
}

async function appendDelta(direct: Direct, seq: number, record: PodRecord): Promise<void> {
  const delta: DeltaMessage = { seq, at: Date.now(), changes: [{ op: 'upsert', cluster: 'c1', record }] };
  await direct.xAdd(`${PREFIX}deltas`, `${seq}-0`, { d: JSON.stringify(delta) });
}

describe('replicas when things go wrong', () => {
  it('a watcher whose lease another replica took cannot publish, and reports a fatal error', async () => {
    const a = await replica();
    const watcher = await watcherOf([a]);
    watcher.source.emit({ type: 'upsert', record: pod('p1') }, { type: 'status', status: status('live') });
    const direct = await redisClient();
    await direct.set(`${PREFIX}lease`, 'someone-else');
    watcher.source.emit({ type: 'upsert', record: pod('p2') });

    await expect.poll(() => watcher.fatal.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(watcher.fatal[0]!.message).toMatch(/another replica/);
    // Nothing it cut after losing the lease reached the stream.
    const entries = await direct.xRange(`${PREFIX}deltas`, '-', '+');
    expect((entries ?? []).map((entry) => entry.message['d']).join('')).not.toContain('"p2"');
    await direct.close();
  });

  it('a follower that finds a delta missing loads the next snapshot instead of going on with a hole', async () => {
    // The stream as a watcher would have left it, written by hand: a snapshot at seq 10, then
    // deltas 11, 12 and 14; 13 never arrived. The lease is held by "elsewhere" all along.
    const direct = await redisClient();
    await direct.set(`${PREFIX}lease`, 'elsewhere', { expiration: { type: 'PX', value: 60_000 } });
    await storeSnapshot(direct, 10, [pod('p10')]);
    for (const seq of [11, 12, 14]) await appendDelta(direct, seq, pod(`p${seq}`));
    const follower = await replica();
    const client = await follow(follower);
    await client.waitFor(() => podUids(client).includes('p12'), 5_000, 'deltas 11 and 12');
    // Stuck before the hole, not past it with delta 13 missing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(podUids(client)).toEqual(['p10', 'p11', 'p12']);

    // The watcher stores a snapshot that covers the hole: the follower loads it and goes on.
    await storeSnapshot(direct, 14, ['p10', 'p11', 'p12', 'p13', 'p14'].map((uid) => pod(uid)));
    await appendDelta(direct, 15, pod('p15'));
    await client.waitFor(() => podUids(client).includes('p15'), 5_000, 'delta 15 after the snapshot at 14');
    expect(podUids(client)).toEqual(['p10', 'p11', 'p12', 'p13', 'p14', 'p15']);
    expect(client.errors).toEqual([]);
    expect(client.snapshots).toBe(2);
    expect(isStarted(follower.source)).toBe(false);
    await direct.close();
  });

  it('Redis restarting empty: the watcher loses its lease, another takes over, and a follower\'s client goes on without a gap', async () => {
    const a = await replica();
    const b = await replica();
    const first = await watcherOf([a, b]);
    first.source.emit({ type: 'upsert', record: pod('p1') }, { type: 'status', status: status('live') });
    const other = first === a ? b : a;
    const client = await follow(other);
    await client.waitFor(() => podUids(client).includes('p1'), 5_000, 'p1');

    const port = redis.port;
    await redis.stop();
    redis = await startRedis(port);

    await expect.poll(() => first.fatal.length, { timeout: 10_000 }).toBeGreaterThan(0);
    // The process would exit here; the test stops it as the CLI does.
    await first.server.stop();
    replicas.splice(replicas.indexOf(first), 1);
    const next = await watcherOf([other], 10_000);
    next.source.emit({ type: 'upsert', record: pod('p1') }, { type: 'upsert', record: pod('p2') }, { type: 'status', status: status('live') });

    await client.waitFor(() => podUids(client).join() === 'p1,p2', 10_000, 'p2 from the new watcher');
    expect(client.errors).toEqual([]);
  });

  it('a delta too large for the stream reaches followers as a snapshot at its seq, and the stream never holds it', async () => {
    const a = await replica({ maxStreamDeltaBytes: 20_000, snapshotEveryMs: 60_000 });
    const watcher = await watcherOf([a]);
    watcher.source.emit({ type: 'upsert', record: pod('small') }, { type: 'status', status: status('live') });
    const b = await replica({ maxStreamDeltaBytes: 20_000, snapshotEveryMs: 60_000 });
    const client = await follow(b);
    await client.waitFor(() => podUids(client).includes('small'), 5_000, 'the small pod');

    // A first sync's worth: 200 pods in one batch, far over 20 kB as one delta.
    watcher.source.emit(...Array.from({ length: 200 }, (_, i) => ({ type: 'upsert' as const, record: pod(`bulk-${i}`) })));
    await client.waitFor(() => podUids(client).length === 201, 5_000, 'the 200 pods');
    expect(client.errors).toEqual([]);
    const direct = await redisClient();
    const stream = (await direct.xRange(`${PREFIX}deltas`, '-', '+')) ?? [];
    expect(stream.some((entry) => entry.message['d']!.includes('bulk-0'))).toBe(false);
    // And the stream goes on from there: the next small delta is streamed and followed.
    watcher.source.emit({ type: 'upsert', record: pod('after') });
    await client.waitFor(() => podUids(client).includes('after'), 5_000, 'the pod after');
    expect(((await direct.xRange(`${PREFIX}deltas`, '-', '+')) ?? []).some((entry) => entry.message['d']!.includes('"after"'))).toBe(true);
    await direct.close();
  });
});
