/**
 * Client-side rate limiting, as client-go does it: a token bucket (`qps` tokens a second, at most
 * `burst` saved up) that every request draws from when it starts, and the server's `Retry-After` on
 * 429 (and on 5xx for reads) honoured before the request is sent again.
 *
 * The bucket hands out reservations in arrival order: a request that finds the bucket empty waits
 * exactly until its token has accrued, so a burst of N requests spreads over (N - burst) / qps
 * seconds and nothing is refused. An aborted wait returns its token. `qps <= 0` disables the limit.
 * Time is the monotonic clock (`performance.now()`), so a wall-clock step changes nothing.
 */

export interface TokenBucketOptions {
  /** Tokens per second; 0 or negative disables limiting (client-go: -1). */
  qps: number;
  /** Tokens that can be saved up for a burst; at least 1. */
  burst: number;
  /** Milliseconds from a monotonic origin; `performance.now()` by default (tests inject fake time). */
  now?: () => number;
}

/** client-go's rest.Config defaults. */
export const defaultQps = 5;
export const defaultBurst = 10;

export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;
  private tokens: number;
  private last: number;

  constructor(options: TokenBucketOptions) {
    this.qps = options.qps;
    this.burst = Math.max(1, Math.floor(options.burst));
    this.now = options.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.last = this.now();
  }

  get enabled(): boolean {
    return this.qps > 0;
  }

  /**
   * Takes a token: resolves at once when one is saved up, else once it has accrued. Rejects with the
   * signal's reason when `signal` aborts first (the token goes back).
   */
  async take(signal?: AbortSignal): Promise<void> {
    if (!this.enabled) return;
    if (signal?.aborted) throw signal.reason;
    const waitMs = this.reserve();
    if (waitMs <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        this.tokens = Math.min(this.burst, this.tokens + 1);
        reject(signal!.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Draws one token (possibly into debt) and says how long until it is really there. */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }
}

/** client-go's maxRetries for `Retry-After`. */
export const maxRetryAfterAttempts = 10;
/** One `Retry-After` wait is capped, so a bogus header cannot park a request for hours. */
export const maxRetryAfterMs = 60_000;

/**
 * How long to wait before sending a request again, or undefined when it must not be retried. As
 * client-go: a 429 with `Retry-After` for any method (the server did not process it), a 5xx with
 * `Retry-After` only for GET (a write may have happened), at most `maxRetryAfterAttempts` sends in
 * all. `Retry-After` is whole seconds (an HTTP date also works).
 */
export function retryAfterMs(
  code: number,
  header: string | string[] | undefined,
  method: string,
  attempt: number,
  nowMs: number = Date.now(),
): number | undefined {
  if (attempt >= maxRetryAfterAttempts) return undefined;
  if (code !== 429 && !(code >= 500 && code < 600 && method === 'GET')) return undefined;
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    // An IMF-fixdate (`Thu, 01 Jan 2026 00:00:03 GMT`); Date.parse alone would take `-1` as a year.
    if (!/GMT$/.test(value)) return undefined;
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - nowMs);
  }
  return Math.min(ms, maxRetryAfterMs);
}
