import { describe, expect, it } from 'vitest';
import { validateRecord } from '../../../model/validate.js';
import { specRefs } from './pod-spec.js';
import type { Json } from './read.js';

type Env = { name: string; value?: string; valueFrom?: Json };

function container(name: string, fields: { env?: Env[]; command?: unknown[]; args?: unknown[]; envFrom?: Json[] } = {}): Json {
  return { name, image: 'registry.example/app:1', ...fields };
}

/** Hosts and where each was found, as [host, field] pairs. */
function found(spec: Json): [string, string][] {
  const refs = specRefs(spec);
  return (refs?.envHosts ?? []).map((host, i) => [host, refs?.hostFields?.[i] ?? '(none)']);
}

describe('specRefs: hosts and where they were found', () => {
  it('reads env values, command and args of init and main containers, naming each place', () => {
    const spec = {
      initContainers: [container('wait', { command: ['sh', '-c', 'until nc -z db.shop.svc 5432; do sleep 1; done'] })],
      containers: [
        container('api', {
          env: [
            { name: 'DATABASE_URL', value: 'postgres://app:hunter2@db.shop:5432/orders' },
            { name: 'CACHE_HOST', value: 'redis' },
            { name: 'LOG_LEVEL', value: 'info' },
          ],
          args: ['--listen=:8080', '--orders', 'http://orders.shop:8080', '--host', 'search'],
        }),
      ],
    };
    expect(found(spec)).toEqual([
      ['db.shop', 'initContainers[wait].command[2]'],
      ['redis', 'containers[api].env[CACHE_HOST]'],
      ['orders.shop', 'containers[api].args[2]'],
      ['search', 'containers[api].args[4]'],
    ]);
    expect(JSON.stringify(specRefs(spec))).not.toContain('hunter2');
  });

  it('names a host found in several places by the first', () => {
    const spec = { containers: [container('a', { env: [{ name: 'X', value: 'redis:6379' }], args: ['redis://redis:6379'] })] };
    expect(found(spec)).toEqual([['redis', 'containers[a].env[X]']]);
  });

  it('keeps the other references as before, and passes the model validator', () => {
    const spec = {
      serviceAccountName: 'api',
      volumes: [{ name: 'cfg', configMap: { name: 'api-config' } }, { name: 's', secret: { secretName: 'api-tls' } }],
      containers: [
        container('api', {
          envFrom: [{ configMapRef: { name: 'api-env' } }],
          env: [{ name: 'FLAGS', valueFrom: { configMapKeyRef: { name: 'flags', key: 'f' } } }, { name: 'URL', value: 'http://orders.shop' }],
        }),
      ],
    };
    const refs = specRefs(spec);
    expect(refs).toEqual({
      serviceAccount: 'api',
      configMaps: ['api-config', 'api-env', 'flags'],
      secrets: ['api-tls'],
      envHosts: ['orders.shop'],
      hostFields: ['containers[api].env[URL]'],
    });
    const pod = { kind: 'Pod', uid: 'u', name: 'p', namespace: 'n', createdAt: 0, phase: 'Running', status: 'Running', ready: true, restarts: 0, requests: { cpu: 0, memory: 0 }, limits: {}, containers: [], refs };
    expect(validateRecord(pod)).toEqual([]);
  });

  it('shares one refs value between pods of one template, also with all 32 hosts and long names', () => {
    const spec = () => ({ containers: [container('api', { env: [{ name: 'URL', value: 'http://orders.shop' }] })] });
    expect(specRefs(spec())).toBe(specRefs(spec()));
    const env = Array.from({ length: 32 }, (_, i) => ({ name: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT_${i}`, value: `http://otel-collector-${i}.team-observability-production:4318` }));
    const rich = () => ({ containers: [container('payments-gateway-api', { env })] });
    expect(JSON.stringify(specRefs(rich())).length).toBeGreaterThan(4096);
    expect(specRefs(rich())).toBe(specRefs(rich()));
  });
});

describe('specRefs: $(VAR) expansion', () => {
  const hostsOf = (env: Env[], more: { command?: unknown[]; args?: unknown[] } = {}) => found({ containers: [container('app', { env, ...more })] });

  it('replaces references to vars defined before, with literal values', () => {
    expect(
      hostsOf([
        { name: 'DB_HOST', value: 'db.shop' },
        { name: 'DB_PORT', value: '5432' },
        { name: 'DATABASE_URL', value: 'postgres://$(DB_HOST):$(DB_PORT)/orders' },
      ]),
    ).toEqual([['db.shop', 'containers[app].env[DB_HOST]']]);
    // Without the host var itself being a host key, the URL is where it is found.
    expect(hostsOf([{ name: 'H', value: 'db.shop' }, { name: 'URL', value: 'jdbc:postgresql://$(H):5432/x' }])).toEqual([['db.shop', 'containers[app].env[URL]']]);
  });

  it('expands through vars that were expanded themselves, once', () => {
    expect(hostsOf([{ name: 'NS', value: 'shop' }, { name: 'H', value: 'orders.$(NS)' }, { name: 'URL', value: 'http://$(H):8080' }])).toEqual([['orders.shop', 'containers[app].env[URL]']]);
  });

  it('leaves references to later, unknown and valueFrom vars as written', () => {
    expect(
      hostsOf([
        { name: 'EARLY', value: 'http://$(LATE):8080' },
        { name: 'LATE', value: 'orders.shop' },
        { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'host' } } },
        { name: 'URL', value: 'http://$(FROM_SECRET):8080 http://$(NOWHERE):80' },
      ]),
    ).toEqual([]);
  });

  it('lets a later valueFrom or empty definition replace an earlier literal', () => {
    expect(hostsOf([{ name: 'H', value: 'orders.shop' }, { name: 'H', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'URL', value: 'http://$(H):8080' }])).toEqual([]);
    expect(hostsOf([{ name: 'H', value: 'orders' }, { name: 'H' }, { name: 'URL', value: 'http://$(H)cart:8080' }])).toEqual([['cart', 'containers[app].env[URL]']]);
  });

  it('reads $$(VAR) as the literal text', () => {
    expect(hostsOf([{ name: 'H', value: 'orders.shop' }, { name: 'URL', value: 'http://$$(H):8080' }])).toEqual([]);
  });

  it('expands command and args with every var of the container', () => {
    expect(
      hostsOf([{ name: 'SVC', value: 'orders' }, { name: 'DB', value: 'db' }, { name: 'PORT', value: '8080' }], {
        command: ['/app', '--upstream=http://$(SVC).shop:$(PORT)'],
        args: ['--cache', 'redis://$(CACHE_ADDR)', '--db=$$(DB).shop:5432', 'http://cart.shop:$(PORT)'],
      }),
    ).toEqual([
      ['orders.shop', 'containers[app].command[1]'],
      ['cart.shop', 'containers[app].args[3]'],
    ]);
  });

  it('does not loop on references that cycle', () => {
    expect(hostsOf([{ name: 'A', value: '$(B)' }, { name: 'B', value: '$(A)' }, { name: 'URL', value: 'http://$(A)x.shop' }], { args: ['$(A)$(B)'] })).toEqual([]);
  });
});

// These guard against runaway work on hostile input (unbounded scans, exponential expansion),
// not against slowness: the limits are 10–20 times what the bounded code needs, far below what
// the unbounded code takes. Speed itself is measured by the benchmarks.
describe('specRefs: bounds on hostile specs', () => {
  const time = (f: () => unknown) => {
    const started = performance.now();
    f();
    return performance.now() - started;
  };

  it('skips a 1 MB env value, and still reads the rest', () => {
    const spec = { containers: [container('app', { env: [{ name: 'BLOB', value: `${'x'.repeat(1 << 20)} redis:6379` }, { name: 'URL', value: 'http://orders.shop' }] })] };
    let hosts: [string, string][] = [];
    expect(time(() => (hosts = found(spec)))).toBeLessThan(1000);
    expect(hosts).toEqual([['orders.shop', 'containers[app].env[URL]']]);
  });

  it('reads 10,000 env vars in bounded time, keeping at most 32 hosts', () => {
    const env = Array.from({ length: 10_000 }, (_, i) => ({ name: `SERVICE_${i}_URL`, value: `http://svc-${i}.shop:8080/some/longer/path/to/make/it/realistic` }));
    const spec = { containers: [container('app', { env })] };
    let hosts: [string, string][] = [];
    expect(time(() => (hosts = found(spec)))).toBeLessThan(1500);
    expect(hosts).toHaveLength(32);
    expect(hosts[31]).toEqual(['svc-31.shop', 'containers[app].env[SERVICE_31_URL]']);
  });

  it('bounds the work by a budget of characters, however many vars there are', () => {
    // Each var is the one before plus 200 characters that every pass of the scan looks at, but
    // no host: only the budget stops the work (10,000 scans of values up to 16 KiB otherwise).
    const env = Array.from({ length: 10_000 }, (_, i) => ({ name: `V${i}`, value: `$(V${i - 1})${'ab:cd=ef-gh:@ x://'.repeat(11)}` }));
    const spec = { containers: [container('app', { env })] };
    // About 3.5 s without the budget on the machine this was written on; about 50 ms with it.
    expect(time(() => found(spec))).toBeLessThan(1000);
  });

  it('does not grow a value exponentially through references', () => {
    const env: Env[] = [{ name: 'A0', value: 'x'.repeat(1000) }];
    for (let i = 1; i < 40; i++) env.push({ name: `A${i}`, value: `$(A${i - 1})$(A${i - 1})` });
    env.push({ name: 'URL', value: 'http://orders.shop' });
    let hosts: [string, string][] = [];
    expect(time(() => (hosts = found({ containers: [container('app', { env })] })))).toBeLessThan(1000);
    expect(hosts).toEqual([['orders.shop', 'containers[app].env[URL]']]);
  });

  it('cuts very long env var names in field paths', () => {
    const [[host, field] = ['', '']] = found({ containers: [container('app', { env: [{ name: `${'N'.repeat(5000)}`, value: 'redis:6379' }] })] });
    expect(host).toBe('redis');
    expect(field.length).toBeLessThan(200);
  });

  it('keeps at most 128 names of each kind of reference', () => {
    const volumes = Array.from({ length: 1000 }, (_, i) => ({ name: `v${i}`, configMap: { name: `cm-${i}` } }));
    expect(specRefs({ volumes })?.configMaps).toHaveLength(128);
  });

  it('ignores values and args of the wrong type', () => {
    const spec = { containers: [container('app', { env: [{ name: 'X', value: 42 as unknown as string }], args: [7, null, { a: 1 }, 'redis:6379'] })] };
    expect(found(spec)).toEqual([['redis', 'containers[app].args[3]']]);
  });
});
