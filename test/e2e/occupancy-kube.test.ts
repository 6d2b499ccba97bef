// The occupancy view in Chromium against the real API server of the e2e control plane (KWOK
// nodes, whose pods run as soon as they are scheduled): kubectl changes the cluster, the picture
// follows. The page filters to this file's namespace (hide mode), so the scene holds only the
// pods made here, on all of the cluster's nodes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// The type of inject('kubeconfig') (the e2e project shares the integration tests' global setup).
import type {} from '../integration/global-setup.js';
import { applyManifest, kubectl, kubectlJson } from '../support/control-plane.js';
import { launchBrowser, newPage, saveScreenshot, type OpenedPage } from '../support/browser.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';
import { STATUS_COLORS, describeScene, pagePoint, podNamed, scene, waitForScene, type SceneSnapshot } from './helpers/occupancy.js';

const WEB_INDEX = path.resolve(import.meta.dirname, '../../dist/web/index.html');
const NS = 'e2e-occupancy';
/** Scheduling and KWOK's "running" stage take a moment; the view itself adds well under 2 s. */
const CLUSTER_MS = 30_000;

let browser: Browser;
let app: RunningKubeglance;

beforeAll(async () => {
  if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build:web\` before the e2e tests`);
  await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=60s']);
  await kubectl(['create', 'namespace', NS]);
  // Pods are refused until the namespace's default ServiceAccount exists.
  for (let i = 0; i < 100; i++) {
    const found = await kubectl(['-n', NS, 'get', 'serviceaccount', 'default', '--ignore-not-found', '-o', 'name']);
    if (found.trim() !== '') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  [browser, app] = await Promise.all([launchBrowser(), startKubeglance(['--kubeconfig', inject('kubeconfig')])]);
});

afterAll(async () => {
  await browser?.close();
  const code = await app?.stop();
  await kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']).catch(() => {});
  expect(code).toBe(0);
});

/** Opens the view filtered to NS with the others hidden; always leaves a screenshot; no page errors, no dialogs. */
async function withPage(name: string, body: (opened: OpenedPage) => Promise<void>): Promise<void> {
  const dialogs: string[] = [];
  const opened = await newPage(browser, `${app.url}?q=ns:${NS}&hide=1`, {
    setup: (page) =>
      page.on('dialog', (dialog) => {
        dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      }),
  });
  try {
    await waitForScene(opened.page, (s) => s.clusters[0]?.phase === 'live' && s.nodes.some((n) => n.kind === 'node'), { timeout: CLUSTER_MS, what: 'the cluster live' }).catch((error: unknown) => {
      // The page's own log usually says why it never drew (a failed start, a refused request).
      throw new Error(`${String(error)}\npage console:\n${opened.console.join('\n')}`);
    });
    await body(opened);
  } finally {
    await saveScreenshot(opened.page, `occupancy-kube-${name}`).catch(() => {});
    await opened.page.close();
  }
  expect(opened.errors, opened.console.join('\n')).toEqual([]);
  expect(dialogs).toEqual([]);
}

function deployment(name: string, replicas: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: 'registry.example/e2e/web:1.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      },
    },
  };
}

const podsOf = (s: SceneSnapshot, app: string) => s.pods.filter((p) => p.namespace === NS && p.name.startsWith(`${app}-`));

describe('occupancy view against the real API server', () => {
  it('draws a new deployment\'s pods, ready, on the KWOK nodes', async () => {
    await withPage('deployment', async ({ page }) => {
      await applyManifest(deployment('web', 3));
      const s = await waitForScene(page, (s) => podsOf(s, 'web').length === 3 && podsOf(s, 'web').every((p) => p.status === 'ready'), {
        timeout: CLUSTER_MS, what: '3 web pods ready',
      });
      for (const p of podsOf(s, 'web')) {
        expect(p.color).toBe(STATUS_COLORS.ready);
        expect(p.node).toMatch(/^kwok-node-\d$/);
        expect(p.box).toBe(p.node);
      }
      // Only this namespace is shown, and every node.
      expect(s.pods.every((p) => p.namespace === NS), describeScene(s)).toBe(true);
      expect(s.nodes.filter((n) => n.kind === 'node').map((n) => n.name)).toEqual(['kwok-node-0', 'kwok-node-1', 'kwok-node-2']);
    });
  });

  it('removes a deleted pod and draws its replacement', async () => {
    await withPage('pod-deleted', async ({ page }) => {
      let s = await waitForScene(page, (s) => podsOf(s, 'web').length === 3, { timeout: CLUSTER_MS, what: '3 web pods' });
      const before = podsOf(s, 'web').map((p) => p.name);
      const victim = before[0]!;
      await kubectl(['-n', NS, 'delete', 'pod', victim, '--wait=false']);
      s = await waitForScene(
        page,
        (s) => !podsOf(s, 'web').some((p) => p.name === victim) && podsOf(s, 'web').length === 3 && podsOf(s, 'web').every((p) => p.status === 'ready'),
        { timeout: CLUSTER_MS, what: `${victim} replaced` },
      );
      expect(podsOf(s, 'web').map((p) => p.name).filter((name) => !before.includes(name))).toHaveLength(1);
    });
  });

  it('empties the picture of a deployment scaled to 0', async () => {
    await withPage('scaled-to-0', async ({ page }) => {
      await waitForScene(page, (s) => podsOf(s, 'web').length === 3, { timeout: CLUSTER_MS, what: '3 web pods' });
      await kubectl(['-n', NS, 'scale', 'deployment/web', '--replicas=0']);
      const s = await waitForScene(page, (s) => podsOf(s, 'web').length === 0, { timeout: CLUSTER_MS, what: 'no web pods' });
      expect(s.nodes.filter((n) => n.kind === 'node')).toHaveLength(3);
    });
  });

  it('marks a cordoned node, and unmarks it when uncordoned', async () => {
    await withPage('cordon', async ({ page }) => {
      let s = await scene(page);
      expect(s.nodes.find((n) => n.name === 'kwok-node-0')?.cordoned).toBe(false);
      try {
        await kubectl(['cordon', 'kwok-node-0']);
        s = await waitForScene(page, (s) => s.nodes.find((n) => n.name === 'kwok-node-0')?.cordoned === true, { timeout: CLUSTER_MS, what: 'kwok-node-0 cordoned' });
        expect(s.nodes.filter((n) => n.cordoned).map((n) => n.name)).toEqual(['kwok-node-0']);
        await saveScreenshot(page, 'occupancy-kube-cordoned');
      } finally {
        await kubectl(['uncordon', 'kwok-node-0']);
      }
      await waitForScene(page, (s) => s.nodes.find((n) => n.name === 'kwok-node-0')?.cordoned === false, { timeout: CLUSTER_MS, what: 'kwok-node-0 uncordoned' });
    });
  });

  it('shows a hostile image name and event message as text in the details panel', async () => {
    const IMAGE = '<img src=x onerror=alert(1)>';
    const MESSAGE = '<img src=y onerror=alert(2)> pulled <script>alert(3)</script>';
    await withPage('hostile', async ({ page }) => {
      // The API checks only that an image has no surrounding whitespace: this one is accepted.
      await applyManifest({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'hostile', namespace: NS },
        spec: { nodeName: 'kwok-node-1', containers: [{ name: 'main', image: IMAGE }] },
      });
      const uid = (await kubectlJson<{ metadata: { uid: string } }>(['-n', NS, 'get', 'pod', 'hostile'])).metadata.uid;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await applyManifest({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'hostile.e2e', namespace: NS },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'hostile', namespace: NS, uid },
        type: 'Warning',
        reason: '<b>Injected</b>',
        message: MESSAGE,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: 'e2e' },
      });

      const s = await waitForScene(page, (s) => podNamed(s, 'hostile', NS) !== undefined, { timeout: CLUSTER_MS, what: 'pod hostile drawn' });
      const point = await pagePoint(page, podNamed(s, 'hostile', NS)!.screen);
      await page.mouse.click(point.x, point.y);
      const details = page.locator('aside.details');
      await expect.poll(() => details.locator('.details-name').textContent(), { timeout: 5_000 }).toBe('hostile');
      await expect.poll(() => details.locator('.details-containers .image').textContent(), { timeout: 5_000 }).toBe(IMAGE);
      // The event arrives through its own watch; the panel refreshes within a second of it.
      await expect.poll(async () => (await details.textContent()) ?? '', { timeout: CLUSTER_MS }).toContain(MESSAGE);
      expect(await details.textContent()).toContain('Warning <b>Injected</b>');
      const markup = await page.evaluate(() => ({
        images: document.querySelectorAll('img').length,
        scripts: document.querySelectorAll('script').length,
        bold: document.querySelectorAll('aside.details b').length,
      }));
      expect(markup).toEqual({ images: 0, scripts: 1, bold: 0 });
      await page.waitForTimeout(300); // any handler would have fired by now (dialogs are checked after)
    });
  });
});
