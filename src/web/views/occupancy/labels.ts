// Text on the occupancy canvas: cluster names and status, group values, node names and
// unscheduled reasons. Labels live in screen space (a constant, readable size whatever the zoom)
// and only for boxes that are on screen and big enough to hold them; a pool of BitmapTexts is
// reused from frame to frame, so panning creates no garbage and a week-long screen does not grow.
// BitmapText draws glyphs: a pod named "<img onerror=...>" is shown as those characters.
import { BitmapText, Container } from 'pixi.js';
import type { ClusterState } from '../../../model/cluster-state.js';
import type { Camera } from '../../url-state.js';
import * as g from './geometry.js';
import type { ClusterBox, OccupancyLayout, PodBox } from './layout.js';
import type { Theme } from './palette.js';

const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const MAX_LABELS = 800;
/** Rough width of a character of the node-name font, to truncate before drawing. */
const CHAR_WIDTH = 6.4;

type Size = 'cluster' | 'group' | 'node';
const FONT_SIZE: Record<Size, number> = { cluster: 14, group: 12, node: 10 };

export class LabelLayer {
  readonly container = new Container();
  private readonly pool: Record<Size, BitmapText[]> = { cluster: [], group: [], node: [] };
  private used: Record<Size, number> = { cluster: 0, group: 0, node: 0 };

  constructor(private theme: Theme) {}

  setTheme(theme: Theme): void {
    this.theme = theme;
    for (const size of Object.keys(this.pool) as Size[]) for (const label of this.pool[size]) label.tint = size === 'node' ? theme.mutedText : theme.text;
  }

  update(layout: OccupancyLayout, camera: Camera, view: { width: number; height: number }, clusters: ReadonlyMap<string, ClusterState>): void {
    this.used = { cluster: 0, group: 0, node: 0 };
    const s = camera.scale;
    const onScreen = (r: g.Rect) => {
      const x = r.x * s + camera.x;
      const y = r.y * s + camera.y;
      return x < view.width && y < view.height && x + r.w * s > 0 && y + r.h * s > 0 ? { x, y, w: r.w * s, h: r.h * s } : undefined;
    };
    for (const cluster of layout.clusters) {
      const box = onScreen(cluster);
      // At overview zoom the header is a few pixels tall: the summary strip names the cluster then.
      if (box === undefined || box.w < 60 || g.CLUSTER_HEADER * s < 16) continue;
      const state = clusters.get(cluster.id);
      const text = `${cluster.name}  ·  ${nodeCount(cluster, state?.count('Node') ?? 0)}  ·  ${state?.count('Pod') ?? 0} pods`;
      this.place('cluster', fit(text, box.w - 16, 8), box.x + 8, box.y + Math.max(2, Math.min(6, box.h / 10)));
      for (const group of cluster.groups) {
        if (group.value === '') continue;
        const gb = onScreen(group);
        if (gb === undefined || gb.w < 70 || g.GROUP_HEADER * s < 9) continue;
        this.place('group', fit(`${group.value}  (${group.nodes.length})`, gb.w - 12, 7.2), gb.x + 6, gb.y + 3);
      }
    }
    // Node names appear once a node's header is tall enough to hold them.
    if (g.NODE_HEADER * s >= 12) {
      for (const box of layout.boxes) {
        if (this.used.node >= MAX_LABELS) break;
        const b = onScreen(box);
        if (b === undefined || b.w < 40) continue;
        const name = boxLabel(box);
        // Node names grow with the header up to 1.6× (the glyphs are drawn at 2× resolution).
        const scale = Math.min(1.6, Math.max(1, (g.NODE_HEADER * s * 0.55) / FONT_SIZE.node));
        this.place('node', fit(name, (b.w - 8) / scale, CHAR_WIDTH), b.x + 4, b.y + (g.NODE_HEADER * s - FONT_SIZE.node * scale) / 2 - 1, scale);
      }
    }
    for (const size of Object.keys(this.pool) as Size[]) {
      const pool = this.pool[size];
      for (let i = this.used[size]; i < pool.length; i++) pool[i]!.visible = false;
      // Give back what a zoomed-in moment needed, so the pool does not keep its peak forever.
      if (pool.length > this.used[size] * 2 + 64) for (const label of pool.splice(this.used[size] + 64)) label.destroy();
    }
  }

  private place(size: Size, text: string, x: number, y: number, scale = 1): void {
    const pool = this.pool[size];
    let label = pool[this.used[size]];
    if (label === undefined) {
      label = new BitmapText({ text, style: { fontFamily: FONT_FAMILY, fontSize: FONT_SIZE[size], fill: 0xffffff } });
      label.tint = size === 'node' ? this.theme.mutedText : this.theme.text;
      pool.push(label);
      this.container.addChild(label);
    } else if (label.text !== text) label.text = text;
    label.visible = true;
    label.position.set(Math.round(x), Math.round(y));
    label.scale.set(scale);
    this.used[size]++;
  }
}

/** Nodes in a cluster header: placeholders are not nodes, and say why they are there. */
function nodeCount(cluster: ClusterBox, nodes: number): string {
  if (cluster.placeholders === 0) return `${nodes} nodes`;
  if (cluster.nodesHidden && nodes === 0) return `${cluster.placeholders} nodes hidden`;
  return `${nodes} nodes + ${cluster.placeholders} ${cluster.nodesHidden ? 'hidden' : 'without Node record'}`;
}

/** The name line of a box: node name and roles, or what a placeholder or unscheduled box is. */
export function boxLabel(box: PodBox): string {
  if (box.kind === 'unscheduled') return `unscheduled: ${box.name}`;
  if (box.placeholder !== undefined) return `${box.name} · ${box.detailsHidden ? 'node details hidden' : 'no Node record'}`;
  const roles = box.node?.roles ?? [];
  return roles.length > 0 ? `${box.name} · ${box.node!.roles.join(', ')}` : box.name;
}

/** Shortens text to fit a width in pixels, with an ellipsis. */
function fit(text: string, width: number, charWidth: number): string {
  const max = Math.floor(width / charWidth);
  if (text.length <= max) return text;
  return max <= 1 ? '' : `${text.slice(0, max - 1)}…`;
}
