// ConfigMaps against a real kube-apiserver: read only with the opt-in (--read-configmaps), and
// then only for the hosts their values name; without it not a single ConfigMap request is made.
// A ServiceAccount bound to the shipped read-only role (which has no configmaps rule) sees the
// kind unavailable with the exact rule to grant.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ClusterStatus } from '../../src/model/cluster-status.js';
import { createKubeSources } from '../../src/sources/kube/index.js';
import { collect, type Collected } from '../../src/sources/source.contract.js';
import type { ClusterSource } from '../../src/sources/source.js';
import { noTelemetry, type SourceTelemetry } from '../../src/sources/telemetry.js';
import { applyManifest, kubeconfigForServiceAccount, kubectl } from '../support/control-plane.js';

const NS = 'kubeglance-configmaps';
const ROOT = path.resolve(import.meta.dirname, '../..');
const BINDING = 'kubeglance-configmaps-viewer';
const TIMEOUT_MS = 60_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-configmaps-'));

/** One running kube source: what it delivered (applied and checked by the contract's collector) and its API requests by resource. */
interface Running {
  source: ClusterSource;
  c: Collected;
  status(): ClusterStatus | undefined;
  requestsFor(resource: string): number;
}

const running: Running[] = [];

async function start(options: { readConfigMaps: boolean; kubeconfigPath?: string }): Promise<Running> {
  const requests = new Map<string, number>();
  const telemetry: SourceTelemetry = {
    ...noTelemetry,
    apiRequest: (_cluster, _verb, resource) => requests.set(resource, (requests.get(resource) ?? 0) + 1),
  };
  const sources = await createKubeSources({
    kubeconfigPath: options.kubeconfigPath ?? inject('kubeconfig'),
    logger: pino({ level: 'silent' }),
    telemetry,
    readConfigMaps: options.readConfigMaps,
  });
  const source = sources![0]!;
  const c = collect(source);
  const run: Running = { source, c, status: () => c.statuses.at(-1), requestsFor: (resource) => requests.get(resource) ?? 0 };
  running.push(run);
  return run;
}

const apiConfigOf = (run: Running) => run.c.find('ConfigMap', (cm) => cm.namespace === NS && cm.name === 'api-config');

function apiConfig(databaseUrl: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'api-config', namespace: NS },
    data: {
      DATABASE_URL: databaseUrl,
      REDIS_HOST: 'cache',
      LOG_LEVEL: 'debug',
      'application.yaml': `spring:\n  kafka:\n    bootstrap-servers: kafka-0.kafka.${NS}.svc:9092\n`,
    },
    binaryData: { 'logo.bin': Buffer.from('http://binary.example:80').toString('base64') },
  };
}

beforeAll(async () => {
  await kubectl(['create', 'namespace', NS]);
  await applyManifest(apiConfig(`postgres://app:hunter2@db.${NS}:5432/orders`));
});

afterEach(async () => {
  for (const run of running.splice(0)) {
    await run.source.stop();
    run.c.markStopped();
    expect(run.c.problems).toEqual([]);
  }
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', NS, '--wait=false']).catch(() => {});
  await kubectl(['delete', 'clusterrolebinding', BINDING, '--ignore-not-found']).catch(() => {});
});

describe('ConfigMaps', () => {
  it('without --read-configmaps: live, and not one ConfigMap request', async () => {
    const run = await start({ readConfigMaps: false });
    await run.c.waitFor(() => run.status()?.phase === 'live', 'live', TIMEOUT_MS);
    expect(run.requestsFor('pods')).toBeGreaterThan(0); // the counting works
    expect(run.requestsFor('configmaps')).toBe(0);
    expect(run.status()?.kinds.ConfigMap).toBeUndefined();
    expect(run.c.find('ConfigMap', () => true)).toBeUndefined();
  });

  it('with it: the hosts of a ConfigMap arrive as its record, never the values, and changes follow', async () => {
    const run = await start({ readConfigMaps: true });
    const record = await run.c.waitFor(() => apiConfigOf(run), 'the api-config ConfigMap', TIMEOUT_MS);
    expect(record).toMatchObject({
      hosts: [`db.${NS}`, 'cache', `kafka-0.kafka.${NS}`],
      hostFields: ['data[DATABASE_URL]', 'data[REDIS_HOST]', 'data[application.yaml]'],
    });
    expect(JSON.stringify(record)).not.toMatch(/hunter2|debug|binary|logo/);
    await run.c.waitFor(() => run.status()?.phase === 'live', 'live', TIMEOUT_MS);
    expect(run.status()?.kinds.ConfigMap?.state).toBe('live');
    // Every namespace has its kube-root-ca.crt ConfigMap: they are all listed, with no hosts.
    expect(run.status()?.kinds.ConfigMap?.count).toBeGreaterThan(1);
    expect(run.requestsFor('configmaps')).toBeGreaterThan(0);

    await applyManifest(apiConfig(`postgres://app:hunter2@orders-db.${NS}:5432/orders`));
    await run.c.waitFor(() => apiConfigOf(run)?.hosts[0] === `orders-db.${NS}`, 'the changed host', 10_000);
  });

  it('with it but no access: ConfigMaps unavailable with the exact rule, everything else live', async () => {
    await kubectl(['apply', '-f', path.join(ROOT, 'deploy/rbac-readonly.yaml')]);
    await kubectl(['-n', NS, 'create', 'serviceaccount', 'viewer']);
    await kubectl(['create', 'clusterrolebinding', BINDING, '--clusterrole=kubeglance-readonly', `--serviceaccount=${NS}:viewer`]);
    const kubeconfigPath = await kubeconfigForServiceAccount(NS, 'viewer', path.join(dir, 'viewer.kubeconfig'));
    const run = await start({ readConfigMaps: true, kubeconfigPath });
    const unavailable = () => run.status()?.kinds.ConfigMap?.state === 'unavailable' && run.status()?.phase === 'live';
    await run.c.waitFor(unavailable, 'ConfigMaps unavailable, cluster live', TIMEOUT_MS);
    expect(run.status()?.kinds.ConfigMap).toMatchObject({
      reason: 'needs list/watch on configmaps (apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"])',
      rbac: 'apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"]',
    });
    expect(run.status()?.kinds.Pod?.state).toBe('live');
  });
});
