import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/client/errors.js';
import { InputUnknownError } from '../src/controller.js';
import { createLogger, errorFields, isExpectedError, RepeatFilter } from '../src/log.js';

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:6443`), { code });
}

describe('errorFields', () => {
  it('logs an API error by status, reason and message, without a stack', () => {
    const err = new ApiError(403, 'Forbidden', 'rolebindings is forbidden', 'list', '/apis/x');
    expect(errorFields(err)).toEqual({
      err: {
        message: 'list /apis/x: 403 Forbidden: rolebindings is forbidden',
        name: 'ApiError',
        code: 403,
        reason: 'Forbidden',
      },
    });
  });

  it('logs network errors, aborts and timeouts without a stack, with their code and cause', () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET']) {
      const fields = errorFields(networkError(code)).err;
      expect(fields).toMatchObject({ code });
      expect(fields.stack).toBeUndefined();
    }
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(errorFields(abort).err.stack).toBeUndefined();
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(errorFields(timeout).err.stack).toBeUndefined();
    const wrapped = new Error('list failed', { cause: networkError('ECONNREFUSED') });
    expect(errorFields(wrapped).err.cause).toBe('connect ECONNREFUSED 127.0.0.1:6443');
  });

  it('keeps the stack of unexpected errors (bugs) and stringifies non-Errors', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'spec')");
    expect(errorFields(bug).err.stack).toContain('TypeError');
    expect(isExpectedError(bug)).toBe(false);
    expect(isExpectedError(new Error('plain'))).toBe(false);
    const marked = Object.assign(new Error('cannot tell whether Secret ns/s exists'), { expected: true });
    expect(isExpectedError(marked)).toBe(true);
    expect(errorFields(marked).err.stack).toBeUndefined();
    const unknown = new InputUnknownError('cannot read MCPGroup ns/g: list failing');
    expect(unknown.name).toBe('InputUnknownError');
    expect(isExpectedError(unknown)).toBe(true);
    expect(errorFields(unknown).err).toEqual({
      message: 'cannot read MCPGroup ns/g: list failing',
      name: 'InputUnknownError',
    });
    expect(errorFields('boom')).toEqual({ err: { message: 'boom' } });
  });
});

describe('RepeatFilter', () => {
  it('logs a message the first time, then at most once per interval with the count held back', () => {
    let now = 1_000;
    const f = new RepeatFilter(30_000, () => now);
    expect(f.admit('ns/a', 'forbidden')).toEqual({});
    for (let i = 0; i < 5; i++) {
      now += 2_000;
      expect(f.admit('ns/a', 'forbidden')).toBeUndefined();
    }
    expect(f.admit('ns/b', 'forbidden')).toEqual({}); // per key
    now = 1_000 + 29_999;
    expect(f.admit('ns/a', 'forbidden')).toBeUndefined();
    now = 1_000 + 30_000;
    expect(f.admit('ns/a', 'forbidden')).toEqual({ repeated: 6 });
    expect(f.admit('ns/a', 'forbidden')).toBeUndefined();
    expect(f.admit('ns/a', 'not found')).toEqual({}); // a new message at once
    f.forget('ns/a');
    expect(f.admit('ns/a', 'not found')).toEqual({});
  });

  it('holds a bounded number of keys', () => {
    const f = new RepeatFilter(30_000, () => 0, 2);
    f.admit('a', 'x');
    f.admit('b', 'x');
    f.admit('c', 'x'); // evicts a
    expect(f.admit('a', 'x')).toEqual({});
    expect(f.admit('c', 'x')).toBeUndefined();
  });
});

/** A logger writing into an array of parsed lines. */
function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(options, {
    write(line: string) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { log, lines };
}

describe('createLogger', () => {
  it('writes one JSON line per entry: level as a word, ISO time, no pid or hostname, info by default', () => {
    const { log, lines } = capture();
    log.debug('hidden');
    log.info({ key: 'ns/a' }, 'reconciled');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(Object.keys(line!).sort()).toEqual(['key', 'level', 'msg', 'time']);
    expect(line).toMatchObject({ level: 'info', key: 'ns/a', msg: 'reconciled' });
    expect(line!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('takes the level and a name, logged as `logger` so an object `name` field never clashes', () => {
    const { log, lines } = capture({ level: 'debug', name: 'widgets' });
    log.debug('shown');
    expect(lines).toEqual([expect.objectContaining({ level: 'debug', logger: 'widgets', msg: 'shown' })]);
    log.child({ name: 'obj-1' }).info('reconciled');
    expect(lines[1]).toMatchObject({ logger: 'widgets', name: 'obj-1' });
    const unnamed = capture({ name: '' });
    unnamed.log.info('x');
    expect(unnamed.lines[0]).not.toHaveProperty('name');
    expect(unnamed.lines[0]).not.toHaveProperty('logger');
  });

  it('censors secret-bearing fields wherever they are one level down', () => {
    const { log, lines } = capture();
    log.info(
      {
        secret: { data: { a: 'c2VjcmV0' }, stringData: { b: 'secret' }, keep: 'name' },
        user: { token: 'abc', password: 'pw' },
        headers: { authorization: 'Bearer abc' },
        req: { headers: { authorization: 'Bearer def' } },
      },
      'x',
    );
    expect(lines[0]).toMatchObject({
      secret: { data: '[redacted]', stringData: '[redacted]', keep: 'name' },
      user: { token: '[redacted]', password: '[redacted]' },
      headers: { authorization: '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
    });
    expect(JSON.stringify(lines)).not.toMatch(/c2VjcmV0|"b":"secret"|Bearer|"abc"|"pw"/);
  });

  it('logs a raw Error given as err through errorFields, and leaves other err values alone', () => {
    const { log, lines } = capture();
    log.warn({ err: new ApiError(404, 'NotFound', 'gone', 'get', '/x') }, 'failed');
    log.warn({ err: { message: 'already fields' } }, 'failed');
    expect(lines[0]!.err).toEqual({
      message: 'get /x: 404 NotFound: gone',
      name: 'ApiError',
      code: 404,
      reason: 'NotFound',
    });
    expect(lines[1]!.err).toEqual({ message: 'already fields' });
  });
});

describe('isExpectedError and causes', () => {
  it('counts undici errors and the expected error names as the outside world', () => {
    expect(isExpectedError(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }))).toBe(true);
    expect(isExpectedError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isExpectedError(Object.assign(new Error('x'), { code: 500 }))).toBe(true);
    for (const name of ['WatchIdleError', 'TerminalError', 'RequestTimeoutError', 'BindError', 'FlagError']) {
      expect(isExpectedError(Object.assign(new Error('x'), { name }))).toBe(true);
    }
    expect(isExpectedError({ name: 'ApiError', code: 404 })).toBe(false);
    for (const code of [
      'ECONNABORTED',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EPIPE',
      'ERR_SOCKET_CONNECTION_TIMEOUT',
    ]) {
      expect(isExpectedError(networkError(code))).toBe(true);
    }
  });

  it('describes any cause as a string', () => {
    const cause = (c: unknown) => errorFields(new Error('x', { cause: c })).err.cause;
    expect(cause('plain words')).toBe('plain words');
    expect(cause({ status: 503 })).toBe('{"status":503}');
    expect(cause(() => 1)).toBe('function');
    expect(cause(Symbol('s'))).toBe('symbol');
    expect(errorFields(new Error('x')).err).not.toHaveProperty('cause');
    expect(errorFields(new Error('x')).err).not.toHaveProperty('code');
    expect(errorFields(new Error('x')).err).not.toHaveProperty('reason');
  });

  it('logs again after the interval without a count when nothing was held back', () => {
    let now = 0;
    const f = new RepeatFilter(1_000, () => now);
    expect(f.admit('k', 'm')).toEqual({});
    now = 1_000;
    expect(f.admit('k', 'm')).toEqual({});
    now = 1_500;
    expect(f.admit('k', 'm')).toBeUndefined();
    now = 2_000;
    expect(f.admit('k', 'm')).toEqual({ repeated: 1 });
  });

  it('uses the monotonic clock by default', () => {
    const f = new RepeatFilter();
    expect(f.admit('k', 'm')).toEqual({});
    expect(f.admit('k', 'm')).toBeUndefined();
  });
});
