/**
 * Status writes that cost nothing when nothing changed and never clobber another writer.
 *
 * A writer owns some status fields and some condition types. `writeStatus` computes the status the
 * object should have (the stored status with the owned parts replaced), compares it semantically with
 * what is stored, and writes only on a difference: a merge patch to `/status` carrying the owned
 * fields, the merged conditions list and the resourceVersion it was computed from. If anyone wrote in
 * between, the apiserver answers 409; we re-read and recompute (5 tries, client-go's DefaultRetry).
 */
import { isConflict, isNotFound } from './client/errors.js';
import type { KubeClient } from './client/http.js';
import { objectKey, type ResourceRef } from './client/resources.js';
import { delay } from './backoff.js';
import { mergeOwnedConditions, type Condition } from './conditions.js';
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
  /** Computes the owned status from an object; called again with a fresh read after a conflict. */
  desired: (current: T) => OwnedStatus;
  attempts?: number;
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

export async function writeStatus<T extends KubeObject>(
  options: StatusWriteOptions<T>,
): Promise<StatusWriteOutcome> {
  const { client, resource, ownedConditionTypes = [], attempts = 5 } = options;
  let current: T = options.object;
  for (let attempt = 1; ; attempt++) {
    const stored = current.status as StatusOf | undefined;
    const owned = options.desired(current);
    const next = nextStatus(stored, owned, ownedConditionTypes);
    if (semanticEqual(next, stored ?? {})) return 'unchanged';
    const patch: Record<string, unknown> = {};
    for (const field of Object.keys(owned.fields)) patch[field] = next[field] ?? null;
    if ('conditions' in next || stored?.conditions) patch.conditions = next.conditions ?? null;
    const key = objectKey(current);
    try {
      await client.patch(
        resource,
        key,
        'merge',
        { metadata: { resourceVersion: current.metadata.resourceVersion }, status: patch },
        { subresource: 'status' },
      );
      return 'written';
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) {
        if (isNotFound(err)) return 'gone';
        throw err;
      }
      await delay(10 * (1 + Math.random() * 0.1));
      try {
        current = await client.get<T>(resource, key);
      } catch (readErr) {
        if (isNotFound(readErr)) return 'gone';
        throw readErr;
      }
    }
  }
}
