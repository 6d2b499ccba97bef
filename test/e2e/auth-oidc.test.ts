// OIDC login in Chromium: a real provider (oidc-provider) on loopback with a login page, kubeglance
// in-process with --oidc-* and a FakeSource. A visit without a session goes to the provider's login
// page; signing in there lands back on the app, which loads and draws and names the user; logging
// out ends the session here and at the provider, so the next visit asks to sign in again.
// Needs dist/web (npm run build:web).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, pod } from '../../src/model/testing/records.js';
import { startTestProvider, type TestProvider } from '../../src/server/auth/testing/oidc.js';
import { freePort } from '../../src/server/testing/free-port.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { FakeSource } from '../../src/server/testing/fixtures.js';
import { launchBrowser, newPage, saveScreenshot } from '../support/browser.js';
import { waitForScene } from './helpers/occupancy.js';

const WEB_INDEX = path.resolve(import.meta.dirname, '../../dist/web/index.html');
const CLIENT_ID = 'kubeglance';
const CLIENT_SECRET = 'a-client-secret-of-some-length-0123456789';

let browser: Browser;
let provider: TestProvider;
let server: RunningServer;
let appUrl: string;

beforeAll(async () => {
  if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build:web\` before the e2e tests`);
  // The callback URL is registered with the provider before kubeglance starts: pick its port first.
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  provider = await startTestProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${appUrl}/auth/callback`],
    privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    accounts: new Map([['alice', { groups: ['dev'] }]]),
    login: () => 'alice',
    loginForm: true,
    tokenTtl: () => 3600,
  });
  const source = new FakeSource('fake', 'Fake cluster');
  server = await startServer({
    sources: [source],
    host: '127.0.0.1',
    port,
    logger: pino({ level: 'silent' }),
    auth: { oidc: { issuer: provider.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: `${appUrl}/auth/callback` } },
  });
  source.emit(
    { type: 'upsert', record: node('uid-n1', { name: 'node-1' }) },
    { type: 'upsert', record: pod('uid-p1', { name: 'web-1', namespace: 'prod', nodeName: 'node-1' }) },
    { type: 'status', status: { phase: 'live', since: Date.now(), kinds: {}, metrics: 'pending' } },
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await provider?.close();
});

/** The page is the provider's login page: on the provider's origin, with its sign-in form. */
async function expectProviderLogin(page: Page): Promise<void> {
  expect(new URL(page.url()).origin).toBe(provider.issuer);
  await page.waitForSelector('input[name="login"]');
  expect(await page.title()).toMatch(/sign in/i);
  expect(await page.locator('canvas').count()).toBe(0);
}

describe('OIDC login in the browser', () => {
  it('sends a visit to the provider, signs in there, draws, names the user, and logs out at both ends', async () => {
    const { page, errors, console: messages } = await newPage(browser, `${appUrl}/`);
    try {
      // No session: off to the provider (through /auth/login), which asks who this is.
      await expectProviderLogin(page);

      // Signing in there lands back on the app, which loads and draws.
      await page.fill('input[name="login"]', 'alice');
      await page.click('button[type="submit"]');
      await page.waitForURL(`${appUrl}/`);
      const scene = await waitForScene(page, (s) => s.pods.length === 1, { timeout: 30_000, what: 'the pod drawn after the OIDC login' });
      expect(scene.pods[0]?.name).toBe('web-1');
      const session = (await page.context().cookies(appUrl)).find((c) => c.name === 'kubeglance_session');
      expect(session?.httpOnly).toBe(true);
      expect(session?.sameSite).toBe('Strict');
      await expect.poll(() => page.textContent('#user')).toBe('alice');

      // Logging out ends the session here and goes on to the provider's end-session page; confirming
      // there ends the provider's session too.
      await Promise.all([page.waitForURL((url) => url.origin === provider.issuer), page.click('#log-out')]);
      expect((await page.context().cookies(appUrl)).find((c) => c.name === 'kubeglance_session')).toBeUndefined();
      await Promise.all([page.waitForNavigation(), page.click('button[name="logout"][value="yes"]')]);

      // The session is over on the server too, not only forgotten by the browser: its old cookie is refused.
      const replayed = await page.request.get(`${appUrl}/api/v1/clusters`, { headers: { cookie: `kubeglance_session=${session!.value}` } });
      expect(replayed.status()).toBe(401);

      // A new visit asks to sign in again.
      await page.goto(`${appUrl}/`);
      await expectProviderLogin(page);
      // The app logged no error. The provider's own pages are not under test: it has no favicon, and
      // its logout page asks for a web font, which the closed network refuses.
      const fromProvider = (error: string) => error.includes(provider.issuer) || error.includes('fonts.googleapis.com');
      expect(errors.filter((error) => !fromProvider(error)), messages.join('\n')).toEqual([]);
    } finally {
      await saveScreenshot(page, 'auth-oidc').catch(() => {});
      await page.close();
    }
  });
});
