// The kubeglance server for the browser benchmark, as a child process: the same flags
// (parseConfig of src/cli/config.ts), the same simulated source, store, hub and HTTP app as the
// `kubeglance` command, but serving a web build of the benchmark's own (--web-root) instead of
// dist/web, which the e2e tests rebuild and delete while they run.
//
//   node --import tsx bench/browser/app-server.ts --web-root <dir> --demo=large --demo-churn=100
//
// Prints `kubeglance listening on <url>` on stdout, like the command.
import { pino } from 'pino';
import { parseConfig } from '../../src/cli/config.js';
import { buildApp } from '../../src/server/http.js';
import { Hub } from '../../src/server/hub.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import { ClusterStore } from '../../src/server/store.js';
import { createSimulatedSource } from '../../src/sources/simulated/index.js';

const args = process.argv.slice(2);
const at = args.indexOf('--web-root');
if (at < 0 || args[at + 1] === undefined) throw new Error('usage: app-server.ts --web-root <dir> <kubeglance demo flags>');
const webRoot = args[at + 1]!;
args.splice(at, 2);

const config = parseConfig(args, {});
if (config.action !== 'run' || config.source.kind !== 'demo') throw new Error('app-server.ts serves the demo cluster only: pass --demo=<size>');
const logger = pino({ level: process.env.KUBEGLANCE_LOG_LEVEL ?? 'warn' }, pino.destination(2));
const source = createSimulatedSource(config.source.demo);
const store = new ClusterStore();
const sink = store.addCluster(source.id, source.name);
const hub = new Hub(store);
const app = buildApp({ store, hub, metrics: new ServerMetrics(), logger, webRoot });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
source.start(sink);
process.stdout.write(`kubeglance listening on ${url}/\n`);

const stop = async () => {
  await source.stop();
  hub.stop();
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
