import type { KubeConfig } from '@kubernetes/client-node';
import {
  group,
  mcpGroup,
  mcpRemoteProxy,
  mcpServer,
  mcpServerEntry,
  mcpTelemetryConfig,
  virtualMCPServer,
} from '@mcp-controllers/api';
import { KubeClient, Manager, type Controller, type KubeObject } from '@mcp-controllers/core';
import {
  conditionOf,
  conditionSummary,
  setStatus,
  statusReaches,
  type StatusView,
} from '@mcp-controllers/testkit';
import { vmcpCacheTransform } from '../src/cache-transform.js';
import { vmcpController, type VmcpControllerOptions } from '../src/reconcile.js';

export type RunningVmcpController = Manager & { controller: Controller };

export const vmcpImage = 'ghcr.io/stacklok/toolhive/vmcp:v0.44.0';

/** Runs the real vMCP controller in this process (no leader election, no servers). */
export async function startVmcpController(
  kubeConfig: KubeConfig,
  args: string[] = [],
  options: Partial<VmcpControllerOptions> = {},
): Promise<RunningVmcpController> {
  const manager = new Manager({
    name: 'mcp-vmcp-controller',
    description: 'test',
    version: 'test',
    argv: ['--metrics-bind-address=0', '--health-probe-bind-address=0', '--log-level=warn', ...args],
    env: {},
    kubeConfig,
    reflector: { backoff: { initialMs: 100, maxMs: 500 } },
    cacheTransform: vmcpCacheTransform,
  });
  const controller = vmcpController(manager, { image: vmcpImage, ...options });
  manager.add(controller);
  await manager.start();
  return Object.assign(manager, { controller });
}

const apiVersion = `${group}/v1beta1`;

const object = (
  kind: string,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
  spec,
});

export const vmcp = (namespace: string, name: string, spec: Record<string, unknown> = {}) =>
  object('VirtualMCPServer', namespace, name, {
    groupRef: { name: 'team' },
    incomingAuth: { type: 'anonymous' },
    ...spec,
  });

/** Creates an MCPGroup and, as the group controller would, publishes its phase and members. */
export async function groupWith(
  client: KubeClient,
  namespace: string,
  name: string,
  status: { phase?: string; servers?: string[]; remoteProxies?: string[]; entries?: string[] },
): Promise<void> {
  await client.create(mcpGroup.resource, object('MCPGroup', namespace, name, {}));
  await setStatus(client, mcpGroup.resource, { namespace, name }, status);
}

export const setGroupStatus = (
  client: KubeClient,
  namespace: string,
  name: string,
  status: Record<string, unknown>,
) => setStatus(client, mcpGroup.resource, { namespace, name }, status);

/**
 * A member of the group with the status its own controller would publish: an MCPServer (`transport`
 * sse or streamable-http), an MCPRemoteProxy or an MCPServerEntry.
 */
export async function server(
  client: KubeClient,
  namespace: string,
  name: string,
  transport: 'sse' | 'streamable-http',
  phase = 'Ready',
): Promise<void> {
  await client.create(
    mcpServer.resource,
    object('MCPServer', namespace, name, {
      image: 'ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1',
      transport,
      groupRef: { name: 'team' },
    }),
  );
  await setStatus(
    client,
    mcpServer.resource,
    { namespace, name },
    {
      phase,
      url: `http://mcp-${name}-proxy.${namespace}.svc.cluster.local:8080`,
    },
  );
}

export async function remoteProxy(client: KubeClient, namespace: string, name: string): Promise<void> {
  await client.create(
    mcpRemoteProxy.resource,
    object('MCPRemoteProxy', namespace, name, {
      remoteUrl: 'https://mcp.example.com/mcp',
      transport: 'streamable-http',
      groupRef: { name: 'team' },
      oidcConfig: { type: 'inline', inline: { issuer: 'https://issuer.example.com', audience: 'vmcp' } },
    }),
  );
  await setStatus(
    client,
    mcpRemoteProxy.resource,
    { namespace, name },
    {
      phase: 'Ready',
      url: `http://mcp-${name}-remote-proxy.${namespace}.svc.cluster.local:8080`,
    },
  );
}

export async function entry(
  client: KubeClient,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  phase = 'Valid',
): Promise<void> {
  await client.create(
    mcpServerEntry.resource,
    object('MCPServerEntry', namespace, name, {
      remoteUrl: `https://${name}.example.com/mcp`,
      transport: 'streamable-http',
      groupRef: { name: 'team' },
      ...spec,
    }),
  );
  await setEntryPhase(client, namespace, name, phase);
}

export const setEntryPhase = (client: KubeClient, namespace: string, name: string, phase: string) =>
  setStatus(client, mcpServerEntry.resource, { namespace, name }, { phase });

/** Creates an MCPTelemetryConfig and publishes a configHash, as its controller would. */
export async function telemetryConfig(
  client: KubeClient,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  configHash = 'hash-1',
): Promise<void> {
  await client.create(mcpTelemetryConfig.resource, object('MCPTelemetryConfig', namespace, name, spec));
  await setStatus(client, mcpTelemetryConfig.resource, { namespace, name }, { configHash });
}

/** Writes what the vmcp runtime reports, as it does: `discoveredBackends` and `BackendsDiscovered`. */
export const reportBackends = (
  client: KubeClient,
  namespace: string,
  name: string,
  backends: { name: string; status: string }[],
) =>
  setStatus(
    client,
    virtualMCPServer.resource,
    { namespace, name },
    {
      discoveredBackends: backends.map((b) => ({ ...b, url: `http://${b.name}:8080` })),
    },
  );

export interface VmcpView extends StatusView {
  metadata: { generation?: number; uid?: string };
  status?: NonNullable<StatusView['status']> & {
    message?: string;
    url?: string;
    backendCount?: number;
    telemetryConfigHash?: string;
    discoveredBackends?: { name: string; status?: string }[];
  };
}

export const condition = conditionOf;
export const summary = conditionSummary;

/** Waits until `accept` holds for the vMCP at its current generation, failing with the last state seen. */
export const vmcpReaches = (
  client: KubeClient,
  namespace: string,
  name: string,
  accept: (view: VmcpView) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<VmcpView> =>
  statusReaches(client, virtualMCPServer.resource, { namespace, name }, accept, what, timeoutMs);
