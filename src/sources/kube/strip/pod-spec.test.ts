import { describe, expect, it } from 'vitest';
import { collectHosts } from './pod-spec.js';

function hosts(value: string): string[] {
  const found = new Set<string>();
  collectHosts(value, found);
  return [...found];
}

describe('hosts in env values', () => {
  it.each([
    ['http://orders.shop:8080/api', ['orders.shop']],
    ['https://user:secret@API.Example.com/path?q=1', ['api.example.com']],
    ['amqp://guest:guest@rabbitmq.queue.svc.cluster.local:5672/', ['rabbitmq.queue']],
    ['redis:6379', ['redis']],
    ['mongo-0.mongo.db.svc:27017,mongo-1.mongo.db.svc:27017', ['mongo-0.mongo.db', 'mongo-1.mongo.db']],
    ['orders.shop.svc', ['orders.shop']],
    ['10.0.0.5:9000', ['10.0.0.5']],
    ['http://[::1]:8080', []],
    ['localhost:8080', []],
    ['http://127.0.0.1:9000', []],
    ['12:30', []],
    ['just some words', []],
    ['/var/lib/data', []],
    ['-Xmx512m -Dfoo=bar', []],
    ['x'.repeat(5000) + ' redis:6379', []],
  ])('%s → %j', (value, expected) => {
    expect(hosts(value)).toEqual(expected);
  });

  it('stops at a bound', () => {
    const many = Array.from({ length: 100 }, (_, i) => `host-${i}:80`).join(',');
    expect(hosts(many)).toHaveLength(32);
  });
});
