// The authentication step: one onRequest hook in front of every route but a few public ones, the
// token login route and logout. Who a request is from ends up in `request.identity`.
//
// Ways in, in this order:
//   1. a trusted reverse proxy (--auth-proxy-header, only from --auth-proxy-trusted addresses);
//   2. `Authorization: Bearer <token>` with a token of --token-file (scripts, Prometheus);
//   3. the session cookie that `GET /login/token?token=…` sets (browsers, TV screens; EventSource
//      cannot set headers, but sends cookies), or that an OIDC login sets (oidc.ts: GET /auth/login,
//      GET /auth/callback; its tokens stay server-side, the cookie names the session).
// With OIDC configured, an unauthenticated browser navigation is redirected to /auth/login.
// Tokens are never accepted in the query string of other routes: URLs end up in logs and history.
import type { TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ANONYMOUS, groupList, isAcceptableName, type Identity } from './identity.js';
import type { Networks } from './networks.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { readCookie, SESSION_COOKIE, sessionCookie, SessionSigner, type SessionPayload } from './session.js';
import { clearLoginStateCookie, LOGIN_STATE_COOKIE, OidcLogin, type OidcOptions } from './oidc.js';
import { findToken, type TokenEntry, type TokenFile } from './tokens.js';

export interface ProxyAuthOptions {
  /** Header naming the user, e.g. X-Forwarded-User. */
  userHeader: string;
  /** Header listing the user's groups, comma-separated, e.g. X-Forwarded-Groups. */
  groupsHeader?: string;
  /** Only requests from these addresses may set the headers above. */
  trusted: Networks;
}

export interface AuthOptions {
  tokens?: TokenFile;
  proxy?: ProxyAuthOptions;
  /** OIDC login (authorization code flow with PKCE). */
  oidc?: OidcOptions;
  logger?: Logger;
  /** Default: a new signer with a secret from crypto.randomBytes. */
  sessions?: SessionSigner;
  /** Login attempts (token login and failed bearer tokens) per client address. */
  loginRateLimit?: Partial<RateLimitOptions>;
  /** How long a token login lasts. Default 30 days (TV screens stay on). */
  sessionMaxAgeSeconds?: number;
  /** How often open event streams ask whether their credential still holds (stream-watch.ts). Default 2 s. */
  streamRecheckMs?: number;
}

/** Reachable without authentication: probes, the favicon, and the ways to log in and out. */
const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/favicon.ico', '/login/token', '/logout', '/auth/login', '/auth/callback']);

const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 10, perSecond: 1 / 6, maxKeys: 10_000 };
const DEFAULT_SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;
const MAX_GROUPS_HEADER_CHARS = 16 * 1024;

/**
 * Installs authentication on an app. Without options (authentication off: loopback, or
 * --insecure-no-auth), every request is ANONYMOUS.
 */
export function installAuth(app: FastifyInstance, options: AuthOptions | undefined): void {
  app.decorateRequest('identity', null);
  app.decorateRequest('stillValid', null);
  if (options === undefined) {
    app.addHook('onRequest', async (request) => {
      request.identity = ANONYMOUS;
    });
    return;
  }
  const auth = new Authenticator(options);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== undefined && PUBLIC_ROUTES.has(request.routeOptions.url)) return;
    const result = await auth.authenticate(request);
    if (result === 'rate-limited') return auth.tooManyAttempts(request, reply);
    if (typeof result === 'string') return auth.deny(request, reply, result);
    request.identity = result.identity;
    request.stillValid = result.stillValid ?? null;
  });

  app.get<{ Querystring: Record<string, unknown> }>('/login/token', { exposeHeadRoute: false }, async (request, reply) => auth.tokenLogin(request, reply));
  app.post('/logout', async (request, reply) => auth.logout(request, reply));
  app.get('/auth/login', { exposeHeadRoute: false }, async (request, reply) => auth.oidcLogin(request, reply));
  app.get('/auth/callback', { exposeHeadRoute: false }, async (request, reply) => auth.oidcCallback(request, reply));
}

type Denial = 'missing' | 'bad-token' | 'bad-scheme';

/** Who the request is from, and how to ask later whether that still holds (see Identity's stillValid). */
interface Authenticated {
  identity: Identity;
  stillValid?: () => Promise<boolean>;
}

const DENIALS: Record<Denial, string> = {
  missing: 'authentication required',
  'bad-token': 'the token is not accepted',
  'bad-scheme': 'only Bearer tokens are accepted in the Authorization header',
};

/** The fingerprint field of an OIDC session cookie: `oidc:<session id>` (token fingerprints have no colon). */
const OIDC_SESSION_PREFIX = 'oidc:';

class Authenticator {
  private readonly sessions: SessionSigner;
  private readonly oidc: OidcLogin | undefined;
  private readonly limiter: RateLimiter;
  private readonly maxAgeSeconds: number;

  constructor(private readonly options: AuthOptions) {
    this.sessions = options.sessions ?? new SessionSigner();
    this.limiter = new RateLimiter({ ...DEFAULT_RATE_LIMIT, ...options.loginRateLimit });
    this.maxAgeSeconds = options.sessionMaxAgeSeconds ?? DEFAULT_SESSION_MAX_AGE_SECONDS;
    this.oidc = options.oidc === undefined ? undefined : new OidcLogin(options.oidc, this.sessions, options.logger);
  }

  async authenticate(request: FastifyRequest): Promise<Authenticated | Denial | 'rate-limited'> {
    // A proxy's headers come with every request; nothing here can end them early.
    const proxied = this.fromProxy(request);
    if (proxied !== undefined) return { identity: proxied };

    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization);
      if (match === null) return 'bad-scheme';
      const key = this.clientKey(request);
      if (!this.limiter.allows(key)) return 'rate-limited';
      const entry = findToken(await this.entries(), match[1]!);
      if (entry === undefined) {
        this.limiter.take(key);
        return 'bad-token';
      }
      return { identity: tokenIdentity(entry, 'token'), stillValid: () => this.stillListed(entry) };
    }

    const session = this.session(request);
    if (session === undefined) return 'missing';
    const oidcSessionId = oidcSessionOf(session);
    if (oidcSessionId !== undefined) {
      const oidc = this.oidc;
      const identity = await oidc?.resume(oidcSessionId);
      if (oidc !== undefined && identity !== undefined && identity.name === session.name) {
        // New groups at a refresh count as a change too: what the request was allowed to see came from the old ones.
        const stillValid = async () => session.exp > Date.now() && sameIdentity(await oidc.resume(oidcSessionId), identity);
        return { identity, stillValid };
      }
    } else if (this.options.tokens !== undefined) {
      // The entry is looked up again on every request: removing its line ends the session.
      const entry = (await this.entries()).find((e) => e.name === session.name && this.sessions.fingerprint(e.digest) === session.fp);
      if (entry !== undefined) {
        return { identity: tokenIdentity(entry, 'session'), stillValid: async () => session.exp > Date.now() && (await this.stillListed(entry)) };
      }
    }
    return 'missing';
  }

  /** The token file still has this entry: same name, token and namespaces (new namespaces change what it may see). */
  private async stillListed(entry: TokenEntry): Promise<boolean> {
    return (await this.entries()).some((e) => e.name === entry.name && e.digest.equals(entry.digest) && sameList(e.namespaces, entry.namespaces));
  }

  async tokenLogin(request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply: FastifyReply): Promise<FastifyReply> {
    reply.header('cache-control', 'no-store');
    if (this.options.tokens === undefined) {
      return reply.code(404).send({ error: { code: 'not_found', message: 'token login is not configured (--token-file)' } });
    }
    if (!this.limiter.take(this.clientKey(request))) return this.tooManyAttempts(request, reply);
    const token = request.query.token;
    const entry = typeof token === 'string' ? findToken(await this.entries(), token) : undefined;
    if (entry === undefined) {
      this.options.logger?.info({ client: this.clientKey(request) }, 'token login refused');
      return this.deny(request, reply, typeof token === 'string' ? 'bad-token' : 'missing');
    }
    const value = this.sessions.sign({ name: entry.name, fp: this.sessions.fingerprint(entry.digest), exp: Date.now() + this.maxAgeSeconds * 1000 });
    this.options.logger?.info({ user: entry.name }, 'token login');
    return reply
      .code(303)
      .header('location', '/')
      .header('set-cookie', sessionCookie(value, { maxAgeSeconds: this.maxAgeSeconds, secure: this.isHttps(request) }))
      .send();
  }

  /** POST only, and only from the app's own pages (CSRF): Sec-Fetch-Site or Origin must say so. */
  async logout(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    reply.header('cache-control', 'no-store');
    if (!this.sameOrigin(request)) {
      return reply.code(403).send({ error: { code: 'cross_origin', message: 'logout is accepted only from kubeglance pages' } });
    }
    reply.header('set-cookie', sessionCookie('', { maxAgeSeconds: 0, secure: this.isHttps(request) }));
    const session = this.session(request);
    const oidcSessionId = session === undefined ? undefined : oidcSessionOf(session);
    if (this.oidc !== undefined && session !== undefined && oidcSessionId !== undefined) {
      // RP-initiated logout: the page goes on to the provider, which ends its own session too.
      const location = await this.oidc.logout(oidcSessionId);
      this.options.logger?.info({ user: session.name }, 'OIDC logout');
      if (location !== undefined) return reply.code(200).send({ location });
    }
    return reply.code(204).send();
  }

  /** GET /auth/login: off to the provider, with the login state in a short-lived signed cookie. */
  async oidcLogin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    reply.header('cache-control', 'no-store');
    if (this.oidc === undefined) {
      return reply.code(404).send({ error: { code: 'not_found', message: 'OIDC login is not configured (--oidc-issuer)' } });
    }
    let start: { location: string; cookie: string };
    try {
      start = await this.oidc.startLogin(this.oidcSecure(request));
    } catch {
      return reply.code(503).send({ error: { code: 'oidc_unavailable', message: 'the OIDC provider cannot be reached; try again later' } });
    }
    return reply.code(302).header('location', start.location).header('set-cookie', start.cookie).send();
  }

  /** GET /auth/callback: the provider's redirect back; a session on success. */
  async oidcCallback(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    reply.header('cache-control', 'no-store');
    if (this.oidc === undefined) {
      return reply.code(404).send({ error: { code: 'not_found', message: 'OIDC login is not configured (--oidc-issuer)' } });
    }
    // Only failed callbacks count against the address (many colleagues may share one NAT address).
    if (!this.limiter.allows(this.clientKey(request))) return this.tooManyAttempts(request, reply);
    const secure = this.oidcSecure(request);
    const query = request.url.indexOf('?');
    let result: Awaited<ReturnType<OidcLogin['finishLogin']>>;
    try {
      result = await this.oidc.finishLogin(query < 0 ? '' : request.url.slice(query), readCookie(request.headers.cookie, LOGIN_STATE_COOKIE));
    } catch {
      result = { ok: false, status: 503, message: 'the OIDC provider cannot be reached; try again later' };
    }
    reply.header('set-cookie', clearLoginStateCookie(secure));
    if (!result.ok) {
      this.limiter.take(this.clientKey(request));
      return reply
        .code(result.status)
        .type('text/html; charset=utf-8')
        .send(page('kubeglance: login failed', `<p>${escapeHtml(result.message)}.</p>\n<p><a href="/auth/login">Log in again</a></p>`));
    }
    const value = this.sessions.sign({ name: result.identity.name, fp: OIDC_SESSION_PREFIX + result.sessionId, exp: Date.now() + result.maxAgeSeconds * 1000 });
    // A page that moves on to the app rather than a redirect: this response ends a navigation that
    // started on the provider's site, and a SameSite=Strict cookie is sent only once the browser
    // navigates from one of our own pages.
    return reply
      .code(200)
      .header('set-cookie', [clearLoginStateCookie(secure), sessionCookie(value, { maxAgeSeconds: result.maxAgeSeconds, secure })])
      .type('text/html; charset=utf-8')
      .send(page('kubeglance: logged in', '<p>Logged in. <a href="/">Open kubeglance</a></p>', '<meta http-equiv="refresh" content="0;url=/">'));
  }

  deny(request: FastifyRequest, reply: FastifyReply, denial: Denial): FastifyReply {
    if (this.oidc !== undefined && wantsPage(request)) {
      return reply.code(302).header('cache-control', 'no-store').header('location', '/auth/login').send();
    }
    reply.code(401).header('cache-control', 'no-store').header('www-authenticate', 'Bearer realm="kubeglance"');
    if (wantsPage(request)) return reply.type('text/html; charset=utf-8').send(this.loginPage(DENIALS[denial]));
    return reply.send({ error: { code: 'unauthorized', message: DENIALS[denial] } });
  }

  tooManyAttempts(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const retryAfter = this.limiter.retryAfterSeconds(this.clientKey(request));
    return reply
      .code(429)
      .header('cache-control', 'no-store')
      .header('retry-after', String(retryAfter))
      .send({ error: { code: 'too_many_attempts', message: `too many login attempts; try again in ${retryAfter} s` } });
  }

  /** The request's session cookie, when correctly signed and unexpired. */
  private session(request: FastifyRequest): SessionPayload | undefined {
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    return cookie === undefined ? undefined : this.sessions.verify(cookie);
  }

  private entries(): Promise<readonly TokenEntry[]> {
    return this.options.tokens?.entries() ?? Promise.resolve([]);
  }

  private fromTrustedProxy(request: FastifyRequest): boolean {
    return this.options.proxy?.trusted.contains(request.raw.socket.remoteAddress) === true;
  }

  private fromProxy(request: FastifyRequest): Identity | undefined {
    const proxy = this.options.proxy;
    if (proxy === undefined || !this.fromTrustedProxy(request)) return undefined;
    const user = headerValue(request, proxy.userHeader)?.trim();
    if (!isAcceptableName(user)) return undefined;
    const groupsText = proxy.groupsHeader === undefined ? undefined : headerValue(request, proxy.groupsHeader);
    const groups = groupsText === undefined || groupsText.length > MAX_GROUPS_HEADER_CHARS ? [] : groupList(groupsText);
    return { name: user, groups, via: 'proxy' };
  }

  /** The client's address; behind a trusted proxy, the address that proxy saw (last X-Forwarded-For hop). */
  private clientKey(request: FastifyRequest): string {
    const socketAddress = request.raw.socket.remoteAddress ?? 'unknown';
    if (!this.fromTrustedProxy(request)) return socketAddress;
    const forwarded = headerValue(request, 'x-forwarded-for');
    const last = forwarded?.split(',').pop()?.trim();
    return last !== undefined && isIP(last) !== 0 ? last : socketAddress;
  }

  /** https to us, or https to a trusted proxy that says so in X-Forwarded-Proto. */
  private isHttps(request: FastifyRequest): boolean {
    if ((request.raw.socket as TLSSocket).encrypted === true) return true;
    if (!this.fromTrustedProxy(request)) return false;
    return headerValue(request, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
  }

  /** OIDC cookies are Secure over https, and whenever the public callback URL is https (TLS ends before us). */
  private oidcSecure(request: FastifyRequest): boolean {
    return this.isHttps(request) || this.options.oidc?.redirectUrl.startsWith('https:') === true;
  }

  private sameOrigin(request: FastifyRequest): boolean {
    const site = headerValue(request, 'sec-fetch-site');
    if (site !== undefined) return site === 'same-origin';
    const origin = headerValue(request, 'origin');
    const host = headerValue(request, 'host');
    if (origin === undefined || host === undefined) return false;
    return origin === `${this.isHttps(request) ? 'https' : 'http'}://${host}`;
  }

  /** A page with no script and no style: what this server accepts, and how to get in. */
  private loginPage(reason: string): string {
    const ways: string[] = [];
    if (this.options.proxy !== undefined) {
      ways.push('<li>Open kubeglance through the sign-in proxy in front of it, not directly.</li>');
    }
    if (this.options.tokens !== undefined) {
      ways.push(
        '<li>With an access token (TV screens): open <code>/login/token?token=&lt;your token&gt;</code> once; ' +
          'the browser then keeps a session cookie. Scripts send <code>Authorization: Bearer &lt;token&gt;</code>.</li>',
      );
    }
    return page(
      'kubeglance: log in',
      `<h1>kubeglance: log in</h1>\n<p>${escapeHtml(reason.charAt(0).toUpperCase() + reason.slice(1))}.</p>\n<p>This kubeglance shows its clusters only to people it knows. Ways in:</p>\n` +
        `<ul>\n${ways.join('\n')}\n</ul>\n<p>Ask whoever runs this kubeglance for access.</p>`,
    );
  }
}

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">${head}<title>${escapeHtml(title)}</title></head>\n<body>\n${body}\n</body>\n</html>\n`;
}

/** The OIDC session id a session cookie names; undefined for a token login's. */
function oidcSessionOf(session: SessionPayload): string | undefined {
  return session.fp.startsWith(OIDC_SESSION_PREFIX) ? session.fp.slice(OIDC_SESSION_PREFIX.length) : undefined;
}

function sameIdentity(a: Identity | undefined, b: Identity): boolean {
  return a !== undefined && a.name === b.name && a.via === b.via && sameList(a.groups, b.groups) && sameList(a.namespaces, b.namespaces);
}

/** The same names, in any order; both absent counts as the same. */
function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const set = new Set(a);
  return a.length === b.length && b.every((name) => set.has(name));
}

function tokenIdentity(entry: TokenEntry, via: 'token' | 'session'): Identity {
  const identity: Identity = { name: entry.name, groups: [], via };
  if (entry.namespaces !== undefined) identity.namespaces = [...entry.namespaces];
  return identity;
}

/** A header as one string (Node joins repeated ones); undefined when absent. */
function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A browser navigating (it gets a page), as opposed to fetch, EventSource or a script (JSON). */
function wantsPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.url.startsWith('/api/')) return false;
  const mode = headerValue(request, 'sec-fetch-mode');
  if (mode !== undefined) return mode === 'navigate';
  return headerValue(request, 'accept')?.includes('text/html') === true;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
