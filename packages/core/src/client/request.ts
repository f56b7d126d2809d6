/**
 * One HTTP exchange under a deadline.
 *
 * A `Deadline` starts before anything else happens (loading credentials, waiting for a pooled
 * socket, connecting, the server's answer, reading the body) and aborts the exchange with a
 * `RequestError` `ETIMEDOUT` naming the phase it was in, so a request can never wait unboundedly,
 * not even behind other requests for a socket. (`req.setTimeout` would only count socket idleness
 * once a socket is assigned.) The caller's own signal aborts it with `EABORTED`.
 */
import { request as httpRequest, type IncomingMessage, type Agent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestError } from './errors.js';
import type { TlsOptions } from './transport.js';

export class Deadline {
  /** Aborted when the deadline passes or the caller's signal aborts; the reason is a RequestError. */
  readonly signal: AbortSignal;
  /** What the exchange is doing now, for the timeout message. */
  phase = 'loading credentials';
  private readonly controller = new AbortController();
  private readonly timer?: NodeJS.Timeout;
  private readonly endsAt: number;
  private readonly onParentAbort = () => {
    this.controller.abort(new RequestError('EABORTED', this.verb, this.path, 'aborted by the caller'));
  };

  constructor(
    readonly ms: number | undefined,
    private readonly parent: AbortSignal | undefined,
    private readonly verb: string,
    private readonly path: string,
  ) {
    this.signal = this.controller.signal;
    this.endsAt = ms === undefined ? Infinity : performance.now() + ms;
    if (ms !== undefined) {
      this.timer = setTimeout(() => {
        this.controller.abort(
          new RequestError('ETIMEDOUT', verb, path, `no answer within ${ms} ms (${this.phase})`),
        );
      }, ms);
    }
    if (parent?.aborted) this.onParentAbort();
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  remainingMs(): number {
    return this.endsAt - performance.now();
  }

  /** The error to surface: the deadline's own reason once it has fired, else `err`. */
  explain(err: unknown): Error {
    if (this.signal.aborted) return this.signal.reason as Error;
    return err instanceof Error ? err : new Error(String(err));
  }

  /** Waits `ms`, or rejects with the deadline's reason. */
  async wait(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.signal });
    } catch (err) {
      throw this.explain(err);
    }
  }

  /** Stops the clock and lets go of the caller's signal (always call it, in `finally`). */
  dispose(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}

export interface Outgoing {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  agent: Agent;
  tls: TlsOptions;
}

/**
 * Sends one request; resolves with the response once its headers arrived. The deadline's abort
 * destroys the request (and the response, if it is being read) with the deadline's reason.
 */
export function send(out: Outgoing, deadline: Deadline): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (deadline.signal.aborted) {
      reject(deadline.signal.reason as Error);
      return;
    }
    const transmit = out.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let response: IncomingMessage | undefined;
    deadline.phase = 'waiting for a connection';
    const req = transmit(
      out.url,
      { method: out.method, headers: out.headers, agent: out.agent, ...out.tls },
      (res) => {
        response = res;
        deadline.phase = 'reading the response';
        resolve(res);
      },
    );
    const onAbort = () => {
      const reason = deadline.signal.reason as Error;
      req.destroy(reason);
      response?.destroy(reason);
    };
    // The deadline's signal is this exchange's own (never the caller's), so it needs no clean-up.
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    req.on('socket', () => {
      deadline.phase = 'waiting for the response headers';
    });
    req.on('error', (err) => {
      reject(deadline.explain(err));
    });
    req.end(out.body);
  });
}

/** Reads a whole response body as text, under the deadline. */
export async function readText(res: IncomingMessage, deadline: Deadline): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch (err) {
    throw deadline.explain(err);
  }
  if (deadline.signal.aborted) throw deadline.signal.reason as Error;
  return Buffer.concat(chunks).toString('utf8');
}
