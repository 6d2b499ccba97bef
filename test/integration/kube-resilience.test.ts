// What a long-running watcher meets in production: connections cut, history compacted away
// (410 Gone), and the API server restarting. After each, kubeglance's model must equal a fresh
// LIST: nothing lost, nothing duplicated.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordKind } from '../../src/model/records.js';
import {
  apiServerAddress,
  controlPlane,
  externalCluster,
  kubeconfigVia,
  kubectl,
  kubectlJson,
} from '../support/control-plane.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';
import { StreamClient } from '../support/stream-client.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const NS = 'resilience';
let proxy: TcpProxy;
let app: RunningKubeglance;
let client: StreamClient;

const COMPARED: [RecordKind, string][] = [
  ['Pod', 'pods'],
  ['Node', 'nodes'],
  ['Deployment', 'deployments.apps'],
  ['ReplicaSet', 'replicasets.apps'],
  ['Service', 'services'],
  ['Namespace', 'namespaces'],
];

beforeAll(async () => {
  await kubectl(['create', 'namespace', NS]);
  const { host, port } = await apiServerAddress();
  proxy = new TcpProxy(host, port);
  const proxyPort = await proxy.start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-it-'));
  const kubeconfig = await kubeconfigVia(proxyPort, path.join(dir, 'kubeconfig'));
  app = await startKubeglance(['--kubeconfig', kubeconfig]);
  client = await StreamClient.connectLive(app.url);
});

afterAll(async () => {
  await client?.close();
  await app?.stop();
  await proxy?.stop();
  await kubectl(['delete', 'namespace', NS, '--wait=false']).catch(() => {});
});

function createPod(name: string, node = 'kwok-node-0') {
  return kubectl(['-n', NS, 'run', name, '--image=registry.example/probe:1', '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`]);
}

/** Waits until, for every compared kind, the stream holds exactly the uids a fresh LIST returns. */
async function expectModelEqualsFreshList(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let mismatch = '';
  while (Date.now() < deadline) {
    mismatch = '';
    for (const [kind, resource] of COMPARED) {
      const list = await kubectlJson<{ items: { metadata: { uid: string } }[] }>(['get', resource, '-A']);
      const expected = list.items.map((i) => i.metadata.uid).sort();
      const actual = client.records(kind).map((r) => r.uid).sort();
      if (JSON.stringify(expected) !== JSON.stringify(actual)) {
        const missing = expected.filter((u) => !actual.includes(u));
        const extra = actual.filter((u) => !expected.includes(u));
        mismatch += `${kind}: missing ${missing.length}, extra ${extra.length}; `;
      }
    }
    if (!mismatch) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`model differs from a fresh LIST: ${mismatch}`);
}

async function relistCount(reason: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', app.url))).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('kubeglance_relists_total{') && line.includes(`reason="${reason}"`)) {
      total += Number(line.split(' ').pop());
    }
  }
  return total;
}

describe('when the watch is cut', () => {
  it('an object deleted meanwhile is gone after reconnect, one created meanwhile appears', async () => {
    await createPod('doomed');
    await client.waitFor(() => client.find('Pod', 'doomed', NS) !== undefined, 10_000, 'doomed pod seen');

    proxy.cut();
    await kubectl(['-n', NS, 'delete', 'pod', 'doomed', '--grace-period=0', '--force']);
    await createPod('newborn');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(client.find('Pod', 'doomed', NS)).toBeDefined(); // nothing can have told it yet
    proxy.restore();

    await client.waitFor(
      () => client.find('Pod', 'doomed', NS) === undefined && client.find('Pod', 'newborn', NS) !== undefined,
      60_000,
      'the change made while disconnected',
    );
    await expectModelEqualsFreshList();
  });

  it('shows the cluster stale while disconnected and live again after', async () => {
    proxy.cut();
    await client.waitFor(() => client.cluster().status.phase === 'stale', 90_000, 'stale status');
    expect(client.cluster().status.reason).toBeTruthy();
    proxy.restore();
    await client.waitFor(() => client.cluster().status.phase === 'live', 90_000, 'live again');
  });
});

describe.skipIf(externalCluster)('when history is compacted away (410 Gone) and the API server restarts', () => {
  it('relists and emits only the difference: deletes kept, no duplicates', async () => {
    for (const name of ['keep-a', 'keep-b', 'gone-a', 'gone-b']) await createPod(name, 'kwok-node-1');
    await client.waitFor(() => client.find('Pod', 'gone-b', NS) !== undefined, 10_000, 'pods seen');
    const relistsBefore = await relistCount('gone');

    const step = (what: string) => console.log(`[410 test] ${what} (+${Date.now() - t0} ms)`);
    const t0 = Date.now();
    proxy.cut();
    await kubectl(['-n', NS, 'delete', 'pod', 'gone-a', 'gone-b', '--grace-period=0', '--force']);
    step('deleted');
    await createPod('born-after-cut', 'kwok-node-1');
    // Compact etcd to its current revision and restart the API server: its watch cache starts
    // empty at the current revision, so resuming from our old resourceVersion can only get 410.
    const status = JSON.parse(await controlPlane('etcdctl', 'endpoint', 'status', '-w', 'json')) as { Status: { header: { revision: number } } }[];
    const revision = status[0]!.Status.header.revision;
    await controlPlane('etcdctl', 'compact', String(revision));
    step('compacted');
    await controlPlane('stop-apiserver');
    step('stopped');
    await controlPlane('start-apiserver');
    step('started');
    proxy.restore();

    await client.waitFor(
      () =>
        client.find('Pod', 'gone-a', NS) === undefined &&
        client.find('Pod', 'gone-b', NS) === undefined &&
        client.find('Pod', 'born-after-cut', NS) !== undefined,
      90_000,
      'relisted model',
    );
    await expectModelEqualsFreshList();
    expect(await relistCount('gone')).toBeGreaterThan(relistsBefore);
    // Every pod exactly once (the model is keyed by uid; names must not repeat either).
    const names = client.records('Pod').map((p) => `${p.namespace}/${p.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('after an API server restart the model equals a fresh LIST', async () => {
    await controlPlane('stop-apiserver');
    await client.waitFor(() => client.cluster().status.phase !== 'live', 90_000, 'not live while the API server is down');
    await controlPlane('start-apiserver');
    await client.waitFor(() => client.cluster().status.phase === 'live', 90_000, 'live after restart');
    await createPod('after-restart', 'kwok-node-2');
    await client.waitFor(() => client.find('Pod', 'after-restart', NS) !== undefined, 10_000, 'watch works again');
    await expectModelEqualsFreshList();
  });
});
