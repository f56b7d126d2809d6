/**
 * Jittered exponential backoff (client-go's reflector manager, kube-rs's DefaultBackoff): 800 ms
 * doubling, each delay stretched by up to `jitter` (100 %) at random so that many clients do not
 * reconnect in step, never above `maxMs` (30 s), and back to the start after `resetAfterMs` (2 min)
 * without a failure.
 *
 * The cap applies to the base delay before the jitter (as client-go's `wait.Jitter`): the base stops
 * at `maxMs / (1 + jitter)`, so at the cap delays still spread over [maxMs / 2, maxMs] (jitter 1)
 * instead of all reflectors that failed together retrying at exactly `maxMs`, in step.
 * Quiet time is measured on a monotonic clock (`performance.now`): a wall-clock step neither resets
 * the backoff early nor keeps it high.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  resetAfterMs?: number;
  jitter?: number;
  random?: () => number;
  now?: () => number;
}

export class Backoff {
  private failures = 0;
  private lastFailureAt = -Infinity;
  private readonly o: Required<BackoffOptions>;

  constructor(options: BackoffOptions = {}) {
    this.o = {
      initialMs: 800,
      maxMs: 30_000,
      resetAfterMs: 120_000,
      jitter: 1,
      random: Math.random,
      now: () => performance.now(),
      ...options,
    };
  }

  /** The delay before the next attempt after a failure. */
  next(): number {
    const now = this.o.now();
    if (now - this.lastFailureAt > this.o.resetAfterMs) this.failures = 0;
    this.lastFailureAt = now;
    const stretch = 1 + this.o.jitter;
    const base = Math.min(this.o.maxMs / stretch, this.o.initialMs * 2 ** this.failures);
    // Past the cap more failures change nothing; stop counting before 2 ** n overflows.
    if (base < this.o.maxMs / stretch) this.failures++;
    return Math.min(this.o.maxMs, base * (1 + this.o.jitter * this.o.random()));
  }

  reset(): void {
    this.failures = 0;
    this.lastFailureAt = -Infinity;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; never keeps the process alive. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
