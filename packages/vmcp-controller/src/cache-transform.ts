/**
 * What the VirtualMCPServer controller keeps of the built-in kinds it watches. It needs the full
 * object only for the ones it owns, so everything else is cut down before it is cached:
 * - objects of the owned kinds (ConfigMap, Deployment, Service, ServiceAccount, Role, RoleBinding)
 *   controlled by a VirtualMCPServer are kept whole: drift detection compares them with the builders'
 *   output;
 * - Secrets controlled by a VirtualMCPServer (the HMAC Secret) keep their key names only, never a
 *   value (the default Secret transform); its value is validated from one uncached read;
 * - other objects of those kinds keep their metadata only (name, labels, owner references: enough to
 *   refuse to take over a foreign object of a name we need);
 * - Pods keep what the phase reads (`vmcpPodView`).
 * The group's members (MCPServer, MCPRemoteProxy, MCPServerEntry) are kept whole: `config.yaml`
 * reads their spec, status and annotations.
 */
import { group as apiGroup } from '@mcp-controllers/api';
import {
  configMapResource,
  controllerOf,
  defaultTransform,
  deploymentResource,
  groupOf,
  metadataOnly,
  podResource,
  roleBindingResource,
  roleResource,
  secretResource,
  serviceAccountResource,
  serviceResource,
  stripForCache,
  type KubeObject,
  type ResourceRef,
  type Transform,
} from '@mcp-controllers/core';
import { vmcpPodView } from './phase.js';

/** The built-in kinds whose objects this controller creates and owns. */
export const ownedResources: readonly ResourceRef[] = [
  serviceAccountResource,
  roleResource,
  roleBindingResource,
  configMapResource,
  secretResource,
  deploymentResource,
  serviceResource,
];

const same = (a: ResourceRef, b: ResourceRef) => a.group === b.group && a.plural === b.plural;

export function controlledByVmcp(obj: KubeObject): boolean {
  const ref = controllerOf(obj);
  return ref?.kind === 'VirtualMCPServer' && groupOf(ref.apiVersion) === apiGroup;
}

export const vmcpCacheTransform = (resource: ResourceRef): Transform | undefined => {
  if (same(resource, podResource)) return (obj) => vmcpPodView(obj);
  if (same(resource, secretResource)) {
    const keysOnly = defaultTransform(resource);
    return (obj) => (controlledByVmcp(obj) ? keysOnly(obj) : metadataOnly(obj));
  }
  if (ownedResources.some((r) => same(r, resource))) {
    return (obj) => (controlledByVmcp(obj) ? stripForCache(obj) : metadataOnly(obj));
  }
  return undefined;
};
