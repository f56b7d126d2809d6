/**
 * The Service `vmcp-<n>` of VirtualMCPServer `<n>` (ToolHive's serviceForVirtualMCPServer,
 * operator-behaviour §9.2): type `spec.serviceType` (CRD default ClusterIP), selecting the vmcp pods
 * by `vmcpLabels`, port `http` 4483 -> 4483/TCP, `sessionAffinity` from the spec (CRD default
 * ClientIP). Pure; owner references are the reconcile's.
 *
 * Stored-shape notes: `protocol: TCP` is a key of the ports list-map (server-side apply on v1.20
 * fails without it); `targetPort` is a number (an IntOrString, compared with ===). What the
 * apiserver allocates or defaults is left to it: `clusterIP`, `nodePort` (NodePort/LoadBalancer),
 * `externalTrafficPolicy`, and `sessionAffinityConfig` for ClientIP (it drops the latter itself on a
 * switch to `None`). Labels and annotations others add survive (the subset rule ignores them).
 */
import type { KubeObject } from '@mcp-controllers/core';
import { vmcpLabels, vmcpNames, vmcpPort } from './names.js';
import type { VirtualServer } from './types.js';

export function vmcpService(vmcp: VirtualServer): KubeObject {
  const { name, namespace } = vmcp.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: vmcpNames(name).service, namespace, labels: vmcpLabels(name) },
    spec: {
      type: vmcp.spec.serviceType,
      selector: vmcpLabels(name),
      ports: [{ name: 'http', port: vmcpPort, targetPort: vmcpPort, protocol: 'TCP' }],
      sessionAffinity: vmcp.spec.sessionAffinity,
    },
  };
}
