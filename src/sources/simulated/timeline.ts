// Everything that happens later in the simulated cluster (a container starting, a grace period
// ending, the next churn tick) is a task on one timeline. One clock timer is armed for the
// earliest task; when it fires, every task that is due runs inside one batch, so that all their
// changes leave the source in a single sink call.
import type { Clock } from './clock.js';

interface Task {
  at: number;
  seq: number;
  fn: () => void;
}

/** Runs `work` and then whatever must follow a batch of changes (flushing, emitting). */
export type BatchRunner = (work: () => void) => void;

export class Timeline {
  private readonly heap: Task[] = [];
  private seq = 0;
  private timer: unknown;
  private armedAt = Infinity;
  private stopped = false;
  /** While a batch runs, new tasks are not armed one by one: fire() re-arms once at the end. */
  private firing = false;

  constructor(
    private readonly clock: Clock,
    private readonly runBatch: BatchRunner,
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** Runs `fn` after `ms` (inside a batch). */
  after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    this.push({ at: this.clock.now() + Math.max(0, ms), seq: this.seq++, fn });
    if (!this.firing) this.arm();
  }

  /** Runs `fn` every `ms` (> 0) until stopped. */
  every(ms: number, fn: () => void): void {
    if (!(ms > 0)) throw new Error(`interval must be positive, got ${ms}`);
    const tick = (): void => {
      fn();
      this.after(ms, tick);
    };
    this.after(ms, tick);
  }

  /** Tasks waiting. */
  get size(): number {
    return this.heap.length;
  }

  stop(): void {
    this.stopped = true;
    this.heap.length = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first || first.at >= this.armedAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.armedAt = first.at;
    this.timer = this.clock.setTimeout(() => this.fire(), first.at - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    if (this.stopped) return;
    this.firing = true;
    try {
      this.runBatch(() => {
        // Tasks scheduled while running that are already due (delay 0) run in this batch too.
        for (;;) {
          const first = this.heap[0];
          if (!first || first.at > this.clock.now() || this.stopped) break;
          this.pop().fn();
        }
      });
    } finally {
      this.firing = false;
    }
    this.arm();
  }

  private push(task: Task): void {
    const h = this.heap;
    h.push(task);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(task, h[parent] as Task)) break;
      h[i] = h[parent] as Task;
      i = parent;
    }
    h[i] = task;
  }

  private pop(): Task {
    const h = this.heap;
    const top = h[0] as Task;
    const last = h.pop() as Task;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const child = r < h.length && before(h[r] as Task, h[l] as Task) ? r : l;
        if (!before(h[child] as Task, last)) break;
        h[i] = h[child] as Task;
        i = child;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: Task, b: Task): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
