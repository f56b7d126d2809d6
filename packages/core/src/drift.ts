/**
 * Drift between a desired object (built by a pure builder) and the live one, without update loops.
 * Pure; `apply.ts` is the I/O edge that uses it.
 *
 * Two rules together decide whether a server-side apply is needed:
 *
 * 1. **Subset.** Every field the builder sets must be in the live object with the same value; fields
 *    the builder leaves out are someone else's (apiserver defaults such as `imagePullPolicy`,
 *    `terminationMessagePath`, `clusterIP`, `fieldRef.apiVersion`; `spec.replicas` scaled by an HPA;
 *    labels, annotations and `kubectl.kubernetes.io/restartedAt` added by others) and never count.
 *    Objects compare member by member; scalars with `===` (so `8080` and `"8080"` differ, as they do
 *    for an IntOrString); lists compare element by element: associative lists (server-side apply's
 *    list-maps: containers, env, volumes, ports, ...) by their key, so elements others added survive,
 *    every other list by position with equal length (args, command, rules: applying replaces them).
 * 2. **Applied hash.** The cache strips `managedFields`, so the subset rule alone cannot see that the
 *    builder *stopped* setting a field (the live object still has it). The digest of the desired
 *    object is stored in the annotation `mcp-controllers.dev/applied-hash`; the annotation is part of
 *    the desired object, so any change to the builder's output fails rule 1 once, and the apply that
 *    follows removes the fields we no longer send (server-side apply drops fields only we owned).
 *
 * Builders must emit what the apiserver stores, or rule 1 fails on every reconcile (one write each):
 * - canonical quantities: `500m` not `0.5`, `1Gi` not `1024Mi`, strings not numbers;
 * - `Secret.data` (base64), never `stringData` (the apiserver moves it into `data`);
 * - every key field of a list-map element, e.g. `protocol: TCP` on Service ports (server-side apply
 *   on v1.20 answers 500 "associative list with keys has an element that omits key field" otherwise);
 * - deterministic order for lists built from maps or informer lists (sort them).
 * Normalisations handled here: `null`/`undefined` in desired mean "not ours" (and are pruned from the
 * applied body); a zero value (`false`, `0`, `''`, `[]`, `{}`) matches an absent live field, because
 * the apiserver omits zero values of many fields. The price: a foreign edit that deletes such a field
 * is not repaired until the desired object changes.
 * Secrets: the cache keeps key names only, so a Secret's `data`/`stringData` values are compared
 * through the applied hash alone (key names still by rule 1).
 */
import { stableHash } from './hash.js';
import type { KubeObject } from './object.js';

export const appliedHashAnnotation = 'mcp-controllers.dev/applied-hash';

/**
 * Associative lists by field name, with the fields that identify an element. Only the key fields an
 * element of the desired list actually sets are matched (a container port without `protocol` matches
 * the live one the apiserver defaulted to TCP). A list whose desired elements set none of them is
 * compared by position.
 */
const listMapKeys: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  ownerReferences: ['uid'],
  // container ports (containerPort, protocol) and Service ports (port, protocol)
  ports: ['containerPort', 'port', 'protocol'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
};

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

function isZero(value: unknown): boolean {
  if (value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/**
 * The path of the first field where `desired` is not a subset of `live` (e.g.
 * `spec.template.spec.containers[name=app].image`), or undefined when live has everything desired
 * sets. `field` is the member name `desired` sits under (it selects list-map matching).
 */
export function findDrift(desired: unknown, live: unknown, path = '', field = ''): string | undefined {
  if (isAbsent(desired)) return undefined;
  if (isAbsent(live)) return isZero(desired) ? undefined : path || '.';
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return path || '.';
    return listDrift(desired, live, path, field);
  }
  if (isObject(desired)) {
    if (!isObject(live)) return path || '.';
    for (const [key, value] of Object.entries(desired)) {
      const drift = findDrift(value, live[key], path ? `${path}.${key}` : key, key);
      if (drift !== undefined) return drift;
    }
    return undefined;
  }
  return desired === live ? undefined : path || '.';
}

function listDrift(desired: unknown[], live: unknown[], path: string, field: string): string | undefined {
  const keys = listMapKeys[field];
  const keyed =
    keys !== undefined && desired.every((el) => isObject(el) && keys.some((k) => !isAbsent(el[k])));
  if (!keyed) {
    if (desired.length !== live.length) return `${path}[length ${desired.length} != ${live.length}]`;
    for (let i = 0; i < desired.length; i++) {
      const drift = findDrift(desired[i], live[i], `${path}[${i}]`);
      if (drift !== undefined) return drift;
    }
    return undefined;
  }
  for (const element of desired as JsonObject[]) {
    const own = keys.filter((k) => !isAbsent(element[k]));
    const label = `${path}[${own.map((k) => `${k}=${String(element[k])}`).join(',')}]`;
    const match = live.find(
      (candidate) => isObject(candidate) && own.every((k) => candidate[k] === element[k]),
    );
    if (match === undefined) return label;
    const drift = findDrift(element, match, label);
    if (drift !== undefined) return drift;
  }
  return undefined;
}

/** A copy without `null` members (recursively; list elements are kept in place). */
export function pruneNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map((el: unknown) => (isAbsent(el) ? el : pruneNulls(el))) as T;
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, member] of Object.entries(value)) if (!isAbsent(member)) out[key] = pruneNulls(member);
  return out as T;
}

/** The digest stored in the applied-hash annotation: of `desired` without that annotation, nulls pruned. */
export function appliedHash(desired: KubeObject): string {
  const { [appliedHashAnnotation]: _ignored, ...annotations } = desired.metadata.annotations ?? {};
  return stableHash(pruneNulls({ ...desired, metadata: { ...desired.metadata, annotations } }), 20);
}

/** The object to apply: `desired` with nulls pruned and the applied-hash annotation set. */
export function withAppliedHash<T extends KubeObject>(desired: T): T {
  const pruned = pruneNulls(desired);
  const annotations = { ...pruned.metadata.annotations, [appliedHashAnnotation]: appliedHash(desired) };
  return { ...pruned, metadata: { ...pruned.metadata, annotations } };
}

/**
 * Why `applied` (from `withAppliedHash`) must be sent, as the path of the first drifting field, or
 * undefined when `live` already has it all. `live` is the cached object (managedFields stripped).
 */
export function applyReason(applied: KubeObject, live: KubeObject | undefined): string | undefined {
  if (!live) return 'absent';
  if (applied.kind !== 'Secret') return findDrift(applied, live);
  // Secret values are hidden from the cache: compare key names only and rely on the hash for values.
  const names = (data: unknown) =>
    isObject(data) ? Object.fromEntries(Object.keys(data).map((k) => [k, true])) : undefined;
  const { stringData: _stringData, ...rest } = applied;
  return findDrift({ ...rest, data: names(applied.data) }, { ...live, data: names(live.data) });
}
