// The `kubeglance` command as a newcomer meets it: bad config gets a clear message and a
// non-zero exit; no kubeconfig falls back to the demo cluster and says so.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { kubectl } from '../support/control-plane.js';
import { runKubeglance, startKubeglance } from '../support/kubeglance-process.js';
import { StreamClient } from '../support/stream-client.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-cli-'));
/** An environment in which no kubeconfig can be found. */
const noKubeconfigEnv = { HOME: dir, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' };

describe('kubeglance command', () => {
  it.each([
    [['--port', 'seventy'], /port/i],
    [['--demo=huge'], /small.*medium.*large.*xl/],
    [['--log-level', 'loud'], /log level/i],
    [['--frobnicate'], /frobnicate/],
  ])('rejects %j with a clear message and exit code 2 (usage error)', async (args, message) => {
    const { code, stderr } = await runKubeglance(args as string[], noKubeconfigEnv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });

  // A kubeconfig that cannot be used is a startup error: exit code 1.
  it('rejects a kubeconfig path that does not exist', async () => {
    const { code, stderr } = await runKubeglance(['--kubeconfig', path.join(dir, 'missing.yaml')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/missing\.yaml/);
  });

  it('rejects an unknown context and lists the ones that exist', async () => {
    const { code, stderr } = await runKubeglance(['--kubeconfig', inject('kubeconfig'), '--context', 'nope']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/nope/);
    const existing = (await kubectl(['config', 'current-context'])).trim();
    expect(stderr).toContain(existing);
  });

  it('rejects a kubeconfig that does not parse', async () => {
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, 'apiVersion: v1\nclusters: [ {{{ not yaml');
    const { code, stderr } = await runKubeglance(['--kubeconfig', broken]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/broken\.yaml/);
  });

  it('takes flags from the environment', async () => {
    const { code, stderr } = await runKubeglance([], { ...noKubeconfigEnv, KUBEGLANCE_PORT: 'nope' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/port/i);
  });

  it('without a kubeconfig, says so and serves the demo cluster', async () => {
    const app = await startKubeglance([], noKubeconfigEnv);
    try {
      expect(app.stderr()).toMatch(/no kubeconfig/i);
      expect(app.stderr()).toMatch(/demo/i);
      const client = new StreamClient(app.url);
      await client.connect();
      await client.waitFor(() => client.cluster().status.phase === 'live', 60_000, 'demo live');
      expect(client.records('Node').length).toBeGreaterThan(100); // medium: about 150 nodes
      expect(client.records('Pod').length).toBeGreaterThan(3_000);
      await client.close();
    } finally {
      expect(await app.stop()).toBe(0);
    }
  });
});
