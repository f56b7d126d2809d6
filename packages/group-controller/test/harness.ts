import { Manager, KubeClient, type Controller, type KubeObject } from '@mcp-controllers/core';
import { mcpGroup, group as apiGroup } from '@mcp-controllers/api';
import type { KubeConfig } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { eventually } from '@mcp-controllers/testkit';
import { groupController } from '../src/reconcile.js';

export type RunningGroupController = Manager & { controller: Controller };

/** Runs the real group controller in this process (no leader election, no servers). */
export async function startGroupController(
  kubeConfig: KubeConfig,
  args: string[] = [],
): Promise<RunningGroupController> {
  const manager = new Manager({
    name: 'mcp-group-controller',
    description: 'test',
    version: 'test',
    argv: ['--metrics-bind-address=0', '--health-probe-bind-address=0', '--log-level=warn', ...args],
    env: {},
    kubeConfig,
    reflector: { backoff: { initialMs: 100, maxMs: 500 } },
  });
  const controller = groupController(manager);
  manager.add(controller);
  await manager.start();
  return Object.assign(manager, { controller });
}

export const v1beta1 = `${apiGroup}/v1beta1`;

export function groupObject(namespace: string, name: string): KubeObject {
  return { apiVersion: v1beta1, kind: 'MCPGroup', metadata: { name, namespace }, spec: {} };
}

export function member(
  kind: 'MCPServer' | 'MCPRemoteProxy' | 'MCPServerEntry',
  namespace: string,
  name: string,
  group?: string,
): KubeObject {
  const groupRef = group ? { groupRef: { name: group } } : {};
  const spec =
    kind === 'MCPServer'
      ? { image: 'ghcr.io/example/server:1', ...groupRef }
      : kind === 'MCPRemoteProxy'
        ? { remoteUrl: 'https://mcp.example.com/mcp', ...groupRef }
        : { remoteUrl: 'https://mcp.example.com/mcp', transport: 'streamable-http', ...groupRef };
  return { apiVersion: v1beta1, kind, metadata: { name, namespace }, spec };
}

export interface GroupStatusView {
  phase?: string;
  servers?: string[];
  serverCount?: number;
  remoteProxies?: string[];
  remoteProxyCount?: number;
  entries?: string[];
  entryCount?: number;
  observedGeneration?: number;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

export async function readGroup(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<GroupStatusView | undefined> {
  const obj = await client.get<KubeObject>(mcpGroup.resource, { namespace, name });
  return obj.status as GroupStatusView | undefined;
}

/** Waits until the group's status matches `expected` (a subset), failing with the last status seen. */
export async function groupReaches(
  client: KubeClient,
  namespace: string,
  name: string,
  expected: Partial<GroupStatusView>,
  timeoutMs = 15_000,
): Promise<GroupStatusView> {
  let last: GroupStatusView | undefined;
  try {
    return await eventually(
      async () => {
        last = await readGroup(client, namespace, name);
        return last && matches(last, expected) ? last : undefined;
      },
      { timeoutMs, what: `MCPGroup ${namespace}/${name} status ${JSON.stringify(expected)}` },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status ${JSON.stringify(last)}`);
  }
}

function matches(actual: GroupStatusView, expected: Partial<GroupStatusView>): boolean {
  return Object.entries(expected).every(([key, value]) =>
    isDeepStrictEqual(actual[key as keyof GroupStatusView], value),
  );
}
