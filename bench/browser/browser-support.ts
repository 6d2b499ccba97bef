// test/support/browser.ts uses DOM types, which the benches (tsconfig.json, Node only) do not
// have: imported by a computed name, with the part the benches use typed here.
import type { Browser, Page } from 'playwright-core';

interface BrowserSupport {
  launchBrowser(): Promise<Browser>;
  newPage(browser: Browser, url: string, size?: { width?: number; height?: number }): Promise<{ page: Page; errors: string[]; console: string[] }>;
}

const BROWSER_SUPPORT = '../../test/support/browser.js';
export const { launchBrowser, newPage } = (await import(BROWSER_SUPPORT)) as BrowserSupport;
