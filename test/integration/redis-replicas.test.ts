// Several replicas of the real `kubeglance` command sharing a real redis-server (Debian's
// package), against the real API server: one watches, the others follow; the watcher is killed
// outright, another takes over within 15 s, and stream clients (one on a follower, one moved
// from the dead watcher to another replica with Last-Event-ID) go on without a gap or a
// duplicate, ending with exactly the model of a fresh snapshot. Then a clean stop hands over at once.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SnapshotMessage } from '../../src/model/stream.js';
import { kubectl } from '../support/control-plane.js';
import { isWatching as watching, startKubeglance, waitUntil, type RunningKubeglance } from '../support/kubeglance-process.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { canonicalModel, clientClusters, StreamClient } from '../support/stream-client.js';

const NAMESPACE = 'redis-replicas';
const TAKEOVER_LIMIT_MS = 15_000;

let redis: RunningRedis;
const replicas: RunningKubeglance[] = [];
const clients: StreamClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  await kubectl(['create', 'namespace', NAMESPACE]).catch(() => undefined);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(replicas.map((replica) => replica.stop()));
  await redis?.stop();
  await kubectl(['-n', NAMESPACE, 'delete', 'services', '--all', '--wait=false']).catch(() => undefined);
});

describe('replicas sharing one Redis', () => {
  it('one watches; killed, another takes over within 15 s, and every client goes on without a gap or a duplicate', async () => {
    const args = ['--kubeconfig', inject('kubeconfig'), '--redis-url', redis.url, '--redis-key-prefix', `test-${Date.now()}:`];
    const first = await start(args);
    await waitUntil(async () => (await watching(first)) === true, 30_000, 'the first replica to take the lease');
    const second = await start(args);
    const third = await start(args);
    expect(await watching(second)).toBe(false);
    expect(await watching(third)).toBe(false);

    const onFollower = await connect(second.url);
    const onWatcher = await connect(first.url);
    await createService('before');
    await Promise.all([onFollower, onWatcher].map((client) => client.waitFor(() => hasService(client, 'before'), 10_000, 'service "before"')));

    first.process.kill('SIGKILL');
    const killedAt = Date.now();
    // While nobody watches: one object added, one deleted. The next watcher must find both.
    await createService('during');
    await kubectl(['-n', NAMESPACE, 'delete', 'service', 'before']);

    const next = await waitUntil(
      async () => ((await watching(second)) ? second : (await watching(third)) ? third : undefined),
      TAKEOVER_LIMIT_MS + 5_000,
      'another replica to take the lease',
    );
    const takeoverMs = Date.now() - killedAt;
    const changesAtTakeover = onFollower.changes;
    console.log(`[redis-replicas] takeover ${takeoverMs} ms after the watcher was killed`);
    expect(takeoverMs).toBeLessThan(TAKEOVER_LIMIT_MS);

    // The client of the dead watcher moves to a replica that was following, as EventSource would.
    await onWatcher.ended();
    const snapshotsBeforeResume = onWatcher.snapshots;
    const other = next === second ? third : second;
    await onWatcher.resumeAt(other.url);

    await createService('after');
    for (const client of [onFollower, onWatcher]) {
      await client.waitFor(
        () => hasService(client, 'during') && hasService(client, 'after') && !hasService(client, 'before'),
        20_000,
        'the changes made during and after the takeover',
      );
      expect(client.errors).toEqual([]);
    }
    // What the re-list on top of the served state sent: the three service changes, the rest is
    // whatever else moved in the cluster meanwhile (statuses, metrics, events).
    console.log(`[redis-replicas] ${onFollower.changes - changesAtTakeover} changes reached a client from the takeover until the changes were seen`);
    // It resumed from the deltas the other replica held: no snapshot needed.
    expect(onWatcher.snapshots).toBe(snapshotsBeforeResume);
    await expectModelEqualsFreshSnapshot(onFollower, second.url);
    await expectModelEqualsFreshSnapshot(onWatcher, other.url);

    // A clean stop releases the lease: the last follower takes over within its next attempt.
    const stoppedAt = Date.now();
    expect(await next.stop()).toBe(0);
    await waitUntil(async () => (await watching(other)) === true, 5_000, 'the last replica to take the lease after a clean stop');
    console.log(`[redis-replicas] takeover ${Date.now() - stoppedAt} ms after a clean stop`);
    const survivor = next === second ? onWatcher : onFollower;
    if (survivor === onFollower) await onFollower.resumeAt(other.url);
    await createService('last');
    await survivor.waitFor(() => hasService(survivor, 'last'), 20_000, 'service "last"');
    expect(survivor.errors).toEqual([]);
    await expectModelEqualsFreshSnapshot(survivor, other.url);
  });
});

async function start(args: string[]): Promise<RunningKubeglance> {
  const replica = await startKubeglance(args);
  replicas.push(replica);
  return replica;
}

async function connect(url: string): Promise<StreamClient> {
  const client = new StreamClient(url, 400);
  clients.push(client);
  await client.connect();
  await client.waitFor(() => client.cluster().status.phase === 'live', 60_000, 'cluster live');
  return client;
}

async function createService(name: string): Promise<void> {
  await kubectl(['-n', NAMESPACE, 'create', 'service', 'clusterip', name, '--tcp=80:8080']);
}

function hasService(client: StreamClient, name: string): boolean {
  return client.find('Service', name, NAMESPACE) !== undefined;
}

/**
 * The client's model right after seq S equals a snapshot fetched at seq S. The snapshot can be
 * ahead of or behind the client at the moment it arrives, so the client keeps its recent models.
 */
async function expectModelEqualsFreshSnapshot(client: StreamClient, url: string): Promise<void> {
  const snapshot = (await (await fetch(new URL('/api/v1/snapshot', url))).json()) as SnapshotMessage;
  await client.waitFor(() => client.seq >= snapshot.seq, 10_000, `seq ${snapshot.seq}`);
  const model = client.modelAt(snapshot.seq);
  expect(model, `the client's model at seq ${snapshot.seq}`).toBeDefined();
  expect(model).toBe(canonicalModel(clientClusters(snapshot)));
}
