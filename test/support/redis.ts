// A real Redis (Debian's redis-server, installed by scripts/ensure-test-service.sh) for the tests:
// on 127.0.0.1 at a free port, in memory only (no RDB, no AOF), stopped or killed on demand.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from '../../src/server/testing/free-port.js';

export const REDIS_SERVER = process.env.KUBEGLANCE_REDIS_SERVER ?? 'redis-server';

export interface RunningRedis {
  /** e.g. redis://127.0.0.1:40123 */
  url: string;
  port: number;
  log(): string;
  stop(): Promise<void>;
}

export async function startRedis(port?: number): Promise<RunningRedis> {
  const chosenPort = port ?? (await freePort());
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(chosenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const append = (d: Buffer) => {
    log = (log + d.toString()).slice(-200_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let running = true;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', (error: NodeJS.ErrnoException) => {
      log += error.code === 'ENOENT' ? `${REDIS_SERVER} not found: run scripts/ensure-test-service.sh redis-server redis-server\n` : `${error.message}\n`;
      resolve();
    });
  });
  void exited.then(() => (running = false));
  const stop = async () => {
    if (running) child.kill('SIGKILL');
    await exited;
  };

  const deadline = Date.now() + 10_000;
  while (!(await answersPing(chosenPort))) {
    if (!running || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${chosenPort}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${chosenPort}`, port: chosenPort, log: () => log, stop };
}

/** An inline PING over a plain socket: no client library needed to know the server is up. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1_000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
