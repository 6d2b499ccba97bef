import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { Timeline } from './timeline.js';

describe('Timeline', () => {
  it('runs due tasks in time order, each firing in one batch, on one clock timer', () => {
    const clock = new ManualClock(0);
    const log: string[] = [];
    let batches = 0;
    const t = new Timeline(clock, (work) => {
      batches++;
      work();
    });
    t.after(30, () => log.push('c'));
    t.after(10, () => log.push('a'));
    t.after(10, () => {
      log.push('b');
      t.after(0, () => log.push('b+0'));
    });
    expect(clock.pending).toBe(1);
    clock.advance(10);
    expect(log).toEqual(['a', 'b', 'b+0']);
    expect(batches).toBe(1);
    clock.advance(100);
    expect(log).toEqual(['a', 'b', 'b+0', 'c']);
  });

  it('repeats and stops', () => {
    const clock = new ManualClock(0);
    const t = new Timeline(clock, (work) => work());
    let ticks = 0;
    t.every(100, () => ticks++);
    clock.advance(1_000);
    expect(ticks).toBe(10);
    t.stop();
    t.after(1, () => ticks++);
    clock.advance(1_000);
    expect(ticks).toBe(10);
    expect(clock.pending).toBe(0);
    expect(t.size).toBe(0);
  });
});
