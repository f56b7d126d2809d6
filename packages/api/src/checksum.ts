/**
 * ToolHive's content checksum of a generated ConfigMap (`ComputeConfigMapChecksum`), byte for byte:
 * one SHA-256 over, in order, each `data` key then its value (keys sorted), each label key then its
 * value (sorted), and each annotation key then its value (sorted, the checksum annotation itself left
 * out); nothing separates the pieces and `binaryData` is not included. Lowercase hex, 64 characters.
 * The MCPServer's RunConfig and the VirtualMCPServer's config.yaml carry it in
 * `contentChecksumAnnotation`, and their Deployments' pod templates carry the same value, so a change
 * of the file rolls the pods. `checksummedConfigMap` builds such a ConfigMap. Pure; nothing throws.
 */
import { createHash } from 'node:crypto';
import { goKeyOrder } from './telemetry.js';

export const contentChecksumAnnotation = 'toolhive.stacklok.dev/content-checksum';

export function configMapContentChecksum(configMap: {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
}): string {
  const hash = createHash('sha256');
  const feed = (map: Record<string, string> | undefined, skip?: string) => {
    for (const key of Object.keys(map ?? {}).sort(goKeyOrder)) {
      if (key === skip) continue;
      hash.update(key, 'utf8');
      hash.update(map?.[key] ?? '', 'utf8');
    }
  };
  feed(configMap.data);
  feed(configMap.metadata.labels);
  feed(configMap.metadata.annotations, contentChecksumAnnotation);
  return hash.digest('hex');
}

/** A generated ConfigMap that carries its content checksum in `contentChecksumAnnotation`. */
export type ChecksummedConfigMap = {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  data: Record<string, string>;
};

/**
 * ConfigMap `name` in `namespace` with `labels` and `data`, annotated with its content checksum (its
 * only annotation). No owner reference: the reconcile adds it.
 */
export function checksummedConfigMap(
  meta: { name: string; namespace: string; labels: Record<string, string> },
  data: Record<string, string>,
): ChecksummedConfigMap {
  const configMap: ChecksummedConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: meta.name, namespace: meta.namespace, labels: meta.labels, annotations: {} },
    data,
  };
  configMap.metadata.annotations[contentChecksumAnnotation] = configMapContentChecksum(configMap);
  return configMap;
}
