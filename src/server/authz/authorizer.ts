// Authorization on the routes that carry cluster data: snapshot, stream and topology. An identity
// whose scope is everything takes the routes' shared fast paths unchanged (shared encoded frames,
// shared compressed snapshots); a scoped one gets filtered JSON (see scoped-frames.ts).
import { promisify } from 'node:util';
import { brotliCompress as brotliCallback, constants as zlibConstants, gzip as gzipCallback } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Topology } from '../../model/topology.js';
import type { Hub } from '../hub.js';
import type { StreamView } from '../sse.js';
import type { ClusterStore } from '../store.js';
import { filterTopology } from './filter.js';
import { scopeFor, type AuthzPolicy, type Scope } from './scope.js';
import { ScopedFrames, type ScopedFramesOptions, type ScopedScope } from './scoped-frames.js';

const gzip = promisify(gzipCallback);
const brotli = promisify(brotliCallback);
/** Below this a snapshot is sent as is (as in http.ts). */
const COMPRESS_MIN_BYTES = 64 * 1024;

export class Authorizer {
  private frames: ScopedFrames | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly store: ClusterStore,
    /** Absent: everyone sees everything, except that a token's `namespaces=` still narrows. */
    private readonly policy: AuthzPolicy | undefined,
    private readonly options: ScopedFramesOptions = {},
  ) {}

  scope(request: FastifyRequest): Scope {
    return scopeFor(request.identity, this.policy);
  }

  /** The stream view of a scoped request; undefined for one that sees everything (shared frames). */
  streamView(request: FastifyRequest): StreamView | undefined {
    const scope = this.scope(request);
    if (scope.all === true) return undefined;
    const frames = this.scopedFrames();
    const entry = frames.entry(scope);
    return {
      snapshot: () => frames.snapshot(entry).bytes,
      framesSince: (lastSeq) => frames.framesSince(entry, lastSeq),
      delta: (frame, delta) => frames.advance(entry, frame, delta),
    };
  }

  /** Sends the scoped snapshot, compressed per request when large (not shared: it is this scope's). */
  async sendSnapshot(reply: FastifyReply, scope: ScopedScope, encoding: 'br' | 'gzip' | undefined): Promise<FastifyReply> {
    const frames = this.scopedFrames();
    const { json } = frames.snapshot(frames.entry(scope));
    if (encoding === undefined || json.length < COMPRESS_MIN_BYTES) return reply.send(json);
    const body =
      encoding === 'br'
        ? await brotli(json, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: json.length } })
        : await gzip(json, { level: 1 });
    return reply.header('content-encoding', encoding).send(body);
  }

  topology<T extends Topology>(request: FastifyRequest, topology: T): T {
    return filterTopology(topology, this.scope(request));
  }

  close(): void {
    this.frames?.close();
    this.frames = undefined;
  }

  /** Created at the first scoped client: until then authorization costs nothing. */
  private scopedFrames(): ScopedFrames {
    this.frames ??= new ScopedFrames(this.hub, this.store, this.options);
    return this.frames;
  }
}
