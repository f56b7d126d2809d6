import type { KubeConfig } from '@kubernetes/client-node';
import { group, mcpGroup, mcpServer, mcpTelemetryConfig } from '@mcp-controllers/api';
import { KubeClient, Manager, type Controller, type KubeObject } from '@mcp-controllers/core';
import {
  conditionOf,
  conditionSummary,
  setStatus,
  statusReaches,
  type StatusView,
} from '@mcp-controllers/testkit';
import { serverCacheTransform } from '../src/cache-transform.js';
import { serverController, type ServerControllerOptions } from '../src/reconcile.js';

export type RunningServerController = Manager & { controller: Controller };

export const runnerImage = 'ghcr.io/stacklok/toolhive/proxyrunner:v0.44.0';
export const yardstickImage = 'ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1';

/** Runs the real server controller in this process (no leader election, no servers). */
export async function startServerController(
  kubeConfig: KubeConfig,
  args: string[] = [],
  options: Partial<ServerControllerOptions> = {},
): Promise<RunningServerController> {
  const manager = new Manager({
    name: 'mcp-server-controller',
    description: 'test',
    version: 'test',
    argv: ['--metrics-bind-address=0', '--health-probe-bind-address=0', '--log-level=warn', ...args],
    env: {},
    kubeConfig,
    reflector: { backoff: { initialMs: 100, maxMs: 500 } },
    cacheTransform: serverCacheTransform,
  });
  const controller = serverController(manager, { runnerImage, ...options });
  manager.add(controller);
  await manager.start();
  return Object.assign(manager, { controller });
}

const apiVersion = `${group}/v1beta1`;

export function server(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion,
    kind: 'MCPServer',
    metadata: { name, namespace },
    spec: { image: yardstickImage, ...spec },
  };
}

/** ToolHive's yardstick sample over streamable-http. */
export const yardstick = (namespace: string, name = 'yardstick', spec: Record<string, unknown> = {}) =>
  server(namespace, name, {
    transport: 'streamable-http',
    proxyPort: 8080,
    mcpPort: 8080,
    env: [{ name: 'TRANSPORT', value: 'streamable-http' }],
    ...spec,
  });

export async function groupWithPhase(
  client: KubeClient,
  namespace: string,
  name: string,
  phase: string | undefined,
): Promise<void> {
  await client.create(mcpGroup.resource, {
    apiVersion,
    kind: 'MCPGroup',
    metadata: { name, namespace },
    spec: {},
  });
  if (phase) await setGroupPhase(client, namespace, name, phase);
}

export const setGroupPhase = (client: KubeClient, namespace: string, name: string, phase: string) =>
  client.patch(
    mcpGroup.resource,
    { namespace, name },
    'merge',
    { status: { phase } },
    { subresource: 'status' },
  );

/** Creates an MCPTelemetryConfig and publishes a configHash, as its controller would. */
export async function telemetryConfig(
  client: KubeClient,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  configHash = 'hash-1',
): Promise<void> {
  await client.create(mcpTelemetryConfig.resource, {
    apiVersion,
    kind: 'MCPTelemetryConfig',
    metadata: { name, namespace },
    spec,
  });
  await setConfigHash(client, namespace, name, configHash);
}

export const setConfigHash = (client: KubeClient, namespace: string, name: string, configHash: string) =>
  setStatus(client, mcpTelemetryConfig.resource, { namespace, name }, { configHash });

export interface ServerView extends StatusView {
  metadata: { generation?: number; finalizers?: string[]; uid?: string };
  status?: NonNullable<StatusView['status']> & {
    message?: string;
    url?: string;
    readyReplicas?: number;
    telemetryConfigHash?: string;
  };
}

export const condition = conditionOf;
export const summary = conditionSummary;

/** Waits until `accept` holds for the server at its current generation, failing with the last state seen. */
export const serverReaches = (
  client: KubeClient,
  namespace: string,
  name: string,
  accept: (view: ServerView) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<ServerView> =>
  statusReaches(client, mcpServer.resource, { namespace, name }, accept, what, timeoutMs);
