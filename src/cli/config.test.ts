import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PORT, envName, helpText, parseConfig, type KubeConfig, type RunConfig } from './config.js';

const defaultKube: KubeConfig = { contexts: [], allContexts: false, namespaces: [], metricsIntervalSeconds: 20, kubeconfigPath: undefined, readConfigMaps: false };
const defaults: RunConfig = {
  action: 'run',
  source: { kind: 'kube', kube: defaultKube },
  host: '127.0.0.1',
  port: DEFAULT_PORT,
  logLevel: 'info',
  prometheus: [],
  prometheusIntervalSeconds: 30,
  auth: { insecureNoAuth: false },
};
const kube = (fields: Partial<KubeConfig>): RunConfig['source'] => ({ kind: 'kube', kube: { ...defaultKube, ...fields } });

type Env = Record<string, string>;

describe('parseConfig', () => {
  it.each<[string, string[], Env, Partial<RunConfig>]>([
    ['no flags', [], {}, {}],
    ['host, port, log level', ['--host', '0.0.0.0', '--insecure-no-auth', '--port=0', '--log-level', 'debug'], {}, { host: '0.0.0.0', port: 0, logLevel: 'debug', auth: { insecureNoAuth: true } }],
    ['repeated contexts and namespaces', ['--context', 'a', '--context=b', '--namespace', 'shop'], {}, { source: kube({ contexts: ['a', 'b'], namespaces: ['shop'] }) }],
    ['all contexts, kubeconfig, metrics interval', ['--all-contexts', '--kubeconfig', '/k', '--metrics-interval', '15'], {}, { source: kube({ allContexts: true, kubeconfigPath: '/k', metricsIntervalSeconds: 15 }) }],
    ['bare --demo is medium', ['--demo'], {}, { source: { kind: 'demo', demo: { size: 'medium' } } }],
    ['--demo=xl', ['--demo=xl'], {}, { source: { kind: 'demo', demo: { size: 'xl' } } }],
    ['--demo small', ['--demo', 'small', '--port', '1'], {}, { port: 1, source: { kind: 'demo', demo: { size: 'small' } } }],
    ['bare --demo before another flag', ['--demo', '--demo-churn', '2.5', '--demo-seed', '7'], {}, { source: { kind: 'demo', demo: { size: 'medium', churnPerSecond: 2.5, seed: 7 } } }],
    ['everything from the environment', [], { KUBEGLANCE_PORT: '9000', KUBEGLANCE_CONTEXT: 'a, b,', KUBEGLANCE_ALL_CONTEXTS: 'false', KUBEGLANCE_NAMESPACE: 'x,y', KUBEGLANCE_LOG_LEVEL: 'warn' }, { port: 9000, logLevel: 'warn', source: kube({ contexts: ['a', 'b'], namespaces: ['x', 'y'] }) }],
    ['demo from the environment', [], { KUBEGLANCE_DEMO: 'true', KUBEGLANCE_DEMO_SEED: '3' }, { source: { kind: 'demo', demo: { size: 'medium', seed: 3 } } }],
    ['demo size from the environment', [], { KUBEGLANCE_DEMO: 'large' }, { source: { kind: 'demo', demo: { size: 'large' } } }],
    ['flags win over the environment', ['--port', '1', '--context', 'c'], { KUBEGLANCE_PORT: '2', KUBEGLANCE_CONTEXT: 'a,b' }, { port: 1, source: kube({ contexts: ['c'] }) }],
    ['empty variables count as unset', [], { KUBEGLANCE_PORT: '', KUBEGLANCE_DEMO: ' ' }, {}],
    ['unrelated variables are ignored', [], { KUBECONFIG: '/x', KUBEGLANCE_UNKNOWN: '1' }, {}],
    ['-- ends the flags', ['--port', '1', '--'], {}, { port: 1 }],
    ['ConfigMaps read on request', ['--read-configmaps'], {}, { source: kube({ readConfigMaps: true }) }],
    ['ConfigMaps read on request, from the environment', [], { KUBEGLANCE_READ_CONFIGMAPS: 'true' }, { source: kube({ readConfigMaps: true }) }],
    ['ConfigMaps not read when the environment says no', [], { KUBEGLANCE_READ_CONFIGMAPS: '0' }, {}],
  ])('%s', (_name, argv, env, expected) => {
    expect(parseConfig(argv, env)).toEqual({ ...defaults, ...expected });
  });

  it.each<[string[], Env, 'help' | 'version']>([
    [['--help'], {}, 'help'],
    [['--port', 'nonsense', '--help'], {}, 'help'],
    [['--version'], { KUBEGLANCE_PORT: 'x' }, 'version'],
  ])('%j → %s, before validating anything else', (argv, env, action) => {
    expect(parseConfig(argv, env)).toEqual({ action });
  });

  it.each<[string[], Env, string]>([
    [['--bogus'], {}, 'unknown flag --bogus'],
    [['-p', '1'], {}, 'unknown flag -p'],
    [['stray'], {}, 'unexpected argument "stray"'],
    [['--demo', 'huge'], {}, 'unexpected argument "huge"'],
    [['--port'], {}, '--port needs a value'],
    [['--port', '--host', 'x'], {}, '--port needs a value'],
    [['--host='], {}, '--host needs a value'],
    [['--context='], {}, '--context needs a value'],
    [['--port', '1', '--port', '2'], {}, '--port given more than once'],
    [['--all-contexts=yes'], {}, '--all-contexts takes no value'],
    [['--port', '65536'], {}, '--port must be a port number (0-65535), got "65536"'],
    [['--port', '80.5'], {}, '--port must be a port number (0-65535), got "80.5"'],
    [[], { KUBEGLANCE_PORT: 'http' }, 'KUBEGLANCE_PORT must be a port number (0-65535), got "http"'],
    [['--demo=huge'], {}, '--demo: unknown demo size "huge" (choose from small, medium, large, xl)'],
    [[], { KUBEGLANCE_DEMO: 'huge' }, 'KUBEGLANCE_DEMO: unknown demo size "huge"'],
    [['--log-level', 'verbose'], {}, '--log-level: unknown log level "verbose" (choose from trace, debug, info, warn, error, fatal)'],
    [['--demo', '--context', 'prod'], {}, '--demo shows the embedded demo cluster and cannot be combined with --context'],
    [['--demo'], { KUBEGLANCE_KUBECONFIG: '/k' }, '--demo shows the embedded demo cluster and cannot be combined with KUBEGLANCE_KUBECONFIG'],
    [['--demo', 'xl', '--namespace', 'a'], {}, 'cannot be combined with --namespace'],
    [['--demo', '--read-configmaps'], {}, '--demo shows the embedded demo cluster and cannot be combined with --read-configmaps'],
    [['--read-configmaps=yes'], {}, '--read-configmaps takes no value'],
    [['--demo-churn', '5'], {}, '--demo-churn only applies together with --demo'],
    [['--demo', '--demo-churn', '-1'], {}, '--demo-churn needs a value'],
    [['--demo', '--demo-churn=fast'], {}, '--demo-churn must be a number of changes per second, got "fast"'],
    [['--demo', '--demo-seed', '1.5'], {}, '--demo-seed must be a non-negative integer, got "1.5"'],
    [['--context', 'a', '--all-contexts'], {}, '--context and --all-contexts cannot be used together'],
    [['--namespace', 'Bad_Name'], {}, '--namespace: "Bad_Name" is not a valid namespace name'],
    [['--metrics-interval', '5'], {}, '--metrics-interval must be a number of seconds from 15 to 30, got "5"'],
    [[], { KUBEGLANCE_ALL_CONTEXTS: 'maybe' }, 'KUBEGLANCE_ALL_CONTEXTS must be true or false, got "maybe"'],
  ])('%j %j → "%s"', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });
});

describe('helpText', () => {
  it('lists every flag with its environment variable', () => {
    const help = helpText();
    for (const flag of ['kubeconfig', 'context', 'all-contexts', 'namespace', 'metrics-interval', 'read-configmaps', 'demo-churn', 'demo-seed', 'host', 'port', 'log-level']) {
      expect(help).toContain(`--${flag} `);
      expect(help).toContain(envName(flag));
    }
    expect(help).toContain('--demo[=<size>]');
    expect(help).toContain('KUBEGLANCE_CONTEXT (comma-separated)');
    expect(help).not.toContain('KUBEGLANCE_HELP');
  });
});

describe('--redis-url and --redis-key-prefix', () => {
  it.each<[string, string[], Env, Partial<RunConfig>]>([
    ['a URL with the default prefix', ['--redis-url', 'redis://redis.kubeglance:6379'], {}, { redis: { url: 'redis://redis.kubeglance:6379', keyPrefix: 'kubeglance:' } }],
    [
      'TLS, credentials and a prefix from the environment',
      [],
      { KUBEGLANCE_REDIS_URL: 'rediss://:s3cret@redis:6380/2', KUBEGLANCE_REDIS_KEY_PREFIX: 'glance-prod:' },
      { redis: { url: 'rediss://:s3cret@redis:6380/2', keyPrefix: 'glance-prod:' } },
    ],
  ])('%s', (_name, argv, env, expected) => {
    expect(parseConfig(argv, env)).toEqual({ ...defaults, ...expected });
  });

  it.each<[string[], Env, string]>([
    [['--redis-url', 'http://redis:6379'], {}, '--redis-url must be a redis:// or rediss:// URL with a host'],
    [['--redis-url', 'redis:6379'], {}, '--redis-url must be a redis:// or rediss:// URL with a host'],
    [['--redis-key-prefix', 'x:'], {}, '--redis-key-prefix only applies together with --redis-url'],
    [['--redis-url', 'redis://r', '--redis-key-prefix', 'has space'], {}, '--redis-key-prefix must be 1-100 printable characters'],
  ])('%j %j → "%s"', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });

  it('never repeats the URL, which may hold a password, in an error', () => {
    expect(() => parseConfig([], { KUBEGLANCE_REDIS_URL: 'http://:hunter2@redis:6379' })).toThrow(/^(?!.*hunter2)/s);
  });
});

describe('--prometheus-url and --prometheus-interval', () => {
  it.each<[string, string[], Env, Partial<RunConfig>]>([
    ['a bare URL for the only cluster', ['--prometheus-url', 'http://prometheus.monitoring:9090'], {}, { prometheus: [{ url: 'http://prometheus.monitoring:9090/' }] }],
    ['a path prefix and a query with "=" stay part of the URL', ['--prometheus-url=https://obs.example.com/prom/?x=1'], {}, { prometheus: [{ url: 'https://obs.example.com/prom/?x=1' }] }],
    [
      'one per context, with the interval',
      ['--context', 'prod', '--context', 'staging', '--prometheus-url', 'prod=http://p:9090', '--prometheus-url', 'staging=http://s:9090', '--prometheus-interval', '5'],
      {},
      {
        source: kube({ contexts: ['prod', 'staging'] }),
        prometheus: [
          { context: 'prod', url: 'http://p:9090/' },
          { context: 'staging', url: 'http://s:9090/' },
        ],
        prometheusIntervalSeconds: 5,
      },
    ],
    [
      'context names with ":" and "/" (EKS) before "="',
      ['--all-contexts', '--prometheus-url', 'arn:aws:eks:eu-west-1:1:cluster/prod=http://p:9090'],
      {},
      { source: kube({ allContexts: true }), prometheus: [{ context: 'arn:aws:eks:eu-west-1:1:cluster/prod', url: 'http://p:9090/' }] },
    ],
    [
      'from the environment (comma-separated)',
      [],
      { KUBEGLANCE_PROMETHEUS_URL: 'a=http://a:9090, b=http://b:9090', KUBEGLANCE_PROMETHEUS_INTERVAL: '12.5' },
      {
        prometheus: [
          { context: 'a', url: 'http://a:9090/' },
          { context: 'b', url: 'http://b:9090/' },
        ],
        prometheusIntervalSeconds: 12.5,
      },
    ],
  ])('%s', (_name, argv, env, expected) => {
    expect(parseConfig(argv, env)).toEqual({ ...defaults, ...expected });
  });

  it.each<[string[], Env, string]>([
    [['--prometheus-url', 'prometheus:9090'], {}, '--prometheus-url: "prometheus:9090" is not a URL (expected http://<host>:<port>'],
    [['--prometheus-url', 'not a url'], {}, '--prometheus-url: "not a url" is not a URL (expected http://<host>:<port>'],
    [['--prometheus-url', 'ftp://p:21'], {}, '--prometheus-url: "ftp://p:21" is not an http or https URL'],
    [['--prometheus-url', 'http://user:secret@p:9090'], {}, '--prometheus-url: credentials in the URL are not supported'],
    [['--prometheus-url', '=http://p:9090'], {}, '--prometheus-url: "=http://p:9090" names no context before "="'],
    [['--prometheus-url='], {}, '--prometheus-url needs a value'],
    [['--context', 'a', '--context', 'b', '--prometheus-url', 'http://p:9090'], {}, 'several clusters are shown, so name the context the Prometheus belongs to'],
    [['--all-contexts', '--prometheus-url', 'http://p:9090'], {}, 'several clusters are shown'],
    [['--prometheus-url', 'http://p:9090', '--prometheus-url', 'b=http://q:9090'], {}, 'a URL without "<context>=" applies to the only cluster shown'],
    [['--prometheus-url', 'a=http://p:9090', '--prometheus-url', 'a=http://q:9090'], {}, 'context "a" is given more than one Prometheus'],
    [['--context', 'a', '--prometheus-url', 'b=http://p:9090'], {}, 'context "b" is not among the contexts shown (a)'],
    [['--prometheus-interval', '10'], {}, '--prometheus-interval only applies together with --prometheus-url'],
    [['--prometheus-url', 'http://p:9090', '--prometheus-interval', '4'], {}, '--prometheus-interval must be a number of seconds, 5 or more, got "4"'],
    [['--demo', '--prometheus-url', 'http://p:9090'], {}, '--prometheus-url cannot be combined with --demo: the embedded demo cluster simulates its own traffic'],
    [[], { KUBEGLANCE_PROMETHEUS_URL: 'http://p:9090', KUBEGLANCE_DEMO: 'small' }, 'KUBEGLANCE_PROMETHEUS_URL cannot be combined with KUBEGLANCE_DEMO'],
  ])('%j %j → "%s"', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });

  it('is listed in the help with its environment variables', () => {
    const help = helpText();
    expect(help).toContain('--prometheus-url <url>');
    expect(help).toContain('KUBEGLANCE_PROMETHEUS_URL (comma-separated)');
    expect(help).toContain('--prometheus-interval <seconds>');
    expect(help).toContain('KUBEGLANCE_PROMETHEUS_INTERVAL');
  });
});

describe('authentication flags and the loopback rule', () => {
  const REFUSED = /^refusing to listen on (\S+) without authentication \(anyone who can reach it could read your clusters\): use --token-file, --auth-proxy-header or --oidc-issuer, listen on 127\.0\.0\.1, or pass --insecure-no-auth if you really mean it$/;

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('lets %s go without authentication', (host) => {
    expect(parseConfig(['--host', host], {})).toMatchObject({ host, auth: { insecureNoAuth: false } });
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'my-host', '128.0.0.1', '::2', 'localhost.evil.example'])('refuses %s without authentication, in one line', (host) => {
    let error: unknown;
    try {
      parseConfig(['--host', host], {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(REFUSED);
    expect((error as Error).message).not.toContain('\n');
    expect(() => parseConfig([], { KUBEGLANCE_HOST: host })).toThrow(REFUSED);
  });

  it.each<[string, string[], Env, RunConfig['auth']]>([
    ['--insecure-no-auth', ['--host', '0.0.0.0', '--insecure-no-auth'], {}, { insecureNoAuth: true }],
    ['KUBEGLANCE_INSECURE_NO_AUTH', ['--host', '0.0.0.0'], { KUBEGLANCE_INSECURE_NO_AUTH: 'true' }, { insecureNoAuth: true }],
    ['a token file', ['--host', '0.0.0.0', '--token-file', '/etc/kg/tokens'], {}, { insecureNoAuth: false, tokenFile: '/etc/kg/tokens' }],
    ['a token file from the environment', [], { KUBEGLANCE_HOST: '::', KUBEGLANCE_TOKEN_FILE: '/t' }, { insecureNoAuth: false, tokenFile: '/t' }],
    ['a token file on loopback', ['--token-file', '/t'], {}, { insecureNoAuth: false, tokenFile: '/t' }],
    [
      'a trusted proxy',
      ['--host', '0.0.0.0', '--auth-proxy-header', 'X-Forwarded-User', '--auth-proxy-groups-header', 'X-Forwarded-Groups', '--auth-proxy-trusted', '10.0.0.0/8', '--auth-proxy-trusted', 'fd00::/8'],
      {},
      { insecureNoAuth: false, proxy: { userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups', trusted: ['10.0.0.0/8', 'fd00::/8'] } },
    ],
    [
      'a trusted proxy from the environment, single address',
      ['--host', '0.0.0.0'],
      { KUBEGLANCE_AUTH_PROXY_HEADER: 'X-Auth-Request-User', KUBEGLANCE_AUTH_PROXY_TRUSTED: '10.1.2.3, 127.0.0.1' },
      { insecureNoAuth: false, proxy: { userHeader: 'x-auth-request-user', trusted: ['10.1.2.3', '127.0.0.1'] } },
    ],
  ])('%s', (_name, argv, env, auth) => {
    expect((parseConfig(argv, env) as RunConfig).auth).toEqual(auth);
  });

  it.each<[string[], Env, string]>([
    [['--insecure-no-auth', '--token-file', '/t'], {}, '--insecure-no-auth cannot be combined with --token-file: authentication is configured'],
    [['--insecure-no-auth=yes'], {}, '--insecure-no-auth takes no value'],
    [[], { KUBEGLANCE_INSECURE_NO_AUTH: 'sure' }, 'KUBEGLANCE_INSECURE_NO_AUTH must be true or false, got "sure"'],
    [['--token-file='], {}, '--token-file needs a value'],
    [['--auth-proxy-header', 'X-Forwarded-User'], {}, '--auth-proxy-header needs --auth-proxy-trusted <cidr>'],
    [['--auth-proxy-trusted', '10.0.0.0/8'], {}, '--auth-proxy-trusted only applies together with --auth-proxy-header'],
    [['--auth-proxy-groups-header', 'X-G'], {}, '--auth-proxy-groups-header only applies together with --auth-proxy-header'],
    [['--auth-proxy-header', 'X User', '--auth-proxy-trusted', '10.0.0.1'], {}, '--auth-proxy-header: "X User" is not an HTTP header name'],
    [['--auth-proxy-header', 'Authorization', '--auth-proxy-trusted', '10.0.0.1'], {}, '--auth-proxy-header: Authorization cannot carry the user'],
    [['--auth-proxy-header', 'X-U', '--auth-proxy-groups-header', 'x-u', '--auth-proxy-trusted', '10.0.0.1'], {}, '--auth-proxy-groups-header must differ from --auth-proxy-header'],
    [['--auth-proxy-header', 'X-U', '--auth-proxy-trusted', '10.0.0.0/33'], {}, '--auth-proxy-trusted: "10.0.0.0/33" is not an address or CIDR range'],
    [['--auth-proxy-header', 'X-U', '--auth-proxy-trusted', 'proxy.local'], {}, '--auth-proxy-trusted: "proxy.local" is not an address or CIDR range'],
    [['--auth-proxy-header', 'X-U', '--auth-proxy-trusted', '0.0.0.0/0'], {}, '--auth-proxy-trusted: "0.0.0.0/0" trusts every address'],
    [['--auth-proxy-header', 'X-U', '--auth-proxy-trusted', '::/0'], {}, '--auth-proxy-trusted: "::/0" trusts every address'],
  ])('%j %j → "%s"', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });

  const OIDC = ['--oidc-issuer', 'https://login.example.com/realms/x', '--oidc-client-id', 'kubeglance', '--oidc-redirect-url', 'https://kg.example.com/auth/callback'];
  const OIDC_DEFAULTS = { issuer: 'https://login.example.com/realms/x', clientId: 'kubeglance', redirectUrl: 'https://kg.example.com/auth/callback', groupsClaim: 'groups', scopes: ['openid', 'profile', 'email'] };

  it.each<[string, string[], Env, RunConfig['auth']]>([
    ['OIDC counts as authentication', ['--host', '0.0.0.0', ...OIDC, '--oidc-client-secret-file', '/s'], {}, { insecureNoAuth: false, oidc: { ...OIDC_DEFAULTS, clientSecretFile: '/s' } }],
    [
      'OIDC with its secret, groups claim and scopes from the environment',
      ['--host', '0.0.0.0', ...OIDC],
      { KUBEGLANCE_OIDC_CLIENT_SECRET: 'sekret', KUBEGLANCE_OIDC_GROUPS_CLAIM: 'roles', KUBEGLANCE_OIDC_SCOPES: 'openid groups, offline_access' },
      { insecureNoAuth: false, oidc: { ...OIDC_DEFAULTS, clientSecret: 'sekret', groupsClaim: 'roles', scopes: ['openid', 'groups', 'offline_access'] } },
    ],
    [
      'OIDC with a provider on loopback over http',
      ['--oidc-issuer', 'http://127.0.0.1:5556/dex', '--oidc-client-id', 'kg', '--oidc-client-secret', 's', '--oidc-redirect-url', 'http://localhost:7420/auth/callback'],
      {},
      { insecureNoAuth: false, oidc: { ...OIDC_DEFAULTS, issuer: 'http://127.0.0.1:5556/dex', clientId: 'kg', clientSecret: 's', redirectUrl: 'http://localhost:7420/auth/callback' } },
    ],
  ])('%s', (_name, argv, env, auth) => {
    expect((parseConfig(argv, env) as RunConfig).auth).toEqual(auth);
  });

  it.each<[string[], Env, string]>([
    [['--oidc-client-id', 'kg'], {}, '--oidc-client-id only applies together with --oidc-issuer'],
    [[], { KUBEGLANCE_OIDC_REDIRECT_URL: 'https://kg/auth/callback' }, 'KUBEGLANCE_OIDC_REDIRECT_URL only applies together with --oidc-issuer'],
    [['--oidc-issuer', 'https://idp', '--oidc-client-secret', 's', '--oidc-redirect-url', 'https://kg/auth/callback'], {}, '--oidc-issuer needs --oidc-client-id'],
    [['--oidc-issuer', 'https://idp', '--oidc-client-id', 'kg', '--oidc-redirect-url', 'https://kg/auth/callback'], {}, '--oidc-issuer needs a client secret: --oidc-client-secret-file <path> or KUBEGLANCE_OIDC_CLIENT_SECRET'],
    [[...OIDC, '--oidc-client-secret', 's', '--oidc-client-secret-file', '/s'], {}, '--oidc-client-secret and --oidc-client-secret-file cannot be used together'],
    [['--oidc-issuer', 'https://idp', '--oidc-client-id', 'kg', '--oidc-client-secret', 's'], {}, '--oidc-issuer needs --oidc-redirect-url: the public URL of /auth/callback'],
    [['--oidc-issuer', 'idp.example.com', '--oidc-client-id', 'kg'], {}, '--oidc-issuer: "idp.example.com" is not a URL'],
    [['--oidc-issuer', 'http://idp.example.com', '--oidc-client-id', 'kg'], {}, '--oidc-issuer: the issuer must be https (http is accepted only for a loopback host)'],
    [['--oidc-issuer', 'https://idp/?x=1', '--oidc-client-id', 'kg'], {}, '--oidc-issuer: the issuer URL cannot have a query or fragment'],
    [[...OIDC.slice(0, 4), '--oidc-client-secret', 's', '--oidc-redirect-url', 'https://kg.example.com/'], {}, '--oidc-redirect-url: "https://kg.example.com/" must be the URL of kubeglance\'s /auth/callback'],
    [[...OIDC.slice(0, 4), '--oidc-client-secret', 's', '--oidc-redirect-url', 'http://kg.example.com/auth/callback'], {}, '--oidc-redirect-url: the redirect URL must be https'],
    [[...OIDC, '--oidc-client-secret', 's', '--oidc-scopes', 'profile email'], {}, '--oidc-scopes: the scopes must include openid'],
    [[...OIDC, '--oidc-client-secret', 's', '--insecure-no-auth'], {}, '--insecure-no-auth cannot be combined with --oidc-issuer: authentication is configured'],
  ])('OIDC: %j %j → "%s"', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });

  it('lists the authentication flags and their variables in the help', () => {
    for (const flag of ['--token-file <path>', '--auth-proxy-header <header>', '--auth-proxy-groups-header <header>', '--auth-proxy-trusted <cidr>', '--oidc-issuer <url>', '--oidc-client-secret-file <path>', '--oidc-redirect-url <url>', '--oidc-groups-claim <claim>', '--insecure-no-auth']) {
      expect(helpText()).toContain(flag);
    }
    expect(helpText()).toContain('KUBEGLANCE_AUTH_PROXY_TRUSTED (comma-separated)');
  });
});

describe('--authz-file', () => {
  it('is read from the flag or the environment; absent by default', () => {
    expect((parseConfig(['--authz-file', '/etc/kg/authz.yaml'], {}) as RunConfig).authzFile).toBe('/etc/kg/authz.yaml');
    expect((parseConfig([], { KUBEGLANCE_AUTHZ_FILE: '/a.json' }) as RunConfig).authzFile).toBe('/a.json');
    expect((parseConfig([], {}) as RunConfig).authzFile).toBeUndefined();
    expect(() => parseConfig(['--authz-file='], {})).toThrow('--authz-file needs a value');
  });
});
