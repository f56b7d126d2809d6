/**
 * Status conditions as data (the shape of metav1.Condition), with the Kubernetes rules:
 * `lastTransitionTime` moves only when `status` flips, `observedGeneration` is set on every change,
 * one entry per `type`. Pure functions: they return new arrays and never touch the input.
 */
import { rfc3339 } from './client/time.js';

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

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * Replaces the entries whose type is in `ownedTypes` with those in `ours` and keeps every other
 * writer's entries untouched: the rule that lets several controllers share one conditions list.
 */
export function mergeOwnedConditions(
  stored: readonly Condition[] | undefined,
  ours: readonly Condition[],
  ownedTypes: readonly string[],
): Condition[] {
  const owned = new Set(ownedTypes);
  const foreign = (stored ?? []).filter((c) => !owned.has(c.type));
  return [...foreign, ...ours.filter((c) => owned.has(c.type))];
}
