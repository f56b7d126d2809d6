/**
 * One controller with its peers absent: what it made of the examples of its own kind, and which
 * absent peers its conditions say it waits for. A controller names a peer it depends on in a
 * condition message ("...; is mcp-group-controller running?"); `peersAwaited` collects those names.
 *
 * Failure modes: `settledAlone` throws after its deadline with the last states it read.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  mcpGroup,
  mcpServer,
  mcpServerEntry,
  mcpTelemetryConfig,
  virtualMCPServer,
} from '@mcp-controllers/api';
import type { KubeClient, ResourceRef } from '@mcp-controllers/core';
import { eventually } from '@mcp-controllers/testkit';
import type { ControllerName } from './controllers.js';

/** The kind each controller reconciles. */
export const kindOf: Record<ControllerName, { kind: string; resource: ResourceRef }> = {
  group: { kind: 'MCPGroup', resource: mcpGroup.resource },
  telemetry: { kind: 'MCPTelemetryConfig', resource: mcpTelemetryConfig.resource },
  entry: { kind: 'MCPServerEntry', resource: mcpServerEntry.resource },
  server: { kind: 'MCPServer', resource: mcpServer.resource },
  vmcp: { kind: 'VirtualMCPServer', resource: virtualMCPServer.resource },
};

interface Condition {
  type: string;
  status: string;
  message?: string;
}
interface Reconciled {
  metadata: { name: string; generation?: number };
  status?: { phase?: string; observedGeneration?: number; conditions?: Condition[] };
}

export interface AloneState {
  /** `phase`, or for a telemetry config `Valid`/`Invalid`; `(not observed)` until it is. */
  state: string;
  /** Every `False` condition as `<type>: <message>`. */
  waiting: string[];
}

/** `<Kind>/<name>` -> its state, for the objects of `kind` (pure over a LIST's items). */
export function aloneStates(kind: string, items: readonly Reconciled[]): Record<string, AloneState> {
  const states: Record<string, AloneState> = {};
  for (const o of items) {
    const conditions = o.status?.conditions ?? [];
    const valid = conditions.find((c) => c.type === 'Valid')?.status;
    const state =
      o.status?.observedGeneration !== o.metadata.generation
        ? '(not observed)'
        : kind === 'MCPTelemetryConfig'
          ? valid === 'True'
            ? 'Valid'
            : 'Invalid'
          : (o.status?.phase ?? '(no phase)');
    states[`${kind}/${o.metadata.name}`] = {
      state,
      waiting: conditions.filter((c) => c.status === 'False').map((c) => `${c.type}: ${c.message ?? ''}`),
    };
  }
  return states;
}

/** The peers named as possibly not running in any of the states' conditions, sorted. */
export function peersAwaited(states: Readonly<Record<string, AloneState>>): string[] {
  const peers = new Set<string>();
  for (const { waiting } of Object.values(states)) {
    for (const message of waiting) {
      for (const match of message.matchAll(/is mcp-(\w+)-controller running\?/g)) peers.add(match[1]!);
    }
  }
  return [...peers].sort();
}

/** Waits until every object of the controller's kind is observed and nothing changed for `quietMs`. */
export async function settledAlone(
  client: KubeClient,
  namespace: string,
  name: ControllerName,
  quietMs = 3_000,
): Promise<Record<string, AloneState>> {
  const { kind, resource } = kindOf[name];
  let last: Record<string, AloneState> = {};
  let since = Date.now();
  try {
    return await eventually(
      async () => {
        const { items } = await client.list<{ items: Reconciled[] }>(resource, namespace);
        const current = aloneStates(kind, items);
        if (!isDeepStrictEqual(current, last)) [last, since] = [current, Date.now()];
        const observed =
          items.length > 0 && Object.values(current).every((s) => s.state !== '(not observed)');
        return observed && Date.now() - since >= quietMs ? current : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `the ${kind}s in ${namespace} settled with ${name} alone` },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast seen: ${JSON.stringify(last, undefined, 1)}`);
  }
}
