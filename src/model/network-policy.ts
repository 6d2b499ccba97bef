// NetworkPolicy semantics for the topology: which workloads a policy isolates, which peers its
// rules admit, and which declared connections the policies block.
//
// As Kubernetes defines it (networking.k8s.io/v1): a pod is isolated for ingress (egress) once
// any policy whose policyTypes include Ingress (Egress) selects it; from then on it accepts
// (sends) only what the union of those policies' rules allows. A rule without peers allows every
// peer. A peer with only a podSelector means pods of the policy's own namespace; with a
// namespaceSelector, the pods (podSelector, else all) of every matching namespace; an ipBlock
// means addresses (see ip-block.ts for how they are read).
//
// Simplifications, on purpose:
// - Ports are ignored: a rule that allows some port of a peer allows the connection. The edges
//   say "may connect", and env values seldom name the port a policy lists.
// - The sender behind an Ingress or a route (the ingress controller, the gateway's proxy) is not
//   drawn. It may be admitted by a rule without peers, by any namespaceSelector peer (it lives in
//   some other namespace) or an ipBlock that holds pod addresses; a peer with only a podSelector
//   means pods of the policy's own namespace, and the proxy is taken not to be among them.
import type { ClusterState } from './cluster-state.js';
import { ipBlockReach } from './ip-block.js';
import { matchesSelector } from './label-selector.js';
import { pushTo } from './multimap.js';
import type { Labels, NetworkPolicyPeer, NetworkPolicyRecord, NetworkPolicyRule } from './records.js';
import { OUTSIDE_ID } from './topology-names.js';
import type { Edge, Finding, PodOwnerVertex, TopologyIndex } from './topology.js';

export type PolicyDirection = 'ingress' | 'egress';

/** What the other end of a connection is, as a policy rule sees it. */
export type PolicySubject =
  /** A workload or bare pod of the topology. */
  | { owner: PodOwnerVertex }
  /** An address outside the cluster. */
  | 'outside'
  /** An in-cluster sender the topology does not draw: the proxy behind an Ingress or a route. */
  | 'proxy';

/** How NetworkPolicies hold one vertex, per direction: "ns/name" of the policies that isolate it. */
export interface VertexIsolation {
  vertex: string;
  ingress: string[];
  egress: string[];
}

const POLICY_TYPE = { ingress: 'Ingress', egress: 'Egress' } as const;
const DIRECTIONS: readonly PolicyDirection[] = ['ingress', 'egress'];

function policyName(policy: NetworkPolicyRecord): string {
  return `${policy.namespace ?? ''}/${policy.name}`;
}

function rulesOf(policy: NetworkPolicyRecord, direction: PolicyDirection): NetworkPolicyRule[] {
  return direction === 'ingress' ? policy.ingress : policy.egress;
}

/** The NetworkPolicies of one cluster, resolved against its workload and bare pod vertices. */
export class NetworkPolicies {
  /** Vertex id → the policies that isolate it in that direction (their rules are the allow list). */
  private readonly isolating: Record<PolicyDirection, Map<string, NetworkPolicyRecord[]>> = { ingress: new Map(), egress: new Map() };
  private readonly targetsByPolicy = new Map<NetworkPolicyRecord, PodOwnerVertex[]>();
  private readonly namespaceLabels = new Map<string, Labels>();
  /** `isolatedBy` answers: the deny pass asks the same for many edges. */
  private readonly isolatingNames: Record<PolicyDirection, Map<string, readonly string[]>> = { ingress: new Map(), egress: new Map() };

  constructor(
    state: ClusterState,
    private readonly ownersByNamespace: ReadonlyMap<string, readonly PodOwnerVertex[]>,
  ) {
    for (const ns of state.records('Namespace')) this.namespaceLabels.set(ns.name, { ...ns.labels, 'kubernetes.io/metadata.name': ns.name });
    for (const policy of state.records('NetworkPolicy')) {
      const ns = policy.namespace ?? '';
      // A policy applies to pods of its own namespace only.
      const targets = (ownersByNamespace.get(ns) ?? []).filter((o) => matchesSelector(policy.podSelector, o.labels));
      this.targetsByPolicy.set(policy, targets);
      for (const direction of DIRECTIONS) {
        if (!policy.policyTypes.includes(POLICY_TYPE[direction])) continue;
        for (const target of targets) pushTo(this.isolating[direction], target.vertex.id, policy);
      }
    }
  }

  /** The workload and bare pod vertices a policy selects. */
  targets(policy: NetworkPolicyRecord): readonly PodOwnerVertex[] {
    return this.targetsByPolicy.get(policy) ?? [];
  }

  /**
   * Labels of a namespace, from its Namespace record; every namespace also carries the
   * `kubernetes.io/metadata.name` label (the API server sets it), also one that has no record.
   */
  private labelsOf(namespace: string): Labels {
    return this.namespaceLabels.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace };
  }

  /** Whether a podSelector/namespaceSelector peer of a policy in `policyNamespace` selects `owner`. */
  private peerSelects(peer: NetworkPolicyPeer, policyNamespace: string, owner: PodOwnerVertex): boolean {
    if (peer.podSelector === undefined && peer.namespaceSelector === undefined) return false;
    const ns = owner.vertex.namespace ?? '';
    const inNamespace = peer.namespaceSelector === undefined ? ns === policyNamespace : matchesSelector(peer.namespaceSelector, this.labelsOf(ns));
    // With only a namespaceSelector: every pod there.
    return inNamespace && matchesSelector(peer.podSelector ?? {}, owner.labels);
  }

  /** The vertices a podSelector/namespaceSelector peer selects (none for an ipBlock). */
  peerOwners(peer: NetworkPolicyPeer, policyNamespace: string): PodOwnerVertex[] {
    if (peer.podSelector === undefined && peer.namespaceSelector === undefined) return [];
    const { namespaceSelector, podSelector = {} } = peer;
    const namespaces = namespaceSelector === undefined ? [policyNamespace] : [...this.ownersByNamespace.keys()].filter((ns) => matchesSelector(namespaceSelector, this.labelsOf(ns)));
    return namespaces.flatMap((ns) => (this.ownersByNamespace.get(ns) ?? []).filter((o) => matchesSelector(podSelector, o.labels)));
  }

  /** "ns/name" of the policies that isolate a vertex in a direction, sorted; empty when it is not isolated. */
  private isolatedBy(direction: PolicyDirection, vertex: string): readonly string[] {
    const cache = this.isolatingNames[direction];
    let names = cache.get(vertex);
    if (names === undefined) cache.set(vertex, (names = (this.isolating[direction].get(vertex) ?? []).map(policyName).sort()));
    return names;
  }

  /**
   * Whether `vertex` may receive from (ingress) or send to (egress) `subject`: it is not isolated
   * in that direction, or a rule of a policy that isolates it admits the subject.
   */
  allows(direction: PolicyDirection, vertex: string, subject: PolicySubject): boolean {
    const policies = this.isolating[direction].get(vertex);
    if (policies === undefined) return true;
    return policies.some((p) => rulesOf(p, direction).some((rule) => this.ruleAdmits(rule, p.namespace ?? '', subject)));
  }

  private ruleAdmits(rule: NetworkPolicyRule, policyNamespace: string, subject: PolicySubject): boolean {
    if (rule.peers.length === 0) return true;
    return rule.peers.some((peer) => {
      if (peer.ipBlock !== undefined) {
        const reach = ipBlockReach(peer.ipBlock);
        return subject === 'outside' ? reach.outside : reach.inCluster;
      }
      if (subject === 'outside') return false;
      if (subject === 'proxy') return peer.namespaceSelector !== undefined;
      return this.peerSelects(peer, policyNamespace, subject.owner);
    });
  }

  /**
   * The policies that block a connection from `source` to the workload `target`, or undefined
   * when it is allowed: the source's egress policies when none lets it out to the target, and
   * the target's ingress policies when none lets the source in. Only drawn sources have egress.
   */
  blockedBy(source: PolicySubject, target: PodOwnerVertex): string[] | undefined {
    const blocking: string[] = [];
    if (typeof source === 'object' && !this.allows('egress', source.owner.vertex.id, { owner: target })) blocking.push(...this.isolatedBy('egress', source.owner.vertex.id));
    if (!this.allows('ingress', target.vertex.id, source)) blocking.push(...this.isolatedBy('ingress', target.vertex.id));
    return blocking.length > 0 ? blocking : undefined;
  }

  /** Every isolated vertex, sorted by id. */
  isolation(): VertexIsolation[] {
    const ids = new Set([...this.isolating.ingress.keys(), ...this.isolating.egress.keys()]);
    return [...ids].sort().map((vertex) => ({ vertex, ingress: [...this.isolatedBy('ingress', vertex)], egress: [...this.isolatedBy('egress', vertex)] }));
  }
}

/**
 * The 'policy-allow' findings of one direction: for each rule peer, every (source, destination)
 * pair it allows. Ingress: peer → selected workload; egress: selected workload → peer. An ipBlock
 * that reaches outside the cluster is the Outside vertex; one that only holds private addresses
 * names no workload and is not drawn. A rule without peers allows everyone: not drawn, as an
 * edge from (or to) every workload would say nothing. Pods of one workload talking among
 * themselves are no edge of the topology.
 */
export function* policyAllowFindings(g: TopologyIndex, direction: PolicyDirection): Iterable<Finding> {
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  for (const policy of g.state.records('NetworkPolicy')) {
    if (!policy.policyTypes.includes(POLICY_TYPE[direction])) continue;
    const targets = g.policies.targets(policy);
    if (targets.length === 0) continue;
    const detail = policyName(policy);
    for (const [i, rule] of rulesOf(policy, direction).entries()) {
      for (const [j, peer] of rule.peers.entries()) {
        const field = `spec.${direction}[${i}].${peersKey}[${j}]`;
        const peers = peer.ipBlock !== undefined ? (ipBlockReach(peer.ipBlock).outside ? [OUTSIDE_ID] : []) : g.policies.peerOwners(peer, policy.namespace ?? '').map((o) => o.vertex.id);
        for (const other of peers) {
          for (const target of targets) {
            if (other === target.vertex.id) continue;
            yield direction === 'ingress' ? { from: other, to: target.vertex.id, field, detail } : { from: target.vertex.id, to: other, field, detail };
          }
        }
      }
    }
  }
}

/**
 * Sets `deniedBy` on declared config and routes edges whose implied connection the policies
 * block. A config edge (workload A → Service S) implies A → each workload S selects; a routes
 * edge to S implies the Ingress's or route's proxy → each of them. The edge is denied when every
 * such connection is blocked; it names the policies that block them. An edge to a Service that
 * selects nothing (ExternalName, endpoints by hand) implies no connection we can check.
 */
export function markDenied(g: TopologyIndex, edges: readonly Edge[]): void {
  if (g.state.count('NetworkPolicy') === 0) return;
  const owners = new Map(g.podOwners.map((o) => [o.vertex.id, o]));
  const selected = new Map<string, PodOwnerVertex[]>();
  for (const e of edges) {
    const owner = e.type === 'selects' ? owners.get(e.to) : undefined;
    if (owner !== undefined) pushTo(selected, e.from, owner);
  }
  for (const e of edges) {
    if (e.type !== 'config' && e.type !== 'routes') continue;
    const targets = selected.get(e.to);
    if (targets === undefined) continue;
    const sourceOwner = owners.get(e.from);
    const source: PolicySubject = sourceOwner !== undefined ? { owner: sourceOwner } : 'proxy';
    const blocking = new Set<string>();
    let allowed = false;
    for (const target of targets) {
      const blockedBy = g.policies.blockedBy(source, target);
      if (blockedBy === undefined) {
        allowed = true;
        break;
      }
      for (const p of blockedBy) blocking.add(p);
    }
    if (!allowed) e.deniedBy = [...blocking].sort().join(', ');
  }
}
