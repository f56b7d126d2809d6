/**
 * Read your own writes: after a successful write, the object the apiserver returned replaces the
 * cached copy at once, instead of when the watch delivers it (usually milliseconds later; seconds
 * under load). Without it a reconcile that runs in between, woken by another event, computes from
 * the copy the write just replaced and earns a 409 (client-go's MutationCache solves the same
 * problem).
 *
 * When it is safe, and why:
 * - only an object the store holds already, with the same uid, is replaced: a write-through never
 *   adds an object (the watch may have delivered its deletion) nor revives an older incarnation;
 * - only when the returned resourceVersion is newer than the cached one. Resource versions are opaque
 *   by contract; they are compared only when both are decimal integers (etcd revisions, what every
 *   apiserver serves today); otherwise nothing is replaced and the watch brings the object as usual;
 * - handlers are not called: the watch still delivers the same version later, as an update whose old
 *   and new objects have the same resourceVersion (one cheap no-op reconcile), and the reflector
 *   keeps its own resume point, so no event is lost or skipped;
 * - a relist that started before the write may put the older copy back for a moment; the next
 *   reconcile from it gets a 409 and retries, and the watch after the relist brings the newer copy.
 * The object passes the informer's own transform, exactly as anything the reflector stores; it is changed in place, so pass a copy nothing else holds (a client's
 * response is one).
 */
import { keyOf } from './client/resources.js';
import type { KubeObject } from './object.js';
import type { Store } from './store.js';
import type { Transform } from './transform.js';

const decimal = /^(0|[1-9][0-9]*)$/;

/** Whether resourceVersion `a` is known to be newer than `b` (both decimal integers, a > b). */
export function newerResourceVersion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || !decimal.test(a) || !decimal.test(b)) return false;
  return BigInt(a) > BigInt(b);
}

/**
 * Puts `written` into the informer's store when it is a newer version of a cached object (see the
 * module comment). Returns whether it did.
 */
export function writeThrough<T extends KubeObject>(
  informer: { readonly store: Store<T>; readonly transform: Transform<T> },
  written: T,
): boolean {
  if (written.metadata.name === undefined) return false;
  const cached = informer.store.get(keyOf(written));
  if (!cached || cached.metadata.uid !== written.metadata.uid) return false;
  if (!newerResourceVersion(written.metadata.resourceVersion, cached.metadata.resourceVersion)) return false;
  informer.store.upsert(informer.transform(written));
  return true;
}
