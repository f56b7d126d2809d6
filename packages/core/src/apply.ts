/**
 * Apply of owned child objects: one server-side apply (PATCH `application/apply-patch+yaml`, our field
 * manager, `force: true`) when the fields we manage differ from the cached object, and no request at
 * all otherwise, so a steady state costs zero writes. The decision is `drift.ts`'s (subset of live +
 * applied-hash annotation); this module is the I/O edge.
 *
 * Contract of `applyOwned`:
 * - `desired` comes from a pure builder and carries our controller reference (`withOwner`); the same
 *   builder output is used for creation and for drift detection, so the two cannot disagree.
 * - `cached` is the object from the cache (or undefined). When it is undefined we read the object
 *   once from the apiserver before writing (a cache that has not seen our own create yet must not
 *   make us apply again, and a foreign object of the same name must be noticed), unless the caller
 *   says the cache is complete (`cacheComplete`: a healthy informer holding every object of the kind
 *   in the namespace). Then absence in the cache is taken as absence, and the object is applied at
 *   once: one request for a new child instead of two. What a race could still hide is safe: an
 *   object controlled by another owner cannot take a second controller reference (the apiserver
 *   answers 422, and we read it and report the conflict as above, without writing); an orphan is
 *   adopted, as it would be after the read. `createOnly` and `adoptOrphans: false` always read first.
 * - An existing object controlled by someone else is never written: `OwnershipConflictError` is
 *   thrown with a condition-ready reason and message (see `owner.ts`). Orphans are adopted unless
 *   `adoptOrphans: false`.
 * - Fields we do not send are never touched: server-side apply only changes fields in the body and
 *   removes fields that only our manager owned and that we stopped sending. `force: true` takes back
 *   fields someone else changed (a hand-edited image), which is what drift repair means.
 * - `createOnly`: create when absent, never update afterwards (generated secrets).
 * - A cache lagging behind our own last apply makes us apply the same body once more; the apiserver
 *   stores nothing for an identical apply (no new resourceVersion, no event), so that costs one
 *   request and never starts a loop.
 *
 * Failure modes (thrown ApiError; the reconcile should fail and retry with backoff unless noted):
 * - 422 Invalid: the builder produced an invalid object, or changed an immutable field (Deployment
 *   `spec.selector`, RoleBinding `roleRef`, Service `clusterIP`). Retrying does not help: report it in
 *   a condition; for an immutable field, delete the object (`deleteIfPresent` with its uid) and apply.
 * - 500 "failed to create typed patch object": the body does not fit the kind's schema (e.g. a
 *   Service port without `protocol`, a key of its list-map, on v1.20). A builder bug, as 422.
 * - 409 Conflict: a concurrent create of the same name; the retry sees the object and compares.
 * - 403 Forbidden / 404 NotFound: RBAC lacks `patch` (or `get`) on the kind, or the namespace is
 *   being deleted.
 */
import { isInvalid, isNotFound } from './client/errors.js';
import type { KubeClient } from './client/http.js';
import { apiVersionOf, objectKey, type ResourceRef } from './client/resources.js';
import { applyReason, withAppliedHash } from './drift.js';
import type { KubeObject } from './object.js';
import { controllerOf, OwnershipConflictError, ownershipConflict } from './owner.js';

export type ApplyAction = 'created' | 'updated' | 'unchanged';

export interface ApplyOwnedOptions<T extends KubeObject> {
  client: KubeClient;
  resource: ResourceRef;
  /** The builder's output, with our controller reference (`withOwner`). */
  desired: T;
  /** The cached live object (managedFields stripped), or undefined when the cache has none. */
  cached: T | undefined;
  /** The controller's field manager, the same on every apply (it owns the fields it sent). */
  fieldManager: string;
  /** Adopt an existing object that has no controller reference (default true). */
  adoptOrphans?: boolean;
  /** Create when absent; never update an existing object. */
  createOnly?: boolean;
  /**
   * The cache holds every object of this kind in the namespace and is healthy now, so `cached:
   * undefined` means absent: apply without reading first (see the module comment).
   */
  cacheComplete?: boolean;
}

export interface ApplyOutcome<T extends KubeObject> {
  action: ApplyAction;
  /** The live object: the apply's answer (with managedFields), or the object compared against. */
  object: T;
  /** Why we wrote: the first drifting field path, or `absent`; undefined when unchanged. */
  reason?: string;
}

/**
 * Applies `desired` when it drifted from the live object; see the module comment for the contract.
 * `created` means no object existed when we looked (a concurrent creator may still have won the race;
 * the apply then merged into theirs).
 */
export async function applyOwned<T extends KubeObject>(
  options: ApplyOwnedOptions<T>,
): Promise<ApplyOutcome<T>> {
  const { client, resource, fieldManager } = options;
  const ref = controllerOf(options.desired);
  if (!ref) {
    throw new Error(
      `${resource.kind} ${options.desired.metadata.name ?? ''} has no controller owner reference; ` +
        'build it with withOwner(child, owner) before applyOwned',
    );
  }
  const applied = withAppliedHash({
    ...options.desired,
    apiVersion: options.desired.apiVersion ?? apiVersionOf(resource),
    kind: options.desired.kind ?? resource.kind,
  });
  const key = objectKey(applied);
  const apply = () => client.patch<T>(resource, key, 'apply', applied, { fieldManager, force: true });
  if (!options.cached && trustsAbsence(options)) {
    try {
      return { action: 'created', object: await apply(), reason: 'absent' };
    } catch (err) {
      // Someone else's object of that name, which the cache has not seen yet: decide as below.
      if (!isInvalid(err)) throw err;
    }
  }
  const live = options.cached ?? (await getIfPresent<T>(client, resource, key));
  if (live) {
    const conflict = ownershipConflict({ kind: resource.kind, metadata: live.metadata }, ref, options);
    if (conflict) throw new OwnershipConflictError(conflict);
    if (options.createOnly) return { action: 'unchanged', object: live };
  }
  const reason = applyReason(applied, live);
  if (reason === undefined && live) return { action: 'unchanged', object: live };
  const object = await apply();
  return { action: live ? 'updated' : 'created', object, ...(reason !== undefined ? { reason } : {}) };
}

function trustsAbsence(options: ApplyOwnedOptions<KubeObject>): boolean {
  return options.cacheComplete === true && options.createOnly !== true && options.adoptOrphans !== false;
}

/** An uncached GET; undefined on 404. */
async function getIfPresent<T>(
  client: KubeClient,
  resource: ResourceRef,
  key: { namespace?: string; name: string },
): Promise<T | undefined> {
  try {
    return await client.get<T>(resource, key);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
