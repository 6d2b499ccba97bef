// Cluster sizes of the demo. xl is Kubernetes' documented limit (5,000 nodes, 150,000 pods).

export type SimulatedSize = 'small' | 'medium' | 'large' | 'xl';

export interface SizeSpec {
  /** Nodes, control plane included. */
  nodes: number;
  /** Pods, every phase included (completed job pods too). */
  pods: number;
  /** Control-plane nodes (tainted NoSchedule, running the static control-plane pods). */
  controlPlane: number;
  /** Kubernetes Events kept at most (the API keeps them bounded too). */
  events: number;
  /** Default churn, operations started per second. */
  churnPerSecond: number;
}

export const SIZES: Readonly<Record<SimulatedSize, Readonly<SizeSpec>>> = {
  small: { nodes: 6, pods: 120, controlPlane: 1, events: 20, churnPerSecond: 1 },
  medium: { nodes: 150, pods: 3_500, controlPlane: 3, events: 50, churnPerSecond: 5 },
  large: { nodes: 1_000, pods: 30_000, controlPlane: 3, events: 100, churnPerSecond: 10 },
  xl: { nodes: 5_000, pods: 150_000, controlPlane: 3, events: 200, churnPerSecond: 20 },
};
