/**
 * The cache: objects by `namespace/name`, as the plain JSON the apiserver sent (never Date objects),
 * with secondary indexes maintained on every change. An indexer maps an object to the index values it
 * appears under (e.g. `spec.groupRef.name` -> [`ns/group`]); `byIndex` answers in O(matches).
 *
 * An indexer that throws (a bug in a controller's indexer, an object it did not expect) cannot stop
 * the store: the object is stored without that index's values (`byIndex` does not find it there),
 * the failure is logged and counted in `indexerErrors`, and every other index is maintained as usual.
 */
import { keyOf } from './client/resources.js';
import { errorFields, silentLogger, type Logger } from './log.js';
import type { KubeObject } from './object.js';

export type Indexer<T> = (obj: T) => readonly string[];

export interface StoreDelta<T> {
  added: T[];
  updated: [old: T, current: T][];
  deleted: T[];
}

export class Store<T extends KubeObject = KubeObject> {
  /** Indexer calls that threw (each one logged). */
  indexerErrors = 0;
  private readonly objects = new Map<string, T>();
  private readonly indexers = new Map<string, Indexer<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly log: Logger;

  constructor(options: { log?: Logger } = {}) {
    this.log = options.log ?? silentLogger;
  }

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  /** All objects, or those of one namespace. */
  list(namespace?: string): T[] {
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** Adds an index; existing objects are indexed at once. */
  addIndexer(name: string, indexer: Indexer<T>): void {
    if (this.indexers.has(name)) throw new Error(`index ${name} exists already`);
    this.indexers.set(name, indexer);
    this.indexes.set(name, new Map());
    for (const [key, obj] of this.objects) this.indexOne(name, indexer, key, obj);
  }

  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index named ${name}; add it with addIndexer before reading it`);
    return [...(index.get(value) ?? [])].map((key) => this.objects.get(key)!).filter(Boolean);
  }

  /** Inserts or replaces; returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.objects.get(key);
    if (old) this.unindex(key, old);
    this.objects.set(key, obj);
    for (const [name, indexer] of this.indexers) this.indexOne(name, indexer, key, obj);
    return old;
  }

  remove(key: string): T | undefined {
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.objects.delete(key);
    return old;
  }

  /**
   * Replaces the contents of `scope` (all objects, or one namespace) with `items` and reports what
   * changed. Objects whose resourceVersion is unchanged count as neither added nor updated.
   */
  replace(items: T[], namespace?: string): StoreDelta<T> {
    const delta: StoreDelta<T> = { added: [], updated: [], deleted: [] };
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.upsert(item);
      if (!old) delta.added.push(item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion)
        delta.updated.push([old, item]);
    }
    for (const key of this.keys()) {
      if (seen.has(key)) continue;
      const obj = this.objects.get(key)!;
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      this.remove(key);
      delta.deleted.push(obj);
    }
    return delta;
  }

  /** The index values of `obj`, or undefined when the indexer threw (logged and counted). */
  private valuesOf(name: string, indexer: Indexer<T>, key: string, obj: T): readonly string[] | undefined {
    try {
      return indexer(obj);
    } catch (err) {
      this.indexerErrors++;
      this.log.error(
        { ...errorFields(err), index: name, key },
        'indexer threw; the object is cached without this index value. Fix the indexer: lookups by this index miss the object',
      );
      return undefined;
    }
  }

  private indexOne(name: string, indexer: Indexer<T>, key: string, obj: T): void {
    const index = this.indexes.get(name)!;
    for (const value of this.valuesOf(name, indexer, key, obj) ?? []) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, indexer] of this.indexers) {
      const index = this.indexes.get(name)!;
      // When the indexer throws now, we cannot know where it filed the object before: search all.
      const values = this.valuesOf(name, indexer, key, obj) ?? [...index.keys()];
      for (const value of values) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}

/** An indexer on a `{name}` reference inside the spec, keyed `namespace/name` (same-namespace refs). */
export function refIndexer<T extends KubeObject>(refName: (obj: T) => string | undefined): Indexer<T> {
  return (obj) => {
    const name = refName(obj);
    return name ? [`${obj.metadata.namespace ?? ''}/${name}`] : [];
  };
}

/**
 * `refIndexer` on `spec.<field>.name` of an object read raw (unparsed) from the cache, keyed
 * `namespace/name`. No spec, no such field, a field that is not an object, or an empty name: the
 * object is in no value of the index (never an error).
 */
export function specRefIndexer<T extends KubeObject>(field: string): Indexer<T> {
  return refIndexer<T>((obj) => {
    const spec = (obj.spec ?? {}) as Record<string, { name?: string } | null | undefined>;
    return spec[field]?.name || undefined;
  });
}

/**
 * The queue keys (`namespace/name`) of the objects in `store` that a `refIndexer` index files under
 * `obj` (its `namespace/name`): the objects that reference it. As the mapper of `Controller.watches`
 * on the referenced kind, an event of a referenced object re-queues exactly the objects naming it.
 * Reads the store only: an object the store does not hold yet is not found (the watch on its own kind
 * queues it). Throws, at the first event, when the store has no index `index` (add it first).
 */
export function referrersOf<T extends KubeObject>(
  store: Pick<Store<T>, 'byIndex'>,
  index: string,
): (obj: Pick<KubeObject, 'metadata'>) => string[] {
  return (obj) =>
    store
      .byIndex(index, `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`)
      .map((referrer) => `${referrer.metadata.namespace ?? ''}/${referrer.metadata.name ?? ''}`);
}

/** Index name and indexer for owner references by owner uid. */
export const ownerUidIndex = 'metadata.ownerReferences.uid';
export const ownerUidIndexer: Indexer<KubeObject> = (obj) =>
  (obj.metadata.ownerReferences ?? []).map((ref) => ref.uid);
