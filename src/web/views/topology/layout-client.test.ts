import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TOPOLOGY_FILTER, type GraphLayout, type LayoutRequest, type LayoutResponse, type ShapedGraph } from './contracts.js';
import { createLayoutClient, isSuperseded, SupersededError, type LayoutWorker } from './layout-client.js';
import { shapeGraph } from './shape.js';
import { syntheticTopology } from './testing/synthetic.js';

class FakeWorker implements LayoutWorker {
  sent: LayoutRequest[] = [];
  terminated = false;
  onmessage: ((event: { data: LayoutResponse }) => void) | null = null;
  onerror: ((event: { message?: string }) => void) | null = null;
  postMessage(message: LayoutRequest): void {
    this.sent.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  /** Answers the last request sent. */
  answer(layout: GraphLayout = layoutNamed('x')): void {
    this.onmessage?.({ data: { id: (this.sent.at(-1) as LayoutRequest).id, layout } });
  }
}

const graphNamed = (name: string): ShapedGraph => ({ groups: [{ id: name, label: name, collapsed: false, counts: {} }], vertices: [], edges: [] });
const layoutNamed = (name: string): GraphLayout => ({ width: 1, height: 1, groups: { [name]: { x: 0, y: 0, width: 1, height: 1 } }, vertices: {}, edges: {}, ms: 1 });

/** Settles what a promise did by now, without waiting for it. */
async function state<T>(promise: Promise<T>): Promise<'pending' | { value: T } | { error: unknown }> {
  const pending = Symbol('pending');
  return Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), new Promise<typeof pending>((r) => setTimeout(() => r(pending), 0))]).then((s) =>
    s === pending ? 'pending' : s,
  );
}

function client() {
  const worker = new FakeWorker();
  const urls: string[] = [];
  const layoutClient = createLayoutClient(undefined, (url) => {
    urls.push(url);
    return worker;
  });
  return { worker, urls, layoutClient };
}

describe('createLayoutClient', () => {
  it('starts the worker from /assets/layout-worker.js and resolves a request with its layout', async () => {
    const { worker, urls, layoutClient } = client();
    expect(urls).toEqual(['/assets/layout-worker.js']);
    const graph = graphNamed('a');
    const result = layoutClient.layout(graph);
    expect(worker.sent).toEqual([{ id: 1, graph }]);
    worker.answer(layoutNamed('a'));
    expect(await result).toEqual(layoutNamed('a'));
  });

  it('runs one layout at a time; newer requests replace the one waiting', async () => {
    const { worker, layoutClient } = client();
    const a = layoutClient.layout(graphNamed('a'));
    const b = layoutClient.layout(graphNamed('b'));
    const c = layoutClient.layout(graphNamed('c'));
    const d = layoutClient.layout(graphNamed('d'));
    // Only a went to the worker; b and c were replaced while waiting.
    expect(worker.sent.map((r) => r.graph.groups[0]?.id)).toEqual(['a']);
    for (const superseded of [b, c]) {
      const s = await state(superseded);
      expect(typeof s === 'object' && 'error' in s && isSuperseded(s.error)).toBe(true);
    }
    expect(await state(d)).toBe('pending');
    worker.answer(layoutNamed('a'));
    expect(await a).toEqual(layoutNamed('a'));
    expect(worker.sent.map((r) => r.graph.groups[0]?.id)).toEqual(['a', 'd']);
    worker.answer(layoutNamed('d'));
    expect(await d).toEqual(layoutNamed('d'));
  });

  it('names its superseded error so that it is recognised across bundles', () => {
    const error = new SupersededError();
    expect(error.name).toBe('SupersededError');
    expect(isSuperseded(error)).toBe(true);
    expect(isSuperseded(new Error('layout failed'))).toBe(false);
    expect(isSuperseded(Object.assign(new Error('x'), { name: 'SupersededError' }))).toBe(true);
  });

  it('rejects a request the worker could not lay out, then runs the waiting one', async () => {
    const { worker, layoutClient } = client();
    const a = layoutClient.layout(graphNamed('a'));
    const b = layoutClient.layout(graphNamed('b'));
    worker.onmessage?.({ data: { id: 1, error: 'ELK exploded' } });
    await expect(a).rejects.toThrow('layout failed: ELK exploded');
    expect(worker.sent).toHaveLength(2);
    worker.answer(layoutNamed('b'));
    expect(await b).toEqual(layoutNamed('b'));
  });

  it('ignores answers to requests it did not send', async () => {
    const { worker, layoutClient } = client();
    const a = layoutClient.layout(graphNamed('a'));
    worker.onmessage?.({ data: { id: 99, layout: layoutNamed('stray') } });
    expect(await state(a)).toBe('pending');
    worker.answer(layoutNamed('a'));
    expect(await a).toEqual(layoutNamed('a'));
  });

  it('fails everything pending and to come when the worker fails', async () => {
    const { worker, layoutClient } = client();
    const a = layoutClient.layout(graphNamed('a'));
    const b = layoutClient.layout(graphNamed('b'));
    worker.onerror?.({ message: 'SyntaxError in layout-worker.js' });
    await expect(a).rejects.toThrow('layout worker failed: SyntaxError in layout-worker.js');
    await expect(b).rejects.toThrow('layout worker failed');
    expect(worker.terminated).toBe(true);
    await expect(layoutClient.layout(graphNamed('c'))).rejects.toThrow('layout worker failed');
    expect(worker.sent).toHaveLength(1);
  });

  it('stops the worker on dispose and rejects what is pending', async () => {
    const { worker, layoutClient } = client();
    const a = layoutClient.layout(graphNamed('a'));
    const b = layoutClient.layout(graphNamed('b'));
    layoutClient.dispose();
    layoutClient.dispose();
    expect(worker.terminated).toBe(true);
    await expect(a).rejects.toThrow('disposed');
    await expect(b).rejects.toThrow('disposed');
    await expect(layoutClient.layout(graphNamed('c'))).rejects.toThrow('disposed');
  });
});

describe('layout-worker.ts behind the client', () => {
  const global = globalThis as { self?: unknown };
  afterEach(() => {
    delete global.self;
  });

  it('answers the client with layouts made by ELK in the worker scope', async () => {
    // A worker scope as the browser gives one: messages are copied both ways, as by postMessage.
    const scope: { onmessage: ((event: { data: LayoutRequest }) => void) | null; postMessage(message: LayoutResponse): void } = {
      onmessage: null,
      postMessage: (message) => worker.onmessage?.({ data: structuredClone(message) }),
    };
    const worker: LayoutWorker = {
      onmessage: null,
      onerror: null,
      postMessage: (message) => scope.onmessage?.({ data: structuredClone(message) }),
      terminate: () => {},
    };
    global.self = scope;
    await import('./layout-worker.js');
    expect(scope.onmessage).toBeTypeOf('function');

    const layoutClient = createLayoutClient('/assets/layout-worker.js', () => worker);
    const graph = shapeGraph(syntheticTopology({ vertices: 150, seed: 4 }), DEFAULT_TOPOLOGY_FILTER, undefined);
    const first = await layoutClient.layout(graph);
    expect(Object.keys(first.vertices).sort()).toEqual(graph.vertices.map((v) => v.id).sort());
    expect(Object.keys(first.edges).sort()).toEqual(graph.edges.map((e) => e.id).sort());
    // The worker kept its cache: the same graph again comes back unchanged.
    const second = await layoutClient.layout(structuredClone(graph));
    expect(second.vertices).toEqual(first.vertices);
  });
});
