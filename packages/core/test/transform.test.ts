import { describe, expect, it } from 'vitest';
import { deploymentResource, podResource, statefulSetResource } from '../src/kinds.js';
import type { KubeObject } from '../src/object.js';
import {
  configMapKeysOnly,
  defaultTransform,
  isCoreConfigMaps,
  lastAppliedAnnotation,
  metadataOnly,
  ownedChildrenTransform,
  secretKeysOnly,
  stripForCache,
} from '../src/transform.js';

const secrets = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };

const object = (extra: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject => ({
  metadata: {
    name: 'x',
    namespace: 'ns',
    ...(annotations ? { annotations } : {}),
    managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': {} } }],
  } as KubeObject['metadata'],
  ...extra,
});

describe('cache transforms', () => {
  it('drops managedFields and the last-applied annotation, keeping other annotations', () => {
    const obj = stripForCache(object({}, { [lastAppliedAnnotation]: '{"big":"copy"}', keep: 'me' }));
    expect(obj.metadata).not.toHaveProperty('managedFields');
    expect(obj.metadata.annotations).toEqual({ keep: 'me' });
    const only = stripForCache(object({}, { [lastAppliedAnnotation]: '{}' }));
    expect(only.metadata).not.toHaveProperty('annotations');
    expect(stripForCache(object(), { keepManagedFields: true }).metadata).toHaveProperty('managedFields');
  });

  it('keeps the key names of a Secret, never its values', () => {
    const secret = secretKeysOnly(
      object({ data: { password: 'c2VjcmV0', user: 'YWRtaW4=' }, stringData: { token: 'abc' } }),
    );
    expect(secret.data).toEqual({ password: '', user: '' });
    expect(secret.stringData).toEqual({ token: '' });
    expect(JSON.stringify(secret)).not.toMatch(/c2VjcmV0|YWRtaW4=|abc/);
  });

  it('keeps the key names of a ConfigMap when asked, never its values', () => {
    const cm = configMapKeysOnly(object({ data: { 'ca.crt': 'PEM' }, binaryData: { 'ca.der': 'REVS' } }));
    expect(cm.data).toEqual({ 'ca.crt': '' });
    expect(cm.binaryData).toEqual({ 'ca.der': '' });
    expect(isCoreConfigMaps(configMaps)).toBe(true);
    expect(isCoreConfigMaps(secrets)).toBe(false);
    expect(isCoreConfigMaps({ ...configMaps, group: 'example.dev' })).toBe(false);
  });

  it('blanks secrets by default for core/v1 secrets only', () => {
    const secret = defaultTransform(secrets)(
      object({ data: { password: 'c2VjcmV0' } }, { [lastAppliedAnnotation]: 'x' }),
    );
    expect(secret).toEqual({ metadata: { name: 'x', namespace: 'ns' }, data: { password: '' } });
    const configMap = defaultTransform(configMaps)(object({ data: { key: 'value' } }));
    expect(configMap).toEqual({ metadata: { name: 'x', namespace: 'ns' }, data: { key: 'value' } });
    const lookalike = defaultTransform({ ...secrets, group: 'example.dev' })(
      object({ data: { key: 'value' } }),
    );
    expect(lookalike.data).toEqual({ key: 'value' });
  });

  it('keeps only identity, labels and owners for metadataOnly, leaving the input as it was', () => {
    const input: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        namespace: 'ns',
        uid: 'u1',
        resourceVersion: '7',
        labels: { app: 'a' },
        annotations: { big: 'note' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u0', controller: true }],
      },
      data: { key: 'value' },
    };
    const before = structuredClone(input);
    expect(metadataOnly(input)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        namespace: 'ns',
        uid: 'u1',
        resourceVersion: '7',
        labels: { app: 'a' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u0', controller: true }],
      },
    });
    expect(input).toEqual(before);
    const deleting = metadataOnly({ metadata: { name: 'y', deletionTimestamp: '2026-01-01T00:00:00Z' } });
    expect(deleting.metadata).toEqual({
      name: 'y',
      namespace: undefined,
      uid: undefined,
      resourceVersion: undefined,
      deletionTimestamp: '2026-01-01T00:00:00Z',
    });
  });
});

describe('ownedChildrenTransform', () => {
  const owner = { group: 'toolhive.stacklok.dev', kind: 'VirtualMCPServer' };
  const ownerRef = {
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'VirtualMCPServer',
    name: 'hub',
    uid: 'u1',
    controller: true,
  };
  const child = (extra: Record<string, unknown>, owned: boolean): KubeObject => ({
    apiVersion: 'v1',
    kind: 'X',
    metadata: {
      name: 'x',
      namespace: 'ns',
      annotations: { note: 'kept when owned', [lastAppliedAnnotation]: '{}' },
      ...(owned ? { ownerReferences: [ownerRef] } : {}),
    },
    ...extra,
  });
  const podView = (obj: KubeObject): KubeObject => ({ metadata: obj.metadata, status: { phase: 'seen' } });
  const transformFor = ownedChildrenTransform({
    owner,
    owned: [configMaps, secrets, deploymentResource],
    views: [
      { resource: podResource, transform: podView },
      { resource: statefulSetResource, transform: metadataOnly },
    ],
  });

  it('keeps owned children whole (as the default transform does) and cuts foreign ones to their metadata', () => {
    const transform = transformFor(configMaps);
    const ours = transform?.(child({ data: { 'config.yaml': 'a: 1' } }, true));
    expect(ours).toMatchObject({
      data: { 'config.yaml': 'a: 1' },
      metadata: { annotations: { note: 'kept when owned' } },
    });
    expect(ours?.metadata.annotations).not.toHaveProperty(lastAppliedAnnotation);
    const foreign = transform?.(child({ data: { big: 'x' } }, false));
    expect(foreign).not.toHaveProperty('data');
    expect(foreign?.metadata).not.toHaveProperty('annotations');
    expect(transformFor(deploymentResource)?.(child({ spec: { replicas: 1 } }, true))).toHaveProperty('spec');
  });

  it('keeps no Secret value: key names for ours, metadata only for the rest', () => {
    const transform = transformFor(secrets);
    expect(transform?.(child({ data: { 'hmac-secret': 'c2VjcmV0' } }, true))).toMatchObject({
      data: { 'hmac-secret': '' },
    });
    expect(transform?.(child({ data: { password: 'c2VjcmV0' } }, false))).not.toHaveProperty('data');
  });

  it('takes a child of a same-named kind of another group for foreign', () => {
    const otherGroup = child({ data: { a: 'b' } }, false);
    otherGroup.metadata.ownerReferences = [{ ...ownerRef, apiVersion: 'example.com/v1' }];
    expect(transformFor(configMaps)?.(otherGroup)).not.toHaveProperty('data');
  });

  it('uses the view given for a kind read but not owned, and leaves every other kind to the default', () => {
    expect(transformFor(podResource)?.(child({ spec: {} }, false))).toEqual({
      metadata: expect.objectContaining({ name: 'x' }) as unknown,
      status: { phase: 'seen' },
    });
    expect(transformFor(statefulSetResource)).toBe(metadataOnly);
    expect(transformFor({ ...configMaps, plural: 'endpoints', kind: 'Endpoints' })).toBeUndefined();
    expect(transformFor({ ...configMaps, group: 'example.com' })).toBeUndefined();
    expect(ownedChildrenTransform({ owner, owned: [configMaps] })(podResource)).toBeUndefined();
  });
});
