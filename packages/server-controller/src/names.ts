/**
 * Names, labels, the proxy URL and the replica decision of one MCPServer, as ToolHive's operator
 * derives them (runtime-formats b.1, b.2; operator-behaviour §9.1), and the label/annotation merge
 * the builders share (ours win over `resourceOverrides`, as ToolHive's MergeLabels). Pure; every
 * builder and the runner clean-up take their names from here, so they cannot disagree.
 */
import type { Server, ServerSpec } from './types.js';

/** The names of what is made for MCPServer `<n>`: by us (the first five), by the proxy runner (the rest). */
export interface ServerNames {
  /** The proxy runner Deployment `<n>`. */
  deployment: string;
  /** The RunConfig ConfigMap `<n>-runconfig`. */
  runConfig: string;
  /** The proxy Service `mcp-<n>-proxy` (the one clients and `status.url` use). */
  proxyService: string;
  /** ServiceAccount, Role and RoleBinding of the proxy runner: `<n>-proxy-runner`. */
  runner: string;
  /** The MCP server pod's ServiceAccount `<n>-sa`, made unless `spec.serviceAccount` is set. */
  mcpServiceAccount: string;
  /** The runner's StatefulSet `<n>` (same name as the Deployment, other kind). */
  statefulSet: string;
  /** The runner's headless Service `mcp-<n>-headless`. */
  headlessService: string;
  /** The runner's Service `mcp-<n>` in front of the MCP server pods. */
  mcpService: string;
}

export function serverNames(name: string): ServerNames {
  return {
    deployment: name,
    runConfig: `${name}-runconfig`,
    proxyService: `mcp-${name}-proxy`,
    runner: `${name}-proxy-runner`,
    mcpServiceAccount: `${name}-sa`,
    statefulSet: name,
    headlessService: `mcp-${name}-headless`,
    mcpService: `mcp-${name}`,
  };
}

/**
 * ToolHive's `labelsForMCPServer`: on the Deployment, its pod template and the proxy Service, and
 * their selector. Keys in sorted order (the apiserver keeps maps sorted; output stays deterministic).
 */
export function serverLabels(name: string): Record<string, string> {
  return {
    app: 'mcpserver',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/name': 'mcpserver',
    toolhive: 'true',
    'toolhive-name': name,
  };
}

/** `base` over `overrides`: keys of `base` win; keys sorted, so the output is deterministic. */
export function mergeOver(
  base: Record<string, string>,
  overrides: Record<string, string> | undefined,
): Record<string, string> {
  const merged = { ...overrides, ...base };
  return Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((key) => [key, merged[key] ?? '']),
  );
}

/** A sorted copy of a string map, or undefined when it is empty or absent. */
export function sortedMap(map: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!map || Object.keys(map).length === 0) return undefined;
  return mergeOver(map, undefined);
}

export type ProxyMode = 'sse' | 'streamable-http';

/**
 * What the proxy offers clients: the transport itself for an HTTP server, `spec.proxyMode` (default
 * `streamable-http`) for a stdio one. DESIGN: an `sse` server stays `sse` even though the CRD
 * defaults `proxyMode` to `streamable-http` on every object (ToolHive's static vMCP path reads
 * proxyMode first and gets this wrong, operator-behaviour §11 #13).
 */
export function effectiveProxyMode(spec: Pick<ServerSpec, 'transport' | 'proxyMode'>): ProxyMode {
  if (spec.transport === 'stdio') return spec.proxyMode === 'sse' ? 'sse' : 'streamable-http';
  return spec.transport === 'sse' ? 'sse' : 'streamable-http';
}

/**
 * `status.url`: `http://mcp-<n>-proxy.<ns>.svc.cluster.local:<proxyPort>` then `/mcp`, or
 * `/sse#<n>` when the effective proxy mode is sse (ToolHive's GenerateMCPServerURL).
 */
export function serverURL(server: Pick<Server, 'metadata' | 'spec'>): string {
  const { name, namespace } = server.metadata;
  const base = `http://${serverNames(name).proxyService}.${namespace}.svc.cluster.local:${server.spec.proxyPort}`;
  return effectiveProxyMode(server.spec) === 'sse'
    ? `${base}/sse#${encodeURIComponent(name)}`
    : `${base}/mcp`;
}

export interface DesiredReplicas {
  /** The Deployment's `spec.replicas`; undefined leaves the field to an HPA or `kubectl scale`. */
  replicas?: number;
  /** True when a stdio server asked for more than 1 and got 1 (condition `StdioReplicaCapped`). */
  capped: boolean;
}

/**
 * The proxy Deployment's replica count: `spec.replicas` as given, except that a stdio server (one
 * process attached to one proxy) is capped at 1. Unset stays unset.
 */
export function desiredReplicas(spec: Pick<ServerSpec, 'transport' | 'replicas'>): DesiredReplicas {
  if (spec.replicas === undefined) return { capped: false };
  if (spec.transport === 'stdio' && spec.replicas > 1) return { replicas: 1, capped: true };
  return { replicas: spec.replicas, capped: false };
}
