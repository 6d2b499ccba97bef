// The topology endpoint's derivations, reused for a moment. Deriving is cheap at thousands of
// workloads (tens of ms) but takes seconds at Kubernetes' limits (150,000 pods), and it runs on
// the event loop that also feeds every browser: a script polling the endpoint must not be able
// to keep the server busy. So an answer is reused while it is younger than a second or ten times
// what it cost, whichever is longer: the server spends at most about a tenth of its time here.
import type { ClusterState } from '../model/cluster-state.js';
import { deriveTopology, type Topology } from '../model/topology.js';

const MIN_REUSE_MS = 1000;
const COST_FACTOR = 10;

export interface DerivedTopology {
  topology: Topology;
  /** When it was derived, epoch ms. */
  derivedAt: number;
}

export class TopologyCache {
  private readonly entries = new Map<string, { derived: DerivedTopology; state: ClusterState; reuseUntil: number }>();

  constructor(
    private readonly derive: (state: ClusterState) => Topology = deriveTopology,
    private readonly now: () => number = Date.now,
  ) {}

  get(state: ClusterState): DerivedTopology {
    const entry = this.entries.get(state.id);
    const now = this.now();
    // A cluster removed and added again is another state object: never reuse across them.
    if (entry !== undefined && entry.state === state && now < entry.reuseUntil) return entry.derived;
    const started = performance.now();
    const derived = { topology: this.derive(state), derivedAt: now };
    const cost = performance.now() - started;
    this.entries.set(state.id, { derived, state, reuseUntil: now + Math.max(MIN_REUSE_MS, cost * COST_FACTOR) });
    return derived;
  }
}
