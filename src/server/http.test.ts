import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../model/records.js';
import type { SnapshotMessage } from '../model/stream.js';
import { deployment, networkPolicy, service } from '../model/testing/shop.js';
import type { Topology } from '../model/topology.js';
import { KIND_KEYS } from '../model/stream.js';
import { acceptsGzip, buildApp, HttpError, SECURITY_HEADERS } from './http.js';
import { Hub } from './hub.js';
import { ServerMetrics } from './metrics.js';
import { ClusterStore } from './store.js';
import { pod, status } from './testing/fixtures.js';
import { DEFAULT_WEB_ROOT, etagMatches } from './web-assets.js';

const apps: { close(): Promise<unknown> }[] = [];

// A built app as scripts/build-web.mjs leaves it, in <tmp>/dist/web, with things around it that
// must never be served.
let tmp: string;
let webRoot: string;
const APP_JS = `export const app = ${JSON.stringify('kubeglance '.repeat(400))};\n`;
const SECRET = 'secret-marker-7c1f';

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kubeglance-web-'));
  webRoot = path.join(tmp, 'dist/web');
  mkdirSync(path.join(webRoot, 'assets/sub'), { recursive: true });
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>kubeglance</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(path.join(webRoot, 'assets/app.js'), APP_JS);
  writeFileSync(path.join(webRoot, 'assets/app.js.map'), '{"version":3}');
  writeFileSync(path.join(webRoot, 'assets/app.css'), 'body { margin: 0 }');
  writeFileSync(path.join(webRoot, 'assets/.hidden.js'), SECRET);
  writeFileSync(path.join(webRoot, 'assets/notes.unknown'), SECRET);
  writeFileSync(path.join(webRoot, 'assets/sub/inner.js'), SECRET);
  writeFileSync(path.join(webRoot, 'secret.txt'), SECRET);
  writeFileSync(path.join(tmp, 'package.json'), SECRET);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function setup(clusterName = 'one', root = webRoot) {
  const store = new ClusterStore();
  const sink = store.addCluster('c1', clusterName);
  const hub = new Hub(store, { firstSeq: 0 });
  const metrics = new ServerMetrics();
  const app = buildApp({ store, hub, metrics, logger: pino({ level: 'silent' }), webRoot: root });
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

  it('says who the browser is: anonymous, with nothing to log out of, when authentication is off', async () => {
    const { app } = setup();
    const response = await app.inject('/api/v1/me');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ name: 'anonymous', groups: [], via: 'none', canLogOut: false, nodes: true });
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

  it('compresses a large snapshot with brotli or gzip for clients that accept it, and only for them', async () => {
    const { sink, app } = setup();
    sink(Array.from({ length: 500 }, (_, i) => ({ type: 'upsert' as const, record: pod(`p${i}`) })));

    const brotli = await app.inject({ url: '/api/v1/snapshot', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['vary']).toBe('accept-encoding');
    const unbrotlied = JSON.parse(brotliDecompressSync(brotli.rawPayload).toString()) as SnapshotMessage;
    expect(unbrotlied.clusters[0]!.pods).toHaveLength(500);

    const gzipped = await app.inject({ url: '/api/v1/snapshot', headers: { 'accept-encoding': 'br;q=0, gzip;q=0.8' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    const unzipped = JSON.parse(gunzipSync(gzipped.rawPayload).toString()) as SnapshotMessage;
    expect(unzipped).toEqual(unbrotlied);

    const plain = await app.inject({ url: '/api/v1/snapshot', headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.json()).toEqual(unzipped);
    expect(plain.rawPayload.length).toBeGreaterThan(gzipped.rawPayload.length * 5);
  });

  it('shares a recent compressed snapshot between clients while the stream can still resume from it', async () => {
    const { sink, app, hub } = setup();
    sink(Array.from({ length: 500 }, (_, i) => ({ type: 'upsert' as const, record: pod(`p${i}`) })));
    const first = JSON.parse(brotliDecompressSync((await app.inject({ url: '/api/v1/snapshot', headers: { 'accept-encoding': 'br' } })).rawPayload).toString()) as SnapshotMessage;

    sink([{ type: 'upsert', record: pod('late') }]);
    hub.snapshot(); // cuts the batch: the model is one delta ahead of the first snapshot
    const second = JSON.parse(brotliDecompressSync((await app.inject({ url: '/api/v1/snapshot', headers: { 'accept-encoding': 'br' } })).rawPayload).toString()) as SnapshotMessage;
    // The same bytes (same seq); the delta that follows is still in the stream's resume ring.
    expect(second.seq).toBe(first.seq);
    expect(hub.framesSince(second.seq)).toHaveLength(1);
    // Uncompressed clients always get the current state.
    const plain = (await app.inject({ url: '/api/v1/snapshot' })).json() as SnapshotMessage;
    expect(plain.seq).toBe(first.seq + 1);
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

  it('puts the security headers on the app and its assets too', async () => {
    const { app } = setup();
    for (const url of ['/', '/assets/app.js', '/assets/app.css', '/assets/nope.js', '/favicon.ico']) {
      const response = await app.inject(url);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers[name], url).toBe(value);
    }
    const missing = await setup('one', path.join(tmp, 'not-built')).app.inject('/');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(missing.headers[name]).toBe(value);
  });

  it('allows no inline script, no eval and no plugins, only its own origin', () => {
    const csp = Object.fromEntries(
      SECURITY_HEADERS['content-security-policy'].split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(SECURITY_HEADERS['content-security-policy']).not.toMatch(/unsafe-(inline|eval)|\*/);
  });
});

describe('GET /api/v1/clusters/:id/topology', () => {
  // An id with a slash, a space and URL delimiters: the router decodes the parameter, nothing else may.
  const ID = 'prod/eu west?#%';

  function twoClusters() {
    const store = new ClusterStore();
    const prod = store.addCluster(ID, 'prod');
    const other = store.addCluster('other', 'other');
    const hub = new Hub(store, { firstSeq: 0 });
    const app = buildApp({ store, hub, metrics: new ServerMetrics(), logger: pino({ level: 'silent' }), webRoot });
    apps.push(app);
    const upsert = (...records: ClusterRecord[]) => records.map((record) => ({ type: 'upsert' as const, record }));
    prod(upsert(deployment('web', { template: { envHosts: ['api:8080', 'api.stripe.com'] } }), deployment('api'), service('api')));
    other(upsert(deployment('batch')));
    return { app, prod, upsert };
  }
  const url = (id: string) => `/api/v1/clusters/${encodeURIComponent(id)}/topology`;

  it('answers the topology of that cluster, as JSON that is never cached', async () => {
    const { app } = twoClusters();
    const response = await app.inject(url(ID));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json() as Record<string, unknown> & Topology;
    expect(Object.keys(body).sort()).toEqual(['cluster', 'defaultDeny', 'derivedAt', 'edges', 'isolation', 'trafficAvailable', 'unresolved', 'vertices']);
    expect(body.cluster).toBe(ID);
    expect(body.vertices.map((v) => v.id)).toEqual(['Deployment/shop/api', 'Deployment/shop/web', 'Service/shop/api']);
    expect(body.edges.map((e) => `${e.from} -${e.type}-> ${e.to}`)).toEqual(['Deployment/shop/web -config-> Service/shop/api', 'Service/shop/api -selects-> Deployment/shop/api']);
    expect(body.unresolved.map((u) => [u.from, u.host])).toEqual([['Deployment/shop/web', 'api.stripe.com']]);
    expect(body.defaultDeny).toEqual([]);
    expect(body.trafficAvailable).toBe(false);
  });

  it('follows the cluster as it changes', async () => {
    const { app, prod, upsert } = twoClusters();
    prod(upsert(networkPolicy('default-deny')));
    const body = (await app.inject(url(ID))).json() as Topology;
    expect(body.defaultDeny).toEqual(['Deployment/shop/api', 'Deployment/shop/web']);
    expect(body.edges.find((e) => e.type === 'config')?.deniedBy).toBe('shop/default-deny');
  });

  it('says 404 in JSON for a cluster it does not have, whatever the id looks like', async () => {
    const { app } = twoClusters();
    for (const id of ['nope', 'prod', `${ID}/`, 'other/../other', '%2e%2e']) {
      const response = await app.inject(url(id));
      expect(response.statusCode, id).toBe(404);
      expect(response.json(), id).toEqual({ error: { code: 'not_found', message: `no cluster "${id}"` } });
    }
    // A bare ".." segment is resolved by URL parsing before routing, as a browser would: no route at all.
    expect((await app.inject('/api/v1/clusters/../topology')).json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await app.inject(url('other'))).json()).toMatchObject({ cluster: 'other', vertices: [{ id: 'Deployment/shop/batch' }] });
  });
});

describe('the web app', () => {
  it('serves index.html at / for revalidation on every load', async () => {
    const { app } = setup();
    const response = await app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['etag']).toMatch(/^W\/"[\w-]+"$/);
    expect(response.body).toContain('<script type="module" src="/assets/app.js">');
  });

  it('serves the assets with their content types', async () => {
    const { app } = setup();
    for (const [url, type, body] of [
      ['/assets/app.js', 'text/javascript; charset=utf-8', APP_JS],
      ['/assets/app.css', 'text/css; charset=utf-8', 'body { margin: 0 }'],
      ['/assets/app.js.map', 'application/json; charset=utf-8', '{"version":3}'],
    ] as const) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toBe(type);
      expect(response.headers['cache-control'], url).toBe('no-cache');
      expect(response.headers['content-encoding'], url).toBeUndefined();
      expect(response.body, url).toBe(body);
    }
  });

  it('serves the assets a page asks for at once, before the asset list was read', async () => {
    const { app } = setup();
    const responses = await Promise.all(['/assets/app.css', '/assets/app.js', '/assets/app.js.map'].map((url) => app.inject(url)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
  });

  it('answers 304 to a matching If-None-Match and gzips for clients that take it', async () => {
    const { app } = setup();
    const first = await app.inject('/assets/app.js');
    const etag = first.headers['etag'] as string;
    const again = await app.inject({ url: '/assets/app.js', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const other = await app.inject({ url: '/assets/app.js', headers: { 'if-none-match': 'W/"other"' } });
    expect(other.statusCode).toBe(200);

    const gzipped = await app.inject({ url: '/assets/app.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['vary']).toBe('accept-encoding');
    expect(gzipped.headers['etag']).toBe(etag);
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(APP_JS);
  });

  it.each([
    '/assets/../../package.json',
    '/assets/..%2F..%2Fpackage.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets/%2E%2E%2F%2E%2E%2Fpackage.json',
    '/assets/..%5c..%5cpackage.json',
    '/assets/%252e%252e%252fpackage.json',
    '/assets/../secret.txt',
    '/assets/..%2fsecret.txt',
    '/assets/..%2Findex.html',
    '/assets/%2Fetc%2Fpasswd',
    '/assets//etc/passwd',
    '/assets/sub/inner.js',
    '/assets/sub%2Finner.js',
    '/assets/.hidden.js',
    '/assets/notes.unknown',
    '/assets/app.js%00.png',
    '/assets/',
    '/assets',
    '/secret.txt',
    '/index.html/../package.json',
  ])('serves nothing outside the listed assets: %s', async (url) => {
    const { app } = setup();
    const response = await app.inject(url);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(SECRET);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('says how to build the app when it has not been built', async () => {
    const { app } = setup('one', path.join(tmp, 'not-built'));
    const response = await app.inject('/');
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toBe('web assets not built: run npm run build\n');
    expect((await app.inject('/assets/app.js')).statusCode).toBe(404);
    // The API works without the app.
    expect((await app.inject('/api/v1/clusters')).statusCode).toBe(200);
  });

  it('picks up a build made after the server started', async () => {
    const root = path.join(tmp, 'late');
    const { app } = setup('one', root);
    expect((await app.inject('/')).statusCode).toBe(503);
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(root, 'assets/app.js'), 'export {};');
    expect((await app.inject('/')).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the asset list is re-read at most every second
    expect((await app.inject('/assets/app.js')).body).toBe('export {};');
  });

  it('finds dist/web of the checkout, from src/server as from dist/server', () => {
    expect(DEFAULT_WEB_ROOT).toBe(path.resolve(import.meta.dirname, '../../dist/web'));
  });

  it('answers the favicon request browsers make with No Content', async () => {
    const { app } = setup();
    expect((await app.inject('/favicon.ico')).statusCode).toBe(204);
  });
});

describe('etagMatches', () => {
  it.each([
    [undefined, false],
    ['*', true],
    ['W/"abc"', true],
    ['"abc"', true],
    ['"x", W/"abc"', true],
    ['"abcd"', false],
    ['W/"ab"', false],
  ])('%j → %s', (header, expected) => {
    expect(etagMatches(header, 'W/"abc"')).toBe(expected);
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

describe('http app: request limits and authentication off', () => {
  it('takes no request body beyond 1 KiB, answering 413 in JSON', async () => {
    const { app } = setup();
    const response = await app.inject({ method: 'POST', url: '/api/v1/clusters', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'y'.repeat(2048) }) });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
    expect(response.headers).toMatchObject(SECURITY_HEADERS);
  });

  it('without auth options, serves everything with no login routes', async () => {
    const { app } = setup();
    expect((await app.inject('/api/v1/clusters')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(200);
    expect((await app.inject('/login/token?token=x')).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/logout' })).statusCode).toBe(404);
  });
});
