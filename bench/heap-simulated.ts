// Server heap per pod, simulated cluster: the real server (store, hub, HTTP) holding the
// embedded demo cluster at each size. Goal: at most 1 KB per pod above the empty baseline.
// Run: node --expose-gc --import tsx bench/heap-simulated.ts [small|medium|large|xl ...]
import { createSimulatedSource, SIZES, type SimulatedSize } from '../src/sources/simulated/index.js';
import { startServerUnderTest, waitUntilLive } from './support/server-under-test.js';
import { mib, report, settledHeap } from './support/stats.js';

const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : ['medium', 'xl']) as SimulatedSize[];

for (const size of sizes) {
  const baseline = await settledHeap();
  const started = performance.now();
  const server = await startServerUnderTest([createSimulatedSource({ size, churnPerSecond: 0 })]);
  await waitUntilLive(server);
  const liveMs = performance.now() - started;
  // Let the hub cut its last batch so the heap holds the steady state, not the sync burst.
  await new Promise((r) => setTimeout(r, 1_000));
  const loaded = await settledHeap();
  const pods = SIZES[size].pods;
  report(`simulated ${size} (${SIZES[size].nodes} nodes, ${pods} pods): start → live`, `${liveMs.toFixed(0)} ms`);
  report(`simulated ${size}: server heap above baseline`, mib(loaded - baseline));
  report(`simulated ${size}: server heap per pod`, `${((loaded - baseline) / pods).toFixed(0)} B`, 'goal ≤ 1024 B');
  await server.stop();
}
