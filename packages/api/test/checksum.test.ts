import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checksummedConfigMap, configMapContentChecksum, contentChecksumAnnotation } from '../src/index.js';

describe('configMapContentChecksum (ToolHive’s ComputeConfigMapChecksum)', () => {
  it('hashes sorted data, then labels, then annotations except itself, nothing in between', () => {
    const cm = {
      metadata: {
        labels: { b: '2', a: '1' },
        annotations: { [contentChecksumAnnotation]: 'stale', z: 'last' },
      },
      data: { 'runconfig.json': '{}' },
    };
    const expected = createHash('sha256').update('runconfig.json{}a1b2zlast').digest('hex');
    expect(configMapContentChecksum(cm)).toBe(expected);
    expect(
      configMapContentChecksum({ ...cm, metadata: { ...cm.metadata, annotations: { z: 'last' } } }),
    ).toBe(expected);
    expect(
      configMapContentChecksum({
        metadata: { labels: { l: 'w' }, annotations: { a: 'b', [contentChecksumAnnotation]: 'old' } },
        data: { k: 'v' },
      }),
    ).toBe(createHash('sha256').update('kvlwab', 'utf8').digest('hex'));
  });
});

describe('checksummedConfigMap', () => {
  it('builds the ConfigMap with its content checksum as its only annotation', () => {
    const labels = { 'toolhive.stacklok.io/component': 'run-config' };
    const configMap = checksummedConfigMap(
      { name: 'a-runconfig', namespace: 'ns', labels },
      { 'runconfig.json': '{}' },
    );
    expect(configMap).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'a-runconfig',
        namespace: 'ns',
        labels,
        annotations: {
          [contentChecksumAnnotation]: configMapContentChecksum({
            metadata: { labels },
            data: { 'runconfig.json': '{}' },
          }),
        },
      },
      data: { 'runconfig.json': '{}' },
    });
    expect(
      checksummedConfigMap({ name: 'a-runconfig', namespace: 'ns', labels }, { 'runconfig.json': '[]' })
        .metadata.annotations[contentChecksumAnnotation],
    ).not.toBe(configMap.metadata.annotations[contentChecksumAnnotation]);
  });
});
