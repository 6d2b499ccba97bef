// The layout worker: a module Worker (built to /assets/layout-worker.js) that lays out shaped
// graphs with ELK off the main thread. Messages are LayoutRequest in, LayoutResponse out
// (contracts.ts); the client side is layout-client.ts.
//
// elk.bundled.js runs ELK itself inside this worker: its "worker" is a fake one that lays out
// synchronously on this thread, so no second worker and no worker URL for ELK are needed. The
// cache from one layout to the next (layout.ts, createLayoutService) lives here.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { LayoutRequest, LayoutResponse } from './contracts.js';
import { createLayoutService } from './layout.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutResponse): void;
}

const scope = self as unknown as WorkerScope;
const elk = new ELK();
const layout = createLayoutService(elk);

// Assigned after ELK was loaded, on purpose: elk.bundled.js, finding itself in a worker (a `self`
// and no `document`), installs its own `self.onmessage` when it loads, which would swallow our
// requests. This assignment replaces it.
scope.onmessage = (event) => {
  void layout(event.data).then((response) => scope.postMessage(response));
};
