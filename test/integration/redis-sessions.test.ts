// Logins across replicas sharing a real redis-server: a token-login cookie made by one replica is
// good at every other (the signing secret lives in Redis) and nowhere else; an OIDC login through
// a real provider (oidc-provider on 127.0.0.1) made at one replica holds at another, refreshes
// made by several replicas at once do not spend a rotating refresh token twice, and logging out at
// one ends the session at all.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthOptions } from '../../src/server/auth/hook.js';
import { SESSION_COOKIE } from '../../src/server/auth/session.js';
import { Browser, startTestProvider, type TestProvider } from '../../src/server/auth/testing/oidc.js';
import { TokenFile, tokenHashText } from '../../src/server/auth/tokens.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { freePort } from '../../src/server/testing/free-port.js';
import { FakeSource } from '../../src/server/testing/fixtures.js';
import { startRedis, type RunningRedis } from '../support/redis.js';

const CLIENT_ID = 'kubeglance';
const CLIENT_SECRET = 'a-client-secret-of-some-length-0123456789';

let redis: RunningRedis;
const servers: RunningServer[] = [];
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-redis-sessions-'));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A replica on `port` (0: any) with this authentication, sharing the Redis under `prefix`. */
async function replica(auth: AuthOptions, prefix: string, port = 0): Promise<RunningServer> {
  const server = await startServer({
    sources: [new FakeSource('c1')],
    host: '127.0.0.1',
    port,
    logger: pino({ level: 'silent' }),
    auth,
    replication: { url: redis.url, keyPrefix: prefix },
  });
  servers.push(server);
  return server;
}

const hostOf = (server: RunningServer) => `127.0.0.1:${server.port}`;

describe('sessions across replicas', () => {
  it('a token-login cookie from one replica is good at another, and means nothing to a server outside this Redis', async () => {
    const token = 'wall-screen-0123456789abcdef-secret';
    const tokenPath = path.join(dir, 'tokens');
    writeFileSync(tokenPath, `wall ${tokenHashText(token)}\n`);
    const withTokens = async (): Promise<AuthOptions> => ({ tokens: await TokenFile.load(tokenPath, { checkIntervalMs: 0 }) });
    const a = await replica(await withTokens(), 'tokens:');
    const b = await replica(await withTokens(), 'tokens:');

    const login = await fetch(new URL(`/login/token?token=${token}`, a.url), { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const atB = await fetch(new URL('/api/v1/me', b.url), { headers: { cookie } });
    expect(atB.status).toBe(200);
    expect(await atB.json()).toMatchObject({ name: 'wall', via: 'session' });

    const outsider = await startServer({ sources: [new FakeSource('c1')], host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), auth: await withTokens() });
    servers.push(outsider);
    expect((await fetch(new URL('/api/v1/me', outsider.url), { headers: { cookie } })).status).toBe(401);
  });

  describe('OIDC', () => {
    let provider: TestProvider;
    let portA: number;
    /** Short-lived tokens: every request refreshes (the refresh margin is a minute). */
    const accounts = new Map([['olivia', { groups: ['sre'] }]]);

    beforeAll(async () => {
      portA = await freePort();
      provider = await startTestProvider({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [`http://127.0.0.1:${portA}/auth/callback`],
        privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        accounts,
        login: () => 'olivia',
        tokenTtl: () => 30,
        rotateRefreshTokens: true,
      });
    });

    afterAll(async () => {
      await provider.close();
    });

    it('a login at one replica holds at another, concurrent refreshes on both keep it alive, and a logout at one ends it at both', async () => {
      const oidc = (): AuthOptions => ({
        oidc: { issuer: provider.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: `http://127.0.0.1:${portA}/auth/callback` },
        loginRateLimit: { burst: 1000 },
      });
      const a = await replica(oidc(), 'oidc:', portA);
      const b = await replica(oidc(), 'oidc:');

      const browser = new Browser();
      const { visited } = await browser.navigate(`${a.url}auth/login`);
      expect(visited.at(-1)).toMatch(/\/auth\/callback\?/);
      const session = browser.cookie(hostOf(a), SESSION_COOKIE);
      expect(session).toBeDefined();
      // The same cookie at the other replica, as one site behind a load balancer would send it.
      browser.setCookie(hostOf(b), SESSION_COOKIE, session!);

      const me = (server: RunningServer) => browser.request(`${server.url}api/v1/me`, { headers: { 'sec-fetch-mode': 'cors' } });
      // Tokens live 30 s, so each of these requests wants a refresh: both replicas at once, three times.
      for (let round = 0; round < 3; round++) {
        const replies = await Promise.all([me(a), me(b), me(a), me(b)]);
        expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
        expect(await replies[1]!.json()).toMatchObject({ name: 'olivia', groups: ['sre'], via: 'oidc' });
      }

      const logout = await browser.request(`${a.url}logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
      expect(logout.status).toBeLessThan(400);
      // The cookie is gone from this browser at A; at B it is still sent, but its session has ended.
      expect((await me(b)).status).toBe(401);
    });
  });
});
