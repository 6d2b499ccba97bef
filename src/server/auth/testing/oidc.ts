// Test support for OIDC: a real provider (oidc-provider) on 127.0.0.1 whose login interaction is
// answered at once for the account `login()` names, a "browser" (undici requests, redirects
// followed by hand, a small cookie jar), and a helper to re-sign a JWT.
import { createSign, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'undici';

export interface TestProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** The provider's signing key (RS256). */
  privateKey: KeyObject;
  /** Accounts by id, read at every login and refresh: change one to change its groups. */
  accounts: ReadonlyMap<string, { groups: string[] }>;
  /** The account the next login interaction is answered for (unless `loginForm`). */
  login: () => string;
  /**
   * Show a login page instead, as a real provider does (for a browser): a form whose `login` field
   * names the account; submitting it completes the interaction.
   */
  loginForm?: boolean;
  /** Lifetime of access and ID tokens the provider issues, seconds. */
  tokenTtl: () => number;
  /** Issue a new refresh token at every refresh, the old one then spent. Default false. */
  rotateRefreshTokens?: boolean;
}

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

/** Starts oidc-provider on an ephemeral loopback port. */
export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const jwk: JsonWebKey = { ...options.privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
  // Untyped package (no @types): loaded by a specifier TypeScript does not resolve.
  const { default: Provider } = (await import('oidc-provider' as string)) as { default: new (issuer: string, config: unknown) => ProviderLike };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['cookie-signing-key-for-tests'] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'groups'], email: ['email'] },
    // Scope claims in the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    ttl: {
      AccessToken: () => options.tokenTtl(),
      IdToken: () => options.tokenTtl(),
      RefreshToken: 86_400,
      Session: 86_400,
      Grant: 86_400,
      Interaction: 600,
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    // Each refresh token is good once, as many real providers do: a second use is refused.
    rotateRefreshToken: options.rotateRefreshTokens ?? false,
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = options.accounts.get(sub);
      if (account === undefined) return undefined;
      return { accountId: sub, claims: async () => ({ sub, preferred_username: sub, email: `${sub}@example.test`, groups: account.groups }) };
    },
    // No consent screen: every login is granted the scopes asked for.
    loadExistingGrant: async (ctx: GrantContext) => {
      const accountId = ctx.oidc.session?.accountId;
      if (accountId === undefined) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/') === true) {
      const finish = (accountId: string) =>
        provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false }).catch((error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        });
      if (options.loginForm !== true) {
        void finish(options.login());
      } else if (req.method === 'POST') {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => void finish(new URLSearchParams(body).get('login') ?? ''));
      } else {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(LOGIN_PAGE);
      }
      return;
    }
    callback(req, res);
  });
  return {
    issuer,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The provider's login page (loginForm): posts back to the interaction's own URL. */
const LOGIN_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head><body>' +
  '<h1>Sign in to the test provider</h1><form method="post"><label>User <input name="login" autofocus></label>' +
  '<button type="submit">Sign in</button></form></body></html>';

interface ProviderLike {
  callback(): (req: unknown, res: unknown) => void;
  interactionFinished(req: unknown, res: unknown, result: unknown, options: unknown): Promise<void>;
}
interface GrantContext {
  oidc: {
    session?: { accountId?: string };
    client: { clientId: string };
    provider: { Grant: new (init: { clientId: string; accountId: string }) => { addOIDCScope(scope: string): void; save(): Promise<string> } };
  };
}

const NO_KEEP_ALIVE = new Agent({ pipelining: 0 });

/** The parts of a response the tests look at, the body read already. */
export class Reply {
  readonly headers: { get(name: string): string | null; getSetCookie(): string[] };

  constructor(
    readonly status: number,
    raw: Record<string, string | string[] | undefined>,
    private readonly body: string,
  ) {
    const all = (name: string): string[] => {
      const value = raw[name];
      return value === undefined ? [] : Array.isArray(value) ? value : [value];
    };
    this.headers = { get: (name) => all(name.toLowerCase()).join(', ') || null, getSetCookie: () => all('set-cookie') };
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }
}

/** Cookies per host:port (browsers share them across ports; keeping them apart is simpler here). */
export class Browser {
  private readonly jar = new Map<string, Map<string, { value: string; path: string }>>();

  /** One request, no redirects followed; cookies stored and sent. */
  async request(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const target = new URL(url);
    const headers: Record<string, string> = { 'sec-fetch-mode': 'navigate', ...init.headers };
    const cookie = this.cookieHeader(url);
    if (cookie !== undefined) headers.cookie = cookie;
    // undici.request, not fetch: fetch sets Sec-Fetch-Mode itself. No keep-alive: apps restart on
    // the same port between tests.
    const response = await request(url, { method: (init.method ?? 'GET') as 'GET', headers, dispatcher: NO_KEEP_ALIVE });
    const body = await response.body.text();
    const wrapped = new Reply(response.statusCode, response.headers, body);
    for (const line of wrapped.headers.getSetCookie()) this.store(target.host, line);
    return wrapped;
  }

  /** The Cookie header this browser would send to `url` (for clients other than `request`, e.g. SSE). */
  cookieHeader(url: string): string | undefined {
    const target = new URL(url);
    const cookies = [...(this.jar.get(target.host) ?? new Map<string, { value: string; path: string }>()).entries()]
      .filter(([, c]) => target.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`);
    return cookies.length > 0 ? cookies.join('; ') : undefined;
  }

  /** Follows redirects; returns the first response that is not one, and the URLs visited. */
  async navigate(url: string, visited: string[] = []): Promise<{ response: Reply; visited: string[] }> {
    let current = url;
    for (let hop = 0; hop < 20; hop++) {
      visited.push(current);
      const response = await this.request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { response, visited };
      current = new URL(location, current).href;
    }
    throw new Error(`too many redirects: ${visited.join(' → ')}`);
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name)?.value;
  }

  setCookie(host: string, name: string, value: string, path = '/'): void {
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    this.jar.get(host)!.set(name, { value, path });
  }

  private store(host: string, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key = '', v = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path') path = v;
      if (key.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      if (key.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    if (expired) this.jar.get(host)!.delete(name);
    else this.jar.get(host)!.set(name, { value, path });
  }
}

/** A JWT with the same header and claims (changed by `changes`), signed RS256 by `key`. */
export function resign(jwt: string, key: KeyObject, changes: Record<string, unknown>): string {
  const [header = '', payload = ''] = jwt.split('.');
  const claims = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>), ...changes, jti: randomUUID() };
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = createSign('RSA-SHA256').update(body).sign(key).toString('base64url');
  return `${body}.${signature}`;
}
