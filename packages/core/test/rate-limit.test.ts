import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  maxRetryAfterAttempts,
  maxRetryAfterMs,
  retryAfterMs,
  TokenBucket,
} from '../src/client/rate-limit.js';

/** How many takes have settled: the indices of those still waiting are holes. */
const settled = (done: unknown[]): number => Object.keys(done).length;

describe('TokenBucket', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Starts `n` takes at once and records, for each, the fake time at which it resolved. */
  function takeMany(bucket: TokenBucket, n: number, signal?: AbortSignal): (number | 'aborted')[] {
    const start = Date.now();
    const done: (number | 'aborted')[] = [];
    for (let i = 0; i < n; i++) {
      bucket.take(signal).then(
        () => (done[i] = Date.now() - start),
        () => (done[i] = 'aborted'),
      );
    }
    return done;
  }

  it('lets a burst through at once, then spaces requests 1/qps apart (client-go defaults 5 / 10)', async () => {
    const bucket = new TokenBucket({ qps: 5, burst: 10, now: () => Date.now() });
    const done = takeMany(bucket, 13);
    await vi.advanceTimersByTimeAsync(0);
    expect(done.filter((t) => t === 0)).toHaveLength(10);
    expect(done[10]).toBeUndefined();
    await vi.advanceTimersByTimeAsync(199);
    expect(done[10]).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(done[10]).toBe(200);
    await vi.advanceTimersByTimeAsync(400);
    expect(done.slice(10)).toEqual([200, 400, 600]);
  });

  it('refills at qps up to burst while idle', async () => {
    const bucket = new TokenBucket({ qps: 10, burst: 3, now: () => Date.now() });
    takeMany(bucket, 3);
    await vi.advanceTimersByTimeAsync(0);
    // Idle for 10 s: the bucket holds at most `burst`, not 100 tokens.
    await vi.advanceTimersByTimeAsync(10_000);
    const done = takeMany(bucket, 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(200);
    expect(done).toEqual([0, 0, 0, 100, 200]);
  });

  it('gives the token back when a waiting take is aborted', async () => {
    const bucket = new TokenBucket({ qps: 1, burst: 1, now: () => Date.now() });
    await bucket.take();
    const controller = new AbortController();
    const aborted = takeMany(bucket, 1, controller.signal);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toEqual(['aborted']);
    // The aborted reservation returned its token: the next take waits 1 s, not 2 s.
    const next = takeMany(bucket, 1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(next).toEqual([1_000]);
  });

  it('saves up at most a whole number of tokens, and at least one', async () => {
    for (const [burst, atOnce] of [
      [2.9, 2],
      [0, 1],
      [-3, 1],
    ] as const) {
      const bucket = new TokenBucket({ qps: 1, burst, now: () => Date.now() });
      const done = takeMany(bucket, 3);
      await vi.advanceTimersByTimeAsync(0);
      expect(done.filter((t) => t === 0)).toHaveLength(atOnce);
      await vi.advanceTimersByTimeAsync(999);
      expect(settled(done)).toBe(atOnce);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled(done)).toBe(atOnce + 1);
    }
  });

  it('rejects at once with the reason of an already aborted signal, taking no token', async () => {
    const bucket = new TokenBucket({ qps: 1, burst: 1, now: () => Date.now() });
    const reason = new Error('stopping');
    await expect(bucket.take(AbortSignal.abort(reason))).rejects.toBe(reason);
    const done = takeMany(bucket, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0]);
  });

  it('rejects a waiting take with the reason the signal aborts with, and never holds more than burst', async () => {
    const bucket = new TokenBucket({ qps: 1, burst: 2, now: () => Date.now() });
    await bucket.take();
    await bucket.take();
    const controller = new AbortController();
    const reason = new Error('deadline');
    const waiting = bucket.take(controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    // Idle long enough to refill completely: the returned token does not add a third.
    await vi.advanceTimersByTimeAsync(5_000);
    const done = takeMany(bucket, 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(done.filter((t) => t === 0)).toHaveLength(2);
  });

  it('takes the monotonic clock by default', () => {
    // Node's timers can fire up to a millisecond early against performance.now() (the loop's clock
    // is cached), so real waiting proves nothing here; the clock the bucket reads is what matters.
    let monotonic = 5_000;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => monotonic);
    try {
      const bucket = new TokenBucket({ qps: 1, burst: 1 });
      expect(bucket.reserve()).toBe(0);
      expect(bucket.reserve()).toBe(1_000);
      monotonic += 1_000; // a second passes on the monotonic clock only
      expect(bucket.reserve()).toBe(1_000);
    } finally {
      clock.mockRestore();
    }
  });

  it('is off with qps 0 or negative', async () => {
    for (const qps of [0, -1]) {
      const bucket = new TokenBucket({ qps, burst: 1, now: () => Date.now() });
      expect(bucket.enabled).toBe(false);
      const done = takeMany(bucket, 100);
      await vi.advanceTimersByTimeAsync(0);
      expect(done.filter((t) => t === 0)).toHaveLength(100);
    }
  });
});

describe('retryAfterMs', () => {
  it('retries a 429 with Retry-After for any verb, a 5xx only for reads', () => {
    expect(retryAfterMs(429, '2', 'POST', 1)).toBe(2_000);
    expect(retryAfterMs(429, '0', 'PATCH', 1)).toBe(0);
    expect(retryAfterMs(503, '1', 'GET', 1)).toBe(1_000);
    expect(retryAfterMs(503, '1', 'PUT', 1)).toBeUndefined();
    expect(retryAfterMs(500, undefined, 'GET', 1)).toBeUndefined();
    expect(retryAfterMs(429, undefined, 'GET', 1)).toBeUndefined();
    expect(retryAfterMs(409, '1', 'GET', 1)).toBeUndefined();
  });

  it('stops after the maximum number of sends and caps one wait', () => {
    expect(retryAfterMs(429, '1', 'GET', maxRetryAfterAttempts - 1)).toBe(1_000);
    expect(retryAfterMs(429, '1', 'GET', maxRetryAfterAttempts)).toBeUndefined();
    expect(retryAfterMs(429, '86400', 'GET', 1)).toBe(maxRetryAfterMs);
  });

  it('retries any 5xx of a read, nothing outside 500-599', () => {
    expect(retryAfterMs(500, '1', 'GET', 1)).toBe(1_000);
    expect(retryAfterMs(599, '1', 'GET', 1)).toBe(1_000);
    expect(retryAfterMs(600, '1', 'GET', 1)).toBeUndefined();
    expect(retryAfterMs(499, '1', 'GET', 1)).toBeUndefined();
    expect(retryAfterMs(429, '1', 'DELETE', 0)).toBe(1_000);
  });

  it('reads the first of repeated headers, trimmed; an empty one means no retry', () => {
    expect(retryAfterMs(429, ['4', '9'], 'GET', 1)).toBe(4_000);
    expect(retryAfterMs(429, ' 5 ', 'GET', 1)).toBe(5_000);
    expect(retryAfterMs(429, '', 'GET', 1)).toBeUndefined();
    expect(retryAfterMs(429, '   ', 'GET', 1)).toBeUndefined();
    expect(retryAfterMs(429, [], 'GET', 1)).toBeUndefined();
    expect(retryAfterMs(429, '1.5', 'GET', 1)).toBeUndefined();
    expect(retryAfterMs(429, 'x2', 'GET', 1)).toBeUndefined();
  });

  it('waits 0 for an HTTP date in the past, caps a far one, and refuses a date that does not parse', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(429, 'Wed, 31 Dec 2025 23:59:00 GMT', 'GET', 1, now)).toBe(0);
    expect(retryAfterMs(429, 'Fri, 02 Jan 2026 00:00:00 GMT', 'GET', 1, now)).toBe(maxRetryAfterMs);
    expect(retryAfterMs(429, 'Someday GMT', 'GET', 1, now)).toBeUndefined();
    expect(retryAfterMs(429, 'Thu, 01 Jan 2026 00:00:03 UTC', 'GET', 1, now)).toBeUndefined();
    // By default the wall clock is now.
    const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
    const ms = retryAfterMs(429, inFiveSeconds, 'GET', 1);
    expect(ms).toBeGreaterThan(3_000);
    expect(ms).toBeLessThanOrEqual(5_000);
  });

  it('uses client-go defaults: 10 sends, one wait at most a minute', () => {
    expect([maxRetryAfterAttempts, maxRetryAfterMs]).toEqual([10, 60_000]);
  });

  it('reads an HTTP date and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(429, 'Thu, 01 Jan 2026 00:00:03 GMT', 'GET', 1, now)).toBe(3_000);
    expect(retryAfterMs(429, 'soon', 'GET', 1, now)).toBeUndefined();
    expect(retryAfterMs(429, '-1', 'GET', 1, now)).toBeUndefined();
  });
});
