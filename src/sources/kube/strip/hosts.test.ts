import { describe, expect, it } from 'vitest';
import { expandVars, fieldKey, HostCollector, hostsIn, isHostFlag, namesHost, normaliseHost } from './hosts.js';

const distinct = (text: string, keyed = false) => [...new Set(hostsIn(text, keyed))];

describe('hosts in free text', () => {
  it.each([
    // URLs, credentials dropped
    ['http://orders.shop:8080/api', ['orders.shop']],
    ['https://user:secret@API.Example.com/path?q=1', ['api.example.com']],
    ['amqp://guest:guest@rabbitmq.queue.svc.cluster.local:5672/', ['rabbitmq.queue']],
    ['amqp://user:pw@mq.shop', ['mq.shop']],
    ['redis://cache:6379', ['cache']],
    ['redis://:s3cr3t@cache:6379/0', ['cache']],
    ['postgres://shop:p@ss@db.shop:5432/shop', ['db.shop']],
    ['mongodb://a.shop,b.shop:27018/orders?replicaSet=rs0', ['a.shop', 'b.shop']],
    ['mongodb+srv://user:pw@cluster0.mongo.example.net/db', ['cluster0.mongo.example.net']],
    ['postgresql://db1.shop:5432,db2.shop:5432/x?target_session_attrs=read-write', ['db1.shop', 'db2.shop']],
    ['PLAINTEXT://kafka-0.kafka:9092,SSL://kafka-1.kafka:9093', ['kafka-0.kafka', 'kafka-1.kafka']],
    ['{"url":"http://search.shop:9200","timeout":3}', ['search.shop']],
    ['endpoint=https://vault.security.svc:8200', ['vault.security']],
    // JDBC and Oracle thin
    ['jdbc:postgresql://db.shop:5432/x', ['db.shop']],
    ['jdbc:mysql://mysql.data.svc.cluster.local:3306/app?useSSL=false', ['mysql.data']],
    ['jdbc:sqlserver://mssql.shop:1433;databaseName=orders;user=sa', ['mssql.shop']],
    ['jdbc:oracle:thin:@//oracle.erp:1521/ORCL', ['oracle.erp']],
    ['jdbc:oracle:thin:@oracle.erp:1521:ORCL', ['oracle.erp']],
    ['-Dspring.datasource.url=jdbc:postgresql://db:5432/x -Xmx512m', ['db']],
    // Connection strings with keys
    ['host=db.shop port=5432 dbname=orders user=app', ['db.shop']],
    ['host=db1.shop,db2.shop port=5432', ['db1.shop', 'db2.shop']],
    ['Server=tcp:mssql.shop,1433;Database=orders;User Id=sa;Password=x', ['mssql.shop']],
    ['Data Source=mssql.shop;Initial Catalog=x', ['mssql.shop']],
    ['Host=pg.shop;Port=5432;Database=x;Username=app', ['pg.shop']],
    ['bootstrap.servers=kafka-0.kafka:9092,kafka-1.kafka:9092', ['kafka-0.kafka', 'kafka-1.kafka']],
    ['spring.redis.host=cache', ['cache']],
    ['redis:\n  host: cache\n  port: 6379', ['cache']],
    ['{"host": "cache", "port": 6379}', ['cache']],
    ['DB_HOST=postgres ./run.sh', ['postgres']],
    // Flags
    ['--upstream=http://orders.shop:8080', ['orders.shop']],
    ['--host=db.shop', ['db.shop']],
    ['--bootstrap-server kafka.data:9092 --topic orders', ['kafka.data']],
    ['pg_isready -h db.shop -p 5432', ['db.shop']],
    ['until nc -z db.shop.svc 5432; do sleep 1; done', ['db.shop']],
    // host:port words and lists
    ['redis:6379', ['redis']],
    ['mongo-0.mongo.db.svc:27017,mongo-1.mongo.db.svc:27017', ['mongo-0.mongo.db', 'mongo-1.mongo.db']],
    ['kafka-0.kafka:9092;kafka-1.kafka:9092', ['kafka-0.kafka', 'kafka-1.kafka']],
    ['user:pw@mq.shop:5672/vhost', ['mq.shop']],
    ['orders.shop.svc', ['orders.shop']],
    ['orders.shop.svc.cluster.local.', ['orders.shop']],
    ['10.0.0.5:9000', ['10.0.0.5']],
    // Not hosts
    ['http://[::1]:8080', []],
    ['http://[fd00::5]:8080/x', []],
    ['localhost:8080', []],
    ['http://127.0.0.1:9000', []],
    ['0.0.0.0:8080', []],
    ['12:30', []],
    ['hello world at 12:30', []],
    ['just some words', []],
    ['/var/lib/data', []],
    ['-Xmx512m -Dfoo=bar', []],
    ['image: redis:7', []],
    ['nginx:1.25-alpine', []],
    ['host=${DB_HOST}', []],
    ['ghost=casper.shop', []],
    ['host=db_primary', []],
    ['server: https://', []],
    ['file:///etc/config.yaml', []],
  ])('%j → %j', (text, expected) => {
    expect(distinct(text)).toEqual(expected);
  });

  it('reads a bare name only where a key says it is a host', () => {
    expect(distinct('postgres')).toEqual([]);
    expect(distinct('postgres', true)).toEqual(['postgres']);
    expect(distinct('kafka-0.kafka:9092,kafka-1.kafka:9092', true)).toEqual(['kafka-0.kafka', 'kafka-1.kafka']);
    expect(distinct('tcp:mssql.shop,1433', true)).toEqual(['mssql.shop']);
    expect(distinct('Main Street 5', true)).toEqual([]);
    expect(distinct('0.0.0.0', true)).toEqual([]);
  });

  it('skips cut-off authorities and keyed values rather than keep half a name', () => {
    const long = Array.from({ length: 60 }, (_, i) => `host-${i}.shop:9092`).join(',');
    expect(long.length).toBeGreaterThan(512);
    // The rest of the list is still read as host:port words, each whole: no name is cut in two.
    // (The first host of the over-long URL goes with its authority.)
    for (const [text, count] of [[`kafka://${long}/x`, 59], [`bootstrap.servers=${long}`, 60]] as const) {
      const found = distinct(text);
      expect(found).toHaveLength(count);
      expect(found.every((h) => /^host-\d+\.shop$/.test(h)), found.join()).toBe(true);
    }
    expect(distinct(`http://${'a'.repeat(600)}.shop/x`)).toEqual([]);
    expect(distinct(`bootstrap.servers=${'a'.repeat(600)}.shop`)).toEqual([]);
  });

  it('reads linear-time: adversarial text of 256 KiB takes milliseconds', () => {
    for (const text of [
      'a://'.repeat(65_536),
      'host='.repeat(52_428),
      `${'a'.repeat(262_144)}:`,
      'a:1,'.repeat(65_536),
      ':@'.repeat(131_072),
      '-h '.repeat(87_381),
    ]) {
      const started = performance.now();
      hostsIn(text, true);
      expect(performance.now() - started, text.slice(0, 12)).toBeLessThan(1500);
    }
  });
});

describe('normaliseHost', () => {
  it.each([
    ['Orders.Shop.', 'orders.shop'],
    ['orders.shop.svc.cluster.local', 'orders.shop'],
    ['kafka-0.kafka.data.svc', 'kafka-0.kafka.data'],
    ['orders.shop.svc.corp.example', 'orders.shop'],
    ['10.1.2.3', '10.1.2.3'],
    ['localhost', undefined],
    ['-bad-', undefined],
    ['1234', undefined],
    ['a'.repeat(254), undefined],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseHost(raw)).toBe(expected);
  });
});

describe('keys and flags that name a host', () => {
  it.each([
    ['DB_HOST', true],
    ['REDIS_HOSTNAME', true],
    ['redis.host', true],
    ['db-host', true],
    ['KAFKA_BROKERS', true],
    ['bootstrap.servers', true],
    ['LOKI_ADDR', true],
    ['SMTP_SERVER', true],
    ['HOST', false],
    ['hostname', false],
    ['GHOST', false],
    ['HOST_PORT', false],
    ['DATABASE_URL', false],
  ])('%s → %s', (key, expected) => {
    expect(namesHost(key)).toBe(expected);
  });

  it('knows the flags followed by a host', () => {
    expect(['-h', '--host', ' --bootstrap-server ', '--broker-list'].every(isHostFlag)).toBe(true);
    expect(['--help', '-p', '--host=db', 'host'].some(isHostFlag)).toBe(false);
  });

  it('cuts very long keys in field paths', () => {
    expect(fieldKey('DATABASE_URL')).toBe('DATABASE_URL');
    const cut = fieldKey('K'.repeat(10_000));
    expect(cut).toHaveLength(128);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('expandVars: $(VAR) as the kubelet expands it', () => {
  const vars: Record<string, string> = { HOST: 'db.shop', PORT: '5432', EMPTY: '' };
  const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
  const expand = (input: string) => expandVars(input, lookup, 1000);

  it.each([
    ['postgres://$(HOST):$(PORT)/x', 'postgres://db.shop:5432/x'],
    ['$(HOST)$(HOST)', 'db.shop' + 'db.shop'],
    ['x$(EMPTY)y', 'xy'],
    ['$(UNKNOWN):$(PORT)', '$(UNKNOWN):5432'],
    ['$$(HOST)', '$(HOST)'],
    ['$$$(HOST)', '$db.shop'],
    ['$$$$', '$$'],
    ['cost: $5', 'cost: $5'],
    ['$(HOST', '$(HOST'],
    ['$($(HOST)', '$($(HOST)'],
    ['$(HOST)$(', 'db.shop$('],
    ['ends with $', 'ends with $'],
    ['$', '$'],
    ['$()', '$()'],
    ['no references at all', 'no references at all'],
  ])('%j → %j', (input, expected) => {
    expect(expand(input)).toBe(expected);
  });

  it('does not expand a replaced value again: references cannot cycle', () => {
    expect(expandVars('$(A)', (name) => (name === 'A' ? '$(A)$(A)' : undefined), 100)).toBe('$(A)$(A)');
  });

  it('gives up on a result longer than the limit', () => {
    expect(expandVars('$(HOST)$(HOST)', lookup, 10)).toBeUndefined();
    expect(expandVars('x'.repeat(11), lookup, 10)).toBeUndefined();
    expect(expandVars('$(HOST)', lookup, 7)).toBe('db.shop');
  });

  it('is linear on adversarial input', () => {
    for (const input of ['$('.repeat(100_000), `${'$('.repeat(100_000)})`, '$$'.repeat(100_000), '$(A)'.repeat(50_000)]) {
      const started = performance.now();
      expandVars(input, () => 'x', 1_000_000);
      expect(performance.now() - started).toBeLessThan(1500);
    }
  });
});

describe('HostCollector', () => {
  it('keeps distinct hosts with the field each was first found at', () => {
    const c = new HostCollector({ maxHosts: 10, maxValueLength: 100, budget: 1000 });
    c.scan('http://orders.shop:8080', 'env[A]');
    c.scan('orders.shop:8080,cart:80', 'env[B]');
    expect(c.hosts).toEqual(['orders.shop', 'cart']);
    expect(c.fields).toEqual(['env[A]', 'env[B]']);
  });

  it('remembers recent values apart for keyed and plain reading', () => {
    const plain = new HostCollector({ maxHosts: 10, maxValueLength: 100, budget: 1000 });
    const keyed = new HostCollector({ maxHosts: 10, maxValueLength: 100, budget: 1000 });
    for (let i = 0; i < 3; i++) {
      plain.scan('postgres', 'env[DB]');
      keyed.scan('postgres', 'env[DB_HOST]', true);
    }
    expect(plain.hosts).toEqual([]);
    expect(keyed.hosts).toEqual(['postgres']);
  });

  it('stops at the number of hosts', () => {
    const c = new HostCollector({ maxHosts: 32, maxValueLength: 10_000, budget: 100_000 });
    c.scan(Array.from({ length: 100 }, (_, i) => `host-${i}:80`).join(','), 'args[0]');
    expect(c.hosts).toHaveLength(32);
    expect(c.fields).toHaveLength(32);
    expect(c.open).toBe(false);
  });

  it('skips values over the length limit whole, and leaves their budget to the rest', () => {
    const c = new HostCollector({ maxHosts: 10, maxValueLength: 100, budget: 150 });
    c.scan(`${'x'.repeat(200)} redis:6379`, 'env[BIG]');
    c.scan('cache:6379', 'env[SMALL]');
    expect(c.hosts).toEqual(['cache']);
  });

  it('stops when the budget is spent', () => {
    const c = new HostCollector({ maxHosts: 10, maxValueLength: 100, budget: 25 });
    c.scan('a-host:80', 'env[A]');
    c.scan('b-host:80', 'env[B]');
    c.scan('c-host:80', 'env[C]');
    expect(c.hosts).toEqual(['a-host', 'b-host']);
    expect(c.afford(5)).toBe(true);
    expect(c.afford(5)).toBe(false);
  });
});
