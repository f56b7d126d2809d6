/**
 * The ConfigMap `<name>-vmcp-config` that carries vMCP's `config.yaml` (runtime-formats c.1): labels,
 * the content-checksum annotation (ToolHive's algorithm, so a changed file rolls the pods through
 * the Deployment's `runconfig-checksum`). Pure.
 */
import { checksummedConfigMap, type ChecksummedConfigMap } from '@mcp-controllers/api';
import { vmcpNames } from './names.js';
import type { VirtualServer } from './types.js';

export const vmcpConfigKey = 'config.yaml';

/** The config ConfigMap as built. */
export type VmcpConfigMap = ChecksummedConfigMap;

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
  return checksummedConfigMap(
    { name: vmcpNames(name).configMap, namespace, labels: vmcpConfigLabels(name) },
    { [vmcpConfigKey]: yaml },
  );
}
