/**
 * Status conditions as data (the shape of metav1.Condition), with the Kubernetes rules:
 * `lastTransitionTime` moves only when `status` flips, `observedGeneration` is set on every change,
 * one entry per `type`, entries updated in place (a list keyed by type: its order means nothing, so
 * nothing here moves an entry and `conditionsEqual` ignores order). Pure functions: they return new
 * arrays and never touch the input.
 */
import { rfc3339 } from './client/time.js';
import { semanticEqual } from './hash.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What a reconciler states; the time and generation are filled in by `setCondition`. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * Returns the conditions with `input` set. An existing entry keeps its `lastTransitionTime` unless
 * the status changed; reason, message and observedGeneration are always updated. Order is kept, a
 * new type is appended.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  observedGeneration: number | undefined,
  now: Date = new Date(),
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime:
      previous && previous.status === input.status ? previous.lastTransitionTime : rfc3339(now),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** Sets several conditions at once (same rules as `setCondition`). */
export function setConditions(
  conditions: readonly Condition[] | undefined,
  inputs: readonly ConditionInput[],
  observedGeneration: number | undefined,
  now: Date = new Date(),
): Condition[] {
  return inputs.reduce<Condition[]>(
    (list, input) => setCondition(list, input, observedGeneration, now),
    [...(conditions ?? [])],
  );
}

/**
 * Exactly `inputs`, each set over the stored condition of its type (so an unchanged status keeps its
 * `lastTransitionTime`); stored conditions of other types are left out. For a writer whose set of
 * conditions varies (one present only when some field is set): handed to `writeStatus` as the owned
 * conditions, an owned type it no longer sets is removed rather than carried over from the store.
 */
export function replaceConditions(
  conditions: readonly Condition[] | undefined,
  inputs: readonly ConditionInput[],
  observedGeneration: number | undefined,
  now: Date = new Date(),
): Condition[] {
  const types = new Set(inputs.map((i) => i.type));
  return setConditions(
    conditions?.filter((c) => types.has(c.type)),
    inputs,
    observedGeneration,
    now,
  );
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * Replaces the entries whose type is in `ownedTypes` with those in `ours`, in place (as apimachinery's
 * `meta.SetStatusCondition` does): an owned entry keeps its position, an owned type absent from
 * `ours` is removed, a type new to the list is appended. Every other writer's entries stay where and
 * as they are. This is the rule that lets several controllers share one conditions list: merging what
 * is already stored is a fixed point, so two writers never move each other's entries and never
 * rewrite the list back and forth.
 */
export function mergeOwnedConditions(
  stored: readonly Condition[] | undefined,
  ours: readonly Condition[],
  ownedTypes: readonly string[],
): Condition[] {
  const owned = new Set(ownedTypes);
  const pending = new Map<string, Condition>();
  for (const c of ours) if (owned.has(c.type) && !pending.has(c.type)) pending.set(c.type, c);
  const merged: Condition[] = [];
  for (const c of stored ?? []) {
    if (!owned.has(c.type)) {
      merged.push(c);
      continue;
    }
    const next = pending.get(c.type);
    if (next) merged.push(next);
    // Taken (or dropped): a duplicate stored entry of an owned type is not kept.
    pending.delete(c.type);
  }
  return [...merged, ...pending.values()];
}

/**
 * Whether two condition lists say the same thing: compared as maps by type (order is not meaningful
 * in a list keyed by type), each entry semantically. `undefined` equals the empty list.
 */
export function conditionsEqual(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const byType = (list: readonly Condition[] | undefined) => new Map((list ?? []).map((c) => [c.type, c]));
  const left = byType(a);
  const right = byType(b);
  if (left.size !== right.size || (a?.length ?? 0) !== (b?.length ?? 0)) return false;
  for (const [type, condition] of left) {
    if (!semanticEqual(condition, right.get(type))) return false;
  }
  return true;
}
