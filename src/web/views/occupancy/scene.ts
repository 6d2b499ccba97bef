// The test hook's view of what the occupancy view drew (window.__kubeglance.scene()). Screen
// rectangles are CSS pixels relative to the canvas.
import type { ClusterState } from '../../../model/cluster-state.js';
import { visualStatus, type VisualStatus } from '../../../model/occupancy.js';
import type { PodRecord } from '../../../model/records.js';
import type { Camera, Selection } from '../../url-state.js';
import type { Rect } from './geometry.js';
import { nodeSelectionUid, type OccupancyLayout } from './layout.js';
import { STATUS_STYLES, cssColor, dimmed, type Theme } from './palette.js';
import { cellRect } from './pick.js';
import { boxLabel } from './labels.js';

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
    /** A node box without a Node record (pods name the node): no capacity, readiness or labels. */
    placeholder: boolean;
    /** A placeholder marked "node details hidden" (the server does not let this identity see nodes). */
    detailsHidden: boolean;
    /** Whether CPU, memory and pod-count bars against the node's capacity are drawn. */
    bars: boolean;
    border: 'solid' | 'dashed';
    /** The node name label as drawn when zoomed in enough (see labels.ts). */
    label: string;
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

export interface SceneInput {
  layout: OccupancyLayout;
  camera: Camera;
  view: { width: number; height: number };
  frames: number;
  clusters: ReadonlyMap<string, ClusterState>;
  /** The filter when it dims (undefined when there is none, or when it hides). */
  dims: ((pod: PodRecord) => boolean) | undefined;
  selection: Selection | null;
  theme: Theme;
}

/** Every box and pod of a layout with its place on screen, colour and state. */
export function describeScene({ layout, camera, view, frames, clusters, dims, selection, theme }: SceneInput): SceneSnapshot {
  const screen = (r: Rect) => ({ x: r.x * camera.scale + camera.x, y: r.y * camera.scale + camera.y, w: r.w * camera.scale, h: r.h * camera.scale });
  return {
    camera: { ...camera },
    view,
    frames,
    clusters: layout.clusters.map((c) => ({
      id: c.id, name: c.name, phase: clusters.get(c.id)?.status.phase ?? 'connecting', box: screen(c),
      groups: c.groups.map((group) => ({ value: group.value, nodes: group.nodes.map((n) => n.name), box: screen(group) })),
    })),
    nodes: layout.boxes.map((box) => {
      const selected = selection?.kind === 'Node' && selection.cluster === box.cluster && selection.uid === nodeSelectionUid(box);
      return {
        cluster: box.cluster, kind: box.kind, name: box.name, uid: box.node?.uid, box: screen(box),
        ready: box.node?.ready, cordoned: box.node?.unschedulable, podCount: box.podCount,
        selected,
        placeholder: box.placeholder !== undefined, detailsHidden: box.detailsHidden,
        bars: box.kind === 'node' && box.placeholder === undefined,
        // Hovered and selected boxes are drawn solid (see occupancy-view.ts writeBox).
        border: box.placeholder !== undefined && !selected ? 'dashed' as const : 'solid' as const,
        label: boxLabel(box),
      };
    }),
    pods: layout.boxes.flatMap((box) =>
      box.cells.flatMap((pod, cell) => {
        if (pod === undefined) return [];
        const status = visualStatus(pod);
        const dim = dims !== undefined && !dims(pod);
        const color = STATUS_STYLES[status].color;
        return [{
          cluster: box.cluster, uid: pod.uid, name: pod.name, namespace: pod.namespace ?? '', node: pod.nodeName, box: box.name,
          status, shape: STATUS_STYLES[status].shape, color: cssColor(color), drawnColor: cssColor(dim ? dimmed(color, theme.nodeFill) : color),
          dim, restarts: pod.restarts, screen: screen(cellRect(box, cell)),
          selected: selection?.kind === 'Pod' && selection.uid === pod.uid,
        }];
      }),
    ),
  };
}
