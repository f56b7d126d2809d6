import { describe, expect, it } from 'vitest';
import { ApiError, type KubeClient } from '../src/client/index.js';
import {
  addFinalizerPatch,
  ensureFinalizer,
  hasFinalizer,
  removeFinalizer,
  removeFinalizerPatch,
} from '../src/finalizers.js';
import type { KubeObject } from '../src/object.js';

const widgets = { group: 'example.dev', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
const ours = 'example.dev/ours';
const obj = (finalizers?: string[]): KubeObject => ({
  metadata: { name: 'w', namespace: 'ns', ...(finalizers ? { finalizers } : {}) },
});

function recordingClient(answer: () => unknown = () => obj(['patched'])) {
  const patches: { key: unknown; type: string; body: unknown }[] = [];
  const client = {
    patch: (_r: unknown, key: unknown, type: string, body: unknown) => {
      patches.push({ key, type, body });
      const result = answer();
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
  } as unknown as KubeClient;
  return { client, patches };
}

describe('finalizer patches', () => {
  it('adds to an absent or empty list by testing it is still absent or empty', () => {
    expect(addFinalizerPatch(obj(), ours)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: [ours] },
    ]);
    expect(addFinalizerPatch(obj([]), ours)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: [] },
      { op: 'add', path: '/metadata/finalizers', value: [ours] },
    ]);
  });

  it('appends to a list of others by testing the whole list, and does nothing when ours is there', () => {
    expect(addFinalizerPatch(obj(['theirs']), ours)).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: ['theirs'] },
      { op: 'add', path: '/metadata/finalizers/-', value: ours },
    ]);
    expect(addFinalizerPatch(obj(['theirs', ours]), ours)).toBeUndefined();
  });

  it('removes exactly our entry, guarded by a test of that index', () => {
    expect(removeFinalizerPatch(obj(['a', ours, 'b']), ours)).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: ours },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(removeFinalizerPatch(obj(['a']), ours)).toBeUndefined();
    expect(removeFinalizerPatch(obj(), ours)).toBeUndefined();
  });

  it('hasFinalizer looks for the exact name', () => {
    expect(hasFinalizer(obj([ours]), ours)).toBe(true);
    expect(hasFinalizer(obj(['example.dev/our']), ours)).toBe(false);
    expect(hasFinalizer(obj(), ours)).toBe(false);
  });
});

describe('finalizer edges', () => {
  it('ensureFinalizer sends one JSON patch only when ours is missing', async () => {
    const { client, patches } = recordingClient();
    const present = obj([ours]);
    expect(await ensureFinalizer(client, widgets, present, ours)).toBe(present);
    expect(patches).toHaveLength(0);
    expect(await ensureFinalizer(client, widgets, obj(), ours)).toEqual(obj(['patched']));
    expect(patches).toEqual([
      { key: { namespace: 'ns', name: 'w' }, type: 'json', body: addFinalizerPatch(obj(), ours) },
    ]);
  });

  it('removeFinalizer patches only when ours is there, and a vanished object is undefined', async () => {
    const { client, patches } = recordingClient();
    const absent = obj(['theirs']);
    expect(await removeFinalizer(client, widgets, absent, ours)).toBe(absent);
    expect(patches).toHaveLength(0);
    expect(await removeFinalizer(client, widgets, obj([ours]), ours)).toEqual(obj(['patched']));
    expect(patches[0]?.type).toBe('json');

    const gone = recordingClient(() => new ApiError(404, 'NotFound', 'gone', 'patch', '/x'));
    expect(await removeFinalizer(gone.client, widgets, obj([ours]), ours)).toBeUndefined();
    const stale = recordingClient(() => new ApiError(422, 'Invalid', 'test failed', 'patch', '/x'));
    await expect(removeFinalizer(stale.client, widgets, obj([ours]), ours)).rejects.toMatchObject({
      code: 422,
    });
  });
});
