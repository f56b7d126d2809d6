/**
 * Structured JSON logs (pino): one line per entry on stdout, level as a word, ISO time. Secrets never
 * reach the log: known secret-bearing paths are censored, and callers log names, never values.
 * Errors are logged by `errorFields` (status, reason, code, cause; the stack only for the unexpected),
 * and retry loops pass their lines through a `RepeatFilter` so a failure repeating every few seconds
 * costs one line per 30 s, with a `repeated` count.
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export function createLogger(
  options: { level?: LevelWithSilent; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      // The binary's name goes under `logger` (as controller-runtime's), not pino's `name`: reconcile
      // lines carry the object's `name`, and a second `name` key would hide one of the two.
      base: options.name ? { logger: options.name } : undefined,
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      // pino's default `err` serializer adds `type` and an empty `stack` to the plain objects that
      // errorFields returns; a raw Error logged as `err` still goes through errorFields.
      serializers: { err: (value: unknown) => (value instanceof Error ? errorFields(value).err : value) },
      redact: {
        paths: [
          '*.data',
          '*.stringData',
          '*.token',
          '*.password',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** A logger that drops everything (tests, library defaults). */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Error names that describe the world, not a bug: their stack says nothing a person can act on. */
const expectedNames = new Set([
  'ApiError',
  'AbortError',
  'TimeoutError',
  'WatchIdleError',
  'TerminalError',
  'RequestTimeoutError',
  'BindError',
  'FlagError',
]);
/** Socket and DNS failures of Node (and undici): the network, not us. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/**
 * True for failures of the outside world (API errors with an HTTP status, network errors, aborts and
 * timeouts), and for errors a controller marks `expected = true` (a state of the world it reports,
 * such as a reference it cannot read yet): they are logged without a stack. Anything else is
 * unexpected and keeps its stack.
 */
export function isExpectedError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if ((err as { expected?: unknown }).expected === true) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number') return true; // an HTTP status: ApiError and client-node's ApiException
  if (typeof code === 'string' && (networkCodes.has(code) || code.startsWith('UND_ERR_'))) return true;
  return expectedNames.has(err.name);
}

/**
 * The message, name, code, reason (API errors) and cause of any thrown value, for log fields. The
 * stack only for unexpected errors (see isExpectedError): an API or network error's stack is noise.
 */
export function errorFields(err: unknown): {
  err: { message: string; name?: string; code?: unknown; reason?: unknown; cause?: string; stack?: string };
} {
  if (err instanceof Error) {
    const extra = err as Error & { code?: unknown; reason?: unknown };
    const cause: unknown = err.cause;
    return {
      err: {
        message: err.message,
        name: err.name,
        ...(extra.code !== undefined ? { code: extra.code } : {}),
        ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
        ...(cause !== undefined ? { cause: describeCause(cause) } : {}),
        ...(isExpectedError(err) ? {} : { stack: err.stack }),
      },
    };
  }
  return { err: { message: String(err) } };
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'string') return cause;
  if (typeof cause === 'function' || typeof cause === 'symbol') return typeof cause;
  return JSON.stringify(cause);
}

/**
 * Rate limit for repeated log lines, per key (an object, a lease): a message is logged the first time,
 * then the same message at most once per `intervalMs` with `repeated` = how many were held back. A new
 * message for the key is logged at once. Time is monotonic. Holds at most `maxKeys` keys (oldest
 * dropped first), so it cannot grow without bound.
 */
export class RepeatFilter {
  private readonly seen = new Map<string, { message: string; loggedAt: number; held: number }>();

  constructor(
    private readonly intervalMs = 30_000,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 4096,
  ) {}

  /** undefined: drop this line; otherwise log it with these extra fields. */
  admit(key: string, message: string): { repeated?: number } | undefined {
    const now = this.now();
    const last = this.seen.get(key);
    if (last?.message === message) {
      if (now - last.loggedAt < this.intervalMs) {
        last.held++;
        return undefined;
      }
      const repeated = last.held;
      last.loggedAt = now;
      last.held = 0;
      return repeated > 0 ? { repeated } : {};
    }
    this.seen.delete(key);
    this.seen.set(key, { message, loggedAt: now, held: 0 });
    if (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value!);
    return {};
  }

  /** The key recovered: its next failure is logged at once. */
  forget(key: string): void {
    this.seen.delete(key);
  }
}
