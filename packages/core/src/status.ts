/**
 * Status writes that cost nothing when nothing changed and never clobber another writer.
 *
 * A writer owns some status fields and some condition types. `writeStatus` computes the status the
 * object should have (the stored status with the owned parts replaced, conditions merged in place by
 * type), compares it semantically with what is stored (conditions as a map by type, so their order
 * never causes a write), and writes only on a difference: a merge patch to `/status` carrying the
 * owned fields, the merged conditions list and the resourceVersion it was computed from.
 *
 * One object, one evaluation: `desired` is called once, with the object the reconciler read, and
 * everything the status says must come from that object (and the cache). If anyone wrote in between,
 * the apiserver answers 409 and `writeStatus` throws that conflict (`isConflict(err)`) instead of
 * re-reading and patching only part of the status: the controller re-runs the whole reconcile with
 * backoff, from a cache that holds (or soon holds) the newer object. So a status never claims a
 * generation (`observedGeneration`) whose spec it did not evaluate. Other failures are thrown as
 * they come; a 404 (the object is gone) is the outcome `gone`.
 *
 * Read your writes: `onWritten` receives the object the apiserver returned after a write, e.g. to
 * put it into the informer's store (`Informer.writeThrough`), so the next reconcile does not compute
 * from the copy the write just replaced and earn a 409 for it.
 */
import { isNotFound } from './client/errors.js';
import type { KubeClient } from './client/http.js';
import { objectKey, type ResourceRef } from './client/resources.js';
import { conditionsEqual, mergeOwnedConditions, type Condition } from './conditions.js';
import { semanticEqual } from './hash.js';
import type { KubeObject } from './object.js';

export interface OwnedStatus {
  /** Owned fields; `undefined` removes an owned field. */
  fields: Record<string, unknown>;
  /** Owned conditions (computed with setCondition from the stored ones). */
  conditions?: Condition[];
}

export interface StatusWriteOptions<T extends KubeObject> {
  client: KubeClient;
  resource: ResourceRef;
  /** The object as the reconciler saw it (usually from the cache). */
  object: T;
  /** The condition types this writer owns; others' conditions are kept as stored. */
  ownedConditionTypes?: readonly string[];
  /**
   * Computes the owned status from `object` (called once, with `object`). Compute everything the
   * status says, `observedGeneration` included, from this one object.
   */
  desired: (object: T) => OwnedStatus;
  /** Called with the object the apiserver returned after a successful write. */
  onWritten?: (written: T) => void;
}

export type StatusWriteOutcome = 'unchanged' | 'written' | 'gone';

type StatusOf = Record<string, unknown> & { conditions?: Condition[] };

/** The stored status with the owned parts replaced: what the object's status should become. */
export function nextStatus(
  stored: StatusOf | undefined,
  owned: OwnedStatus,
  ownedTypes: readonly string[],
): StatusOf {
  const next: StatusOf = Object.fromEntries(
    Object.entries({ ...(stored ?? {}), ...owned.fields }).filter(([, value]) => value !== undefined),
  );
  if (owned.conditions !== undefined || ownedTypes.length > 0) {
    const merged = mergeOwnedConditions(stored?.conditions, owned.conditions ?? [], ownedTypes);
    if (merged.length > 0) next.conditions = merged;
    else delete next.conditions;
  }
  return next;
}

/** Whether two statuses say the same thing: fields semantically, conditions as a map by type. */
export function statusEqual(a: StatusOf | undefined, b: StatusOf | undefined): boolean {
  const { conditions: left, ...restA } = a ?? {};
  const { conditions: right, ...restB } = b ?? {};
  return semanticEqual(restA, restB) && conditionsEqual(left, right);
}

/**
 * Writes the owned status of `object` when it differs from the stored one. Resolves `unchanged`
 * (no request), `written`, or `gone` (404); rejects with the apiserver's 409 when `object` is stale,
 * and with any other request failure.
 */
export async function writeStatus<T extends KubeObject>(
  options: StatusWriteOptions<T>,
): Promise<StatusWriteOutcome> {
  const { client, resource, object, ownedConditionTypes = [] } = options;
  const stored = object.status as StatusOf | undefined;
  const owned = options.desired(object);
  const next = nextStatus(stored, owned, ownedConditionTypes);
  if (statusEqual(next, stored)) return 'unchanged';
  const patch: Record<string, unknown> = {};
  for (const field of Object.keys(owned.fields)) patch[field] = next[field] ?? null;
  if ('conditions' in next || stored?.conditions) patch.conditions = next.conditions ?? null;
  try {
    const written = await client.patch<T>(
      resource,
      objectKey(object),
      'merge',
      { metadata: { resourceVersion: object.metadata.resourceVersion }, status: patch },
      { subresource: 'status' },
    );
    options.onWritten?.(written);
    return 'written';
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    throw err;
  }
}
