import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/object.js';
import { referrersOf, refIndexer, specRefIndexer, Store } from '../src/store.js';

const obj = (namespace: string, name: string, spec: Record<string, unknown> = {}, rv = '1'): KubeObject => ({
  metadata: { namespace, name, resourceVersion: rv },
  spec,
});
const groupOf = (o: KubeObject) => (o.spec as { group?: string } | undefined)?.group;

describe('Store', () => {
  it('keeps an object whose indexer throws, without that index value, and counts the failure', () => {
    const store = new Store();
    store.addIndexer('group', refIndexer(groupOf));
    store.addIndexer('poison', (o) => {
      if ((o.spec as { poison?: boolean }).poison) throw new TypeError('indexer bug');
      return [o.metadata.name ?? ''];
    });
    expect(() => store.upsert(obj('ns', 'bad', { group: 'g', poison: true }))).not.toThrow();
    store.upsert(obj('ns', 'good', { group: 'g' }));

    expect(store.get('ns/bad')).toBeDefined();
    expect(
      store
        .byIndex('group', 'ns/g')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['bad', 'good']);
    expect(store.byIndex('poison', 'bad')).toEqual([]);
    expect(store.byIndex('poison', 'good').map((o) => o.metadata.name)).toEqual(['good']);
    expect(store.indexerErrors).toBe(1);

    // Updating and removing the object must not trip over the indexer either.
    store.upsert(obj('ns', 'bad', { group: 'h', poison: true }, '2'));
    expect(store.byIndex('group', 'ns/g').map((o) => o.metadata.name)).toEqual(['good']);
    store.upsert(obj('ns', 'bad', { group: 'h' }, '3'));
    expect(store.byIndex('poison', 'bad').map((o) => o.metadata.name)).toEqual(['bad']);
    expect(store.remove('ns/bad')?.metadata.resourceVersion).toBe('3');
    expect(store.byIndex('poison', 'bad')).toEqual([]);
    expect(store.byIndex('group', 'ns/h')).toEqual([]);
  });

  it('removes a stale index entry even when the indexer throws on the way out', () => {
    let explode = false;
    const store = new Store();
    store.addIndexer('name', (o) => {
      if (explode) throw new Error('indexer bug');
      return [o.metadata.name ?? ''];
    });
    store.upsert(obj('ns', 'a'));
    explode = true;
    store.remove('ns/a');
    explode = false;
    store.upsert(obj('ns', 'b'));
    expect(store.byIndex('name', 'a')).toEqual([]);
  });

  it('indexes existing objects when an indexer is added, isolating its failures too', () => {
    const store = new Store();
    store.upsert(obj('ns', 'a'));
    store.upsert(obj('ns', 'b'));
    store.addIndexer('name', (o) => {
      if (o.metadata.name === 'a') throw new Error('indexer bug');
      return [o.metadata.name ?? ''];
    });
    expect(store.byIndex('name', 'b')).toHaveLength(1);
    expect(store.indexerErrors).toBe(1);
  });

  it('replaces one namespace without touching the others', () => {
    const store = new Store();
    store.upsert(obj('a', 'stays', {}, '1'));
    store.upsert(obj('a', 'changes', {}, '1'));
    store.upsert(obj('a', 'vanishes', {}, '1'));
    store.upsert(obj('b', 'other', {}, '1'));
    const delta = store.replace(
      [obj('a', 'stays', {}, '1'), obj('a', 'changes', {}, '2'), obj('a', 'new')],
      'a',
    );
    expect(delta.added.map((o) => o.metadata.name)).toEqual(['new']);
    expect(
      delta.updated.map(([old, cur]) => `${old.metadata.resourceVersion}->${cur.metadata.resourceVersion}`),
    ).toEqual(['1->2']);
    expect(delta.deleted.map((o) => o.metadata.name)).toEqual(['vanishes']);
    expect(store.keys().sort()).toEqual(['a/changes', 'a/new', 'a/stays', 'b/other']);

    const all = store.replace([obj('a', 'stays')]);
    expect(all.deleted.map((o) => o.metadata.name).sort()).toEqual(['changes', 'new', 'other']);
  });
});

describe('specRefIndexer', () => {
  const indexer = specRefIndexer('groupRef');
  it('files an object under the namespace/name its spec.<field>.name names', () => {
    expect(indexer(obj('ns', 'a', { groupRef: { name: 'team' } }))).toEqual(['ns/team']);
    expect(
      specRefIndexer('telemetryConfigRef')(obj('ns', 'a', { telemetryConfigRef: { name: 't' } })),
    ).toEqual(['ns/t']);
  });
  it('files nothing for no spec, no field, a null field or an empty name', () => {
    expect(indexer({ metadata: { namespace: 'ns', name: 'a' } })).toEqual([]);
    expect(indexer({ metadata: { namespace: 'ns', name: 'a' }, spec: null })).toEqual([]);
    expect(indexer(obj('ns', 'a', { telemetryConfigRef: { name: 't' } }))).toEqual([]);
    expect(indexer(obj('ns', 'a', { groupRef: null }))).toEqual([]);
    expect(indexer(obj('ns', 'a', { groupRef: { name: '' } }))).toEqual([]);
  });
});

describe('referrersOf', () => {
  const store = new Store();
  store.addIndexer('group', specRefIndexer('groupRef'));
  store.upsert(obj('ns', 'a', { groupRef: { name: 'team' } }));
  store.upsert(obj('ns', 'b', { groupRef: { name: 'team' } }));
  store.upsert(obj('ns', 'c', { groupRef: { name: 'other' } }));
  store.upsert(obj('elsewhere', 'd', { groupRef: { name: 'team' } }));
  const referrers = referrersOf(store, 'group');
  const referenced = (namespace: string | undefined, name: string | undefined): KubeObject => ({
    metadata: { ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) },
  });

  it('maps a referenced object to the keys of exactly the objects in its namespace that name it', () => {
    expect(referrers(referenced('ns', 'team')).sort()).toEqual(['ns/a', 'ns/b']);
    expect(referrers(referenced('elsewhere', 'team'))).toEqual(['elsewhere/d']);
    expect(referrers(referenced('ns', 'nobody'))).toEqual([]);
  });
  it('looks up a referenced object without namespace or name under empty parts', () => {
    const cluster = new Store();
    cluster.addIndexer('by', (o) => [String((o.spec as { by?: string }).by)]);
    cluster.upsert({ metadata: { name: 'x' }, spec: { by: '/' } });
    cluster.upsert({ metadata: { namespace: 'ns' }, spec: { by: '/' } });
    expect(referrersOf(cluster, 'by')(referenced(undefined, undefined)).sort()).toEqual(['/x', 'ns/']);
  });
  it('throws when the store has no such index', () => {
    expect(() => referrersOf(store, 'missing')(referenced('ns', 'team'))).toThrow(/no index named missing/);
  });
});
