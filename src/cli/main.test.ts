import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSource } from '../server/testing/fixtures.js';
import type { DemoConfig } from './config.js';
import type { KubeSourcesOptions } from '../sources/kube/index.js';
import { main, StartupError, type SourceFactories } from './main.js';

/** Runs main with captured output and fake sources; `stop()` plays SIGTERM. */
function launch(argv: string[], options: { env?: Record<string, string>; kube?: SourceFactories['kube'] } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const demoCalls: DemoConfig[] = [];
  const kubeCalls: KubeSourcesOptions[] = [];
  const sources: FakeSource[] = [];
  const stop = new AbortController();
  let announce: (line: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (announce = resolve));

  const factories: SourceFactories = {
    async kube(kubeOptions) {
      kubeCalls.push(kubeOptions);
      return options.kube ? options.kube(kubeOptions) : null;
    },
    async demo(demo) {
      demoCalls.push(demo);
      const source = new FakeSource('demo', 'Demo <cluster>');
      sources.push(source);
      return source;
    },
  };
  const io = {
    stdout: { write: (text: string) => (stdout.push(text), announce(text)) },
    stderr: { write: (text: string) => stderr.push(text) },
    stop: stop.signal,
  };
  const exit = main(argv, options.env ?? {}, io, factories);
  running.push(() => {
    stop.abort();
    return exit;
  });
  return { exit, listening, stop: () => stop.abort(), stdout, stderr, demoCalls, kubeCalls, sources };
}

const running: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

const URL_LINE = /^kubeglance listening on http:\/\/127\.0\.0\.1:(\d+)\/\n$/;

describe('kubeglance command', () => {
  it('rejects a bad command line with exit code 2, a message and a hint', async () => {
    const run = launch(['--port', 'http']);
    expect(await run.exit).toBe(2);
    expect(run.stdout).toEqual([]);
    expect(run.stderr.join('')).toBe(
      `kubeglance: --port must be a port number (0-65535), got "http"\nRun 'kubeglance --help' for usage.\n`,
    );
  });

  it('prints help and version on stdout', async () => {
    const help = launch(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout.join('')).toContain('Usage: kubeglance [flags]');
    const version = launch(['--version']);
    expect(await version.exit).toBe(0);
    expect(version.stdout.join('')).toMatch(/^kubeglance \d+\.\d+\.\d+\n$/);
  });

  it('falls back to the demo without a kubeconfig, prints one line with the real port, and stops on signal', async () => {
    const run = launch(['--port', '0'], { env: { KUBECONFIG: '/nowhere/a:/nowhere/b' } });
    const line = await run.listening;
    const port = Number(URL_LINE.exec(line)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(run.stderr.join('')).toContain(
      'kubeglance: no kubeconfig found (looked at /nowhere/a, /nowhere/b); showing the embedded demo cluster; use --demo to choose its size\n',
    );
    expect(run.demoCalls).toEqual([{ size: 'medium' }]);

    run.sources[0]!.goLive();
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/clusters`);
    expect(((await response.json()) as { name: string }[]).map((c) => c.name)).toEqual(['Demo <cluster>']);

    run.stop();
    expect(await run.exit).toBe(0);
    expect(run.stdout).toEqual([line]);
    expect(run.sources[0]!.stopped).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('runs the chosen demo without asking for a kubeconfig', async () => {
    const run = launch(['--demo', 'small', '--demo-churn', '3', '--demo-seed', '9', '--port', '0']);
    expect(await run.listening).toMatch(URL_LINE);
    expect(run.kubeCalls).toEqual([]);
    expect(run.demoCalls).toEqual([{ size: 'small', churnPerSecond: 3, seed: 9 }]);
    expect(run.stderr.join('')).toContain('showing the embedded simulated cluster (small)');
  });

  it('hands the kube options, a logger and the telemetry to the kube sources', async () => {
    const kubeSources = [new FakeSource('prod'), new FakeSource('staging')];
    const run = launch(['--context', 'prod', '--context', 'staging', '--namespace', 'shop', '--read-configmaps', '--port', '0'], {
      env: { KUBEGLANCE_METRICS_INTERVAL: '30' },
      kube: async () => kubeSources,
    });
    const port = Number(URL_LINE.exec(await run.listening)?.[1]);
    const options = run.kubeCalls[0]!;
    expect(options).toMatchObject({ contexts: ['prod', 'staging'], namespaces: ['shop'], allContexts: false, metricsIntervalMs: 30_000, readConfigMaps: true });
    expect(typeof options.logger.info).toBe('function');

    options.telemetry!.apiRequest('prod', 'list', 'pods', 200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('kubeglance_api_requests_total{cluster="prod",verb="list",resource="pods",code="200"} 1');
    expect(run.demoCalls).toEqual([]);
  });

  it('reports a bad kubeconfig with exit code 1', async () => {
    const run = launch(['--kubeconfig', '/k'], {
      kube: async () => {
        throw new StartupError('kubeconfig /k: context "x" not found');
      },
    });
    expect(await run.exit).toBe(1);
    expect(run.stderr.join('')).toBe('kubeglance: kubeconfig /k: context "x" not found\n');
  });

  it('reports a port in use with exit code 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = launch(['--demo', '--port', String(port)]);
      expect(await run.exit).toBe(1);
      expect(run.stderr.join('')).toContain(`kubeglance: cannot listen on 127.0.0.1:${port}: address already in use\n`);
    } finally {
      blocker.close();
    }
  });

  it('warns loudly when listening beyond loopback without authentication (--insecure-no-auth)', async () => {
    const run = launch(['--demo', '--host', '0.0.0.0', '--insecure-no-auth', '--port', '0']);
    await run.listening;
    expect(run.stderr.join('')).toContain('kubeglance: WARNING: listening on 0.0.0.0');
    expect(run.stderr.join('')).toContain('no authentication');

    const local = launch(['--demo', '--port', '0']);
    await local.listening;
    expect(local.stderr.join('')).not.toContain('WARNING');
  });
});

describe('kubeglance command: authentication', () => {
  const capture = () => {
    const out: string[] = [];
    return { out, write: (text: string) => out.push(text) };
  };
  async function* lines(...chunks: string[]) {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }

  it('refuses a non-loopback address without authentication: exit code 2 and one line', async () => {
    const run = launch(['--demo', '--host', '0.0.0.0', '--port', '0']);
    expect(await run.exit).toBe(2);
    expect(run.stdout).toEqual([]);
    const [line, hint] = run.stderr.join('').split('\n');
    expect(line).toMatch(/^kubeglance: refusing to listen on 0\.0\.0\.0 without authentication .*--insecure-no-auth if you really mean it$/);
    expect(hint).toBe("Run 'kubeglance --help' for usage.");
    expect(run.demoCalls).toEqual([]);
  });

  it('starts with a token file and asks for a token; a bad token file stops it with exit code 1', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'kubeglance-main-auth-'));
    try {
      const good = path.join(dir, 'tokens');
      writeFileSync(good, `tv sha256:${'ab'.repeat(32)}\n`);
      const run = launch(['--demo', '--token-file', good, '--port', '0']);
      const port = Number(URL_LINE.exec(await run.listening)?.[1]);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/clusters`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(run.stderr.join('')).not.toContain('WARNING');

      const bad = path.join(dir, 'bad');
      writeFileSync(bad, 'tv plaintext-token\n');
      const refused = launch(['--demo', '--token-file', bad, '--port', '0']);
      expect(await refused.exit).toBe(1);
      expect(refused.stderr.join('')).toMatch(/^kubeglance: token file .*bad, line 1: "tv": the second field must be sha256:<64 hex digits>/);

      const missing = launch(['--demo', '--token-file', path.join(dir, 'nope'), '--port', '0']);
      expect(await missing.exit).toBe(1);
      expect(missing.stderr.join('')).toContain('ENOENT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts with an authorization file; one that does not parse stops it with exit code 1', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'kubeglance-main-authz-'));
    try {
      const good = path.join(dir, 'authz.yaml');
      writeFileSync(good, 'groups:\n  sre: { namespaces: ["*"], nodes: true }\ndefault: { namespaces: [public] }\n');
      const run = launch(['--demo', '--authz-file', good, '--port', '0']);
      const port = Number(URL_LINE.exec(await run.listening)?.[1]);
      const snapshot = await (await fetch(`http://127.0.0.1:${port}/api/v1/snapshot`)).json();
      expect(snapshot).toMatchObject({ clusters: [{ id: 'demo', nodes: [], pods: [] }] });

      const bad = path.join(dir, 'bad.yaml');
      writeFileSync(bad, 'groups:\n  sre: { namespace: ["*"] }\n');
      const refused = launch(['--demo', '--authz-file', bad, '--port', '0']);
      expect(await refused.exit).toBe(1);
      expect(refused.stderr.join('')).toMatch(/^kubeglance: .*bad\.yaml: group "sre": unknown key "namespace"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hash-token prints the sha256 line of a token read on stdin', async () => {
    const token = 'f'.repeat(64);
    const { createHash } = await import('node:crypto');
    const stdout = capture();
    const stderr = capture();
    const io = { stdout, stderr, stop: new AbortController().signal, stdin: lines(token.slice(0, 10), `${token.slice(10)}\n`) };
    expect(await main(['hash-token'], {}, io)).toBe(0);
    expect(stdout.out.join('')).toBe(`sha256:${createHash('sha256').update(token).digest('hex')}\n`);

    for (const [argv, input] of [[['hash-token'], 'short\n'], [['hash-token'], 'has a space in it somewhere ok\n'], [['hash-token', 'x'], token]] as const) {
      const err = capture();
      expect(await main(argv, {}, { stdout: capture(), stderr: err, stop: new AbortController().signal, stdin: lines(input) })).toBe(2);
      expect(err.out.join('')).toMatch(/^kubeglance: hash-token/);
    }
  });
});
