// Helpers for the occupancy view's browser tests: the app's test hook (window.__kubeglance),
// waiting on what the view drew rather than on time, and reading pixels off a screenshot.
// Lives under test/e2e (not test/support) because it needs the DOM types of tsconfig.e2e.json.
import type { Page } from 'playwright-core';
import type { Topology } from '../../../src/model/topology.js';
import type { SceneSnapshot } from '../../../src/web/views/occupancy/scene.js';
import type { TopologyScene } from '../../../src/web/views/topology/scene.js';
import { decodePng } from '../../support/png.js';

export type { SceneSnapshot };
export type ScenePod = SceneSnapshot['pods'][number];
export type SceneNode = SceneSnapshot['nodes'][number];
export type Rect = ScenePod['screen'];

/** What src/web/app.ts exposes to tests (the subset used here). */
interface KubeglanceHook {
  scene(): SceneSnapshot;
  idle(): boolean;
  state(): {
    view: string;
    query: string;
    groupBy: string;
    sortPods: string;
    hideNonMatching: boolean;
    tv: boolean;
    theme: string;
    camera: unknown;
    selection: { cluster: string; kind: string; uid: string } | null;
    focus: string | null;
    namespaces: string[];
    kinds: string[];
  };
  pickAt(x: number, y: number): { box: string; pod: string | undefined } | undefined;
  topology(): TopologyScene;
  topologyIdle(): boolean;
  topologyModel(): Topology | undefined;
}

declare global {
  interface Window {
    __kubeglance?: KubeglanceHook;
  }
}

/** Okabe–Ito pod status colours (src/web/views/occupancy/palette.ts). */
export const STATUS_COLORS = {
  ready: '#009e73',
  notReady: '#e69f00',
  pending: '#56b4e9',
  failing: '#d55e00',
  succeeded: '#8c8c8c',
  terminating: '#cc79a7',
  unknown: '#f0e442',
} as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until data has arrived and the view has no frame or layout pending. */
export async function waitForIdle(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForFunction(() => window.__kubeglance?.idle() === true, undefined, { timeout, polling: 50 });
}

/** The scene as drawn, once the view is idle. */
export async function scene(page: Page, timeout?: number): Promise<SceneSnapshot> {
  await waitForIdle(page, timeout);
  return page.evaluate(() => window.__kubeglance!.scene());
}

/**
 * Polls the scene (only while the view is idle) until `test` holds; returns that scene. The
 * predicate runs here in Node, so it may close over anything. On timeout the error shows what
 * the scene held last.
 */
export async function waitForScene(
  page: Page,
  test: (scene: SceneSnapshot) => boolean,
  { timeout = 10_000, what = 'a scene condition' }: { timeout?: number; what?: string } = {},
): Promise<SceneSnapshot> {
  const read = () =>
    page.evaluate(() => {
      const hook = window.__kubeglance;
      return hook !== undefined && hook.idle() ? hook.scene() : undefined;
    });
  return pollUntil(read, test, { timeout, what, describe: describeScene });
}

/**
 * Reads something off the page every 50 ms until `test` holds for it; returns it. On timeout
 * the error names what was awaited and shows, through `describe`, what was read last.
 */
export async function pollUntil<T>(
  read: () => Promise<T | undefined>,
  test: (value: T) => boolean,
  { timeout, what, describe }: { timeout: number; what: string; describe: (value: T | undefined) => string },
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const last = await read();
    if (last !== undefined && test(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}; last scene: ${describe(last)}`);
    await sleep(50);
  }
}

/** Short text form of a scene for assertion messages. */
export function describeScene(s: SceneSnapshot | undefined): string {
  if (s === undefined) return '(view never idle)';
  const nodes = s.nodes.map((n) => `${n.name}${n.cordoned ? ' (cordoned)' : ''}: ${n.podCount}`).join(', ');
  const pods = s.pods.map((p) => `${p.namespace}/${p.name} ${p.status}${p.dim ? ' dim' : ''}`).join(', ');
  return `nodes [${nodes}] pods [${pods}]`;
}

export function podNamed(s: SceneSnapshot, name: string, namespace?: string): ScenePod | undefined {
  return s.pods.find((p) => p.name === name && (namespace === undefined || p.namespace === namespace));
}

/** Canvas-relative rect centre → page coordinates (for the mouse). */
export async function pagePoint(page: Page, rect: Rect): Promise<{ x: number; y: number }> {
  const box = await page.locator('canvas.occupancy-canvas').boundingBox();
  if (box === null) throw new Error('the canvas is not laid out');
  return { x: box.x + rect.x + rect.w / 2, y: box.y + rect.y + rect.h / 2 };
}

export type Rgb = [number, number, number];

/** Screenshot of the canvas area, readable by canvas-relative CSS pixel (deviceScaleFactor 1). */
export async function canvasPixels(page: Page): Promise<{ at(x: number, y: number): Rgb; centre(rect: Rect): Rgb }> {
  const box = await page.locator('canvas.occupancy-canvas').boundingBox();
  if (box === null) throw new Error('the canvas is not laid out');
  const clip = { x: Math.round(box.x), y: Math.round(box.y), width: Math.floor(box.width), height: Math.floor(box.height) };
  const png = decodePng(await page.screenshot({ clip }));
  const at = (x: number, y: number): Rgb => {
    const px = Math.min(png.width - 1, Math.max(0, Math.floor(x + box.x - clip.x)));
    const py = Math.min(png.height - 1, Math.max(0, Math.floor(y + box.y - clip.y)));
    const i = (py * png.width + px) * 4;
    return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
  };
  return { at, centre: (rect) => at(rect.x + rect.w / 2, rect.y + rect.h / 2) };
}

export function hexToRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** Largest per-channel difference. */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** The page's URL query parameters (decoded). */
export function urlParams(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/** Polls until the page URL satisfies `test` (the camera is written to it 300 ms after a move). */
export async function waitForUrl(page: Page, test: (params: URLSearchParams) => boolean, what: string, timeout = 5_000): Promise<URLSearchParams> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const params = urlParams(page);
    if (test(params)) return params;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the URL to have ${what}; it is ${page.url()}`);
    await sleep(50);
  }
}

/** Whether the canvas itself (not the legend, tooltip or a panel) is on top at a rect's centre. */
export async function canvasOnTopAt(page: Page, rect: Rect): Promise<boolean> {
  const point = await pagePoint(page, rect);
  return page.evaluate(({ x, y }) => document.elementFromPoint(x, y) === document.querySelector('canvas.occupancy-canvas'), point);
}

/**
 * Whether the camera shows the whole layout fitted to the view: what zoom-to-fit does (centred
 * horizontally, filling the width or the height less a 16 px margin).
 */
export function fitsView(s: SceneSnapshot, margin = 16): boolean {
  if (s.clusters.length === 0) return true;
  const left = Math.min(...s.clusters.map((c) => c.box.x));
  const top = Math.min(...s.clusters.map((c) => c.box.y));
  const right = Math.max(...s.clusters.map((c) => c.box.x + c.box.w));
  const bottom = Math.max(...s.clusters.map((c) => c.box.y + c.box.h));
  const w = right - left;
  const h = bottom - top;
  const fills = Math.abs(w - (s.view.width - 2 * margin)) < 1 || Math.abs(h - (s.view.height - 2 * margin)) < 1;
  const centred = Math.abs(left - (s.view.width - w) / 2) < 1;
  const inside = top >= margin - 1 && bottom <= s.view.height - margin + 1;
  return fills && centred && inside;
}
