import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  maxRetryAfterAttempts,
  maxRetryAfterMs,
  retryAfterMs,
  TokenBucket,
} from '../src/client/rate-limit.js';

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

  it('reads an HTTP date and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(429, 'Thu, 01 Jan 2026 00:00:03 GMT', 'GET', 1, now)).toBe(3_000);
    expect(retryAfterMs(429, 'soon', 'GET', 1, now)).toBeUndefined();
    expect(retryAfterMs(429, '-1', 'GET', 1, now)).toBeUndefined();
  });
});
