import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from './api-client.js';
import { createKubeSources, KubeConfigError } from './index.js';
import { endpointFor, loadKubeConfig, selectContexts } from './kubeconfig.js';
import { FakeApiServer } from './testing/fake-api-server.js';

let dir: string;
const silent = pino({ level: 'silent' });

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A kubeconfig in YAML with one context per [context, server, user fields]. */
function kubeconfig(contexts: [string, string, string][], current?: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    current !== undefined ? `current-context: ${current}` : '',
    'clusters:',
    ...contexts.map(([name, server]) => `- name: ${name}-cluster\n  cluster:\n    server: ${server}`),
    'users:',
    ...contexts.map(([name, , user]) => `- name: ${name}-user\n  user:\n${user}`),
    'contexts:',
    ...contexts.map(([name]) => `- name: ${name}\n  context:\n    cluster: ${name}-cluster\n    user: ${name}-user`),
  ].join('\n');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubeglance-kubeconfig-'));
  vi.stubEnv('KUBECONFIG', '');
  vi.stubEnv('HOME', dir);
  vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
  vi.stubEnv('KUBERNETES_SERVICE_PORT', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('finding the kubeconfig', () => {
  it('returns null when there is none at all', async () => {
    expect(loadKubeConfig(undefined)).toBeNull();
    expect(await createKubeSources({ logger: silent })).toBeNull();
  });

  it('refuses an explicit path that does not exist, and a file that does not parse', async () => {
    await expect(createKubeSources({ kubeconfigPath: join(dir, 'nope'), logger: silent })).rejects.toThrow(KubeConfigError);
    await expect(createKubeSources({ kubeconfigPath: join(dir, 'nope'), logger: silent })).rejects.toThrow(/does not exist/);
    const bad = write('bad', 'clusters: [ {name: x, cluster: {}} ]');
    expect(() => loadKubeConfig(bad)).toThrow(/cannot read kubeconfig .*server is missing/);
    const garbage = write('garbage', '{{{ not yaml');
    expect(() => loadKubeConfig(garbage)).toThrow(KubeConfigError);
  });

  it('reads ~/.kube/config', () => {
    mkdirSync(join(dir, '.kube'));
    write('.kube/config', kubeconfig([['home', 'https://home:6443', '    token: t']], 'home'));
    expect(loadKubeConfig(undefined)?.config.getCurrentContext()).toBe('home');
  });

  it('merges a KUBECONFIG list like kubectl: first definition wins, missing files skipped', () => {
    const a = write('a', kubeconfig([['one', 'https://a:6443', '    token: a'], ['shared', 'https://a:6443', '    token: a']], 'one'));
    const b = write('b', kubeconfig([['two', 'https://b:6443', '    token: b'], ['shared', 'https://b:6443', '    token: b']], 'two'));
    vi.stubEnv('KUBECONFIG', [a, join(dir, 'missing'), b].join(delimiter));
    const loaded = loadKubeConfig(undefined);
    expect(loaded?.config.getContexts().map((c) => c.name)).toEqual(['one', 'shared', 'two']);
    expect(loaded?.config.getCurrentContext()).toBe('one');
    expect(loaded?.config.getCluster('shared-cluster')?.server).toBe('https://a:6443');
    vi.stubEnv('KUBECONFIG', join(dir, 'missing'));
    expect(() => loadKubeConfig(undefined)).toThrow(/KUBECONFIG names no existing file/);
  });

  it('uses the service account inside a pod', async () => {
    const accountDir = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(accountDir, { recursive: true });
    writeFileSync(join(accountDir, 'token'), 'sa-token');
    writeFileSync(join(accountDir, 'ca.crt'), 'not really a certificate');
    writeFileSync(join(accountDir, 'namespace'), 'kubeglance');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const loaded = loadKubeConfig(undefined, dir);
    expect(loaded?.inCluster).toBe(true);
    expect(loaded?.config.getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    const options: https.RequestOptions = {};
    await endpointFor(loaded!.config, loaded!.config.getCurrentContext()).authorize(options);
    expect(options.headers).toMatchObject({ Authorization: 'Bearer sa-token' });
  });
});

describe('choosing contexts', () => {
  const twoContexts = kubeconfig([['dev', 'https://dev:6443', '    token: d'], ['prod', 'https://prod:6443', '    token: p']], 'dev');

  it('takes the current context, the ones asked for, or all', () => {
    const { config } = loadKubeConfig(write('c', twoContexts))!;
    expect(selectContexts(config, {})).toEqual(['dev']);
    expect(selectContexts(config, { contexts: ['prod', 'prod'] })).toEqual(['prod']);
    expect(selectContexts(config, { allContexts: true })).toEqual(['dev', 'prod']);
  });

  it('names the available contexts when one is unknown or none is current', () => {
    const { config } = loadKubeConfig(write('c', twoContexts))!;
    expect(() => selectContexts(config, { contexts: ['staging'] })).toThrow('unknown context "staging" (available: dev, prod)');
    const noCurrent = loadKubeConfig(write('n', kubeconfig([['dev', 'https://dev:6443', '    token: d']])))!.config;
    expect(() => selectContexts(noCurrent, {})).toThrow('the kubeconfig has no current-context; choose one with --context (available: dev)');
    const dangling = loadKubeConfig(write('d', kubeconfig([['dev', 'https://dev:6443', '    token: d']], 'gone')))!.config;
    expect(() => selectContexts(dangling, {})).toThrow('the current-context "gone" is not defined in the kubeconfig (available: dev)');
  });

  it('makes one source per context, named after it', async () => {
    const sources = await createKubeSources({ kubeconfigPath: write('c', twoContexts), allContexts: true, logger: silent });
    expect(sources?.map((s) => [s.id, s.name])).toEqual([
      ['dev', 'dev'],
      ['prod', 'prod'],
    ]);
  });
});

describe('credentials through @kubernetes/client-node', () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = new FakeApiServer();
    await server.start();
  });
  afterEach(() => server.stop());

  async function authorizationSent(user: string): Promise<string | undefined> {
    const { config } = loadKubeConfig(write('c', kubeconfig([['ctx', server.url, user]], 'ctx')))!;
    const client = new ApiClient({ cluster: 'ctx', endpoint: endpointFor(config, 'ctx') });
    await client.get({ path: '/version', resource: 'discovery' });
    client.close();
    return server.requests.at(-1)?.headers.authorization;
  }

  it('sends a static token (and talks plain http to a local server)', async () => {
    expect(await authorizationSent('    token: static-token')).toBe('Bearer static-token');
  });

  it('runs an exec credential plugin', async () => {
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: 'from-exec-plugin' },
    });
    const plugin = write('plugin.mjs', `process.stdout.write(${JSON.stringify(credential)});`);
    const user = `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${process.execPath}\n      args: [${plugin}]\n      interactiveMode: Never`;
    expect(await authorizationSent(user)).toBe('Bearer from-exec-plugin');
  });

  it('sends basic auth', async () => {
    const header = await authorizationSent('    username: admin\n    password: secret');
    expect(header).toBe(`Basic ${Buffer.from('admin:secret').toString('base64')}`);
  });
});

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!haveOpenssl())('TLS through @kubernetes/client-node', () => {
  it('verifies the server against the kubeconfig CA, presents the client certificate, keeps the connection', async () => {
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    const key = (name: string) => ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
    key('ca');
    ssl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=test-ca', '-days', '2', '-out', 'ca.crt');
    for (const [name, subject, ext] of [
      ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
      ['client', '/CN=kubeglance/O=viewers', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      key(name);
      ssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
      write(`${name}.ext`, ext);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
    }
    const file = (name: string) => readFileSync(join(dir, name));
    const peers: string[] = [];
    const tlsServer = https.createServer(
      { key: file('server.key'), cert: file('server.crt'), ca: file('ca.crt'), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const socket = req.socket as import('node:tls').TLSSocket;
        peers.push(String(socket.getPeerCertificate().subject?.CN));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"gitVersion":"v1.36.3"}');
      },
    );
    let connections = 0;
    tlsServer.on('secureConnection', () => connections++);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    const port = (tlsServer.address() as AddressInfo).port;
    const b64 = (name: string) => file(name).toString('base64');
    const path = write(
      'tls-config',
      [
        'apiVersion: v1',
        'current-context: tls',
        `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${b64('ca.crt')}}}]`,
        `users: [{name: u, user: {client-certificate-data: ${b64('client.crt')}, client-key-data: ${b64('client.key')}}}]`,
        'contexts: [{name: tls, context: {cluster: c, user: u}}]',
      ].join('\n'),
    );
    const { config } = loadKubeConfig(path)!;
    const client = new ApiClient({ cluster: 'tls', endpoint: endpointFor(config, 'tls') });
    try {
      expect(await client.get({ path: '/version', resource: 'discovery' })).toEqual({ gitVersion: 'v1.36.3' });
      await client.get({ path: '/version', resource: 'discovery' });
      expect(peers).toEqual(['kubeglance', 'kubeglance']);
      expect(connections).toBe(1); // kept alive: our agent, not client-node's

    } finally {
      client.close();
      tlsServer.closeAllConnections();
      await new Promise((resolve) => tlsServer.close(resolve));
    }
  });
});
