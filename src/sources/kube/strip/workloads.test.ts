import { describe, expect, it } from 'vitest';
import { fixtureOf, mutations } from '../testing/fixtures.js';
import {
  stripCronJob,
  stripDaemonSet,
  stripDeployment,
  stripJob,
  stripReplicaSet,
  stripStatefulSet,
} from './workloads.js';

describe('workload strip functions', () => {
  it('Deployment: replicas, strategy, selector and what the template refers to', () => {
    expect(stripDeployment(fixtureOf('workloads.json', 'Deployment'))).toEqual({
      kind: 'Deployment',
      uid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
      name: 'web',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'web' },
      createdAt: Date.parse('2025-11-02T12:00:00Z'),
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }],
      },
      template: {
        serviceAccount: 'web',
        configMaps: ['web-env'],
        secrets: ['web-tls'],
        envHosts: ['orders.shop'],
        hostFields: ['containers[web].env[ORDERS_URL]'],
      },
      templateLabels: { 'app.kubernetes.io/name': 'web', tier: 'frontend' },
      images: ['registry.example.com/shop/web:1.42.0', 'fluent/fluent-bit:3.1'],
      desired: 3,
      ready: 2,
      available: 2,
      updated: 2,
      strategy: 'RollingUpdate',
      paused: true,
    });
  });

  it('ReplicaSet: owner and revision', () => {
    expect(stripReplicaSet(fixtureOf('workloads.json', 'ReplicaSet'))).toMatchObject({
      kind: 'ReplicaSet',
      owner: { kind: 'Deployment', name: 'web', uid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' },
      revision: '7',
      desired: 3,
      ready: 2,
      available: 2,
    });
  });

  it('StatefulSet: service name', () => {
    expect(stripStatefulSet(fixtureOf('workloads.json', 'StatefulSet'))).toMatchObject({
      kind: 'StatefulSet',
      serviceName: 'db-headless',
      desired: 2,
      ready: 2,
      template: { secrets: ['db-credentials'] },
      images: ['postgres:17.2'],
    });
  });

  it('DaemonSet: counts come from status', () => {
    expect(stripDaemonSet(fixtureOf('workloads.json', 'DaemonSet'))).toMatchObject({
      kind: 'DaemonSet',
      desired: 5,
      ready: 4,
      available: 4,
      updated: 5,
    });
  });

  it('Job: progress and outcome', () => {
    expect(stripJob(fixtureOf('workloads.json', 'Job'))).toMatchObject({
      kind: 'Job',
      desired: 2,
      completions: 4,
      succeeded: 4,
      failed: 1,
      active: 0,
      ready: 0,
      outcome: 'Complete',
      completedAt: Date.parse('2025-11-20T10:04:00Z'),
      owner: { kind: 'CronJob', name: 'report' },
      template: { envHosts: ['warehouse.analytics'] },
    });
  });

  it('CronJob: schedule and the template of its jobs', () => {
    expect(stripCronJob(fixtureOf('workloads.json', 'CronJob'))).toMatchObject({
      kind: 'CronJob',
      schedule: '0 * * * *',
      suspend: false,
      active: 1,
      desired: 0,
      ready: 0,
      lastScheduleAt: Date.parse('2025-11-20T11:00:00Z'),
      templateLabels: { app: 'report' },
      images: ['registry.example.com/shop/report:2.0'],
    });
  });

  it('defaults replicas to 1 as the API does, and survives malformed fields', () => {
    const deployment = fixtureOf('workloads.json', 'Deployment');
    delete deployment.spec.replicas;
    expect(stripDeployment(deployment)?.desired).toBe(1);
    for (const raw of mutations(fixtureOf('workloads.json', 'Deployment'))) {
      const record = stripDeployment(raw);
      if (record) expect(Number.isFinite(record.desired)).toBe(true);
    }
    expect(stripDeployment({ metadata: { name: 'x', namespace: 'y' } })).toBeUndefined();
  });
});
