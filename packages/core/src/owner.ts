/**
 * Controller owner references: which object a child belongs to, and the refusal to take over a child
 * that belongs to someone else. Pure functions; no I/O.
 *
 * - `controllerReference(owner)` is the reference a controller puts on every child it creates: one
 *   controller owner per object (`controller: true`), and `blockOwnerDeletion: true` so a foreground
 *   deletion of the owner waits for its children. Needs the owner as the apiserver returned it (uid,
 *   name, apiVersion, kind); throws a plain Error when one is missing (a programming error: the owner
 *   was built locally instead of read), naming the missing field.
 * - `ownershipConflict(live, ref)` says why an existing object must not be adopted. A controller never
 *   overwrites an object another controller owns; it reports the conflict (a condition reason and a
 *   message a person can act on) and retries later. The apiserver enforces the same rule (a second
 *   `controller: true` reference is answered 422), so this check turns a cryptic 422 into a message.
 * - `ownerKeys(child, primary)` maps a child to the queue key of its controller owner, for `owns()`;
 *   `isControlledBy(child, primary)` says whether a child has such an owner at all.
 */
import type { ResourceRef } from './client/resources.js';
import { apiVersionOf } from './client/resources.js';
import type { KubeObject, OwnerReference } from './object.js';

/** An owner as read from the apiserver or the cache (which fills in apiVersion and kind). */
export type OwnerObject = Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;

/**
 * The controller reference to `owner`. `resource` supplies apiVersion and kind when the object lacks
 * them (list items do, before the cache fills them in). Throws when uid or name is missing.
 */
export function controllerReference(owner: OwnerObject, resource?: ResourceRef): OwnerReference {
  const apiVersion = owner.apiVersion ?? (resource ? apiVersionOf(resource) : undefined);
  const kind = owner.kind ?? resource?.kind;
  const { name, uid } = owner.metadata;
  const missing = [
    ['apiVersion', apiVersion],
    ['kind', kind],
    ['metadata.name', name],
    ['metadata.uid', uid],
  ].filter(([, value]) => !value);
  if (missing.length > 0 || !apiVersion || !kind || !name || !uid) {
    throw new Error(
      `cannot reference owner ${name ?? '(unnamed)'}: ${missing.map(([field]) => field).join(', ')} missing; ` +
        'pass the owner as read from the apiserver or the cache, not a locally built object',
    );
  }
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/**
 * A copy of `child` whose controller reference is `owner`. Other (non-controller) references with a
 * different uid are kept; any other controller reference is replaced, since an object has one.
 */
export function withOwner<T extends KubeObject>(child: T, owner: OwnerObject, resource?: ResourceRef): T {
  const ref = controllerReference(owner, resource);
  const others = (child.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid && !r.controller);
  return { ...child, metadata: { ...child.metadata, ownerReferences: [...others, ref] } };
}

/** The controller reference of an object, if any. */
export function controllerOf(obj: Pick<KubeObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/**
 * Whether the controller reference of `obj` points at `primary`'s kind in `primary`'s group (a
 * same-named kind of another group is someone else's). No controller reference: false.
 */
export function isControlledBy(
  obj: Pick<KubeObject, 'metadata'>,
  primary: Pick<ResourceRef, 'group' | 'kind'>,
): boolean {
  const ref = controllerOf(obj);
  return ref !== undefined && ref.kind === primary.kind && groupOf(ref.apiVersion) === primary.group;
}

/** The API group of an apiVersion (`apps/v1` -> `apps`, `v1` -> ``). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Queue keys of the primary objects controlling `child`: its controller reference when it points at
 * `primary`'s group and kind (a same-named kind of another group is someone else's). Owners are in
 * the child's namespace (Kubernetes forbids cross-namespace owners); cluster-scoped primaries are
 * keyed by name alone.
 */
export function ownerKeys(child: Pick<KubeObject, 'metadata'>, primary: ResourceRef): string[] {
  const ref = controllerOf(child);
  if (!ref || ref.kind !== primary.kind || groupOf(ref.apiVersion) !== primary.group) return [];
  const namespace = primary.namespaced ? child.metadata.namespace : undefined;
  return [namespace ? `${namespace}/${ref.name}` : ref.name];
}

/**
 * Why an existing object cannot be taken over; `reason` and `message` fit a condition directly.
 * - `ControlledByAnother`: another object controls it. The user must delete or rename one of them.
 * - `ControlledByPreviousOwner`: it belongs to an earlier object of the same kind and name that was
 *   deleted; the garbage collector removes it soon. Retry later (requeue), nothing for a user to do.
 * - `NotControlled`: it has no controller and adoption was not allowed. The user must delete it.
 */
export interface OwnershipConflict {
  reason: 'ControlledByAnother' | 'ControlledByPreviousOwner' | 'NotControlled';
  message: string;
  /** The current controller, when there is one. */
  controller?: OwnerReference;
}

/** Thrown by `applyOwned` when the live object fails `ownershipConflict`; carries the conflict. */
export class OwnershipConflictError extends Error {
  override readonly name = 'OwnershipConflictError';
  constructor(readonly conflict: OwnershipConflict) {
    super(conflict.message);
  }
}

/**
 * Undefined when `live` may be written under the controller reference `ref`: it is already ours
 * (same uid), or it has no controller and `adoptOrphans` (default true, as controller-runtime) holds.
 */
export function ownershipConflict(
  live: Pick<KubeObject, 'kind' | 'metadata'>,
  ref: OwnerReference,
  options: { adoptOrphans?: boolean } = {},
): OwnershipConflict | undefined {
  const current = controllerOf(live);
  const what = `${live.kind ?? 'object'} ${describeName(live)}`;
  if (!current) {
    if (options.adoptOrphans ?? true) return undefined;
    return {
      reason: 'NotControlled',
      message: `${what} exists and is not managed by ${ref.kind} ${ref.name}; delete it or rename it`,
    };
  }
  if (current.uid === ref.uid) return undefined;
  if (
    current.kind === ref.kind &&
    current.name === ref.name &&
    groupOf(current.apiVersion) === groupOf(ref.apiVersion)
  ) {
    return {
      reason: 'ControlledByPreviousOwner',
      controller: current,
      message:
        `${what} belongs to an earlier ${ref.kind} ${ref.name} (uid ${current.uid}) that was deleted; ` +
        'waiting for the garbage collector to remove it',
    };
  }
  return {
    reason: 'ControlledByAnother',
    controller: current,
    message:
      `${what} exists and is controlled by ${current.kind} ${current.name}, not by ${ref.kind} ${ref.name}; ` +
      'delete it or rename it',
  };
}

function describeName(obj: Pick<KubeObject, 'metadata'>): string {
  const { namespace, name = '' } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}
