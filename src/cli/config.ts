// Flags and environment to one validated Config. Pure: no I/O, so every rule is tested as a table.
//
// Every flag has an environment variable KUBEGLANCE_<FLAG_IN_UPPER_SNAKE> (repeatable flags take
// comma-separated values there); a flag given on the command line wins over its variable.
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '../server/auth/loopback.js';
import { DEFAULT_OIDC_GROUPS_CLAIM, DEFAULT_OIDC_SCOPES } from '../server/auth/oidc.js';
import { parseCidr } from '../server/auth/networks.js';

export const DEMO_SIZES = ['small', 'medium', 'large', 'xl'] as const;
export type DemoSize = (typeof DEMO_SIZES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_PORT = 7420;

export interface DemoConfig {
  size: DemoSize;
  churnPerSecond?: number;
  seed?: number;
}

export interface KubeConfig {
  kubeconfigPath?: string;
  contexts: string[];
  allContexts: boolean;
  namespaces: string[];
  metricsIntervalSeconds: number;
  /** --read-configmaps: read ConfigMaps for the hosts their values name (needs list/watch on configmaps). */
  readConfigMaps: boolean;
}

export interface RunConfig {
  action: 'run';
  /** `demo` when asked for; `kube` otherwise (which falls back to the demo without a kubeconfig). */
  source: { kind: 'demo'; demo: DemoConfig } | { kind: 'kube'; kube: KubeConfig };
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Prometheus servers to read observed traffic from, one per cluster at most (empty: traffic off). */
  prometheus: PrometheusTarget[];
  prometheusIntervalSeconds: number;
  auth: AuthConfig;
  /** --authz-file: which groups see which namespaces and nodes (src/server/authz); absent: everyone authenticated sees everything. */
  authzFile?: string | undefined;
  /** --redis-url: run as one of several replicas sharing one watcher through Redis (src/server/replication). */
  redis?: RedisConfig | undefined;
}

export interface RedisConfig {
  /** redis:// or rediss:// (TLS), credentials included when needed. */
  url: string;
  /** Prefix of every key, so that several kubeglance deployments can share one Redis. */
  keyPrefix: string;
}

export const DEFAULT_REDIS_KEY_PREFIX = 'kubeglance:';

/** Authentication. With none configured, only a loopback address may be listened on. */
export interface AuthConfig {
  /** --token-file: static bearer tokens, stored hashed (see src/server/auth/tokens.ts). */
  tokenFile?: string;
  /** --auth-proxy-header and friends: a trusted reverse proxy names the user. */
  proxy?: ProxyAuthConfig;
  /** --oidc-issuer and friends: OIDC login (src/server/auth/oidc.ts). */
  oidc?: OidcAuthConfig;
  /** --insecure-no-auth: listen beyond loopback without authentication (warned at every start). */
  insecureNoAuth: boolean;
}

export interface ProxyAuthConfig {
  userHeader: string;
  groupsHeader?: string;
  /** CIDR ranges the proxy connects from; nothing else may set the headers. */
  trusted: string[];
}

export interface OidcAuthConfig {
  issuer: string;
  clientId: string;
  /** Exactly one of these two; main.ts reads the file. */
  clientSecret?: string;
  clientSecretFile?: string;
  /** The public URL of /auth/callback. */
  redirectUrl: string;
  groupsClaim: string;
  scopes: string[];
}


/** --prometheus-url: `<url>` for the only cluster shown, or `<context>=<url>`. */
export interface PrometheusTarget {
  url: string;
  /** The kubeconfig context whose cluster this Prometheus watches; absent: the only cluster shown. */
  context?: string;
}

export const DEFAULT_PROMETHEUS_INTERVAL_SECONDS = 30;

export type Config = RunConfig | { action: 'help' } | { action: 'version' };

/** A problem with the command line or environment, in words meant for the user. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface FlagSpec {
  /** Placeholder for the value in help; absent for boolean flags. */
  value?: string;
  multiple?: boolean;
  /** Help and version make no sense as environment variables. */
  noEnv?: boolean;
  help: string;
}

const FLAGS = {
  kubeconfig: { value: '<path>', help: 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' },
  context: { value: '<name>', multiple: true, help: 'kubeconfig context to show; repeat for several (default: current)' },
  'all-contexts': { help: 'show every context in the kubeconfig' },
  namespace: { value: '<ns>', multiple: true, help: 'read only this namespace; repeat for several (default: all)' },
  'metrics-interval': { value: '<seconds>', help: 'how often to poll metrics.k8s.io, 15-30 (default: 20)' },
  'read-configmaps': { help: 'also read ConfigMaps, for the services their values name (needs list/watch on configmaps; Secrets are never read)' },
  demo: { value: '[=<size>]', help: 'show the embedded demo cluster: small, medium (default), large or xl' },
  'demo-churn': { value: '<per-second>', help: 'changes per second in the demo cluster' },
  'demo-seed': { value: '<n>', help: 'seed of the demo cluster (same seed, same cluster)' },
  'prometheus-url': {
    value: '<url>',
    multiple: true,
    help: 'read observed traffic (Istio, Linkerd, OpenTelemetry service graph) from this Prometheus; with several clusters, <context>=<url> for each',
  },
  'prometheus-interval': { value: '<seconds>', help: `how often to query Prometheus, 5 or more (default: ${DEFAULT_PROMETHEUS_INTERVAL_SECONDS})` },
  host: { value: '<address>', help: 'address to listen on (default: 127.0.0.1; any other address needs --token-file, --auth-proxy-header, --oidc-issuer or --insecure-no-auth)' },
  port: { value: '<port>', help: `port to listen on, 0 for any free one (default: ${DEFAULT_PORT})` },
  'token-file': {
    value: '<path>',
    help: 'require a token from this file: lines "<name> sha256:<hex> [namespaces=a,b]" (kubeglance hash-token makes the hash); re-read when it changes',
  },
  'auth-proxy-header': { value: '<header>', help: 'trust a reverse proxy (oauth2-proxy) to name the user in this header, e.g. X-Forwarded-User; needs --auth-proxy-trusted' },
  'auth-proxy-groups-header': { value: '<header>', help: "the proxy's header listing the user's groups, comma-separated, e.g. X-Forwarded-Groups" },
  'auth-proxy-trusted': { value: '<cidr>', multiple: true, help: 'addresses the proxy connects from (e.g. 10.0.0.0/8); repeat for several; the headers are ignored from anywhere else' },
  'authz-file': {
    value: '<path>',
    help: 'authorization by namespace: YAML or JSON mapping groups (and token names) to { namespaces: [names or globs], nodes: true|false }, plus a default; read at start',
  },
  'oidc-issuer': { value: '<url>', help: 'log in with this OpenID Connect provider (https; http only on loopback); needs --oidc-client-id, a client secret and --oidc-redirect-url' },
  'oidc-client-id': { value: '<id>', help: 'the client id kubeglance is registered under at the OIDC provider' },
  'oidc-client-secret': { value: '<secret>', help: 'the client secret (prefer the variable or --oidc-client-secret-file: command lines are visible to other users)' },
  'oidc-client-secret-file': { value: '<path>', help: 'a file holding the client secret' },
  'oidc-redirect-url': { value: '<url>', help: 'the public URL of /auth/callback, as registered at the provider, e.g. https://kubeglance.example.com/auth/callback' },
  'oidc-groups-claim': { value: '<claim>', help: 'the ID token (or userinfo) claim listing the user\'s groups (default: groups)' },
  'oidc-scopes': { value: '<scopes>', help: `scopes to ask for, space- or comma-separated, openid among them (default: ${DEFAULT_OIDC_SCOPES.join(' ')})` },
  'redis-url': {
    value: '<url>',
    help: 'run as one of several replicas: one watches the clusters, all serve browsers from this Redis (redis:// or rediss://; prefer the variable, the URL may hold a password)',
  },
  'redis-key-prefix': { value: '<prefix>', help: `prefix of kubeglance's Redis keys, one per deployment sharing a Redis (default: ${DEFAULT_REDIS_KEY_PREFIX})` },
  'insecure-no-auth': { help: 'listen on a non-loopback --host without authentication: anyone who can reach it can read your clusters' },
  'log-level': { value: '<level>', help: `${LOG_LEVELS.join(', ')} (default: info)` },
  help: { noEnv: true, help: 'show this help' },
  version: { noEnv: true, help: 'show the version' },
} as const satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof FLAGS;

/** A raw value and where it came from (`--port` or `KUBEGLANCE_PORT`), for error messages. */
interface Raw {
  value: string | string[] | true;
  from: string;
}

type RawValues = Partial<Record<FlagName, Raw>>;

export function envName(flag: string): string {
  return `KUBEGLANCE_${flag.toUpperCase().replaceAll('-', '_')}`;
}

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Config {
  const fromFlags = readFlags(argv);
  if (fromFlags.help) return { action: 'help' };
  if (fromFlags.version) return { action: 'version' };
  return validate({ ...readEnv(env), ...fromFlags });
}

export function helpText(): string {
  const rows = Object.entries(FLAGS as Record<string, FlagSpec>).map(([name, spec]) => {
    const usage = `--${name}${spec.value === undefined ? '' : spec.value.startsWith('[') ? spec.value : ` ${spec.value}`}`;
    const env = spec.noEnv ? '' : `\n${' '.repeat(32)}env ${envName(name)}${spec.multiple ? ' (comma-separated)' : ''}`;
    return `  ${usage.padEnd(28)}  ${spec.help}${env}`;
  });
  return [
    'Usage: kubeglance [flags]',
    '       kubeglance hash-token < token.txt   print the sha256:<hex> of a token for a --token-file line',
    '',
    'A live, read-only map of Kubernetes clusters in the browser. Without a kubeconfig it shows',
    'an embedded demo cluster. Flags win over environment variables.',
    '',
    ...rows,
    '',
  ].join('\n');
}

// --- command line ------------------------------------------------------------------------------

/**
 * parseArgs is used as a tokenizer only (strict: false) so that each mistake gets a message of
 * our own, and so that --demo can take an optional size (`--demo`, `--demo=xl`, `--demo xl`).
 */
function readFlags(argv: readonly string[]): RawValues {
  const { tokens } = parseArgs({ args: [...argv], options: PARSE_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const raw: RawValues = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') throw new ConfigError(`unexpected argument "${token.value}"`);
    const name = token.rawName.startsWith('--') ? token.name : undefined;
    if (name === undefined || !isFlagName(name)) throw new ConfigError(`unknown flag ${token.rawName}`);
    let value = token.value;
    if (name === 'demo' && value === undefined) {
      const next = tokens[i + 1];
      if (next?.kind === 'positional' && isDemoSize(next.value)) {
        value = next.value;
        i++;
      } else {
        value = 'medium';
      }
    }
    setFlag(raw, name, value, token.inlineValue === true);
  }
  return raw;
}

const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(FLAGS as Record<string, FlagSpec>).map(([name, spec]) => [
    name,
    // --demo is read as a boolean so that a bare --demo does not swallow the next flag.
    { type: spec.value === undefined || name === 'demo' ? ('boolean' as const) : ('string' as const) },
  ]),
);

function setFlag(raw: RawValues, name: FlagName, value: string | undefined, inline: boolean): void {
  const spec: FlagSpec = FLAGS[name];
  const from = `--${name}`;
  if (spec.value === undefined) {
    if (value !== undefined) throw new ConfigError(`${from} takes no value`);
    raw[name] = { value: true, from };
    return;
  }
  // Without `=`, a value starting with a dash is almost certainly the next flag.
  if (value === undefined || (!inline && value.startsWith('-'))) throw new ConfigError(`${from} needs a value`);
  const previous = raw[name]?.value;
  if (spec.multiple) raw[name] = { value: [...(Array.isArray(previous) ? previous : []), value], from };
  else if (previous !== undefined) throw new ConfigError(`${from} given more than once`);
  else raw[name] = { value, from };
}

function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(FLAGS, name);
}

function isDemoSize(value: string): value is DemoSize {
  return (DEMO_SIZES as readonly string[]).includes(value);
}

// --- environment -------------------------------------------------------------------------------

function readEnv(env: Readonly<Record<string, string | undefined>>): RawValues {
  const raw: RawValues = {};
  for (const [name, spec] of Object.entries(FLAGS as Record<string, FlagSpec>) as [FlagName, FlagSpec][]) {
    if (spec.noEnv) continue;
    const from = envName(name);
    const text = env[from]?.trim();
    if (text === undefined || text === '') continue;
    if (spec.value === undefined) {
      if (envBoolean(text, from)) raw[name] = { value: true, from };
    } else if (name === 'demo') {
      if (text !== 'false' && text !== '0') raw[name] = { value: text === 'true' || text === '1' ? 'medium' : text, from };
    } else if (spec.multiple) {
      raw[name] = { value: text.split(',').map((item) => item.trim()).filter((item) => item !== ''), from };
    } else {
      raw[name] = { value: text, from };
    }
  }
  return raw;
}

function envBoolean(text: string, from: string): boolean {
  if (['true', '1', 'yes'].includes(text.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(text.toLowerCase())) return false;
  throw new ConfigError(`${from} must be true or false, got "${text}"`);
}

// --- validation --------------------------------------------------------------------------------

function validate(raw: RawValues): RunConfig {
  const common = {
    action: 'run' as const,
    host: nonEmpty(raw.host) ?? '127.0.0.1',
    port: raw.port === undefined ? DEFAULT_PORT : integerIn(raw.port, 0, 65_535, 'a port number (0-65535)'),
    logLevel: raw['log-level'] === undefined ? 'info' : oneOf(raw['log-level'], LOG_LEVELS, 'log level'),
    ...prometheusConfig(raw),
    authzFile: nonEmpty(raw['authz-file']),
    redis: redisConfig(raw),
  };
  const auth = authConfig(raw, common.host);
  if (raw.demo !== undefined) return { ...common, auth, source: { kind: 'demo', demo: demoConfig(raw.demo, raw) } };
  for (const flag of ['demo-churn', 'demo-seed'] as const) {
    const given = raw[flag];
    if (given !== undefined) throw new ConfigError(`${given.from} only applies together with --demo`);
  }
  return { ...common, auth, source: { kind: 'kube', kube: kubeConfig(raw) } };
}

function redisConfig(raw: RawValues): RedisConfig | undefined {
  const url = nonEmpty(raw['redis-url']);
  const prefix = raw['redis-key-prefix'];
  if (url === undefined) {
    if (prefix !== undefined) throw new ConfigError(`${prefix.from} only applies together with --redis-url`);
    return undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // The URL is not repeated in the message: it may hold a password.
  if (parsed === undefined || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw new ConfigError(`${raw['redis-url']!.from} must be a redis:// or rediss:// URL with a host, e.g. redis://redis.kubeglance:6379`);
  }
  const keyPrefix = prefix === undefined ? DEFAULT_REDIS_KEY_PREFIX : nonEmpty(prefix)!;
  if (!/^[\x21-\x7e]{1,100}$/.test(keyPrefix)) throw new ConfigError(`${prefix!.from} must be 1-100 printable characters without spaces`);
  return { url, keyPrefix };
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** Headers a proxy cannot mean: they carry other things, and some are set by anyone. */
const RESERVED_HEADERS = ['authorization', 'cookie', 'host', 'x-forwarded-for', 'x-forwarded-proto', 'content-length', 'content-type'];

function authConfig(raw: RawValues, host: string): AuthConfig {
  const tokenFile = nonEmpty(raw['token-file']);
  const proxy = proxyAuthConfig(raw);
  const oidc = oidcAuthConfig(raw);
  const insecure = raw['insecure-no-auth'];
  if (insecure !== undefined && (tokenFile !== undefined || proxy !== undefined || oidc !== undefined)) {
    throw new ConfigError(`${insecure.from} cannot be combined with ${(raw['token-file'] ?? raw['auth-proxy-header'] ?? raw['oidc-issuer'])!.from}: authentication is configured`);
  }
  if (tokenFile === undefined && proxy === undefined && oidc === undefined && insecure === undefined && !isLoopbackHost(host)) {
    throw new ConfigError(
      `refusing to listen on ${host} without authentication (anyone who can reach it could read your clusters): ` +
        'use --token-file, --auth-proxy-header or --oidc-issuer, listen on 127.0.0.1, or pass --insecure-no-auth if you really mean it',
    );
  }
  const auth: AuthConfig = { insecureNoAuth: insecure !== undefined };
  if (tokenFile !== undefined) auth.tokenFile = tokenFile;
  if (proxy !== undefined) auth.proxy = proxy;
  if (oidc !== undefined) auth.oidc = oidc;
  return auth;
}

const OIDC_FLAGS = ['oidc-client-id', 'oidc-client-secret', 'oidc-client-secret-file', 'oidc-redirect-url', 'oidc-groups-claim', 'oidc-scopes'] as const;

function oidcAuthConfig(raw: RawValues): OidcAuthConfig | undefined {
  const issuerRaw = raw['oidc-issuer'];
  if (issuerRaw === undefined) {
    const stray = OIDC_FLAGS.map((flag) => raw[flag]).find((given) => given !== undefined);
    if (stray !== undefined) throw new ConfigError(`${stray.from} only applies together with --oidc-issuer`);
    return undefined;
  }
  const issuer = oidcUrl(issuerRaw, 'the issuer');
  if (issuer.search !== '' || issuer.hash !== '') throw new ConfigError(`${issuerRaw.from}: the issuer URL cannot have a query or fragment`);
  const clientIdRaw = raw['oidc-client-id'];
  if (clientIdRaw === undefined) throw new ConfigError(`${issuerRaw.from} needs --oidc-client-id: the client id kubeglance is registered under`);
  const secret = raw['oidc-client-secret'];
  const secretFile = raw['oidc-client-secret-file'];
  if (secret !== undefined && secretFile !== undefined) throw new ConfigError(`${secret.from} and ${secretFile.from} cannot be used together`);
  if (secret === undefined && secretFile === undefined) {
    throw new ConfigError(`${issuerRaw.from} needs a client secret: --oidc-client-secret-file <path> or ${envName('oidc-client-secret')}`);
  }
  const redirectRaw = raw['oidc-redirect-url'];
  if (redirectRaw === undefined) {
    throw new ConfigError(`${issuerRaw.from} needs --oidc-redirect-url: the public URL of /auth/callback, e.g. https://kubeglance.example.com/auth/callback`);
  }
  const redirect = oidcUrl(redirectRaw, 'the redirect URL');
  if (!redirect.pathname.endsWith('/auth/callback') || redirect.search !== '' || redirect.hash !== '') {
    throw new ConfigError(`${redirectRaw.from}: "${stringValue(redirectRaw)}" must be the URL of kubeglance's /auth/callback (its path ends in /auth/callback, no query)`);
  }
  const groupsRaw = raw['oidc-groups-claim'];
  const groupsClaim = groupsRaw === undefined ? DEFAULT_OIDC_GROUPS_CLAIM : stringValue(groupsRaw);
  if (!/^[\x21-\x7e]{1,256}$/.test(groupsClaim)) throw new ConfigError(`${groupsRaw!.from}: "${groupsClaim}" is not a claim name`);
  const scopesRaw = raw['oidc-scopes'];
  const scopes = scopesRaw === undefined ? [...DEFAULT_OIDC_SCOPES] : [...new Set(stringValue(scopesRaw).split(/[\s,]+/).filter((scope) => scope !== ''))];
  if (scopesRaw !== undefined && !scopes.includes('openid')) throw new ConfigError(`${scopesRaw.from}: the scopes must include openid`);
  const badScope = scopes.find((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope));
  if (badScope !== undefined) throw new ConfigError(`${scopesRaw!.from}: "${badScope}" is not a scope`);
  const config: OidcAuthConfig = { issuer: stringValue(issuerRaw), clientId: nonEmpty(clientIdRaw)!, redirectUrl: redirect.href, groupsClaim, scopes };
  if (secret !== undefined) config.clientSecret = nonEmpty(secret)!;
  if (secretFile !== undefined) config.clientSecretFile = nonEmpty(secretFile)!;
  return config;
}

/** An http(s) URL without credentials; http only to a loopback host (a provider or kubeglance on this machine). */
function oidcUrl(given: Raw, what: string): URL {
  const text = nonEmpty(given)!;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${given.from}: "${text}" is not a URL (expected https://<host>/…)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${given.from}: "${text}" is not an https URL`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(`${given.from}: ${what} must be https (http is accepted only for a loopback host), got "${text}"`);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError(`${given.from}: credentials in the URL are not supported`);
  return url;
}

function proxyAuthConfig(raw: RawValues): ProxyAuthConfig | undefined {
  const header = raw['auth-proxy-header'];
  const groups = raw['auth-proxy-groups-header'];
  const trusted = raw['auth-proxy-trusted'];
  if (header === undefined) {
    const stray = groups ?? trusted;
    if (stray !== undefined) throw new ConfigError(`${stray.from} only applies together with --auth-proxy-header`);
    return undefined;
  }
  const headerName = (given: Raw): string => {
    const value = stringValue(given);
    if (!HEADER_NAME.test(value)) throw new ConfigError(`${given.from}: "${value}" is not an HTTP header name`);
    if (RESERVED_HEADERS.includes(value.toLowerCase())) throw new ConfigError(`${given.from}: ${value} cannot carry the user`);
    return value.toLowerCase();
  };
  if (trusted === undefined) {
    throw new ConfigError(`${header.from} needs --auth-proxy-trusted <cidr>: the header is believed only from the proxy's addresses`);
  }
  const cidrs = list(trusted);
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed === undefined) throw new ConfigError(`${trusted.from}: "${cidr}" is not an address or CIDR range (e.g. 10.0.0.0/8, fd00::/8, 127.0.0.1)`);
    if (parsed.prefix === 0) throw new ConfigError(`${trusted.from}: "${cidr}" trusts every address; name the proxy's addresses`);
  }
  const config: ProxyAuthConfig = { userHeader: headerName(header), trusted: cidrs };
  if (groups !== undefined) {
    config.groupsHeader = headerName(groups);
    if (config.groupsHeader === config.userHeader) throw new ConfigError(`${groups.from} must differ from ${header.from}`);
  }
  return config;
}

function prometheusConfig(raw: RawValues): Pick<RunConfig, 'prometheus' | 'prometheusIntervalSeconds'> {
  const given = raw['prometheus-url'];
  const interval = raw['prometheus-interval'];
  if (given === undefined) {
    if (interval !== undefined) throw new ConfigError(`${interval.from} only applies together with --prometheus-url`);
    return { prometheus: [], prometheusIntervalSeconds: DEFAULT_PROMETHEUS_INTERVAL_SECONDS };
  }
  if (raw.demo !== undefined) {
    throw new ConfigError(`${given.from} cannot be combined with ${raw.demo.from}: the embedded demo cluster simulates its own traffic`);
  }
  const targets = list(given).map((value) => prometheusTarget(value, given.from));
  const bare = targets.filter((t) => t.context === undefined);
  if (bare.length > 0 && targets.length > 1) {
    throw new ConfigError(`${given.from}: a URL without "<context>=" applies to the only cluster shown; with several, name the context of each (<context>=<url>)`);
  }
  const contexts = list(raw.context);
  if (bare.length > 0 && (contexts.length > 1 || raw['all-contexts'] !== undefined)) {
    throw new ConfigError(`${given.from}: several clusters are shown, so name the context the Prometheus belongs to: --prometheus-url <context>=<url>`);
  }
  const seen = new Set<string>();
  for (const { context } of targets) {
    if (context === undefined) continue;
    if (seen.has(context)) throw new ConfigError(`${given.from}: context "${context}" is given more than one Prometheus`);
    seen.add(context);
    if (contexts.length > 0 && !contexts.includes(context)) {
      throw new ConfigError(`${given.from}: context "${context}" is not among the contexts shown (${contexts.join(', ')})`);
    }
  }
  return {
    prometheus: targets,
    prometheusIntervalSeconds: interval === undefined ? DEFAULT_PROMETHEUS_INTERVAL_SECONDS : decimalIn(interval, 5, 86_400, 'a number of seconds, 5 or more'),
  };
}

/** `<url>` or `<context>=<url>`. A value that starts with a scheme is a URL, whatever `=` its query holds. */
function prometheusTarget(value: string, from: string): PrometheusTarget {
  const bareUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  const split = bareUrl ? -1 : value.indexOf('=');
  const context = split < 0 ? undefined : value.slice(0, split);
  const text = split < 0 ? value : value.slice(split + 1);
  if (context === '') throw new ConfigError(`${from}: "${value}" names no context before "="`);
  let url: URL;
  try {
    // "prometheus:9090" parses as a URL of scheme "prometheus:": without "://" it is a host and port.
    if (!text.includes('://')) throw new Error('no scheme');
    url = new URL(text);
  } catch {
    throw new ConfigError(`${from}: "${text}" is not a URL (expected http://<host>:<port>, e.g. http://prometheus.monitoring:9090)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${from}: "${text}" is not an http or https URL`);
  // fetch refuses URLs with credentials, and a password must not end up in logs and status reasons.
  if (url.username !== '' || url.password !== '') throw new ConfigError(`${from}: credentials in the URL are not supported`);
  return context === undefined ? { url: url.href } : { url: url.href, context };
}

function demoConfig(demo: Raw, raw: RawValues): DemoConfig {
  for (const flag of ['kubeconfig', 'context', 'all-contexts', 'namespace', 'read-configmaps'] as const) {
    const given = raw[flag];
    if (given !== undefined) throw new ConfigError(`${demo.from} shows the embedded demo cluster and cannot be combined with ${given.from}`);
  }
  const config: DemoConfig = { size: oneOf(demo, DEMO_SIZES, 'demo size') };
  if (raw['demo-churn'] !== undefined) config.churnPerSecond = decimalIn(raw['demo-churn'], 0, 100_000, 'a number of changes per second');
  if (raw['demo-seed'] !== undefined) config.seed = integerIn(raw['demo-seed'], 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
  return config;
}

function kubeConfig(raw: RawValues): KubeConfig {
  const contexts = list(raw.context);
  if (contexts.length > 0 && raw['all-contexts'] !== undefined) {
    throw new ConfigError(`${raw.context!.from} and ${raw['all-contexts'].from} cannot be used together`);
  }
  const namespaces = list(raw.namespace);
  const badNamespace = namespaces.find((ns) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns));
  if (badNamespace !== undefined) throw new ConfigError(`${raw.namespace!.from}: "${badNamespace}" is not a valid namespace name`);
  const interval = raw['metrics-interval'];
  return {
    kubeconfigPath: nonEmpty(raw.kubeconfig),
    contexts,
    allContexts: raw['all-contexts'] !== undefined,
    namespaces,
    metricsIntervalSeconds: interval === undefined ? 20 : decimalIn(interval, 15, 30, 'a number of seconds from 15 to 30'),
    readConfigMaps: raw['read-configmaps'] !== undefined,
  };
}

function stringValue(raw: Raw): string {
  return typeof raw.value === 'string' ? raw.value : String(raw.value);
}

function list(raw: Raw | undefined): string[] {
  if (raw === undefined) return [];
  const items = Array.isArray(raw.value) ? raw.value : [stringValue(raw)];
  if (items.some((item) => item === '')) throw new ConfigError(`${raw.from} needs a value`);
  return items;
}

function nonEmpty(raw: Raw | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (stringValue(raw) === '') throw new ConfigError(`${raw.from} needs a value`);
  return stringValue(raw);
}

function oneOf<T extends string>(raw: Raw, allowed: readonly T[], what: string): T {
  const value = stringValue(raw);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${raw.from}: unknown ${what} "${value}" (choose from ${allowed.join(', ')})`);
  }
  return value as T;
}

function integerIn(raw: Raw, min: number, max: number, expected: string): number {
  const value = stringValue(raw);
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) throw new ConfigError(`${raw.from} must be ${expected}, got "${value}"`);
  return number;
}

function decimalIn(raw: Raw, min: number, max: number, expected: string): number {
  const value = stringValue(raw);
  const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) throw new ConfigError(`${raw.from} must be ${expected}, got "${value}"`);
  return number;
}
