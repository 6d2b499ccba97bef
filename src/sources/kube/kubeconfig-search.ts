// Where kubectl looks for a kubeconfig. Kept apart from kubeconfig.ts so the CLI can name the
// places it looked without loading the Kubernetes client.
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface KubeconfigSearch {
  /** Which rule chose the paths: the --kubeconfig flag, the $KUBECONFIG list, or the default file. */
  from: 'flag' | 'KUBECONFIG' | 'default';
  paths: string[];
}

/** An explicit path, else the $KUBECONFIG list, else ~/.kube/config (in this order, like kubectl). */
export function kubeconfigSearch(explicitPath: string | undefined, env: Readonly<Record<string, string | undefined>>): KubeconfigSearch {
  if (explicitPath !== undefined) return { from: 'flag', paths: [explicitPath] };
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p.length > 0);
  if (listed.length > 0) return { from: 'KUBECONFIG', paths: listed };
  return { from: 'default', paths: [join(env.HOME || homedir(), '.kube', 'config')] };
}
