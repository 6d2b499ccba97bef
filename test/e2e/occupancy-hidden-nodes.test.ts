// The occupancy view for an identity that may not see nodes (--authz-file with `nodes: false`),
// in Chromium against an in-process server with token auth and a policy. The server sends such a
// user pods (with their nodeName) but no Node records: the view must draw those pods inside
// placeholder node boxes named after pod.nodeName, marked "node details hidden" (dashed border,
// no capacity bars, no readiness), grouped as "(unknown)", and the summary must say the nodes
// are hidden rather than count placeholders as nodes. An identity that sees nodes gets the real
// node boxes for the same pods. Needs dist/web (npm run build:web).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, pod } from '../../src/model/testing/records.js';
import { TokenFile, tokenHashText } from '../../src/server/auth/tokens.js';
import { parseAuthzPolicy } from '../../src/server/authz/policy.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { FakeSource } from '../../src/server/testing/fixtures.js';
import * as g from '../../src/web/views/occupancy/geometry.js';
import { LIGHT } from '../../src/web/views/occupancy/palette.js';
import { launchBrowser, newPage, saveScreenshot } from '../support/browser.js';
import { canvasOnTopAt, canvasPixels, colourDistance, pagePoint, waitForScene, type Rect, type Rgb, type SceneNode, type SceneSnapshot } from './helpers/occupancy.js';

const WEB_INDEX = path.resolve(import.meta.dirname, '../../dist/web/index.html');
const SHOP_TV = 'shop-tv-token-0123456789abcdef01234567';
const ADMIN = 'admin-token-0123456789abcdef0123456789ab';
const ZONE = 'topology.kubernetes.io/zone';
/** A node name that is markup: it reaches the page through the pods, and must stay text. */
const EVIL_NODE = '<img src=x onerror=alert(1)>';
const TOLERANCE = 8;

let browser: Browser;
let server: RunningServer;
let source: FakeSource;
let dir: string;

beforeAll(async () => {
  if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build:web\` before the e2e tests`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-hidden-nodes-e2e-'));
  const tokenPath = path.join(dir, 'tokens');
  writeFileSync(tokenPath, `shop-tv ${tokenHashText(SHOP_TV)}\nadmin ${tokenHashText(ADMIN)}\n`);
  const authz = parseAuthzPolicy(`
groups:
  shop-tv: { namespaces: [shop], nodes: false }
  admin: { namespaces: ['*'], nodes: true }
`);
  source = new FakeSource('fake', 'Fake cluster');
  const tokens = await TokenFile.load(tokenPath, { checkIntervalMs: 0 });
  server = await startServer({ sources: [source], host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), auth: { tokens }, authz });
  source.emit(
    { type: 'upsert', record: node('uid-w1', { name: 'worker-1', labels: { [ZONE]: 'a' } }) },
    { type: 'upsert', record: node('uid-w2', { name: 'worker-2', labels: { [ZONE]: 'b' } }) },
    { type: 'upsert', record: pod('uid-web-1', { name: 'web-1', namespace: 'shop', nodeName: 'worker-1' }) },
    { type: 'upsert', record: pod('uid-db-0', { name: 'db-0', namespace: 'shop', nodeName: 'worker-1' }) },
    { type: 'upsert', record: pod('uid-web-2', { name: 'web-2', namespace: 'shop', nodeName: 'worker-2' }) },
    { type: 'upsert', record: pod('uid-odd', { name: 'odd-0', namespace: 'shop', nodeName: EVIL_NODE }) },
    { type: 'upsert', record: pod('uid-queued', { name: 'queued-0', namespace: 'shop', phase: 'Pending', status: 'Pending', ready: false }) },
    // Another namespace: not for shop-tv.
    { type: 'upsert', record: pod('uid-secret', { name: 'secret-0', namespace: 'payments', nodeName: 'worker-2' }) },
    { type: 'status', status: { phase: 'live', since: Date.now(), kinds: {}, metrics: 'pending' } },
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Logs in with the token (session cookie), then opens the app with the view state `search`. */
async function openAs(token: string, search: string) {
  const dialogs: string[] = [];
  const opened = await newPage(browser, `${server.url}login/token?token=${token}`, {
    setup: (page) =>
      page.on('dialog', (dialog) => {
        dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      }),
  });
  await opened.page.goto(`${server.url}${search}`);
  return { ...opened, dialogs };
}

function inside(inner: Rect, outer: Rect): boolean {
  return inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.w <= outer.x + outer.w + 0.5 && inner.y + inner.h <= outer.y + outer.h + 0.5;
}

/** Pixels across the middle of the CPU bar's band (just under the header) of a node box. */
function barBand(pixels: Awaited<ReturnType<typeof canvasPixels>>, s: SceneSnapshot, box: Rect): Rgb[] {
  const y = box.y + (g.NODE_HEADER + 1 + g.BAR_HEIGHT / 2) * s.camera.scale;
  const left = box.x + g.NODE_PAD * s.camera.scale + 2;
  const right = box.x + box.w - g.NODE_PAD * s.camera.scale - 2;
  return Array.from({ length: 9 }, (_, i) => pixels.at(left + ((right - left) * i) / 8, y));
}

/** Pixels down the left border of a box, beside its pod grid. */
function leftBorder(pixels: Awaited<ReturnType<typeof canvasPixels>>, s: SceneSnapshot, box: Rect): Rgb[] {
  const top = box.y + g.GRID_TOP * s.camera.scale + 1;
  const bottom = Math.min(box.y + box.h - 2, top + 40);
  const out: Rgb[] = [];
  for (let y = top; y < bottom; y++) out.push(pixels.at(box.x + 0.75, y));
  return out;
}

const near = (colour: Rgb, target: readonly [number, number, number], tolerance = TOLERANCE) => colourDistance(colour, [...target] as Rgb) <= tolerance;

async function nodeBox(page: Page, test: (s: SceneSnapshot) => boolean, what: string): Promise<SceneSnapshot> {
  return waitForScene(page, test, { timeout: 30_000, what });
}

describe('occupancy for an identity without nodes', () => {
  it('draws its pods inside placeholder node boxes marked "node details hidden", without node capacity, grouped as unknown', async () => {
    const { page, errors, console: messages, dialogs } = await openAs(SHOP_TV, `?group=${encodeURIComponent(ZONE)}&theme=light`);
    try {
      expect(await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()) as unknown)).toMatchObject({ name: 'shop-tv', nodes: false });
      const s = await nodeBox(
        page,
        (scene) => scene.pods.length === 5 && scene.nodes.filter((n) => n.kind === 'node').every((n) => n.detailsHidden),
        'the shop pods in placeholder boxes marked hidden',
      );

      // Only the shop pods; none of another namespace.
      expect(s.pods.map((p) => p.name).sort()).toEqual(['db-0', 'odd-0', 'queued-0', 'web-1', 'web-2']);
      const nodes = s.nodes.filter((n) => n.kind === 'node');
      expect(nodes.map((n) => n.name).sort()).toEqual([EVIL_NODE, 'worker-1', 'worker-2'].sort());
      for (const n of nodes) {
        expect(n, n.name).toMatchObject({ placeholder: true, detailsHidden: true, bars: false, border: 'dashed', uid: undefined, ready: undefined, cordoned: undefined });
        expect(n.label).toBe(`${n.name} · node details hidden`);
      }
      // Every scheduled pod is drawn inside the placeholder named after its nodeName.
      for (const p of s.pods.filter((pod) => pod.node !== undefined)) {
        const box = nodes.find((n) => n.name === p.node);
        expect(box, `${p.name} on ${p.node}`).toBeDefined();
        expect(p.box).toBe(p.node);
        expect(inside(p.screen, box!.box), `${p.name} inside ${p.node}`).toBe(true);
      }
      expect(nodes.find((n) => n.name === 'worker-1')!.podCount).toBe(2);
      // The pending pod is still unscheduled, not in a placeholder.
      expect(s.pods.find((p) => p.name === 'queued-0')!.box).not.toBe('worker-1');
      // Grouped by zone: labels of hidden nodes are unknown, so they share one "(unknown)" group.
      expect(s.clusters[0]!.groups.map((group) => [group.value, [...group.nodes].sort()])).toEqual([['(unknown)', [EVIL_NODE, 'worker-1', 'worker-2'].sort()]]);

      // The summary does not count placeholders as nodes: it says they are hidden; no shares of a capacity it does not know.
      const nodesMetric = page.locator('.summary-metric[data-metric="nodes"]');
      await expect.poll(() => nodesMetric.textContent(), { timeout: 5_000 }).toBe('nodes 3 hidden');
      expect(await nodesMetric.getAttribute('data-state')).toBe('hidden');
      expect(await page.locator('.summary-metric[data-metric="CPU"]').textContent()).toBe('CPU req 400m');
      expect(await page.locator('.summary-metric[data-metric="packing"]').count()).toBe(0);

      // Pixels: no bars under the header (the node's fill, not the bar background), and a dashed border.
      const pixels = await canvasPixels(page);
      const worker1 = nodes.find((n) => n.name === 'worker-1')!;
      for (const colour of barBand(pixels, s, worker1.box)) expect(near(colour, LIGHT.nodeFill), `bar band ${colour.join(',')}`).toBe(true);
      const border = leftBorder(pixels, s, worker1.box);
      const dashes = border.filter((c) => near(c, LIGHT.placeholderBorder, 24)).length;
      expect(dashes, border.map((c) => c.join(',')).join(' ')).toBeGreaterThan(2);
      expect(border.length - dashes).toBeGreaterThan(2);

      // Hover on the placeholder's header: the tooltip says why there is nothing about the node.
      const header: Rect = { x: worker1.box.x + 4, y: worker1.box.y + 2, w: worker1.box.w - 8, h: g.NODE_HEADER * s.camera.scale - 4 };
      const point = await pagePoint(page, header);
      await page.mouse.move(point.x, point.y);
      const tooltip = page.locator('.tooltip');
      await expect.poll(() => tooltip.isVisible(), { timeout: 5_000 }).toBe(true);
      expect(await tooltip.textContent()).toContain('node worker-1');
      expect(await tooltip.textContent()).toContain('node details hidden');
      // Click: the details panel names the node and says its details are hidden; no capacity.
      await page.mouse.click(point.x, point.y);
      const details = page.locator('aside.details');
      await expect.poll(() => details.isVisible(), { timeout: 5_000 }).toBe(true);
      expect(await details.locator('.details-name').textContent()).toBe('worker-1');
      expect(await details.locator('.details-note').textContent()).toMatch(/^Node details hidden/);
      expect(await details.textContent()).not.toMatch(/allocatable|capacity \d|Ready/);
      const selected = await nodeBox(page, (scene) => scene.nodes.some((n) => n.name === 'worker-1' && n.selected), 'the placeholder selected');
      expect(selected.nodes.find((n) => n.name === 'worker-1')!.border).toBe('solid');

      // The markup node name is text everywhere: in the tooltip and in the details panel. (The
      // panel took room from the canvas: positions come from the scene drawn since.)
      const odd = selected.pods.find((p) => p.name === 'odd-0')!;
      const evil = selected.nodes.find((n) => n.name === EVIL_NODE)!;
      expect(await canvasOnTopAt(page, evil.box)).toBe(true);
      const oddHeader = await pagePoint(page, { x: evil.box.x + 4, y: evil.box.y + 2, w: evil.box.w - 8, h: g.NODE_HEADER * selected.camera.scale - 4 });
      await page.mouse.click(oddHeader.x, oddHeader.y);
      await expect.poll(() => details.locator('.details-name').textContent(), { timeout: 5_000 }).toBe(EVIL_NODE);
      const oddPod = await pagePoint(page, odd.screen);
      await page.mouse.move(oddPod.x, oddPod.y);
      await expect.poll(() => tooltip.textContent(), { timeout: 5_000 }).toContain(`node ${EVIL_NODE}`);
      expect(await page.locator('.tooltip img, .details img').count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(errors, messages.join('\n')).toEqual([]);
    } finally {
      await saveScreenshot(page, 'occupancy-hidden-nodes').catch(() => {});
      await page.close();
    }
  });

  it('shows the real node boxes, with bars and solid borders, to an identity that sees nodes', async () => {
    const { page, errors, console: messages } = await openAs(ADMIN, `?group=${encodeURIComponent(ZONE)}&theme=light`);
    try {
      expect(await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()) as unknown)).toMatchObject({ name: 'admin', nodes: true });
      const s = await nodeBox(page, (scene) => scene.pods.length === 6, 'every pod drawn');
      const real = (name: string): SceneNode => s.nodes.find((n) => n.name === name)!;
      for (const name of ['worker-1', 'worker-2']) {
        expect(real(name)).toMatchObject({ placeholder: false, detailsHidden: false, bars: true, border: 'solid', ready: true });
      }
      // A pod naming a node with no Node record (not hidden: the admin sees nodes): a placeholder, not "hidden".
      expect(real(EVIL_NODE)).toMatchObject({ placeholder: true, detailsHidden: false, bars: false, label: `${EVIL_NODE} · no Node record` });
      expect(s.clusters[0]!.groups.map((group) => group.value)).toEqual(['a', 'b', '(unknown)']);
      const nodesMetric = page.locator('.summary-metric[data-metric="nodes"]');
      await expect.poll(() => nodesMetric.textContent(), { timeout: 5_000 }).toBe('nodes 2 / 2 ready · 1 missing');
      // The real node's bar band is drawn (bar background or request colour), unlike a placeholder's.
      const pixels = await canvasPixels(page);
      const band = barBand(pixels, s, real('worker-1').box);
      expect(band.some((c) => !near(c, LIGHT.nodeFill)), band.map((c) => c.join(',')).join(' ')).toBe(true);
      expect(errors, messages.join('\n')).toEqual([]);
    } finally {
      await saveScreenshot(page, 'occupancy-hidden-nodes-admin').catch(() => {});
      await page.close();
    }
  });

  it('follows live changes: a placeholder appears with a pod on a new node, goes with its last pod, and becomes a real box when the Node arrives', async () => {
    const tv = await openAs(SHOP_TV, '?theme=light');
    const admin = await openAs(ADMIN, '?theme=light');
    try {
      await nodeBox(tv.page, (s) => s.pods.length === 5 && s.nodes.some((n) => n.name === 'worker-2' && n.detailsHidden), 'the first picture');
      await nodeBox(admin.page, (s) => s.nodes.some((n) => n.name === EVIL_NODE && n.placeholder), 'the admin picture');
      // shop-tv: worker-2 loses its last pod, and its box goes (no other change asks for a layout).
      source.emit({ type: 'delete', kind: 'Pod', uid: 'uid-web-2' });
      await nodeBox(tv.page, (scene) => scene.pods.length === 4 && !scene.nodes.some((n) => n.name === 'worker-2'), 'worker-2 placeholder gone');
      // A pod on a node not seen before: a new placeholder, hidden like the others.
      source.emit({ type: 'upsert', record: pod('uid-web-3', { name: 'web-3', namespace: 'shop', nodeName: 'worker-3' }) });
      const s = await nodeBox(
        tv.page,
        (scene) => scene.nodes.some((n) => n.name === 'worker-3') && !scene.nodes.some((n) => n.name === 'worker-2'),
        'worker-3 placeholder in, worker-2 placeholder out',
      );
      const worker3 = s.nodes.find((n) => n.name === 'worker-3')!;
      expect(worker3).toMatchObject({ placeholder: true, detailsHidden: true, bars: false, podCount: 1 });
      expect(inside(s.pods.find((p) => p.name === 'web-3')!.screen, worker3.box)).toBe(true);
      // The admin sees worker-2 still (a real node, now without shop pods), and the markup-named
      // node turns from placeholder into a real box when its Node record arrives.
      source.emit({ type: 'upsert', record: node('uid-odd-node', { name: EVIL_NODE }) });
      const a = await nodeBox(admin.page, (scene) => scene.nodes.some((n) => n.name === EVIL_NODE && !n.placeholder), 'the Node record replacing the placeholder');
      expect(a.nodes.find((n) => n.name === EVIL_NODE)).toMatchObject({ placeholder: false, bars: true, ready: true, uid: 'uid-odd-node' });
      expect(a.nodes.find((n) => n.name === 'worker-2')).toMatchObject({ placeholder: false });
      // The Node is still hidden from shop-tv: its box stays a placeholder there.
      const t = await nodeBox(tv.page, (scene) => scene.pods.length === 5, 'shop-tv after the Node arrived');
      expect(t.nodes.find((n) => n.name === EVIL_NODE)).toMatchObject({ placeholder: true, detailsHidden: true });
      expect(tv.errors, tv.console.join('\n')).toEqual([]);
      expect(admin.errors, admin.console.join('\n')).toEqual([]);
    } finally {
      await saveScreenshot(tv.page, 'occupancy-hidden-nodes-live').catch(() => {});
      await tv.page.close();
      await admin.page.close();
    }
  });
});
