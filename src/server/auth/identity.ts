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

const MAX_NAME_CHARS = 256;
const MAX_GROUPS = 256;
const PRINTABLE = /^[^\x00-\x1f\x7f]+$/;

/** A user or group name from outside (a proxy header, an OIDC claim): non-empty, printable, bounded. */
export function isAcceptableName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_CHARS && PRINTABLE.test(value);
}

/** A list of strings, or one string of comma-separated names; anything else is no groups. Trimmed, deduplicated, bounded. */
export function groupList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const groups = items.filter((g): g is string => typeof g === 'string').map((g) => g.trim());
  return [...new Set(groups)].filter(isAcceptableName).slice(0, MAX_GROUPS);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook (src/server/auth/hook.ts) on every request it lets through. */
    identity: Identity | null;
    /**
     * Whether what let this request in still holds now: the token is still in the token file, the
     * session has not expired, the OIDC session is alive (refreshed when due) and names the same
     * user and groups. Long requests (the event stream) ask it again and again. null: nothing that
     * can lapse (authentication off, a trusted proxy's headers).
     */
    stillValid: (() => Promise<boolean>) | null;
  }
}
