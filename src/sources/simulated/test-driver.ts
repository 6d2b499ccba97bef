// Drives the simulated cluster the way the contract suite drives a real API server: each call
// is one accepted request whose consequences leave the source as events.
import type { Labels } from '../../model/records.js';
import type { ContractDriver } from '../source.contract.js';
import { KUBELET_VERSION, WORKER_POOLS, ZONES, type InstanceType, type PoolDef } from './catalog.js';
import type { SimCluster } from './cluster.js';
import type { SimulatedSource } from './simulated-source.js';
import type { SimNode } from './state.js';
import { buildTemplate } from './templates.js';

const PAUSE = 'registry.k8s.io/pause:3.10';
/** The pause container stops at once: the pod is gone a moment after its deletion. */
const DELETE_GRACE_MS = 500;

export function createSimulatedTestDriver(source: SimulatedSource): ContractDriver {
  const general = WORKER_POOLS[0] as PoolDef;
  const [instance] = general.instanceTypes[0] as readonly [InstanceType, number];
  return {
    async createNamespace(name) {
      source.mutate((c) => c.addNamespace(name, c.now()));
    },
    async createPod(ns, name, labels, nodeName) {
      source.mutate((c) => {
        const template = buildTemplate({ labels: { ...labels }, containers: [{ name: 'main', image: PAUSE, cpu: 10, memory: 16 }] });
        c.createBarePod(c.namespace(ns), name, template, nodeName);
      });
    },
    async deletePod(ns, name) {
      source.mutate((c) => {
        const pod = c.barePods.get(`${ns}/${name}`);
        if (!pod) throw new Error(`pods "${name}" not found`);
        c.terminatePod(pod, DELETE_GRACE_MS);
      });
    },
    async createNode(name, labels?: Labels) {
      source.mutate((c) =>
        c.addNode({ name, pool: general, instance, zone: ZONES[0], kubeletVersion: KUBELET_VERSION, createdAt: c.now(), health: 'Ready', labels }),
      );
    },
    async cordonNode(name) {
      source.mutate((c) => c.setCordoned(node(c, name), true));
    },
    async deleteNode(name) {
      source.mutate((c) => c.removeNode(node(c, name)));
    },
  };
}

function node(cluster: SimCluster, name: string): SimNode {
  const found = cluster.placement.all.values().find((n) => n.name === name);
  if (!found) throw new Error(`nodes "${name}" not found`);
  return found;
}
