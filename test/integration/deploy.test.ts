// The in-cluster deployment of deploy/, against the real API server, its RBAC authorizer and its
// Pod Security admission: the plain manifests and the Helm chart are really applied in namespaces
// that enforce the "restricted" profile, their pods are admitted (KWOK "runs" them), and
// kubeglance run with the manifests' ServiceAccount token (what in-cluster config would use)
// syncs every kind, while `kubectl auth can-i --list` shows exactly the kinds kubeglance reads,
// with no write verb and no Secrets. The scoped Role variant grants namespaced reads only. The
// chart's authentication, authorization and Redis values render the arguments, read-only mounts
// and variables kubeglance's own flag parser accepts, and it refuses to render an exposed pod
// without authentication or several replicas without Redis; the exposed and several-replica
// variants (chart and plain manifests) are admitted under "restricted" too. The
// `kubectl glance` plugin is found and run by kubectl itself.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { load, loadAll } from 'js-yaml';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig, type RunConfig } from '../../src/cli/config.js';
import { METRICS_NODES, METRICS_PODS, OPT_IN_KINDS, WATCHED_KINDS, type ApiResource } from '../../src/sources/kube/kinds.js';
import { tokenHashText } from '../../src/server/auth/tokens.js';
import { freePort } from '../../src/server/testing/free-port.js';
import { applyManifest, kubeconfigForServiceAccount, kubectl, kubectlJson } from '../support/control-plane.js';
import { startKubeglance, type RunningKubeglance } from '../support/kubeglance-process.js';
import { REDIS_SERVER } from '../support/redis.js';
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
/** The chart with token authentication, two replicas and Redis (release "glance-ha"). */
const HELM_HA_NS = 'kubeglance-helm-ha';
/** deploy/manifests/opt-in/redis-replicas.yaml: exposed with tokens, two replicas, Redis. */
const EXPOSED_NS = 'kubeglance-exposed';
/** The chart with its own Redis (redis.deploy), two replicas and tokens, installed by helm itself (release "glance-r"). */
const HELM_REDIS_NS = 'kubeglance-helm-redis';
const NAMESPACES = [NS, SCOPED, HELM_NS, HELM_HA_NS, EXPOSED_NS, HELM_REDIS_NS];
const HELM_VERSION = 'v3.22.0';
const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-deploy-'));
const running: { app: RunningKubeglance; client: StreamClient }[] = [];

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'];
/** Granted to every authenticated user (system:basic-user); they create reviews, which are not stored. */
const SELF_REVIEWS = /^self(subject(access|rules)?reviews)\.(authentication|authorization)\.k8s\.io$/;

type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };

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

/** The Deployment's pods, admitted: the ReplicaSet created them (no FailedCreate) and KWOK runs them. */
async function expectDeploymentAdmitted(namespace: string, deployment: string, replicas = 1) {
  await kubectl(['-n', namespace, 'rollout', 'status', `deployment/${deployment}`, '--timeout=120s']);
  const events = await kubectlJson<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>(['-n', namespace, 'get', 'events']);
  const ours = events.items.filter((e) => e.involvedObject.name.startsWith(`${deployment}-`));
  expect(ours.filter((e) => e.reason === 'FailedCreate').map((e) => e.message)).toEqual([]);
  expect(ours.some((e) => e.reason === 'SuccessfulCreate')).toBe(true);
  const pods = await kubectlJson<{ items: any[] }>(['-n', namespace, 'get', 'pods', '-l', 'app.kubernetes.io/name=kubeglance']);
  expect(pods.items).toHaveLength(replicas);
  for (const pod of pods.items) {
    expect(pod.status.phase).toBe('Running');
    // The token is mounted into this pod (it reads the API), though the ServiceAccount mounts it nowhere.
    expect(pod.spec.volumes.some((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken))).toBe(true);
  }
  return pods.items[0];
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

/** `helm template` with a values file (nested values, lists and maps without --set escaping). */
async function renderValues(release: string, namespace: string, values: object): Promise<Manifest[]> {
  const file = path.join(dir, `values-${createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 12)}.json`);
  writeFileSync(file, JSON.stringify(values));
  const text = await helm(['template', release, CHART, '--namespace', namespace, '--values', file]);
  return (loadAll(text) as (Manifest | null)[]).filter((m): m is Manifest => m !== null);
}

/** Why `helm template` refused these values (the test fails if it rendered). */
async function renderError(values: object): Promise<string> {
  const error = await renderValues('glance', HELM_NS, values).then(
    () => undefined,
    (e: Error & { stderr?: string }) => `${e.stderr ?? ''}${e.message}`,
  );
  expect(error, `rendered ${JSON.stringify(values)}`).toBeDefined();
  return error!;
}

/** kubeglance's Deployment (not the in-chart Redis's), its pod spec and container. */
function containerOf(objects: Manifest[]) {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] !== 'redis')!;
  return { pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0], deployment };
}

/** The file a mounted volume puts at `file` (a path under the mount), as `{ volume, key }`. */
function mountedFile(pod: any, container: any, file: string) {
  const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
  expect(mount, `a mount holds ${file}`).toBeDefined();
  expect(mount.readOnly, `${mount.name} is mounted read-only`).toBe(true);
  expect(mount.subPath, 'no subPath: an edited Secret or ConfigMap reaches the pod').toBeUndefined();
  const volume = pod.volumes.find((v: any) => v.name === mount.name);
  const source = volume.secret ?? volume.configMap;
  const item = source.items.find((i: any) => `${mount.mountPath}/${i.path}` === file);
  expect(item, `${mount.name} puts a key at ${file}`).toBeDefined();
  // Readable by the pod's user (65532), which does not own the files (0444).
  expect(source.defaultMode).toBe(0o444);
  return { volume, key: item.key as string };
}

/**
 * The rendered args and env, through kubeglance's own flag parser. A variable from a Secret key
 * takes its value from `secrets` (`<secret>/<key>` → value), as the kubelet would.
 */
function parsed(container: any, secrets: Record<string, string> = {}): RunConfig {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    const value = ref === undefined ? entry.value : secrets[`${ref.name}/${ref.key}`];
    expect(value, `${entry.name} has a value`).toBeDefined();
    env[entry.name] = value;
  }
  const config = parseConfig(container.args, env);
  expect(config.action).toBe('run');
  return config as RunConfig;
}

/** The Secrets the exposed variants mount and read: a token file with one hashed token, and a Redis URL. */
async function createAuthSecrets(namespace: string, names: { tokens: string; redis: string }) {
  const hash = tokenHashText('a-token-for-the-deploy-test-0123456789');
  const secret = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data });
  await applyManifest(secret(names.tokens, { tokens: `lobby-tv ${hash} namespaces=web\n` }));
  // Both keys, as opt-in/redis.yaml's comment creates it: Redis requires the password, kubeglance uses the url.
  await applyManifest(secret(names.redis, { url: 'redis://:not-a-real-password@kubeglance-redis:6379', password: 'not-a-real-password' }));
}

/** The PodDisruptionBudget selects both replicas and lets one go at a time. */
async function expectDisruptionBudget(namespace: string, name: string) {
  const deadline = Date.now() + 60_000;
  let status: any;
  while (Date.now() < deadline) {
    status = (await kubectlJson(['-n', namespace, 'get', 'poddisruptionbudget', name])).status;
    if (status?.currentHealthy === 2 && status?.disruptionsAllowed === 1) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(status).toMatchObject({ expectedPods: 2, currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1 });
}

/** The Redis Deployment (in-chart or opt-in/redis.yaml): its pod spec and container. */
function redisOf(objects: Manifest[]) {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'redis')!;
  expect(deployment, 'a Redis Deployment').toBeDefined();
  return { deployment, pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0] };
}

/** Every label of the selector is on the object. */
function selects(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The value after a redis-server option in an args list. */
function optionOf(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

/**
 * The Redis pod as the restricted profile wants it, started without a shell, its password from
 * `secret` only (Kubernetes expands $(REDIS_PASSWORD) in args), nothing persisted.
 */
function expectRedisHardened(objects: Manifest[], secret: string) {
  const { deployment, pod, container } = redisOf(objects);
  expect(deployment.spec.replicas).toBe(1);
  expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
  expect(pod.automountServiceAccountToken, 'Redis gets no ServiceAccount token').toBe(false);
  expect(pod.enableServiceLinks).toBe(false);
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) expect(pod[host] ?? false, host).toBe(false);
  expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.containers).toHaveLength(1);
  expect(container.securityContext).toEqual({
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 999,
    runAsGroup: 1000,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(container.image, 'a pinned official image').toMatch(/^redis:7\.\d+\.\d+-alpine$/);
  expect(container.command, 'redis-server itself: no shell, no entrypoint script').toEqual(['redis-server']);
  const args: string[] = container.args;
  expect(optionOf(args, '--requirepass')).toBe('$(REDIS_PASSWORD)');
  expect(optionOf(args, '--protected-mode')).toBe('yes');
  expect(optionOf(args, '--save'), 'no RDB snapshots').toBe('');
  expect(optionOf(args, '--appendonly'), 'no AOF').toBe('no');
  expect(optionOf(args, '--dir')).toBe('/data');
  expect(container.env).toEqual([
    { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } },
    { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } },
  ]);
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    expect(container[probe].exec.command, `${probe}: the password from REDISCLI_AUTH, not the command line`).toEqual(['redis-cli', '-e', 'ping']);
  }
  expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
  expect(pod.volumes).toEqual([{ name: 'data', emptyDir: { sizeLimit: '64Mi' } }]);
  expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
  return { deployment, pod, container };
}

/** A ClusterIP Service for Redis, and a NetworkPolicy that lets only kubeglance's pods in (and Redis nowhere out). */
function expectRedisNetwork(objects: Manifest[], kubeglanceSelector: Record<string, string>) {
  const { deployment } = redisOf(objects);
  const redisSelector = deployment.spec.selector.matchLabels;
  const podLabels = deployment.spec.template.metadata.labels;
  expect(selects(redisSelector, podLabels)).toBe(true);
  // Neither selects the other's pods: kubeglance's Deployment, Service and budget never count Redis.
  expect(selects(kubeglanceSelector, podLabels)).toBe(false);
  expect(selects(redisSelector, kubeglanceSelector)).toBe(false);
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.labels?.['app.kubernetes.io/component'] === 'redis')!;
  expect(service.spec).toEqual({ type: 'ClusterIP', selector: redisSelector, ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }] });
  const policy = objects.find((o) => o.kind === 'NetworkPolicy')!;
  expect(policy.metadata.name).toBe(deployment.metadata.name);
  expect(policy.spec).toEqual({
    podSelector: { matchLabels: redisSelector },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: { matchLabels: kubeglanceSelector } }], ports: [{ port: 6379, protocol: 'TCP' }] }],
    egress: [],
  });
  return service;
}

/**
 * A real redis-server started from the rendered container, as the kubelet would start it ($(VAR)
 * from the Secret), on a local port, loopback and a scratch directory instead of the pod's: it
 * accepts the arguments, refuses commands without the password, persists nothing, answers the
 * probe, and kubeglance's Redis client connects with the Secret's url.
 */
async function expectRedisRunsAsRendered(container: any, password: string, url: string) {
  const port = await freePort();
  const data = mkdtempSync(path.join(dir, 'redis-data-'));
  const args: string[] = [];
  const given: string[] = container.args;
  for (let i = 0; i < given.length; i++) {
    const arg = given[i]!.replace(/\$\((\w+)\)/g, (_, name: string) => {
      expect(name).toBe('REDIS_PASSWORD');
      return password;
    });
    args.push(arg);
    if (arg === '--port') {
      args.push(String(port));
      i++;
    } else if (arg === '--dir') {
      args.push(data);
      i++;
    } else if (arg === '--bind') {
      args.push('127.0.0.1');
      while (given[i + 1] !== undefined && !given[i + 1]!.startsWith('--')) i++;
    }
  }
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d));
  child.stderr!.on('data', (d: Buffer) => (log += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const cli = (env: Record<string, string>, ...command: string[]) =>
    run('redis-cli', ['-p', String(port), ...command], { env: { ...process.env, ...env } }).then(
      (r) => ({ code: 0, out: r.stdout.trim() }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: `${e.stdout}${e.stderr}`.trim() }),
    );
  try {
    // The probe's command, with the password where the pod has it (REDISCLI_AUTH).
    const probe: string[] = container.readinessProbe.exec.command;
    const deadline = Date.now() + 10_000;
    let answer = await cli({ REDISCLI_AUTH: password }, ...probe.slice(1));
    while (answer.code !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await cli({ REDISCLI_AUTH: password }, ...probe.slice(1));
    }
    expect(answer, log).toEqual({ code: 0, out: 'PONG' });
    const noAuth = await cli({ REDISCLI_AUTH: '' }, ...probe.slice(1));
    expect(noAuth.code, 'the probe fails without the password').not.toBe(0);
    expect(noAuth.out).toMatch(/NOAUTH/);
    const config = async (name: string) => (await cli({ REDISCLI_AUTH: password }, '--no-raw', 'config', 'get', name)).out;
    expect(await config('save')).toMatch(/"save"\n2\) ""/);
    expect(await config('appendonly')).toMatch(/"no"/);
    expect(await config('protected-mode')).toMatch(/"yes"/);
    const local = new URL(url);
    local.host = `127.0.0.1:${port}`;
    const client = createClient({ url: local.toString() });
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The Redis Deployment's one pod, admitted and "running" (KWOK), without a ServiceAccount token. */
async function expectRedisAdmitted(namespace: string, deployment: string) {
  await kubectl(['-n', namespace, 'rollout', 'status', `deployment/${deployment}`, '--timeout=120s']);
  const events = await kubectlJson<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>(['-n', namespace, 'get', 'events']);
  const ours = events.items.filter((e) => e.involvedObject.name.startsWith(`${deployment}-`));
  expect(ours.filter((e) => e.reason === 'FailedCreate').map((e) => e.message)).toEqual([]);
  const pods = await kubectlJson<{ items: any[] }>(['-n', namespace, 'get', 'pods', '-l', 'app.kubernetes.io/component=redis']);
  expect(pods.items).toHaveLength(1);
  const pod = pods.items[0];
  expect(pod.status.phase).toBe('Running');
  expect(pod.spec.volumes.some((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken)), 'no token mounted').toBe(false);
  return pod;
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
  for (const ns of NAMESPACES) await applyManifest(restrictedNamespace(ns));
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
  for (const ns of NAMESPACES) await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => {});
  await kubectl(['delete', 'clusterrole,clusterrolebinding', 'kubeglance', 'glance-kubeglance', 'glance-ha-kubeglance', 'glance-r-kubeglance', '--ignore-not-found']).catch(() => {});
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
  it('opt-in/token-auth.yaml and opt-in/redis-replicas.yaml: exposed with tokens from a read-only Secret mount, Redis URL from a Secret', () => {
    const [base] = readManifests('30-deployment.yaml');
    const basePod = base!.spec.template.spec;
    for (const file of ['opt-in/token-auth.yaml', 'opt-in/redis-replicas.yaml']) {
      const objects = readManifests(file);
      for (const o of objects) expect(o.metadata.namespace, `${file}: ${o.kind} is applied with -n`).toBeUndefined();
      const { pod, container, deployment } = containerOf(objects);
      // It replaces 30-deployment.yaml: same name, same selector, same hardening.
      expect(deployment.metadata.name).toBe(base!.metadata.name);
      expect(deployment.spec.selector).toEqual(base!.spec.selector);
      for (const field of ['securityContext', 'automountServiceAccountToken', 'enableServiceLinks', 'serviceAccountName']) {
        expect(pod[field], `${file}: ${field}`).toEqual(basePod[field]);
      }
      expect(container.securityContext, file).toEqual(basePod.containers[0].securityContext);
      // Listening beyond loopback with authentication, as kubeglance's own parser reads it.
      const config = parsed(container, { 'kubeglance-redis/url': 'redis://redis.redis:6379' });
      expect(config.host).toBe('0.0.0.0');
      expect(config.auth).toEqual({ insecureNoAuth: false, tokenFile: '/etc/kubeglance/tokens/tokens' });
      const { volume, key } = mountedFile(pod, container, config.auth.tokenFile!);
      expect(volume.secret.secretName).toBe('kubeglance-tokens');
      expect(key).toBe('tokens');
      // The kubelet's httpGet probes reach 0.0.0.0, and /healthz and /readyz need no token.
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      const service = objects.find((o) => o.kind === 'Service')!;
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(service.spec.ports).toEqual([{ name: 'http', port: 7420, targetPort: 'http', protocol: 'TCP' }]);
    }
    const objects = readManifests('opt-in/redis-replicas.yaml');
    const { pod, container, deployment } = containerOf(objects);
    expect(deployment.spec.replicas).toBe(2);
    expect(container.env).toContainEqual({ name: 'KUBEGLANCE_REDIS_URL', valueFrom: { secretKeyRef: { name: 'kubeglance-redis', key: 'url' } } });
    expect(parsed(container, { 'kubeglance-redis/url': 'redis://:pw@redis.redis:6379' }).redis).toEqual({ url: 'redis://:pw@redis.redis:6379', keyPrefix: 'kubeglance:' });
    expect(JSON.stringify(deployment), 'no Redis URL in the manifest itself').not.toMatch(/redis:\/\//);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: deployment.spec.selector } },
    ]);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: deployment.spec.selector });
    expect(objects.find((o) => o.kind === 'Service')!.spec.sessionAffinity).toBeUndefined();
  });

  it('opt-in/redis.yaml: Redis as the chart runs it, without Helm, hardened, its Secret created by the user (none shipped)', async () => {
    const objects = readManifests('opt-in/redis.yaml');
    expect(objects.map((o) => o.kind).sort(), 'no Secret with a placeholder password').toEqual(['Deployment', 'NetworkPolicy', 'Service']);
    for (const o of objects) expect(o.metadata.namespace, `${o.kind} is applied with -n`).toBeUndefined();
    const { pod, container } = expectRedisHardened(objects, 'kubeglance-redis');
    const replicas = containerOf(readManifests('opt-in/redis-replicas.yaml'));
    const service = expectRedisNetwork(objects, replicas.deployment.spec.selector.matchLabels);
    // The command in its comment makes the Secret both files read: the password for Redis, and the
    // url (to this Service) that redis-replicas.yaml gives kubeglance.
    const text = readFileSync(path.join(MANIFESTS, 'opt-in/redis.yaml'), 'utf8');
    expect(text).toContain(
      `#   kubectl -n kubeglance create secret generic kubeglance-redis \\\n#     --from-literal=password="$PASSWORD" --from-literal=url="redis://:$PASSWORD@${service.metadata.name}:6379"`,
    );
    expect(replicas.container.env).toContainEqual({ name: 'KUBEGLANCE_REDIS_URL', valueFrom: { secretKeyRef: { name: 'kubeglance-redis', key: 'url' } } });
    // The same Redis as the chart's.
    const chart = redisOf(await renderValues('kubeglance', NS, { redis: { deploy: true } }));
    expect(container.args).toEqual(chart.container.args);
    for (const field of ['image', 'command', 'ports', 'startupProbe', 'livenessProbe', 'readinessProbe', 'resources', 'securityContext', 'volumeMounts']) {
      expect(container[field], field).toEqual(chart.container[field]);
    }
    for (const field of ['securityContext', 'volumes', 'automountServiceAccountToken', 'nodeSelector']) expect(pod[field], field).toEqual(chart.pod[field]);
  });

  it('opt-in/redis-replicas.yaml with opt-in/redis.yaml is admitted in a restricted namespace: two pods, Redis, and a PodDisruptionBudget that allows one disruption', async () => {
    await createAuthSecrets(EXPOSED_NS, { tokens: 'kubeglance-tokens', redis: 'kubeglance-redis' });
    await kubectl(['apply', '-n', EXPOSED_NS, '-f', path.join(MANIFESTS, '10-serviceaccount.yaml'), '-f', path.join(MANIFESTS, 'opt-in/redis-replicas.yaml'), '-f', path.join(MANIFESTS, 'opt-in/redis.yaml')]);
    await expectDeploymentAdmitted(EXPOSED_NS, 'kubeglance', 2);
    await expectRedisAdmitted(EXPOSED_NS, 'kubeglance-redis');
    await expectDisruptionBudget(EXPOSED_NS, 'kubeglance');
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
  it('authentication modes render their flags, read-only mounts of existing Secrets, and nothing secret in the pod spec', async () => {
    // Tokens, exposed through a Service.
    const tokens = await renderValues('glance', HELM_NS, { host: '0.0.0.0', service: { enabled: true }, auth: { tokens: { existingSecret: 'glance-tokens', key: 'token-file' } } });
    {
      const { pod, container } = containerOf(tokens);
      const config = parsed(container);
      expect(config.host).toBe('0.0.0.0');
      expect(config.auth).toEqual({ insecureNoAuth: false, tokenFile: '/etc/kubeglance/tokens/tokens' });
      const { volume, key } = mountedFile(pod, container, config.auth.tokenFile!);
      expect([volume.secret.secretName, key]).toEqual(['glance-tokens', 'token-file']);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      const service = tokens.find((o) => o.kind === 'Service')!;
      expect(service.spec.selector).toEqual(tokens.find((o) => o.kind === 'Deployment')!.spec.selector.matchLabels);
      expect(service.spec.sessionAffinity).toBeUndefined();
      // The pod's hardening is unchanged by authentication.
      const plain = containerOf(await renderChart('glance', HELM_NS));
      expect(pod.securityContext).toEqual(plain.pod.securityContext);
      expect(container.securityContext).toEqual(plain.container.securityContext);
    }

    // OIDC: the client secret is a mounted file, never an argument or a variable's value.
    const oidc = await renderValues('glance', HELM_NS, {
      host: '0.0.0.0',
      auth: {
        oidc: {
          issuer: 'https://idp.example.com/realms/main',
          clientId: 'kubeglance',
          redirectUrl: 'https://kubeglance.example.com/auth/callback',
          groupsClaim: 'roles',
          scopes: ['openid', 'email', 'offline_access'],
          clientSecret: { existingSecret: 'glance-oidc', key: 'secret' },
        },
      },
    });
    {
      const { pod, container } = containerOf(oidc);
      const config = parsed(container);
      expect(config.auth).toEqual({
        insecureNoAuth: false,
        oidc: {
          issuer: 'https://idp.example.com/realms/main',
          clientId: 'kubeglance',
          clientSecretFile: '/etc/kubeglance/oidc/client-secret',
          redirectUrl: 'https://kubeglance.example.com/auth/callback',
          groupsClaim: 'roles',
          scopes: ['openid', 'email', 'offline_access'],
        },
      });
      const { volume, key } = mountedFile(pod, container, config.auth.oidc!.clientSecretFile!);
      expect([volume.secret.secretName, key]).toEqual(['glance-oidc', 'secret']);
      expect(container.args.some((a: string) => a.startsWith('--oidc-client-secret='))).toBe(false);
      expect(container.env.map((e: any) => e.name)).not.toContain('KUBEGLANCE_OIDC_CLIENT_SECRET');
      // Defaults left to kubeglance when not set.
      const minimal = containerOf(await renderValues('glance', HELM_NS, {
        host: '0.0.0.0',
        auth: { oidc: { issuer: 'https://idp.example.com', clientId: 'k', redirectUrl: 'https://k.example.com/auth/callback', clientSecret: { existingSecret: 's' } } },
      }));
      expect(parsed(minimal.container).auth.oidc).toMatchObject({ groupsClaim: 'groups', scopes: ['openid', 'profile', 'email'], clientSecretFile: '/etc/kubeglance/oidc/client-secret' });
      expect(mountedFile(minimal.pod, minimal.container, '/etc/kubeglance/oidc/client-secret').key).toBe('client-secret');
    }

    // A trusted proxy.
    const proxy = await renderValues('glance', HELM_NS, {
      host: '0.0.0.0',
      auth: { proxy: { header: 'X-Forwarded-User', groupsHeader: 'X-Forwarded-Groups', trustedCIDRs: ['10.0.0.0/8', 'fd00::/8'] } },
    });
    {
      const { pod, container } = containerOf(proxy);
      expect(parsed(container).auth).toEqual({
        insecureNoAuth: false,
        proxy: { userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups', trusted: ['10.0.0.0/8', 'fd00::/8'] },
      });
      expect(pod.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    }

    // Several modes at once, as kubeglance allows.
    const both = containerOf(await renderValues('glance', HELM_NS, {
      host: '0.0.0.0',
      auth: { tokens: { existingSecret: 't' }, proxy: { header: 'X-User', trustedCIDRs: ['10.1.2.3'] } },
    }));
    expect(parsed(both.container).auth).toEqual({ insecureNoAuth: false, tokenFile: '/etc/kubeglance/tokens/tokens', proxy: { userHeader: 'x-user', trusted: ['10.1.2.3'] } });

    // No authentication only when asked for in so many words.
    const insecure = containerOf(await renderValues('glance', HELM_NS, { host: '0.0.0.0', insecureNoAuth: true }));
    expect(parsed(insecure.container).auth).toEqual({ insecureNoAuth: true });
    expect(insecure.pod.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    // On loopback (the default) no authentication is needed and none is passed.
    expect(parsed(containerOf(await renderChart('glance', HELM_NS)).container).auth).toEqual({ insecureNoAuth: false });
  });

  it('authorization: inline rules become a ConfigMap mounted as --authz-file (a change rolls the pods), or an existing ConfigMap', async () => {
    const rules = { groups: { sre: { namespaces: ['*'], nodes: true }, 'shop-devs': { namespaces: ['shop', 'shop-*'] } }, default: { namespaces: [], nodes: false } };
    const values = { host: '0.0.0.0', auth: { tokens: { existingSecret: 't' } }, authz: { rules } };
    const inline = await renderValues('glance', HELM_NS, values);
    const { pod, container, deployment } = containerOf(inline);
    const config = parsed(container);
    expect(config.authzFile).toBe('/etc/kubeglance/authz/authz.yaml');
    const { volume, key } = mountedFile(pod, container, config.authzFile!);
    const configMap = inline.find((o) => o.kind === 'ConfigMap')!;
    expect(volume.configMap.name).toBe(configMap.metadata.name);
    // The file is what was given, and kubeglance's policy parser takes it.
    expect(load(configMap.data[key])).toEqual(rules);
    const { parseAuthzPolicy } = await import('../../src/server/authz/policy.js');
    expect(parseAuthzPolicy(configMap.data[key]).groups.get('shop-devs')).toEqual({ namespaces: ['shop', 'shop-*'], nodes: false });
    const checksum = deployment.spec.template.metadata.annotations['checksum/authz'];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    const changed = await renderValues('glance', HELM_NS, { ...values, authz: { rules: { ...rules, default: { namespaces: ['web'] } } } });
    expect(containerOf(changed).deployment.spec.template.metadata.annotations['checksum/authz']).not.toBe(checksum);

    const existing = await renderValues('glance', HELM_NS, { host: '0.0.0.0', auth: { tokens: { existingSecret: 't' } }, authz: { existingConfigMap: 'team-authz', key: 'policy.yaml' } });
    expect(existing.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    const ex = containerOf(existing);
    const exConfig = parsed(ex.container);
    expect(exConfig.authzFile).toBe('/etc/kubeglance/authz/policy.yaml');
    const mounted = mountedFile(ex.pod, ex.container, exConfig.authzFile!);
    expect([mounted.volume.configMap.name, mounted.key]).toEqual(['team-authz', 'policy.yaml']);
    // Without authz, no file.
    expect(parsed(containerOf(await renderValues('glance', HELM_NS, { host: '0.0.0.0', auth: { tokens: { existingSecret: 't' } } })).container).authzFile).toBeUndefined();
  });

  it('several replicas: Redis URL from a Secret as KUBEGLANCE_REDIS_URL, key prefix, PodDisruptionBudget, anti-affinity by node', async () => {
    const objects = await renderValues('glance', HELM_NS, {
      host: '0.0.0.0',
      replicaCount: 2,
      service: { enabled: true },
      auth: { tokens: { existingSecret: 'glance-tokens' } },
      redis: { url: { existingSecret: 'glance-redis', key: 'redis-url' }, keyPrefix: 'prod-glance:' },
    });
    const { pod, container, deployment } = containerOf(objects);
    expect(deployment.spec.replicas).toBe(2);
    expect(container.env).toContainEqual({ name: 'KUBEGLANCE_REDIS_URL', valueFrom: { secretKeyRef: { name: 'glance-redis', key: 'redis-url' } } });
    expect(container.args.filter((a: string) => a.startsWith('--redis-url')), 'the URL is never an argument').toEqual([]);
    const config = parsed(container, { 'glance-redis/redis-url': 'rediss://:pw@redis.example:6380' });
    expect(config.redis).toEqual({ url: 'rediss://:pw@redis.example:6380', keyPrefix: 'prod-glance:' });
    expect(config.auth.tokenFile).toBe('/etc/kubeglance/tokens/tokens');
    const labels = deployment.spec.selector.matchLabels;
    expect(pod.affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } } },
        ],
      },
    });
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: labels } });
    expect(objects.find((o) => o.kind === 'Service')!.spec.sessionAffinity).toBeUndefined();
    // The default prefix is kubeglance's own default, passed explicitly.
    const defaults = containerOf(await renderValues('glance', HELM_NS, { replicaCount: 3, redis: { url: { existingSecret: 'glance-redis' } } }));
    expect(defaults.container.args).toContain('--redis-key-prefix=kubeglance:');
    expect(parsed(defaults.container, { 'glance-redis/url': 'redis://redis:6379' }).redis).toEqual({ url: 'redis://redis:6379', keyPrefix: 'kubeglance:' });
    // A user's own affinity wins.
    const own = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['tools'] }] }] } } };
    expect(containerOf(await renderValues('glance', HELM_NS, { replicaCount: 2, redis: { url: { existingSecret: 'r' } }, affinity: own })).pod.affinity).toEqual(own);
    // One replica: no budget, no affinity, no Redis unless asked for.
    const single = await renderChart('glance', HELM_NS);
    expect(single.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(containerOf(single).pod.affinity).toBeUndefined();
    expect(containerOf(single).container.env.map((e: any) => e.name)).toEqual(['NODE_OPTIONS']);
  });

  it('refuses to render an exposed pod without authentication, or several replicas without Redis', async () => {
    expect(await renderError({ replicaCount: 2 })).toMatch(/replicaCount is 2, but several replicas need Redis to share the cluster state: set redis\.deploy: true \(a Redis run by this chart\), or redis\.url\.existingSecret/);
    expect(await renderError({ replicaCount: 2, redis: { deploy: true, url: { existingSecret: 'mine' } } })).toMatch(
      /set either redis\.deploy \(a Redis run by this chart\) or redis\.url\.existingSecret \(your own Redis, here "mine"\), not both/,
    );
    expect(await renderError({ host: '0.0.0.0' })).toMatch(/host 0\.0\.0\.0 is reachable from outside the pod, so it needs authentication: set auth\.tokens\.existingSecret, auth\.oidc\.issuer or auth\.proxy\.header/);
    expect(await renderError({ host: '0.0.0.0', service: { enabled: true } })).toMatch(/needs authentication/);
    expect(await renderError({ service: { enabled: true } })).toMatch(/service\.enabled needs host: 0\.0\.0\.0/);
    expect(await renderError({ host: '0.0.0.0', insecureNoAuth: true, auth: { tokens: { existingSecret: 't' } } })).toMatch(/insecureNoAuth cannot be combined with authentication \(auth: tokens\)/);
    expect(await renderError({ redis: { url: 'redis://:secret@redis:6379' } })).toMatch(/redis\.url must name a Secret/);
    expect(await renderError({ host: '0.0.0.0', auth: { proxy: { header: 'X-User' } } })).toMatch(/auth\.proxy\.header needs auth\.proxy\.trustedCIDRs/);
    expect(await renderError({ host: '0.0.0.0', auth: { oidc: { issuer: 'https://idp.example.com', clientId: 'k', redirectUrl: 'https://k.example.com/auth/callback' } } })).toMatch(/auth\.oidc\.issuer needs auth\.oidc\.clientSecret\.existingSecret/);
    expect(await renderError({ host: '0.0.0.0', auth: { tokens: { existingSecret: 't' } }, authz: { rules: { default: { namespaces: [] } }, existingConfigMap: 'c' } })).toMatch(/either rules or existingConfigMap/);
    // A non-loopback address other than 0.0.0.0 is exposed just the same.
    expect(await renderError({ host: '::' })).toMatch(/host :: is reachable from outside the pod/);
  });

  it('tokens + two replicas + Redis installs in a restricted namespace: pods admitted, budget live, reads exactly what kubeglance reads', async () => {
    await createAuthSecrets(HELM_HA_NS, { tokens: 'glance-tokens', redis: 'glance-redis' });
    const values = path.join(dir, 'ha-values.json');
    writeFileSync(values, JSON.stringify({
      host: '0.0.0.0',
      replicaCount: 2,
      service: { enabled: true },
      auth: { tokens: { existingSecret: 'glance-tokens' } },
      authz: { rules: { groups: { sre: { namespaces: ['*'], nodes: true } } } },
      redis: { url: { existingSecret: 'glance-redis' } },
    }));
    const text = await helm(['template', 'glance-ha', CHART, '--namespace', HELM_HA_NS, '--values', values]);
    await kubectl(['apply', '-n', HELM_HA_NS, '-f', '-'], text);
    // The pod template as a bare pod, server-side dry run: Pod Security enforces on pods synchronously.
    const deployment = (loadAll(text) as Manifest[]).find((o) => o?.kind === 'Deployment')!;
    const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'glance-ha-bare' }, spec: deployment.spec.template.spec };
    expect(await kubectl(['create', '-n', HELM_HA_NS, '--dry-run=server', '-f', '-'], JSON.stringify(bare))).toMatch(/glance-ha-bare created \(server dry run\)/);
    await expectDeploymentAdmitted(HELM_HA_NS, 'glance-ha-kubeglance', 2);
    await expectDisruptionBudget(HELM_HA_NS, 'glance-ha-kubeglance');
    const service = await kubectlJson(['-n', HELM_HA_NS, 'get', 'service', 'glance-ha-kubeglance']);
    expect(service.spec.sessionAffinity).toBe('None');
    const list = await canIList(HELM_HA_NS, 'glance-ha-kubeglance', 'default');
    expectReadOnly(list);
    expect(sorted(list.resources)).toEqual(sorted(expectedPermissions({ clusterScoped: true, configMaps: false })));
  });
});

describe('Helm chart with its own Redis (redis.deploy)', () => {
  const values = {
    host: '0.0.0.0',
    replicaCount: 2,
    service: { enabled: true },
    auth: { tokens: { existingSecret: 'glance-tokens' } },
    redis: { deploy: true },
  };

  it('renders Redis hardened for restricted, its password in a generated Secret only, reachable from kubeglance only', async () => {
    const file = path.join(dir, 'redis-deploy-values.json');
    writeFileSync(file, JSON.stringify(values));
    await helm(['lint', '--strict', CHART, '--values', file]);
    const objects = await renderValues('glance', HELM_NS, values);
    const redis = objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'redis');
    expect(redis.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/glance-kubeglance-redis',
      'NetworkPolicy/glance-kubeglance-redis',
      'Secret/glance-kubeglance-redis',
      'Service/glance-kubeglance-redis',
    ]);
    const secret = objects.find((o) => o.kind === 'Secret')!;
    expect(Object.keys(secret.data).sort()).toEqual(['password', 'url']);
    const password = Buffer.from(secret.data.password, 'base64').toString();
    expect(password, 'generated: 40 letters and digits').toMatch(/^[A-Za-z0-9]{40}$/);
    const url = Buffer.from(secret.data.url, 'base64').toString();
    expect(url).toBe(`redis://:${password}@glance-kubeglance-redis:6379`);
    const { container: redisContainer } = expectRedisHardened(objects, 'glance-kubeglance-redis');
    // kubeglance: two replicas, the URL from the generated Secret's key, as for an existing Secret.
    const { container, deployment } = containerOf(objects);
    expect(deployment.metadata.name).toBe('glance-kubeglance');
    expect(deployment.spec.replicas).toBe(2);
    expect(container.env).toContainEqual({ name: 'KUBEGLANCE_REDIS_URL', valueFrom: { secretKeyRef: { name: 'glance-kubeglance-redis', key: 'url' } } });
    expect(parsed(container, { 'glance-kubeglance-redis/url': url }).redis).toEqual({ url, keyPrefix: 'kubeglance:' });
    // The password is in the Secret and nowhere else: no argument, variable or probe holds it.
    for (const o of objects.filter((o) => o.kind !== 'Secret')) expect(JSON.stringify(o), `${o.kind}/${o.metadata.name}`).not.toContain(password);
    expectRedisNetwork(objects, deployment.spec.selector.matchLabels);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')!;
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    // A real redis-server takes these arguments: password required, nothing persisted, the probe answers.
    await expectRedisRunsAsRendered(redisContainer, password, url);

    // Without a cluster to look the Secret up in (helm template), each render makes a new password;
    // helm install/upgrade keep it (next test).
    const again = (await renderValues('glance', HELM_NS, values)).find((o) => o.kind === 'Secret')!;
    expect(again.data.password).not.toBe(secret.data.password);
    // One replica may use it too; the NetworkPolicy can be left out; the image is a value.
    const single = await renderValues('glance', HELM_NS, { redis: { deploy: true, networkPolicy: false, image: { repository: 'registry.example/redis', tag: '7.4.9' } } });
    expect(single.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(redisOf(single).container.image).toBe('registry.example/redis:7.4.9');
    expect(containerOf(single).container.env).toContainEqual({ name: 'KUBEGLANCE_REDIS_URL', valueFrom: { secretKeyRef: { name: 'glance-kubeglance-redis', key: 'url' } } });
    // Off by default: no Redis object at all.
    expect((await renderChart('glance', HELM_NS)).filter((o) => o.metadata.name.endsWith('-redis'))).toEqual([]);
  });

  it('installs (helm install) with two replicas in a restricted namespace: all pods admitted, and helm upgrade keeps the password', async () => {
    await createAuthSecrets(HELM_REDIS_NS, { tokens: 'glance-tokens', redis: 'unused-redis' });
    const file = path.join(dir, 'redis-install-values.json');
    writeFileSync(file, JSON.stringify(values));
    const common = [CHART, '--namespace', HELM_REDIS_NS, '--kubeconfig', inject('kubeconfig'), '--values', file];
    // A server-side dry run first: the API server validates every object (and lookup finds no Secret yet).
    await helm(['install', 'glance-r', ...common, '--dry-run=server']);
    await helm(['install', 'glance-r', ...common]);
    await expectDeploymentAdmitted(HELM_REDIS_NS, 'glance-r-kubeglance', 2);
    await expectRedisAdmitted(HELM_REDIS_NS, 'glance-r-kubeglance-redis');
    await expectDisruptionBudget(HELM_REDIS_NS, 'glance-r-kubeglance');
    expect((await kubectlJson(['-n', HELM_REDIS_NS, 'get', 'networkpolicy', 'glance-r-kubeglance-redis'])).spec.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'kubeglance-redis',
      'app.kubernetes.io/instance': 'glance-r',
    });
    const secretData = async () => (await kubectlJson(['-n', HELM_REDIS_NS, 'get', 'secret', 'glance-r-kubeglance-redis'])).data as Record<string, string>;
    const installed = await secretData();
    const password = Buffer.from(installed.password!, 'base64').toString();
    expect(password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(Buffer.from(installed.url!, 'base64').toString()).toBe(`redis://:${password}@glance-r-kubeglance-redis:6379`);
    // Upgrades, with a changed value, keep the password: the chart looks its own Secret up.
    const dryRun = await helm(['upgrade', 'glance-r', ...common, '--dry-run=server']);
    expect(dryRun).toContain(installed.password);
    await helm(['upgrade', 'glance-r', ...common, '--set', 'redis.keyPrefix=glance-r:']);
    expect(await secretData()).toEqual(installed);
    const kubeglance = await kubectlJson(['-n', HELM_REDIS_NS, 'get', 'deployment', 'glance-r-kubeglance']);
    expect(kubeglance.spec.template.spec.containers[0].args).toContain('--redis-key-prefix=glance-r:');
    await kubectl(['-n', HELM_REDIS_NS, 'rollout', 'status', 'deployment/glance-r-kubeglance', '--timeout=120s']);
    expect(JSON.parse(await helm(['history', 'glance-r', '--namespace', HELM_REDIS_NS, '--kubeconfig', inject('kubeconfig'), '-o', 'json']))).toHaveLength(2);
  });
});

describe('kubectl plugin (bin/kubectl-glance)', () => {
  // The plugin starts the built command (dist/cli/main.js), as an installed package would. `npm
  // test` builds before the integration tests; run alone, this file builds the server itself.
  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/cli/main.js'))) await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  }, 180_000);

  it('kubectl finds it on PATH and runs it, passing flags through', async () => {
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
