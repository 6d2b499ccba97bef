// What replicas share in Redis, and every operation on it (node-redis). Keys, under one prefix:
//
//   <prefix>lease           the watcher's replica id, with a TTL the watcher keeps renewing
//   <prefix>deltas          a stream of the watcher's deltas, entry id `<seq>-0`, field `d` = the
//                           delta's JSON, byte for byte what browsers get
//   <prefix>snapshot        a hash: `seq` and `gz`, the gzipped SnapshotMessage JSON at that seq
//   <prefix>session-secret  the secret session cookies are signed with, made once by whoever asks
//                           first, so that a cookie from one replica is good at every other
//   <prefix>oidc-session:*  OIDC sessions (redis-oidc-sessions.ts)
//
// Every write the watcher makes checks the lease in the same Lua script: a replica that lost the
// lease (paused, partitioned) cannot append a delta or a snapshot after another took over.
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { createClient, ErrorReply, RESP_TYPES } from 'redis';
import type { Logger } from 'pino';
import type { SnapshotMessage } from '../../model/stream.js';
import type { OidcSessionStore } from '../auth/oidc-sessions.js';
import { RedisOidcSessions } from './redis-oidc-sessions.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Error text the fenced scripts answer with when the lease is someone else's. */
const NOT_WATCHER = 'NOTWATCHER';

const FENCE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('${NOT_WATCHER} the lease is held by another replica') end`;

const PUBLISH_SCRIPT = `${FENCE}
return redis.call('XADD', KEYS[2], ARGV[2], 'd', ARGV[3])`;

// Trimming keeps every delta after the snapshot, and `keep` before it for followers a little
// behind; a follower further behind loads this snapshot instead. A snapshot older than the one
// stored (two writes crossing) is dropped: the stored one only moves forward.
const SNAPSHOT_SCRIPT = `${FENCE}
if tonumber(ARGV[2]) <= tonumber(redis.call('HGET', KEYS[2], 'seq') or '0') then return 0 end
redis.call('HSET', KEYS[2], 'seq', ARGV[2], 'gz', ARGV[3])
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[4])
return 1`;

const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Deltas per blocking read while following, and per read while a new watcher catches up. */
const READ_BATCH = 1_000;
const CATCH_UP_BATCH = 10_000;

/** A write refused because another replica holds the lease. */
export class NotWatcherError extends Error {
  override name = 'NotWatcherError';
}

export interface DeltaEntry {
  seq: number;
  json: string;
}

export class RedisLog {
  private readonly keys: { lease: string; deltas: string; snapshot: string; sessionSecret: string };
  readonly oidcSessions: OidcSessionStore;
  private readonly client: ReturnType<typeof createClient>;
  /** Blocking reads get their own connection: XREAD BLOCK would hold up every other command. */
  private readonly reader: ReturnType<typeof createClient>;

  constructor(
    url: string,
    keyPrefix: string,
    readonly replicaId: string,
    logger: Logger,
  ) {
    this.keys = {
      lease: `${keyPrefix}lease`,
      deltas: `${keyPrefix}deltas`,
      snapshot: `${keyPrefix}snapshot`,
      sessionSecret: `${keyPrefix}session-secret`,
    };
    // Reconnect with a capped backoff, forever: Redis restarting is an outage to ride out.
    this.client = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) } });
    this.reader = this.client.duplicate();
    this.oidcSessions = new RedisOidcSessions(this.client, keyPrefix);
    for (const [name, client] of [
      ['commands', this.client],
      ['reader', this.reader],
    ] as const) {
      // Without a listener node-redis throws on connection errors; they are retried above.
      client.on('error', (err: unknown) => logger.warn({ err: redact(err, url), connection: name }, 'redis connection error'));
    }
  }

  async connect(): Promise<void> {
    await Promise.all([this.client.connect(), this.reader.connect()]);
  }

  async close(): Promise<void> {
    // destroy, not quit: a blocked XREAD would otherwise hold close() for up to its timeout.
    this.reader.destroy();
    if (this.client.isOpen) await this.client.close();
  }

  /** Takes the lease if nobody holds it. */
  async acquire(ttlMs: number): Promise<boolean> {
    return (await this.client.set(this.keys.lease, this.replicaId, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } })) === 'OK';
  }

  /** Extends the lease; false when it is no longer ours. */
  async renew(ttlMs: number): Promise<boolean> {
    return (await this.client.eval(RENEW_SCRIPT, { keys: [this.keys.lease], arguments: [this.replicaId, String(ttlMs)] })) === 1;
  }

  async release(): Promise<void> {
    await this.client.eval(RELEASE_SCRIPT, { keys: [this.keys.lease], arguments: [this.replicaId] });
  }

  /** Appends a delta; rejects with NotWatcherError when the lease is not ours. */
  async publish(seq: number, json: Buffer): Promise<void> {
    await this.fenced(PUBLISH_SCRIPT, [this.keys.lease, this.keys.deltas], [this.replicaId, entryId(seq), json]);
  }

  /** Stores the snapshot at `seq` and trims deltas older than `seq - keep`. */
  async writeSnapshot(seq: number, json: Buffer, keep: number): Promise<void> {
    // Level 1: most of the size win of gzip at a fraction of its time, on the libuv pool.
    const gz = await gzipAsync(json, { level: 1 });
    await this.fenced(SNAPSHOT_SCRIPT, [this.keys.lease, this.keys.snapshot, this.keys.deltas], [this.replicaId, String(seq), gz, entryId(Math.max(0, seq - keep))]);
  }

  /** The stored snapshot and its JSON text, or undefined when there is none yet. */
  async readSnapshot(): Promise<{ message: SnapshotMessage; json: Buffer } | undefined> {
    const [seq, gz] = await this.client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).hmGet(this.keys.snapshot, ['seq', 'gz']);
    if (!Buffer.isBuffer(seq) || !Buffer.isBuffer(gz)) return undefined;
    const json = await gunzipAsync(gz);
    const message = JSON.parse(json.toString('utf8')) as SnapshotMessage;
    if (message.seq !== Number(seq.toString())) throw new Error(`the stored snapshot says seq ${message.seq} but is filed under ${seq.toString()}`);
    return { message, json };
  }

  /** Seq of the stored snapshot, 0 when there is none. */
  async snapshotSeq(): Promise<number> {
    return Number((await this.client.hGet(this.keys.snapshot, 'seq')) ?? 0);
  }

  /** Deltas after `seq`, oldest first; waits up to `blockMs` for one when there are none. */
  async readAfter(seq: number, blockMs: number): Promise<DeltaEntry[]> {
    const reply = (await this.reader.xRead({ key: this.keys.deltas, id: entryId(seq) }, { BLOCK: blockMs, COUNT: READ_BATCH })) as StreamsReply;
    return reply === null ? [] : (reply[0]?.messages ?? []).map(toEntry);
  }

  /** Deltas after `seq`, without waiting (a new watcher catching up before it starts). */
  async rangeAfter(seq: number): Promise<DeltaEntry[]> {
    const messages = (await this.client.xRange(this.keys.deltas, `(${entryId(seq)}`, '+', { COUNT: CATCH_UP_BATCH })) as StreamMessage[];
    return messages.map(toEntry);
  }

  /** Seq of the newest delta in the stream, 0 when it is empty. */
  async lastSeq(): Promise<number> {
    const messages = (await this.client.xRevRange(this.keys.deltas, '+', '-', { COUNT: 1 })) as StreamMessage[];
    return messages[0] === undefined ? 0 : seqOf(messages[0].id);
  }

  /** The shared session secret, created by the first replica that asks. */
  async sessionSecret(): Promise<Buffer> {
    await this.client.set(this.keys.sessionSecret, randomBytes(32).toString('base64'), { condition: 'NX' });
    const secret = await this.client.get(this.keys.sessionSecret);
    if (secret === null) throw new Error('the session secret vanished from Redis right after it was set');
    return Buffer.from(secret, 'base64');
  }

  private async fenced(script: string, keys: string[], args: Array<string | Buffer>): Promise<void> {
    try {
      await this.client.eval(script, { keys, arguments: args });
    } catch (error) {
      if (error instanceof ErrorReply && error.message.startsWith(NOT_WATCHER)) throw new NotWatcherError(error.message);
      throw error;
    }
  }
}

type StreamMessage = { id: string; message: Record<string, string> };
type StreamsReply = Array<{ name: string; messages: StreamMessage[] }> | null;

function entryId(seq: number): string {
  return `${seq}-0`;
}

function seqOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

function toEntry(message: StreamMessage): DeltaEntry {
  const json = message.message['d'];
  if (json === undefined) throw new Error(`stream entry ${message.id} has no delta`);
  return { seq: seqOf(message.id), json };
}

/** node-redis errors can quote the URL; it may hold a password. */
function redact(err: unknown, url: string): unknown {
  if (!(err instanceof Error)) return err;
  const password = safePassword(url);
  if (password === '' || !err.message.includes(password)) return err;
  return new Error(err.message.replaceAll(password, '***'));
}

function safePassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
