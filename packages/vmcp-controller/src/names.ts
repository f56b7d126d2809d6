/**
 * Names, labels, port and URL of what is made for VirtualMCPServer `<n>`, as ToolHive's operator
 * derives them (operator-behaviour §9.2, §9.3; `labelsForVirtualMCPServer`, `vmcpServiceName`,
 * `vmcpServiceAccountName`, `vmcpConfigMapName`, `createVmcpServiceURL`). Pure; every builder takes
 * its names from here, so they cannot disagree.
 */
import type { VirtualServer } from './types.js';

/** The port the vmcp container listens on and the Service exposes (ToolHive's `vmcpDefaultPort`). */
export const vmcpPort = 4483;

export interface VmcpNames {
  /** The vmcp Deployment `<n>`. */
  deployment: string;
  /** The Service `vmcp-<n>` (the one `status.url` names). */
  service: string;
  /** ServiceAccount `<n>-vmcp`, made unless `spec.serviceAccount` names one. */
  serviceAccount: string;
  /** Role `<n>-vmcp` (same name as the ServiceAccount). */
  role: string;
  /** RoleBinding `<n>-vmcp`. */
  roleBinding: string;
  /** The config ConfigMap `<n>-vmcp-config` (key `config.yaml`). */
  configMap: string;
  /** The session HMAC Secret `<n>-hmac-secret` (key `hmac-secret`). */
  hmacSecret: string;
}

export function vmcpNames(name: string): VmcpNames {
  return {
    deployment: name,
    service: `vmcp-${name}`,
    serviceAccount: `${name}-vmcp`,
    role: `${name}-vmcp`,
    roleBinding: `${name}-vmcp`,
    configMap: `${name}-vmcp-config`,
    hmacSecret: `${name}-hmac-secret`,
  };
}

/**
 * ToolHive's `labelsForVirtualMCPServer`: on the Deployment, its pod template and the Service, and
 * their selector (so also how the vMCP's pods are found). Keys in sorted order, as the apiserver
 * keeps them, so equal inputs give deep-equal output.
 */
export function vmcpLabels(name: string): Record<string, string> {
  return {
    app: 'virtualmcpserver',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/name': 'virtualmcpserver',
    toolhive: 'true',
    'toolhive-name': name,
  };
}

/** `status.url`: `http://vmcp-<n>.<ns>.svc.cluster.local:4483` (no path, as ToolHive's). */
export function vmcpURL(vmcp: Pick<VirtualServer, 'metadata'>): string {
  const { name, namespace } = vmcp.metadata;
  return `http://${vmcpNames(name).service}.${namespace}.svc.cluster.local:${vmcpPort}`;
}
