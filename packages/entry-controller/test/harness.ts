import type { KubeConfig } from '@kubernetes/client-node';
import { group, mcpGroup, mcpServerEntry } from '@mcp-controllers/api';
import { KubeClient, Manager, type Controller, type KubeObject } from '@mcp-controllers/core';
import {
  conditionOf,
  conditionSummary,
  setStatus,
  statusReaches,
  type StatusView,
} from '@mcp-controllers/testkit';
import { entryCacheTransform, entryController } from '../src/reconcile.js';

export type RunningEntryController = Manager & { controller: Controller };

/** Runs the real entry controller in this process (no leader election, no servers). */
export async function startEntryController(
  kubeConfig: KubeConfig,
  args: string[] = [],
): Promise<RunningEntryController> {
  const manager = new Manager({
    name: 'mcp-entry-controller',
    description: 'test',
    version: 'test',
    argv: ['--metrics-bind-address=0', '--health-probe-bind-address=0', '--log-level=warn', ...args],
    env: {},
    kubeConfig,
    reflector: { backoff: { initialMs: 100, maxMs: 500 } },
    cacheTransform: entryCacheTransform,
  });
  const controller = entryController(manager);
  manager.add(controller);
  await manager.start();
  return Object.assign(manager, { controller });
}

const apiVersion = `${group}/v1beta1`;

export function entry(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion,
    kind: 'MCPServerEntry',
    metadata: { name, namespace },
    spec: { transport: 'streamable-http', groupRef: { name: 'team' }, ...spec },
  };
}

/** Creates an MCPGroup and sets its status phase (no group controller runs in these tests). */
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
  setStatus(client, mcpGroup.resource, { namespace, name }, { phase });

export type EntryView = StatusView;
export const condition = conditionOf;
export const summary = conditionSummary;

/** Waits until `accept` holds for the entry at its current generation, failing with the last state seen. */
export const entryReaches = (
  client: KubeClient,
  namespace: string,
  name: string,
  accept: (view: EntryView) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<EntryView> =>
  statusReaches(client, mcpServerEntry.resource, { namespace, name }, accept, what, timeoutMs);
