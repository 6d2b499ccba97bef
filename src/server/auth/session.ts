// Session cookies: a small signed payload (HMAC-SHA256) under a secret made from
// crypto.randomBytes at every start. There is no default secret, and none is read from config:
// a restart ends every session (see README, "Authentication").
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'kubeglance_session';
/** Cookie headers longer than this are not looked at. */
const MAX_COOKIE_HEADER = 8192;
const MAX_SESSION_VALUE = 2048;

export interface SessionPayload {
  /** The token entry the session was made from. */
  name: string;
  /** Fingerprint of that entry's digest: a replaced token with the same name ends the session. */
  fp: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

export class SessionSigner {
  private readonly secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    if (secret.length < 32) throw new Error('a session secret needs at least 32 bytes');
    this.secret = secret;
  }

  sign(payload: SessionPayload): string {
    return pack('v1', payload, (body) => this.mac(body));
  }

  /** The payload of a well-formed, correctly signed, unexpired value; undefined otherwise. */
  verify(value: string, now = Date.now()): SessionPayload | undefined {
    const payload = unpack(value, 'v1', (body) => this.mac(body));
    if (!isPayload(payload) || payload.exp <= now) return undefined;
    return payload;
  }

  /**
   * Any small JSON value under this secret, for a purpose of its own (a value sealed for one
   * purpose does not open for another), until `exp` (ms since the epoch). Signed, not encrypted:
   * only for values the browser may see (the OIDC login state: state, nonce, PKCE verifier).
   */
  seal(purpose: string, value: unknown, exp: number): string {
    return pack('s1', { v: value, exp }, (body) => this.purposeMac(purpose, body));
  }

  /** The value sealed for `purpose`, if well-formed, correctly signed and unexpired. */
  open(purpose: string, sealed: string, now = Date.now()): unknown {
    const parsed = unpack(sealed, 's1', (body) => this.purposeMac(purpose, body));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { v, exp } = parsed as { v?: unknown; exp?: unknown };
    if (typeof exp !== 'number' || !(exp > now)) return undefined;
    return v;
  }

  /** Fingerprint of a token digest, as kept in a session (not the digest itself). */
  fingerprint(digest: Buffer): string {
    return createHmac('sha256', this.secret).update('fp:').update(digest).digest('base64url').slice(0, 22);
  }

  private purposeMac(purpose: string, body: string): Buffer {
    return createHmac('sha256', this.secret).update(`seal:${purpose}:`).update(body).digest();
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update('session:').update(body).digest();
  }
}

/** `version.body.mac`: the JSON of `value` in base64url, and its MAC. */
function pack(version: string, value: unknown, macOf: (body: string) => Buffer): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${version}.${body}.${macOf(body).toString('base64url')}`;
}

/** The parsed JSON of a well-formed, correctly signed `version.body.mac`; undefined otherwise. */
function unpack(value: string, version: string, macOf: (body: string) => Buffer): unknown {
  if (value.length > MAX_SESSION_VALUE) return undefined;
  const parts = value.split('.');
  if (parts.length !== 3 || parts[0] !== version) return undefined;
  const [, body = '', mac = ''] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]{43}$/.test(mac)) return undefined;
  const given = Buffer.from(mac, 'base64url');
  const expected = macOf(body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isPayload(value: unknown): value is SessionPayload {
  if (typeof value !== 'object' || value === null) return false;
  const { name, fp, exp } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof fp === 'string' && typeof exp === 'number' && Number.isFinite(exp);
}

/** The value of one cookie in a Cookie header; the first wins. Bounded and forgiving. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (text === undefined || text.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

export interface CookieAttributes {
  maxAgeSeconds: number;
  secure: boolean;
}

/** HttpOnly, SameSite=Strict, Path=/ always; Secure when the request came over https. */
export function sessionCookie(value: string, { maxAgeSeconds, secure }: CookieAttributes): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}
