// A control plane for benchmarks: N KWOK nodes and about P pods in deployments, started with
// scripts/control-plane.sh under its own name so it never disturbs the test cluster.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { KubeWriter } from './kube-writer.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/control-plane.sh');
export const BENCH_CLUSTER = 'kubeglance-bench';
const env = { ...process.env, KUBEGLANCE_CLUSTER_NAME: BENCH_CLUSTER };

export interface BenchCluster {
  kubeconfig: string;
  writer: KubeWriter;
  deployments: { namespace: string; name: string; replicas: number }[];
  down(): void;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export async function startBenchCluster(nodes: number, pods: number): Promise<BenchCluster> {
  if (process.env.KUBEGLANCE_TEST_KUBECONFIG) throw new Error('benchmarks create their own cluster; unset KUBEGLANCE_TEST_KUBECONFIG');
  log(`starting a control plane with ${nodes} nodes`);
  const kubeconfig = execFileSync(SCRIPT, ['up', '--nodes', String(nodes)], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const writer = new KubeWriter(kubeconfig);
  const namespaces = ['bench-a', 'bench-b', 'bench-c', 'bench-d'];
  for (const name of namespaces) {
    await writer.ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const perDeployment = 100;
  const count = Math.ceil(pods / perDeployment);
  const deployments = Array.from({ length: count }, (_, i) => ({ namespace: namespaces[i % namespaces.length]!, name: `app-${i}`, replicas: perDeployment }));
  log(`creating ${count} deployments of ${perDeployment} pods, and a service for each`);
  for (const d of deployments) {
    const labels = { app: d.name, team: d.namespace };
    await writer.ok('POST', `/apis/apps/v1/namespaces/${d.namespace}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: d.name, labels },
      spec: {
        replicas: d.replicas,
        selector: { matchLabels: { app: d.name } },
        template: {
          metadata: { labels, annotations: { 'kwok.x-k8s.io/usage-cpu': '40m', 'kwok.x-k8s.io/usage-memory': '90Mi' } },
          spec: {
            containers: [{ name: 'main', image: `registry.example/${d.name}:1.0.0`, resources: { requests: { cpu: '50m', memory: '64Mi' } } }],
          },
        },
      },
    });
    await writer.ok('POST', `/api/v1/namespaces/${d.namespace}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: d.name },
      spec: { selector: { app: d.name }, ports: [{ port: 80 }] },
    });
  }
  const started = Date.now();
  for (;;) {
    const running = await countRunning(writer);
    log(`pods running: ${running} / ${count * perDeployment} (${Math.round((Date.now() - started) / 1000)} s)`);
    if (running >= count * perDeployment) break;
    if (Date.now() - started > 20 * 60_000) throw new Error('pods did not start within 20 minutes');
    await new Promise((r) => setTimeout(r, 5_000));
  }
  return {
    kubeconfig,
    writer,
    deployments,
    down() {
      writer.close();
      if (!process.env.KUBEGLANCE_KEEP_CLUSTER) execFileSync(SCRIPT, ['down'], { env, stdio: 'ignore' });
    },
  };
}

async function countRunning(writer: KubeWriter): Promise<number> {
  let total = 0;
  let token = '';
  do {
    const page = await writer.ok<{ items: unknown[]; metadata: { continue?: string } }>(
      'GET',
      `/api/v1/pods?fieldSelector=status.phase%3DRunning&limit=5000${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
    );
    total += page.items.length;
    token = page.metadata.continue ?? '';
  } while (token);
  return total;
}
