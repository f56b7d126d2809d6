/**
 * A rate-limited work queue of string keys with client-go workqueue semantics.
 *
 * Contract:
 * - A key is in at most one of three states: queued (waiting for get()), processing (handed out,
 *   not yet done()) or neither. Adding a queued key is a no-op; adding a processing key marks it
 *   dirty, and done() queues a dirty key exactly once. So one key is never reconciled twice at once.
 * - Distinct keys come out in FIFO order; concurrent get() callers are served in call order.
 * - addAfter() keeps one unref()ed timer per key (earliest deadline wins); addRateLimited() backs off
 *   exponentially per key until forget().
 *
 * - `onAdd` (workqueue_adds_total) counts an add only when it queues the key or marks a processing key
 *   dirty, as client-go's Add() does: a deduplicated add is not counted.
 *
 * Failure modes: shutdown() stops handing out keys at once: queued keys, dirty keys and pending
 * delayed adds are dropped (a stopping replica must not start new work; the next leader lists every
 * object again), later adds are ignored, and every get() resolves undefined. Keys already handed out
 * stay processing until done(), which shutdownWithDrain() waits for. Observer callbacks that throw
 * are swallowed: metrics must never corrupt queue state or strand a waiting get().
 */

export interface QueueObserver {
  onAdd?(key: string): void;
  onDepth?(depth: number): void;
  onQueueLatency?(seconds: number): void;
  onWorkDuration?(seconds: number): void;
  onRetry?(key: string): void;
}

export interface WorkQueueOptions {
  /** First rate-limited delay; doubles per failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Upper bound of the rate-limited delay. Default 1_000_000 ms. */
  maxDelayMs?: number;
  observer?: QueueObserver;
}

// Node clamps larger setTimeout delays to 1 ms (with a warning), which would turn a long backoff
// into a hot loop.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WorkQueue {
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private observer: QueueObserver;
  /** Queued keys with the time they were queued; Map iteration order gives FIFO. */
  private readonly queued = new Map<string, number>();
  /** Processing keys with the time they were handed out. */
  private readonly processing = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, { deadline: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private drainers: (() => void)[] = [];
  private stopped = false;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    if (!(this.baseDelayMs >= 0) || !(this.maxDelayMs >= 0)) {
      throw new RangeError('WorkQueue: baseDelayMs and maxDelayMs must be non-negative numbers');
    }
    this.observer = options.observer ?? {};
  }

  /** Replaces the observer (metrics are often wired after the queue exists). */
  setObserver(observer: QueueObserver): void {
    this.observer = observer;
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }

  add(key: string): void {
    if (this.stopped || this.queued.has(key) || this.dirty.has(key)) return;
    this.notify((o) => {
      o.onAdd?.(key);
    });
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.enqueue(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const delay = Math.min(delayMs, MAX_TIMER_MS);
    const deadline = performance.now() + delay;
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.deadline <= deadline) return;
      clearTimeout(existing.timer);
    }
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delay);
    timer.unref();
    this.delayed.set(key, { deadline, timer });
  }

  addRateLimited(key: string): void {
    if (this.stopped) return;
    const failures = this.failures.get(key) ?? 0;
    // Capping the exponent keeps the product finite (base * Infinity would be NaN for base 0).
    const backoff = Math.min(this.baseDelayMs * 2 ** Math.min(failures, 64), this.maxDelayMs);
    this.failures.set(key, failures + 1);
    this.notify((o) => {
      o.onRetry?.(key);
    });
    this.addAfter(key, backoff);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get(): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    if (this.queued.size > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => {
      this.waiters.push(resolve);
    });
  }

  done(key: string): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return; // not handed out: nothing to finish, nothing to measure
    this.processing.delete(key);
    const seconds = (performance.now() - startedAt) / 1000;
    this.notify((o) => {
      o.onWorkDuration?.(seconds);
    });
    if (this.dirty.delete(key) && !this.stopped) this.enqueue(key);
    if (this.processing.size === 0 && this.drainers.length > 0) {
      const drainers = this.drainers;
      this.drainers = [];
      for (const resolve of drainers) resolve();
    }
  }

  len(): number {
    return this.queued.size;
  }

  /** Nothing queued, in flight or waiting on a delay: the controller has nothing left to do. */
  idle(): boolean {
    return this.queued.size === 0 && this.processing.size === 0 && this.delayed.size === 0;
  }

  shutdown(): void {
    this.stopped = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queued.clear();
    this.dirty.clear();
    this.notify((o) => {
      o.onDepth?.(0);
    });
    // Waiters exist only while nothing is queued, so all of them get undefined now.
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(undefined);
  }

  shutdownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainers.push(resolve);
    });
  }

  private enqueue(key: string): void {
    this.queued.set(key, performance.now());
    this.notify((o) => {
      o.onDepth?.(this.queued.size);
    });
    // Hand keys to waiters synchronously, so a key is marked processing before anyone can re-add it.
    while (this.waiters.length > 0 && this.queued.size > 0) {
      this.waiters.shift()!(this.take());
    }
  }

  /** Moves the oldest queued key to processing; the caller checked that one exists. */
  private take(): string {
    const [key, queuedAt] = this.queued.entries().next().value!;
    this.queued.delete(key);
    const now = performance.now();
    this.processing.set(key, now);
    this.notify((o) => {
      o.onDepth?.(this.queued.size);
    });
    this.notify((o) => {
      o.onQueueLatency?.((now - queuedAt) / 1000);
    });
    return key;
  }

  private notify(call: (observer: QueueObserver) => void): void {
    try {
      call(this.observer);
    } catch {
      // Deliberately dropped: see the header comment.
    }
  }
}
