import { describe, expect, it } from 'vitest';
import { ObjectStore, olderVersion } from '../src/simulator-store.js';
import type { LooseObject } from '../src/simulator-vmcp.js';

const obj = (namespace: string, name: string, resourceVersion: string, phase = 'Ready'): LooseObject => ({
  metadata: { namespace, name, resourceVersion },
  status: { phase },
});
const names = (items: LooseObject[] | undefined) => items?.map((o) => o.metadata?.name).sort();
const keys = (items: LooseObject[]) =>
  items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();

describe('simulator store', () => {
  it('answers nothing until its first list, then that content', () => {
    const store = new ObjectStore<LooseObject>();
    expect(store.list('a')).toBeUndefined();
    expect(store.isSynced('a')).toBe(false);
    expect(store.apply('ADDED', obj('a', 'early', '1'))).toBe(true);
    // An event alone does not make the scope complete; `get` answers what it holds.
    expect(store.list('a')).toBeUndefined();
    expect(store.get('a', 'early')).toEqual(obj('a', 'early', '1'));

    expect(keys(store.replace('a', [obj('a', 'x', '2'), obj('a', 'y', '3')]))).toEqual([
      'a/early@1',
      'a/x@2',
      'a/y@3',
    ]);
    expect(names(store.list('a'))).toEqual(['x', 'y']);
    expect(store.get('a', 'early')).toBeUndefined();
    // Another namespace is not covered by a namespaced list.
    expect(store.list('b')).toBeUndefined();
  });

  it('follows watch events: added, modified, deleted', () => {
    const store = new ObjectStore<LooseObject>();
    store.replace('a', [obj('a', 'x', '1', 'Pending')]);
    expect(store.apply('ADDED', obj('a', 'y', '2'))).toBe(true);
    expect(store.apply('MODIFIED', obj('a', 'x', '3', 'Ready'))).toBe(true);
    expect(store.list('a')).toEqual([obj('a', 'x', '3', 'Ready'), obj('a', 'y', '2')]);
    expect(store.apply('DELETED', obj('a', 'x', '4'))).toBe(true);
    expect(names(store.list('a'))).toEqual(['y']);
    expect(store.apply('DELETED', obj('a', 'y', '5'))).toBe(true);
    expect(store.list('a')).toEqual([]);
    // A delete of something never seen, and an object without a name, change nothing.
    expect(store.apply('DELETED', obj('a', 'ghost', '6'))).toBe(false);
    expect(store.apply('ADDED', { metadata: { namespace: 'a' } })).toBe(false);
    expect(store.list('a')).toEqual([]);
  });

  it('reads its own writes: an event older than what it holds is ignored', () => {
    const store = new ObjectStore<LooseObject>();
    store.replace('a', []);
    // Our create answered (5) and our status patch answered (7) before their events arrived.
    store.apply('MODIFIED', obj('a', 'p', '5', 'Pending'));
    store.apply('MODIFIED', obj('a', 'p', '7', 'Ready'));
    expect(store.apply('ADDED', obj('a', 'p', '5', 'Pending'))).toBe(false);
    expect(store.apply('DELETED', obj('a', 'p', '6'))).toBe(false);
    expect(store.get('a', 'p')).toEqual(obj('a', 'p', '7', 'Ready'));
    // The same version again, and a newer one, are taken.
    expect(store.apply('MODIFIED', obj('a', 'p', '7', 'Ready'))).toBe(true);
    expect(store.apply('MODIFIED', obj('a', 'p', '10', 'Failed'))).toBe(true);
    expect(store.get('a', 'p')).toEqual(obj('a', 'p', '10', 'Failed'));
    // A version that is not decimal is never taken as older.
    expect(store.apply('MODIFIED', obj('a', 'p', 'opaque', 'Pending'))).toBe(true);
    expect(store.get('a', 'p')?.metadata?.resourceVersion).toBe('opaque');
  });

  it('forgets what we deleted: older events and lists cannot bring it back, a newer namesake can', () => {
    const store = new ObjectStore<LooseObject>();
    store.replace('a', [obj('a', 'p', '3')]);
    store.forget('a', 'p', '8');
    expect(store.list('a')).toEqual([]);
    // A status change still in flight (4), then the deletion's own event (8).
    expect(store.apply('MODIFIED', obj('a', 'p', '4'))).toBe(false);
    expect(store.list('a')).toEqual([]);
    // A list taken before the delete does not bring it back either.
    expect(store.replace('a', [obj('a', 'p', '4')])).toEqual([]);
    expect(store.list('a')).toEqual([]);
    expect(store.apply('DELETED', obj('a', 'p', '8'))).toBe(false);
    // The tombstone is gone with the DELETED event: a namesake created later is taken.
    expect(store.apply('ADDED', obj('a', 'p', '9'))).toBe(true);
    expect(names(store.list('a'))).toEqual(['p']);

    // Without an answer's version, the held one is the tombstone; a newer namesake ends it.
    store.forget('a', 'p');
    expect(store.apply('MODIFIED', obj('a', 'p', '9'))).toBe(false);
    expect(store.apply('ADDED', obj('a', 'p', '12'))).toBe(true);
    expect(store.get('a', 'p')?.metadata?.resourceVersion).toBe('12');

    // A list without it drops the tombstone (so a later, older-looking event is taken).
    store.forget('a', 'p', '13');
    store.replace('a', []);
    expect(store.apply('ADDED', obj('a', 'p', '11'))).toBe(true);
  });

  it('a relist keeps an object held newer than the listed one (our write after the list)', () => {
    const store = new ObjectStore<LooseObject>();
    store.replace('a', [obj('a', 'p', '2', 'Pending')]);
    store.apply('MODIFIED', obj('a', 'p', '9', 'Ready'));
    expect(store.replace('a', [obj('a', 'p', '5', 'Pending')])).toEqual([]);
    expect(store.get('a', 'p')).toEqual(obj('a', 'p', '9', 'Ready'));
  });

  it('a relist replaces the scope: objects gone while disconnected go, others stay', () => {
    const store = new ObjectStore<LooseObject>();
    const other = new ObjectStore<LooseObject>();
    store.replace('a', [obj('a', 'x', '1'), obj('a', 'y', '2')]);
    store.replace('b', [obj('b', 'z', '3')]);
    other.replace('a', [obj('a', 'e', '4')]);

    // The watch of `a` ends: not synced until the relist.
    store.unsync('a');
    expect(store.list('a')).toBeUndefined();
    expect(names(store.list('b'))).toEqual(['z']);
    expect(names(other.list('a'))).toEqual(['e']);

    // x was deleted, y modified and w added while no watch was open.
    expect(keys(store.replace('a', [obj('a', 'y', '7', 'Failed'), obj('a', 'w', '8')]))).toEqual([
      'a/w@8',
      'a/x@1',
      'a/y@7',
    ]);
    expect(store.list('a')).toEqual([obj('a', 'y', '7', 'Failed'), obj('a', 'w', '8')]);
    // Other namespaces and stores are untouched.
    expect(names(store.list('b'))).toEqual(['z']);
    expect(names(other.list('a'))).toEqual(['e']);

    // The same content again (same resourceVersions) changes nothing.
    expect(store.replace('a', [obj('a', 'w', '8'), obj('a', 'y', '7', 'Failed')])).toEqual([]);
    // Emptied: both go, and it lists empty.
    expect(keys(store.replace('a', []))).toEqual(['a/w@8', 'a/y@7']);
    expect(store.list('a')).toEqual([]);
  });

  it('an all-namespaces scope covers every namespace; its relist replaces them all', () => {
    const store = new ObjectStore<LooseObject>();
    store.replace(undefined, [obj('a', 'x', '1'), obj('b', 'y', '2'), obj('b', 'z', '3')]);
    expect(names(store.list('b'))).toEqual(['y', 'z']);
    // A namespace with no object is synced and empty, not unknown.
    expect(store.list('c')).toEqual([]);

    store.unsync(undefined);
    expect(store.list('a')).toBeUndefined();
    // `a` emptied, z deleted, c gained one.
    expect(keys(store.replace(undefined, [obj('b', 'y', '2'), obj('c', 'n', '5')]))).toEqual([
      'a/x@1',
      'b/z@3',
      'c/n@5',
    ]);
    expect(store.list('a')).toEqual([]);
    expect(names(store.list('b'))).toEqual(['y']);
    expect(names(store.list('c'))).toEqual(['n']);
    expect(keys(store.all())).toEqual(['b/y@2', 'c/n@5']);
  });

  it('a namespaced list keeps only its namespace', () => {
    const store = new ObjectStore<LooseObject>();
    expect(keys(store.replace('a', [obj('a', 'x', '1'), obj('b', 'stray', '2')]))).toEqual(['a/x@1']);
    expect(names(store.list('a'))).toEqual(['x']);
    store.replace('b', []);
    expect(store.list('b')).toEqual([]);
  });

  it('compares resourceVersions only when both are decimal', () => {
    expect(olderVersion('9', '10')).toBe(true);
    expect(olderVersion('10', '9')).toBe(false);
    expect(olderVersion('10', '10')).toBe(false);
    expect(olderVersion('123456789012345678901', '123456789012345678902')).toBe(true);
    expect(olderVersion(undefined, '1')).toBe(false);
    expect(olderVersion('a', '1')).toBe(false);
  });
});
