// Open event streams end when what let them in stops holding: a token revoked in the token file
// (its bearer streams and every session made from it), a token login session that expires, a
// token whose namespaces change. Through the whole app over real HTTP, with a short recheck interval.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeltaMessage } from '../../model/stream.js';
import { buildApp } from '../http.js';
import { Hub } from '../hub.js';
import { ServerMetrics } from '../metrics.js';
import { ClusterStore } from '../store.js';
import { pod } from '../testing/fixtures.js';
import { SseClient } from '../testing/sse-client.js';
import type { AuthOptions } from './hook.js';
import { SESSION_COOKIE } from './session.js';
import { StreamWatch } from './stream-watch.js';
import { TokenFile, tokenHashText } from './tokens.js';

const TV = 'tv-token-0123456789abcdef0123456789';
const SCRAPER = 'scraper-token-0123456789abcdef01234';
const TV_LINE = `lobby-tv ${tokenHashText(TV)}`;
const SCRAPER_LINE = `prometheus ${tokenHashText(SCRAPER)}`;
/** Far below the default 2 s, so that the tests do not wait long; the waits below have no deadline of their own but the test's. */
const RECHECK_MS = 50;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubeglance-stream-watch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(auth: Partial<AuthOptions> = {}) {
  const tokenPath = path.join(dir, `tokens-${Math.random().toString(36).slice(2)}`);
  const writeTokens = (...lines: string[]) => writeFileSync(tokenPath, `${lines.join('\n')}\n`);
  writeTokens(TV_LINE, SCRAPER_LINE);
  const tokens = await TokenFile.load(tokenPath, { checkIntervalMs: 0 });
  const store = new ClusterStore();
  const sink = store.addCluster('c1', 'one');
  const hub = new Hub(store, { firstSeq: 0 });
  const app = buildApp({
    store,
    hub,
    metrics: new ServerMetrics(),
    logger: pino({ level: 'silent' }),
    auth: { tokens, streamRecheckMs: RECHECK_MS, ...auth },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => app.close(), () => hub.stop());
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  /** A stream that has delivered its snapshot. */
  const stream = async (headers: Record<string, string>) => {
    const client = await SseClient.connect(`${base}/api/v1/stream`, headers);
    cleanups.push(() => client.close());
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    await client.nextJson('snapshot');
    return client;
  };
  /** A session cookie from the token login, as a Cookie header. */
  const login = async (token: string) => {
    const response = await app.inject({ url: `/login/token?token=${token}` });
    expect(response.statusCode).toBe(303);
    const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE)!;
    return { cookie: `${SESSION_COOKIE}=${cookie.value}` };
  };
  /** A change, flushed: the next delta of every stream still open. */
  const change = (uid: string) => {
    sink([{ type: 'upsert', record: pod(uid) }]);
    hub.flush();
  };
  return { app, writeTokens, stream, login, change };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('event streams and the credential behind them', () => {
  it('ends every stream of a revoked token, bearer and sessions alike; the other tokens stream on', async () => {
    const { app, writeTokens, stream, login, change } = await serve();
    const tvSession = await login(TV);
    const revoked = [await stream(bearer(TV)), await stream(tvSession), await stream(await login(TV))];
    const other = [await stream(bearer(SCRAPER)), await stream(await login(SCRAPER))];

    writeTokens(SCRAPER_LINE);
    await Promise.all(revoked.map((client) => client.closed));

    // The others are still open and still get deltas.
    change('after-revocation');
    for (const client of other) {
      expect(client.isClosed).toBe(false);
      expect((await client.nextJson<DeltaMessage>('delta')).changes).toHaveLength(1);
    }
    // The browser's reconnect is refused, which sends it to log in again.
    expect((await app.inject({ url: '/api/v1/stream', headers: tvSession })).statusCode).toBe(401);
  });

  it('ends the stream of a token login session when the session expires, not before', async () => {
    const { stream, login } = await serve({ sessionMaxAgeSeconds: 1 });
    const loggedInBefore = Date.now();
    const client = await stream(await login(TV));
    const endedAt = await client.closed;
    // The session's expiry is its login time plus one second, so no earlier than this.
    expect(endedAt).toBeGreaterThanOrEqual(loggedInBefore + 1_000);
  });

  it('ends the stream of a token whose namespaces changed, so that the reconnect sees the new ones', async () => {
    const { app, writeTokens, stream } = await serve();
    const client = await stream(bearer(TV));
    writeTokens(`${TV_LINE} namespaces=shop`, SCRAPER_LINE);
    await client.closed;
    const identity = await app.inject({ url: '/api/v1/me', headers: bearer(TV) });
    expect(identity.statusCode).toBe(200);
  });
});

describe('StreamWatch', () => {
  it('ends a response whose check fails or throws, leaves those whose check holds, and forgets closed ones', async () => {
    const watch = new StreamWatch(10);
    cleanups.push(() => watch.close());
    const responses = [fakeResponse(), fakeResponse(), fakeResponse()];
    let firstValid = true;
    watch.watch(responses[0]!.res, async () => firstValid);
    watch.watch(responses[1]!.res, async () => {
      throw new Error('provider unreachable');
    });
    watch.watch(responses[2]!.res, async () => true);
    expect(watch.size).toBe(3);

    await responses[1]!.ended; // fails closed
    expect(responses[0]!.endCalls()).toBe(0);
    firstValid = false;
    await responses[0]!.ended;
    responses[2]!.res.emit('close');
    expect(watch.size).toBe(0);
    expect(responses[2]!.endCalls()).toBe(0);
  });
});

/** Just enough of a ServerResponse for StreamWatch: end() emits close, as a real one does. */
function fakeResponse() {
  const res = new EventEmitter() as EventEmitter & { destroyed: boolean; writableEnded: boolean; end(): void };
  let calls = 0;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  res.destroyed = false;
  res.writableEnded = false;
  res.end = () => {
    calls++;
    res.writableEnded = true;
    resolveEnded();
    res.emit('close');
  };
  return { res: res as unknown as ServerResponse, ended, endCalls: () => calls };
}
