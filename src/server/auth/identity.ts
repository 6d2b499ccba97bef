// Who a request is from. Every request that passes the auth hook carries one; the authorization
// step (src/server/authz/) filters what each identity sees by it.

export interface Identity {
  /** Token entry name, proxy user, or `anonymous` when authentication is off. */
  name: string;
  groups: string[];
  /** Namespaces a static token is bound to; absent: not bound by the token. */
  namespaces?: string[];
  /** How the identity was established. */
  via: 'none' | 'token' | 'session' | 'proxy' | 'oidc';
}

export const ANONYMOUS: Identity = Object.freeze({ name: 'anonymous', groups: [], via: 'none' }) as Identity;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook (src/server/auth/hook.ts) on every request it lets through. */
    identity: Identity | null;
  }
}
