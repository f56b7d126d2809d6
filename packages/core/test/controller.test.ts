// Unit tests of the controller's runtime behaviour (delays, backoff, shutdown, panics) against an
// in-memory stand-in for the cache, with fake timers where a delay is asserted.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Reconciler } from '../src/controller.js';
import { counter, obj, setup, widgets, type Run } from './controller-fixture.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('controller timing', () => {
  it('requeueAfterMs: the next run comes no earlier than requested', async () => {
    vi.useFakeTimers();
    const runs: Run[] = [];
    const { add, abort, done } = setup((req) => {
      runs.push({ name: req.name, at: performance.now() });
      return Promise.resolve(runs.length < 3 ? { requeueAfterMs: 400 } : {});
    });
    add(widgets, obj('a'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(399);
    expect(runs).toHaveLength(1); // not a millisecond early
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(400);
    expect(runs.map((r) => r.at - runs[0]!.at)).toEqual([0, 400, 800]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(3);
    abort.abort();
    await done;
  });

  it('a failing reconcile is retried with per-key exponential backoff: 5, 10, 20, 40 ms', async () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    const { add, abort, done, controller } = setup(() => {
      runs.push(performance.now());
      if (runs.length <= 4) throw new Error('transient');
      return Promise.resolve();
    });
    add(widgets, obj('a'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(5);
    const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
    expect(gaps).toEqual([5, 10, 20, 40]);
    expect(controller.queue.numRequeues('ns/a')).toBe(0); // forgotten after the success
    abort.abort();
    await done;
  });

  it('backoff tuning through the queue options', async () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    const { add, abort, done } = setup(
      () => {
        runs.push(performance.now());
        return runs.length <= 4 ? Promise.reject(new Error('still broken')) : Promise.resolve();
      },
      { queue: { baseDelayMs: 100, maxDelayMs: 300 } },
    );
    add(widgets, obj('a'));
    await vi.advanceTimersByTimeAsync(1_000);
    const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
    expect(gaps).toEqual([100, 200, 300, 300]);
    abort.abort();
    await done;
  });
});

describe('controller shutdown', () => {
  it('hands out no queued key after the stop; in-flight reconciles see an aborted signal and finish', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const signals: AbortSignal[] = [];
    let stoppedAt = -1;
    const slow: Reconciler = async (req, ctx) => {
      started.push(req.name);
      signals.push(ctx.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished.push(req.name);
    };
    const { add, abort, done } = setup(slow, { concurrency: 3 });
    for (let i = 0; i < 50; i++) add(widgets, obj(`w${i}`));
    await vi.waitFor(() => {
      expect(started.length).toBeGreaterThanOrEqual(3);
    });
    abort.abort();
    stoppedAt = started.length;
    await done; // run() resolves only once the in-flight reconciles returned
    expect(stoppedAt).toBeLessThanOrEqual(6); // a few batches at most before the stop, never the backlog
    expect(started).toHaveLength(stoppedAt); // nothing new started after the stop
    expect(finished).toEqual(expect.arrayContaining(started)); // the in-flight ones were let finish
    expect(finished).toHaveLength(started.length);
    const inFlight = signals.slice(-3);
    expect(inFlight.every((s) => s.aborted)).toBe(true);
  });
});

describe('reconcile panics', () => {
  it('counts programming errors and non-Error throws as panics, plain errors not', async () => {
    const throwers: Record<string, () => never> = {
      type: () => {
        throw new TypeError('x is not a function');
      },
      reference: () => {
        throw new ReferenceError('y is not defined');
      },
      range: () => {
        throw new RangeError('Invalid array length');
      },
      string: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw 'a string';
      },
      plain: () => {
        throw new Error('503 from the apiserver');
      },
    };
    const seen = new Set<string>();
    const { add, metrics, abort, done } = setup((req) => {
      if (seen.has(req.name)) return Promise.resolve();
      seen.add(req.name);
      return throwers[req.name]!(); // throws synchronously, as a buggy reconciler may
    });
    for (const name of Object.keys(throwers)) add(widgets, obj(name));
    await vi.waitFor(async () => {
      expect(await counter(metrics.reconcileErrors)).toBe(5);
    });
    expect(await counter(metrics.reconcilePanics)).toBe(4);
    abort.abort();
    await done;
  });
});
