// The ClusterSource contract that the simulated source also keeps, run against the Kubernetes
// source reading a real kube-apiserver, driven with kubectl.
import { inject } from 'vitest';
import { pino } from 'pino';
import { createKubeSources } from '../../src/sources/kube/index.js';
import { describeSourceContract } from '../../src/sources/source.contract.js';
import { applyManifest, kubectl } from '../support/control-plane.js';

const created = { namespaces: new Set<string>(), nodes: new Set<string>() };

describeSourceContract(
  'kube (real kube-apiserver)',
  async () => {
    const sources = await createKubeSources({ kubeconfigPath: inject('kubeconfig'), logger: pino({ level: 'silent' }) });
    return {
      source: sources![0]!,
      driver: {
        async createNamespace(name) {
          created.namespaces.add(name);
          await kubectl(['create', 'namespace', name]);
          // Pods need the namespace's default ServiceAccount, which a controller adds.
          await kubectl(['-n', name, 'wait', '--for=jsonpath={.metadata.name}=default', 'serviceaccount/default', '--timeout=30s']).catch(async () => {
            await new Promise((r) => setTimeout(r, 2_000));
          });
        },
        async createPod(ns, name, labels, nodeName) {
          await applyManifest({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name, namespace: ns, labels },
            spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'main', image: 'registry.example/contract:1' }] },
          });
        },
        async deletePod(ns, name) {
          await kubectl(['-n', ns, 'delete', 'pod', name, '--wait=false']);
        },
        async createNode(name, labels) {
          created.nodes.add(name);
          await applyManifest({
            apiVersion: 'v1',
            kind: 'Node',
            metadata: { name, labels: { type: 'kwok', ...labels }, annotations: { 'kwok.x-k8s.io/node': 'fake' } },
            status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
          });
        },
        async cordonNode(name) {
          await kubectl(['cordon', name]);
        },
        async deleteNode(name) {
          await kubectl(['delete', 'node', name, '--wait=false']);
        },
      },
      async cleanup() {
        for (const ns of created.namespaces) await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => {});
        for (const node of created.nodes) await kubectl(['delete', 'node', node, '--ignore-not-found', '--wait=false']).catch(() => {});
      },
    };
  },
  { timeoutMs: 30_000 },
);
