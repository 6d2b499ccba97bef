// The topology view in Chromium against an in-process server whose only cluster is a FakeSource
// holding a small shop (deployments, services, an ingress, network policies, observed traffic):
// the graph renders, the filter and the namespace/kind choice, focus, details with the reasons of
// edges, cross-highlight with the occupancy view, exports, live changes and hostile names.
// Needs dist/web (npm run build:web).
import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../src/model/cluster-status.js';
import type { ClusterRecord, DeploymentRecord, PodRecord, TrafficRecord } from '../../src/model/records.js';
import { node, pod } from '../../src/model/testing/records.js';
import { deployment, namespace, networkPolicy, replicaSet, service, shopRecords } from '../../src/model/testing/shop.js';
import { decodePng } from '../support/png.js';
import { FAKE_CLUSTER as CLUSTER, useFakeServers, type CheckedPage, type FakeServer } from './helpers/fake-server.js';
import { urlParams, waitForScene, waitForUrl } from './helpers/occupancy.js';
import { describeTopology, edgeBetween, vertex, vertexPoint, waitForTopology, type TopologyScene } from './helpers/topology.js';

const CART = 'Deployment/shop/cart';
const FRONTEND = 'Deployment/shop/frontend';
const CHECKOUT = 'Deployment/shop/checkout';
const HOSTILE_NS = '<script>alert(1)</script>';
const HOSTILE_NAME = '<img src=x onerror=alert(2)>';

// --- The cluster ---------------------------------------------------------------------------------

function traffic(source: string, destination: string, fields: Partial<TrafficRecord> = {}): TrafficRecord {
  return {
    kind: 'Traffic',
    uid: `istio:${source}->${destination}`,
    name: `${source} → ${destination}`,
    createdAt: 1,
    mesh: 'istio',
    protocol: 'http',
    source: { namespace: 'shop', workload: source },
    destination: { namespace: 'shop', workload: destination, service: destination },
    requestRate: 12,
    errorRate: 0.5,
    p95Ms: 80,
    sampledAt: Date.now(),
    ...fields,
  };
}

/** Pods of a Deployment (through its ReplicaSet) on the two nodes, for the cross-highlight. */
function podsOf(d: DeploymentRecord, count: number): PodRecord[] {
  const rs = replicaSet(d);
  return Array.from({ length: count }, (_, i) =>
    pod(`${d.name}-pod-${i}`, { name: `${rs.name}-${i}`, namespace: d.namespace ?? 'shop', nodeName: i % 2 === 0 ? 'node-a' : 'node-b', labels: d.templateLabels ?? {}, owner: { kind: 'ReplicaSet', name: rs.name, uid: rs.uid } }),
  );
}

function records(): ClusterRecord[] {
  const shop = shopRecords();
  const cart = shop.find((r) => r.kind === 'Deployment' && r.name === 'cart') as DeploymentRecord;
  const checkout = shop.find((r) => r.kind === 'Deployment' && r.name === 'checkout') as DeploymentRecord;
  const hostile = deployment(HOSTILE_NAME, { namespace: HOSTILE_NS, uid: 'deploy-hostile', templateLabels: { app: 'hostile' } });
  return [
    ...shop,
    replicaSet(cart),
    replicaSet(checkout),
    node('uid-node-a', { name: 'node-a' }),
    node('uid-node-b', { name: 'node-b' }),
    ...podsOf(cart, 3),
    ...podsOf(checkout, 2),
    namespace('shop'),
    namespace('monitoring'),
    deployment('prometheus', { namespace: 'monitoring', uid: 'deploy-prometheus', templateLabels: { app: 'prometheus' }, template: { envHosts: ['cart.shop:8080'] } }),
    networkPolicy('default-deny'),
    hostile,
    service('hostile', { namespace: HOSTILE_NS, uid: 'svc-hostile', selector: { app: 'hostile' } }),
    // Explained by frontend's env (cart:8080), and traffic no declaration explains.
    traffic('frontend', 'cart'),
    traffic('checkout', 'catalog', { requestRate: 3, errorRate: 0 }),
  ];
}

function clusterStatus(fields: Partial<ClusterStatus> = {}): ClusterStatus {
  return { phase: 'live', since: Date.now(), kinds: {}, metrics: 'pending', traffic: 'available', trafficMeshes: ['istio'], ...fields };
}

// --- Server, browser and pages ---------------------------------------------------------------------

const fake = useFakeServers();

function serveShop(status = clusterStatus()): Promise<FakeServer> {
  return fake.serve({ name: 'Shop cluster', records: records(), status });
}

interface TestPage extends CheckedPage {
  /** The scene once the shop was first drawn. */
  first: TopologyScene;
}

/** Opens the topology view, waits for the shop to be drawn, runs the body, leaves a screenshot; no page errors, no dialogs. */
function withTopology(name: string, url: string, body: (opened: TestPage) => Promise<void>): Promise<void> {
  return fake.withPage(
    `topology-fake-${name}`,
    url,
    (page) => waitForTopology(page, (s) => s.vertices.some((v) => v.id === CART) && s.layoutMs !== undefined, { timeout: 45_000, what: 'the shop drawn' }),
    (opened, first) => body({ ...opened, first }),
  );
}

async function clickVertex(page: Page, s: TopologyScene, id: string): Promise<void> {
  const point = await vertexPoint(page, vertex(s, id));
  await page.mouse.click(point.x, point.y);
}

async function downloadOf(page: Page, button: string): Promise<{ download: Download; body: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = await download.path();
  return { download, body: await readFile(file) };
}

// --- Tests -------------------------------------------------------------------------------------------

describe('topology view (fake cluster)', () => {
  it('draws workloads, services and the ingress in namespace boxes, with typed, declared and observed edges', async () => {
    const { url } = await serveShop();
    await withTopology('render', `${url}?view=topology`, async ({ page, first }) => {
      const ids = first.vertices.map((v) => v.id);
      for (const id of [CART, FRONTEND, CHECKOUT, 'Service/shop/cart', 'Ingress/shop/shop', 'StatefulSet/shop/redis', 'Outside', 'Deployment/monitoring/prometheus']) {
        expect(ids, describeTopology(first)).toContain(id);
      }
      // ReplicaSets are folded into their Deployment; pods of a controller are not vertices.
      expect(ids.some((id) => id.startsWith('ReplicaSet/') || id.startsWith('Pod/shop/cart'))).toBe(false);
      expect(first.groups.map((g) => g.label)).toEqual(expect.arrayContaining(['shop', 'monitoring']));
      // Replica health: checkout has 1 of 2 ready.
      expect(vertex(first, CHECKOUT)).toMatchObject({ ready: 1, desired: 2 });
      // Typed declared edges.
      expect(edgeBetween(first, 'Service/shop/cart', CART)?.types).toContain('selects');
      expect(edgeBetween(first, 'Ingress/shop/shop', 'Service/shop/frontend')?.types).toContain('routes');
      expect(edgeBetween(first, 'Outside', 'Ingress/shop/shop')).toBeDefined();
      // Observed: frontend -> cart is explained by its env; checkout -> catalog is not.
      const observed = first.edges.filter((e) => e.from === CHECKOUT && e.evidence === 'observed');
      expect(observed.length, describeTopology(first)).toBe(1);
      expect(first.edges.some((e) => e.from === FRONTEND && e.evidence === 'both' && (e.traffic?.requestRate ?? 0) > 0), describeTopology(first)).toBe(true);
      // Observed-only and declared edges are drawn differently.
      const declaredOnly = edgeBetween(first, 'Service/shop/cart', CART)!;
      expect(observed[0]!.style).not.toBe(declaredOnly.style);
      // The canvas shows something where a vertex is (not the background).
      const box = await page.locator('canvas.topology-canvas').boundingBox();
      const png = decodePng(await page.screenshot({ clip: { x: box!.x, y: box!.y, width: box!.width, height: box!.height } }));
      const v = vertex(first, CART).box;
      const at = (x: number, y: number) => {
        const i = (Math.floor(y) * png.width + Math.floor(x)) * 4;
        return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      };
      // Somewhere in the box (badge, name, health bar) differs clearly from the background.
      const background = at(2, 2);
      let differing = 0;
      for (let i = 1; i < 12; i++) for (let j = 1; j < 4; j++) {
        const p = at(v.x + (v.w * i) / 12, v.y + (v.h * j) / 4);
        if (p.some((c, k) => Math.abs(c - background[k]!) > 40)) differing++;
      }
      expect(differing).toBeGreaterThan(3);
    });
  });

  it('filters: the query dims, namespaces and kinds remove, all of it in the URL', async () => {
    const { url } = await serveShop();
    await withTopology('filter', `${url}?view=topology`, async ({ page }) => {
      await page.fill('#filter', 'cart');
      await page.press('#filter', 'Enter');
      const dimmed = await waitForTopology(page, (s) => vertex(s, CART).dim === false && vertex(s, FRONTEND).dim === true, { what: 'non-matching vertices dimmed' });
      expect(vertex(dimmed, 'Service/shop/cart').dim).toBe(false);
      await expect.poll(() => page.textContent('#filter-message')).toMatch(/of \d+ vertices match/);
      await waitForUrl(page, (p) => p.get('q') === 'cart', 'q=cart');

      await page.fill('#filter', '');
      await page.press('#filter', 'Enter');
      await page.click('#namespaces summary');
      await page.check('#namespace-list input[value="monitoring"]');
      const monitoring = await waitForTopology(page, (s) => s.vertices.every((v) => v.group === 'monitoring' || v.id === 'Outside' || v.group === ''), { what: 'only monitoring shown' });
      expect(monitoring.vertices.map((v) => v.id)).toContain('Deployment/monitoring/prometheus');
      expect(urlParams(page).get('ns')).toBe('monitoring');

      await page.uncheck('#namespace-list input[value="monitoring"]');
      await page.click('#kinds summary');
      await page.check('#kind-list input[value="Service"]');
      const services = await waitForTopology(page, (s) => s.vertices.length > 0 && s.vertices.every((v) => v.kind === 'Service' || v.kind === 'Outside'), { what: 'only services shown' });
      expect(services.vertices.some((v) => v.id === 'Service/shop/cart')).toBe(true);
      expect(urlParams(page).get('kinds')).toBe('Service');

      // Back restores the previous choice (namespace filter off, all kinds).
      await page.goBack();
      await waitForTopology(page, (s) => s.vertices.some((v) => v.kind === 'Deployment'), { what: 'kinds restored by back' });
    });
  });

  it('click pins details with every edge and why it is there; focus shows the neighbourhood', async () => {
    const { url } = await serveShop();
    await withTopology('details-focus', `${url}?view=topology`, async ({ page, first }) => {
      await clickVertex(page, first, CART);
      await waitForUrl(page, (p) => p.get('sel') === `${CLUSTER}/Vertex/${CART.replaceAll('/', '%2F')}` || p.get('sel') === `${CLUSTER}/Vertex/${CART}`, 'the cart selected');
      const details = page.locator('.details');
      await expect.poll(() => details.getAttribute('data-kind')).toBe('Deployment');
      const text = (await details.textContent()) ?? '';
      expect(text).toContain('cart');
      expect(text).toMatch(/selected by Service shop\/cart/);
      expect(text).toMatch(/rule service-selector · field spec\.selector/);
      // frontend calls cart through its Service (declared); the mesh saw it call cart itself.
      expect(text).toMatch(/observed traffic from Deployment shop\/frontend/);
      expect(text).toMatch(/configured to call Service shop\/redis/);
      const selected = await waitForTopology(page, (s) => vertex(s, CART).selected, { what: 'cart drawn selected' });
      expect(vertex(selected, 'Service/shop/cart').highlighted).toBe(true);

      await page.click('.details .focus-vertex');
      const focused = await waitForTopology(page, (s) => !s.vertices.some((v) => v.id === 'Ingress/shop/shop'), { what: 'only the neighbourhood of cart' });
      const neighbours = new Set([CART, ...focused.edges.flatMap((e) => [e.from, e.to])]);
      for (const v of focused.vertices) expect(neighbours.has(v.id), v.id).toBe(true);
      expect(focused.vertices.map((v) => v.id)).toEqual(expect.arrayContaining([CART, 'Service/shop/cart']));
      expect(urlParams(page).get('focus')).toBe(CART);
      await page.selectOption('#hops', '3');
      await waitForTopology(page, (s) => s.vertices.some((v) => v.id === 'Ingress/shop/shop'), { what: 'three hops reach the ingress' });
      await page.click('#clear-focus');
      await waitForTopology(page, (s) => s.vertices.length === first.vertices.length, { what: 'the whole graph again' });
    });
  });

  it('cross-highlights: a workload selected here shows its pods in the occupancy view, and a pod there selects its workload', async () => {
    const { url } = await serveShop();
    await withTopology('cross-highlight', `${url}?view=topology`, async ({ page, first }) => {
      await clickVertex(page, first, CART);
      await waitForTopology(page, (s) => vertex(s, CART).selected, { what: 'cart selected' });
      await page.keyboard.press('v');
      const occupancy = await waitForScene(page, (s) => s.pods.length > 0 && s.pods.some((p) => p.dim), { what: 'pods other than cart dimmed' });
      const cartPods = occupancy.pods.filter((p) => p.name.startsWith('cart-'));
      expect(cartPods.length).toBe(3);
      expect(cartPods.every((p) => !p.dim)).toBe(true);
      expect(occupancy.pods.filter((p) => !p.name.startsWith('cart-')).every((p) => p.dim)).toBe(true);
      expect(await page.locator('canvas.topology-canvas').isHidden()).toBe(true);

      // Pick a checkout pod there and come back: its Deployment is selected.
      const checkoutPod = occupancy.pods.find((p) => p.name.startsWith('checkout-'))!;
      const box = await page.locator('canvas.occupancy-canvas').boundingBox();
      await page.mouse.click(box!.x + checkoutPod.screen.x + checkoutPod.screen.w / 2, box!.y + checkoutPod.screen.y + checkoutPod.screen.h / 2);
      await waitForUrl(page, (p) => (p.get('sel') ?? '').includes('/Pod/'), 'a pod selected');
      await page.keyboard.press('v');
      const back = await waitForTopology(page, (s) => s.selected === CHECKOUT, { what: 'checkout selected in the topology' });
      expect(vertex(back, CHECKOUT).selected).toBe(true);
    });
  });

  it('exports the graph as JSON, the whole graph as SVG and the view as PNG', async () => {
    const { url } = await serveShop();
    await withTopology('export', `${url}?view=topology`, async ({ page, first }) => {
      const json = await downloadOf(page, '#export-json');
      expect(json.download.suggestedFilename()).toBe('kubeglance-topology-fake.json');
      const graph = JSON.parse(json.body.toString('utf8')) as { cluster: string; vertices: { id: string }[]; edges: { type: string; reason: string; rule: string }[] };
      expect(graph.cluster).toBe(CLUSTER);
      expect(graph.vertices.map((v) => v.id)).toContain(CART);
      expect(graph.edges.length).toBeGreaterThanOrEqual(first.edges.length);
      expect(graph.edges.every((e) => e.type && e.reason && e.rule)).toBe(true);

      const svg = (await downloadOf(page, '#export-svg')).body.toString('utf8');
      expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
      expect(svg).not.toContain('<script');
      expect(svg).not.toContain('<img');
      expect(svg).toContain('&lt;script&gt;');
      expect(svg).toContain('cart');

      const png = (await downloadOf(page, '#export-png')).body;
      const image = decodePng(png);
      expect(image.width).toBeGreaterThan(100);
      expect(image.height).toBeGreaterThan(100);
      // Not a blank image: more than one colour.
      const colours = new Set<number>();
      for (let i = 0; i < image.data.length; i += 4 * 97) colours.add((image.data[i]! << 16) | (image.data[i + 1]! << 8) | image.data[i + 2]!);
      expect(colours.size).toBeGreaterThan(3);
    });
  });

  it('follows live changes: a new env value draws a config edge within 2 s, and vertices elsewhere stay put', async () => {
    const { source, url } = await serveShop();
    await withTopology('live', `${url}?view=topology&cam=0,0,0.5`, async ({ page, first }) => {
      expect(edgeBetween(first, CART, 'Service/shop/catalog')).toBeUndefined();
      const cart = shopRecords().find((r) => r.kind === 'Deployment' && r.name === 'cart') as DeploymentRecord;
      const changedAt = Date.now();
      source.emit({ type: 'upsert', record: { ...cart, template: { envHosts: ['redis', 'catalog.shop:8080'] } } });
      const after = await waitForTopology(page, (s) => edgeBetween(s, CART, 'Service/shop/catalog') !== undefined, { timeout: 5_000, what: 'cart -> catalog drawn' });
      expect(Date.now() - changedAt).toBeLessThan(2_000 + 500); // the poll's own interval on top
      expect(edgeBetween(after, CART, 'Service/shop/catalog')?.types).toContain('config');
      // The other namespace's vertices did not move.
      for (const id of ['Deployment/monitoring/prometheus']) expect(vertex(after, id).box).toEqual(vertex(first, id).box);
    });
  });

  it('shows hostile names as text in the graph, tooltip, details and exports', async () => {
    const { url } = await serveShop();
    const hostileId = `Deployment/${HOSTILE_NS}/${HOSTILE_NAME}`;
    await withTopology('hostile', `${url}?view=topology`, async ({ page, first }) => {
      expect(first.groups.map((g) => g.label)).toContain(HOSTILE_NS);
      const point = await vertexPoint(page, vertex(first, hostileId));
      await page.mouse.move(point.x, point.y);
      await expect.poll(() => page.textContent('.tooltip')).toContain(HOSTILE_NAME);
      await page.mouse.click(point.x, point.y);
      await expect.poll(() => page.textContent('.details')).toContain(HOSTILE_NAME);
      expect(await page.locator('.details img, .tooltip img, script:not([src])').count()).toBe(0);
    });
  });

  it('says when observed traffic is unavailable, and keeps the declared edges', async () => {
    const { url } = await serveShop(clusterStatus({ traffic: 'unavailable', trafficReason: 'Prometheus at http://127.0.0.1:9 unreachable: ECONNREFUSED', trafficMeshes: [] }));
    await withTopology('traffic-unavailable', `${url}?view=topology`, async ({ page, first }) => {
      await expect.poll(() => page.textContent('#graph-info')).toContain('observed traffic unavailable: Prometheus at http://127.0.0.1:9 unreachable');
      expect(edgeBetween(first, 'Service/shop/cart', CART)?.types).toContain('selects');
    });
  });

  it('collapses namespaces above 2,500 vertices into one box each, and expands one on click', async () => {
    // 28 namespaces of 50 Deployments and their 50 Services: 2,800 vertices.
    const many: ClusterRecord[] = [];
    for (let n = 0; n < 28; n++) {
      const ns = `team-${String(n).padStart(2, '0')}`;
      for (let i = 0; i < 50; i++) {
        const name = `svc-${i}`;
        many.push(deployment(name, { namespace: ns, uid: `d-${ns}-${i}` }), service(name, { namespace: ns, uid: `s-${ns}-${i}` }));
      }
    }
    const { url } = await fake.serve({ name: 'Big cluster', records: many, status: clusterStatus() });
    await fake.withPage(
      'topology-fake-collapse',
      `${url}?view=topology`,
      (page) => waitForTopology(page, (s) => s.vertices.length > 0 && s.layoutMs !== undefined, { timeout: 45_000, what: 'the collapsed graph drawn' }),
      async ({ page }, first) => {
        expect(first.vertices.length, describeTopology(first)).toBe(28);
        expect(first.vertices.every((v) => v.kind === 'Namespace' && v.count === 100)).toBe(true);
        await expect.poll(() => page.textContent('#graph-info')).toContain('28 namespaces collapsed');
        await clickVertex(page, first, 'Namespace/team-03');
        await waitForUrl(page, (p) => p.get('expand') === 'team-03', 'expand=team-03');
        const expanded = await waitForTopology(page, (s) => s.vertices.some((v) => v.id === 'Deployment/team-03/svc-7'), { what: 'team-03 expanded' });
        expect(expanded.vertices.filter((v) => v.group === 'team-03')).toHaveLength(100);
        expect(expanded.vertices.filter((v) => v.kind === 'Namespace')).toHaveLength(27);
        expect(edgeBetween(expanded, 'Service/team-03/svc-7', 'Deployment/team-03/svc-7')?.types).toContain('selects');
      },
    );
  });
});
