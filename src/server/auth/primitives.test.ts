import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './loopback.js';
import { Networks, parseCidr } from './networks.js';
import { RateLimiter } from './rate-limit.js';
import { readCookie, SessionSigner, sessionCookie } from './session.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['128.0.0.1', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.', false],
    ['10.0.0.1', false],
    ['', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('Networks', () => {
  it('matches IPv4, IPv6 and IPv4-mapped addresses against CIDR ranges', () => {
    const networks = new Networks(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    expect(networks.contains('10.200.0.1')).toBe(true);
    expect(networks.contains('::ffff:10.1.1.1')).toBe(true);
    expect(networks.contains('192.0.2.7')).toBe(true);
    expect(networks.contains('192.0.2.8')).toBe(false);
    expect(networks.contains('fd12::1')).toBe(true);
    expect(networks.contains('fe80::1')).toBe(false);
    expect(networks.contains(undefined)).toBe(false);
    expect(networks.contains('not an address')).toBe(false);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '10.0.0.0/8/8', 'host.local', '10.0.0.0/-1', '10.0.0.0/ 8', ''])('refuses %j', (cidr) => {
    expect(parseCidr(cidr)).toBeUndefined();
    expect(() => new Networks([cidr])).toThrow(/is not an address or CIDR range/);
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perSecond: 0.5, maxKeys: 10, now: () => now });
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.retryAfterSeconds('a')).toBe(2);
    expect(limiter.take('b')).toBe(true);
    now += 2_000;
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    now += 3_600_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
  });

  it('holds at most maxKeys addresses, forgetting the least recently seen', () => {
    const limiter = new RateLimiter({ burst: 1, perSecond: 0.001, maxKeys: 100, now: () => 0 });
    limiter.take('first');
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(100);
    // Forgotten: it has its burst again. A bounded map can be flushed by many addresses; that is the price of the bound.
    expect(limiter.take('first')).toBe(true);
    expect(limiter.allows('never-seen')).toBe(true);
    expect(limiter.size).toBe(100);
  });
});

describe('sessions and cookies', () => {
  it('signs and verifies; refuses other secrets, tampering and expiry', () => {
    const signer = new SessionSigner();
    const value = signer.sign({ name: 'tv', fp: 'abc', exp: 2_000 });
    expect(signer.verify(value, 1_000)).toEqual({ name: 'tv', fp: 'abc', exp: 2_000 });
    expect(signer.verify(value, 2_000)).toBeUndefined();
    expect(new SessionSigner().verify(value, 1_000)).toBeUndefined();
    const [v, body, mac] = value.split('.') as [string, string, string];
    const other = Buffer.from(JSON.stringify({ name: 'admin', fp: 'abc', exp: 2_000 })).toString('base64url');
    for (const bad of [`${v}.${other}.${mac}`, `v2.${body}.${mac}`, `${v}.${body}`, `${v}.${body}.${mac}.x`, '', 'x'.repeat(10_000), `${v}.${body}.${'A'.repeat(43)}`]) {
      expect(signer.verify(bad, 1_000)).toBeUndefined();
    }
  });

  it('never accepts a short secret: the default is 32 random bytes', () => {
    expect(() => new SessionSigner(Buffer.alloc(16))).toThrow();
    const a = new SessionSigner();
    const b = new SessionSigner();
    expect(a.fingerprint(Buffer.alloc(32))).not.toBe(b.fingerprint(Buffer.alloc(32)));
  });

  it('reads one cookie from a Cookie header, forgivingly and bounded', () => {
    expect(readCookie('a=1; kubeglance_session=v1.x.y; b=2', 'kubeglance_session')).toBe('v1.x.y');
    expect(readCookie('kubeglance_session="q"', 'kubeglance_session')).toBe('q');
    expect(readCookie('kubeglance_session=first; kubeglance_session=second', 'kubeglance_session')).toBe('first');
    expect(readCookie(';;=;x', 'kubeglance_session')).toBeUndefined();
    expect(readCookie(undefined, 'kubeglance_session')).toBeUndefined();
    expect(readCookie(`kubeglance_session=${'x'.repeat(9000)}`, 'kubeglance_session')).toBeUndefined();
  });

  it('writes HttpOnly, SameSite=Strict cookies for the whole site, Secure on request', () => {
    expect(sessionCookie('v', { maxAgeSeconds: 60, secure: false })).toBe('kubeglance_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict');
    expect(sessionCookie('v', { maxAgeSeconds: 60, secure: true })).toBe('kubeglance_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure');
  });
});

describe('sealed values (the OIDC login state)', () => {
  it('open what was sealed for the same purpose, unexpired, under the same secret', () => {
    const signer = new SessionSigner();
    const value = { state: 's', nonce: 'n', verifier: 'v' };
    const sealed = signer.seal('oidc-login', value, Date.now() + 60_000);
    expect(signer.open('oidc-login', sealed)).toEqual(value);
    expect(signer.open('another-purpose', sealed)).toBeUndefined();
    expect(new SessionSigner().open('oidc-login', sealed)).toBeUndefined();
    expect(signer.open('oidc-login', sealed, Date.now() + 61_000)).toBeUndefined();
    const [version, , mac] = sealed.split('.');
    const tampered = Buffer.from(JSON.stringify({ v: { ...value, state: 'x' }, exp: Date.now() + 60_000 })).toString('base64url');
    expect(signer.open('oidc-login', `${version}.${tampered}.${mac}`)).toBeUndefined();
    // A session cookie is not a sealed value, nor the other way round.
    expect(signer.verify(sealed)).toBeUndefined();
    expect(signer.open('oidc-login', signer.sign({ name: 'a', fp: 'b', exp: Date.now() + 60_000 }))).toBeUndefined();
  });
});
