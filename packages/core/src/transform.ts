/**
 * Cache transforms: what an informer changes in every object before it stores it (list items and
 * watch events alike, deletes included), to save memory and to keep secrets out of it.
 *
 * A transform receives a freshly parsed object that nothing else holds, may change it in place, and
 * returns the object to cache. The default for every resource (`defaultTransform`):
 * - drops `metadata.managedFields` (often half an object; no reconciler reads it; server-side apply
 *   computes ownership on the server) and the `kubectl.kubernetes.io/last-applied-configuration`
 *   annotation (a full copy of the object as last applied by kubectl);
 * - for core/v1 Secrets, keeps the key names of `data` and `stringData` and replaces every value with
 *   '' (`secretKeysOnly`): no controller holds secret values in memory. A controller that needs a
 *   value reads the Secret from the API when it needs it, and drops it after use. A cached Secret's
 *   `data` is therefore NOT its content: never write a cached Secret back.
 * An informer can replace the default per resource (`CacheOptions.transform`, `ReflectorOptions.transform`);
 * `ownedChildrenTransform` builds that replacement for a controller that owns children of built-in
 * kinds.
 */
import type { ResourceRef } from './client/resources.js';
import type { KubeObject } from './object.js';
import { isControlledBy } from './owner.js';

export type Transform<T extends KubeObject = KubeObject> = (obj: T) => T;

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** Drops managedFields (unless kept) and the last-applied annotation, in place. */
export function stripForCache<T extends KubeObject>(
  obj: T,
  options: { keepManagedFields?: boolean } = {},
): T {
  const meta = obj.metadata as T['metadata'] & { managedFields?: unknown };
  if (options.keepManagedFields !== true) delete meta.managedFields;
  const annotations = meta.annotations;
  if (annotations && lastAppliedAnnotation in annotations) {
    Reflect.deleteProperty(annotations, lastAppliedAnnotation);
    if (Object.keys(annotations).length === 0) delete meta.annotations;
  }
  return obj;
}

/** Replaces every value of a Secret's `data` and `stringData` with '' (keys stay), in place. */
export function secretKeysOnly<T extends KubeObject>(obj: T): T {
  return blankValues(obj, ['data', 'stringData']);
}

/**
 * Replaces every value of a ConfigMap's `data` and `binaryData` with '' (keys stay), in place: for a
 * controller that only checks which keys a ConfigMap holds (a CA bundle's key, say) and should not
 * keep every bundle of the cluster in memory. Opt-in through `CacheOptions.transform`.
 */
export function configMapKeysOnly<T extends KubeObject>(obj: T): T {
  return blankValues(obj, ['data', 'binaryData']);
}

function blankValues<T extends KubeObject>(obj: T, fields: readonly string[]): T {
  for (const field of fields) {
    const values = obj[field];
    if (values === null || typeof values !== 'object') continue;
    const record = values as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = '';
  }
  return obj;
}

/**
 * Only the identity, labels and owner references of an object (a new object; the input is not
 * changed): for objects of a watched kind that a controller must know exist (a foreign object under a
 * name it needs, a StatefulSet whose presence it checks) but never reads further.
 */
export function metadataOnly(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      ...(m.deletionTimestamp !== undefined ? { deletionTimestamp: m.deletionTimestamp } : {}),
      ...(m.labels !== undefined ? { labels: m.labels } : {}),
      ...(m.ownerReferences !== undefined ? { ownerReferences: m.ownerReferences } : {}),
    },
  };
}

export const isCoreConfigMaps = (resource: ResourceRef): boolean =>
  resource.group === '' && resource.plural === 'configmaps';

export const isCoreSecrets = (resource: ResourceRef): boolean =>
  resource.group === '' && resource.plural === 'secrets';

/** The transform an informer of `resource` uses unless told otherwise. */
export function defaultTransform<T extends KubeObject>(
  resource: ResourceRef,
  options: { keepManagedFields?: boolean } = {},
): Transform<T> {
  if (isCoreSecrets(resource)) return (obj) => secretKeysOnly(stripForCache(obj, options));
  return (obj) => stripForCache(obj, options);
}

export interface OwnedChildrenTransformOptions {
  /** The primary kind whose controller reference marks a child as ours. */
  owner: Pick<ResourceRef, 'group' | 'kind'>;
  /** The built-in kinds the controller creates and owns. */
  owned: readonly ResourceRef[];
  /** Transforms of their own for kinds read but not owned (a pod's view, `metadataOnly`); first match wins. */
  views?: readonly { resource: ResourceRef; transform: Transform }[];
}

const sameResource = (a: ResourceRef, b: ResourceRef): boolean =>
  a.group === b.group && a.plural === b.plural;

/**
 * The `CacheOptions.transform` of a controller that watches built-in kinds broadly (cluster-wide, or
 * per watched namespace) but needs the full object only of the children it owns. For a resource:
 * - one of `views`: that view;
 * - one of `owned`: an object whose controller reference is `owner`'s kind is kept whole, as the
 *   default transform keeps it (drift detection compares it with the builders' output; a Secret
 *   still keeps its key names only); any other object keeps its metadata only (`metadataOnly`:
 *   enough to refuse to take over a foreign object of a name the controller needs);
 * - anything else: undefined, so the informer uses `defaultTransform`.
 * Pure; a `views` entry for an owned kind replaces the owned rule for it.
 */
export function ownedChildrenTransform(
  options: OwnedChildrenTransformOptions,
): (resource: ResourceRef) => Transform | undefined {
  return (resource) => {
    const view = options.views?.find((v) => sameResource(v.resource, resource));
    if (view) return view.transform;
    if (!options.owned.some((r) => sameResource(r, resource))) return undefined;
    const whole = defaultTransform(resource);
    return (obj) => (isControlledBy(obj, options.owner) ? whole(obj) : metadataOnly(obj));
  };
}
