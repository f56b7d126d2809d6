/**
 * What the MCPServer controller keeps of the built-in kinds it watches. It watches them cluster-wide
 * (or per watched namespace) but needs the full object only for the ones it owns, so everything else
 * is cut down before it is cached:
 * - objects of the owned kinds (Deployment, Service, ServiceAccount, Role, RoleBinding, ConfigMap)
 *   controlled by an MCPServer are kept whole: drift detection compares them with the builders' output;
 * - other objects of those kinds keep their metadata only (name, labels, owner references: enough to
 *   refuse to take over a foreign object of a name we need);
 * - StatefulSets keep their metadata only (the phase asks only whether the runner's exists);
 * - Pods keep what the phase reads (`podView`).
 * ConfigMaps not controlled by an MCPServer therefore never hold their data here, and Secrets are
 * not watched at all (secret-sourced env is wired by reference; no value is ever read). The rules
 * are core's `ownedChildrenTransform`; this module names the kinds.
 */
import { mcpServer } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  isControlledBy,
  metadataOnly,
  ownedChildrenTransform,
  podResource,
  roleBindingResource,
  roleResource,
  serviceAccountResource,
  serviceResource,
  statefulSetResource,
  type KubeObject,
  type ResourceRef,
} from '@mcp-controllers/core';
import { podView } from './phase.js';

/** The built-in kinds whose objects this controller creates and owns. */
export const ownedResources: readonly ResourceRef[] = [
  serviceAccountResource,
  roleResource,
  roleBindingResource,
  configMapResource,
  deploymentResource,
  serviceResource,
];

export function controlledByServer(obj: KubeObject): boolean {
  return isControlledBy(obj, mcpServer.resource);
}

export const serverCacheTransform = ownedChildrenTransform({
  owner: mcpServer.resource,
  owned: ownedResources,
  views: [
    { resource: podResource, transform: (obj) => podView(obj) },
    { resource: statefulSetResource, transform: metadataOnly },
  ],
});
