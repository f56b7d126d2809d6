/**
 * Adding and removing our own finalizer without touching anyone else's.
 *
 * Both are JSON patches guarded by a `test` op on exactly the list (or the entry) we computed from,
 * so a concurrent change to the finalizers makes the patch fail instead of overwriting it; the caller
 * then retries from a fresh read (the reconcile is re-run with backoff). Kubernetes does not
 * de-duplicate finalizers, so "add" is a no-op when ours is already there.
 */
import { isNotFound } from './client/errors.js';
import type { KubeClient } from './client/http.js';
import { objectKey, type ResourceRef } from './client/resources.js';
import type { KubeObject } from './object.js';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

/** JSON-patch ops that add `finalizer`, or undefined when it is present. */
export function addFinalizerPatch(obj: KubeObject, finalizer: string): object[] | undefined {
  const list = obj.metadata.finalizers;
  if (list?.includes(finalizer)) return undefined;
  if (!list || list.length === 0) {
    return [
      { op: 'test', path: '/metadata/finalizers', value: list ?? null },
      { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
    ];
  }
  return [
    { op: 'test', path: '/metadata/finalizers', value: list },
    { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
  ];
}

/** JSON-patch ops that remove `finalizer` (and only it), or undefined when it is absent. */
export function removeFinalizerPatch(obj: KubeObject, finalizer: string): object[] | undefined {
  const index = (obj.metadata.finalizers ?? []).indexOf(finalizer);
  if (index < 0) return undefined;
  return [
    { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
    { op: 'remove', path: `/metadata/finalizers/${index}` },
  ];
}

/** Adds our finalizer; returns the updated object, or the input when nothing had to change. */
export async function ensureFinalizer<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceRef,
  obj: T,
  finalizer: string,
): Promise<T> {
  const ops = addFinalizerPatch(obj, finalizer);
  if (!ops) return obj;
  return client.patch<T>(resource, objectKey(obj), 'json', ops);
}

/** Removes our finalizer; returns the updated object (or undefined when the object is gone). */
export async function removeFinalizer<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceRef,
  obj: T,
  finalizer: string,
): Promise<T | undefined> {
  const ops = removeFinalizerPatch(obj, finalizer);
  if (!ops) return obj;
  try {
    return await client.patch<T>(resource, objectKey(obj), 'json', ops);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
