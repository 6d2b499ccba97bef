import { describe, expect, it } from 'vitest';
import type { GraphLayout, ShapedGraph } from './contracts.js';
import { LayoutFeed } from './layout-feed.js';
import { SupersededError, type LayoutClient } from './layout-client.js';
import { gridLayout, sampleGraph } from './testing/drawing-fixtures.js';

/** A layout client whose answers the test gives, in any order. */
function fakeClient() {
  const requests: { graph: ShapedGraph; resolve: (l: GraphLayout) => void; reject: (e: unknown) => void }[] = [];
  const client: LayoutClient = {
    layout: (graph) => new Promise((resolve, reject) => requests.push({ graph, resolve, reject })),
    dispose: () => {},
  };
  return { client, requests };
}

function setup() {
  const { client, requests } = fakeClient();
  const shown: { graph: ShapedGraph; layout: GraphLayout }[] = [];
  const failures: string[] = [];
  const feed = new LayoutFeed(() => client, (graph, layout) => shown.push({ graph, layout }), (m) => failures.push(m));
  return { feed, requests, shown, failures };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

/** The sample graph with one more vertex: a different structure. */
function grown(): ShapedGraph {
  const g = sampleGraph();
  g.vertices.push({ ...g.vertices[2]!, id: 'Service/shop/extra', name: 'extra' });
  return g;
}

describe('LayoutFeed', () => {
  it('asks for a layout, is pending until it arrives, then shows the graph on it', async () => {
    const { feed, requests, shown } = setup();
    const graph = sampleGraph();
    feed.set(graph);
    expect(feed.pending).toBe(true);
    expect(requests).toHaveLength(1);
    expect(shown).toEqual([]);
    const layout = gridLayout(graph);
    requests[0]!.resolve(layout);
    await settle();
    expect(feed.pending).toBe(false);
    expect(shown).toEqual([{ graph, layout }]);
  });

  it('shows a graph that changed only in attributes at once, on the layout at hand', async () => {
    const { feed, requests, shown } = setup();
    const first = sampleGraph();
    feed.set(first);
    requests[0]!.resolve(gridLayout(first));
    await settle();
    const second = sampleGraph();
    second.vertices[3] = { ...second.vertices[3]!, ready: 0, dim: true };
    feed.set(second);
    expect(requests).toHaveLength(1);
    expect(feed.pending).toBe(false);
    expect(shown.at(-1)).toEqual({ graph: second, layout: shown[0]!.layout });
  });

  it('keeps the previous drawing while a new structure is laid out', async () => {
    const { feed, requests, shown } = setup();
    const first = sampleGraph();
    feed.set(first);
    requests[0]!.resolve(gridLayout(first));
    await settle();
    const next = grown();
    feed.set(next);
    expect(feed.pending).toBe(true);
    expect(shown).toHaveLength(1);
    requests[1]!.resolve(gridLayout(next));
    await settle();
    expect(shown.at(-1)!.graph).toBe(next);
  });

  it('draws the newest attributes when the layout asked for the same structure arrives', async () => {
    const { feed, requests, shown } = setup();
    const first = sampleGraph();
    feed.set(first);
    const newer = sampleGraph();
    newer.edges[1] = { ...newer.edges[1]!, traffic: { requestRate: 999 } };
    feed.set(newer);
    expect(requests).toHaveLength(1);
    requests[0]!.resolve(gridLayout(first));
    await settle();
    expect(shown.map((s) => s.graph)).toEqual([newer]);
  });

  it('uses only the newest request: late answers to older ones are dropped, superseded ones ignored', async () => {
    const { feed, requests, shown, failures } = setup();
    const old = sampleGraph();
    feed.set(old);
    const next = grown();
    feed.set(next);
    expect(requests).toHaveLength(2);
    requests[0]!.reject(new SupersededError());
    requests[1]!.resolve(gridLayout(next));
    await settle();
    // An older request answering late changes nothing.
    requests[0]!.resolve(gridLayout(old));
    await settle();
    expect(shown.map((s) => s.graph)).toEqual([next]);
    expect(failures).toEqual([]);
    expect(feed.error).toBeUndefined();
  });

  it('drops a layout on its way when the graph goes back to the structure shown', async () => {
    const { feed, requests, shown } = setup();
    const first = sampleGraph();
    feed.set(first);
    requests[0]!.resolve(gridLayout(first));
    await settle();
    feed.set(grown());
    const back = sampleGraph();
    feed.set(back);
    expect(feed.pending).toBe(false);
    requests[1]!.resolve(gridLayout(grown()));
    await settle();
    expect(shown.map((s) => s.graph)).toEqual([first, back]);
  });

  it('reports a failed layout, keeps the drawing, and clears the error with the next layout', async () => {
    const { feed, requests, shown, failures } = setup();
    const first = sampleGraph();
    feed.set(first);
    requests[0]!.reject(new Error('layout failed: ELK ran out of memory'));
    await settle();
    expect(feed.pending).toBe(false);
    expect(feed.error).toBe('layout failed: ELK ran out of memory');
    expect(failures).toHaveLength(1);
    expect(shown).toEqual([]);
    feed.set(grown());
    requests[1]!.resolve(gridLayout(grown()));
    await settle();
    expect(feed.error).toBeUndefined();
    expect(shown).toHaveLength(1);
  });

  it('ignores everything once stopped', async () => {
    const { feed, requests, shown } = setup();
    feed.set(sampleGraph());
    feed.stop();
    requests[0]!.resolve(gridLayout(sampleGraph()));
    await settle();
    feed.set(grown());
    expect(shown).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(feed.pending).toBe(false);
  });
});
