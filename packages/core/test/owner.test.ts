import { describe, expect, it } from 'vitest';
import type { ResourceRef } from '../src/client/resources.js';
import type { KubeObject } from '../src/object.js';
import {
  controllerOf,
  controllerReference,
  groupOf,
  isControlledBy,
  ownerKeys,
  OwnershipConflictError,
  ownershipConflict,
  withOwner,
} from '../src/owner.js';

const serverResource: ResourceRef = {
  group: 'toolhive.stacklok.dev',
  version: 'v1beta1',
  plural: 'mcpservers',
  kind: 'MCPServer',
  namespaced: true,
};

const server = (name: string, uid: string): KubeObject => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPServer',
  metadata: { name, namespace: 'ns', uid },
});

const configMap = (ownerReferences?: KubeObject['metadata']['ownerReferences']): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm', namespace: 'ns', ...(ownerReferences ? { ownerReferences } : {}) },
});

describe('controller references', () => {
  it('names the owner and marks it controller, blocking owner deletion', () => {
    expect(controllerReference(server('a', 'u1'))).toEqual({
      apiVersion: 'toolhive.stacklok.dev/v1beta1',
      kind: 'MCPServer',
      name: 'a',
      uid: 'u1',
      controller: true,
      blockOwnerDeletion: true,
    });
  });

  it('takes apiVersion and kind from the resource when the object lacks them', () => {
    const bare: KubeObject = { metadata: { name: 'a', uid: 'u1' } };
    expect(controllerReference(bare, serverResource)).toMatchObject({
      apiVersion: 'toolhive.stacklok.dev/v1beta1',
      kind: 'MCPServer',
    });
  });

  it('refuses an owner that was not read from the apiserver, naming what is missing', () => {
    expect(() => controllerReference({ ...server('a', 'u1'), metadata: { name: 'a' } })).toThrow(
      /metadata\.uid missing/,
    );
    expect(() => controllerReference({ metadata: { name: 'a', uid: 'u' } })).toThrow(
      /apiVersion, kind missing/,
    );
  });

  it('withOwner sets one controller reference and keeps other owners', () => {
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'ux' };
    const stale = { ...controllerReference(server('old', 'u0')) };
    const child = withOwner(configMap([other, stale]), server('a', 'u1'));
    expect(child.metadata.ownerReferences).toEqual([other, controllerReference(server('a', 'u1'))]);
    expect(controllerOf(child)?.uid).toBe('u1');
    // Idempotent: applying twice gives one reference.
    expect(withOwner(child, server('a', 'u1')).metadata.ownerReferences).toHaveLength(2);
  });
});

describe('ownerKeys (owns() mapping)', () => {
  it('maps a child to its controller owner of the primary group and kind', () => {
    const child = withOwner(configMap(), server('a', 'u1'));
    expect(ownerKeys(child, serverResource)).toEqual(['ns/a']);
  });

  it('ignores non-controller owners and same-named kinds of other groups', () => {
    const notController = configMap([{ ...controllerReference(server('a', 'u1')), controller: false }]);
    expect(ownerKeys(notController, serverResource)).toEqual([]);
    const otherGroup = configMap([
      { ...controllerReference(server('a', 'u1')), apiVersion: 'example.com/v1' },
    ]);
    expect(ownerKeys(otherGroup, serverResource)).toEqual([]);
  });

  it('isControlledBy: true only for a controller reference to the primary kind of its group', () => {
    expect(isControlledBy(withOwner(configMap(), server('a', 'u1')), serverResource)).toBe(true);
    expect(isControlledBy(configMap(), serverResource)).toBe(false);
    const ref = controllerReference(server('a', 'u1'));
    expect(isControlledBy(configMap([{ ...ref, controller: false }]), serverResource)).toBe(false);
    expect(isControlledBy(configMap([{ ...ref, apiVersion: 'example.com/v1' }]), serverResource)).toBe(false);
    expect(isControlledBy(configMap([{ ...ref, kind: 'VirtualMCPServer' }]), serverResource)).toBe(false);
  });

  it('keys cluster-scoped owners by name', () => {
    const clusterScoped = { ...serverResource, namespaced: false };
    expect(ownerKeys(withOwner(configMap(), server('a', 'u1')), clusterScoped)).toEqual(['a']);
    expect(groupOf('v1')).toBe('');
    expect(groupOf('apps/v1')).toBe('apps');
  });
});

describe('ownershipConflict', () => {
  const ours = controllerReference(server('a', 'u1'));

  it('allows our own object and (by default) orphans', () => {
    expect(ownershipConflict(withOwner(configMap(), server('a', 'u1')), ours)).toBeUndefined();
    expect(ownershipConflict(configMap(), ours)).toBeUndefined();
  });

  it('refuses orphans when adoption is off', () => {
    expect(ownershipConflict(configMap(), ours, { adoptOrphans: false })).toMatchObject({
      reason: 'NotControlled',
      message: 'ConfigMap ns/cm exists and is not managed by MCPServer a; delete it or rename it',
    });
  });

  it('refuses an object controlled by another owner, naming it', () => {
    const theirs = withOwner(configMap(), server('b', 'u2'));
    expect(ownershipConflict(theirs, ours)).toEqual({
      reason: 'ControlledByAnother',
      controller: controllerReference(server('b', 'u2')),
      message:
        'ConfigMap ns/cm exists and is controlled by MCPServer b, not by MCPServer a; delete it or rename it',
    });
  });

  it('recognises a child of a deleted earlier owner of the same name (wait for the GC)', () => {
    const earlier = withOwner(configMap(), server('a', 'u0'));
    expect(ownershipConflict(earlier, ours)?.reason).toBe('ControlledByPreviousOwner');
  });
});

describe('owner references: edges', () => {
  const ours = controllerReference(server('a', 'u1'));

  it('names every missing field and the unnamed owner in the refusal', () => {
    expect(() => controllerReference({ metadata: {} })).toThrow(
      'cannot reference owner (unnamed): apiVersion, kind, metadata.name, metadata.uid missing; ' +
        'pass the owner as read from the apiserver or the cache, not a locally built object',
    );
  });

  it('withOwner gives a child without references exactly our controller reference', () => {
    expect(withOwner(configMap(), server('a', 'u1')).metadata.ownerReferences).toEqual([ours]);
  });

  it('withOwner replaces a plain (non-controller) reference to the same owner', () => {
    const plain = { apiVersion: ours.apiVersion, kind: ours.kind, name: 'a', uid: 'u1' };
    expect(withOwner(configMap([plain]), server('a', 'u1')).metadata.ownerReferences).toEqual([ours]);
  });

  it('ownerKeys ignores a controller of another kind in the same group', () => {
    const other = configMap([{ ...ours, kind: 'VirtualMCPServer' }]);
    expect(ownerKeys(other, serverResource)).toEqual([]);
  });

  it('a same-named owner of another kind or another group is another controller, not a previous owner', () => {
    for (const current of [
      { ...ours, uid: 'u0', kind: 'VirtualMCPServer' },
      { ...ours, uid: 'u0', apiVersion: 'example.com/v1beta1' },
    ]) {
      expect(ownershipConflict(configMap([current]), ours)?.reason).toBe('ControlledByAnother');
    }
  });

  it('tells the user that a previous owner’s child is waiting for the garbage collector', () => {
    const earlier = withOwner(configMap(), server('a', 'u0'));
    expect(ownershipConflict(earlier, ours)).toEqual({
      reason: 'ControlledByPreviousOwner',
      controller: controllerReference(server('a', 'u0')),
      message:
        'ConfigMap ns/cm belongs to an earlier MCPServer a (uid u0) that was deleted; ' +
        'waiting for the garbage collector to remove it',
    });
  });

  it('describes an object without kind or namespace by its name', () => {
    const bare = { metadata: { name: 'cluster-thing' } };
    expect(ownershipConflict(bare, ours, { adoptOrphans: false })?.message).toBe(
      'object cluster-thing exists and is not managed by MCPServer a; delete it or rename it',
    );
    expect(ownershipConflict({ metadata: {} }, ours, { adoptOrphans: false })?.message).toBe(
      'object  exists and is not managed by MCPServer a; delete it or rename it',
    );
  });

  it('carries the conflict in OwnershipConflictError', () => {
    const conflict = ownershipConflict(configMap(), ours, { adoptOrphans: false })!;
    const err = new OwnershipConflictError(conflict);
    expect([err.name, err.message, err.conflict]).toEqual([
      'OwnershipConflictError',
      conflict.message,
      conflict,
    ]);
  });
});
