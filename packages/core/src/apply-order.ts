/**
 * The order in which a primary's children are applied (children.ts): two waves, first what the
 * others refer to (ServiceAccounts, Roles, ConfigMaps, Secrets), then the rest (RoleBindings,
 * workloads, Services). A RoleBinding sent before its Role exists is refused (404: without the `bind`
 * verb the apiserver checks the binding against the Role's rules), and a pod started before its
 * ConfigMap or ServiceAccount exists waits for it. Pure.
 */
import type { ResourceRef } from './client/resources.js';
import type { KubeObject } from './object.js';

export interface Child {
  resource: ResourceRef;
  /** The builder's output, without an owner reference (added here). */
  object: KubeObject;
}

/** The kinds the first wave applies: what the other children refer to. */
export const referencedKinds: ReadonlySet<string> = new Set([
  'ServiceAccount',
  'Role',
  'ConfigMap',
  'Secret',
]);

/** The children in apply waves (see the module comment); each keeps the caller's order. */
export function applyWaves<C extends Child>(children: readonly C[]): C[][] {
  const first = children.filter((c) => referencedKinds.has(c.resource.kind));
  const second = children.filter((c) => !referencedKinds.has(c.resource.kind));
  return [first, second].filter((wave) => wave.length > 0);
}
