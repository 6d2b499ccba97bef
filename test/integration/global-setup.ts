// Starts one real control plane for all test files of a project (integration, e2e) and deletes
// it afterwards. A project's `env` reaches scripts/control-plane.sh, so a project can name its own
// cluster (KUBEGLANCE_CLUSTER_NAME) or use an existing one (KUBEGLANCE_TEST_KUBECONFIG).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/control-plane.sh');

export default function setup(project: TestProject) {
  const env = { ...process.env, ...project.config.env };
  const kubeconfig = execFileSync(SCRIPT, ['up', '--nodes', '3'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  project.provide('kubeconfig', kubeconfig);
  return () => {
    if (!env.KUBEGLANCE_KEEP_CLUSTER) execFileSync(SCRIPT, ['down'], { env, stdio: 'inherit' });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}
