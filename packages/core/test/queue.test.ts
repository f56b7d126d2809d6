import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue, type QueueObserver } from '../src/queue.js';

/** Lets already-resolved promise continuations run; the queue itself resolves synchronously. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** Observes whether a promise has settled without awaiting it. */
function track<T>(p: Promise<T>): { settled: boolean; value: T | undefined } {
  const state: { settled: boolean; value: T | undefined } = { settled: false, value: undefined };
  void p.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

/** With fake timers: advances 1 ms at a time until the key is queued; returns the elapsed ms. */
async function msUntilQueued(q: WorkQueue, limit = 10_000): Promise<number> {
  for (let ms = 0; ms <= limit; ms++) {
    if (q.len() > 0) return ms;
    await vi.advanceTimersByTimeAsync(1);
  }
  throw new Error(`nothing queued within ${limit} ms`);
}

/** Takes the next key and finishes it at once. */
async function cycle(q: WorkQueue): Promise<string | undefined> {
  const key = await q.get();
  if (key !== undefined) q.done(key);
  return key;
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('WorkQueue', () => {
  it('deduplicates keys that are already queued', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('is idle only with nothing queued, in flight or delayed', async () => {
    const q = new WorkQueue();
    expect(q.idle()).toBe(true);
    q.add('a');
    expect(q.idle()).toBe(false);
    const key = await q.get();
    expect(q.len()).toBe(0);
    expect(q.idle()).toBe(false);
    q.done(key!);
    expect(q.idle()).toBe(true);
    q.addAfter('b', 60_000);
    expect(q.idle()).toBe(false);
    q.shutdown();
  });

  it('hands out distinct keys in FIFO order', async () => {
    const q = new WorkQueue();
    for (const key of ['c', 'a', 'b', 'd']) q.add(key);
    const out = [await q.get(), await q.get(), await q.get(), await q.get()];
    expect(out).toEqual(['c', 'a', 'b', 'd']);
  });

  it('serves concurrent waiters in call order, each with a different key', async () => {
    const q = new WorkQueue();
    const first = q.get();
    const second = q.get();
    const third = track(q.get());
    q.add('x');
    q.add('y');
    expect(await first).toBe('x');
    expect(await second).toBe('y');
    await flush();
    expect(third.settled).toBe(false);
    q.add('z');
    await flush();
    expect(third.value).toBe('z');
  });

  it('never hands a processing key to a second caller, even when re-added', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    expect(q.len()).toBe(0);
    q.add('b');
    expect(await q.get()).toBe('b');
    const next = track(q.get());
    await flush();
    expect(next.settled).toBe(false);
    q.done('a');
    await flush();
    expect(next.value).toBe('a');
  });

  it('runs a dirty key exactly once more after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    q.done('a');
    expect(q.len()).toBe(1);
    expect(await cycle(q)).toBe('a');
    expect(q.len()).toBe(0);
    const after = track(q.get());
    await flush();
    expect(after.settled).toBe(false);
    q.shutdown();
    await flush();
    expect(after).toEqual({ settled: true, value: undefined });
  });

  it('ignores done() for a key that is not processing', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.done('a');
    q.done('zzz');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('backs off 5, 10, 20, 40 ms per failure, caps at maxDelayMs, and forget() resets it', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue({ maxDelayMs: 60 });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      q.addRateLimited('a');
      expect(q.numRequeues('a')).toBe(i + 1);
      delays.push(await msUntilQueued(q));
      expect(await cycle(q)).toBe('a');
    }
    expect(delays).toEqual([5, 10, 20, 40, 60, 60]);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    q.addRateLimited('a');
    expect(await msUntilQueued(q)).toBe(5);
  });

  it('tracks failures per key and honours baseDelayMs', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue({ baseDelayMs: 100 });
    q.addRateLimited('a');
    q.addRateLimited('a');
    q.addRateLimited('b');
    expect(q.numRequeues('a')).toBe(2);
    expect(q.numRequeues('b')).toBe(1);
    // Both 'a' backoffs (100 ms, then 200 ms) share one timer: the earlier deadline wins.
    expect(vi.getTimerCount()).toBe(2);
    expect(await msUntilQueued(q)).toBe(100);
    expect(q.len()).toBe(2);
  });

  it('addAfter keeps the earlier deadline and only one timer per key', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('a', 100);
    await vi.advanceTimersByTimeAsync(30);
    q.addAfter('a', 200); // deadline 230: later, ignored
    q.addAfter('a', 50); // deadline 80: earlier, replaces
    expect(vi.getTimerCount()).toBe(1);
    expect(await msUntilQueued(q)).toBe(50);
    expect(await cycle(q)).toBe('a');
    await vi.advanceTimersByTimeAsync(500);
    expect(q.len()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('addAfter with a non-positive delay adds immediately', () => {
    vi.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.len()).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unrefs its timers so a queue never keeps the process alive', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const q = new WorkQueue();
    q.addAfter('a', 60_000);
    expect(spy).toHaveBeenCalledTimes(1);
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    q.shutdown();
  });

  it('shutdown resolves waiting get() with undefined and ignores later adds', async () => {
    vi.useFakeTimers();
    const q = new WorkQueue();
    const waiting = q.get();
    q.addAfter('delayed', 10);
    q.shutdown();
    expect(q.shuttingDown).toBe(true);
    expect(await waiting).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    q.add('a');
    q.addAfter('b', 5);
    q.addRateLimited('c');
    await vi.advanceTimersByTimeAsync(1000);
    expect(q.len()).toBe(0);
    expect(q.numRequeues('c')).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it('shutdown drops keys queued before it: a stopping replica hands out nothing more', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.shutdown();
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
    expect(q.idle()).toBe(true);
  });

  it('shutdown drops a dirty key instead of queueing it again when its reconcile is done', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a'); // dirty: would run once more
    q.shutdown();
    q.done('a');
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it("counts an add only when it queues the key or marks it dirty (client-go's adds_total)", async () => {
    const adds: string[] = [];
    const q = new WorkQueue({ observer: { onAdd: (key) => adds.push(key) } });
    q.add('a');
    q.add('a'); // already queued: deduplicated, not counted
    expect(adds).toEqual(['a']);
    expect(await q.get()).toBe('a');
    q.add('a'); // processing: marked dirty, counted
    q.add('a'); // already dirty: not counted
    expect(adds).toEqual(['a', 'a']);
    q.done('a'); // the dirty key is queued again by done(), which is not an add
    expect(adds).toEqual(['a', 'a']);
    expect(q.len()).toBe(1);
  });

  it('shutdownWithDrain waits until every handed-out key is done', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    const drained = track(q.shutdownWithDrain());
    expect(q.shuttingDown).toBe(true);
    q.done('a');
    await flush();
    expect(drained.settled).toBe(false);
    q.done('b');
    await flush();
    expect(drained.settled).toBe(true);
  });

  it('shutdownWithDrain resolves at once when nothing is in flight', async () => {
    const q = new WorkQueue();
    const drained = track(q.shutdownWithDrain());
    await flush();
    expect(drained.settled).toBe(true);
  });

  it('reports adds, depth, retries, queue latency and work duration to the observer', async () => {
    vi.useFakeTimers();
    const adds: string[] = [];
    const depths: number[] = [];
    const retries: string[] = [];
    const latencies: number[] = [];
    const durations: number[] = [];
    const observer: QueueObserver = {
      onAdd: (key) => {
        adds.push(key);
      },
      onDepth: (depth) => {
        depths.push(depth);
      },
      onRetry: (key) => {
        retries.push(key);
      },
      onQueueLatency: (s) => {
        latencies.push(s);
      },
      onWorkDuration: (s) => {
        durations.push(s);
      },
    };
    const q = new WorkQueue({ observer });
    await vi.advanceTimersByTimeAsync(1000); // a clock that does not start at 0 exposes absolute times
    q.add('a');
    q.add('a');
    q.add('b');
    expect(depths).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(250);
    expect(await q.get()).toBe('a');
    expect(depths).toEqual([1, 2, 1]);
    expect(latencies).toEqual([0.25]);
    await vi.advanceTimersByTimeAsync(1500);
    q.done('a');
    expect(durations).toEqual([1.5]);
    q.addRateLimited('a');
    expect(retries).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(5);
    expect(adds).toEqual(['a', 'b', 'a']); // the second add of a queued 'a' was deduplicated
    expect(depths).toEqual([1, 2, 1, 2]);
    q.shutdown();
    q.add('c');
    q.addRateLimited('c');
    expect(adds).toHaveLength(3);
    expect(retries).toHaveLength(1);
  });

  it('keeps working when an observer throws', async () => {
    const boom = (): void => {
      throw new Error('metrics broke');
    };
    const q = new WorkQueue({ observer: { onAdd: boom, onDepth: boom, onQueueLatency: boom } });
    const waiting = q.get();
    q.add('a');
    expect(await waiting).toBe('a');
  });

  it('rejects negative delays in the options', () => {
    expect(() => new WorkQueue({ baseDelayMs: -1 })).toThrow(RangeError);
    expect(() => new WorkQueue({ maxDelayMs: Number.NaN })).toThrow(RangeError);
  });
});
