// OIDC and namespace authorization together: two people log in through a real provider
// (oidc-provider on 127.0.0.1), their groups come from the ID token, and the --authz-file policy
// scopes what each of them gets from the snapshot, the stream and the topology. A refresh that
// brings new groups changes the scope on the next request.
import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceRecord } from '../../model/records.js';
import type { DeltaMessage, SnapshotMessage } from '../../model/stream.js';
import { node } from '../../model/testing/records.js';
import { SESSION_COOKIE } from '../auth/session.js';
import { Browser, startTestProvider, type TestProvider } from '../auth/testing/oidc.js';
import { freePort } from '../testing/free-port.js';
import { buildApp } from '../http.js';
import { Hub } from '../hub.js';
import { ServerMetrics } from '../metrics.js';
import { ClusterStore } from '../store.js';
import { pod, status } from '../testing/fixtures.js';
import { SseClient } from '../testing/sse-client.js';
import { parseAuthzPolicy } from './policy.js';
import { uids } from './testing/snapshot.js';

const CLIENT_ID = 'kubeglance';
const CLIENT_SECRET = 'a-client-secret-of-some-length-0123456789';
const SHOP_DEV = 'dana';
const SRE = 'sam';

const POLICY = parseAuthzPolicy(`
groups:
  shop-devs: { namespaces: [shop], nodes: false }
  sre: { namespaces: ['*'], nodes: true }
`);

const accounts = new Map<string, { groups: string[] }>();
const resetAccounts = (): void => {
  accounts.clear();
  accounts.set(SHOP_DEV, { groups: ['shop-devs'] });
  accounts.set(SRE, { groups: ['sre'] });
};
resetAccounts();
let nextLogin = SHOP_DEV;
/** Lifetime of access and ID tokens the provider issues, seconds. */
let tokenTtl = 3600;

let provider: TestProvider;
let kgPort: number;
let kgUrl: string;

beforeAll(async () => {
  kgPort = await freePort();
  kgUrl = `http://127.0.0.1:${kgPort}`;
  provider = await startTestProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${kgUrl}/auth/callback`],
    privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    accounts,
    login: () => nextLogin,
    tokenTtl: () => tokenTtl,
  });
});
afterAll(async () => {
  await provider.close();
});

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  resetAccounts();
  nextLogin = SHOP_DEV;
  tokenTtl = 3600;
});

function service(uid: string, namespace: string): ServiceRecord {
  return { kind: 'Service', uid, name: uid, namespace, createdAt: 1, type: 'ClusterIP', selector: { app: uid }, ports: [] };
}

const NAMESPACES = ['shop', 'billing', 'kube-system'];

async function startApp() {
  const store = new ClusterStore();
  const sink = store.addCluster('c1', 'one');
  const hub = new Hub(store, { firstSeq: 0 });
  const app = buildApp({
    store,
    hub,
    metrics: new ServerMetrics(),
    logger: pino({ level: 'silent' }),
    webRoot: '/nonexistent',
    auth: {
      oidc: { issuer: provider.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: `${kgUrl}/auth/callback` },
      loginRateLimit: { burst: 1000 },
    },
    authz: POLICY,
  });
  await app.listen({ host: '127.0.0.1', port: kgPort });
  cleanups.push(() => app.close(), () => hub.stop());
  sink([
    { type: 'upsert', record: node('n1') },
    { type: 'upsert', record: node('n2') },
    ...NAMESPACES.flatMap((ns) => [
      { type: 'upsert' as const, record: { kind: 'Namespace' as const, uid: `ns-${ns}`, name: ns, createdAt: 1, phase: 'Active' } },
      { type: 'upsert' as const, record: pod(`pod-${ns}`, { namespace: ns, nodeName: 'node-n1', labels: { app: `svc-${ns}` } }) },
      { type: 'upsert' as const, record: service(`svc-${ns}`, ns) },
    ]),
    { type: 'status', status: status('live') },
  ]);
  hub.flush();
  return { sink, hub };
}

/** A browser logged in as `account` through the provider. */
async function logIn(account: string): Promise<Browser> {
  nextLogin = account;
  const browser = new Browser();
  const { response, visited } = await browser.navigate(`${kgUrl}/auth/login`);
  expect(visited.at(-1)).toMatch(new RegExp(`^${kgUrl}/auth/callback\\?`));
  expect(response.status).toBe(200);
  expect(browser.cookie(`127.0.0.1:${kgPort}`, SESSION_COOKIE)).toBeDefined();
  return browser;
}

/** An API call as the page's scripts make it (fetch: Sec-Fetch-Mode cors), with the session cookie. */
async function api<T>(browser: Browser, target: string): Promise<{ status: number; body: T; text: string }> {
  const response = await browser.request(`${kgUrl}${target}`, { headers: { 'sec-fetch-mode': 'cors' } });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as T, text };
}

/** The stream as EventSource opens it: the session cookie, no Authorization header. */
async function openStream(browser: Browser): Promise<SseClient> {
  const url = `${kgUrl}/api/v1/stream`;
  const client = await SseClient.connect(url, { cookie: browser.cookieHeader(url)!, accept: 'text/event-stream', 'sec-fetch-mode': 'cors' });
  cleanups.push(() => client.close());
  return client;
}

const ALL = {
  pods: ['pod-billing', 'pod-kube-system', 'pod-shop'],
  services: ['svc-billing', 'svc-kube-system', 'svc-shop'],
  namespaces: ['ns-billing', 'ns-kube-system', 'ns-shop'],
  nodes: ['n1', 'n2'],
};
const SHOP_ONLY = { pods: ['pod-shop'], services: ['svc-shop'], namespaces: ['ns-shop'], nodes: [] };

function listed(snapshot: SnapshotMessage): typeof ALL {
  return { pods: uids(snapshot, 'pods'), services: uids(snapshot, 'services'), namespaces: uids(snapshot, 'namespaces'), nodes: uids(snapshot, 'nodes') };
}

describe('OIDC groups scope what each person sees', () => {
  it('filters /api/v1/snapshot by the groups in the ID token', async () => {
    await startApp();
    const shopDev = await logIn(SHOP_DEV);
    const sre = await logIn(SRE);

    const narrow = await api<SnapshotMessage>(shopDev, '/api/v1/snapshot');
    expect(narrow.status).toBe(200);
    expect(listed(narrow.body)).toEqual(SHOP_ONLY);
    expect(narrow.body.clusters[0]!.status.phase).toBe('live');
    expect(narrow.text).not.toContain('billing');
    expect(narrow.text).not.toContain('kube-system');

    const wide = await api<SnapshotMessage>(sre, '/api/v1/snapshot');
    expect(wide.status).toBe(200);
    expect(listed(wide.body)).toEqual(ALL);
    expect(wide.body.seq).toBe(narrow.body.seq);
  });

  it('filters the stream: a change in billing reaches the SRE, the shop-dev gets the seq with an empty delta', async () => {
    const { sink, hub } = await startApp();
    const shopDevStream = await openStream(await logIn(SHOP_DEV));
    const sreStream = await openStream(await logIn(SRE));

    const narrow = await shopDevStream.nextJson<SnapshotMessage>('snapshot');
    expect(listed(narrow)).toEqual(SHOP_ONLY);
    const wide = await sreStream.nextJson<SnapshotMessage>('snapshot');
    expect(listed(wide)).toEqual(ALL);
    expect(narrow.seq).toBe(wide.seq);

    sink([{ type: 'upsert', record: pod('pod-billing-2', { namespace: 'billing' }) }]);
    hub.flush();
    sink([{ type: 'upsert', record: pod('pod-shop-2', { namespace: 'shop' }) }, { type: 'upsert', record: node('n3') }]);
    hub.flush();

    const sreDeltas = [await sreStream.nextJson<DeltaMessage>('delta'), await sreStream.nextJson<DeltaMessage>('delta')];
    expect(sreDeltas.map((d) => d.seq)).toEqual([wide.seq + 1, wide.seq + 2]);
    expect(sreDeltas[0]!.changes).toEqual([{ op: 'upsert', cluster: 'c1', record: pod('pod-billing-2', { namespace: 'billing' }) }]);
    expect(sreDeltas[1]!.changes).toEqual([
      { op: 'upsert', cluster: 'c1', record: pod('pod-shop-2', { namespace: 'shop' }) },
      { op: 'upsert', cluster: 'c1', record: node('n3') },
    ]);

    const devDeltas = [await shopDevStream.nextJson<DeltaMessage>('delta'), await shopDevStream.nextJson<DeltaMessage>('delta')];
    expect(devDeltas.map((d) => d.seq)).toEqual([narrow.seq + 1, narrow.seq + 2]);
    expect(devDeltas[0]!.changes).toEqual([]);
    expect(devDeltas[1]!.changes).toEqual([{ op: 'upsert', cluster: 'c1', record: pod('pod-shop-2', { namespace: 'shop' }) }]);
  });

  it('filters /api/v1/clusters/:id/topology', async () => {
    await startApp();
    const namespaces = async (browser: Browser) => {
      const { status: code, body } = await api<{ vertices: { id: string; namespace?: string }[] }>(browser, '/api/v1/clusters/c1/topology');
      expect(code).toBe(200);
      return [...new Set(body.vertices.map((v) => v.namespace))].sort();
    };
    expect(await namespaces(await logIn(SHOP_DEV))).toEqual(['shop']);
    expect(await namespaces(await logIn(SRE))).toEqual(['billing', 'kube-system', 'shop']);
  });

  it('widens the scope when a refresh brings new groups; after logout the session sees nothing', async () => {
    await startApp();
    tokenTtl = 30; // within the refresh margin: every request refreshes first
    const shopDev = await logIn(SHOP_DEV);
    expect(listed((await api<SnapshotMessage>(shopDev, '/api/v1/snapshot')).body)).toEqual(SHOP_ONLY);

    accounts.set(SHOP_DEV, { groups: ['sre'] });
    expect(listed((await api<SnapshotMessage>(shopDev, '/api/v1/snapshot')).body)).toEqual(ALL);
    // A stream opened now starts from the wider scope too.
    expect(listed(await (await openStream(shopDev)).nextJson<SnapshotMessage>('snapshot'))).toEqual(ALL);

    accounts.set(SHOP_DEV, { groups: [] });
    const none = await api<SnapshotMessage>(shopDev, '/api/v1/snapshot');
    expect(listed(none.body)).toEqual({ pods: [], services: [], namespaces: [], nodes: [] });

    const logout = await shopDev.request(`${kgUrl}/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
    expect(logout.status).toBe(200);
    expect((await api<unknown>(shopDev, '/api/v1/snapshot')).status).toBe(401);
  });

  it('refuses a session cookie rewritten to name the SRE', async () => {
    await startApp();
    const shopDev = await logIn(SHOP_DEV);
    const host = `127.0.0.1:${kgPort}`;
    const [version, body, mac] = shopDev.cookie(host, SESSION_COOKIE)!.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    shopDev.setCookie(host, SESSION_COOKIE, `${version}.${Buffer.from(JSON.stringify({ ...payload, name: SRE })).toString('base64url')}.${mac}`);
    expect((await api<unknown>(shopDev, '/api/v1/snapshot')).status).toBe(401);
  });
});
