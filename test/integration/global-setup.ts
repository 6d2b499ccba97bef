// Starts one real control plane for all integration test files and deletes it afterwards.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/control-plane.sh');

export default function setup(project: TestProject) {
  const kubeconfig = execFileSync(SCRIPT, ['up', '--nodes', '3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  project.provide('kubeconfig', kubeconfig);
  return () => {
    if (!process.env.KUBEGLANCE_KEEP_CLUSTER) execFileSync(SCRIPT, ['down'], { stdio: 'inherit' });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}
