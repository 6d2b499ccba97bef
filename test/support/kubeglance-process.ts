// Runs the real `kubeglance` command as a child process (TypeScript through tsx, so no build
// step is needed) and waits for the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface RunningKubeglance {
  url: string;
  process: ChildProcess;
  /** Everything written to stderr so far (logs, warnings). */
  stderr(): string;
  stop(): Promise<number | null>;
}

export async function startKubeglance(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningKubeglance> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, KUBEGLANCE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 4_000_000) stderr = stderr.slice(-2_000_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubeglance printed no URL within 60 s; stderr:\n${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /kubeglance listening on (http:\/\/\S+)/.exec(stdout);
      if (match) { clearTimeout(timer); resolve(match[1]!); }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`kubeglance exited with ${code}; stderr:\n${stderr}`)); });
  });
  return {
    url,
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs `kubeglance` to completion (for config errors): exit code and output. */
export async function runKubeglance(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

/** Whether this replica holds the lease and watches the clusters (--redis-url), from its /metrics. */
export async function isWatching(replica: { url: string }): Promise<boolean> {
  const text = await (await fetch(new URL('/metrics', replica.url))).text();
  const match = /^kubeglance_replica_watching (\d)/m.exec(text);
  if (match === null) throw new Error('no kubeglance_replica_watching in /metrics');
  return match[1] === '1';
}

/** Polls `probe` every 250 ms until it gives a value (not undefined or false); a throw counts as not yet. */
export async function waitUntil<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
