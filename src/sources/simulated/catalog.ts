// What the demo cluster runs: node pools and instance types, the platform (kube-system,
// monitoring, ingress, gateway, cert-manager) and a set of product teams whose services call
// each other. Large sizes repeat the teams in "cells" (shop-staging, shop-t042, ...), the way
// multi-tenant clusters grow.
import type { Taint } from '../../model/records.js';

export const MI = 1024 * 1024;
export const GI = 1024 * MI;

export interface InstanceType {
  name: string;
  cpu: number; // cores
  memoryGi: number;
  gpus: number;
}

const t = (name: string, cpu: number, memoryGi: number, gpus = 0): InstanceType => ({ name, cpu, memoryGi, gpus });

export interface PoolDef {
  name: string;
  /** Share of the worker nodes (control plane excluded). */
  share: number;
  /** Instance types with weights. */
  instanceTypes: readonly (readonly [InstanceType, number])[];
  taints: Taint[];
  capacityType: 'on-demand' | 'spot';
}

export const CONTROL_PLANE_POOL: PoolDef = {
  name: 'control-plane',
  share: 0,
  instanceTypes: [[t('m6i.2xlarge', 8, 32), 1]],
  taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
  capacityType: 'on-demand',
};

const GPU_TAINT: Taint = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };

export const WORKER_POOLS: readonly PoolDef[] = [
  {
    name: 'general',
    share: 0.45,
    instanceTypes: [
      [t('m6i.2xlarge', 8, 32), 2],
      [t('m6i.4xlarge', 16, 64), 3],
    ],
    taints: [],
    capacityType: 'on-demand',
  },
  {
    name: 'compute',
    share: 0.15,
    instanceTypes: [
      [t('c6i.4xlarge', 16, 32), 1],
      [t('c6i.8xlarge', 32, 64), 1],
    ],
    taints: [],
    capacityType: 'on-demand',
  },
  {
    // Dedicated to stateful workloads (databases, Kafka, Prometheus) that select and tolerate it.
    name: 'memory',
    share: 0.15,
    instanceTypes: [
      [t('r6i.2xlarge', 8, 64), 1],
      [t('r6i.4xlarge', 16, 128), 1],
    ],
    taints: [{ key: 'kubeglance.io/dedicated', value: 'memory', effect: 'NoSchedule' }],
    capacityType: 'on-demand',
  },
  {
    name: 'spot',
    share: 0.2,
    instanceTypes: [
      [t('m6a.4xlarge', 16, 64), 1],
      [t('m5.4xlarge', 16, 64), 1],
    ],
    taints: [],
    capacityType: 'spot',
  },
  {
    name: 'gpu',
    share: 0.05,
    instanceTypes: [
      [t('g5.2xlarge', 8, 32, 1), 3],
      [t('g5.12xlarge', 48, 192, 4), 1],
    ],
    taints: [GPU_TAINT],
    capacityType: 'on-demand',
  },
];

/** Small clusters are a laptop-sized slice: no GPUs, no dedicated compute pool. */
export const SMALL_WORKER_POOLS: readonly (readonly [string, number])[] = [
  ['general', 3],
  ['memory', 1],
  ['spot', 1],
];

export const REGION = 'eu-west-1';
export const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] as const;
export const KUBELET_VERSION = 'v1.31.4';
/** Nodes not yet upgraded: a real fleet is rarely on one version. */
export const OLD_KUBELET_VERSION = 'v1.30.8';
export const MAX_PODS = 110;

// ---------------------------------------------------------------------------------------------
// Workloads

export interface ContainerDef {
  name: string;
  image: string;
  /** Millicores; 0 = no request. */
  cpu: number;
  /** MiB; 0 = no request. */
  memory: number;
  /** Limits as multiples of the requests (memory usually, cpu rarely). */
  limits?: { cpu?: number; memory?: number };
}

export type PoolName = 'general' | 'memory' | 'gpu';

export interface WorkloadDef {
  name: string;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  containers: ContainerDef[];
  init?: ContainerDef;
  /** Base replicas; team Deployments are multiplied by the size's replica scale. */
  replicas: number;
  /** Team Deployments grow with the cluster; databases and GPU workloads do not. */
  scales?: boolean;
  port?: number;
  portName?: string;
  /** Service in front of the pods. StatefulSets also get a headless `<name>-headless`. */
  service?: 'ClusterIP' | 'LoadBalancer' | 'none';
  /** Services this one calls: "name" in the same namespace or "domain/name". */
  deps?: string[];
  pool?: PoolName;
  gpus?: number;
  configMaps?: string[];
  secrets?: string[];
  priorityClassName?: string;
  /** DaemonSets and control-plane add-ons that tolerate every taint. */
  tolerateAll?: boolean;
  /** Platform add-ons that a small (laptop) cluster runs too. */
  small?: boolean;
  /** Service name when it differs from the workload's (CoreDNS is served as kube-dns). */
  serviceName?: string;
}

export interface CronJobDef {
  name: string;
  schedule: string;
  /** Minutes between runs (what the schedule means, for the initial history). */
  everyMinutes: number;
  container: ContainerDef;
  deps?: string[];
  pool?: PoolName;
  gpus?: number;
}

export interface DomainDef {
  name: string;
  team: string;
  workloads: WorkloadDef[];
  cronJobs: CronJobDef[];
  /** Public entry: an Ingress (host prefix → service) or an HTTPRoute on the shared Gateway. */
  ingress?: { host: string; paths: [path: string, service: string][] };
  httpRoute?: { host: string; backends: [service: string, weight: number][] };
  grpcRoute?: { host: string; service: string };
  /** NetworkPolicies: ingress allowed to `target` pods only from these domains. */
  allowFrom?: { target: string; domains: string[] }[];
  /** The domain appears only in cells whose index is a multiple of this. */
  everyNthCell?: number;
  /** Left out of the small (laptop) cluster. */
  notInSmall?: boolean;
  /** ExternalName services: [name, external host]. */
  externalNames?: [name: string, host: string][];
  /** Sidecar proxy in every pod of the domain. */
  sidecar?: boolean;
}

const c = (name: string, image: string, cpu: number, memory: number, limits?: ContainerDef['limits']): ContainerDef =>
  limits ? { name, image, cpu, memory, limits } : { name, image, cpu, memory };

/** The proxy injected into every pod of a domain with `sidecar`. */
export const SIDECAR = c('envoy', 'docker.io/envoyproxy/envoy:v1.32.3', 50, 64, { memory: 2 });

const app = (domain: string, name: string, version: string) => `registry.example.com/${domain}/${name}:${version}`;

const POSTGRES = 'docker.io/library/postgres:16.6';
const REDIS = 'docker.io/library/redis:7.4.1';

function postgres(replicas: number): WorkloadDef {
  return {
    name: 'postgres',
    kind: 'StatefulSet',
    containers: [c('postgres', POSTGRES, 500, 2048, { cpu: 1, memory: 1 }), c('exporter', 'quay.io/prometheuscommunity/postgres-exporter:v0.16.0', 20, 64, { memory: 2 })],
    replicas,
    port: 5432,
    portName: 'postgres',
    pool: 'memory',
    secrets: ['postgres-credentials'],
    configMaps: ['postgres-config'],
  };
}

export const DOMAINS: readonly DomainDef[] = [
  {
    name: 'shop',
    team: 'storefront',
    ingress: {
      host: 'shop',
      paths: [
        ['/', 'frontend'],
        ['/api/search', 'search'],
        ['/api/cart', 'cart'],
      ],
    },
    workloads: [
      { name: 'frontend', kind: 'Deployment', containers: [c('web', app('shop', 'frontend', '4.12.0'), 200, 256, { memory: 2 })], replicas: 3, scales: true, port: 8080, portName: 'http', deps: ['catalog', 'cart', 'checkout', 'search', 'recommendations'], configMaps: ['frontend-config'] },
      { name: 'catalog', kind: 'Deployment', containers: [c('catalog', app('shop', 'catalog', '2.3.1'), 250, 512, { memory: 2 })], replicas: 3, scales: true, port: 8080, portName: 'http', deps: ['redis', 'inventory/inventory-api'], configMaps: ['catalog-config'] },
      { name: 'cart', kind: 'Deployment', containers: [c('cart', app('shop', 'cart', '1.42.3'), 100, 256, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['redis'] },
      { name: 'checkout', kind: 'Deployment', containers: [c('checkout', app('shop', 'checkout', '3.0.7'), 250, 512, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['cart', 'orders/orders-api', 'payments/payments-api', 'shipping/shipping-api'], secrets: ['checkout-api-keys'] },
      { name: 'search', kind: 'Deployment', containers: [c('search', app('shop', 'search', '0.19.2'), 300, 1024, { memory: 1.5 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['catalog'] },
      { name: 'recommendations', kind: 'Deployment', containers: [c('recommendations', app('shop', 'recommendations', '1.8.0'), 200, 512, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['ml/recommender', 'catalog'] },
      { name: 'redis', kind: 'StatefulSet', containers: [c('redis', REDIS, 250, 1024, { memory: 1 })], replicas: 3, port: 6379, portName: 'redis' },
    ],
    cronJobs: [{ name: 'sitemap', schedule: '0 */6 * * *', everyMinutes: 360, container: c('sitemap', app('shop', 'sitemap', '1.0.4'), 200, 256), deps: ['catalog'] }],
  },
  {
    name: 'orders',
    team: 'fulfilment',
    allowFrom: [{ target: 'orders-api', domains: ['shop', 'shipping'] }],
    workloads: [
      { name: 'orders-api', kind: 'Deployment', containers: [c('api', app('orders', 'orders-api', '5.4.2'), 300, 512, { memory: 2 })], init: c('db-migrate', app('orders', 'orders-api', '5.4.2'), 100, 128), replicas: 3, scales: true, port: 8080, portName: 'http', deps: ['postgres', 'data/kafka', 'payments/payments-api'], secrets: ['orders-db-credentials'], configMaps: ['orders-api-config'] },
      { name: 'orders-worker', kind: 'Deployment', containers: [c('worker', app('orders', 'orders-worker', '5.4.2'), 200, 512, { memory: 2 })], replicas: 2, scales: true, service: 'none', deps: ['postgres', 'data/kafka', 'notifications/notifier'], secrets: ['orders-db-credentials'] },
      { name: 'invoice-generator', kind: 'Deployment', containers: [c('invoices', app('orders', 'invoice-generator', '0.9.1'), 100, 256, { memory: 2 })], replicas: 1, scales: true, port: 8080, portName: 'http', deps: ['postgres'] },
      postgres(3),
    ],
    cronJobs: [{ name: 'orders-cleanup', schedule: '*/30 * * * *', everyMinutes: 30, container: c('cleanup', app('orders', 'orders-cleanup', '1.1.0'), 100, 128), deps: ['postgres'] }],
  },
  {
    name: 'payments',
    team: 'payments',
    sidecar: true,
    grpcRoute: { host: 'payments-grpc', service: 'payments-api' },
    externalNames: [['card-network', 'api.card-network.example.net']],
    allowFrom: [
      { target: 'payments-api', domains: ['shop', 'orders'] },
      { target: 'ledger', domains: [] },
    ],
    workloads: [
      { name: 'payments-api', kind: 'Deployment', containers: [c('api', app('payments', 'payments-api', '7.1.0'), 300, 512, { memory: 2 })], replicas: 3, scales: true, port: 9090, portName: 'grpc', deps: ['ledger', 'fraud-detector', 'postgres', 'card-network'], secrets: ['payments-db-credentials', 'payment-provider-token'], priorityClassName: 'business-critical' },
      { name: 'fraud-detector', kind: 'Deployment', containers: [c('model', app('payments', 'fraud-detector', '2.2.0'), 500, 3072, { memory: 1.5 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['data/kafka'] },
      { name: 'ledger', kind: 'Deployment', containers: [c('ledger', app('payments', 'ledger', '3.3.5'), 250, 512, { cpu: 1, memory: 1 })], init: c('db-migrate', app('payments', 'ledger', '3.3.5'), 100, 128), replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['postgres'], secrets: ['payments-db-credentials'], priorityClassName: 'business-critical' },
      postgres(3),
    ],
    cronJobs: [{ name: 'settlement', schedule: '0 * * * *', everyMinutes: 60, container: c('settlement', app('payments', 'settlement', '1.6.2'), 250, 512), deps: ['ledger'] }],
  },
  {
    name: 'accounts',
    team: 'identity',
    sidecar: true,
    httpRoute: {
      host: 'accounts',
      backends: [
        ['auth', 90],
        ['auth-canary', 10],
      ],
    },
    workloads: [
      { name: 'auth', kind: 'Deployment', containers: [c('auth', app('accounts', 'auth', '6.0.2'), 200, 256, { memory: 2 })], replicas: 3, scales: true, port: 8080, portName: 'http', deps: ['users', 'sessions'], secrets: ['auth-signing-key'] },
      { name: 'auth-canary', kind: 'Deployment', containers: [c('auth', app('accounts', 'auth', '6.1.0-rc.1'), 200, 256, { memory: 2 })], replicas: 1, port: 8080, portName: 'http', deps: ['users', 'sessions'], secrets: ['auth-signing-key'] },
      { name: 'users', kind: 'Deployment', containers: [c('users', app('accounts', 'users', '2.8.4'), 200, 512, { memory: 2 })], init: c('db-migrate', app('accounts', 'users', '2.8.4'), 100, 128), replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['postgres'], secrets: ['users-db-credentials'] },
      { name: 'profile', kind: 'Deployment', containers: [c('profile', app('accounts', 'profile', '1.4.0'), 100, 256, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['users'] },
      postgres(2),
      { name: 'sessions', kind: 'StatefulSet', containers: [c('redis', REDIS, 100, 512, { memory: 1 })], replicas: 1, port: 6379, portName: 'redis' },
    ],
    cronJobs: [],
  },
  {
    name: 'shipping',
    team: 'fulfilment',
    workloads: [
      { name: 'shipping-api', kind: 'Deployment', containers: [c('api', app('shipping', 'shipping-api', '3.2.0'), 200, 384, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['tracking', 'orders/orders-api'] },
      { name: 'tracking', kind: 'Deployment', containers: [c('tracking', app('shipping', 'tracking', '1.5.9'), 100, 256, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['data/kafka'] },
      // No requests at all: a BestEffort pod, as every real cluster has a few.
      { name: 'label-printer', kind: 'Deployment', containers: [c('printer', app('shipping', 'label-printer', '0.3.0'), 0, 0)], replicas: 1, port: 8080, portName: 'http' },
    ],
    cronJobs: [],
  },
  {
    name: 'inventory',
    team: 'fulfilment',
    workloads: [
      { name: 'inventory-api', kind: 'Deployment', containers: [c('api', app('inventory', 'inventory-api', '4.0.1'), 250, 512, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['postgres'], secrets: ['inventory-db-credentials'] },
      postgres(1),
    ],
    cronJobs: [{ name: 'stock-sync', schedule: '*/10 * * * *', everyMinutes: 10, container: c('sync', app('inventory', 'stock-sync', '2.0.0'), 200, 256), deps: ['inventory-api'] }],
  },
  {
    name: 'notifications',
    team: 'messaging',
    workloads: [
      { name: 'notifier', kind: 'Deployment', containers: [c('notifier', app('notifications', 'notifier', '2.1.3'), 100, 256, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', deps: ['email-sender', 'sms-gateway', 'data/kafka'] },
      { name: 'email-sender', kind: 'Deployment', containers: [c('sender', app('notifications', 'email-sender', '1.9.0'), 100, 192, { memory: 2 })], replicas: 2, scales: true, port: 8080, portName: 'http', secrets: ['smtp-credentials'] },
      { name: 'sms-gateway', kind: 'Deployment', containers: [c('gateway', app('notifications', 'sms-gateway', '0.7.2'), 100, 192, { memory: 2 })], replicas: 1, port: 8080, portName: 'http', secrets: ['sms-provider-token'] },
    ],
    cronJobs: [],
  },
  {
    name: 'data',
    team: 'data',
    workloads: [
      { name: 'kafka', kind: 'StatefulSet', containers: [c('kafka', 'docker.io/bitnami/kafka:3.9.0', 1000, 4096, { memory: 1 })], replicas: 3, port: 9092, portName: 'kafka', pool: 'memory', configMaps: ['kafka-config'] },
      { name: 'schema-registry', kind: 'Deployment', containers: [c('registry', 'docker.io/confluentinc/cp-schema-registry:7.8.0', 250, 768, { memory: 1.5 })], replicas: 2, port: 8081, portName: 'http', deps: ['kafka'] },
      // Asks for more CPU than any general-purpose node has: stays Pending with the
      // scheduler's explanation, as misconfigured batch drivers do.
      { name: 'spark-driver', kind: 'Deployment', containers: [c('driver', 'docker.io/apache/spark:3.5.4', 24_000, 98_304)], replicas: 1, service: 'none', pool: 'general', deps: ['kafka'] },
    ],
    cronJobs: [
      { name: 'etl-nightly', schedule: '0 2 * * *', everyMinutes: 1440, container: c('etl', app('data', 'etl', '0.31.0'), 1000, 2048), deps: ['kafka'] },
      { name: 'reporting', schedule: '*/15 * * * *', everyMinutes: 15, container: c('report', app('data', 'reporting', '1.2.0'), 200, 512), deps: ['kafka', 'schema-registry'] },
    ],
  },
  {
    name: 'ml',
    team: 'ml',
    everyNthCell: 3,
    notInSmall: true,
    workloads: [
      { name: 'recommender', kind: 'Deployment', containers: [c('inference', app('ml', 'recommender', '0.14.1'), 2000, 8192, { memory: 1 })], replicas: 1, port: 8080, portName: 'http', pool: 'gpu', gpus: 1, deps: ['feature-store'] },
      { name: 'feature-store', kind: 'Deployment', containers: [c('feast', 'docker.io/feastdev/feature-server:0.42.0', 500, 2048, { memory: 1.5 })], replicas: 2, scales: true, port: 6566, portName: 'http', deps: ['data/kafka'] },
    ],
    cronJobs: [{ name: 'model-trainer', schedule: '0 */6 * * *', everyMinutes: 360, container: c('trainer', app('ml', 'trainer', '0.14.1'), 4000, 16_384), pool: 'gpu', gpus: 1, deps: ['feature-store'] }],
  },
];

/** Names for the first repeated cells; after these, tenants are numbered. */
export const CELL_NAMES = ['staging', 'qa', 'perf', 'canary', 'eu', 'us', 'apac', 'sandbox'] as const;

/** How much team Deployments are multiplied by at each size (before random variation). */
export const REPLICA_SCALE = { small: 1, medium: 2, large: 5, xl: 10 } as const;

// ---------------------------------------------------------------------------------------------
// Platform: one of each per cluster.

const K8S = (component: string) => `registry.k8s.io/${component}:${KUBELET_VERSION}`;

export interface PlatformNamespace {
  name: string;
  workloads: WorkloadDef[];
}

export const DAEMONSETS: readonly (WorkloadDef & { namespace: string })[] = [
  { namespace: 'kube-system', name: 'kube-proxy', kind: 'DaemonSet', containers: [c('kube-proxy', K8S('kube-proxy'), 100, 64)], replicas: 0, tolerateAll: true, priorityClassName: 'system-node-critical', service: 'none', configMaps: ['kube-proxy'] },
  { namespace: 'kube-system', name: 'cilium', kind: 'DaemonSet', containers: [c('cilium-agent', 'quay.io/cilium/cilium:v1.16.5', 100, 256, { memory: 4 })], init: c('mount-cgroup', 'quay.io/cilium/cilium:v1.16.5', 100, 10), replicas: 0, tolerateAll: true, priorityClassName: 'system-node-critical', service: 'none', configMaps: ['cilium-config'] },
  { namespace: 'kube-system', name: 'ebs-csi-node', kind: 'DaemonSet', containers: [c('ebs-plugin', 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.38.1', 10, 40, { memory: 6 }), c('node-driver-registrar', 'public.ecr.aws/eks-distro/kubernetes-csi/node-driver-registrar:v2.12.0', 10, 40, { memory: 6 })], replicas: 0, tolerateAll: true, priorityClassName: 'system-node-critical', service: 'none' },
  { namespace: 'monitoring', name: 'node-exporter', kind: 'DaemonSet', containers: [c('node-exporter', 'quay.io/prometheus/node-exporter:v1.8.2', 102, 180, { memory: 1 })], replicas: 0, tolerateAll: true, port: 9100, portName: 'metrics', priorityClassName: 'system-node-critical' },
  { namespace: 'logging', name: 'fluent-bit', kind: 'DaemonSet', containers: [c('fluent-bit', 'cr.fluentbit.io/fluent/fluent-bit:3.2.4', 100, 128, { memory: 4 })], replicas: 0, tolerateAll: true, service: 'none', configMaps: ['fluent-bit-config'], deps: ['monitoring/prometheus'] },
];

/** Static control-plane pods on every control-plane node (mirror pods owned by the node). */
export const STATIC_PODS: readonly ContainerDef[] = [
  c('etcd', 'registry.k8s.io/etcd:3.5.16-0', 100, 100),
  c('kube-apiserver', K8S('kube-apiserver'), 250, 0),
  c('kube-controller-manager', K8S('kube-controller-manager'), 200, 0),
  c('kube-scheduler', K8S('kube-scheduler'), 100, 0),
];

/**
 * Platform Deployments and StatefulSets. `replicas` is per 100 nodes where `perHundredNodes` is
 * set (CoreDNS and ingress scale with the cluster, as cluster-proportional autoscalers do).
 */
export const PLATFORM: readonly (WorkloadDef & { namespace: string; perHundredNodes?: number })[] = [
  { namespace: 'kube-system', name: 'coredns', serviceName: 'kube-dns', kind: 'Deployment', containers: [c('coredns', 'registry.k8s.io/coredns/coredns:v1.11.3', 100, 70, { memory: 2.4 })], replicas: 2, perHundredNodes: 1.5, port: 53, portName: 'dns', priorityClassName: 'system-cluster-critical', small: true },
  { namespace: 'kube-system', name: 'metrics-server', kind: 'Deployment', containers: [c('metrics-server', 'registry.k8s.io/metrics-server/metrics-server:v0.7.2', 100, 200)], replicas: 1, port: 443, portName: 'https', priorityClassName: 'system-cluster-critical', small: true },
  { namespace: 'kube-system', name: 'cilium-operator', kind: 'Deployment', containers: [c('cilium-operator', 'quay.io/cilium/operator-generic:v1.16.5', 100, 128)], replicas: 1, service: 'none', priorityClassName: 'system-cluster-critical', small: true },
  { namespace: 'kube-system', name: 'ebs-csi-controller', kind: 'Deployment', containers: [c('ebs-plugin', 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.38.1', 10, 40, { memory: 6 }), c('csi-provisioner', 'public.ecr.aws/eks-distro/kubernetes-csi/external-provisioner:v5.1.0', 10, 40, { memory: 6 })], replicas: 2, service: 'none' },
  { namespace: 'monitoring', name: 'prometheus', kind: 'StatefulSet', containers: [c('prometheus', 'quay.io/prometheus/prometheus:v3.1.0', 1000, 4096, { memory: 1.5 }), c('config-reloader', 'quay.io/prometheus-operator/prometheus-config-reloader:v0.79.2', 10, 50, { memory: 1 })], replicas: 1, perHundredNodes: 0.04, port: 9090, portName: 'http', pool: 'memory', configMaps: ['prometheus-rules'], small: true },
  { namespace: 'monitoring', name: 'alertmanager', kind: 'StatefulSet', containers: [c('alertmanager', 'quay.io/prometheus/alertmanager:v0.28.0', 50, 128, { memory: 2 })], replicas: 1, perHundredNodes: 0.02, port: 9093, portName: 'http', secrets: ['alertmanager-config'] },
  { namespace: 'monitoring', name: 'grafana', kind: 'Deployment', containers: [c('grafana', 'docker.io/grafana/grafana:11.4.0', 100, 256, { memory: 2 })], replicas: 1, port: 3000, portName: 'http', deps: ['prometheus'], secrets: ['grafana-admin'], small: true },
  { namespace: 'monitoring', name: 'kube-state-metrics', kind: 'Deployment', containers: [c('kube-state-metrics', 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.14.0', 100, 190, { memory: 1.5 })], replicas: 1, perHundredNodes: 0.02, port: 8080, portName: 'http', small: true },
  { namespace: 'ingress-nginx', name: 'ingress-nginx-controller', kind: 'Deployment', containers: [c('controller', 'registry.k8s.io/ingress-nginx/controller:v1.12.0', 100, 90)], replicas: 1, perHundredNodes: 0.4, port: 443, portName: 'https', service: 'LoadBalancer', configMaps: ['ingress-nginx-controller'], small: true },
  { namespace: 'gateway-system', name: 'envoy-gateway', kind: 'Deployment', containers: [c('envoy-gateway', 'docker.io/envoyproxy/gateway:v1.2.4', 100, 256, { memory: 4 })], replicas: 1, port: 18000, portName: 'grpc', small: true },
  { namespace: 'gateway-system', name: 'envoy-public', kind: 'Deployment', containers: [c('envoy', 'docker.io/envoyproxy/envoy:v1.32.3', 200, 256, { memory: 4 })], replicas: 2, perHundredNodes: 0.3, port: 443, portName: 'https', service: 'LoadBalancer', small: true },
  { namespace: 'cert-manager', name: 'cert-manager', kind: 'Deployment', containers: [c('cert-manager-controller', 'quay.io/jetstack/cert-manager-controller:v1.16.2', 10, 32)], replicas: 1, port: 9402, portName: 'http-metrics' },
  { namespace: 'cert-manager', name: 'cert-manager-webhook', kind: 'Deployment', containers: [c('cert-manager-webhook', 'quay.io/jetstack/cert-manager-webhook:v1.16.2', 10, 32)], replicas: 1, port: 443, portName: 'https' },
  { namespace: 'cert-manager', name: 'cert-manager-cainjector', kind: 'Deployment', containers: [c('cert-manager-cainjector', 'quay.io/jetstack/cert-manager-cainjector:v1.16.2', 10, 32)], replicas: 1, service: 'none' },
];

export const PLATFORM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'monitoring', 'logging', 'ingress-nginx', 'gateway-system', 'cert-manager'] as const;

export const GATEWAY = { namespace: 'gateway-system', name: 'public', className: 'envoy-gateway', domain: 'example.com', address: '203.0.113.10' } as const;
