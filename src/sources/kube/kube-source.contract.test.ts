// The ClusterSource contract, run against the Kubernetes source talking to the fake API server.
// The same suite runs against a real kube-apiserver in test/integration.
import { pino } from 'pino';
import { describeSourceContract } from '../source.contract.js';
import { KubeSource } from './kube-source.js';
import { FakeApiServer, fakeNode, fakePod } from './testing/fake-api-server.js';
import { endpointFor } from './testing/harness.js';

describeSourceContract(
  'kube (fake API server)',
  async () => {
    const server = new FakeApiServer();
    await server.start();
    const namespaces = server.collection('/api/v1/namespaces');
    const nodes = server.collection('/api/v1/nodes');
    const pods = server.collection('/api/v1/pods');
    const namespace = (name: string) => ({
      metadata: { name, uid: `uid-ns-${name}`, creationTimestamp: '2025-01-01T00:00:00Z' },
      status: { phase: 'Active' },
    });
    namespaces.upsert(namespace('default'));
    nodes.upsert(fakeNode('node-1'));
    for (let i = 0; i < 5; i++) {
      server.collection('/api/v1/events').upsert({
        metadata: { name: `e${i}`, namespace: 'default', uid: `uid-ev-${i}`, creationTimestamp: '2025-01-01T00:00:00Z' },
        involvedObject: { kind: 'Node', name: 'node-1' },
        reason: 'Starting',
        message: 'kubelet starting',
        type: 'Normal',
        lastTimestamp: `2025-01-01T00:00:0${i}Z`,
      });
    }
    const source = new KubeSource({
      id: 'fake',
      name: 'fake',
      endpoint: endpointFor(server),
      logger: pino({ level: 'silent' }),
      timing: { discoveryBackoff: { initialMs: 10, maxMs: 50 }, statusCoalesceMs: 20 },
    });
    const node = (name: string) => {
      const found = [...nodes.objects.values()].find((n) => n.metadata.name === name);
      if (!found) throw new Error(`nodes "${name}" not found`);
      return found;
    };
    return {
      source,
      driver: {
        async createNamespace(name) {
          namespaces.upsert(namespace(name));
        },
        async createPod(ns, name, labels, nodeName) {
          const pod = fakePod(name, ns, nodeName ? { node: nodeName } : {});
          pod.metadata.labels = labels;
          pods.upsert(pod);
        },
        async deletePod(ns, name) {
          pods.delete(`uid-${ns}-${name}`);
        },
        async createNode(name, labels) {
          const created = fakeNode(name);
          if (labels) created.metadata.labels = labels;
          nodes.upsert(created);
        },
        async cordonNode(name) {
          const cordoned = structuredClone(node(name));
          cordoned.spec.unschedulable = true;
          nodes.upsert(cordoned);
        },
        async deleteNode(name) {
          nodes.delete(node(name).metadata.uid);
        },
      },
      cleanup: () => server.stop(),
    };
  },
  { timeoutMs: 3_000 },
);
