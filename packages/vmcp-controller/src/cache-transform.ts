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
 * reads their spec, status and annotations. The rules are core's `ownedChildrenTransform`; this
 * module names the kinds.
 */
import { virtualMCPServer } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  ownedChildrenTransform,
  podResource,
  roleBindingResource,
  roleResource,
  secretResource,
  serviceAccountResource,
  serviceResource,
  type ResourceRef,
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

export const vmcpCacheTransform = ownedChildrenTransform({
  owner: virtualMCPServer.resource,
  owned: ownedResources,
  views: [{ resource: podResource, transform: (obj) => vmcpPodView(obj) }],
});
