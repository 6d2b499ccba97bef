// OIDC login (openid-client): the authorization code flow with PKCE, state and nonce.
//
//   GET /auth/login     makes a verifier, a state and a nonce, keeps them in a short-lived signed
//                       cookie (kubeglance_oidc: HttpOnly, SameSite=Lax so that it comes back with
//                       the provider's redirect, Path=/auth/, 10 minutes) and redirects to the provider.
//   GET /auth/callback  checks the state, exchanges the code (openid-client validates the ID token:
//                       signature, issuer, audience, expiry, nonce) and starts a session.
//
// Sessions are kept server-side under a random session id (oidc-sessions.ts: a bounded map, or
// Redis when there are several replicas): the session cookie (kubeglance_session, the same signed
// cookie as token logins) carries only the user's name and `oidc:<session id>`. The refresh token,
// ID token and expiry never reach the browser. In one process a restart ends every session, as it
// does for token logins (the signing secret is new at every start).
// When a request comes within a minute of the tokens' expiry, they are refreshed first; if that
// fails (or there is no refresh token), the session ends and the browser is sent to log in again.
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import { groupList, isAcceptableName, type Identity } from './identity.js';
import { MemoryOidcSessions, type OidcSessionStore, type StoredOidcSession } from './oidc-sessions.js';
import type { SessionSigner } from './session.js';

export interface OidcOptions {
  /** The issuer URL; its /.well-known/openid-configuration is read at the first login. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The public URL of /auth/callback, as registered with the provider. */
  redirectUrl: string;
  /** The ID token (or userinfo) claim listing the user's groups. Default `groups`. */
  groupsClaim?: string;
  /** Default `openid profile email`. */
  scopes?: string[];
  /** Where sessions live; default: in this process (MemoryOidcSessions). */
  store?: OidcSessionStore;
  /** Longest a session lasts, however often it is refreshed. Default 12 hours. */
  sessionMaxAgeSeconds?: number;
  /** Tests: a fetch of their own for every request to the provider. */
  fetch?: client.CustomFetch;
}

export const DEFAULT_OIDC_SCOPES: readonly string[] = ['openid', 'profile', 'email'];
export const DEFAULT_OIDC_GROUPS_CLAIM = 'groups';

export const LOGIN_STATE_COOKIE = 'kubeglance_oidc';
const LOGIN_STATE_PURPOSE = 'oidc-login';
const LOGIN_STATE_SECONDS = 600;
/** Tokens expiring within this are refreshed before the request goes on. */
const REFRESH_MARGIN_MS = 60_000;
const DEFAULT_SESSION_MAX_AGE_SECONDS = 12 * 3600;

interface LoginState {
  state: string;
  nonce: string;
  verifier: string;
}

export type CallbackResult = { ok: true; sessionId: string; identity: Identity; maxAgeSeconds: number } | { ok: false; status: number; message: string };

export class OidcLogin {
  private configuration: Promise<client.Configuration> | undefined;
  private readonly sessions: OidcSessionStore;
  private readonly groupsClaim: string;
  private readonly scopes: string;
  private readonly sessionMaxAgeMs: number;

  constructor(
    private readonly options: OidcOptions,
    private readonly signer: SessionSigner,
    private readonly logger?: Logger,
  ) {
    this.groupsClaim = options.groupsClaim ?? DEFAULT_OIDC_GROUPS_CLAIM;
    this.scopes = (options.scopes ?? DEFAULT_OIDC_SCOPES).join(' ');
    this.sessions = options.store ?? new MemoryOidcSessions();
    this.sessionMaxAgeMs = (options.sessionMaxAgeSeconds ?? DEFAULT_SESSION_MAX_AGE_SECONDS) * 1000;
  }

  /** The provider's URL to send the browser to, and the login-state cookie to set with it. */
  async startLogin(secure: boolean): Promise<{ location: string; cookie: string }> {
    const config = await this.config();
    const state: LoginState = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUrl,
      scope: this.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(state.verifier),
      code_challenge_method: 'S256',
      state: state.state,
      nonce: state.nonce,
    });
    const sealed = this.signer.seal(LOGIN_STATE_PURPOSE, state, Date.now() + LOGIN_STATE_SECONDS * 1000);
    return { location: url.href, cookie: loginStateCookie(sealed, LOGIN_STATE_SECONDS, secure) };
  }

  /** Completes a login from the provider's redirect (`search`: the query string, with its `?`). */
  async finishLogin(search: string, loginStateCookieValue: string | undefined): Promise<CallbackResult> {
    const opened = loginStateCookieValue === undefined ? undefined : this.signer.open(LOGIN_STATE_PURPOSE, loginStateCookieValue);
    if (!isLoginState(opened)) return { ok: false, status: 400, message: 'the login has expired or was not started here: log in again' };
    const config = await this.config();
    const currentUrl = new URL(this.options.redirectUrl);
    currentUrl.search = search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: opened.verifier,
        expectedState: opened.state,
        expectedNonce: opened.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      this.logger?.info({ err: describe(error) }, 'OIDC login refused');
      return { ok: false, status: 401, message: `the login was not accepted: ${describe(error)}` };
    }
    const claims = tokens.claims();
    if (claims === undefined) return { ok: false, status: 401, message: 'the provider sent no ID token' };
    const name = userName(claims);
    if (name === undefined) return { ok: false, status: 401, message: 'the ID token names no user (preferred_username, email or sub)' };
    const groups = await this.groupsOf(config, claims, tokens.access_token);
    const now = Date.now();
    const session: StoredOidcSession = {
      identity: { name, groups, via: 'oidc' },
      tokensExpireAt: tokensExpiry(tokens, now),
      sessionExpiresAt: now + this.sessionMaxAgeMs,
    };
    if (tokens.refresh_token !== undefined) session.refreshToken = tokens.refresh_token;
    if (tokens.id_token !== undefined) session.idToken = tokens.id_token;
    const sessionId = randomBytes(24).toString('base64url');
    await this.sessions.put(sessionId, session);
    this.logger?.info({ user: name, groups: groups.length }, 'OIDC login');
    return { ok: true, sessionId, identity: { ...session.identity, groups: [...groups] }, maxAgeSeconds: Math.floor(this.sessionMaxAgeMs / 1000) };
  }

  /** The identity of a live session, refreshed first when its tokens are about to expire. */
  async resume(sessionId: string): Promise<Identity | undefined> {
    let session = await this.sessions.get(sessionId);
    if (session === undefined) return undefined;
    if (session.sessionExpiresAt <= Date.now()) {
      await this.sessions.delete(sessionId);
      return undefined;
    }
    if (session.tokensExpireAt - Date.now() < REFRESH_MARGIN_MS) {
      const current = session;
      const refreshed = await this.sessions.exclusive(sessionId, () => this.refresh(sessionId, current));
      if (refreshed === false) return undefined;
      // Refreshed here (stored), or by whoever held the refresh: read what it left.
      session = await this.sessions.get(sessionId);
      if (session === undefined) return undefined;
    }
    return { ...session.identity, groups: [...session.identity.groups] };
  }

  /**
   * Ends a session here; the provider's end-session URL to send the browser to (RP-initiated
   * logout), when it has one.
   */
  async logout(sessionId: string): Promise<string | undefined> {
    const session = await this.sessions.get(sessionId);
    await this.sessions.delete(sessionId);
    if (session === undefined) return undefined;
    let config: client.Configuration;
    try {
      config = await this.config();
    } catch {
      return undefined;
    }
    if (session.refreshToken !== undefined && config.serverMetadata().revocation_endpoint !== undefined) {
      client.tokenRevocation(config, session.refreshToken, { token_type_hint: 'refresh_token' }).catch((error: unknown) => {
        this.logger?.debug({ err: describe(error) }, 'refresh token revocation failed');
      });
    }
    if (config.serverMetadata().end_session_endpoint === undefined) return undefined;
    const parameters: Record<string, string> = { client_id: this.options.clientId };
    if (session.idToken !== undefined) parameters.id_token_hint = session.idToken;
    return client.buildEndSessionUrl(config, parameters).href;
  }

  /** Refreshes the tokens and stores the session again; ends the session when that fails. */
  private async refresh(sessionId: string, session: StoredOidcSession): Promise<boolean> {
    const end = async (why: string): Promise<false> => {
      await this.sessions.delete(sessionId);
      this.logger?.info({ user: session.identity.name, why }, 'OIDC session ended');
      return false;
    };
    if (session.refreshToken === undefined) return session.tokensExpireAt > Date.now() ? true : end('tokens expired and there is no refresh token');
    try {
      const config = await this.config();
      const tokens = await client.refreshTokenGrant(config, session.refreshToken);
      const claims = tokens.claims();
      if (claims !== undefined) {
        // A refreshed ID token is about the same user; its groups may have changed.
        session.identity = { ...session.identity, groups: await this.groupsOf(config, claims, tokens.access_token) };
        if (tokens.id_token !== undefined) session.idToken = tokens.id_token;
      }
      if (tokens.refresh_token !== undefined) session.refreshToken = tokens.refresh_token;
      session.tokensExpireAt = tokensExpiry(tokens, Date.now());
      await this.sessions.put(sessionId, session);
      return true;
    } catch (error) {
      return end(`refresh failed: ${describe(error)}`);
    }
  }

  /** Groups from the configured claim of the ID token, or of userinfo when the ID token has none. */
  private async groupsOf(config: client.Configuration, claims: client.IDToken, accessToken: string | undefined): Promise<string[]> {
    if (claims[this.groupsClaim] !== undefined) return groupList(claims[this.groupsClaim]);
    if (accessToken === undefined || config.serverMetadata().userinfo_endpoint === undefined) return [];
    try {
      const info = await client.fetchUserInfo(config, accessToken, claims.sub);
      return groupList(info[this.groupsClaim]);
    } catch (error) {
      this.logger?.debug({ err: describe(error) }, 'OIDC userinfo failed');
      return [];
    }
  }

  /** Discovery, once; retried at the next login when it failed (the provider may start later). */
  private config(): Promise<client.Configuration> {
    if (this.configuration === undefined) {
      const issuer = new URL(this.options.issuer);
      const insecure = issuer.protocol === 'http:';
      const discoveryOptions: client.DiscoveryRequestOptions = {};
      if (insecure) discoveryOptions.execute = [client.allowInsecureRequests];
      if (this.options.fetch !== undefined) discoveryOptions[client.customFetch] = this.options.fetch;
      this.configuration = client
        .discovery(issuer, this.options.clientId, undefined, client.ClientSecretPost(this.options.clientSecret), discoveryOptions)
        .then((config) => {
          if (this.options.fetch !== undefined) config[client.customFetch] = this.options.fetch;
          // Verify ID token signatures against the provider's JWKS too, not only TLS to its token
          // endpoint (which the spec allows, and openid-client does by default).
          client.enableNonRepudiationChecks(config);
          return config;
        });
      this.configuration.catch((error: unknown) => {
        this.logger?.warn({ err: describe(error), issuer: issuer.href }, 'OIDC discovery failed');
        this.configuration = undefined;
      });
    }
    return this.configuration;
  }
}

function isLoginState(value: unknown): value is LoginState {
  if (typeof value !== 'object' || value === null) return false;
  const { state, nonce, verifier } = value as Record<string, unknown>;
  return typeof state === 'string' && typeof nonce === 'string' && typeof verifier === 'string';
}

/** preferred_username, then email, then sub. */
function userName(claims: client.IDToken): string | undefined {
  for (const key of ['preferred_username', 'email', 'sub']) {
    const value = claims[key];
    if (isAcceptableName(value)) return value;
  }
  return undefined;
}

/** The earlier of the access token's and the ID token's expiry. */
function tokensExpiry(tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, now: number): number {
  const candidates: number[] = [];
  const expiresIn = tokens.expiresIn();
  if (expiresIn !== undefined) candidates.push(now + expiresIn * 1000);
  const exp = tokens.claims()?.exp;
  if (typeof exp === 'number') candidates.push(exp * 1000);
  // Neither says: look again in five minutes.
  return candidates.length === 0 ? now + 5 * 60_000 : Math.min(...candidates);
}

function loginStateCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${LOGIN_STATE_COOKIE}=${value}`, 'Path=/auth/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');
}

export function clearLoginStateCookie(secure: boolean): string {
  return loginStateCookie('', 0, secure);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: unknown }).cause;
    const detail = typeof cause === 'object' && cause !== null && 'error_description' in cause ? `: ${String((cause as { error_description: unknown }).error_description)}` : '';
    return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${detail}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
}
