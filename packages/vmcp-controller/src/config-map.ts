/**
 * The ConfigMap `<name>-vmcp-config` that carries vMCP's `config.yaml` (runtime-formats c.1): labels,
 * the content-checksum annotation (ToolHive's algorithm, so a changed file rolls the pods through
 * the Deployment's `runconfig-checksum`). Pure.
 */
import { configMapContentChecksum, contentChecksumAnnotation } from '@mcp-controllers/api';
import type { KubeObject, ObjectMeta } from '@mcp-controllers/core';
import { vmcpNames } from './names.js';
import type { VirtualServer } from './types.js';

export const vmcpConfigKey = 'config.yaml';

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
  configMap.metadata.annotations[contentChecksumAnnotation] = configMapContentChecksum(configMap);
  return configMap;
}
