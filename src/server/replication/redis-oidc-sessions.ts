// OIDC sessions in Redis, for several replicas: a login on one replica holds on every other.
// One key per session, `<prefix>oidc-session:<id>`, expiring with the session. Redis then holds
// refresh tokens (and the session secret, redis-log.ts): protect it with a password and a
// NetworkPolicy, as the chart does.
//
// A refresh takes `<key>:refreshing` for 15 s first: providers that rotate refresh tokens accept
// each one only once, so two replicas must not refresh the same session at the same time.
import type { createClient } from 'redis';
import type { OidcSessionStore, StoredOidcSession } from '../auth/oidc-sessions.js';

const REFRESH_LOCK_MS = 15_000;
const POLL_MS = 100;

export class RedisOidcSessions implements OidcSessionStore {
  constructor(
    private readonly client: ReturnType<typeof createClient>,
    private readonly keyPrefix: string,
  ) {}

  async get(sessionId: string): Promise<StoredOidcSession | undefined> {
    const text = await this.client.get(this.key(sessionId));
    return text === null ? undefined : (JSON.parse(text) as StoredOidcSession);
  }

  async put(sessionId: string, session: StoredOidcSession): Promise<void> {
    const ttlMs = Math.floor(session.sessionExpiresAt - Date.now());
    if (ttlMs <= 0) return this.delete(sessionId);
    await this.client.set(this.key(sessionId), JSON.stringify(session), { expiration: { type: 'PX', value: ttlMs } });
  }

  async delete(sessionId: string): Promise<void> {
    await this.client.del(this.key(sessionId));
  }

  async exclusive(sessionId: string, refresh: () => Promise<boolean>): Promise<boolean | undefined> {
    const lock = `${this.key(sessionId)}:refreshing`;
    if ((await this.client.set(lock, '1', { condition: 'NX', expiration: { type: 'PX', value: REFRESH_LOCK_MS } })) === 'OK') {
      try {
        return await refresh();
      } finally {
        await this.client.del(lock);
      }
    }
    // Someone else refreshes: wait until they are done (or their lock lapses), then read again.
    const deadline = Date.now() + REFRESH_LOCK_MS;
    while ((await this.client.exists(lock)) === 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    return undefined;
  }

  private key(sessionId: string): string {
    return `${this.keyPrefix}oidc-session:${sessionId}`;
  }
}
