/**
 * RBAC rules as the controllers generate them for the workloads they run (a proxy runner's or a vMCP's
 * Role). Rule sets are module constants shared by every reconcile, so each rule is frozen: a caller
 * that edited one would change every Role generated after it.
 */

/** An RBAC rule as stored (`apiGroups`, `resources`, `verbs`); read-only. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** A frozen rule for one API group (`''` is the core group); the arrays are copies. */
export function policyRule(
  apiGroup: string,
  resources: readonly string[],
  verbs: readonly string[],
): PolicyRule {
  return Object.freeze({
    apiGroups: Object.freeze([apiGroup]),
    resources: Object.freeze([...resources]),
    verbs: Object.freeze([...verbs]),
  });
}
