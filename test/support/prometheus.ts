// A real Prometheus (Debian's package, installed by scripts/ensure-test-service.sh) for the tests:
// on 127.0.0.1 at a free port, with its own config scraping the given targets every second and its
// own TSDB in a temp directory, both removed again on stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/server/testing/free-port.js';

export const PROMETHEUS = process.env.KUBEGLANCE_PROMETHEUS ?? 'prometheus';

export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  process: ChildProcess;
  /** Everything it wrote to stderr (its log). */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** host:port of each /metrics endpoint to scrape. */
  targets: string[];
  /** Scrape and rule evaluation interval. Default 1 s. */
  intervalSeconds?: number;
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const interval = `${options.intervalSeconds ?? 1}s`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  // JSON is YAML: no YAML writer needed.
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
      scrape_configs: [{ job_name: 'traffic', static_configs: [{ targets: options.targets }] }],
    }),
  );
  const port = await freePort();
  const child = spawn(
    PROMETHEUS,
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    if (log.length > 1_000_000) log = log.slice(-500_000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (error: NodeJS.ErrnoException) => {
      log += error.code === 'ENOENT' ? `${PROMETHEUS} not found: run scripts/ensure-test-service.sh prometheus prometheus\n` : `${error.message}\n`;
      resolve(null);
    });
  });
  let running = true;
  void exited.then(() => (running = false));
  const stop = async () => {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!running) {
      await stop();
      throw new Error(`prometheus exited before it was ready:\n${log}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, process: child, log: () => log, stop };
}
