// Authorization on the routes that carry cluster data: snapshot, stream and topology. An identity
// whose scope is everything takes the routes' shared fast paths unchanged (shared encoded frames,
// shared compressed snapshots); a scoped one gets filtered JSON (see scoped-frames.ts).
import type { FastifyRequest } from 'fastify';
import type { Topology } from '../../model/topology.js';
import type { Hub, SnapshotFrame } from '../hub.js';
import type { StreamView } from '../sse.js';
import type { ClusterStore } from '../store.js';
import { filterTopology } from './filter.js';
import { scopeFor, type AuthzPolicy, type LimitedScope, type Scope } from './scope.js';
import { ScopedFrames, type ScopedFramesOptions } from './scoped-frames.js';

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

  /**
   * Whether the request's identity may see Nodes (and their metrics). The browser needs it to
   * tell "nodes hidden from you" from "nodes not synced yet" when pods name nodes it has not got.
   */
  seesNodes(request: FastifyRequest): boolean {
    const scope = this.scope(request);
    return scope.all === true || scope.nodes;
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

  /** The scope's snapshot frame at the hub's current seq (http.ts compresses it). */
  snapshot(scope: LimitedScope): SnapshotFrame {
    const frames = this.scopedFrames();
    return frames.snapshot(frames.entry(scope));
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
