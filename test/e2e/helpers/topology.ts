// Helpers for the topology view's browser tests: waiting on what the view drew (the test hook's
// topology scene) rather than on time, and pointing at what it drew.
import type { Page } from 'playwright-core';
import type { TopologyScene } from '../../../src/web/views/topology/scene.js';
import { pollUntil } from './occupancy.js'; // also declares window.__kubeglance

export type { TopologyScene };
export type SceneVertex = TopologyScene['vertices'][number];
export type SceneEdge = TopologyScene['edges'][number];

/**
 * Polls the topology scene (only while derivation and layout are idle) until `test` holds;
 * returns that scene. On timeout the error shows what the scene held last.
 */
export async function waitForTopology(
  page: Page,
  test: (scene: TopologyScene) => boolean,
  { timeout = 15_000, what = 'a topology condition' }: { timeout?: number; what?: string } = {},
): Promise<TopologyScene> {
  const read = () =>
    page.evaluate(() => {
      const hook = window.__kubeglance;
      return hook !== undefined && hook.topologyIdle() ? hook.topology() : undefined;
    });
  return pollUntil(read, test, { timeout, what, describe: describeTopology });
}

export function describeTopology(s: TopologyScene | undefined): string {
  if (s === undefined) return '(topology never idle)';
  const vertices = s.vertices.map((v) => `${v.id}${v.dim ? ' dim' : ''}${v.selected ? ' selected' : ''}`).join(', ');
  const edges = s.edges.map((e) => `${e.from}->${e.to} [${e.types.join('+')}${e.evidence !== 'declared' ? ` ${e.evidence}` : ''}]`).join(', ');
  return `pending=${s.pending} error=${s.layoutError ?? '-'} vertices [${vertices}] edges [${edges}]`;
}

export function vertex(s: TopologyScene, id: string): SceneVertex {
  const found = s.vertices.find((v) => v.id === id);
  if (found === undefined) throw new Error(`vertex ${id} is not drawn: ${describeTopology(s)}`);
  return found;
}

export function edgeBetween(s: TopologyScene, from: string, to: string): SceneEdge | undefined {
  return s.edges.find((e) => e.from === from && e.to === to);
}

/** Page coordinates of the centre of a vertex drawn on the topology canvas. */
export async function vertexPoint(page: Page, v: SceneVertex): Promise<{ x: number; y: number }> {
  const box = await page.locator('canvas.topology-canvas').boundingBox();
  if (box === null) throw new Error('the topology canvas is not laid out');
  return { x: box.x + v.box.x + v.box.w / 2, y: box.y + v.box.y + v.box.h / 2 };
}
