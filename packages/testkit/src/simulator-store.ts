/**
 * The workload simulator's in-memory copy of one kind (Deployments, Pods, ConfigMaps,
 * VirtualMCPServers, each vMCP member kind), kept by its list-then-watch loops (`startListWatchLoop`)
 * and by the simulator's own writes, so a reconcile reads without asking the apiserver, as a kubelet
 * or a runner reads from its informers. Pure state: no I/O, no clock.
 *
 * Content is per namespace. A watch scope is one namespace, or every namespace (`undefined`).
 * - `replace` (a list, first or after any reconnect) sets the scope's whole content: objects not in
 *   the list are gone (deleted while no watch was open), and the scope counts as synced;
 * - `apply` (a watch event, or what the apiserver answered to one of our writes: read your own
 *   writes) adds, replaces or removes one object;
 * - `forget` (we deleted it) removes one object and remembers its last resourceVersion (a tombstone)
 *   until its `DELETED` event or a list without it, so an older event still in flight cannot bring it
 *   back;
 * - `unsync` (the list failed or the watch ended) marks the scope not synced: what it holds may miss
 *   changes until the next `replace`.
 * `list` answers only while a scope covering the namespace is synced; `undefined` otherwise, so a
 * caller never takes a partial or stale content for complete (`get` answers whatever is held; check
 * `isSynced` first).
 *
 * Ordering: an event or list item older than what is held (both resourceVersions decimal, as etcd's
 * are; the local control plane is the only one the simulator runs against) is ignored, so our own
 * write put in first is not replaced by the events that led up to it. A resourceVersion that is not
 * decimal is never taken as older: the newest arrival wins, as without the check.
 */

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** The key of the every-namespace scope in `synced` (a namespace name can never be empty). */
const allNamespaces = '';

/** Whether resourceVersion `a` is older than `b` (false when either is not decimal). */
export function olderVersion(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

export class ObjectStore<T extends StoredObject> {
  /** namespace => name => object */
  private readonly objects = new Map<string, Map<string, T>>();
  /** Scopes (a namespace, or `allNamespaces`) listed since their watch last ended. */
  private readonly synced = new Set<string>();
  /** `<namespace>/<name>` => the resourceVersion of an object we deleted. */
  private readonly tombstones = new Map<string, string>();

  /**
   * A list of `scope` (a namespace; undefined: all): the scope's content becomes `items` (an item
   * older than what is held keeps the held one; a tombstoned one no newer stays out). Returns what
   * changed: objects added or of another resourceVersion (the new ones), and objects removed (the
   * old ones), so only their owners need another look.
   */
  replace(scope: string | undefined, items: readonly T[]): T[] {
    const next = new Map<string, Map<string, T>>();
    const listed = new Set<string>();
    for (const item of items) {
      const { namespace, name, resourceVersion } = item.metadata ?? {};
      // A namespaced list holds only that namespace; anything else is not ours to keep.
      if (!namespace || !name || (scope !== undefined && namespace !== scope)) continue;
      const key = `${namespace}/${name}`;
      listed.add(key);
      const tomb = this.tombstones.get(key);
      if (tomb !== undefined && !olderVersion(tomb, resourceVersion)) continue;
      this.tombstones.delete(key);
      const held = this.objects.get(namespace)?.get(name);
      let names = next.get(namespace);
      if (!names) next.set(namespace, (names = new Map<string, T>()));
      names.set(name, held && olderVersion(resourceVersion, held.metadata?.resourceVersion) ? held : item);
    }
    for (const key of this.tombstones.keys()) {
      // Not listed: gone for good (anything newer arrives by the watch).
      if ((scope === undefined || key.startsWith(`${scope}/`)) && !listed.has(key))
        this.tombstones.delete(key);
    }
    const touched = new Set<string>(next.keys());
    for (const namespace of this.objects.keys()) {
      if (scope === undefined || namespace === scope) touched.add(namespace);
    }
    const changed: T[] = [];
    for (const namespace of touched) {
      const before = this.objects.get(namespace);
      const after = next.get(namespace);
      changed.push(...differences(before, after));
      if (after) this.objects.set(namespace, after);
      else this.objects.delete(namespace);
    }
    this.synced.add(scope ?? allNamespaces);
    return changed;
  }

  /**
   * A watch event, or a write's answer (`MODIFIED`). Returns whether the content changed: false for
   * an object without a name, one older than what is held, or one we deleted (and its `DELETED`).
   */
  apply(type: StoreEventType, object: T): boolean {
    const { namespace, name, resourceVersion } = object.metadata ?? {};
    if (!namespace || !name) return false;
    const key = `${namespace}/${name}`;
    const tomb = this.tombstones.get(key);
    if (tomb !== undefined) {
      if (!olderVersion(tomb, resourceVersion)) {
        if (type === 'DELETED') this.tombstones.delete(key);
        return false;
      }
      this.tombstones.delete(key);
    }
    const names = this.objects.get(namespace);
    const held = names?.get(name);
    if (held && olderVersion(resourceVersion, held.metadata?.resourceVersion)) return false;
    if (type === 'DELETED') {
      if (!names?.delete(name)) return false;
      if (names.size === 0) this.objects.delete(namespace);
      return true;
    }
    if (names) names.set(name, object);
    else this.objects.set(namespace, new Map([[name, object]]));
    return true;
  }

  /**
   * We deleted `namespace/name` (`resourceVersion`: the delete's answer, when it had one): it leaves
   * the store, and events no newer than the newest version we know of are ignored until its `DELETED`.
   */
  forget(namespace: string, name: string, resourceVersion?: string): void {
    const names = this.objects.get(namespace);
    const held = names?.get(name)?.metadata?.resourceVersion;
    names?.delete(name);
    if (names?.size === 0) this.objects.delete(namespace);
    const newest = olderVersion(held, resourceVersion) ? resourceVersion : (held ?? resourceVersion);
    if (newest !== undefined && /^\d+$/.test(newest)) this.tombstones.set(`${namespace}/${name}`, newest);
  }

  /** The watch of `scope` ended (or its list failed): not synced until the next `replace`. */
  unsync(scope: string | undefined): void {
    this.synced.delete(scope ?? allNamespaces);
  }

  /** Whether a synced scope covers `namespace`. */
  isSynced(namespace: string): boolean {
    return this.synced.has(allNamespaces) || this.synced.has(namespace);
  }

  /** The object held, synced or not. */
  get(namespace: string, name: string): T | undefined {
    return this.objects.get(namespace)?.get(name);
  }

  /** The objects of `namespace`; undefined while no synced scope covers it. */
  list(namespace: string): T[] | undefined {
    if (!this.isSynced(namespace)) return undefined;
    const names = this.objects.get(namespace);
    return names ? [...names.values()] : [];
  }

  /** Every object held, synced or not (for a resync: which keys to look at again). */
  all(): T[] {
    return [...this.objects.values()].flatMap((names) => [...names.values()]);
  }
}

/** Objects of `after` that are new or of another resourceVersion, and objects of `before` gone. */
function differences<T extends StoredObject>(
  before: ReadonlyMap<string, T> | undefined,
  after: ReadonlyMap<string, T> | undefined,
): T[] {
  const changed: T[] = [];
  for (const [name, object] of after ?? []) {
    if (before?.get(name)?.metadata?.resourceVersion !== object.metadata?.resourceVersion)
      changed.push(object);
  }
  for (const [name, object] of before ?? []) if (!after?.has(name)) changed.push(object);
  return changed;
}
