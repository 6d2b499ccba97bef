// OIDC login against a real provider (oidc-provider) on 127.0.0.1, through the whole app over real
// HTTP. The "browser" is fetch with redirects followed by hand and a small cookie jar; the
// provider's login interaction is answered at once for the account named in `nextLogin`.
import { createSign, generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../http.js';
import { Hub } from '../hub.js';
import { ServerMetrics } from '../metrics.js';
import { ClusterStore } from '../store.js';
import type { OidcOptions } from './oidc.js';
import { SESSION_COOKIE } from './session.js';

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
const KID = 'test-key';
const providerJwk: JsonWebKey = { ...privateKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };

let providerServer: Server;
let issuer: string;
let kgPort: number;
let kgUrl: string;

beforeAll(async () => {
  kgPort = await freePort();
  kgUrl = `http://127.0.0.1:${kgPort}`;
  providerServer = createServer();
  await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
  const address = providerServer.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  // Untyped package (no @types): loaded by a specifier TypeScript does not resolve.
  const { default: Provider } = (await import('oidc-provider' as string)) as { default: new (issuer: string, config: unknown) => ProviderLike };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${kgUrl}/auth/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [providerJwk] },
    cookies: { keys: ['cookie-signing-key-for-tests'] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'groups'], email: ['email'] },
    // Scope claims in the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: () => tokenTtl, IdToken: () => tokenTtl, RefreshToken: 86_400, Session: 86_400, Grant: 86_400, Interaction: 600 },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (account === undefined) return undefined;
      return { accountId: sub, claims: async () => ({ sub, preferred_username: sub, email: `${sub}@example.test`, groups: account.groups }) };
    },
    // No consent screen: every login is granted the scopes asked for.
    loadExistingGrant: async (ctx: GrantContext) => {
      const accountId = ctx.oidc.session?.accountId;
      if (accountId === undefined) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  providerServer.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/') === true) {
      provider.interactionFinished(req, res, { login: { accountId: nextLogin } }, { mergeWithLastSubmission: false }).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  });
});

afterAll(async () => {
  providerServer.closeAllConnections();
  await new Promise((resolve) => providerServer.close(resolve));
});

interface ProviderLike {
  callback(): (req: unknown, res: unknown) => void;
  interactionFinished(req: unknown, res: unknown, result: unknown, options: unknown): Promise<void>;
}
interface GrantContext {
  oidc: {
    session?: { accountId?: string };
    client: { clientId: string };
    provider: { Grant: new (init: { clientId: string; accountId: string }) => { addOIDCScope(scope: string): void; save(): Promise<string> } };
  };
}

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
    auth: { oidc: options, loginRateLimit: { burst: 1000 } },
  });
  app.get('/api/v1/test-identity', async (request) => request.identity);
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: kgPort });
  return app;
}

const NO_KEEP_ALIVE = new Agent({ pipelining: 0 });

/** The parts of a response the tests look at, the body read already. */
class Reply {
  readonly headers: { get(name: string): string | null; getSetCookie(): string[] };

  constructor(
    readonly status: number,
    raw: Record<string, string | string[] | undefined>,
    private readonly body: string,
  ) {
    const all = (name: string): string[] => {
      const value = raw[name];
      return value === undefined ? [] : Array.isArray(value) ? value : [value];
    };
    this.headers = { get: (name) => all(name.toLowerCase()).join(', ') || null, getSetCookie: () => all('set-cookie') };
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }
}

/** Cookies per host:port (browsers share them across ports; keeping them apart is simpler here). */
class Browser {
  private readonly jar = new Map<string, Map<string, { value: string; path: string }>>();

  /** One request, no redirects followed; cookies stored and sent. */
  async request(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const target = new URL(url);
    const cookies = [...(this.jar.get(target.host) ?? new Map()).entries()]
      .filter(([, c]) => target.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`);
    const headers: Record<string, string> = { 'sec-fetch-mode': 'navigate', ...init.headers };
    if (cookies.length > 0) headers.cookie = cookies.join('; ');
    // undici.request, not fetch: fetch sets Sec-Fetch-Mode itself. No keep-alive: apps restart on
    // the same port between tests.
    const response = await request(url, { method: (init.method ?? 'GET') as 'GET', headers, dispatcher: NO_KEEP_ALIVE });
    const body = await response.body.text();
    const wrapped = new Reply(response.statusCode, response.headers, body);
    for (const line of wrapped.headers.getSetCookie()) this.store(target.host, line);
    return wrapped;
  }

  /** Follows redirects; returns the first response that is not one, and the URLs visited. */
  async navigate(url: string, visited: string[] = []): Promise<{ response: Reply; visited: string[] }> {
    let current = url;
    for (let hop = 0; hop < 20; hop++) {
      visited.push(current);
      const response = await this.request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { response, visited };
      current = new URL(location, current).href;
    }
    throw new Error(`too many redirects: ${visited.join(' → ')}`);
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name)?.value;
  }

  setCookie(host: string, name: string, value: string, path = '/'): void {
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    this.jar.get(host)!.set(name, { value, path });
  }

  private store(host: string, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key = '', v = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path') path = v;
      if (key.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      if (key.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    if (expired) this.jar.get(host)!.delete(name);
    else this.jar.get(host)!.set(name, { value, path });
  }
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

/** A JWT with the same header and claims (changed by `changes`), signed RS256 by `key`. */
function resign(jwt: string, key: KeyObject, changes: Record<string, unknown>): string {
  const [header = '', payload = ''] = jwt.split('.');
  const claims = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>), ...changes, jti: randomUUID() };
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = createSign('RSA-SHA256').update(body).sign(key).toString('base64url');
  return `${body}.${signature}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
