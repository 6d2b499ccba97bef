import { describe, expect, it } from 'vitest';
import { validateRecord } from '../../../model/validate.js';
import { OPT_IN_KINDS } from '../kinds.js';
import { stripConfigMap } from './configmap.js';

/** A ConfigMap as the API serves it. */
function configMap(data: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'api-config',
      namespace: 'shop',
      uid: 'cm-uid-1',
      resourceVersion: '4711',
      creationTimestamp: '2025-11-20T10:00:00Z',
      labels: { app: 'api' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"DATABASE_URL":"postgres://app:hunter2@db.shop:5432/x"}}' },
      managedFields: [{ manager: 'kubectl', operation: 'Update' }],
    },
    ...(data === undefined ? {} : { data }),
    ...extra,
  };
}

describe('stripConfigMap', () => {
  const record = stripConfigMap(
    configMap(
      {
        DATABASE_URL: 'postgres://app:hunter2@db.shop:5432/orders',
        REDIS_HOST: 'cache',
        LOG_LEVEL: 'debug',
        'application.yaml': 'spring:\n  kafka:\n    bootstrap-servers: kafka-0.kafka.data:9092,kafka-1.kafka.data:9092\n  datasource:\n    url: jdbc:postgresql://db.shop:5432/orders\n',
        'nginx.conf': 'upstream api { server api.shop.svc.cluster.local:8080; }\nlocation / { proxy_pass http://api-backend:8080; }',
      },
      { binaryData: { 'blob.bin': Buffer.from('http://binary.shop:80').toString('base64') } },
    ),
  );

  it('keeps identity, the hosts of data values and the key each was first found under', () => {
    expect(record).toEqual({
      kind: 'ConfigMap',
      uid: 'cm-uid-1',
      name: 'api-config',
      namespace: 'shop',
      labels: { app: 'api' },
      createdAt: Date.parse('2025-11-20T10:00:00Z'),
      // Within one value, URLs come before host:port words.
      hosts: ['db.shop', 'cache', 'kafka-0.kafka.data', 'kafka-1.kafka.data', 'api-backend', 'api.shop'],
      hostFields: ['data[DATABASE_URL]', 'data[REDIS_HOST]', 'data[application.yaml]', 'data[application.yaml]', 'data[nginx.conf]', 'data[nginx.conf]'],
    });
    expect(validateRecord(record)).toEqual([]);
  });

  it('never keeps a value, an annotation or binaryData', () => {
    const json = JSON.stringify(record);
    for (const absent of ['hunter2', 'debug', 'orders', 'last-applied', 'managedFields', 'binary', 'blob']) expect(json).not.toContain(absent);
  });

  it('is the strip function of the opt-in ConfigMap row', () => {
    const row = OPT_IN_KINDS.find((k) => k.kind === 'ConfigMap');
    expect(row?.strip(configMap({ URL: 'http://orders.shop' }))).toMatchObject({ kind: 'ConfigMap', hosts: ['orders.shop'] });
  });

  it('gives empty lists for a ConfigMap without data or hosts', () => {
    expect(stripConfigMap(configMap(undefined))).toMatchObject({ hosts: [], hostFields: [] });
    expect(stripConfigMap(configMap({ 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIRAOBo\n-----END CERTIFICATE-----\n' }))).toMatchObject({ hosts: [], hostFields: [] });
  });

  it('refuses objects without identity and skips values that are not strings', () => {
    expect(stripConfigMap({ metadata: { name: 'x', uid: 'u' }, data: {} })).toBeUndefined();
    expect(stripConfigMap(null)).toBeUndefined();
    expect(stripConfigMap(configMap({ A: 42, B: { url: 'http://x.shop' }, C: 'redis:6379' }))?.hosts).toEqual(['redis']);
  });

  it('stays bounded: a 1 MiB value is skipped, at most 64 hosts, long keys cut', () => {
    const started = performance.now();
    const big = stripConfigMap(configMap({ 'bundle.js': `${'x'.repeat(1 << 20)} http://hidden.shop`, URL: 'http://orders.shop' }));
    expect(performance.now() - started).toBeLessThan(200);
    expect(big?.hosts).toEqual(['orders.shop']);

    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`SVC_${i}_URL`, `http://svc-${i}.shop:8080`]));
    const full = stripConfigMap(configMap(many));
    expect(full?.hosts).toHaveLength(64);
    expect(full?.hostFields).toHaveLength(64);

    const longKey = stripConfigMap(configMap({ [`${'K'.repeat(253)}`]: 'redis:6379' }));
    expect(longKey?.hostFields[0]?.length).toBeLessThan(140);
    expect(validateRecord(longKey)).toEqual([]);
  });
});
