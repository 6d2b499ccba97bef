// The built app, served by the real kubeglance process (demo cluster), in headless Chromium: it
// loads without errors, WebGL2 works, and the Content-Security-Policy is in force.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, saveScreenshot, webGlInfo } from '../support/browser.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';

const WEB_INDEX = path.resolve(import.meta.dirname, '../../dist/web/index.html');

declare global {
  interface Window {
    __injected?: number;
    __handler?: number;
    __evaluated?: number;
  }
}

let browser: Browser;
let app: RunningKubeglance;

beforeAll(async () => {
  if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build\` before the e2e tests`);
  [browser, app] = await Promise.all([launchBrowser(), startKubeglance(['--demo=small'])]);
});

afterAll(async () => {
  await browser?.close();
  const code = await app?.stop();
  expect(code).toBe(0);
});

describe('the app in Chromium', () => {
  it('loads its assets without a console or page error, with WebGL2 on SwiftShader', async () => {
    const { page, response, responses, errors, console } = await newPage(browser, app.url, { width: 1280, height: 800 });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(responses).toEqual(
      expect.arrayContaining([`200 ${new URL('/assets/app.js', app.url)}`, `200 ${new URL('/assets/app.css', app.url)}`]),
    );
    // Let the app start up (first snapshot, first frames) before looking for errors; the
    // screenshot comes first so that a failing run leaves it too.
    await page.waitForTimeout(1_500);
    await saveScreenshot(page, 'smoke');

    const gl = await webGlInfo(page);
    expect(gl.webgl2).toBe(true);
    expect(gl.renderer).toMatch(/SwiftShader/);
    expect(errors, console.join('\n')).toEqual([]);
    await page.close();
  });

  it('serves the page under a CSP that stops injected inline scripts, handlers and eval', async () => {
    const { page, response, errors } = await newPage(browser, app.url);
    const csp = response.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');

    // Only what the injection causes counts here; the first test checks the page itself.
    const before = errors.length;
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) => violations.push(event.effectiveDirective));

      const script = document.createElement('script');
      script.textContent = 'window.__injected = 1';
      document.body.append(script);

      const holder = document.createElement('div');
      holder.innerHTML = '<script>window.__injected = 2</script><button onclick="window.__handler = 1">x</button>';
      document.body.append(holder);
      holder.querySelector('button')!.click();

      // Code that page.evaluate runs directly may eval (DevTools allows it); a task of the page may not.
      const evalError = await new Promise<string>((resolve) =>
        setTimeout(() => {
          try {
            new Function('window.__evaluated = 1')();
            resolve('');
          } catch (error) {
            resolve(String(error));
          }
        }),
      );

      // Violation events are dispatched asynchronously.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { injected: window.__injected, handler: window.__handler, evaluated: window.__evaluated, evalError, violations };
    });
    expect(outcome.injected).toBeUndefined();
    expect(outcome.handler).toBeUndefined();
    expect(outcome.evaluated).toBeUndefined();
    expect(outcome.evalError).toMatch(/EvalError/);
    expect(outcome.violations).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr', 'script-src']));
    // Chromium reports each refusal in the console, and nothing else went wrong.
    const caused = errors.slice(before);
    expect(caused.length).toBeGreaterThan(0);
    for (const error of caused) expect(error).toMatch(/violates the following Content Security Policy directive/);
    await page.close();
  });
});
