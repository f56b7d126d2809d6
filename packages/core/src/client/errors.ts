/**
 * Typed client errors, each with a one-line message `<verb> <path>: <what happened>` and a `code`
 * that `errorFields()` logs:
 *
 * - `ApiError`: the apiserver answered a non-2xx status. It answers failures with a JSON `Status`
 *   body; we keep its `reason` and `message` so callers can branch on them (`isNotFound`, ...) and
 *   log what a person can act on. `code` is the HTTP status.
 * - `RequestError`: no answer at all. `code` is a string: `ETIMEDOUT` (the request's deadline passed;
 *   the message says in which phase: credentials, waiting for a connection, headers, body),
 *   `ECREDENTIALS` (the kubeconfig's credentials could not be loaded: exec plugin failed, token or
 *   certificate file missing; the next request tries again), `EABORTED` (the caller's signal), or
 *   the network error's own code (`ECONNREFUSED`, `ECONNRESET`, ...), with the original as `cause`.
 */
export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly verb: string,
    readonly path: string,
    readonly body?: StatusBody,
  ) {
    super(`${verb} ${path}: ${code} ${reason}: ${message}`);
  }
}

export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly code: string,
    readonly verb: string,
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${verb} ${path}: ${detail}`, options);
  }
}

/** Wraps a network failure (or passes a RequestError/ApiError through) with the request it belongs to. */
export function requestErrorFrom(err: unknown, verb: string, path: string): Error {
  if (err instanceof RequestError || err instanceof ApiError) return err;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new RequestError(typeof code === 'string' ? code : 'EREQUEST', verb, path, message, { cause: err });
}

/** Builds an ApiError from a response status and its (possibly non-JSON) body text. */
export function apiErrorFrom(code: number, text: string, verb: string, path: string): ApiError {
  let body: StatusBody | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') body = parsed;
  } catch {
    // not JSON (a proxy's HTML page, a plain-text 404): keep the text as the message
  }
  const reason = body?.reason ?? defaultReason(code);
  const message = body?.message ?? (text.trim().slice(0, 500) || 'no response body');
  return new ApiError(code, reason, message, verb, path, body);
}

function defaultReason(code: number): string {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    default:
      return code >= 500 ? 'InternalError' : 'Unknown';
  }
}

/** The HTTP status of an ApiError, or of anything carrying a numeric `code` (client-node's ApiException). */
export function statusCode(err: unknown): number | undefined {
  if (err instanceof ApiError) return err.code;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;
export const isConflict = (err: unknown): boolean => statusCode(err) === 409;
export const isAlreadyExists = (err: unknown): boolean =>
  statusCode(err) === 409 && err instanceof ApiError && err.reason === 'AlreadyExists';
export const isGone = (err: unknown): boolean => statusCode(err) === 410;
export const isForbidden = (err: unknown): boolean => statusCode(err) === 403;
export const isInvalid = (err: unknown): boolean => statusCode(err) === 422;
