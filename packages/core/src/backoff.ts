/**
 * Jittered exponential backoff (client-go's reflector manager, kube-rs's DefaultBackoff): 800 ms
 * doubling to 30 s, each delay stretched by up to 100 % at random so that many clients do not
 * reconnect in step, and reset after 2 minutes without a failure.
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
      now: Date.now,
      ...options,
    };
  }

  /** The delay before the next attempt after a failure. */
  next(): number {
    const now = this.o.now();
    if (now - this.lastFailureAt > this.o.resetAfterMs) this.failures = 0;
    this.lastFailureAt = now;
    const base = Math.min(this.o.maxMs, this.o.initialMs * 2 ** this.failures);
    this.failures++;
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
