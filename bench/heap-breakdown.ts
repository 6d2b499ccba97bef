// Where the server's heap goes: V8 heap snapshots before the sources start and once the server
// is live, with the growth summed by constructor / type. A diagnostic for the heap-per-pod
// numbers of the other benchmarks.
// Run: node --expose-gc --import tsx bench/heap-breakdown.ts <kubeconfig> | --demo <size>
import { readFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import pino from 'pino';
import { createKubeSources } from '../src/sources/kube/index.js';
import { createSimulatedSource, type SimulatedSize } from '../src/sources/simulated/index.js';
import type { ClusterSource } from '../src/sources/source.js';
import { startServerUnderTest, waitUntilLive } from './support/server-under-test.js';
import { mib, report, settledHeap } from './support/stats.js';

type Totals = Map<string, { bytes: number; count: number }>;

/** Self sizes summed by object constructor (or node type), from a fresh heap snapshot. */
function heapByType(): Totals {
  const file = writeHeapSnapshot(path.join(os.tmpdir(), `kubeglance-${process.pid}-${Date.now()}.heapsnapshot`));
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  unlinkSync(file);
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const totals: Totals = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt]]!;
    const name = String(snapshot.strings[snapshot.nodes[i + nameAt]]);
    const key = type === 'object' || type === 'hidden' || type === 'array' ? `${type}:${name.slice(0, 40)}` : type;
    const entry = totals.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += snapshot.nodes[i + sizeAt];
    entry.count++;
    totals.set(key, entry);
  }
  return totals;
}

const [first, second] = process.argv.slice(2);
const sources: ClusterSource[] =
  first === '--demo'
    ? [createSimulatedSource({ size: (second ?? 'xl') as SimulatedSize, churnPerSecond: 0 })]
    : (await createKubeSources({ kubeconfigPath: first!, logger: pino({ level: 'warn' }) }))!;
const baselineHeap = await settledHeap();
const before = heapByType();
const server = await startServerUnderTest(sources);
await waitUntilLive(server);
await new Promise((r) => setTimeout(r, 2_000));
const loadedHeap = await settledHeap();
const after = heapByType();
const pods = ((await (await fetch(new URL('/api/v1/clusters', server.url))).json()) as { status: { kinds: { Pod?: { count: number } } } }[])[0]!.status.kinds.Pod!.count;
report(`heap above baseline (${pods} pods)`, mib(loadedHeap - baselineHeap), `${((loadedHeap - baselineHeap) / pods).toFixed(0)} B per pod`);
const growth = [...after].map(([key, { bytes, count }]) => {
  const was = before.get(key) ?? { bytes: 0, count: 0 };
  return { key, bytes: bytes - was.bytes, count: count - was.count };
});
for (const { key, bytes, count } of growth.sort((a, b) => b.bytes - a.bytes).slice(0, 20)) {
  report(key.slice(0, 56), mib(bytes), `${count} objects, ${(bytes / pods).toFixed(0)} B per pod`);
}
await server.stop();
