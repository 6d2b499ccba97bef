// PixiJS under kubeglance's Content-Security-Policy, on SwiftShader: it renders when
// pixi.js/unsafe-eval is imported first, and refuses to start without it (PixiJS 8 generates
// shader and uniform upload code with new Function, which the CSP forbids). Independent of the
// app: a small scene is bundled here and served by the real HTTP app with the real headers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/http.js';
import { Hub } from '../../src/server/hub.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import { ClusterStore } from '../../src/server/store.js';
import { launchBrowser, newPage, saveScreenshot } from '../support/browser.js';
import type { PixiOutcome } from './fixtures/pixi-scene.js';

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures');
const INDEX = '<!doctype html><meta charset="utf-8"><title>pixi</title><script type="module" src="/assets/app.js"></script><body></body>';

let tmp: string;
let browser: Browser;
const servers: { url: string; close(): Promise<void> }[] = [];

/** Bundles a fixture entry like scripts/build-web.mjs does and serves it; returns the URL. */
async function serveBundle(entry: string): Promise<string> {
  const root = path.join(tmp, path.basename(entry, '.ts'));
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), INDEX);
  await esbuild.build({
    entryPoints: [path.join(FIXTURES, entry)],
    outfile: path.join(root, 'assets/app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    logLevel: 'warning',
  });
  const store = new ClusterStore();
  const hub = new Hub(store);
  const app = buildApp({ store, hub, metrics: new ServerMetrics(), logger: pino({ level: 'silent' }), webRoot: root });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  servers.push({
    url,
    async close() {
      hub.stop();
      await app.close();
    },
  });
  return url;
}

async function outcome(url: string) {
  const opened = await newPage(browser, url, { width: 520, height: 340 });
  await opened.page.waitForFunction(() => window.__pixi !== undefined, undefined, { timeout: 30_000 });
  const result = (await opened.page.evaluate(() => window.__pixi)) as PixiOutcome;
  return { ...opened, result };
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kubeglance-pixi-'));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => server.close()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('PixiJS under the CSP', () => {
  it('renders with WebGL when pixi.js/unsafe-eval is imported first, without any violation', async () => {
    const { page, result, errors, console } = await outcome(await serveBundle('pixi-with-unsafe-eval-module.ts'));
    expect(result).toEqual({ ok: true, renderer: 'webgl', violations: [] });
    expect(errors, console.join('\n')).toEqual([]);
    // Something was drawn: the red rectangle at (20..160, 20..90) of the canvas.
    const pixel = await page.evaluate(() => {
      const source = document.querySelector('canvas')!;
      const copy = document.createElement('canvas');
      copy.width = source.width;
      copy.height = source.height;
      const context = copy.getContext('2d')!;
      context.drawImage(source, 0, 0);
      return [...context.getImageData(80, 50, 1, 1).data];
    });
    expect(pixel).toEqual([0xd9, 0x4c, 0x4c, 255]);
    await saveScreenshot(page, 'pixi-csp');
    await page.close();
  });

  it('refuses to start without pixi.js/unsafe-eval', async () => {
    const { page, result } = await outcome(await serveBundle('pixi-plain.ts'));
    expect(result.ok).toBe(false);
    expect(result.error).toContain('pixi.js/unsafe-eval');
    expect(result.violations).toContain('script-src');
    await page.close();
  });
});
