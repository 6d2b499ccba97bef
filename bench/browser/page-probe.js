// Injected into every page of the browser benchmark before the page's own scripts
// (page.addInitScript). Plain JavaScript on purpose: it runs in the page as it is, and the
// benchmark's TypeScript (compiled by tsx, without DOM types) only calls it by name:
//
//   window.__bench.marks          when kubeglance drew its first complete frame (see below)
//   window.__bench.pan(seconds)   a requestAnimationFrame loop that pans every frame, timed
//
// A page under test either is kubeglance (window.__kubeglance, panned with arrow keys, as a user
// does) or defines window.__step(), which moves its camera and draws (the baseline pages).
(() => {
  const raf = window.requestAnimationFrame.bind(window);
  const marks = {
    /** performance.now() (ms since navigation start) after kubeglance's first draw of anything. */
    firstDraw: undefined,
    /** After the first draw that left the view idle with the snapshot applied: the complete picture. */
    complete: undefined,
    /** The JS time of that draw (stats().lastFrameMs). */
    completeDrawMs: undefined,
    /** When the GL work of that draw was done (a one-pixel readPixels right after it returned). */
    rastered: undefined,
    /** The first animation frame after it, when the compositor has taken the frame. */
    nextFrame: undefined,
  };

  // kubeglance draws inside requestAnimationFrame callbacks: every callback is wrapped so that
  // right after it returns, a new draw is noticed (stats().frames) and the view's state checked.
  let framesSeen = 0;
  window.requestAnimationFrame = (callback) =>
    raf((time) => {
      callback(time);
      if (marks.complete !== undefined) return;
      const hook = window.__kubeglance;
      if (hook === undefined) return;
      const stats = hook.stats();
      if (stats.frames === framesSeen) return;
      framesSeen = stats.frames;
      const now = performance.now();
      if (marks.firstDraw === undefined) marks.firstDraw = now;
      if (stats.seq !== undefined && stats.cells > 0 && hook.idle()) {
        marks.complete = now;
        marks.completeDrawMs = stats.lastFrameMs;
        // The draw call only queued GL commands: reading a pixel back waits until the GPU
        // process (SwiftShader) has executed them, i.e. the frame is rastered.
        const canvas = document.querySelector('canvas');
        const gl = canvas?.getContext('webgl2') ?? canvas?.getContext('webgl');
        if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
        marks.rastered = performance.now();
        raf(() => {
          marks.nextFrame = performance.now();
        });
      }
    });

  // What the page's event stream delivers: a client that falls behind gets a fresh snapshot frame
  // from the server instead of its deltas, which the benchmark must know about.
  const stream = { deltas: 0, deltaChars: 0, snapshots: 0, snapshotChars: 0, snapshotAt: [] };
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url, init) {
      super(url, init);
      this.addEventListener('delta', (event) => {
        stream.deltas++;
        stream.deltaChars += event.data.length;
      });
      this.addEventListener('snapshot', (event) => {
        stream.snapshots++;
        stream.snapshotChars += event.data.length;
        stream.snapshotAt.push(performance.now());
      });
    }
  };

  /** kubeglance: one arrow key per frame, left and right in turn (100 CSS px each). */
  let right = false;
  const panKubeglance = () => {
    right = !right;
    window.dispatchEvent(new KeyboardEvent('keydown', { key: right ? 'ArrowRight' : 'ArrowLeft', bubbles: true, cancelable: true }));
  };

  /**
   * Pans every frame for `seconds` after `warmup` seconds, and returns the time between
   * consecutive animation frame callbacks: the real frame time, since the compositor does not
   * start a frame before the previous one is done (raster on SwiftShader included).
   */
  const pan = (seconds, warmup) =>
    new Promise((resolve) => {
      const hook = window.__kubeglance;
      const step = hook !== undefined ? panKubeglance : window.__step;
      if (step === undefined) throw new Error('nothing to pan: neither window.__kubeglance nor window.__step');
      const intervals = [];
      const drawMs = [];
      const started = performance.now();
      const measureFrom = started + warmup * 1000;
      const end = measureFrom + seconds * 1000;
      let previous;
      let callbacks = 0;
      let allCallbacks = 0;
      let framesAtStart;
      const framesAtCall = hook === undefined ? 0 : hook.stats().frames;
      const loop = () => {
        const now = performance.now();
        allCallbacks++;
        if (now >= measureFrom) {
          if (previous !== undefined) intervals.push(now - previous);
          else if (hook !== undefined) framesAtStart = hook.stats().frames;
          if (hook !== undefined) drawMs.push(hook.stats().lastFrameMs);
          previous = now;
          callbacks++;
        }
        // At least one interval, however long the page was stalled: a stall is a (very long) frame.
        if (now >= end && callbacks >= 2) {
          const frames = hook === undefined ? callbacks : hook.stats().frames - framesAtStart;
          // Including the warm-up: for CPU per frame over the whole call.
          const allFrames = hook === undefined ? allCallbacks : hook.stats().frames - framesAtCall;
          resolve({ intervals, drawMs, callbacks, frames, allFrames, seconds: (now - measureFrom) / 1000 });
          return;
        }
        // The camera changes before the next frame is asked for: kubeglance's draw, which the
        // key asks for, runs first in the next frame, then this loop reads its stats.
        step();
        raf(loop);
      };
      raf(loop);
    });

  window.__bench = { marks, pan, stream };
})();
