/** What the kernel needs to address a kind over REST, without knowing anything about the kind. */
export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Lower-case plural, as in the URL. */
  plural: string;
  kind: string;
  namespaced: boolean;
}

export interface ObjectKey {
  namespace?: string;
  name: string;
}

export const apiVersionOf = (r: ResourceRef): string => (r.group ? `${r.group}/${r.version}` : r.version);

/** `group/plural` (or `plural` for the core group): a short label for logs and metrics. */
export const resourceLabel = (r: ResourceRef): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

function groupPath(r: ResourceRef): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/** The collection URL path; cluster-wide (all namespaces) when `namespace` is undefined. */
export function collectionPath(r: ResourceRef, namespace?: string): string {
  return r.namespaced && namespace !== undefined
    ? `${groupPath(r)}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`
    : `${groupPath(r)}/${r.plural}`;
}

export function objectPath(r: ResourceRef, key: ObjectKey, subresource?: string): string {
  if (r.namespaced && key.namespace === undefined) {
    throw new Error(`${r.kind} is namespaced: a namespace is required to address ${key.name}`);
  }
  const base = `${collectionPath(r, r.namespaced ? key.namespace : undefined)}/${encodeURIComponent(key.name)}`;
  return subresource ? `${base}/${subresource}` : base;
}

/** `namespace/name` (or `name` for cluster-scoped objects): the key of queues and caches. */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const { namespace, name = '' } = obj.metadata ?? {};
  return namespace ? `${namespace}/${name}` : name;
}

/** The address of an object, from its metadata. */
export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): ObjectKey {
  return { namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? '' };
}

export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
