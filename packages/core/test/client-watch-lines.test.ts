// The watch stream reader on an in-memory stream: line splitting, decoding, idle timeout, abort.
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineSplitter, readWatchStream, WatchIdleError, type WatchEvent } from '../src/client/watch.js';

describe('LineSplitter', () => {
  const split = (chunks: string[]): string[] => {
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (const chunk of chunks) splitter.push(chunk, (line) => lines.push(line) > 0);
    return lines;
  };

  it('gives each complete line once, joining pieces cut anywhere, and holds the unfinished one', () => {
    expect(split(['a\nb', 'c\n', 'd', 'e', 'f\ng\n', 'rest'])).toEqual(['a', 'bc', 'def', 'g']);
    expect(split(['\n\nx\n'])).toEqual(['', '', 'x']);
    expect(split(['ab', '\n'])).toEqual(['ab']);
    expect(split(['a', 'b', 'c'])).toEqual([]);
  });

  it('stops at the line for which onLine returns false', () => {
    const splitter = new LineSplitter();
    const seen: string[] = [];
    splitter.push('one\ntwo\nthree\n', (line) => {
      seen.push(line);
      return line !== 'two';
    });
    expect(seen).toEqual(['one', 'two']);
  });
});

describe('readWatchStream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function stream() {
    const res = new PassThrough();
    return { res, message: res as unknown as IncomingMessage };
  }
  const line = (type: string, name: string) => `${JSON.stringify({ type, object: { name } })}\n`;

  it('hands every event to onEvent in order, skipping blank lines, and resolves when the server ends it', async () => {
    const { res, message } = stream();
    const events: WatchEvent<{ name: string }>[] = [];
    const done = readWatchStream<{ name: string }>(message, '/w', (e) => events.push(e), {});
    res.write(line('ADDED', 'a').slice(0, 10));
    res.write(line('ADDED', 'a').slice(10) + '\n   \n' + '  ' + line('MODIFIED', 'a'));
    res.end(line('DELETED', 'a'));
    await expect(done).resolves.toBeUndefined();
    expect(events).toEqual([
      { type: 'ADDED', object: { name: 'a' } },
      { type: 'MODIFIED', object: { name: 'a' } },
      { type: 'DELETED', object: { name: 'a' } },
    ]);
  });

  it('rejects an undecodable line, naming the path and the line, and reads no further', async () => {
    const { res, message } = stream();
    const events: unknown[] = [];
    const done = readWatchStream(message, '/apis/x/w', (e) => events.push(e), {});
    res.write(`{not json\n${line('ADDED', 'b')}`);
    await expect(done).rejects.toThrow('watch /apis/x/w: undecodable event {not json');
    expect(events).toEqual([]);
    expect(res.destroyed).toBe(true);
  });

  it('ends the stream with what onEvent throws (a non-Error as an Error)', async () => {
    const first = stream();
    const thrown = new Error('410 in an ERROR event');
    const a = readWatchStream(
      first.message,
      '/w',
      () => {
        throw thrown;
      },
      {},
    );
    first.res.write(line('ERROR', 'x') + line('ADDED', 'y'));
    await expect(a).rejects.toBe(thrown);
    expect(first.res.destroyed).toBe(true);

    const second = stream();
    const b = readWatchStream(
      second.message,
      '/w',
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a consumer that throws a non-Error
        throw 'plain';
      },
      {},
    );
    second.res.write(line('ADDED', 'x'));
    await expect(b).rejects.toThrow(new Error('plain'));
  });

  it('rejects with the network error', async () => {
    const { res, message } = stream();
    const done = readWatchStream(message, '/w', () => undefined, {});
    res.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await expect(done).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('gives up with WatchIdleError when no byte arrives for the idle timeout; data restarts the clock', async () => {
    vi.useFakeTimers();
    const { res, message } = stream();
    let settled = false;
    const done = readWatchStream(message, '/w', () => undefined, { idleTimeoutMs: 1_000 });
    done.then(
      () => (settled = true),
      () => (settled = true),
    );
    await vi.advanceTimersByTimeAsync(900);
    res.write('\n');
    await vi.advanceTimersByTimeAsync(900);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    const err = await done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WatchIdleError);
    expect(err).toMatchObject({
      name: 'WatchIdleError',
      code: 'EWATCHIDLE',
      message: 'watch /w: no data for 1000 ms',
    });
  });

  it('clears its idle timer when the stream ends', async () => {
    vi.useFakeTimers();
    const { res, message } = stream();
    const done = readWatchStream(message, '/w', () => undefined, { idleTimeoutMs: 1_000 });
    expect(vi.getTimerCount()).toBe(1);
    res.end();
    await done;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves quietly when the caller aborts, before or during the stream', async () => {
    const { res, message } = stream();
    const controller = new AbortController();
    const done = readWatchStream(message, '/w', () => undefined, { signal: controller.signal });
    controller.abort();
    await expect(done).resolves.toBeUndefined();
    expect(res.destroyed).toBe(true);

    const early = stream();
    const aborted = AbortSignal.abort();
    await expect(
      readWatchStream(early.message, '/w', () => undefined, { signal: aborted }),
    ).resolves.toBeUndefined();
    expect(early.res.destroyed).toBe(true);
  });

  it('lets go of the signal when the stream ends', async () => {
    const { res, message } = stream();
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const done = readWatchStream(message, '/w', () => undefined, { signal: controller.signal });
    res.end();
    await done;
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});
