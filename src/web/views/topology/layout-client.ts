// The main thread's side of the layout worker (layout-worker.ts): one worker, one layout at a
// time. While a layout runs, a newer request replaces the one waiting, so a burst of changes costs
// one more layout, not one per change, and what is drawn next is the latest graph.
//
// A replaced request's promise rejects with SupersededError (test with isSuperseded): its
// graph is never laid out, and resolving it with the newer graph's layout would hand the caller a
// layout of a graph it did not ask for. Callers ignore that rejection; the newest request's
// promise brings the layout.
import type { GraphLayout, LayoutRequest, LayoutResponse, ShapedGraph } from './contracts.js';

export interface LayoutClient {
  /** Lays out the graph in the worker. Rejects with SupersededError if a newer request replaces it while waiting. */
  layout(graph: ShapedGraph): Promise<GraphLayout>;
  /** Stops the worker; pending requests reject. */
  dispose(): void;
}

export class SupersededError extends Error {
  readonly superseded = true;
  constructor() {
    super('layout request superseded by a newer one');
    this.name = 'SupersededError';
  }
}

/** By name, so that it also holds for an error that crossed a realm or a bundle boundary. */
export function isSuperseded(error: unknown): error is SupersededError {
  return error instanceof Error && error.name === 'SupersededError';
}

/** The part of a Worker the client uses (a fake one in tests). */
export interface LayoutWorker {
  postMessage(message: LayoutRequest): void;
  onmessage: ((event: { data: LayoutResponse }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  terminate(): void;
}

interface Pending {
  id: number;
  graph: ShapedGraph;
  resolve: (layout: GraphLayout) => void;
  reject: (error: Error) => void;
}

export function createLayoutClient(
  workerUrl = '/assets/layout-worker.js',
  createWorker: (url: string) => LayoutWorker = (url) => new Worker(url, { type: 'module' }) as unknown as LayoutWorker,
): LayoutClient {
  const worker = createWorker(workerUrl);
  let nextId = 1;
  let running: Pending | undefined;
  let waiting: Pending | undefined;
  /** Set when the worker failed or was disposed: every request from then on rejects with it. */
  let broken: Error | undefined;

  const start = (pending: Pending) => {
    running = pending;
    worker.postMessage({ id: pending.id, graph: pending.graph });
  };
  const startWaiting = () => {
    const next = waiting;
    waiting = undefined;
    if (next) start(next);
  };
  const fail = (error: Error) => {
    broken = error;
    running?.reject(error);
    waiting?.reject(error);
    running = waiting = undefined;
  };

  worker.onmessage = ({ data }) => {
    // A response to anything but the running request (none should come) is ignored.
    if (running === undefined || data.id !== running.id) return;
    const done = running;
    running = undefined;
    if ('layout' in data) done.resolve(data.layout);
    else done.reject(new Error(`layout failed: ${data.error}`));
    startWaiting();
  };
  // The worker script failed to load or threw outside a request: it cannot be trusted to answer.
  worker.onerror = (event) => {
    worker.terminate();
    fail(new Error(`layout worker failed: ${event.message ?? 'unknown error'}`));
  };

  return {
    layout(graph) {
      return new Promise<GraphLayout>((resolve, reject) => {
        if (broken) return reject(broken);
        const pending: Pending = { id: nextId++, graph, resolve, reject };
        if (running === undefined) return start(pending);
        waiting?.reject(new SupersededError());
        waiting = pending;
      });
    },
    dispose() {
      if (broken) return;
      worker.terminate();
      fail(new Error('layout client disposed'));
    },
  };
}
