// Authentication in Chromium: an in-process server with a token file. A visit without a session
// gets the login page (no app, no script of ours); the login URL sets the session cookie and
// the app then loads and draws; the page's own requests carry the cookie; a revoked token ends
// the session at once, its open page going to the login page by itself; the toolbar names the user and logs out. Needs dist/web (npm run build:web).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, pod } from '../../src/model/testing/records.js';
import { TokenFile, tokenHashText } from '../../src/server/auth/tokens.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { FakeSource } from '../../src/server/testing/fixtures.js';
import { launchBrowser, newPage, saveScreenshot } from '../support/browser.js';
import { waitForScene } from './helpers/occupancy.js';

const WEB_INDEX = path.resolve(import.meta.dirname, '../../dist/web/index.html');
const TOKEN = 'tv-lobby-0123456789abcdef-secret';

let browser: Browser;
let server: RunningServer;
let dir: string;
let tokenPath: string;

beforeAll(async () => {
  if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build:web\` before the e2e tests`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-auth-e2e-'));
  tokenPath = path.join(dir, 'tokens');
  writeFileSync(tokenPath, `lobby-tv ${tokenHashText(TOKEN)}\n`);
  const source = new FakeSource('fake', 'Fake cluster');
  const tokens = await TokenFile.load(tokenPath, { checkIntervalMs: 0 });
  server = await startServer({ sources: [source], host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), auth: { tokens } });
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
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('authentication in the browser', () => {
  it('shows the login page without a session, logs in by the token URL, draws, and ends with a revoked token', async () => {
    const { page, errors, responses } = await newPage(browser, server.url);
    try {
      // No session: the 401 login page, not the app.
      expect(responses.some((r) => r.startsWith('401 ') && r.endsWith(server.url))).toBe(true);
      expect(await page.locator('canvas').count()).toBe(0);
      expect((await page.textContent('body')) ?? '').toMatch(/log in/i);
      expect(await page.evaluate(() => 'kubeglance' in window || '__kubeglance' in window)).toBe(false);

      // The token URL sets the session cookie and lands on the app, which loads and draws.
      await page.goto(`${server.url}login/token?token=${TOKEN}`);
      expect(new URL(page.url()).pathname).toBe('/');
      const cookies = await page.context().cookies();
      const session = cookies.find((c) => c.httpOnly);
      expect(session?.sameSite).toBe('Strict');
      expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: not readable by scripts
      const scene = await waitForScene(page, (s) => s.pods.length === 1, { timeout: 30_000, what: 'the pod drawn after login' });
      expect(scene.pods[0]?.name).toBe('web-1');

      // Who is signed in, and logging out: the page reloads into the login page.
      await expect.poll(() => page.textContent('#user')).toBe('lobby-tv');
      await Promise.all([page.waitForNavigation(), page.click('#log-out')]);
      expect(await page.locator('canvas').count()).toBe(0);
      expect((await page.textContent('body')) ?? '').toMatch(/log in/i);
      await page.goto(`${server.url}login/token?token=${TOKEN}`);
      await waitForScene(page, (s) => s.pods.length === 1, { timeout: 30_000, what: 'the pod drawn after logging in again' });

      // Revoked: the open page's event stream ends, its reconnect is refused, and the app reloads
      // into the login page by itself (no request of the test's own).
      const loginPage = page.waitForResponse((r) => r.url() === server.url && r.request().isNavigationRequest() && r.status() === 401, { timeout: 30_000 });
      writeFileSync(tokenPath, '# lobby-tv revoked\n');
      await loginPage;
      await page.waitForLoadState('load');
      expect(await page.locator('canvas').count()).toBe(0);
      expect((await page.textContent('body')) ?? '').toMatch(/log in/i);
      expect(await page.evaluate(async () => (await fetch('/api/v1/clusters')).status)).toBe(401);
      // The only errors are the refused requests the test provoked.
      expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    } finally {
      await saveScreenshot(page, 'auth-login').catch(() => {});
      await page.close();
    }
  });
});
