/**
 * The ConfigMap `<name>-vmcp-config` that carries vMCP's `config.yaml` (runtime-formats c.1): labels,
 * the content-checksum annotation (ToolHive's algorithm, so a changed file rolls the pods through
 * the Deployment's `runconfig-checksum`). Pure.
 */
import { createHash } from 'node:crypto';
import { goKeyOrder } from '@mcp-controllers/api';
import type { KubeObject, ObjectMeta } from '@mcp-controllers/core';
import { vmcpNames } from './names.js';
import type { VirtualServer } from './types.js';

export const vmcpConfigKey = 'config.yaml';
/** On the ConfigMap; the Deployment's pod template carries the same value as `runconfig-checksum`. */
export const contentChecksumAnnotation = 'toolhive.stacklok.dev/content-checksum';

export interface VmcpConfigMap extends KubeObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta & {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  data: Record<string, string>;
}

/** The ConfigMap's labels (runtime-formats c.1). */
export function vmcpConfigLabels(name: string): Record<string, string> {
  return {
    'toolhive.stacklok.io/component': 'vmcp-config',
    'toolhive.stacklok.io/managed-by': 'toolhive-operator',
    'toolhive.stacklok.io/virtual-mcp-server': name,
  };
}

/**
 * ConfigMap `<name>-vmcp-config` holding `yaml` under `config.yaml`, with c.1's labels and the
 * content-checksum annotation. No owner reference: the reconcile adds it.
 */
export function vmcpConfigMap(vmcp: VirtualServer, yaml: string): VmcpConfigMap {
  const { name, namespace } = vmcp.metadata;
  const configMap: VmcpConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: vmcpNames(name).configMap, namespace, labels: vmcpConfigLabels(name), annotations: {} },
    data: { [vmcpConfigKey]: yaml },
  };
  configMap.metadata.annotations[contentChecksumAnnotation] = configMapChecksum(configMap);
  return configMap;
}

/**
 * ToolHive's `ComputeConfigMapChecksum`: one SHA-256 over each `data` key then its value (keys
 * sorted), each label key then value (sorted), each annotation key then value (sorted, the checksum
 * annotation itself left out); nothing between the pieces, `binaryData` not included. Lowercase hex.
 * TODO: a copy of `runConfigChecksum` in packages/server-controller/src/runconfig.ts; move both to
 * packages/core.
 */
export function configMapChecksum(configMap: {
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
