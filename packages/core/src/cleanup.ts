/**
 * Clean-up of objects a controller cannot own, for finalizers: objects a runtime image creates
 * without owner references (the proxy runner's StatefulSet and Services), or that are found by label.
 * The garbage collector never deletes them, so the owner's finalizer must, and must not be removed
 * until they are gone.
 *
 * Both functions are idempotent (404 means done) and read from the apiserver, not the cache: removing
 * a finalizer is irreversible, and a lagging or frozen cache must not make us believe the objects are
 * gone. Both answer what is *left*: objects still present after the delete call (they have finalizers
 * of their own, or a grace period). The caller keeps its finalizer and requeues while anything is left
 * (a watch on the kind, or `requeueAfterMs`, brings it back).
 *
 * Failure modes: 403 (RBAC lacks `delete`, or `list` for `deleteByLabel`) and network errors are
 * thrown as they are; the reconcile retries with backoff and the finalizer stays, which is the safe
 * side. A uid precondition that no longer matches (409) means the object we meant is gone and another
 * took its name: that counts as done, and the newcomer is left alone.
 */
import { isConflict, isNotFound } from './client/errors.js';
import type { KubeClient } from './client/http.js';
import type { ObjectKey, ResourceRef } from './client/resources.js';
import type { KubeList, KubeObject } from './object.js';

export interface DeleteOptions {
  /** Delete only this incarnation of the object (DeleteOptions.preconditions.uid). */
  uid?: string;
  /** Default Background: dependents are removed by the garbage collector afterwards. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

/**
 * Deletes one object if it exists. Resolves `true` when something is left (the object, or the
 * incarnation named by `uid`, is still there, e.g. terminating behind finalizers), `false` when it is
 * gone. A second call on a terminating object sends the DELETE again, which is harmless.
 */
export async function deleteIfPresent(
  client: KubeClient,
  resource: ResourceRef,
  key: ObjectKey,
  options: DeleteOptions = {},
): Promise<boolean> {
  const body = {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: options.propagationPolicy ?? 'Background',
    ...(options.uid !== undefined ? { preconditions: { uid: options.uid } } : {}),
  };
  let answer: unknown;
  try {
    answer = await client.delete(resource, key, body);
  } catch (err) {
    if (isNotFound(err)) return false;
    if (options.uid !== undefined && isConflict(err)) return false;
    throw err;
  }
  return isLeft(answer);
}

/**
 * The apiserver answers a DELETE with a Status when the object is gone, or with the object: without
 * a deletionTimestamp it was removed at once (this is its last state); with one it is terminating.
 */
function isLeft(answer: unknown): boolean {
  if (typeof answer !== 'object' || answer === null) return false;
  const obj = answer as Partial<KubeObject>;
  if (obj.kind === 'Status') return false;
  return obj.metadata?.deletionTimestamp !== undefined;
}

export interface DeleteByLabelResult {
  /** Names gone now (deleted by this call, or already gone when it came). */
  deleted: string[];
  /** Names still present (terminating): keep the finalizer and look again later. */
  left: string[];
}

/**
 * Deletes every object of `resource` in `namespace` matching `labelSelector` (uncached list, then one
 * DELETE per object with its uid as precondition, so an object recreated under the same name in the
 * meantime is not touched). An empty selector is refused (it would match everything).
 */
export async function deleteByLabel(
  client: KubeClient,
  resource: ResourceRef,
  namespace: string | undefined,
  labelSelector: string,
  options: Omit<DeleteOptions, 'uid'> = {},
): Promise<DeleteByLabelResult> {
  if (labelSelector.trim() === '') {
    throw new Error(`deleteByLabel ${resource.kind}: an empty label selector would delete every object`);
  }
  const list = await client.list<KubeList<KubeObject>>(resource, namespace, { query: { labelSelector } });
  const result: DeleteByLabelResult = { deleted: [], left: [] };
  for (const item of list.items) {
    const name = item.metadata.name ?? '';
    const key = { namespace: item.metadata.namespace, name };
    const left = await deleteIfPresent(client, resource, key, { ...options, uid: item.metadata.uid });
    (left ? result.left : result.deleted).push(name);
  }
  return result;
}
