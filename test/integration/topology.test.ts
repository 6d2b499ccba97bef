// The topology endpoint against a real kube-apiserver: the shop's manifests (test/fixtures/shop)
// applied with kubectl, pods run by KWOK, kubeglance watching. Its answer must hold exactly the
// edges the unit tests derive from the same files (test/fixtures/shop/expected.ts), with the
// EndpointSlices the control plane made; and a change to an env value or a Service selector must
// move its edge within 2 s of the API write.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Edge, Topology } from '../../src/model/topology.js';
import {
  edgeLine,
  SHOP_DEFAULT_DENY,
  SHOP_DENIED,
  SHOP_EDGES,
  SHOP_FIELDS,
  SHOP_NAMESPACES,
  SHOP_REPLICAS,
  SHOP_UNRESOLVED,
} from '../fixtures/shop/expected.js';
import { kubectl } from '../support/control-plane.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/shop');
const MOVE_LIMIT_MS = 2_000;

type TopologyAnswer = Topology & { cluster: string };

let app: RunningKubeglance;
let topologyUrl: string;

/** Deletes the fixture's namespaces and waits until they are gone (their objects with them). */
async function deleteNamespaces(): Promise<void> {
  await kubectl(['delete', 'namespace', ...SHOP_NAMESPACES, '--ignore-not-found', '--wait=true', '--timeout=180s']);
}

beforeAll(async () => {
  // kube-sync.test.ts leaves objects of its own in a namespace "shop"; they are not part of this
  // fixture, and whichever file runs first, each starts from a namespace it created.
  await deleteNamespaces();
  await kubectl(['apply', '-f', FIXTURES]);
  for (const name of ['frontend', 'cart', 'catalog', 'checkout', 'payments', 'cache']) {
    await kubectl(['-n', 'shop', 'rollout', 'status', `deployment/${name}`, '--timeout=180s']);
  }
  await kubectl(['-n', 'shop', 'rollout', 'status', 'statefulset/db', '--timeout=180s']);
  for (const name of ['prometheus', 'otel-collector']) await kubectl(['-n', 'monitoring', 'rollout', 'status', `deployment/${name}`, '--timeout=180s']);

  app = await startKubeglance(['--kubeconfig', inject('kubeconfig')]);
  // The printed URL ends in "/".
  const clusters = (await (await fetch(new URL('api/v1/clusters', app.url))).json()) as { id: string }[];
  expect(clusters).toHaveLength(1);
  topologyUrl = new URL(`api/v1/clusters/${encodeURIComponent(clusters[0]!.id)}/topology`, app.url).href;
}, 600_000);

afterAll(async () => {
  await app?.stop();
  await deleteNamespaces();
}, 300_000);

async function topology(): Promise<TopologyAnswer> {
  const response = await fetch(topologyUrl);
  expect(response.status).toBe(200);
  return (await response.json()) as TopologyAnswer;
}

/** Polls the endpoint until `check` holds; the last answer and when it first held. */
async function waitForTopology(check: (t: TopologyAnswer) => boolean, timeoutMs: number, what: string): Promise<{ answer: TopologyAnswer; at: number }> {
  const deadline = Date.now() + timeoutMs;
  let answer = await topology();
  while (!check(answer)) {
    if (Date.now() > deadline) throw new Error(`topology: ${what} not within ${timeoutMs} ms; edges now:\n${shopEdges(answer).map(edgeLine).sort().join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    answer = await topology();
  }
  return { answer, at: Date.now() };
}

/** The edges that touch the fixture's namespaces (the cluster holds other tests' objects too). */
function shopEdges(t: TopologyAnswer): Edge[] {
  const namespaces = new Map(t.vertices.map((v) => [v.id, v.namespace]));
  const inShop = (id: string) => (SHOP_NAMESPACES as readonly (string | undefined)[]).includes(namespaces.get(id));
  return t.edges.filter((e) => inShop(e.from) || inShop(e.to));
}

const lines = (t: TopologyAnswer) => shopEdges(t).map(edgeLine).sort();

/** Every selects edge of the shop carries the EndpointSlice count of its workload's ready pods. */
function endpointsSettled(t: TopologyAnswer): boolean {
  return shopEdges(t)
    .filter((e) => e.type === 'selects')
    .every((e) => e.endpoints !== undefined && e.endpoints.ready === SHOP_REPLICAS[e.to] && e.endpoints.notReady === 0);
}

describe('the topology of the shop, from a real API server', () => {
  it('has exactly the declared edges, marks and EndpointSlice counts the manifests imply', async () => {
    const { answer } = await waitForTopology((t) => JSON.stringify(lines(t)) === JSON.stringify([...SHOP_EDGES].sort()) && endpointsSettled(t), 120_000, 'the shop');
    expect(lines(answer)).toEqual([...SHOP_EDGES].sort());

    const byLine = new Map(shopEdges(answer).map((e) => [edgeLine(e), e]));
    for (const [line, field] of Object.entries(SHOP_FIELDS)) expect(byLine.get(line)?.field, line).toBe(field);
    const denied = Object.fromEntries(shopEdges(answer).filter((e) => e.deniedBy !== undefined).map((e) => [edgeLine(e), e.deniedBy]));
    expect(denied).toEqual(SHOP_DENIED);
    const selects = shopEdges(answer).filter((e) => e.type === 'selects');
    expect(Object.fromEntries(selects.map((e) => [e.to, e.endpoints]))).toEqual(
      Object.fromEntries(Object.entries(SHOP_REPLICAS).map(([workload, replicas]) => [workload, { ready: replicas, notReady: 0 }])),
    );

    const shopVertex = (id: string) => answer.vertices.some((v) => v.id === id && (SHOP_NAMESPACES as readonly string[]).includes(v.namespace ?? ''));
    expect(answer.unresolved.filter((u) => shopVertex(u.from)).map(({ from, host }) => ({ from, host }))).toEqual(SHOP_UNRESOLVED);
    expect(answer.defaultDeny?.filter(shopVertex)).toEqual(SHOP_DEFAULT_DENY);
    expect(answer.trafficAvailable).toBe(false);
  });

  it('moves an env-host edge and a selects edge within 2 s of the API write', async () => {
    const cartToCache = 'env-host: Deployment/shop/cart -> Service/shop/cache';
    const cartToCatalog = 'env-host: Deployment/shop/cart -> Service/shop/catalog';
    await kubectl(['-n', 'shop', 'set', 'env', 'deployment/cart', 'CACHE_URL=redis://catalog:8080/0']);
    const envWritten = Date.now();
    const env = await waitForTopology((t) => lines(t).includes(cartToCatalog) && !lines(t).includes(cartToCache), 10_000, 'cart -> catalog');

    const selectsCache = 'service-selector: Service/shop/cache -> Deployment/shop/cache';
    const selectsDb = 'service-selector: Service/shop/cache -> StatefulSet/shop/db';
    await kubectl(['-n', 'shop', 'patch', 'service', 'cache', '--type=merge', '-p', JSON.stringify({ spec: { selector: { app: 'db' } } })]);
    const selectorWritten = Date.now();
    const selector = await waitForTopology((t) => lines(t).includes(selectsDb) && !lines(t).includes(selectsCache), 10_000, 'cache selects db');

    expect({ envMs: env.at - envWritten, selectorMs: selector.at - selectorWritten }).toSatisfy(
      (ms: Record<string, number>) => Object.values(ms).every((v) => v < MOVE_LIMIT_MS),
    );
    // Nothing else moved.
    const expected = SHOP_EDGES.map((line) => (line === cartToCache ? cartToCatalog : line === selectsCache ? selectsDb : line)).sort();
    expect(lines(selector.answer)).toEqual(expected);
  });
});
