import { describe, expect, it, vi } from 'vitest';
import { Backoff } from '../src/backoff.js';

/** A backoff on a clock the test moves by hand, with a scripted random source. */
function backoffAt(options: { randoms?: number[]; resetAfterMs?: number } = {}) {
  let now = 1_000_000;
  const randoms = [...(options.randoms ?? [])];
  const backoff = new Backoff({
    initialMs: 800,
    maxMs: 30_000,
    jitter: 1,
    resetAfterMs: options.resetAfterMs ?? 120_000,
    random: () => randoms.shift() ?? 0,
    now: () => now,
  });
  return {
    backoff,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('Backoff', () => {
  it('doubles from the initial delay, stretched by the jitter', () => {
    const { backoff } = backoffAt({ randoms: [0, 0, 0, 0.5] });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      800,
      1_600,
      3_200,
      6_400 * 1.5,
    ]);
  });

  it('keeps its jitter at the cap, so reflectors that fail together do not retry in step', () => {
    const { backoff } = backoffAt({ randoms: [...Array<number>(20).fill(0.5), 0, 0.25, 0.5, 0.75, 0.999] });
    for (let i = 0; i < 20; i++) backoff.next(); // far past the cap
    const atCap = [backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()];
    expect(new Set(atCap).size).toBe(atCap.length);
    for (const ms of atCap) {
      expect(ms).toBeGreaterThanOrEqual(15_000);
      expect(ms).toBeLessThanOrEqual(30_000);
    }
    expect(Math.max(...atCap) - Math.min(...atCap)).toBeGreaterThan(10_000);
  });

  it('never exceeds maxMs, whatever the random source says', () => {
    const { backoff } = backoffAt({ randoms: Array<number>(40).fill(0.999_999) });
    for (let i = 0; i < 40; i++) expect(backoff.next()).toBeLessThanOrEqual(30_000);
  });

  it('starts over after resetAfterMs without a failure, and not before', () => {
    const { backoff, advance } = backoffAt({ resetAfterMs: 120_000 });
    for (let i = 0; i < 4; i++) backoff.next(); // 800, 1600, 3200, 6400
    advance(119_000);
    expect(backoff.next()).toBe(12_800); // the quiet spell was too short
    advance(120_001);
    expect(backoff.next()).toBe(800);
    expect(backoff.next()).toBe(1_600);
  });

  it('starts over on reset()', () => {
    const { backoff } = backoffAt();
    for (let i = 0; i < 5; i++) backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(800);
  });

  it('measures the quiet spell on a monotonic clock by default', () => {
    const wall = Date.now();
    let step = 0;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => wall + step);
    try {
      const backoff = new Backoff({ random: () => 0 });
      expect(backoff.next()).toBe(800);
      step = 10 * 60_000; // the wall clock jumps ahead: that is no quiet time
      expect(backoff.next()).toBe(1_600);
    } finally {
      spy.mockRestore();
    }
  });
});
