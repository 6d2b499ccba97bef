#!/usr/bin/env node
// The `kubeglance` command: flags and environment to config, sources, then the server.
//
// stdout carries exactly one line, `kubeglance listening on <url>`, which scripts parse.
// Everything else goes to stderr: notices for people as plain lines, logs as JSON lines.
import { readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import type { AuthOptions } from '../server/auth/hook.js';
import { isLoopbackHost } from '../server/auth/loopback.js';
import { Networks } from '../server/auth/networks.js';
import { MAX_TOKEN_CHARS, TokenFile, TokenFileError, tokenHashText } from '../server/auth/tokens.js';
import { ServerMetrics } from '../server/metrics.js';
import { AuthzPolicyError, loadAuthzPolicy } from '../server/authz/policy.js';
import type { AuthzPolicy } from '../server/authz/scope.js';
import { startServer } from '../server/server.js';
// Type-only: erased at runtime, so a demo run still never loads the Kubernetes client.
import type { KubeSourcesOptions } from '../sources/kube/index.js';
import { kubeconfigSearch } from '../sources/kube/kubeconfig-search.js';
import type { ClusterSource } from '../sources/source.js';
import type { SourceTelemetry } from '../sources/telemetry.js';
import { ConfigError, helpText, parseConfig, type DemoConfig, type KubeConfig, type OidcAuthConfig, type RunConfig } from './config.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Aborted on SIGINT/SIGTERM: the server stops and main resolves with 0. */
  stop: AbortSignal;
  /** Read by `kubeglance hash-token` only. */
  stdin?: AsyncIterable<Buffer | string>;
}


/** How sources are made; tests pass fakes. */
export interface SourceFactories {
  /** Resolves to null when there is no kubeconfig at all; rejects with StartupError on a bad one. */
  kube(options: KubeSourcesOptions): Promise<ClusterSource[] | null>;
  demo(options: DemoConfig): Promise<ClusterSource>;
}

/** A failure to start that the user can fix: printed as `kubeglance: <message>`, exit code 1. */
export class StartupError extends Error {
  override name = 'StartupError';
}

// Loaded on first use: a demo run never pays for loading the Kubernetes client, and the other way round.
const defaultFactories: SourceFactories = {
  async kube(options) {
    const kube = await import('../sources/kube/index.js');
    try {
      return await kube.createKubeSources(options);
    } catch (error) {
      if (error instanceof kube.KubeConfigError) throw new StartupError(error.message);
      throw error;
    }
  },
  async demo(options) {
    const { createSimulatedSource } = await import('../sources/simulated/index.js');
    return createSimulatedSource(options);
  },
};

export async function main(
  argv: readonly string[],
  env: Env,
  io: CliIo,
  factories: SourceFactories = defaultFactories,
): Promise<number> {
  if (argv[0] === 'hash-token') return hashToken(argv.slice(1), io);
  let config;
  try {
    config = parseConfig(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`kubeglance: ${error.message}\nRun 'kubeglance --help' for usage.\n`);
    return 2;
  }
  if (config.action === 'help') io.stdout.write(helpText());
  if (config.action === 'version') io.stdout.write(`kubeglance ${packageVersion()}\n`);
  if (config.action !== 'run') return 0;

  try {
    return await run(config, env, io, factories);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    io.stderr.write(`kubeglance: ${error.message}\n`);
    return 1;
  }
}

async function run(config: RunConfig, env: Env, io: CliIo, factories: SourceFactories): Promise<number> {
  const logger = pino({ level: config.logLevel, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, io.stderr);
  const metrics = new ServerMetrics();
  // Before the sources: a bad token file stops the start before any cluster is contacted.
  const auth = await authOptions(config, logger);
  const authz = await authzPolicy(config);
  const sources = await createSources(config, env, io, factories, logger, metrics.sourceTelemetry);
  if (config.auth.insecureNoAuth) {
    const where = isLoopbackHost(config.host) ? config.host : `${config.host}, which other machines may reach,`;
    io.stderr.write(
      `kubeglance: WARNING: listening on ${where} with no authentication (--insecure-no-auth): ` +
        'anyone who can reach this port can read your clusters. Use --token-file or --auth-proxy-header unless you mean it.\n',
    );
    logger.warn({ host: config.host }, 'authentication is off (--insecure-no-auth)');
  }

  let reportFatal: (error: Error) => void = () => {};
  const fatal = new Promise<Error>((resolve) => (reportFatal = resolve));
  const replication = config.redis;
  const server = await startServer({ sources, host: config.host, port: config.port, logger, metrics, auth, authz, replication, onFatal: reportFatal }).catch(
    (error: unknown) => {
      const { code, message } = error as NodeJS.ErrnoException;
      const reason = code === 'EADDRINUSE' ? 'address already in use' : message;
      throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${reason}`);
    },
  );
  io.stdout.write(`kubeglance listening on ${server.url}\n`);
  if (replication) logger.info({ clusters: sources.map((source) => source.id) }, 'replica started: watching once it holds the lease in Redis');
  else logger.info({ clusters: sources.map((source) => source.id) }, 'sources started');

  const failure = await Promise.race([aborted(io.stop).then(() => undefined), fatal]);
  logger.info('shutting down');
  await server.stop();
  if (failure === undefined) return 0;
  io.stderr.write(`kubeglance: ${failure.message}\n`);
  return 1;
}

async function createSources(
  config: RunConfig,
  env: Env,
  io: CliIo,
  factories: SourceFactories,
  logger: Logger,
  telemetry: SourceTelemetry,
): Promise<ClusterSource[]> {
  if (config.source.kind === 'demo') {
    const { demo } = config.source;
    io.stderr.write(`kubeglance: showing the embedded simulated cluster (${demo.size}); no real cluster is read\n`);
    return [await factories.demo(demo)];
  }
  const kube = config.source.kube;
  const sources = await factories.kube({ ...kubeOptions(kube), logger, telemetry });
  if (sources !== null) return config.prometheus.length > 0 ? withPrometheus(sources, config, logger) : sources;
  io.stderr.write(
    `kubeglance: no kubeconfig found (looked at ${kubeconfigSearch(kube.kubeconfigPath, env).paths.join(', ')}); ` +
      'showing the embedded demo cluster; use --demo to choose its size\n',
  );
  if (config.prometheus.length > 0) io.stderr.write('kubeglance: --prometheus-url is not used: the embedded demo cluster simulates its own traffic\n');
  return [await factories.demo({ size: 'medium' })];
}

/**
 * Wraps each source that a --prometheus-url names (by its context, which is the source id; a
 * URL without a context names the only source) so that its stream carries observed traffic.
 */
async function withPrometheus(sources: ClusterSource[], config: RunConfig, logger: Logger): Promise<ClusterSource[]> {
  const { withTraffic } = await import('../sources/prometheus/with-traffic.js');
  const urlBySource = new Map<ClusterSource, string>();
  for (const target of config.prometheus) {
    const source = target.context === undefined ? sources[0] : sources.find((s) => s.id === target.context);
    if (target.context === undefined && sources.length > 1) {
      throw new StartupError(`--prometheus-url ${target.url} names no context, but ${sources.length} clusters are shown: use <context>=<url>`);
    }
    if (source === undefined) {
      throw new StartupError(`--prometheus-url names context "${target.context}", which is not shown (shown: ${sources.map((s) => s.id).join(', ')})`);
    }
    urlBySource.set(source, target.url);
  }
  return sources.map((source) => {
    const url = urlBySource.get(source);
    if (url === undefined) return source;
    return withTraffic(source, { url, intervalMs: config.prometheusIntervalSeconds * 1000, logger: logger.child({ cluster: source.id, prometheus: url }) });
  });
}

function kubeOptions(kube: KubeConfig): Omit<KubeSourcesOptions, 'logger' | 'telemetry'> {
  return {
    kubeconfigPath: kube.kubeconfigPath,
    contexts: kube.contexts,
    allContexts: kube.allContexts,
    namespaces: kube.namespaces,
    metricsIntervalMs: kube.metricsIntervalSeconds * 1000,
    readConfigMaps: kube.readConfigMaps,
  };
}

/** Authorization by namespace (--authz-file): a file that cannot be read or parsed stops the start. */
async function authzPolicy(config: RunConfig): Promise<AuthzPolicy | undefined> {
  if (config.authzFile === undefined) return undefined;
  try {
    return await loadAuthzPolicy(config.authzFile);
  } catch (error) {
    if (error instanceof AuthzPolicyError) throw new StartupError(error.message);
    throw error;
  }
}

/** Authentication for the server: undefined when none is configured (loopback or --insecure-no-auth). */
async function authOptions(config: RunConfig, logger: Logger): Promise<AuthOptions | undefined> {
  const { tokenFile, proxy, oidc } = config.auth;
  if (tokenFile === undefined && proxy === undefined && oidc === undefined) return undefined;
  const auth: AuthOptions = { logger: logger.child({ component: 'auth' }) };
  if (tokenFile !== undefined) {
    try {
      auth.tokens = await TokenFile.load(tokenFile, { logger: auth.logger });
    } catch (error) {
      if (error instanceof TokenFileError) throw new StartupError(error.message);
      throw error;
    }
  }
  if (proxy !== undefined) {
    auth.proxy = { userHeader: proxy.userHeader, trusted: new Networks(proxy.trusted) };
    if (proxy.groupsHeader !== undefined) auth.proxy.groupsHeader = proxy.groupsHeader;
  }
  if (oidc !== undefined) {
    const { issuer, clientId, redirectUrl, groupsClaim, scopes } = oidc;
    auth.oidc = { issuer, clientId, clientSecret: await oidcClientSecret(oidc), redirectUrl, groupsClaim, scopes };
  }
  return auth;
}

/** The client secret, from its flag or variable, or from --oidc-client-secret-file (trimmed). */
async function oidcClientSecret(oidc: OidcAuthConfig): Promise<string> {
  if (oidc.clientSecretFile === undefined) return oidc.clientSecret ?? '';
  let text: string;
  try {
    text = await readFile(oidc.clientSecretFile, 'utf8');
  } catch (error) {
    throw new StartupError(`cannot read --oidc-client-secret-file ${oidc.clientSecretFile}: ${(error as Error).message}`);
  }
  const secret = text.trim();
  if (secret === '') throw new StartupError(`--oidc-client-secret-file ${oidc.clientSecretFile} is empty`);
  return secret;
}

/** Shortest token `hash-token` hashes: a token must not be guessable. */
const MIN_TOKEN_CHARS = 20;

/**
 * `kubeglance hash-token`: reads a token on stdin (not argv, which `ps` and shell history show)
 * and prints `sha256:<hex>` for a --token-file line. One trailing newline is not part of the token.
 */
async function hashToken(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length > 0 || io.stdin === undefined) {
    io.stderr.write("kubeglance: hash-token takes no arguments: pipe the token in, e.g. openssl rand -hex 32 | tee token.txt | kubeglance hash-token\n");
    return 2;
  }
  let text = '';
  for await (const chunk of io.stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.length > MAX_TOKEN_CHARS) {
      io.stderr.write(`kubeglance: hash-token: a token is at most ${MAX_TOKEN_CHARS} characters\n`);
      return 2;
    }
  }
  const token = text.replace(/\r?\n$/, '');
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    io.stderr.write(`kubeglance: hash-token: a token needs at least ${MIN_TOKEN_CHARS} characters and no spaces (e.g. from openssl rand -hex 32)\n`);
    return 2;
  }
  io.stdout.write(`${tokenHashText(token)}\n`);
  return 0;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function packageVersion(): string {
  // The same relative path from src/cli (tests) and dist/cli (the built command).
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // realpath: npm runs the command through a symlink in node_modules/.bin.
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal while shutting down means "now".
    if (stop.signal.aborted) process.exit(130);
    stop.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, stop: stop.signal, stdin: process.stdin }).then(
    (code) => {
      process.exitCode = code;
      // Whatever a source left open (a keep-alive socket) must not hold the process after shutdown.
      setTimeout(() => process.exit(), 5_000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`kubeglance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
