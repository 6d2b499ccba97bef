// OIDC login against a real provider (oidc-provider) on 127.0.0.1, through the whole app over real
// HTTP. The "browser" is fetch with redirects followed by hand and a small cookie jar; the
// provider's login interaction is answered at once for the account named in `nextLogin`.
import { generateKeyPairSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../http.js';
import { Hub } from '../hub.js';
import { ServerMetrics } from '../metrics.js';
import { ClusterStore } from '../store.js';
import type { OidcOptions } from './oidc.js';
import { SESSION_COOKIE } from './session.js';
import { SseClient } from '../testing/sse-client.js';
import { freePort } from '../testing/free-port.js';
import { Browser, resign, startTestProvider, type Reply, type TestProvider } from './testing/oidc.js';

const CLIENT_ID = 'kubeglance';
const CLIENT_SECRET = 'a-client-secret-of-some-length-0123456789';

const accounts = new Map<string, { groups: string[] }>();
let nextLogin = 'alice';
/** Lifetime of access and ID tokens the provider issues, seconds. */
let tokenTtl = 3600;
let tokenRequests = 0;
/** Changes the token endpoint's answer on its way to kubeglance (a forged or expired ID token). */
let tamper: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

let provider: TestProvider;
let issuer: string;
let kgPort: number;
let kgUrl: string;

beforeAll(async () => {
  kgPort = await freePort();
  kgUrl = `http://127.0.0.1:${kgPort}`;
  provider = await startTestProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${kgUrl}/auth/callback`],
    privateKey,
    accounts,
    login: () => nextLogin,
    tokenTtl: () => tokenTtl,
  });
  issuer = provider.issuer;
});

afterAll(async () => {
  await provider.close();
});

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  tamper = undefined;
  tokenTtl = 3600;
  nextLogin = 'alice';
});

async function startApp(oidc: Partial<OidcOptions> = {}): Promise<FastifyInstance> {
  const store = new ClusterStore();
  store.addCluster('c1', 'one');
  const options: OidcOptions = {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUrl: `${kgUrl}/auth/callback`,
    fetch: async (url, init) => {
      const response = await fetch(url, init as RequestInit);
      if (!url.endsWith('/token')) return response;
      tokenRequests++;
      if (tamper === undefined || !response.ok) return response;
      const body = tamper((await response.json()) as Record<string, unknown>);
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    },
    ...oidc,
  };
  const app = buildApp({
    store,
    hub: new Hub(store, { firstSeq: 0 }),
    metrics: new ServerMetrics(),
    logger: pino({ level: 'silent' }),
    webRoot: '/nonexistent',
    // Open streams ask whether their session still holds every 50 ms rather than every 2 s.
    auth: { oidc: options, loginRateLimit: { burst: 1000 }, streamRecheckMs: 50 },
  });
  app.get('/api/v1/test-identity', async (request) => request.identity);
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: kgPort });
  return app;
}

const kgHost = (): string => `127.0.0.1:${kgPort}`;

/** Logs in through the provider; the callback's response. */
async function logIn(browser: Browser): Promise<Reply> {
  const { response } = await browser.navigate(`${kgUrl}/auth/login`);
  return response;
}

async function whoAmI(browser: Browser): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await browser.request(`${kgUrl}/api/v1/test-identity`, { headers: { 'sec-fetch-mode': 'cors' } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('OIDC login', () => {
  it('logs in end to end: PKCE, state and nonce, groups from the claim, a session cookie holding no token', async () => {
    accounts.set('alice', { groups: ['dev', 'ops'] });
    await startApp();
    const browser = new Browser();

    const start = await browser.request(`${kgUrl}/auth/login`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('scope')).toBe('openid profile email');
    const stateCookie = start.headers.getSetCookie().find((c) => c.startsWith('kubeglance_oidc='))!;
    expect(stateCookie).toMatch(/HttpOnly/);
    expect(stateCookie).toMatch(/SameSite=Lax/);
    expect(stateCookie).toMatch(/Path=\/auth\//);

    const { response, visited } = await browser.navigate(authorize.href);
    expect(visited.at(-1)).toMatch(new RegExp(`^${kgUrl}/auth/callback\\?`));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('url=/');
    const session = browser.cookie(kgHost(), SESSION_COOKIE)!;
    expect(session).toBeDefined();
    expect(browser.cookie(kgHost(), 'kubeglance_oidc')).toBeUndefined();
    // Only the name and a session id: no token in the cookie.
    const payload = JSON.parse(Buffer.from(session.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['exp', 'fp', 'name']);
    expect(payload.name).toBe('alice');
    expect(String(payload.fp)).toMatch(/^oidc:/);
    expect(session).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);

    expect(await whoAmI(browser)).toEqual({ status: 200, body: { name: 'alice', groups: ['dev', 'ops'], via: 'oidc' } });
  });

  it('reads groups from a configured claim (here none: the list is empty)', async () => {
    accounts.set('bob', { groups: ['dev'] });
    nextLogin = 'bob';
    await startApp({ groupsClaim: 'roles' });
    const browser = new Browser();
    expect((await logIn(browser)).status).toBe(200);
    expect(await whoAmI(browser)).toEqual({ status: 200, body: { name: 'bob', groups: [], via: 'oidc' } });
  });

  it('sends an unauthenticated page visit to /auth/login; the API and the stream still get 401 JSON', async () => {
    await startApp();
    const browser = new Browser();
    const page = await browser.request(`${kgUrl}/`);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login');
    const api = await browser.request(`${kgUrl}/api/v1/snapshot`, { headers: { 'sec-fetch-mode': 'cors' } });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const stream = await browser.request(`${kgUrl}/api/v1/stream`, { headers: { 'sec-fetch-mode': 'cors', accept: 'text/event-stream' } });
    expect(stream.status).toBe(401);
    expect(stream.headers.get('content-type')).toMatch(/json/);
  });

  it('refreshes tokens about to expire, taking up new groups; a failed refresh ends the session', async () => {
    accounts.set('carol', { groups: ['dev'] });
    nextLogin = 'carol';
    tokenTtl = 30; // within the refresh margin: the next request refreshes
    await startApp();
    const browser = new Browser();
    expect((await logIn(browser)).status).toBe(200);

    accounts.set('carol', { groups: ['dev', 'admins'] });
    const before = tokenRequests;
    expect(await whoAmI(browser)).toEqual({ status: 200, body: { name: 'carol', groups: ['dev', 'admins'], via: 'oidc' } });
    expect(tokenRequests).toBe(before + 1);

    // Concurrent requests share one refresh.
    const again = tokenRequests;
    const results = await Promise.all([whoAmI(browser), whoAmI(browser), whoAmI(browser)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(tokenRequests - again).toBeLessThanOrEqual(3);

    // The account is gone at the provider: the refresh is refused, and so is the session.
    accounts.delete('carol');
    expect((await whoAmI(browser)).status).toBe(401);
    accounts.set('carol', { groups: ['dev'] });
    expect((await whoAmI(browser)).status).toBe(401);
  });

  it('does not refresh tokens far from expiry', async () => {
    accounts.set('alice', { groups: ['dev'] });
    await startApp();
    const browser = new Browser();
    await logIn(browser);
    const before = tokenRequests;
    await whoAmI(browser);
    await whoAmI(browser);
    expect(tokenRequests).toBe(before);
  });

  it('logs out: the session ends here, and the answer names the provider end-session URL', async () => {
    accounts.set('alice', { groups: ['dev'] });
    await startApp();
    const browser = new Browser();
    await logIn(browser);
    const session = browser.cookie(kgHost(), SESSION_COOKIE)!;

    const crossSite = await browser.request(`${kgUrl}/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect((await whoAmI(browser)).status).toBe(200);

    const response = await browser.request(`${kgUrl}/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
    expect(response.status).toBe(200);
    const { location } = (await response.json()) as { location: string };
    const end = new URL(location);
    expect(end.origin).toBe(issuer);
    expect(end.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(end.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(browser.cookie(kgHost(), SESSION_COOKIE)).toBeUndefined();
    // The old cookie, replayed, no longer works: the session is gone server-side.
    browser.setCookie(kgHost(), SESSION_COOKIE, session);
    expect((await whoAmI(browser)).status).toBe(401);
    // The provider's end-session page answers (it asks the user to confirm).
    expect((await fetch(location)).status).toBe(200);
  });

  it('refuses a forged or tampered session cookie', async () => {
    accounts.set('alice', { groups: ['dev'] });
    await startApp();
    const browser = new Browser();
    await logIn(browser);
    const session = browser.cookie(kgHost(), SESSION_COOKIE)!;
    const [version, body, mac] = session.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, name: 'mallory' })).toString('base64url');
    browser.setCookie(kgHost(), SESSION_COOKIE, `${version}.${forged}.${mac}`);
    expect((await whoAmI(browser)).status).toBe(401);
    browser.setCookie(kgHost(), SESSION_COOKIE, `${version}.${body}.${'A'.repeat(43)}`);
    expect((await whoAmI(browser)).status).toBe(401);
    const page = await browser.request(`${kgUrl}/`);
    expect(page.status).toBe(302);
    // A made-up session id under a valid signature cannot be had without the secret; an unknown one
    // (another process's, or after a restart) is refused as well: a new app has neither.
    await apps.splice(0)[0]!.close();
    await startApp();
    browser.setCookie(kgHost(), SESSION_COOKIE, session);
    expect((await whoAmI(browser)).status).toBe(401);
  });

  it('refuses a session past its lifetime, however fresh its tokens', async () => {
    accounts.set('alice', { groups: ['dev'] });
    await startApp({ sessionMaxAgeSeconds: 1 });
    const browser = new Browser();
    await logIn(browser);
    const session = browser.cookie(kgHost(), SESSION_COOKIE)!;
    expect((await whoAmI(browser)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    browser.setCookie(kgHost(), SESSION_COOKIE, session);
    expect((await whoAmI(browser)).status).toBe(401);
  });

  it('refuses an ID token signed with another key', async () => {
    accounts.set('alice', { groups: ['dev'] });
    await startApp();
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    tamper = (body) => ({ ...body, id_token: resign(String(body.id_token), otherKey, {}) });
    const browser = new Browser();
    const response = await logIn(browser);
    expect(response.status).toBe(401);
    expect(await response.text()).toMatch(/not accepted/);
    expect(browser.cookie(kgHost(), SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses an expired ID token, even correctly signed', async () => {
    accounts.set('alice', { groups: ['dev'] });
    await startApp();
    const now = Math.floor(Date.now() / 1000);
    tamper = (body) => ({ ...body, id_token: resign(String(body.id_token), privateKey, { iat: now - 7200, exp: now - 3600 }) });
    const browser = new Browser();
    const response = await logIn(browser);
    expect(response.status).toBe(401);
    expect(browser.cookie(kgHost(), SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a callback whose state does not match, or without the login-state cookie', async () => {
    accounts.set('alice', { groups: ['dev'] });
    await startApp();
    const browser = new Browser();
    const start = await browser.request(`${kgUrl}/auth/login`);
    // Walk the provider's part, stopping before the callback.
    let current = start.headers.get('location')!;
    for (let hop = 0; hop < 10 && !current.startsWith(`${kgUrl}/auth/callback`); hop++) {
      const response = await browser.request(current);
      current = new URL(response.headers.get('location')!, current).href;
    }
    const callback = new URL(current);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const wrongState = new URL(callback);
    wrongState.searchParams.set('state', 'not-the-state');
    const refused = await browser.request(wrongState.href);
    expect(refused.status).toBe(401);
    expect(browser.cookie(kgHost(), SESSION_COOKIE)).toBeUndefined();

    // The login-state cookie is gone after a refused callback: the right state no longer helps.
    const replay = await browser.request(callback.href);
    expect(replay.status).toBe(400);
    expect(browser.cookie(kgHost(), SESSION_COOKIE)).toBeUndefined();

    // Another browser (no login-state cookie) presenting the code.
    const stranger = new Browser();
    expect((await stranger.request(callback.href)).status).toBe(400);
    // A forged login-state cookie.
    stranger.setCookie(kgHost(), 'kubeglance_oidc', `s1.${Buffer.from(JSON.stringify({ v: { state: 'x', nonce: 'y', verifier: 'z' }, exp: Date.now() + 60_000 })).toString('base64url')}.${'A'.repeat(43)}`, '/auth/');
    expect((await stranger.request(callback.href)).status).toBe(400);
  });

  it('answers 503 for /auth/login when the provider cannot be reached', async () => {
    await startApp({ issuer: `http://127.0.0.1:${await freePort()}` });
    const response = await fetch(`${kgUrl}/auth/login`, { redirect: 'manual' });
    expect(response.status).toBe(503);
  });
});

describe('OIDC sessions and open event streams', () => {
  const clients: SseClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  /** The session's event stream, once it has delivered its snapshot. */
  async function openStream(browser: Browser): Promise<SseClient> {
    const client = await SseClient.connect(`${kgUrl}/api/v1/stream`, { cookie: browser.cookieHeader(`${kgUrl}/api/v1/stream`)! });
    clients.push(client);
    await client.nextJson('snapshot');
    return client;
  }
  const streamStatus = async (browser: Browser) =>
    (await browser.request(`${kgUrl}/api/v1/stream`, { headers: { 'sec-fetch-mode': 'cors', accept: 'text/event-stream' } })).status;

  it('keeps a stream open while refreshes succeed, and ends it when a refresh fails', async () => {
    accounts.set('carol', { groups: ['dev'] });
    nextLogin = 'carol';
    tokenTtl = 30; // within the refresh margin: every check of the open stream refreshes
    await startApp();
    const browser = new Browser();
    expect((await logIn(browser)).status).toBe(200);
    const before = tokenRequests;
    const client = await openStream(browser);

    // The stream's own checks refresh the session, and it stays open through them.
    await expect.poll(() => tokenRequests, { timeout: 5_000 }).toBeGreaterThanOrEqual(before + 3);
    expect(client.isClosed).toBe(false);

    // The account is gone at the provider: the next refresh fails, the session and its stream end.
    accounts.delete('carol');
    await client.closed;
    expect(await streamStatus(browser)).toBe(401);
  });

  it('ends a stream when a refresh brings other groups; the reconnect streams under the new ones', async () => {
    accounts.set('carol', { groups: ['dev', 'admins'] });
    nextLogin = 'carol';
    tokenTtl = 30;
    await startApp();
    const browser = new Browser();
    await logIn(browser);
    const client = await openStream(browser);

    accounts.set('carol', { groups: ['dev'] });
    await client.closed;
    expect(await whoAmI(browser)).toEqual({ status: 200, body: { name: 'carol', groups: ['dev'], via: 'oidc' } });
    await openStream(browser);
  });

  it('ends a stream when the session reaches its lifetime, not before', async () => {
    accounts.set('alice', { groups: ['dev'] });
    await startApp({ sessionMaxAgeSeconds: 1 });
    const browser = new Browser();
    const loggingInAt = Date.now();
    await logIn(browser);
    const client = await openStream(browser);
    expect(await client.closed).toBeGreaterThanOrEqual(loggingInAt + 1_000);
    expect(await streamStatus(browser)).toBe(401);
  });
});
