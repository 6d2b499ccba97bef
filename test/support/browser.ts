// Debian's Chromium (scripts/ensure-chromium.sh), headless, driven by playwright-core. WebGL runs
// on SwiftShader, Chromium's CPU rasterizer: the machines have no GPU. No test tool downloads a
// browser of its own.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page, type Response } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e');
export const CHROMIUM = process.env.KUBEGLANCE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  // Tests run as root in a container without user namespaces.
  '--no-sandbox',
  // WebGL without a GPU: ANGLE on SwiftShader, which Chromium otherwise only allows as a fallback.
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--enable-webgl',
  '--ignore-gpu-blocklist',
  '--disable-gpu-sandbox',
  // The network is closed: no update checks, sync or QUIC probes (each would be refused and logged).
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface PageProblems {
  /** console.error messages and uncaught exceptions of the page, as text; a test expects none. */
  errors: string[];
  /** Every console message, for the message of a failing assertion. */
  console: string[];
}

export interface OpenedPage extends PageProblems {
  page: Page;
  /** The response to the navigation (status, headers). */
  response: Response;
  /** Every response the page got so far, as `<status> <url>`. */
  responses: string[];
}

/**
 * Opens url in a new context (fresh storage) of the given size and waits for `load`. Console
 * errors, page errors and failed requests are collected from the start.
 */
export async function newPage(
  browser: Browser,
  url: string,
  {
    width = 1280,
    height = 800,
    setup,
  }: {
    width?: number;
    height?: number;
    /** Runs before the navigation: listeners that must not miss anything (dialogs, say). */
    setup?: (page: Page) => void;
  } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  const messages: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    const text = `${message.type()}: ${message.text()}${location(message)}`;
    messages.push(text);
    if (message.type() === 'error') errors.push(text);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
  page.on('requestfailed', (request) => {
    // Navigating away aborts what the previous page still had open (an event stream, say).
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    errors.push(`requestfailed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  const responses: string[] = [];
  page.on('response', (response) => responses.push(`${response.status()} ${response.url()}`));
  page.on('close', () => void context.close().catch(() => {}));
  setup?.(page);
  const response = await page.goto(url, { waitUntil: 'load' });
  if (response === null) throw new Error(`no response for ${url}`);
  return { page, response, responses, errors, console: messages };
}

function location(message: ConsoleMessage): string {
  const { url, lineNumber } = message.location();
  return url ? ` (${url}:${lineNumber})` : '';
}

/** Writes test-artifacts/e2e/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

export interface WebGlInfo {
  webgl2: boolean;
  renderer: string;
  vendor: string;
}

/** What WebGL2 the page gets (renderer is ANGLE's, e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader ...))"). */
export function webGlInfo(page: Page): Promise<WebGlInfo> {
  return page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return { webgl2: false, renderer: '', vendor: '' };
    // The unmasked strings are the useful ones; the masked ones just say "WebKit WebGL".
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    const vendor = String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { webgl2: true, renderer, vendor };
  });
}
