// The test hook's view of what the occupancy view drew (window.__kubeglance.scene()). Screen
// rectangles are CSS pixels relative to the canvas.
import type { VisualStatus } from '../../../model/occupancy.js';
import type { Camera } from '../../url-state.js';

export interface ScreenRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SceneSnapshot {
  camera: Camera;
  view: { width: number; height: number };
  frames: number;
  clusters: { id: string; name: string; phase: string; box: ScreenRect; groups: { value: string; nodes: string[]; box: ScreenRect }[] }[];
  nodes: {
    cluster: string;
    kind: 'node' | 'unscheduled';
    name: string;
    uid: string | undefined;
    box: ScreenRect;
    ready: boolean | undefined;
    cordoned: boolean | undefined;
    podCount: number;
    selected: boolean;
  }[];
  pods: {
    cluster: string;
    uid: string;
    name: string;
    namespace: string;
    node: string | undefined;
    /** The box the pod is drawn in: its node's name, or the scheduler's reason. */
    box: string;
    status: VisualStatus;
    shape: string;
    /** The status colour, and the colour actually drawn (dimmed when filtered out). */
    color: string;
    drawnColor: string;
    dim: boolean;
    restarts: number;
    screen: ScreenRect;
    selected: boolean;
  }[];
}
