import type { KubeConfig } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { group, mcpTelemetryConfig } from '@mcp-controllers/api';
import {
  isNotFound,
  KubeClient,
  Manager,
  type Controller,
  type KubeObject,
  type ReflectorOptions,
} from '@mcp-controllers/core';
import { eventually } from '@mcp-controllers/testkit';
import { telemetryController } from '../src/reconcile.js';

export type RunningTelemetryController = Manager & { controller: Controller };

/** Runs the real telemetry controller in this process (no leader election, no servers). */
export async function startTelemetryController(
  kubeConfig: KubeConfig,
  args: string[] = [],
  reflector: Partial<ReflectorOptions<KubeObject>> = {},
): Promise<RunningTelemetryController> {
  const manager = new Manager({
    name: 'mcp-telemetry-controller',
    description: 'test',
    version: 'test',
    argv: ['--metrics-bind-address=0', '--health-probe-bind-address=0', '--log-level=warn', ...args],
    env: {},
    kubeConfig,
    reflector: { backoff: { initialMs: 100, maxMs: 500 }, ...reflector },
  });
  const controller = telemetryController(manager);
  manager.add(controller);
  await manager.start();
  return Object.assign(manager, { controller });
}

const apiVersion = `${group}/v1beta1`;

export function telemetryConfig(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion, kind: 'MCPTelemetryConfig', metadata: { name, namespace }, spec };
}

export type WorkloadKind = 'MCPServer' | 'MCPRemoteProxy' | 'VirtualMCPServer';

export function workload(kind: WorkloadKind, namespace: string, name: string, config?: string): KubeObject {
  const ref = config ? { telemetryConfigRef: { name: config } } : {};
  const spec =
    kind === 'MCPServer'
      ? { image: 'ghcr.io/example/server:1', ...ref }
      : kind === 'MCPRemoteProxy'
        ? { remoteUrl: 'https://mcp.example.com/mcp', ...ref }
        : { groupRef: { name: 'g' }, incomingAuth: { type: 'anonymous' }, ...ref };
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}

export interface TelemetryView {
  metadata: { generation?: number; finalizers?: string[]; deletionTimestamp?: string };
  status?: {
    configHash?: string;
    observedGeneration?: number;
    referencingWorkloads?: { kind: string; name: string }[];
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

export const condition = (view: TelemetryView, type: string) =>
  view.status?.conditions?.find((c) => c.type === type);

/** Waits until `accept` holds for the config, failing with the last state seen. */
export async function configReaches(
  client: KubeClient,
  namespace: string,
  name: string,
  accept: (view: TelemetryView) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<TelemetryView> {
  let last: TelemetryView | undefined;
  try {
    return await eventually(
      async () => {
        last = await client.get<KubeObject & TelemetryView>(mcpTelemetryConfig.resource, { namespace, name });
        return accept(last) ? last : undefined;
      },
      { timeoutMs, what: `MCPTelemetryConfig ${namespace}/${name}: ${what}` },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last)}`);
  }
}

/** Resolves with the time it took for the config to disappear. */
export async function configGone(
  client: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 10_000,
): Promise<number> {
  const started = performance.now();
  await eventually(
    async () => {
      try {
        await client.get(mcpTelemetryConfig.resource, { namespace, name });
        return undefined;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    },
    { timeoutMs, intervalMs: 20, what: `MCPTelemetryConfig ${namespace}/${name} deleted` },
  );
  return performance.now() - started;
}

export const sameRefs = (view: TelemetryView, refs: string[]) =>
  isDeepStrictEqual(
    (view.status?.referencingWorkloads ?? []).map((r) => `${r.kind}/${r.name}`),
    refs,
  );
