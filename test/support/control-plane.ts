// Access to the test control plane that scripts/control-plane.sh runs: kubectl against it,
// its kubeconfig, and the disruptive operations (API server restart, etcd compaction).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/control-plane.sh');

/** True when the tests run against a cluster we did not start and must not restart. */
export const externalCluster = Boolean(process.env.KUBEGLANCE_TEST_KUBECONFIG);

export async function controlPlane(...args: string[]): Promise<string> {
  const { stdout } = await run(SCRIPT, args, { maxBuffer: 256 * 1024 * 1024 });
  return stdout.trim();
}

export async function kubectl(args: string[], input?: string): Promise<string> {
  const child = execFile(SCRIPT, ['kubectl', ...args], { maxBuffer: 256 * 1024 * 1024 });
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
  return stdout;
}

export async function kubectlJson<T = any>(args: string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
}

export async function applyManifest(manifest: object | string): Promise<void> {
  const text = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
  await kubectl(['apply', '-f', '-'], text);
}

/** The API server address of the kubeconfig's current cluster. */
export async function apiServerAddress(): Promise<{ host: string; port: number }> {
  const server = (await kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
  const url = new URL(server);
  return { host: url.hostname, port: Number(url.port || 443) };
}

/** Writes a copy of the kubeconfig whose server points elsewhere (e.g. at a TcpProxy). */
export async function kubeconfigVia(port: number, file: string): Promise<string> {
  const flat = await kubectl(['config', 'view', '--flatten', '--minify', '-o', 'json']);
  const config = JSON.parse(flat);
  const server = new URL(config.clusters[0].cluster.server);
  server.port = String(port);
  config.clusters[0].cluster.server = server.toString().replace(/\/$/, '');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** A kubeconfig that authenticates as a ServiceAccount with a short-lived token. */
export async function kubeconfigForServiceAccount(namespace: string, name: string, file: string): Promise<string> {
  const token = (await kubectl(['create', 'token', name, '-n', namespace, '--duration', '1h'])).trim();
  const config = JSON.parse(await kubectl(['config', 'view', '--flatten', '--minify', '-o', 'json']));
  config.users = [{ name: `${namespace}-${name}`, user: { token } }];
  config.contexts[0].context.user = `${namespace}-${name}`;
  writeFileSync(file, JSON.stringify(config));
  return file;
}
