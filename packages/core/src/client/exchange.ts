/**
 * The send loop shared by requests and watches: credentials, the 401 reload, `Retry-After`, and the
 * tally. Everything runs under the caller's `Deadline` (see `request.ts`), so no rule here can make
 * a request outlive it: a `Retry-After` wait that would end past the deadline is not waited for.
 */
import type { IncomingMessage } from 'node:http';
import { apiErrorFrom, RequestError, requestErrorFrom } from './errors.js';
import { retryAfterMs, type TokenBucket } from './rate-limit.js';
import { readText, send, type Deadline } from './request.js';
import type { RequestTally } from './tally.js';
import { CredentialsError, type Transport, type Transports } from './transport.js';

export interface ExchangeContext {
  server: string;
  userAgent: string;
  tally: RequestTally;
  limiter: TokenBucket;
  transports: Transports;
}

export interface Call {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  resource?: string;
}

/**
 * Sends until there is an answer to hand back: a 2xx (a 200 for a watch) resolves with the
 * response, unread; any other status rejects with its ApiError after the 401 and Retry-After rules
 * had their chance. Each send is counted in the tally.
 */
export async function exchange(
  ctx: ExchangeContext,
  verb: string,
  method: string,
  path: string,
  opts: Call,
  deadline: Deadline,
  watch: boolean,
): Promise<IncomingMessage> {
  const resource = opts.resource ?? path;
  const url = new URL(ctx.server + path);
  for (const [k, v] of Object.entries(opts.query ?? {}))
    if (v !== undefined) url.searchParams.set(k, String(v));
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  let transport = await credentials(ctx, verb, path, resource, deadline, () => ctx.transports.current());
  let reloaded = false;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1)
      await ctx.limiter.take(deadline.signal).catch((err: unknown) => {
        throw deadline.explain(err);
      });
    let res: IncomingMessage;
    try {
      res = await send(
        {
          method,
          url,
          headers: headersFor(ctx.userAgent, transport, body, opts.contentType),
          body,
          agent: watch ? transport.watchAgent : transport.requestAgent,
          tls: transport.tls,
        },
        deadline,
      );
    } catch (err) {
      ctx.tally.record({ verb, resource, code: 0 });
      throw requestErrorFrom(err, verb, path);
    }
    const code = res.statusCode ?? 0;
    ctx.tally.record({ verb, resource, code });
    if (watch ? code === 200 : code >= 200 && code < 300) return res;
    const text = await readText(res, deadline).catch((err: unknown) => {
      throw requestErrorFrom(err, verb, path);
    });
    if (code === 401 && !reloaded) {
      reloaded = true;
      const stale = transport;
      const reload = await credentials(ctx, verb, path, resource, deadline, () =>
        ctx.transports.reload(stale),
      );
      // Same credentials would get the same 401: only a change is worth another send.
      if (reload.changed) {
        transport = reload.transport;
        continue;
      }
    }
    const waitMs = retryAfterMs(code, res.headers['retry-after'], method, attempt);
    if (waitMs !== undefined && waitMs < deadline.remainingMs()) {
      deadline.phase = `waiting ${waitMs} ms as Retry-After asked`;
      await deadline.wait(waitMs);
      continue;
    }
    throw apiErrorFrom(code, text, verb, path);
  }
}

/** Runs a credential load under the deadline; its failure becomes a RequestError `ECREDENTIALS`. */
async function credentials<R>(
  ctx: ExchangeContext,
  verb: string,
  path: string,
  resource: string,
  deadline: Deadline,
  load: () => Promise<R>,
): Promise<R> {
  deadline.phase = 'loading credentials';
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => {
      reject(deadline.signal.reason as Error);
    };
    if (deadline.signal.aborted) onAbort();
    else deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([load(), aborted]);
  } catch (err) {
    if (err instanceof CredentialsError) {
      ctx.tally.record({ verb, resource, code: 0 });
      throw new RequestError(err.code, verb, path, `${err.message}; the next request tries again`, {
        cause: err.cause,
      });
    }
    throw requestErrorFrom(err, verb, path);
  }
}

function headersFor(
  userAgent: string,
  transport: Transport,
  body: string | undefined,
  contentType?: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...transport.headers,
    accept: 'application/json',
    'user-agent': userAgent,
  };
  if (body !== undefined) {
    headers['content-type'] = contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return headers;
}
