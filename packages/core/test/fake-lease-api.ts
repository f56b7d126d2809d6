/**
 * An in-memory Lease API for the LeaderElector's unit tests (election.test.ts, the real-time
 * election-partition.test.ts).
 */
import { ApiError, type KubeClient } from '../src/client/index.js';
import type { LeaseSpec } from '../src/election.js';

/** An in-memory Lease API with compare-and-swap on resourceVersion; `fail` makes every call reject. */
export function fakeLeaseApi() {
  let stored: { metadata: Record<string, unknown>; spec?: LeaseSpec } | undefined;
  let version = 0;
  const state = { fail: false, hang: false, writes: [] as LeaseSpec[], writtenAt: [] as number[] };
  /** A partition: the request never gets an answer; only its own signal can end it. */
  const hung = (options?: { signal?: AbortSignal }) =>
    new Promise<never>((_resolve, reject) => {
      options?.signal?.addEventListener('abort', () => {
        reject(options.signal?.reason as Error);
      });
    });
  const check = () => {
    if (state.fail)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
  };
  const copy = <T>(v: T): T => structuredClone(v);
  const client = {
    get: (_r: unknown, _key: unknown, options?: { signal?: AbortSignal }) => {
      if (state.hang) return hung(options);
      check();
      if (!stored) throw new ApiError(404, 'NotFound', 'leases not found', 'get', '/leases/x');
      return Promise.resolve(copy(stored));
    },
    create: (_r: unknown, body: { metadata: Record<string, unknown>; spec?: LeaseSpec }) => {
      check();
      if (stored) throw new ApiError(409, 'AlreadyExists', 'exists', 'create', '/leases');
      stored = { ...copy(body), metadata: { ...body.metadata, resourceVersion: String(++version) } };
      state.writes.push(copy(body.spec!));
      state.writtenAt.push(performance.now());
      return Promise.resolve(copy(stored));
    },
    replace: (_r: unknown, body: { metadata: Record<string, unknown>; spec?: LeaseSpec }) => {
      check();
      if (body.metadata.resourceVersion !== stored?.metadata.resourceVersion) {
        throw new ApiError(409, 'Conflict', 'modified', 'update', '/leases/x');
      }
      stored = { ...copy(body), metadata: { ...body.metadata, resourceVersion: String(++version) } };
      state.writes.push(copy(body.spec!));
      state.writtenAt.push(performance.now());
      return Promise.resolve(copy(stored));
    },
  };
  return { client: client as unknown as KubeClient, state };
}
