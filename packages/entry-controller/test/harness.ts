import type { KubeConfig } from '@kubernetes/client-node';
import { group, mcpGroup, mcpServerEntry } from '@mcp-controllers/api';
import { KubeClient, Manager, type Controller, type KubeObject } from '@mcp-controllers/core';
import { eventually } from '@mcp-controllers/testkit';
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
  client.patch(
    mcpGroup.resource,
    { namespace, name },
    'merge',
    { status: { phase } },
    { subresource: 'status' },
  );

export interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}
export interface EntryView {
  metadata: { generation?: number };
  status?: { phase?: string; observedGeneration?: number; conditions?: ConditionView[] };
}

export const condition = (view: EntryView, type: string) =>
  view.status?.conditions?.find((c) => c.type === type);

/** `type=status/reason` of every condition, sorted: compact to compare. */
export const summary = (view: EntryView) =>
  (view.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`).sort();

/** Waits until `accept` holds for the entry at its current generation, failing with the last state seen. */
export async function entryReaches(
  client: KubeClient,
  namespace: string,
  name: string,
  accept: (view: EntryView) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<EntryView> {
  let last: EntryView | undefined;
  try {
    return await eventually(
      async () => {
        last = await client.get<KubeObject & EntryView>(mcpServerEntry.resource, { namespace, name });
        const current = last.status?.observedGeneration === last.metadata.generation;
        return current && accept(last) ? last : undefined;
      },
      { timeoutMs, what: `MCPServerEntry ${namespace}/${name}: ${what}` },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last?.status)}`);
  }
}
