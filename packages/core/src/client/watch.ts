/**
 * Reading a watch stream: newline-delimited JSON events, one per line, chunks cut anywhere.
 *
 * Linear in the stream's size: each chunk is scanned once for newlines and the pieces of a line are
 * joined once, when its newline arrives, so a 1 MB object in 1,000 chunks costs 1 MB of scanning,
 * not the 500 MB a rescan of the whole buffer per chunk would.
 */
import type { IncomingMessage } from 'node:http';

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** No byte arrived on an open watch for its idle timeout (a half-open connection, a stuck proxy). */
export class WatchIdleError extends Error {
  override readonly name = 'WatchIdleError';
  readonly code = 'EWATCHIDLE';
}

/** Splits a stream of text chunks into lines (without the newline). */
export class LineSplitter {
  private pieces: string[] = [];

  /** Calls `onLine` for every line the chunk completes, in order; stops early when it returns false. */
  push(chunk: string, onLine: (line: string) => boolean): void {
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline >= 0) {
      let line = chunk.slice(start, newline);
      if (this.pieces.length > 0) {
        this.pieces.push(line);
        line = this.pieces.join('');
        this.pieces = [];
      }
      start = newline + 1;
      if (!onLine(line)) return;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.pieces.push(start === 0 ? chunk : chunk.slice(start));
  }
}

/**
 * Reads an open 200 watch response until it ends. Resolves when the server closes the stream or
 * `signal` aborts; rejects with WatchIdleError when no byte arrived for `idleTimeoutMs`, with an
 * error for an undecodable line, with whatever `onEvent` throws (it ends the stream), and with the
 * network error otherwise. `onEvent` runs synchronously for each line, in order.
 */
export function readWatchStream<T>(
  res: IncomingMessage,
  path: string,
  onEvent: (event: WatchEvent<T>) => void,
  options: { signal?: AbortSignal; idleTimeoutMs?: number },
): Promise<void> {
  const { signal, idleTimeoutMs } = options;
  return new Promise<void>((resolve, reject) => {
    const lines = new LineSplitter();
    const idle =
      idleTimeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            res.destroy(new WatchIdleError(`watch ${path}: no data for ${idleTimeoutMs} ms`));
          }, idleTimeoutMs);
    // The socket keeps the process alive while the watch is open; the timer alone must not.
    idle?.unref();
    const abort = () => res.destroy();
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      signal?.removeEventListener('abort', abort);
      if (err && !signal?.aborted) reject(err);
      else resolve();
    };
    const onLine = (raw: string): boolean => {
      const line = raw.trim();
      if (!line) return true;
      let event: WatchEvent<T>;
      try {
        event = JSON.parse(line) as WatchEvent<T>;
      } catch {
        res.destroy(new Error(`watch ${path}: undecodable event ${line.slice(0, 200)}`));
        return false;
      }
      try {
        onEvent(event);
      } catch (err) {
        // The consumer rejected the event (e.g. an ERROR event it turns into 410 handling): end
        // this stream and let the caller see why.
        res.destroy(err instanceof Error ? err : new Error(String(err)));
        return false;
      }
      return true;
    };
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      idle?.refresh();
      lines.push(chunk, onLine);
    });
    res.on('end', () => {
      finish();
    });
    res.on('error', finish);
    res.on('close', () => {
      finish();
    });
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}
