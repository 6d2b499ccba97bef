// The auth hook through the whole app (buildApp), with fastify's inject.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, SECURITY_HEADERS } from '../http.js';
import { Hub } from '../hub.js';
import { ServerMetrics } from '../metrics.js';
import { ClusterStore } from '../store.js';
import type { AuthOptions } from './hook.js';
import { Networks } from './networks.js';
import { SESSION_COOKIE, SessionSigner } from './session.js';
import { TokenFile, tokenHashText } from './tokens.js';
import { seededRandom } from '../../model/testing/random.js';

const TV = 'tv-token-0123456789abcdef0123456789';
const SCRAPER = 'scraper-token-0123456789abcdef01234';
const PROXY_IP = '10.9.8.7';
const CLIENT_IP = '192.0.2.10';

let dir: string;
let webRoot: string;
let tokenPath: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubeglance-auth-'));
  webRoot = path.join(dir, 'web');
  mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>kubeglance</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(path.join(webRoot, 'assets/app.js'), 'export {};\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function writeTokens(...lines: string[]): void {
  writeFileSync(tokenPath, `${lines.join('\n')}\n`);
}
const TV_LINE = `lobby-tv ${tokenHashText(TV)} namespaces=shop,web`;
const SCRAPER_LINE = `prometheus ${tokenHashText(SCRAPER)}`;

async function setup(options: { tokens?: boolean; proxy?: boolean; auth?: Partial<AuthOptions>; off?: boolean } = {}) {
  tokenPath = path.join(dir, `tokens-${apps.length}-${Math.random().toString(36).slice(2)}`);
  writeTokens(TV_LINE, SCRAPER_LINE);
  let auth: AuthOptions | undefined;
  if (!options.off) {
    auth = { ...options.auth };
    if (options.tokens !== false) auth.tokens = await TokenFile.load(tokenPath, { checkIntervalMs: 0 });
    if (options.proxy) auth.proxy = { userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups', trusted: new Networks([`${PROXY_IP}/32`, 'fd00::/8']) };
  }
  const store = new ClusterStore();
  store.addCluster('c1', 'one');
  const app = buildApp({ store, hub: new Hub(store, { firstSeq: 0 }), metrics: new ServerMetrics(), logger: pino({ level: 'silent' }), webRoot, auth });
  // Shows what the hook left on the request.
  app.get('/api/v1/test-identity', async (request) => request.identity);
  apps.push(app);
  return app;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('auth hook: no credentials', () => {
  it.each(['/api/v1/clusters', '/api/v1/snapshot', '/api/v1/stream', '/api/v1/clusters/c1/topology', '/metrics', '/', '/assets/app.js', '/nowhere'])(
    '%s answers 401 in JSON, with the security headers',
    async (url) => {
      const app = await setup();
      const response = await app.inject({ url, remoteAddress: CLIENT_IP });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: { code: 'unauthorized', message: 'authentication required' } });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="kubeglance"');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers).toMatchObject(SECURITY_HEADERS);
    },
  );

  it('shows a browser a page that says how to log in, without script or style', async () => {
    const app = await setup({ proxy: true });
    for (const headers of [{ 'sec-fetch-mode': 'navigate' }, { accept: 'text/html,application/xhtml+xml' }]) {
      const response = await app.inject({ url: '/', headers, remoteAddress: CLIENT_IP });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(SECURITY_HEADERS['content-security-policy']);
      expect(response.body).toContain('/login/token?token=&lt;your token&gt;');
      expect(response.body).toContain('sign-in proxy');
      expect(response.body).not.toMatch(/<script|<style|style=|on\w+=/i);
    }
    // fetch and EventSource from the app get JSON, even when they accept HTML.
    const api = await app.inject({ url: '/api/v1/snapshot', headers: { accept: 'text/html' }, remoteAddress: CLIENT_IP });
    expect(api.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const fetched = await app.inject({ url: '/', headers: { 'sec-fetch-mode': 'cors', accept: 'text/html' }, remoteAddress: CLIENT_IP });
    expect(fetched.headers['content-type']).toContain('application/json');
  });

  it('leaves health, readiness and the favicon public', async () => {
    const app = await setup();
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    expect((await app.inject('/favicon.ico')).statusCode).toBe(204);
    expect((await app.inject({ method: 'HEAD', url: '/healthz' })).statusCode).toBe(200);
  });

  it('makes every request anonymous when authentication is off', async () => {
    const app = await setup({ off: true });
    const response = await app.inject('/api/v1/test-identity');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'anonymous', groups: [], via: 'none' });
    expect((await app.inject('/login/token?token=x')).statusCode).toBe(404);
  });
});

describe('auth hook: bearer tokens', () => {
  it('lets a valid token in and keeps its identity on the request', async () => {
    const app = await setup();
    expect((await app.inject({ url: '/api/v1/clusters', headers: bearer(TV) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics', headers: bearer(SCRAPER) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/test-identity', headers: { authorization: `bearer   ${TV}` } })).json()).toEqual({
      name: 'lobby-tv',
      groups: [],
      namespaces: ['shop', 'web'],
      via: 'token',
    });
  });

  it.each([
    ['a wrong token', bearer('nope'), 'the token is not accepted'],
    ['the hash instead of the token', bearer(tokenHashText(TV)), 'the token is not accepted'],
    ['Basic credentials', { authorization: `Basic ${Buffer.from(`x:${TV}`).toString('base64')}` }, 'only Bearer tokens'],
    ['an empty Bearer', { authorization: 'Bearer ' }, 'only Bearer tokens'],
    ['two tokens', { authorization: `Bearer ${TV} ${TV}` }, 'only Bearer tokens'],
  ])('refuses %s', async (_what, headers, message) => {
    const app = await setup();
    const response = await app.inject({ url: '/api/v1/clusters', headers });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.message).toContain(message);
  });

  it('does not take a token from the query string of the API', async () => {
    const app = await setup();
    expect((await app.inject(`/api/v1/clusters?access_token=${TV}`)).statusCode).toBe(401);
    expect((await app.inject(`/api/v1/clusters?token=${TV}`)).statusCode).toBe(401);
  });

  it('refuses a token once its line is removed from the file, and takes a new one', async () => {
    const app = await setup();
    expect((await app.inject({ url: '/api/v1/clusters', headers: bearer(TV) })).statusCode).toBe(200);
    writeTokens(SCRAPER_LINE);
    expect((await app.inject({ url: '/api/v1/clusters', headers: bearer(TV) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/clusters', headers: bearer(SCRAPER) })).statusCode).toBe(200);
    rmSync(tokenPath);
    expect((await app.inject({ url: '/api/v1/clusters', headers: bearer(SCRAPER) })).statusCode).toBe(401);
  });
});

describe('auth hook: token login and the session cookie', () => {
  const cookieOf = (setCookie: string | string[] | undefined) => String(setCookie).split(';')[0]!;

  it('sets an HttpOnly, SameSite=Strict session cookie and sends the browser to /', async () => {
    const app = await setup();
    const response = await app.inject({ url: `/login/token?token=${TV}`, remoteAddress: CLIENT_IP });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    const attributes = String(response.headers['set-cookie']).split('; ');
    expect(attributes[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=v1\\.[\\w-]+\\.[\\w-]{43}$`));
    expect(attributes.slice(1).sort()).toEqual(['HttpOnly', `Max-Age=${30 * 24 * 3600}`, 'Path=/', 'SameSite=Strict']);
    // The cookie is a signed session, not the token.
    expect(String(response.headers['set-cookie'])).not.toContain(TV);

    const cookie = cookieOf(response.headers['set-cookie']);
    const me = await app.inject({ url: '/api/v1/test-identity', headers: { cookie: `other=1; ${cookie}` } });
    expect(me.json()).toEqual({ name: 'lobby-tv', groups: [], namespaces: ['shop', 'web'], via: 'session' });
    expect((await app.inject({ url: '/api/v1/snapshot', headers: { cookie } })).statusCode).toBe(200);
  });

  it('marks the cookie Secure over https: when a trusted proxy says so', async () => {
    const app = await setup({ proxy: true });
    const viaProxy = await app.inject({ url: `/login/token?token=${TV}`, remoteAddress: PROXY_IP, headers: { 'x-forwarded-proto': 'https' } });
    expect(String(viaProxy.headers['set-cookie']).split('; ')).toContain('Secure');
    const spoofed = await app.inject({ url: `/login/token?token=${TV}`, remoteAddress: CLIENT_IP, headers: { 'x-forwarded-proto': 'https' } });
    expect(String(spoofed.headers['set-cookie']).split('; ')).not.toContain('Secure');
  });

  it('ends the session when the token is revoked or replaced', async () => {
    const app = await setup();
    const cookie = cookieOf((await app.inject(`/login/token?token=${TV}`)).headers['set-cookie']);
    writeTokens(SCRAPER_LINE);
    expect((await app.inject({ url: '/api/v1/clusters', headers: { cookie } })).statusCode).toBe(401);
    // Same name, another token: the old session does not carry over.
    writeTokens(`lobby-tv ${tokenHashText('another-token-0123456789abcdef')}`);
    expect((await app.inject({ url: '/api/v1/clusters', headers: { cookie } })).statusCode).toBe(401);
    writeTokens(TV_LINE);
    expect((await app.inject({ url: '/api/v1/clusters', headers: { cookie } })).statusCode).toBe(200);
  });

  it('refuses a tampered, foreign or expired session cookie', async () => {
    const app = await setup({ auth: { sessions: new SessionSigner(Buffer.alloc(32, 1)) } });
    const cookie = cookieOf((await app.inject(`/login/token?token=${TV}`)).headers['set-cookie']);
    const [prefix, body, mac] = cookie.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ name: 'prometheus', fp: 'x', exp: Date.now() + 1e9 })).toString('base64url');
    const foreign = new SessionSigner().sign({ name: 'lobby-tv', fp: new SessionSigner().fingerprint(Buffer.alloc(32)), exp: Date.now() + 1e9 });
    const expired = new SessionSigner(Buffer.alloc(32, 1)).sign({ name: 'lobby-tv', fp: 'x', exp: Date.now() - 1 });
    for (const bad of [`${prefix}.${forged}.${mac}`, `${prefix}.${body}.${mac.slice(0, -2)}AA`, `${SESSION_COOKIE}=${foreign}`, `${SESSION_COOKIE}=${expired}`, `${SESSION_COOKIE}=`]) {
      expect((await app.inject({ url: '/api/v1/clusters', headers: { cookie: bad } })).statusCode).toBe(401);
    }
  });

  it('answers a wrong token with the login page, never echoing what was sent', async () => {
    const app = await setup();
    const response = await app.inject({ url: '/login/token?token=%3Cscript%3Ealert(1)%3C/script%3E', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.body).toContain('<p>The token is not accepted.</p>');
    expect(response.body).not.toContain('alert');
    expect((await app.inject('/login/token')).statusCode).toBe(401);
    expect((await app.inject(`/login/token?token=${TV}&token=${TV}`)).statusCode).toBe(401);
  });

  it('rate-limits login attempts per address: 429 with Retry-After, other addresses unaffected', async () => {
    const app = await setup();
    for (let i = 0; i < 10; i++) expect((await app.inject({ url: '/login/token?token=guess', remoteAddress: CLIENT_IP })).statusCode).toBe(401);
    const limited = await app.inject({ url: `/login/token?token=${TV}`, remoteAddress: CLIENT_IP });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.json().error.code).toBe('too_many_attempts');
    // Guessing with a Bearer header draws from the same bucket.
    expect((await app.inject({ url: '/api/v1/clusters', headers: bearer('guess'), remoteAddress: CLIENT_IP })).statusCode).toBe(429);
    expect((await app.inject({ url: `/login/token?token=${TV}`, remoteAddress: '192.0.2.11' })).statusCode).toBe(303);
  });

  it('rate-limits failed Bearer tokens, but never a valid one that comes first', async () => {
    const app = await setup({ auth: { loginRateLimit: { burst: 3 } } });
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/api/v1/clusters', headers: bearer(`guess${i}`), remoteAddress: CLIENT_IP })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/clusters', headers: bearer('guess'), remoteAddress: CLIENT_IP })).statusCode).toBe(429);
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/api/v1/clusters', headers: bearer(SCRAPER), remoteAddress: '192.0.2.12' })).statusCode).toBe(200);
  });

  it('logs out only by a same-origin POST', async () => {
    const app = await setup();
    const post = (headers: Record<string, string>, extra: { payload?: string } = {}) => app.inject({ method: 'POST', url: '/logout', headers: { host: 'kg.example:7420', ...headers }, ...extra });
    for (const headers of <Record<string, string>[]>[{}, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'null' }, { origin: 'https://kg.example:7420' }]) {
      const refused = await post(headers);
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['set-cookie']).toBeUndefined();
    }
    for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'same-origin' }, { origin: 'http://kg.example:7420' }]) {
      const response = await post(headers);
      expect(response.statusCode).toBe(204);
      expect(String(response.headers['set-cookie'])).toMatch(new RegExp(`^${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict$`));
    }
    expect((await app.inject({ method: 'GET', url: '/logout' })).statusCode).toBe(401);
    const big = await post({ 'sec-fetch-site': 'same-origin', 'content-type': 'text/plain' }, { payload: 'x'.repeat(4096) });
    expect(big.statusCode).toBe(413);
  });
});

describe('auth hook: trusted proxy headers', () => {
  it('believes the user and groups headers only from the trusted proxy', async () => {
    const app = await setup({ proxy: true, tokens: false });
    const headers = { 'x-forwarded-user': 'alice@example.com', 'x-forwarded-groups': 'devs, ops,devs,,' };
    const untrusted = await app.inject({ url: '/api/v1/test-identity', headers, remoteAddress: CLIENT_IP });
    expect(untrusted.statusCode).toBe(401);
    const trusted = await app.inject({ url: '/api/v1/test-identity', headers, remoteAddress: PROXY_IP });
    expect(trusted.statusCode).toBe(200);
    expect(trusted.json()).toEqual({ name: 'alice@example.com', groups: ['devs', 'ops'], via: 'proxy' });
    const mapped = await app.inject({ url: '/api/v1/clusters', headers, remoteAddress: `::ffff:${PROXY_IP}` });
    expect(mapped.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/clusters', headers, remoteAddress: 'fd00::5' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/clusters', headers, remoteAddress: '10.9.8.8' })).statusCode).toBe(401);
  });

  it('refuses a request from the proxy without a usable user', async () => {
    const app = await setup({ proxy: true, tokens: false });
    for (const user of [undefined, '', '   ', 'a\u0001b', 'x'.repeat(257)]) {
      const headers: Record<string, string> = user === undefined ? {} : { 'x-forwarded-user': user };
      expect((await app.inject({ url: '/api/v1/clusters', headers, remoteAddress: PROXY_IP })).statusCode).toBe(401);
    }
  });

  it('prefers the proxy identity over an Authorization header the proxy passes along', async () => {
    const app = await setup({ proxy: true });
    const response = await app.inject({ url: '/api/v1/test-identity', headers: { 'x-forwarded-user': 'bob', ...bearer('an-id-token-from-the-idp') }, remoteAddress: PROXY_IP });
    expect(response.json()).toMatchObject({ name: 'bob', via: 'proxy' });
  });
});

describe('auth hook: fuzzed headers, cookies and query strings', () => {
  it('never answers 5xx and never throws, for 2,000 random requests', async () => {
    const app = await setup({ proxy: true });
    const next = seededRandom(20261125); // the same cases on every run
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const ALPHABET = 'abcXYZ019 =;,.:/"\'\\%&?#<>{}[]-_+*~!$()@\t\u00e9\u00ff';
    const text = (max: number) => Array.from({ length: Math.floor(next() * max) }, () => pick([...ALPHABET])).join('');
    const anyOf = () => pick([text(40), text(400), '', TV, `Bearer ${text(60)}`, `Bearer ${TV}`, `${SESSION_COOKIE}=${text(80)}`, `${SESSION_COOKIE}=v1.${text(30)}.${text(43)}`, 'x'.repeat(9000)]);
    const paths = ['/', '/api/v1/clusters', '/api/v1/snapshot', '/api/v1/clusters/c1/topology', '/metrics', '/login/token', '/logout', '/healthz', '/assets/app.js', '/nowhere', '/api/v1/test-identity'];
    const headerNames = ['authorization', 'cookie', 'x-forwarded-user', 'x-forwarded-groups', 'x-forwarded-proto', 'x-forwarded-for', 'sec-fetch-site', 'sec-fetch-mode', 'origin', 'accept', 'last-event-id', 'host'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 2_000; i++) {
      const headers: Record<string, string> = {};
      for (const name of headerNames) if (next() < 0.35) headers[name] = anyOf();
      const query = next() < 0.5 ? `?${pick(['token', 'access_token', 'x', ''])}=${encodeURIComponent(anyOf())}${next() < 0.3 ? `&token=${text(20)}` : ''}${next() < 0.1 ? '%zz&%' : ''}` : '';
      const method = pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'] as const);
      const remoteAddress = pick([CLIENT_IP, PROXY_IP, `::ffff:${PROXY_IP}`, '::1', 'fd00::1']);
      const response = await app.inject({ method, url: `${pick(paths)}${query}`, headers, remoteAddress, ...(method === 'POST' && next() < 0.5 ? { payload: text(2000) } : {}) });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      expect(response.statusCode, `${method} ${JSON.stringify(headers)}`).toBeLessThan(500);
    }
    // The fuzz reaches past the hook as well as into it.
    expect(statuses.get(401)).toBeGreaterThan(100);
    expect(statuses.get(200)).toBeGreaterThan(50);
  });
});
