import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/object.js';
import {
  configMapKeysOnly,
  defaultTransform,
  isCoreConfigMaps,
  lastAppliedAnnotation,
  metadataOnly,
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
