// The occupancy view in Chromium against an in-process server whose only cluster is a
// FakeSource: the test decides every node, pod and status, and checks what the view draws
// (the scene of the test hook, and pixels of a screenshot), the panels around it, the URL state
// and the keyboard. Needs dist/web (npm run build:web).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../src/model/cluster-status.js';
import type { ClusterRecord, PodRecord } from '../../src/model/records.js';
import { node, pod } from '../../src/model/testing/records.js';
import { FAKE_CLUSTER as CLUSTER, useFakeServers, type CheckedPage, type FakeServer } from './helpers/fake-server.js';
import {
  STATUS_COLORS,
  canvasOnTopAt,
  canvasPixels,
  colourDistance,
  describeScene,
  fitsView,
  hexToRgb,
  pagePoint,
  podNamed,
  scene,
  urlParams,
  waitForScene,
  waitForUrl,
  type SceneSnapshot,
} from './helpers/occupancy.js';
import { DARK, LIGHT } from '../../src/web/views/occupancy/palette.js';

const ZONE = 'topology.kubernetes.io/zone';
/** Per channel; SwiftShader draws the shader's colours exactly, this only absorbs rounding. */
const TOLERANCE = 8;

// --- The cluster ---------------------------------------------------------------------------------

const NODE_A = node('uid-node-a', { name: 'node-a', labels: { [ZONE]: 'a' } });
const NODE_B = node('uid-node-b', {
  name: 'node-b',
  labels: { [ZONE]: 'b' },
  unschedulable: true,
  taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
});

/** name → [record, the visual status it must be drawn with]. */
const PODS: [PodRecord, keyof typeof STATUS_COLORS][] = [
  [pod('uid-web-1', { name: 'web-1', namespace: 'prod', nodeName: 'node-a' }), 'ready'],
  [pod('uid-web-2', { name: 'web-2', namespace: 'prod', nodeName: 'node-b' }), 'ready'],
  [pod('uid-api-1', { name: 'api-1', namespace: 'prod', nodeName: 'node-a', status: 'CrashLoopBackOff', reason: 'CrashLoopBackOff', ready: false, restarts: 7 }), 'failing'],
  [pod('uid-old-1', { name: 'old-1', namespace: 'prod', nodeName: 'node-a', deletingAt: 2 }), 'terminating'],
  [pod('uid-job-1', { name: 'job-1', namespace: 'staging', nodeName: 'node-a', phase: 'Succeeded', status: 'Succeeded', ready: false }), 'succeeded'],
  [pod('uid-db-1', { name: 'db-1', namespace: 'staging', nodeName: 'node-b', status: 'NotReady', ready: false }), 'notReady'],
  [pod('uid-cache-1', { name: 'cache-1', namespace: 'staging', nodeName: 'node-b', phase: 'Pending', status: 'ContainerCreating', ready: false }), 'pending'],
  [pod('uid-lost-1', { name: 'lost-1', namespace: 'staging', nodeName: 'node-b', phase: 'Unknown', status: 'Unknown', ready: false }), 'unknown'],
  [
    pod('uid-queued-1', { name: 'queued-1', namespace: 'prod', phase: 'Pending', status: 'Pending', ready: false, schedulingMessage: '0/2 nodes are available: 2 Insufficient cpu.' }),
    'pending',
  ],
];
const PROD_PODS = PODS.filter(([p]) => p.namespace === 'prod').map(([p]) => p.name).sort();

function baseRecords(): ClusterRecord[] {
  return [NODE_A, NODE_B, ...PODS.map(([p]) => p)];
}

function clusterStatus(phase: ClusterStatus['phase'], fields: Partial<ClusterStatus> = {}): ClusterStatus {
  return { phase, since: Date.now(), kinds: {}, metrics: 'pending', ...fields };
}

// --- Server, browser and pages ---------------------------------------------------------------------

const fake = useFakeServers();

/** A server whose one cluster is a FakeSource (helpers/fake-server.ts); by default the cluster above, live. */
function serveFake({
  name = 'Fake cluster',
  records = baseRecords(),
  status = clusterStatus('live'),
}: { name?: string; records?: ClusterRecord[]; status?: ClusterStatus } = {}): Promise<FakeServer> {
  return fake.serve({ name, records, status });
}

/**
 * Opens url, waits for the first complete picture, runs the test body, and always leaves a
 * screenshot; then the page must have logged no error and opened no dialog.
 */
function withPage(name: string, url: string, body: (opened: CheckedPage) => Promise<void>, podCount = PODS.length): Promise<void> {
  return fake.withPage(
    `occupancy-fake-${name}`,
    url,
    (page) => waitForScene(page, (s) => s.pods.length === podCount, { timeout: 45_000, what: `${podCount} pods drawn` }),
    body,
  );
}

/** Pods of one node box in reading order (row by row, left to right) on screen. */
function podsInReadingOrder(s: SceneSnapshot, box: string): string[] {
  return s.pods
    .filter((p) => p.box === box)
    .sort((a, b) => a.screen.y - b.screen.y || a.screen.x - b.screen.x)
    .map((p) => p.name);
}

async function focusCanvas(page: Page): Promise<void> {
  await page.locator('canvas.occupancy-canvas').focus();
}

// --- Tests ---------------------------------------------------------------------------------------

describe('occupancy view with a fake cluster', () => {
  it('draws every node and every pod in its status colour, on screen as in the scene', async () => {
    const { url } = await serveFake();
    await withPage('statuses', url, async ({ page }) => {
      const s = await scene(page);
      const nodes = s.nodes.filter((n) => n.kind === 'node').map((n) => ({ name: n.name, cordoned: n.cordoned, ready: n.ready, pods: n.podCount }));
      expect(nodes).toEqual([
        { name: 'node-a', cordoned: false, ready: true, pods: 4 },
        { name: 'node-b', cordoned: true, ready: true, pods: 4 },
      ]);
      // The pod the scheduler could not place has a box named after the reason.
      expect(s.nodes.filter((n) => n.kind === 'unscheduled').map((n) => [n.name, n.podCount])).toEqual([['2 Insufficient cpu.', 1]]);

      for (const [record, status] of PODS) {
        const drawn = podNamed(s, record.name);
        expect(drawn, `${record.name} in ${describeScene(s)}`).toBeDefined();
        expect({ name: drawn!.name, status: drawn!.status, color: drawn!.color, drawnColor: drawn!.drawnColor, dim: drawn!.dim }).toEqual({
          name: record.name, status, color: STATUS_COLORS[status], drawnColor: STATUS_COLORS[status], dim: false,
        });
        expect(drawn!.node).toBe(record.nodeName);
      }

      // The pixels: filled at the centre for ready (filled square) and failing (a cross), and
      // the hollow not-ready square shows its colour only near the edge.
      const ready = podNamed(s, 'web-1')!;
      const failing = podNamed(s, 'api-1')!;
      const notReady = podNamed(s, 'db-1')!;
      expect(ready.screen.w, 'pods are big enough on screen to show their shape').toBeGreaterThanOrEqual(8);
      for (const p of [ready, failing, notReady]) expect(await canvasOnTopAt(page, p.screen), `${p.name} not covered`).toBe(true);
      const pixels = await canvasPixels(page);
      expect(colourDistance(pixels.centre(ready.screen), hexToRgb(STATUS_COLORS.ready))).toBeLessThanOrEqual(TOLERANCE);
      expect(colourDistance(pixels.centre(failing.screen), hexToRgb(STATUS_COLORS.failing))).toBeLessThanOrEqual(TOLERANCE);
      const edge = pixels.at(notReady.screen.x + notReady.screen.w * 0.1, notReady.screen.y + notReady.screen.h / 2);
      expect(colourDistance(edge, hexToRgb(STATUS_COLORS.notReady))).toBeLessThanOrEqual(TOLERANCE);
      expect(colourDistance(pixels.centre(notReady.screen), hexToRgb(STATUS_COLORS.notReady))).toBeGreaterThan(40);

      // The summary strip counts the same cluster.
      const summary = await page.locator(`.summary-row[data-cluster="${CLUSTER}"]`).textContent();
      expect(summary).toContain('Fake cluster');
      // Details of a metric are in its title: the cordoned node and the unscheduled pod.
      const titles = await page.locator(`.summary-row[data-cluster="${CLUSTER}"] .summary-metric`).evaluateAll((metrics) => metrics.map((m) => m.getAttribute('title')));
      expect(titles).toEqual(expect.arrayContaining(['1 cordoned', '1 unscheduled']));
    });
  });

  it('draws pods as solid cells in their status colour at overview zoom (under 4 px per cell)', async () => {
    const { url } = await serveFake();
    // 0.3 px per unit: a 10-unit cell is 3 px, below the level where shapes are drawn.
    await withPage('overview', `${url}?cam=40,40,0.3`, async ({ page }) => {
      const s = await scene(page);
      expect(s.camera.scale).toBeCloseTo(0.3);
      const pixels = await canvasPixels(page);
      for (const name of ['web-1', 'api-1', 'db-1']) {
        const pod = podNamed(s, name)!;
        // The hollow not-ready square is filled here: colour alone carries the status.
        expect(colourDistance(pixels.centre(pod.screen), hexToRgb(pod.color)), name).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  });

  it('follows live changes: a new pod appears within 2 s, changes colour, and goes when deleted', async () => {
    const { source, url } = await serveFake();
    await withPage('live-updates', url, async ({ page }) => {
      const fresh = pod('uid-new-1', { name: 'new-1', namespace: 'prod', nodeName: 'node-a' });
      const started = Date.now();
      source.emit({ type: 'upsert', record: fresh });
      let s = await waitForScene(page, (s) => podNamed(s, 'new-1')?.status === 'ready', { timeout: 2_000, what: 'new-1 drawn ready within 2 s' });
      const appearedMs = Date.now() - started;
      expect(s.nodes.find((n) => n.name === 'node-a')?.podCount).toBe(5);
      expect(podNamed(s, 'new-1')!.color).toBe(STATUS_COLORS.ready);

      source.emit({ type: 'upsert', record: { ...fresh, status: 'CrashLoopBackOff', reason: 'CrashLoopBackOff', ready: false, restarts: 1 } });
      s = await waitForScene(page, (s) => podNamed(s, 'new-1')?.status === 'failing', { timeout: 2_000, what: 'new-1 failing' });
      const failing = podNamed(s, 'new-1')!;
      expect(failing.color).toBe(STATUS_COLORS.failing);
      expect(failing.restarts).toBe(1);
      const pixels = await canvasPixels(page);
      expect(colourDistance(pixels.centre(failing.screen), hexToRgb(STATUS_COLORS.failing))).toBeLessThanOrEqual(TOLERANCE);

      source.emit({ type: 'delete', kind: 'Pod', uid: fresh.uid });
      s = await waitForScene(page, (s) => podNamed(s, 'new-1') === undefined, { timeout: 2_000, what: 'new-1 gone' });
      expect(s.pods).toHaveLength(PODS.length);
      expect(s.nodes.find((n) => n.name === 'node-a')?.podCount).toBe(4);

      // A node that joins gets a box of its own.
      source.emit({ type: 'upsert', record: node('uid-node-c', { name: 'node-c', labels: { [ZONE]: 'c' } }) });
      s = await waitForScene(page, (s) => s.nodes.some((n) => n.name === 'node-c'), { timeout: 3_000, what: 'node-c drawn' });
      expect(s.nodes.filter((n) => n.kind === 'node').map((n) => n.name)).toEqual(['node-a', 'node-b', 'node-c']);
      expect(appearedMs).toBeLessThan(2_000);
    });
  });

  it('shows names from the cluster as text: no markup from a pod name reaches the DOM', async () => {
    const NAME = '<img src=x onerror=alert(1)>';
    const NAMESPACE = '<script>';
    const IMAGE = '<img src=z onerror=alert(3)>';
    const CLUSTER_NAME = '<img src=y onerror=alert(2)>';
    const evil = pod('uid-evil', {
      name: NAME,
      namespace: NAMESPACE,
      nodeName: 'node-a',
      labels: { app: '<b>bold</b>' },
      containers: [{ name: '<i>c</i>', image: IMAGE, state: 'running', ready: true, restarts: 0 }],
    });
    const { url } = await serveFake({ name: CLUSTER_NAME, records: [NODE_A, NODE_B, evil] });
    await withPage('hostile-names', url, async ({ page }) => {
      const s = await scene(page);
      const drawn = podNamed(s, NAME);
      expect(drawn, describeScene(s)).toBeDefined();
      expect(drawn!.namespace).toBe(NAMESPACE);

      // Hover: the tooltip names the pod, as text.
      const point = await pagePoint(page, drawn!.screen);
      await page.mouse.move(point.x, point.y);
      const tooltip = page.locator('.tooltip');
      await expect.poll(() => tooltip.isVisible(), { timeout: 5_000 }).toBe(true);
      expect(await tooltip.textContent()).toContain(`${NAMESPACE}/${NAME}`);
      expect(await tooltip.locator('img, script, b, i').count()).toBe(0);

      // Click: the details panel shows the name, namespace, labels and image as text.
      await page.mouse.click(point.x, point.y);
      const details = page.locator('aside.details');
      await expect.poll(() => details.getAttribute('data-kind'), { timeout: 5_000 }).toBe('Pod');
      expect(await details.locator('.details-name').textContent()).toBe(NAME);
      const text = await details.textContent();
      expect(text).toContain(NAMESPACE);
      expect(text).toContain(IMAGE);
      expect(text).toContain('app=<b>bold</b>');
      expect(await page.evaluate(() => document.querySelectorAll('aside.details img').length)).toBe(0);

      // Nowhere in the page: the cluster's name is in the status bar and summary as text too.
      expect(await page.locator(`.status[data-cluster="${CLUSTER}"] strong`).textContent()).toBe(CLUSTER_NAME);
      expect(await page.locator(`.summary-row[data-cluster="${CLUSTER}"] .summary-name`).textContent()).toBe(CLUSTER_NAME);
      const markup = await page.evaluate(() => ({
        images: document.querySelectorAll('img').length,
        scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
        bold: document.querySelectorAll('b, i').length,
      }));
      expect(markup).toEqual({ images: 0, scripts: ['/assets/app.js'], bold: 0 });
      // A moment for any handler that would have fired (dialogs are checked after the body).
      await page.waitForTimeout(300);
    }, 1);
  });

  it('filters: dims non-matching pods, counts matches, hides them on request, reports a bad query, keeps q in the URL', async () => {
    const { url } = await serveFake();
    await withPage('filter', url, async ({ page }) => {
      // "/" focuses the filter without typing itself.
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter');
      await page.keyboard.type('ns:prod');
      const message = page.locator('#filter-message');
      await expect.poll(() => message.getAttribute('data-kind'), { timeout: 5_000 }).toBe('count');
      expect(await message.textContent()).toBe(`${PROD_PODS.length} of ${PODS.length} pods match`);
      expect(await page.locator('#filter').inputValue()).toBe('ns:prod');

      let s = await waitForScene(page, (s) => s.pods.some((p) => p.dim), { what: 'pods dimmed' });
      for (const p of s.pods) {
        expect({ name: p.name, dim: p.dim }).toEqual({ name: p.name, dim: p.namespace !== 'prod' });
        if (p.dim) expect(p.drawnColor).not.toBe(p.color);
        else expect(p.drawnColor).toBe(p.color);
      }
      // A dimmed pod is drawn in its dimmed colour (job-1: a succeeded dot, filled at the centre).
      const dimmed = podNamed(s, 'job-1')!;
      const pixels = await canvasPixels(page);
      expect(colourDistance(pixels.centre(dimmed.screen), hexToRgb(dimmed.drawnColor))).toBeLessThanOrEqual(TOLERANCE);
      expect(await waitForUrl(page, (q) => q.get('q') === 'ns:prod', 'q=ns:prod')).toBeTruthy();
      expect(page.url()).toContain('q=ns:prod'); // readable, not ns%3Aprod

      // Hide: only the matching pods are left in the picture.
      await page.locator('#hide-non-matching').check();
      s = await waitForScene(page, (s) => s.pods.length === PROD_PODS.length, { what: 'only prod pods' });
      expect(s.pods.map((p) => p.name).sort()).toEqual(PROD_PODS);
      expect(s.pods.every((p) => !p.dim)).toBe(true);
      expect(urlParams(page).get('hide')).toBe('1');

      // An invalid query says what is wrong, at which character.
      await page.locator('#filter').fill('foo:bar');
      await page.locator('#filter').press('Enter');
      await expect.poll(() => message.getAttribute('data-kind'), { timeout: 5_000 }).toBe('error');
      expect(await message.textContent()).toMatch(/Unknown field "foo".*\(at character 1\)/);
      expect(await page.locator('#filter').getAttribute('aria-invalid')).toBe('true');
      expect(urlParams(page).get('q')).toBe('foo:bar');

      // Clearing it shows everything again.
      await page.locator('#filter').fill('');
      await page.locator('#filter').press('Enter');
      s = await waitForScene(page, (s) => s.pods.length === PODS.length && s.pods.every((p) => !p.dim), { what: 'all pods, none dim' });
      expect(await message.textContent()).toBe('');
      expect(urlParams(page).has('q')).toBe(false);
    });
  });

  it('groups nodes by zone and sorts pods by name', async () => {
    const { url } = await serveFake();
    await withPage('group-sort', url, async ({ page }) => {
      let s = await scene(page);
      expect(s.clusters).toHaveLength(1);
      expect(s.clusters[0]!.groups.map((g) => ({ value: g.value, nodes: g.nodes }))).toEqual([{ value: '', nodes: ['node-a', 'node-b'] }]);
      // Default: by status, what needs attention first.
      expect(podsInReadingOrder(s, 'node-a')).toEqual(['api-1', 'old-1', 'web-1', 'job-1']);

      await page.locator('#group-by').selectOption(ZONE);
      s = await waitForScene(page, (s) => s.clusters[0]!.groups.length === 2, { what: 'two zone groups' });
      expect(s.clusters[0]!.groups.map((g) => ({ value: g.value, nodes: g.nodes }))).toEqual([
        { value: 'a', nodes: ['node-a'] },
        { value: 'b', nodes: ['node-b'] },
      ]);
      // Each group's box holds its node's box.
      for (const group of s.clusters[0]!.groups) {
        const box = s.nodes.find((n) => n.name === group.nodes[0])!.box;
        expect(box.x).toBeGreaterThanOrEqual(group.box.x);
        expect(box.y).toBeGreaterThanOrEqual(group.box.y);
        expect(box.x + box.w).toBeLessThanOrEqual(group.box.x + group.box.w + 0.01);
        expect(box.y + box.h).toBeLessThanOrEqual(group.box.y + group.box.h + 0.01);
      }
      expect(urlParams(page).get('group')).toBe(ZONE);

      await page.locator('#sort-pods').selectOption('name');
      s = await waitForScene(page, (s) => podsInReadingOrder(s, 'node-a')[0] === 'api-1' && podsInReadingOrder(s, 'node-a')[1] === 'job-1', { what: 'pods by name' });
      expect(podsInReadingOrder(s, 'node-a')).toEqual(['api-1', 'job-1', 'old-1', 'web-1']);
      expect(podsInReadingOrder(s, 'node-b')).toEqual(['cache-1', 'db-1', 'lost-1', 'web-2']);
      expect(urlParams(page).get('psort')).toBe('name');

      // "g" moves on to the next preset (region): no node has that label, so one "(none)" group.
      await focusCanvas(page);
      await page.keyboard.press('g');
      s = await waitForScene(page, (s) => s.clusters[0]!.groups.length === 1 && s.clusters[0]!.groups[0]!.value === '(none)', { what: 'region grouping' });
      expect(await page.locator('#group-by').inputValue()).toBe('topology.kubernetes.io/region');
    });
  });

  it('zooms with + / - / wheel, pans with arrows, fits with f, and writes the camera to the URL', async () => {
    const { url } = await serveFake();
    await withPage('zoom', url, async ({ page }) => {
      const first = await scene(page);
      const fit = first.camera;
      expect(fitsView(first), 'the first picture is fitted').toBe(true);
      expect(urlParams(page).has('cam')).toBe(false);
      await focusCanvas(page);

      await page.keyboard.press('+');
      let s = await waitForScene(page, (s) => s.camera.scale > fit.scale * 1.2, { what: 'zoomed in' });
      expect(s.camera.scale).toBeCloseTo(fit.scale * 1.25, 5);
      // Pods grow with the zoom (8 world units square).
      expect(s.pods[0]!.screen.w).toBeCloseTo(8 * s.camera.scale, 3);
      const cam = await waitForUrl(page, (q) => q.has('cam'), 'cam=');
      expect(Number(cam.get('cam')!.split(',')[2])).toBeCloseTo(fit.scale * 1.25, 2);

      await page.keyboard.press('-');
      s = await waitForScene(page, (s) => Math.abs(s.camera.scale - fit.scale) < 1e-6, { what: 'zoomed back out' });
      const x = s.camera.x;
      await page.keyboard.press('ArrowLeft');
      s = await waitForScene(page, (s) => s.camera.x !== x, { what: 'panned' });
      expect(s.camera.x).toBeCloseTo(x + 100, 5);

      await page.keyboard.press('f');
      s = await waitForScene(page, (s) => Math.abs(s.camera.x - fit.x) < 0.5, { what: 'back to fit' });
      expect(fitsView(s)).toBe(true);
      expect(s.camera.scale).toBeCloseTo(fit.scale, 6);
      expect(s.camera.y).toBeCloseTo(fit.y, 3);

      // The wheel zooms around the pointer: the world point under it stays put.
      const box = (await page.locator('canvas.occupancy-canvas').boundingBox())!;
      const at = { x: box.width / 2, y: box.height / 2 };
      await page.mouse.move(box.x + at.x, box.y + at.y);
      await page.mouse.wheel(0, 300);
      s = await waitForScene(page, (s) => s.camera.scale < fit.scale * 0.9, { what: 'wheel zoomed out' });
      // (within a pixel: the pointer's position is whole pixels of the page, the canvas may not be)
      const world = { x: (at.x - fit.x) / fit.scale, y: (at.y - fit.y) / fit.scale };
      expect(Math.abs(world.x * s.camera.scale + s.camera.x - at.x)).toBeLessThan(1);
      expect(Math.abs(world.y * s.camera.scale + s.camera.y - at.y)).toBeLessThan(1);
      await waitForUrl(page, (q) => Number(q.get('cam')?.split(',')[2]) < fit.scale * 0.9, 'the wheel zoom in cam=');

      await page.locator('#fit').click();
      s = await waitForScene(page, (s) => Math.abs(s.camera.scale - fit.scale) < 1e-6, { what: 'fit button' });
      expect(s.camera.x).toBeCloseTo(fit.x, 3);
    });
  });

  it('restores filter, grouping, sorting and selection from the URL, and follows back/forward', async () => {
    const { url } = await serveFake();
    const link = `${url}?q=ns:prod&group=${ZONE}&psort=name&sel=${CLUSTER}/Pod/uid-web-2`;
    await withPage('url-state', link, async ({ page }) => {
      let s = await scene(page);
      expect(await page.locator('#filter').inputValue()).toBe('ns:prod');
      expect(await page.locator('#group-by').inputValue()).toBe(ZONE);
      expect(await page.locator('#sort-pods').inputValue()).toBe('name');
      expect(s.clusters[0]!.groups.map((g) => g.value)).toEqual(['a', 'b']);
      expect(podsInReadingOrder(s, 'node-b')).toEqual(['cache-1', 'db-1', 'lost-1', 'web-2']);
      expect(s.pods.filter((p) => p.dim).map((p) => p.namespace)).toEqual(expect.arrayContaining(['staging']));
      expect(s.pods.filter((p) => p.selected).map((p) => p.name)).toEqual(['web-2']);

      const details = page.locator('aside.details');
      await expect.poll(() => details.isVisible(), { timeout: 5_000 }).toBe(true);
      expect(await details.getAttribute('data-kind')).toBe('Pod');
      expect(await details.locator('.details-name').textContent()).toBe('web-2');
      // The view brought the selected pod into sight.
      const selected = podNamed(s, 'web-2')!.screen;
      expect(selected.x).toBeGreaterThanOrEqual(0);
      expect(selected.y).toBeGreaterThanOrEqual(0);
      expect(selected.x + selected.w).toBeLessThanOrEqual(s.view.width);
      expect(selected.y + selected.h).toBeLessThanOrEqual(s.view.height);

      // Changing the grouping is a history entry: back restores it, forward re-applies the change.
      await page.locator('#group-by').selectOption('');
      s = await waitForScene(page, (s) => s.clusters[0]!.groups.length === 1, { what: 'ungrouped' });
      expect(urlParams(page).has('group')).toBe(false);

      await page.goBack();
      s = await waitForScene(page, (s) => s.clusters[0]!.groups.length === 2, { what: 'zone groups after back' });
      expect(await page.locator('#group-by').inputValue()).toBe(ZONE);
      expect(urlParams(page).get('group')).toBe(ZONE);
      expect(await page.locator('#filter').inputValue()).toBe('ns:prod');

      await page.goForward();
      s = await waitForScene(page, (s) => s.clusters[0]!.groups.length === 1, { what: 'ungrouped after forward' });
      expect(await page.locator('#group-by').inputValue()).toBe('');
      expect(s.clusters[0]!.groups[0]!.value).toBe('');
    });
  });

  it('keyboard and buttons: Esc unselects, ? opens help, theme cycles, t toggles TV mode', async () => {
    const { url } = await serveFake();
    await withPage('keys-theme-tv', url, async ({ page }) => {
      // Click a pod, then Esc closes its details.
      let s = await scene(page);
      const web1 = podNamed(s, 'web-1')!;
      const point = await pagePoint(page, web1.screen);
      await page.mouse.click(point.x, point.y);
      const details = page.locator('aside.details');
      await expect.poll(() => details.isVisible(), { timeout: 5_000 }).toBe(true);
      expect(await details.locator('.details-name').textContent()).toBe('web-1');
      expect(urlParams(page).get('sel')).toBe(`${CLUSTER}/Pod/uid-web-1`);
      await page.keyboard.press('Escape');
      await expect.poll(() => details.isHidden(), { timeout: 5_000 }).toBe(true);
      expect(urlParams(page).has('sel')).toBe(false);
      s = await scene(page);
      expect(s.pods.some((p) => p.selected)).toBe(false);
      await page.mouse.move(0, 0);

      // Help: "?" opens it, Esc closes it; so do the button and its Close.
      const help = page.locator('.help-overlay');
      expect(await help.isHidden()).toBe(true);
      await page.keyboard.press('?');
      await expect.poll(() => help.isVisible()).toBe(true);
      expect(await help.textContent()).toContain('Keyboard shortcuts');
      await page.keyboard.press('Escape');
      await expect.poll(() => help.isHidden()).toBe(true);
      await page.locator('#help').click();
      await expect.poll(() => help.isVisible()).toBe(true);
      await page.locator('.help-close').click();
      await expect.poll(() => help.isHidden()).toBe(true);

      // Theme: system (light here) → dark → light → system; the canvas (the clusters' fill) follows.
      const body = page.locator('body');
      expect(await body.getAttribute('data-theme')).toBe('light');
      const background = async () => {
        const current = await scene(page);
        return (await canvasPixels(page)).at(current.view.width - 3, 3);
      };
      expect(colourDistance(await background(), [...LIGHT.clusterFill])).toBeLessThanOrEqual(TOLERANCE);
      await page.locator('#theme').click();
      await expect.poll(() => body.getAttribute('data-theme')).toBe('dark');
      expect(urlParams(page).get('theme')).toBe('dark');
      expect(colourDistance(await background(), [...DARK.clusterFill])).toBeLessThanOrEqual(TOLERANCE);
      await page.locator('#theme').click();
      await expect.poll(() => body.getAttribute('data-theme')).toBe('light');
      expect(urlParams(page).get('theme')).toBe('light');
      await page.locator('#theme').click();
      await expect.poll(() => urlParams(page).has('theme')).toBe(false);
      expect(await body.getAttribute('data-theme')).toBe('light');

      // TV mode: no toolbar, the map takes the room and fits; t again brings the chrome back.
      const before = await scene(page);
      await focusCanvas(page);
      await page.keyboard.press('t');
      await expect.poll(() => body.evaluate((b) => b.classList.contains('tv'))).toBe(true);
      expect(await page.locator('.toolbar').isHidden()).toBe(true);
      expect(await page.locator('.status-bar').isVisible()).toBe(true);
      expect(urlParams(page).get('tv')).toBe('1');
      s = await waitForScene(page, (s) => s.view.height > before.view.height && fitsView(s), { what: 'a taller stage in TV mode, fitted' });
      expect(s.pods).toHaveLength(PODS.length);
      await page.keyboard.press('t');
      await expect.poll(() => body.evaluate((b) => b.classList.contains('tv'))).toBe(false);
      expect(await page.locator('.toolbar').isVisible()).toBe(true);
    });
  });

  it('shows sync progress, RBAC problems, errors and staleness, and never blanks the picture', async () => {
    const syncing = clusterStatus('syncing', { kinds: { Pod: { state: 'syncing', count: 45_000, expected: 150_000 }, Node: { state: 'live', count: 2 } } });
    const { source, url } = await serveFake({ status: syncing });
    await withPage('cluster-status', url, async ({ page }) => {
      const item = page.locator(`.status-bar .status[data-cluster="${CLUSTER}"]`);
      const expectStatus = async (phase: string, text: RegExp) => {
        await expect.poll(() => item.getAttribute('data-phase'), { timeout: 5_000 }).toBe(phase);
        await expect.poll(() => item.textContent(), { timeout: 5_000 }).toMatch(text);
      };
      const stillDrawn = async (phase: string) => {
        const s = await waitForScene(page, (s) => s.clusters[0]?.phase === phase, { what: `cluster ${phase} in the scene` });
        expect(s.pods).toHaveLength(PODS.length);
        const ready = podNamed(s, 'web-1')!;
        const pixels = await canvasPixels(page);
        expect(colourDistance(pixels.centre(ready.screen), hexToRgb(STATUS_COLORS.ready)), `web-1 drawn while ${phase}`).toBeLessThanOrEqual(TOLERANCE);
      };

      await expectStatus('syncing', /syncing: pods 45,000 \/ 150,000/);
      await stillDrawn('syncing');

      source.emit({
        type: 'status',
        status: clusterStatus('live', {
          kinds: { Pod: { state: 'unavailable', count: 0, reason: 'needs list on pods', rbac: 'apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"]' } },
        }),
      });
      await expectStatus('live', /RBAC: needs list on pods/);
      await stillDrawn('live');

      source.emit({ type: 'status', status: clusterStatus('error', { reason: 'RBAC: needs list on pods' }) });
      await expectStatus('error', /error: RBAC: needs list on pods/);
      await stillDrawn('error');

      source.emit({ type: 'status', status: clusterStatus('stale', { since: Date.now() - 5_000, reason: 'API server unreachable: ECONNREFUSED' }) });
      await expectStatus('stale', /stale since \d\d:\d\d:\d\d \(\d+s ago\): API server unreachable: ECONNREFUSED/);
      await stillDrawn('stale');
      await page.waitForTimeout(1_200); // a panel refresh later, still the same picture
      await stillDrawn('stale');
    });
  });
});

// Regressions: behaviour that once was wrong.
describe('fit and invalid queries', () => {
  // "Fit" is a state of its own: no camera in the URL, and the view keeps fitting as data and
  // view options change (it once stored the fitted camera and jumped back to it later).
  it('Fit clears the camera: the URL loses cam= and the view keeps fitting through later changes', async () => {
    const { source, url } = await serveFake();
    await withPage('bug-fit-camera', url, async ({ page }) => {
      await focusCanvas(page);
      await page.keyboard.press('+');
      await waitForUrl(page, (q) => q.has('cam'), 'cam= after zooming');
      await page.keyboard.press('f');
      await page.waitForTimeout(500); // the camera is written to the URL 300 ms after a move
      expect(fitsView(await scene(page))).toBe(true);
      // More nodes: the view refits to the new layout.
      for (const n of ['c', 'd', 'e', 'f']) source.emit({ type: 'upsert', record: node(`uid-node-${n}`, { name: `node-${n}` }) });
      await waitForScene(page, (s) => s.nodes.length === 7 && fitsView(s), { what: '6 nodes, fitted' });
      // Any later change of the view state must not bring back the camera of the first fit.
      await page.locator('#sort-pods').selectOption('name');
      const sorted = await waitForScene(page, (s) => podsInReadingOrder(s, 'node-a')[1] === 'job-1', { what: 'pods by name' });
      expect(fitsView(sorted), `camera ${JSON.stringify(sorted.camera)}`).toBe(true);
      expect(urlParams(page).has('cam')).toBe(false);
    });
  });

  // While someone types a term the parser rejects, the last valid filter stays applied (it once
  // dropped the filter, so every filtered-out pod reappeared and the layout jumped).
  it('an invalid query leaves the filtered picture as it was', async () => {
    const { url } = await serveFake();
    await withPage('bug-invalid-query', `${url}?q=ns:prod&hide=1`, async ({ page }) => {
      await page.locator('#filter').fill('ns:prod foo:bar');
      await page.locator('#filter').press('Enter');
      await expect.poll(() => page.locator('#filter-message').getAttribute('data-kind'), { timeout: 5_000 }).toBe('error');
      const s = await scene(page);
      expect(s.pods.map((p) => p.name).sort()).toEqual(PROD_PODS);
    }, PROD_PODS.length);
  });
});
