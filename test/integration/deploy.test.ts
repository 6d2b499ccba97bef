// The in-cluster deployment of deploy/, against the real API server, its RBAC authorizer and its
// Pod Security admission: the plain manifests and the Helm chart are really applied in namespaces
// that enforce the "restricted" profile, their pods are admitted (KWOK "runs" them), and
// kubeglance run with the manifests' ServiceAccount token (what in-cluster config would use)
// syncs every kind, while `kubectl auth can-i --list` shows exactly the kinds kubeglance reads,
// with no write verb and no Secrets. The scoped Role variant grants namespaced reads only. The
// `kubectl glance` plugin is found and run by kubectl itself.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_NODES, METRICS_PODS, OPT_IN_KINDS, WATCHED_KINDS, type ApiResource } from '../../src/sources/kube/kinds.js';
import { applyManifest, kubeconfigForServiceAccount, kubectl, kubectlJson } from '../support/control-plane.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';
import { StreamClient } from '../support/stream-client.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const MANIFESTS = path.join(ROOT, 'deploy/manifests');
const CHART = path.join(ROOT, 'deploy/helm/kubeglance');
/** The namespace deploy/manifests/20-clusterrole.yaml binds (its documented default). */
const NS = 'kubeglance';
/** Scoped mode: kubeglance installed in the one namespace it shows. */
const SCOPED = 'kubeglance-scoped';
/** The Helm chart, installed as release "glance" (so its cluster-scoped names differ). */
const HELM_NS = 'kubeglance-helm';
const HELM_VERSION = 'v3.22.0';
const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-deploy-'));
const running: { app: RunningKubeglance; client: StreamClient }[] = [];

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'];
/** Granted to every authenticated user (system:basic-user); they create reviews, which are not stored. */
const SELF_REVIEWS = /^self(subject(access|rules)?reviews)\.(authentication|authorization)\.k8s\.io$/;

type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

function qualified(resource: Pick<ApiResource, 'group' | 'resource'>): string {
  return resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`;
}

/** What kubeglance reads (src/sources/kube/kinds.ts), as `resource.group` → verbs a role grants. */
function expectedPermissions({ clusterScoped, configMaps }: { clusterScoped: boolean; configMaps: boolean }) {
  const expected = new Map<string, string[]>();
  const kinds = [...WATCHED_KINDS, ...(configMaps ? OPT_IN_KINDS : [])];
  for (const kind of kinds) if (clusterScoped || kind.namespaced) expected.set(qualified(kind), ['get', 'list', 'watch']);
  for (const metrics of [METRICS_NODES, METRICS_PODS]) if (clusterScoped || metrics.namespaced) expected.set(qualified(metrics), ['get', 'list']);
  return expected;
}

/** A role's rules as `resource.group` → sorted verbs. */
function rulePermissions(rules: Rule[]): Map<string, string[]> {
  const permissions = new Map<string, Set<string>>();
  for (const rule of rules) {
    expect(rule.resourceNames ?? [], 'no rule is limited to names').toEqual([]);
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const key = group === '' ? resource : `${resource}.${group}`;
        const verbs = permissions.get(key) ?? new Set<string>();
        for (const verb of rule.verbs) verbs.add(verb);
        permissions.set(key, verbs);
      }
    }
  }
  return new Map([...permissions].map(([key, verbs]) => [key, [...verbs].sort()]));
}

function sorted(map: Map<string, string[]>) {
  return Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
}

interface CanI {
  /** `resource.group` → verbs, without the self-review rows every user has. */
  resources: Map<string, string[]>;
  selfReviews: string[];
  nonResourceVerbs: Set<string>;
}

/** `kubectl auth can-i --list` as the ServiceAccount, parsed (it has no -o json). */
async function canIList(namespace: string, serviceAccount: string, inNamespace: string): Promise<CanI> {
  const table = await kubectl(['auth', 'can-i', '--list', `--as=system:serviceaccount:${namespace}:${serviceAccount}`, '-n', inNamespace]);
  const [header, ...rows] = table.split('\n').filter(Boolean);
  expect(header).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/);
  const result: CanI = { resources: new Map(), selfReviews: [], nonResourceVerbs: new Set() };
  for (const row of rows) {
    const verbs = /\[([^\]]*)\]\s*$/.exec(row)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    if (/^\s/.test(row)) {
      // A non-resource URL row (/healthz, /api, ...): starts with the empty Resources column.
      for (const verb of verbs) result.nonResourceVerbs.add(verb);
      continue;
    }
    const [resource = '', , resourceNames = '[]'] = row.trim().split(/\s{2,}/);
    expect(resourceNames, row).toBe('[]');
    if (SELF_REVIEWS.test(resource)) {
      result.selfReviews.push(resource);
      continue;
    }
    const merged = new Set([...(result.resources.get(resource) ?? []), ...verbs]);
    result.resources.set(resource, [...merged].sort());
  }
  return result;
}

function expectReadOnly(canI: CanI) {
  for (const [resource, verbs] of canI.resources) {
    for (const verb of verbs) expect(WRITE_VERBS, `${resource}: ${verb}`).not.toContain(verb);
    expect(resource, 'never Secrets').not.toMatch(/^(secrets|\*)(\.|$)/);
  }
  for (const verb of canI.nonResourceVerbs) expect(verb, 'non-resource URLs: get only').toBe('get');
}

async function canI(serviceAccount: string, ...args: string[]): Promise<boolean> {
  const answer = await kubectl(['auth', 'can-i', ...args, `--as=system:serviceaccount:${serviceAccount}`]).catch((error: Error) => error.message);
  return /^yes\b/m.test(answer);
}

function readManifests(...files: string[]): Manifest[] {
  return files.flatMap((file) => loadAll(readFileSync(path.join(MANIFESTS, file), 'utf8')).filter(Boolean) as Manifest[]);
}

function restrictedNamespace(name: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
      },
    } as Manifest['metadata'],
  };
}

/** The Deployment's pod, admitted: the ReplicaSet created it (no FailedCreate) and KWOK runs it. */
async function expectDeploymentAdmitted(namespace: string, deployment: string) {
  await kubectl(['-n', namespace, 'rollout', 'status', `deployment/${deployment}`, '--timeout=120s']);
  const events = await kubectlJson<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>(['-n', namespace, 'get', 'events']);
  const ours = events.items.filter((e) => e.involvedObject.name.startsWith(`${deployment}-`));
  expect(ours.filter((e) => e.reason === 'FailedCreate').map((e) => e.message)).toEqual([]);
  expect(ours.some((e) => e.reason === 'SuccessfulCreate')).toBe(true);
  const pods = await kubectlJson<{ items: any[] }>(['-n', namespace, 'get', 'pods', '-l', 'app.kubernetes.io/name=kubeglance']);
  expect(pods.items).toHaveLength(1);
  const pod = pods.items[0];
  expect(pod.status.phase).toBe('Running');
  // The token is mounted into this pod (it reads the API), though the ServiceAccount mounts it nowhere.
  expect(pod.spec.volumes.some((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken))).toBe(true);
  return pod;
}

async function helm(args: string[]): Promise<string> {
  const { stdout } = await run(await helmBinary(), args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

let helmPath: Promise<string> | undefined;
/** Helm, built once from its Go module into the control plane's cache (like the control plane itself). */
function helmBinary(): Promise<string> {
  helmPath ??= (async () => {
    if (process.env.KUBEGLANCE_HELM) return process.env.KUBEGLANCE_HELM;
    const cache = process.env.KUBEGLANCE_CACHE ?? path.join(os.homedir(), '.cache/kubeglance');
    const bin = path.join(cache, 'bin', `helm-${HELM_VERSION}`);
    const binary = path.join(bin, 'helm');
    if (!existsSync(binary)) {
      await run('go', ['install', `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
        env: { ...process.env, GOBIN: bin, CGO_ENABLED: '0', GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local' },
        timeout: 540_000,
      });
    }
    return binary;
  })();
  return helmPath;
}

async function renderChart(release: string, namespace: string, ...set: string[]): Promise<Manifest[]> {
  const text = await helm(['template', release, CHART, '--namespace', namespace, ...set.flatMap((s) => ['--set', s])]);
  return (loadAll(text) as (Manifest | null)[]).filter((m): m is Manifest => m !== null);
}

async function runAs(namespace: string, serviceAccount: string, args: string[] = []) {
  const kubeconfig = await kubeconfigForServiceAccount(namespace, serviceAccount, path.join(dir, `${namespace}.kubeconfig`));
  const app = await startKubeglance(['--kubeconfig', kubeconfig, ...args]);
  const client = new StreamClient(app.url);
  running.push({ app, client });
  await client.connect();
  return { app, client };
}

async function waitReady(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(new URL('/readyz', url));
    last = `${response.status} ${await response.text()}`;
    if (response.status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/readyz not 200 after ${timeoutMs} ms: ${last}`);
}

beforeAll(async () => {
  // Built on first use (a minute or few, once per machine): under the hook's timeout, not a test's.
  const helmReady = helmBinary();
  for (const ns of [NS, SCOPED, HELM_NS]) await applyManifest(restrictedNamespace(ns));
  // Pod Security admission is on: a pod without the restricted settings is refused outright.
  await expect(
    kubectl(['-n', NS, 'run', 'unrestricted', '--image=registry.example/unrestricted:1', '--restart=Never']),
  ).rejects.toThrow(/violates PodSecurity "restricted:latest"/);
  // The plain manifests, as the README says: kubectl apply -n <ns> -f deploy/manifests/
  await kubectl(['apply', '-n', NS, '-f', MANIFESTS]);
  // Scoped: the ServiceAccount, the Deployment and the Role in the one namespace it shows.
  await kubectl(['apply', '-n', SCOPED, '-f', path.join(MANIFESTS, '10-serviceaccount.yaml'), '-f', path.join(MANIFESTS, '30-deployment.yaml'), '-f', path.join(MANIFESTS, 'scoped/role.yaml')]);
  // Something of the team's to see, restricted too.
  await applyManifest({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'team-app', namespace: SCOPED },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'team-app' } },
      template: {
        metadata: { labels: { app: 'team-app' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'app',
            image: 'registry.example/team-app:1',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  });
  await helmReady;
}, 600_000);

afterAll(async () => {
  for (const { app, client } of running) {
    await client.close();
    await app.stop();
  }
  for (const ns of [NS, SCOPED, HELM_NS]) await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => {});
  await kubectl(['delete', 'clusterrole,clusterrolebinding', 'kubeglance', 'glance-kubeglance', '--ignore-not-found']).catch(() => {});
  await kubectl(['delete', 'clusterrole,clusterrolebinding', 'kubeglance-configmaps', '--ignore-not-found']).catch(() => {});
});

describe('plain manifests (deploy/manifests)', () => {
  it('are hardened as the restricted profile wants, reachable through port-forward only', () => {
    const objects = readManifests('10-serviceaccount.yaml', '20-clusterrole.yaml', '30-deployment.yaml');
    expect(objects.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'ServiceAccount']);
    for (const o of objects) expect(o.metadata.namespace, `${o.kind} is applied with -n`).toBeUndefined();
    const serviceAccount = objects.find((o) => o.kind === 'ServiceAccount')!;
    expect(serviceAccount.automountServiceAccountToken).toBe(false);
    const pod = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.hostIPC ?? false).toBe(false);
    expect(pod.volumes.filter((v: any) => v.hostPath)).toEqual([]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    const [container, ...others] = pod.containers;
    expect(others).toEqual([]);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.args).toContain('--host=127.0.0.1');
    expect(container.resources.requests).toEqual({ cpu: '250m', memory: '512Mi' });
    expect(container.resources.limits.memory).toBeDefined();
    for (const probe of ['livenessProbe', 'readinessProbe']) expect(container[probe], probe).toBeDefined();
    expect(JSON.stringify(container.livenessProbe)).toContain('/healthz');
    expect(JSON.stringify(container.readinessProbe)).toContain('/readyz');
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('their ClusterRole grants exactly what kubeglance reads, like deploy/rbac-readonly.yaml', () => {
    const [clusterRole] = readManifests('20-clusterrole.yaml').filter((o) => o.kind === 'ClusterRole');
    const expected = sorted(expectedPermissions({ clusterScoped: true, configMaps: false }));
    expect(sorted(rulePermissions(clusterRole!.rules))).toEqual(expected);
    const readonly = loadAll(readFileSync(path.join(ROOT, 'deploy/rbac-readonly.yaml'), 'utf8'))[0] as Manifest;
    expect(sorted(rulePermissions(readonly.rules))).toEqual(expected);
    const [role] = readManifests('scoped/role.yaml').filter((o) => o.kind === 'Role');
    expect(sorted(rulePermissions(role!.rules))).toEqual(sorted(expectedPermissions({ clusterScoped: false, configMaps: false })));
  });

  it('are admitted in a namespace enforcing the restricted Pod Security profile', async () => {
    // Synchronously: the Deployment's pod template, created as a bare pod (a real create).
    const [deployment] = readManifests('30-deployment.yaml');
    const bare = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'kubeglance-bare', labels: { test: 'bare' } },
      spec: deployment!.spec.template.spec,
    };
    const created = await kubectl(['create', '-n', NS, '-f', '-'], JSON.stringify(bare));
    expect(created).toMatch(/pod\/kubeglance-bare created/);
    await kubectl(['-n', NS, 'delete', 'pod', 'kubeglance-bare', '--wait=false']);
    // And as the ReplicaSet creates it.
    const pod = await expectDeploymentAdmitted(NS, 'kubeglance');
    expect(pod.spec.serviceAccountName).toBe('kubeglance');
  });

  it('the ServiceAccount can read exactly the kinds kubeglance reads: no write verb, no Secrets', async () => {
    const list = await canIList(NS, 'kubeglance', 'default');
    expectReadOnly(list);
    expect(sorted(list.resources)).toEqual(sorted(expectedPermissions({ clusterScoped: true, configMaps: false })));
    const sa = `${NS}:kubeglance`;
    expect(await canI(sa, 'get', 'secrets', '--all-namespaces')).toBe(false);
    expect(await canI(sa, 'list', 'configmaps', '--all-namespaces')).toBe(false);
    expect(await canI(sa, 'list', 'pods', '--all-namespaces')).toBe(true);
  });

  it('kubeglance with the ServiceAccount token syncs every kind the cluster serves', async () => {
    const { app, client } = await runAs(NS, 'kubeglance');
    await waitReady(app.url, 60_000);
    await client.waitFor(() => client.cluster().status.phase === 'live', 30_000, 'live');
    await client.waitFor(() => client.cluster().status.metrics !== 'pending', 60_000, 'metrics polled');
    const status = client.cluster().status;
    for (const kind of WATCHED_KINDS) {
      const state = status.kinds[kind.kind];
      if (kind.optional && state?.state === 'unavailable') {
        // Gateway API is not installed in the test cluster: not served, and not for lack of RBAC.
        expect(state.reason, kind.kind).toMatch(/not served/);
        continue;
      }
      expect(state?.state, `${kind.kind}: ${state?.reason ?? ''}`).toBe('live');
    }
    expect(status.kinds.ConfigMap).toBeUndefined();
    expect(status.metrics, status.metricsReason).toBe('available');
    expect(client.records('Node').length).toBeGreaterThan(0);
    expect(client.find('Deployment', 'kubeglance', NS)).toBeDefined();
  });

  it('opt-in ConfigMaps: the opt-in file adds ConfigMaps and still no Secrets', async () => {
    await kubectl(['apply', '-n', NS, '-f', path.join(MANIFESTS, 'opt-in/configmaps-clusterrole.yaml')]);
    try {
      const list = await canIList(NS, 'kubeglance', 'default');
      expectReadOnly(list);
      expect(sorted(list.resources)).toEqual(sorted(expectedPermissions({ clusterScoped: true, configMaps: true })));
    } finally {
      await kubectl(['delete', '-f', path.join(MANIFESTS, 'opt-in/configmaps-clusterrole.yaml')]);
    }
  });
});

describe('scoped mode (deploy/manifests/scoped/role.yaml)', () => {
  it('grants namespaced reads in its namespace only, and nothing elsewhere', async () => {
    const inside = await canIList(SCOPED, 'kubeglance', SCOPED);
    expectReadOnly(inside);
    expect(sorted(inside.resources)).toEqual(sorted(expectedPermissions({ clusterScoped: false, configMaps: false })));
    const elsewhere = await canIList(SCOPED, 'kubeglance', 'default');
    expect(sorted(elsewhere.resources)).toEqual({});
    expect(await canI(`${SCOPED}:kubeglance`, 'list', 'nodes')).toBe(false);
    expect(await canI(`${SCOPED}:kubeglance`, 'list', 'pods', '-n', 'default')).toBe(false);
  });

  it('its Deployment is admitted, and kubeglance --namespace shows the namespace live', async () => {
    await expectDeploymentAdmitted(SCOPED, 'kubeglance');
    await kubectl(['-n', SCOPED, 'rollout', 'status', 'deployment/team-app', '--timeout=120s']);
    const { app, client } = await runAs(SCOPED, 'kubeglance', ['--namespace', SCOPED]);
    await waitReady(app.url, 60_000);
    const status = client.cluster().status;
    for (const kind of WATCHED_KINDS) {
      const state = status.kinds[kind.kind];
      if (!kind.namespaced) {
        expect(state?.state, kind.kind).toBe('unavailable');
        expect(state?.reason, kind.kind).toMatch(/needs list\/watch/);
      } else if (kind.optional && state?.state === 'unavailable') {
        expect(state.reason, kind.kind).toMatch(/not served/);
      } else {
        expect(state?.state, `${kind.kind}: ${state?.reason ?? ''}`).toBe('live');
      }
    }
    await client.waitFor(() => client.records('Pod').length === 3, 30_000, 'three pods');
    expect(client.records('Pod').every((p) => p.namespace === SCOPED)).toBe(true);
  });
});

describe('Helm chart (deploy/helm/kubeglance)', () => {
  it('renders the objects of the plain manifests by default; scoped mode and ConfigMaps as values', async () => {
    await helm(['lint', '--strict', CHART]);
    const plain = readManifests('10-serviceaccount.yaml', '20-clusterrole.yaml', '30-deployment.yaml');
    const rendered = await renderChart('glance', HELM_NS);
    expect(rendered.map((o) => o.kind).sort()).toEqual(plain.map((o) => o.kind).sort());
    const role = (objects: Manifest[], kind: string) => sorted(rulePermissions(objects.find((o) => o.kind === kind)!.rules));
    expect(role(rendered, 'ClusterRole')).toEqual(role(plain, 'ClusterRole'));
    const podOf = (objects: Manifest[]) => objects.find((o) => o.kind === 'Deployment')!.spec.template.spec;
    const [plainPod, helmPod] = [podOf(plain), podOf(rendered)];
    for (const field of ['securityContext', 'automountServiceAccountToken', 'volumes', 'enableServiceLinks']) {
      expect(helmPod[field], field).toEqual(plainPod[field]);
    }
    const { image: _plainImage, ...plainContainer } = plainPod.containers[0];
    const { image: _helmImage, ...helmContainer } = helmPod.containers[0];
    expect(helmContainer).toEqual(plainContainer);
    expect(rendered.find((o) => o.kind === 'ClusterRoleBinding')!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'glance-kubeglance', namespace: HELM_NS }]);

    const scoped = await renderChart('glance', HELM_NS, 'namespaces={team-a,team-b}', 'readConfigMaps=true');
    expect(scoped.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    const roles = scoped.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace)).toEqual(['team-a', 'team-b']);
    expect(role(roles, 'Role')).toEqual(sorted(expectedPermissions({ clusterScoped: false, configMaps: true })));
    expect(podOf(scoped).containers[0].args).toEqual(['--host=127.0.0.1', '--port=7420', '--namespace=team-a', '--namespace=team-b', '--read-configmaps']);

    await expect(renderChart('glance', HELM_NS, 'service.enabled=true')).rejects.toThrow(/needs host: 0.0.0.0/);
  });

  it('installs in a restricted namespace: admitted, and its ServiceAccount reads exactly what kubeglance reads', async () => {
    const text = await helm(['template', 'glance', CHART, '--namespace', HELM_NS]);
    await kubectl(['apply', '-n', HELM_NS, '-f', '-'], text);
    await expectDeploymentAdmitted(HELM_NS, 'glance-kubeglance');
    const list = await canIList(HELM_NS, 'glance-kubeglance', 'default');
    expectReadOnly(list);
    expect(sorted(list.resources)).toEqual(sorted(expectedPermissions({ clusterScoped: true, configMaps: false })));
  });
});

describe('kubectl plugin (bin/kubectl-glance)', () => {
  // The plugin starts the built command (dist/cli/main.js), as an installed package would.
  const built = existsSync(path.join(ROOT, 'dist/cli/main.js'));

  it.skipIf(!built)('kubectl finds it on PATH and runs it, passing flags through', async () => {
    const kubeconfig = await kubeconfigForServiceAccount(SCOPED, 'kubeglance', path.join(dir, 'plugin.kubeconfig'));
    const kubectlBinary = kubectlPath();
    const env = { ...process.env, PATH: `${path.join(ROOT, 'bin')}${path.delimiter}${process.env.PATH}`, KUBECONFIG: kubeconfig };
    const listed = await run(kubectlBinary, ['plugin', 'list'], { env }).then((r) => r.stdout, (e: { stdout: string }) => e.stdout);
    expect(listed).toContain(path.join(ROOT, 'bin', 'kubectl-glance'));
    const version = await run(kubectlBinary, ['glance', '--version'], { env });
    expect(version.stdout.trim()).toBe(`kubeglance ${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}`);
    // kubectl's -n is kubeglance's --namespace.
    const bad = await run(kubectlBinary, ['glance', '-n', 'Not_A_Namespace'], { env }).catch((e: { stderr: string; code: number }) => e);
    expect('code' in bad ? bad.code : 0).toBe(2);
    expect(bad.stderr).toMatch(/--namespace: "Not_A_Namespace" is not a valid namespace name/);
  });
});

/** The kubectl that scripts/control-plane.sh uses (plugins are found by the kubectl binary, not the script). */
function kubectlPath(): string {
  const cache = process.env.KUBEGLANCE_CACHE ?? path.join(os.homedir(), '.cache/kubeglance');
  return path.join(cache, 'bin', `k8s-${process.env.KUBEGLANCE_K8S_VERSION ?? '1.36.3'}`, 'kubectl');
}
