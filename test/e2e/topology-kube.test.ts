// The topology view in Chromium against the real API server of the e2e control plane: the shop's
// manifests (test/fixtures/shop) applied with kubectl, their pods run by KWOK, kubeglance watching.
// The drawn scene (test hook) must hold the shop's vertices in their namespace boxes, exactly the
// declared edges of test/fixtures/shop/expected.ts (merged per drawn pair), replica health as KWOK
// reports it, the denied marks in the details panel, the cross-highlight to the occupancy view,
// and follow a `kubectl set env` within seconds.
// Needs dist/web (npm run build:web).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// The type of inject('kubeconfig') (the e2e project shares the integration tests' global setup).
import type {} from '../integration/global-setup.js';
import { SHOP_DENIED, SHOP_EDGES, SHOP_NAMESPACES, SHOP_REPLICAS } from '../fixtures/shop/expected.js';
import { shopManifests } from '../fixtures/shop/manifests.js';
import { kubectl } from '../support/control-plane.js';
import { launchBrowser, newPage, saveScreenshot, type OpenedPage } from '../support/browser.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';
import { describeScene, waitForScene } from './helpers/occupancy.js';
import { describeTopology, vertex, vertexPoint, waitForTopology, type TopologyScene } from './helpers/topology.js';

const WEB_INDEX = path.resolve(import.meta.dirname, '../../dist/web/index.html');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/shop');
/** Scheduling, KWOK's "running" stage and the Deployments' status take a moment. */
const CLUSTER_MS = 30_000;
/** A change written with kubectl is drawn within this (watch + hub batch + layout). */
const MOVE_MS = 5_000;

const CART = 'Deployment/shop/cart';
const CATALOG = 'Deployment/shop/catalog';

let browser: Browser;
let app: RunningKubeglance;

/** Deletes the fixture's namespaces and waits until they are gone (their objects with them). */
async function deleteNamespaces(wait: boolean): Promise<void> {
  await kubectl(['delete', 'namespace', ...SHOP_NAMESPACES, '--ignore-not-found', `--wait=${wait}`, '--timeout=120s']);
}

beforeAll(async () => {
  if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build:web\` before the e2e tests`);
  await deleteNamespaces(true);
  await kubectl(['apply', '-f', FIXTURES]);
  [browser, app] = await Promise.all([launchBrowser(), startKubeglance(['--kubeconfig', inject('kubeconfig')])]);
});

afterAll(async () => {
  await browser?.close();
  const code = await app?.stop();
  await deleteNamespaces(false).catch(() => {});
  expect(code).toBe(0);
});

// --- What the manifests declare -------------------------------------------------------------------

/** The vertices the manifests make: every workload, Service and Ingress (`Kind/namespace/name`). */
const SHOP_VERTICES = shopManifests()
  .filter((m) => ['Deployment', 'StatefulSet', 'Service', 'Ingress'].includes(m.kind))
  .map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)
  .sort();

/** `rule: from -> to` (expected.ts) → the model edge id `rule:from->to` and its drawn pair `from->to`. */
function parseLine(line: string): { id: string; pair: string } {
  const match = /^([^:]+): (.+) -> (.+)$/.exec(line);
  if (match === null) throw new Error(`not an edge line: ${line}`);
  const [, rule, from, to] = match;
  return { id: `${rule}:${from}->${to}`, pair: `${from}->${to}` };
}

/** Drawn pair → the sorted model edge ids merged into it, as the declared edge lines imply. */
function expectedPairs(lines: readonly string[]): Record<string, string[]> {
  const pairs: Record<string, string[]> = {};
  for (const line of lines) {
    const { id, pair } = parseLine(line);
    (pairs[pair] ??= []).push(id);
  }
  for (const ids of Object.values(pairs)) ids.sort();
  return sortedKeys(pairs);
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// --- What the view drew ------------------------------------------------------------------------------

const inShop = (s: TopologyScene) => {
  const groups = new Map(s.vertices.map((v) => [v.id, v.group]));
  return (id: string) => (SHOP_NAMESPACES as readonly (string | undefined)[]).includes(groups.get(id));
};

/** The drawn edges that touch the fixture's namespaces (the cluster holds other tests' objects too). */
function shopEdges(s: TopologyScene): TopologyScene['edges'] {
  const shop = inShop(s);
  return s.edges.filter((e) => shop(e.from) || shop(e.to));
}

/** Drawn pair → the sorted model edge ids it merges. */
function drawnPairs(s: TopologyScene): Record<string, string[]> {
  return sortedKeys(Object.fromEntries(shopEdges(s).map((e) => [`${e.from}->${e.to}`, [...e.edges].sort()])));
}

/** Every workload of the shop drawn with all the replicas its manifest asks for ready. */
function replicasReady(s: TopologyScene): boolean {
  return Object.entries(SHOP_REPLICAS).every(([id, replicas]) => {
    const v = s.vertices.find((x) => x.id === id);
    return v !== undefined && v.ready === replicas && v.desired === replicas;
  });
}

function drawnWhole(s: TopologyScene): boolean {
  return s.layoutMs !== undefined && SHOP_VERTICES.every((id) => s.vertices.some((v) => v.id === id)) && replicasReady(s)
    && JSON.stringify(drawnPairs(s)) === JSON.stringify(expectedPairs(SHOP_EDGES));
}

const inside = (inner: TopologyScene['vertices'][number]['box'], outer: TopologyScene['groups'][number]['box']) =>
  inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.w <= outer.x + outer.w + 0.5 && inner.y + inner.h <= outer.y + outer.h + 0.5;

// --- Pages -----------------------------------------------------------------------------------------

interface TestPage extends OpenedPage {
  first: TopologyScene;
}

/**
 * Opens the topology view, waits until the whole shop is drawn with its pods ready, runs the body;
 * always leaves a screenshot; no page errors, no dialogs.
 */
async function withTopology(name: string, body: (opened: TestPage) => Promise<void>): Promise<void> {
  const dialogs: string[] = [];
  const opened = await newPage(browser, `${app.url}?view=topology`, {
    setup: (page) =>
      page.on('dialog', (dialog) => {
        dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      }),
  });
  try {
    const first = await waitForTopology(opened.page, drawnWhole, { timeout: CLUSTER_MS, what: 'the shop drawn, its pods ready' }).catch((error: unknown) => {
      throw new Error(`${String(error)}\npage console:\n${opened.console.join('\n')}`);
    });
    await body({ ...opened, first });
  } finally {
    await settled(opened.page);
    await saveScreenshot(opened.page, `topology-kube-${name}`).catch(() => {});
    await opened.page.close();
  }
  expect(opened.errors, opened.console.join('\n')).toEqual([]);
  expect(dialogs).toEqual([]);
}

/**
 * Before a screenshot: the view idle and, in the topology view, its canvas resized to what the
 * view drew for (a details panel that just opened narrows the stage; a resized WebGL canvas is
 * blank until its next frame), then two more frames. Best effort: a screenshot is still taken.
 */
async function settled(page: Page): Promise<void> {
  await page
    .waitForFunction(
      () => {
        const hook = window.__kubeglance;
        const canvas = document.querySelector('canvas.topology-canvas');
        if (hook === undefined || canvas === null) return false;
        if (hook.state().view !== 'topology') return hook.idle();
        return hook.topologyIdle() && Math.abs(canvas.getBoundingClientRect().width - hook.topology().view.width) < 1;
      },
      undefined,
      { timeout: 5_000, polling: 50 },
    )
    .catch(() => {});
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))).catch(() => {});
}

/** Clicks the centre of a vertex's screen box (which must not be under a panel or the legend). */
async function clickVertex(page: Page, s: TopologyScene, id: string): Promise<void> {
  const point = await vertexPoint(page, vertex(s, id));
  const onCanvas = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y) === document.querySelector('canvas.topology-canvas'), point);
  expect(onCanvas, `${id} at ${point.x},${point.y} is covered`).toBe(true);
  await page.mouse.click(point.x, point.y);
}

// --- Tests -------------------------------------------------------------------------------------------

describe('topology view against the real API server', () => {
  it('draws the shop in its namespace boxes with exactly the declared edges and the replicas KWOK runs', async () => {
    await withTopology('render', async ({ page, first }) => {
      // Every workload, Service and the Ingress, each in its namespace's box.
      const drawn = first.vertices.filter((v) => inShop(first)(v.id)).map((v) => v.id).sort();
      expect(drawn, describeTopology(first)).toEqual(SHOP_VERTICES);
      // Pods of a controller and ReplicaSets are folded into their workload.
      expect(first.vertices.some((v) => v.id.startsWith('ReplicaSet/') || v.id.startsWith('Pod/'))).toBe(false);
      const groups = new Map(first.groups.map((g) => [g.id, g]));
      for (const id of SHOP_VERTICES) {
        const v = vertex(first, id);
        const namespace = id.split('/')[1]!;
        expect(v.group, id).toBe(namespace);
        const group = groups.get(namespace);
        expect(group?.label).toBe(namespace);
        expect(group?.collapsed).toBe(false);
        expect(inside(v.box, group!.box), `${id} ${JSON.stringify(v.box)} in ${namespace} ${JSON.stringify(group!.box)}`).toBe(true);
      }

      // Exactly the declared edges, one drawn edge per pair, merging the model edges of that pair.
      expect(drawnPairs(first)).toEqual(expectedPairs(SHOP_EDGES));
      const edges = shopEdges(first);
      expect(edges.every((e) => e.evidence === 'declared'), describeTopology(first)).toBe(true);
      const pairOf = (from: string, to: string) => edges.find((e) => e.from === from && e.to === to)!;
      expect(pairOf('Service/shop/cart', CART).types).toEqual(['selects']);
      expect(pairOf('Ingress/shop/shop', 'Service/shop/frontend').types).toEqual(['routes']);
      expect(pairOf(CART, 'Service/shop/cache').types).toEqual(['config']);
      expect(pairOf('Deployment/monitoring/prometheus', 'StatefulSet/shop/db').types).toEqual(['policy-allow']);
      // The denied connections, and only they, are drawn as denied.
      const denied = edges.filter((e) => e.denied).map((e) => `${e.from}->${e.to}`).sort();
      expect(denied).toEqual(Object.keys(SHOP_DENIED).map((line) => parseLine(line).pair).sort());

      // Replica health as KWOK reports it: every pod ready on its fake node.
      for (const [id, replicas] of Object.entries(SHOP_REPLICAS)) {
        expect(vertex(first, id), id).toMatchObject({ ready: replicas, desired: replicas, health: 'healthy' });
      }
      // Every shop workload sits behind the default-deny policy.
      expect(first.vertices.filter((v) => v.group === 'shop' && v.defaultDeny).map((v) => v.id).sort()).toEqual(
        Object.keys(SHOP_REPLICAS).filter((id) => id.split('/')[1] === 'shop').sort(),
      );
      // The toolbar counts what is drawn (panels refresh at most about once a second).
      await expect.poll(() => page.textContent('#graph-info'), { timeout: 5_000 }).toContain(`${first.vertices.length} vertices · ${first.edges.length} edges`);
    });
  });

  it('says in the details of a denied edge\'s source which NetworkPolicies deny it', async () => {
    await withTopology('denied-details', async ({ page, first }) => {
      await clickVertex(page, first, CATALOG);
      await waitForTopology(page, (s) => vertex(s, CATALOG).selected, { what: 'catalog selected' });
      const details = page.locator('.details');
      await expect.poll(() => details.getAttribute('data-kind')).toBe('Deployment');
      const [line, policies] = Object.entries(SHOP_DENIED).find(([l]) => l.includes(`${CATALOG} ->`))!;
      const item = details.locator(`li.details-edge[data-edge="${parseLine(line).id}"]`);
      await expect.poll(() => item.textContent()).toContain('configured to call Service shop/db');
      expect(await item.locator('.edge-marks').textContent()).toContain(`denied by NetworkPolicy ${policies}`);
      // Only that edge of catalog is denied.
      expect(await details.locator('li.details-edge', { hasText: 'denied by NetworkPolicy' }).count()).toBe(1);
    });
  });

  it('cross-highlights: a selected workload shows exactly its pods in the occupancy view, and stays selected on the way back', async () => {
    await withTopology('cross-highlight', async ({ page, first }) => {
      await clickVertex(page, first, CART);
      await waitForTopology(page, (s) => s.selected === CART && vertex(s, CART).selected, { what: 'cart selected' });
      await page.keyboard.press('v');
      const isCart = (p: { namespace: string; name: string }) => p.namespace === 'shop' && /^cart-[a-z0-9]+-[a-z0-9]+$/.test(p.name);
      const occupancy = await waitForScene(
        page,
        (s) => s.pods.filter(isCart).length === SHOP_REPLICAS[CART] && s.pods.some((p) => p.dim),
        { timeout: CLUSTER_MS, what: 'cart\'s pods highlighted, the others dimmed' },
      );
      const cartPods = occupancy.pods.filter(isCart);
      expect(cartPods.every((p) => !p.dim && p.status === 'ready'), describeScene(occupancy)).toBe(true);
      expect(cartPods.every((p) => /^kwok-node-\d$/.test(p.node ?? '')), describeScene(occupancy)).toBe(true);
      expect(occupancy.pods.filter((p) => !isCart(p)).every((p) => p.dim), describeScene(occupancy)).toBe(true);
      // The shop's other pods are there, dimmed.
      expect(occupancy.pods.filter((p) => p.namespace === 'shop' && !isCart(p)).length).toBeGreaterThan(0);
      expect(await page.locator('canvas.topology-canvas').isHidden()).toBe(true);
      await saveScreenshot(page, 'topology-kube-cross-highlight-occupancy');

      await page.keyboard.press('v');
      const back = await waitForTopology(page, (s) => s.selected === CART && vertex(s, CART).selected, { what: 'back in the topology with cart selected' });
      expect(vertex(back, 'Service/shop/cart').highlighted).toBe(true);
      expect(await page.locator('canvas.topology-canvas').isVisible()).toBe(true);
    });
  });

  it('moves the drawn config edge within seconds of `kubectl set env`', async () => {
    const cartToCache = `env-host: ${CART} -> Service/shop/cache`;
    const cartToCatalog = `env-host: ${CART} -> Service/shop/catalog`;
    const after = expectedPairs(SHOP_EDGES.map((line) => (line === cartToCache ? cartToCatalog : line)));
    await withTopology('env-moved', async ({ page, first }) => {
      expect(first.edges.some((e) => e.from === CART && e.to === 'Service/shop/catalog')).toBe(false);
      await kubectl(['-n', 'shop', 'set', 'env', 'deployment/cart', 'CACHE_URL=redis://catalog:8080/0']);
      const written = Date.now();
      const moved = await waitForTopology(
        page,
        (s) => s.edges.some((e) => e.from === CART && e.to === 'Service/shop/catalog') && !s.edges.some((e) => e.from === CART && e.to === 'Service/shop/cache'),
        { timeout: 15_000, what: 'cart -> catalog drawn instead of cart -> cache' },
      );
      const ms = Date.now() - written;
      expect(ms, `drawn ${ms} ms after the write`).toBeLessThan(MOVE_MS);
      const edge = moved.edges.find((e) => e.from === CART && e.to === 'Service/shop/catalog')!;
      expect(edge.types).toEqual(['config']);
      expect(edge.edges).toEqual([parseLine(cartToCatalog).id]);
      // catalog admits only frontend (and prometheus): the new connection is denied.
      expect(edge.denied).toBe(true);
      // Nothing else moved.
      expect(drawnPairs(moved)).toEqual(after);
    });
  });
});
