// Injected into the pages of the topology browser benchmark (bench/topology-browser-bench.ts)
// BEFORE page-probe.js, so that page-probe's panning loop runs through the requestAnimationFrame
// wrapper below as well. Plain JavaScript, like page-probe.js: it runs in the page as it is, and the
// benchmark (compiled without DOM types) calls it by name:
//
//   window.__topologyBench.marks         when the topology view first drew the complete graph
//   window.__topologyBench.watch(spec)   waits for the view to show given vertices and edges
//   window.__topologyBench.navigate(q)   applies a view state as the browser's back button would
//   window.__topologyBench.positions()   where every vertex is on screen now (compact)
//   window.__topologyBench.startFrameCount(), stopFrameCount()
//                                        JS time of the animation frame callbacks, per animation frame
//
// The view's state comes from the app's test hook, window.__kubeglance.topology(): a description of
// every vertex and edge, which costs milliseconds at thousands of vertices. It is only asked for
// while something is awaited (the first drawing, a watch), after each animation frame callback.
// Optional configuration, from an init script before this one: window.__topologyBenchConfig =
// { expect: { vertices, edges } }, the graph the first complete drawing must hold.
(() => {
  const raf = window.requestAnimationFrame.bind(window);
  const config = window.__topologyBenchConfig ?? {};
  /** Epoch milliseconds with sub-millisecond precision: comparable with the benchmark's own clock (Node). */
  const epochNow = () => performance.timeOrigin + performance.now();

  const marks = {
    /** performance.now() (ms since navigation start) after the first draw that showed the whole graph, idle. */
    complete: undefined,
    /** When the GL work of that draw was done (a one-pixel readPixels right after it). */
    rastered: undefined,
    /** The layout worker's time for that layout (the scene's layoutMs): the cold layout. */
    layoutMs: undefined,
    vertices: undefined,
    edges: undefined,
  };

  /** The draw call only queued GL commands: reading a pixel back waits until SwiftShader has executed them. */
  const waitForRaster = () => {
    const canvas = document.querySelector('canvas.topology-canvas');
    const gl = canvas?.getContext('webgl2') ?? canvas?.getContext('webgl');
    if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  };

  /** Whether the scene holds the expected ids and counts (undefined: anything). */
  const shows = (scene, spec) => {
    if (spec.count !== undefined && (scene.vertices.length !== spec.count.vertices || scene.edges.length !== spec.count.edges)) return false;
    if (spec.vertices?.length) {
      const ids = new Set(scene.vertices.map((v) => v.id));
      if (!spec.vertices.every((id) => ids.has(id))) return false;
    }
    if (spec.edges?.length) {
      const ids = new Set(scene.edges.map((e) => e.id));
      if (!spec.edges.every((id) => ids.has(id))) return false;
    }
    return true;
  };

  /** The watch armed by watch(); `result` once the view showed what it waits for. */
  let watching;

  const check = () => {
    const hook = window.__kubeglance;
    // The topology view is created the first time it is shown: until then there is no scene.
    const scene = hook?.topology();
    if (scene === undefined) return;
    // A layout on its way, or none yet: what is drawn is not what is awaited. (topologyIdle also
    // waits for a derivation that is due: new data not yet in the graph.)
    if (scene.pending || scene.layoutMs === undefined) return;
    if (marks.complete === undefined) {
      const expect = config.expect;
      const complete = scene.vertices.length > 0 && (expect === undefined || shows(scene, { count: expect }));
      if (complete && hook.topologyIdle()) {
        marks.complete = performance.now();
        waitForRaster();
        marks.rastered = performance.now();
        marks.layoutMs = scene.layoutMs;
        marks.vertices = scene.vertices.length;
        marks.edges = scene.edges.length;
      }
    }
    if (watching !== undefined && watching.result === undefined && shows(scene, watching.spec) && hook.topologyIdle()) {
      waitForRaster();
      watching.result = { at: epochNow(), layoutMs: scene.layoutMs, vertices: scene.vertices.length, edges: scene.edges.length };
    }
  };

  /** JS time of the animation frame callbacks, summed per animation frame, while counting. */
  let counting;

  window.requestAnimationFrame = (callback) =>
    raf((time) => {
      const started = performance.now();
      try {
        callback(time);
      } finally {
        if (counting !== undefined) {
          // Every callback of one animation frame gets the same timestamp.
          if (counting.time !== time) {
            if (counting.time !== undefined) counting.perFrame.push(counting.ms);
            counting.time = time;
            counting.ms = 0;
          }
          counting.ms += performance.now() - started;
        }
        if (marks.complete === undefined || (watching !== undefined && watching.result === undefined)) check();
      }
    });

  window.__topologyBench = {
    marks,
    /**
     * Arms a watch: `spec` = { vertices?: ids, edges?: drawn edge ids (`from->to`), count?: {
     * vertices, edges } }. `watching.result` is set ({ at: epoch ms after the GL work, layoutMs,
     * vertices, edges }) after the first animation frame at which the idle view shows it.
     */
    watch(spec) {
      watching = { spec, result: undefined };
    },
    watched: () => watching?.result,
    /** Applies a URL query string as the app applies history navigation; returns when (epoch ms). */
    navigate(search) {
      const at = epochNow();
      window.history.pushState(null, '', `${location.pathname}${search}`);
      window.dispatchEvent(new PopStateEvent('popstate'));
      return at;
    },
    /** The camera and, per vertex id, its box on screen: [x, y, w, h] in CSS pixels. */
    positions() {
      const scene = window.__kubeglance.topology();
      return { camera: scene.camera, view: scene.view, layoutMs: scene.layoutMs, vertices: Object.fromEntries(scene.vertices.map((v) => [v.id, [v.box.x, v.box.y, v.box.w, v.box.h]])) };
    },
    /** Starts summing the JS time of animation frame callbacks per animation frame. */
    startFrameCount() {
      counting = { time: undefined, ms: 0, perFrame: [] };
    },
    /** Stops counting; returns the JS milliseconds of each animation frame since startFrameCount. */
    stopFrameCount() {
      const counted = counting;
      counting = undefined;
      if (counted === undefined) return [];
      if (counted.time !== undefined) counted.perFrame.push(counted.ms);
      return counted.perFrame;
    },
    /** Frames the topology view has drawn. */
    frames: () => window.__kubeglance.topology().frames,
  };
})();
