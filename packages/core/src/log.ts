/**
 * Structured JSON logs (pino): one line per entry on stdout, level as a word, ISO time. Secrets never
 * reach the log: known secret-bearing paths are censored, and callers log names, never values.
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
      ...(options.name ? { name: options.name } : {}),
      base: undefined,
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
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

/** The message and, for API errors, the reason of any thrown value, for log fields. */
export function errorFields(err: unknown): {
  err: { message: string; name?: string; code?: unknown; reason?: unknown; stack?: string };
} {
  if (err instanceof Error) {
    const extra = err as Error & { code?: unknown; reason?: unknown };
    return {
      err: { message: err.message, name: err.name, code: extra.code, reason: extra.reason, stack: err.stack },
    };
  }
  return { err: { message: String(err) } };
}
