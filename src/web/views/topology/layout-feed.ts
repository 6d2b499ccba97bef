// Between the graphs the view is given and the layouts it draws: asks the layout client for a
// layout when the graph's structure changed, passes on at once a graph that changed only in what
// moves nothing (readiness, traffic, dimming), and uses only the answer to the newest request. The
// graph shown stays until its successor is laid out. No PixiJS: tested with a fake client.
import type { GraphLayout, ShapedGraph } from './contracts.js';
import { sameStructure } from './graph-structure.js';
import type { LayoutClient } from './layout-client.js';

export class LayoutFeed {
  /** The graph shown and its layout (same structure). */
  private graph: ShapedGraph | undefined;
  private layout: GraphLayout | undefined;
  /** The newest graph given; the graph a layout was asked for, while it is computed. */
  private latest: ShapedGraph | undefined;
  private requested: ShapedGraph | undefined;
  /** Numbers layout requests: only the newest one's answer is used. */
  private ticket = 0;
  private failure: string | undefined;
  private stopped = false;

  constructor(
    private readonly client: () => LayoutClient,
    /** A graph to draw on its layout (a new layout, or the same one with new attributes). */
    private readonly show: (graph: ShapedGraph, layout: GraphLayout) => void,
    /** A layout failed (not superseded): the previous drawing stays. */
    private readonly failed: (message: string) => void,
  ) {}

  /** Whether a layout is being computed. */
  get pending(): boolean {
    return this.requested !== undefined;
  }

  /** Why the newest layout request failed, until a layout arrives. */
  get error(): string | undefined {
    return this.failure;
  }

  set(graph: ShapedGraph): void {
    if (this.stopped) return;
    this.latest = graph;
    if (this.graph !== undefined && this.layout !== undefined && sameStructure(graph, this.graph)) {
      // A layout asked for a different structure is no longer wanted.
      if (this.requested !== undefined) {
        this.ticket++;
        this.requested = undefined;
      }
      this.graph = graph;
      this.show(graph, this.layout);
      return;
    }
    // The layout on its way fits this graph too: it will be drawn with the newest attributes.
    if (this.requested !== undefined && sameStructure(graph, this.requested)) return;
    this.request(graph);
  }

  /** Ignores every answer from now on. */
  stop(): void {
    this.stopped = true;
    this.ticket++;
    this.requested = undefined;
  }

  private request(graph: ShapedGraph): void {
    const ticket = ++this.ticket;
    this.requested = graph;
    this.client()
      .layout(graph)
      .then(
        (layout) => {
          if (ticket !== this.ticket) return;
          this.requested = undefined;
          this.failure = undefined;
          // `latest` has the structure asked for: a graph of another structure would have asked anew.
          const shown = this.latest ?? graph;
          this.graph = shown;
          this.layout = layout;
          this.show(shown, layout);
        },
        (error: unknown) => {
          if (ticket !== this.ticket) return;
          this.requested = undefined;
          // No superseded request gets here: only this feed asks its client, and a request is
          // superseded only by a newer one, which took a newer ticket.
          this.failure = error instanceof Error ? error.message : String(error);
          this.failed(this.failure);
        },
      );
  }
}
