// Where OIDC sessions live: the tokens of a login, under a random session id that the session
// cookie names. One process keeps them in a bounded map; several replicas keep them in Redis
// (src/server/replication/redis-oidc-sessions.ts), so that a login on one replica holds on all.
import type { Identity } from './identity.js';

export interface StoredOidcSession {
  identity: Identity;
  refreshToken?: string;
  idToken?: string;
  /** When the access or ID token expires (whichever first), ms since the epoch. */
  tokensExpireAt: number;
  /** When the session ends however often it is refreshed. */
  sessionExpiresAt: number;
}

export interface OidcSessionStore {
  get(sessionId: string): Promise<StoredOidcSession | undefined>;
  /** Stores a session until its sessionExpiresAt. */
  put(sessionId: string, session: StoredOidcSession): Promise<void>;
  delete(sessionId: string): Promise<void>;
  /**
   * Runs `refresh` unless the same session is being refreshed already (here or, with Redis, on
   * another replica); then waits for that one to end and returns undefined, and the caller reads
   * the session again. A provider that rotates refresh tokens accepts each one only once.
   */
  exclusive(sessionId: string, refresh: () => Promise<boolean>): Promise<boolean | undefined>;
}

const DEFAULT_MAX_SESSIONS = 10_000;

/** Sessions in this process: a restart ends them all, as it does token logins. */
export class MemoryOidcSessions implements OidcSessionStore {
  private readonly sessions = new Map<string, StoredOidcSession>();
  private readonly refreshing = new Map<string, Promise<boolean>>();

  /** @param maxSessions at most this many live sessions; the oldest goes first. */
  constructor(private readonly maxSessions = DEFAULT_MAX_SESSIONS) {}

  async get(sessionId: string): Promise<StoredOidcSession | undefined> {
    const session = this.sessions.get(sessionId);
    return session === undefined ? undefined : structuredClone(session);
  }

  async put(sessionId: string, session: StoredOidcSession): Promise<void> {
    const now = Date.now();
    this.sessions.delete(sessionId);
    if (this.sessions.size >= this.maxSessions) {
      for (const [id, s] of this.sessions) if (s.sessionExpiresAt <= now) this.sessions.delete(id);
    }
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(sessionId, structuredClone(session));
  }

  async delete(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
  }

  async exclusive(sessionId: string, refresh: () => Promise<boolean>): Promise<boolean | undefined> {
    const running = this.refreshing.get(sessionId);
    if (running !== undefined) {
      await running;
      return undefined;
    }
    const started = refresh().finally(() => this.refreshing.delete(sessionId));
    this.refreshing.set(sessionId, started);
    return started;
  }
}
