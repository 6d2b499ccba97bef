import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotMessage } from '../model/stream.js';
import { KIND_KEYS } from '../model/stream.js';
import { acceptsGzip, buildApp, escapeHtml, HttpError, SECURITY_HEADERS } from './http.js';
import { Hub } from './hub.js';
import { ServerMetrics } from './metrics.js';
import { ClusterStore } from './store.js';
import { pod, status } from './testing/fixtures.js';

const apps: { close(): Promise<unknown> }[] = [];

function setup(clusterName = 'one') {
  const store = new ClusterStore();
  const sink = store.addCluster('c1', clusterName);
  const hub = new Hub(store, { firstSeq: 0 });
  const metrics = new ServerMetrics();
  const app = buildApp({ store, hub, metrics, logger: pino({ level: 'silent' }) });
  apps.push(app);
  return { store, sink, hub, metrics, app };
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('http app', () => {
  it('lists clusters with their status', async () => {
    const { sink, app } = setup();
    sink([{ type: 'status', status: status('syncing') }]);
    const response = await app.inject('/api/v1/clusters');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([{ id: 'c1', name: 'one', status: status('syncing') }]);
  });

  it('serves the snapshot with every kind key, plain when small', async () => {
    const { sink, app } = setup();
    sink([{ type: 'upsert', record: pod('a') }]);
    const response = await app.inject({ url: '/api/v1/snapshot', headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-encoding']).toBeUndefined();
    const body = response.json() as SnapshotMessage;
    expect(body.seq).toBe(1);
    const cluster = body.clusters[0]!;
    expect(Object.keys(cluster).sort()).toEqual(['id', 'name', 'status', ...Object.values(KIND_KEYS)].sort());
    expect(cluster.pods).toEqual([pod('a')]);
  });

  it('gzips a large snapshot for clients that accept it, and only for them', async () => {
    const { sink, app } = setup();
    sink(Array.from({ length: 500 }, (_, i) => ({ type: 'upsert' as const, record: pod(`p${i}`) })));

    const gzipped = await app.inject({ url: '/api/v1/snapshot', headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['vary']).toBe('accept-encoding');
    const unzipped = JSON.parse(gunzipSync(gzipped.rawPayload).toString()) as SnapshotMessage;
    expect(unzipped.clusters[0]!.pods).toHaveLength(500);

    const plain = await app.inject({ url: '/api/v1/snapshot', headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.json()).toEqual(unzipped);
    expect(plain.rawPayload.length).toBeGreaterThan(gzipped.rawPayload.length * 5);
  });

  it('answers /healthz always and /readyz only once every cluster has been live', async () => {
    const { sink, app } = setup();
    expect((await app.inject('/healthz')).statusCode).toBe(200);

    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ ready: false, waitingFor: [{ id: 'c1', name: 'one', phase: 'connecting' }] });

    sink([{ type: 'status', status: status('live') }]);
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true });
  });

  it('exposes process, source and stream metrics in Prometheus text format', async () => {
    const { sink, hub, metrics, app } = setup();
    metrics.sourceTelemetry.apiRequest('c1', 'list', 'pods', 200);
    metrics.sourceTelemetry.apiBytes('c1', 'pods', 1234);
    metrics.sourceTelemetry.watchEvent('c1', 'pods', 'ADDED');
    metrics.sourceTelemetry.relist('c1', 'pods', 'gone');
    metrics.sourceTelemetry.watchOpen('c1', 'pods', 1);
    sink([{ type: 'upsert', record: pod('a') }]);
    hub.flush();

    const response = await app.inject('/metrics');
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    for (const line of [
      'kubeglance_api_requests_total{cluster="c1",verb="list",resource="pods",code="200"} 1',
      'kubeglance_api_response_bytes_total{cluster="c1",resource="pods"} 1234',
      'kubeglance_watch_events_total{cluster="c1",resource="pods",type="ADDED"} 1',
      'kubeglance_relists_total{cluster="c1",resource="pods",reason="gone"} 1',
      'kubeglance_watches_open{cluster="c1",resource="pods"} 1',
      'kubeglance_records{cluster="c1",kind="Pod"} 1',
      'kubeglance_records{cluster="c1",kind="Node"} 0',
      'kubeglance_stream_seq 1',
      'kubeglance_sse_clients 0',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/^kubeglance_delta_bytes_total [1-9]\d*$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('puts the security headers on every response, errors included', async () => {
    const { app } = setup();
    app.get('/teapot', async () => {
      throw new HttpError(418, 'teapot', 'short and stout');
    });
    for (const url of ['/', '/healthz', '/api/v1/clusters', '/nope', '/teapot']) {
      const response = await app.inject(url);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers[name], url).toBe(value);
    }
  });

  it('sends every error as JSON through one handler, hiding internal details', async () => {
    const { app } = setup();
    app.get('/teapot', async () => {
      throw new HttpError(418, 'teapot', 'short and stout');
    });
    app.get('/boom', async () => {
      throw new Error('secret internals');
    });

    const notFound = await app.inject('/nope');
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
    const teapot = await app.inject('/teapot');
    expect(teapot.statusCode).toBe(418);
    expect(teapot.json()).toEqual({ error: { code: 'teapot', message: 'short and stout' } });
    const boom = await app.inject('/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({ error: { code: 'internal', message: 'internal server error' } });
  });

  it('shows the clusters on the placeholder page as text, never as HTML', async () => {
    const { app } = setup('<script>alert(1)</script> & "friends"');
    const response = await app.inject('/');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).not.toContain('<script>');
    expect(response.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;friends&#34; (c1): connecting');
  });
});

describe('acceptsGzip', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['deflate, gzip', true],
    ['GZIP;q=0.5', true],
    ['gzip;q=0', false],
    ['gzip; q=0.0', false],
    ['*', true],
    ['br', false],
    ['x-gzip', false],
  ])('%j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });
});
