import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/object.js';
import { Store } from '../src/store.js';
import { defaultTransform } from '../src/transform.js';
import { newerResourceVersion, writeThrough } from '../src/write-through.js';

const resource = { group: 'example.dev', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true };
const transform = defaultTransform(resource);
const thing = (resourceVersion: string, extra: Partial<KubeObject['metadata']> = {}, status = {}) => ({
  apiVersion: 'example.dev/v1',
  kind: 'Thing',
  metadata: { namespace: 'ns', name: 't', uid: 'u1', resourceVersion, ...extra },
  status,
});

describe('writeThrough', () => {
  it('replaces a cached object with a newer version of it, through the transform, without handlers', () => {
    const store = new Store<KubeObject>();
    store.upsert(thing('10'));
    const written = thing('12', { managedFields: [{ manager: 'x' }] } as Partial<KubeObject['metadata']>, {
      phase: 'Ready',
    });
    expect(writeThrough({ store, transform }, written)).toBe(true);
    const cached = store.get('ns/t');
    expect(cached?.metadata.resourceVersion).toBe('12');
    expect(cached?.status).toEqual({ phase: 'Ready' });
    // The informer's transform ran: what the cache never keeps is not kept here either.
    expect(cached?.metadata).not.toHaveProperty('managedFields');
  });

  it("uses the informer's own transform, not the default one", () => {
    const store = new Store<KubeObject>();
    store.upsert(thing('10'));
    const marked = (obj: KubeObject) => ({ ...obj, metadata: { ...obj.metadata, labels: { seen: 'yes' } } });
    expect(writeThrough({ store, transform: marked }, thing('11'))).toBe(true);
    expect(store.get('ns/t')?.metadata.labels).toEqual({ seen: 'yes' });
  });

  it('never adds, never replaces another incarnation, never goes back in time', () => {
    const store = new Store<KubeObject>();
    expect(writeThrough({ store, transform }, thing('5'))).toBe(false);
    expect(store.size).toBe(0);

    store.upsert(thing('10'));
    expect(writeThrough({ store, transform }, thing('12', { uid: 'u2' }))).toBe(false);
    expect(writeThrough({ store, transform }, thing('9'))).toBe(false);
    expect(writeThrough({ store, transform }, thing('10'))).toBe(false);
    expect(store.get('ns/t')?.metadata).toMatchObject({ uid: 'u1', resourceVersion: '10' });
  });

  it('compares resource versions only when both are decimal integers', () => {
    expect(newerResourceVersion('10', '9')).toBe(true);
    expect(newerResourceVersion('100000000000000000001', '100000000000000000000')).toBe(true);
    expect(newerResourceVersion('9', '10')).toBe(false);
    expect(newerResourceVersion('10', '10')).toBe(false);
    expect(newerResourceVersion('abc', '1')).toBe(false);
    expect(newerResourceVersion('2', 'x1')).toBe(false);
    expect(newerResourceVersion('01', '0')).toBe(false);
    expect(newerResourceVersion(undefined, '1')).toBe(false);
    expect(newerResourceVersion('1', undefined)).toBe(false);
  });
});
