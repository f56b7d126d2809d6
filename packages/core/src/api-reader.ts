/**
 * Uncached reads, for irreversible decisions only (controller-runtime's `APIReader`).
 *
 * Reconcilers read from the cache: it is cheap and, given time, converges. But the cache may lag
 * (an event not delivered yet) or be frozen (a watch failing after the first sync), and a decision
 * that cannot be taken back, such as removing a finalizer that protects something in use, must not
 * rest on it. `ApiReader` asks the apiserver itself: `get` one object, `list` every object of a kind
 * (all pages; an expired `continue` token falls back to one full list, as the reflector's pager).
 *
 * Every call is a request (counted in the client's tally): use it only to confirm what the cache
 * says right before an irreversible step, never for the ordinary reconcile. Failures are thrown as
 * the client's typed errors (`isNotFound`, `isForbidden`, ...); a caller that cannot confirm must
 * not take the step, and retries (the reconcile's backoff) instead.
 */
import type { CallOptions, KubeClient } from './client/http.js';
import type { ObjectKey, ResourceRef } from './client/resources.js';
import type { KubeList, KubeObject } from './object.js';
import { listAllPages } from './pager.js';

export interface ApiListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; 500 by default, as the reflector. */
  pageSize?: number;
  signal?: AbortSignal;
}

export class ApiReader {
  constructor(private readonly client: KubeClient) {}

  /** The object as the apiserver has it now; rejects with a 404 error when it does not exist. */
  get<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    key: ObjectKey,
    options: Pick<CallOptions, 'signal'> = {},
  ): Promise<T> {
    return this.client.get<T>(resource, key, options);
  }

  /** Every object of `resource` in `namespace` (all namespaces when undefined), every page. */
  async list<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    options: ApiListOptions = {},
  ): Promise<T[]> {
    const { labelSelector, fieldSelector, pageSize = 500, signal } = options;
    const { items } = await listAllPages<T>(
      (page) =>
        this.client.list<KubeList<T>>(resource, namespace, {
          query: { ...page, labelSelector, fieldSelector },
          signal,
        }),
      pageSize,
      () => undefined,
    );
    return items;
  }
}
