import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceTelemetry } from '../telemetry.js';
import { type ApiEndpoint, ApiClient, type WatchEvent } from './api-client.js';
import { KubeApiError } from './api-error.js';
import { FakeApiServer, fakePod } from './testing/fake-api-server.js';

function countingTelemetry() {
  const counts = { requests: [] as string[], bytes: 0, events: [] as string[], open: 0 };
  const telemetry: SourceTelemetry = {
    apiRequest: (_c, verb, resource, code) => counts.requests.push(`${verb} ${resource} ${code}`),
    apiBytes: (_c, _r, bytes) => (counts.bytes += bytes),
    watchEvent: (_c, _r, type) => counts.events.push(type),
    relist: () => {},
    watchOpen: (_c, _r, delta) => (counts.open += delta),
  };
  return { counts, telemetry };
}

describe('ApiClient', () => {
  let server: FakeApiServer;
  let endpoint: ApiEndpoint;
  let authorizations = 0;

  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
    authorizations = 0;
    endpoint = {
      server: server.url,
      async authorize(options) {
        authorizations++;
        options.headers = { ...options.headers, Authorization: `Bearer token-${authorizations}` };
      },
    };
  });
  afterEach(() => server.stop());

  it('GETs JSON with fresh credentials for every request, gzip accepted, counted', async () => {
    const { counts, telemetry } = countingTelemetry();
    const client = new ApiClient({ cluster: 'c', endpoint, telemetry });
    server.collection('/api/v1/pods').upsert(fakePod('a'));
    server.gzip = true;
    const list = (await client.get({ path: '/api/v1/pods', resource: 'pods' }, 'list')) as any;
    expect(list.items.map((p: any) => p.metadata.name)).toEqual(['a']);
    await client.get({ path: '/version', resource: 'discovery' });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(server.requests[0]?.headers['accept-encoding']).toBe('gzip');
    expect(counts.requests).toEqual(['list pods 200', 'get discovery 200']);
    expect(counts.bytes).toBeGreaterThan(50);
    client.close();
  });

  it('maps error responses to KubeApiError with the Status reason and Retry-After', async () => {
    const client = new ApiClient({ cluster: 'c', endpoint });
    server.fail((r) => r.path === '/api/v1/pods', 429, { headers: { 'Retry-After': '7' }, reason: 'TooManyRequests' });
    const error = await client.get({ path: '/api/v1/pods', resource: 'pods' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ status: 429, reason: 'TooManyRequests', retryAfterMs: 7000, transient: true });
    const notFound = await client.get({ path: '/apis/nope/v1/things', resource: 'things' }).catch((e: unknown) => e);
    expect(notFound).toMatchObject({ status: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    client.close();
  });

  it('reports an unreachable server as status 0 with the network error code', async () => {
    await server.stop();
    const client = new ApiClient({ cluster: 'c', endpoint });
    await expect(client.get({ path: '/version', resource: 'discovery' })).rejects.toMatchObject({
      status: 0,
      reason: 'ECONNREFUSED',
    });
    client.close();
  });

  it('times out a request that never answers', async () => {
    server.on((r) => r.path === '/version', () => {});
    const client = new ApiClient({ cluster: 'c', endpoint, requestTimeoutMs: 200 });
    await expect(client.get({ path: '/version', resource: 'discovery' })).rejects.toMatchObject({ status: 0, reason: 'Timeout' });
    client.close();
  });

  it('fails with a clear reason when credentials cannot be obtained', async () => {
    const client = new ApiClient({
      cluster: 'c',
      endpoint: { server: server.url, authorize: () => Promise.reject(new Error('exec plugin aws failed')) },
    });
    await expect(client.get({ path: '/version', resource: 'discovery' })).rejects.toMatchObject({
      status: 0,
      reason: 'CredentialsUnavailable',
      message: 'could not obtain credentials: exec plugin aws failed',
    });
    client.close();
  });

  it('streams watch events as they happen, without waiting for the response to end', async () => {
    const { counts, telemetry } = countingTelemetry();
    const client = new ApiClient({ cluster: 'c', endpoint, telemetry });
    const pods = server.collection('/api/v1/pods');
    const abort = new AbortController();
    const stream = await client.watch({
      path: '/api/v1/pods',
      query: { resourceVersion: String(server.resourceVersion), allowWatchBookmarks: true },
      resource: 'pods',
      idleTimeoutMs: 5000,
      signal: abort.signal,
    });
    expect(server.requests.at(-1)?.query.get('watch')).toBe('true');
    const received: WatchEvent[] = [];
    const iterator = stream[Symbol.asyncIterator]();
    pods.upsert(fakePod('a'));
    received.push(...((await iterator.next()).value as WatchEvent[]));
    pods.bookmark();
    received.push(...((await iterator.next()).value as WatchEvent[]));
    expect(received.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect((received[0]?.object as any).metadata.name).toBe('a');
    expect(counts.open).toBe(1);
    abort.abort();
    await expect(iterator.next()).rejects.toBeInstanceOf(KubeApiError);
    expect(counts.open).toBe(0);
    expect(counts.events).toEqual(['ADDED', 'BOOKMARK']);
    client.close();
  });

  it('ends a watch normally when the server closes it, and fails it when the connection breaks', async () => {
    const client = new ApiClient({ cluster: 'c', endpoint });
    const pods = server.collection('/api/v1/pods');
    const closed = await client.watch({ path: '/api/v1/pods', query: { timeoutSeconds: 0.1 }, resource: 'pods', idleTimeoutMs: 5000 });
    const batches: WatchEvent[][] = [];
    for await (const batch of closed) batches.push(batch);
    expect(batches).toEqual([]);

    const broken = await client.watch({ path: '/api/v1/pods', resource: 'pods', idleTimeoutMs: 5000 });
    const iterator = broken[Symbol.asyncIterator]();
    pods.upsert(fakePod('b'));
    await iterator.next();
    server.dropConnections();
    await expect(iterator.next()).rejects.toMatchObject({ status: 0 });
    client.close();
  });
});
