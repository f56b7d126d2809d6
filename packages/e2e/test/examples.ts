/**
 * The examples as the e2e suite and the whole-system bench use them, with no test runner involved:
 * `examples/*.yaml` moved into a namespace, created as a user would, the state each one reaches (the
 * run command's tables), and waiting for a namespace to settle.
 *
 * Failure modes: `waitSettled` throws after its deadline with each object's state against the one
 * the examples expect, and the controllers' unexpected exits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { kinds } from '@mcp-controllers/api';
import { configMapResource, secretResource, type KubeClient, type ResourceRef } from '@mcp-controllers/core';
import { eventually } from '@mcp-controllers/testkit';
import type { Controllers } from './controllers.js';
import { snapshot, type Snapshot } from './snapshot.js';

export interface ExampleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

const examplesDir = fileURLToPath(new URL('../../../examples', import.meta.url));
/** The namespace examples/*.yaml declare. */
export const exampleNamespace = 'mcp-demo';

const namespaceResource: ResourceRef = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};
const resources = new Map<string, ResourceRef>([
  ...kinds.map((k) => [k.kind, k.resource] as const),
  ['Namespace', namespaceResource],
  ['ConfigMap', configMapResource],
  ['Secret', secretResource],
]);

/** examples/*.yaml, Namespace first, moved into `namespace` (their own, mcp-demo, by default). */
export function examples(namespace = exampleNamespace): ExampleObject[] {
  const objects: ExampleObject[] = [];
  for (const file of readdirSync(examplesDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(examplesDir, file), 'utf8'))) {
      const obj = doc.toJS() as ExampleObject | null;
      if (!obj) continue;
      if (!resources.has(obj.kind)) throw new Error(`examples/${file}: no resource known for ${obj.kind}`);
      objects.push(
        obj.kind === 'Namespace'
          ? { ...obj, metadata: { ...obj.metadata, name: namespace } }
          : { ...obj, metadata: { ...obj.metadata, namespace } },
      );
    }
  }
  return [...objects.filter((o) => o.kind === 'Namespace'), ...objects.filter((o) => o.kind !== 'Namespace')];
}

/** Creates every example object, as a user would, in order. */
export async function applyExamples(client: KubeClient, namespace = exampleNamespace): Promise<void> {
  for (const obj of examples(namespace)) {
    await client.create(resources.get(obj.kind)!, obj);
  }
}

/**
 * The state each example reaches (the run command's tables): `status.phase`, or for a telemetry
 * config its `Valid` condition. MCPRemoteProxy has no controller here, hence no entry.
 */
export const expectedStates: Readonly<Record<string, string>> = {
  'MCPGroup/engineering': 'Ready',
  'MCPGroup/research': 'Ready',
  'MCPGroup/sandbox': 'Ready',
  'MCPTelemetryConfig/shared-otel': 'Valid',
  'MCPTelemetryConfig/endpoint-only': 'Invalid',
  'MCPServerEntry/lab-tools': 'Valid',
  'MCPServerEntry/context7': 'Valid',
  'MCPServerEntry/metadata-probe': 'Failed',
  'MCPServerEntry/wrong-ca-key': 'Failed',
  'MCPServer/yardstick': 'Ready',
  'MCPServer/fetch': 'Ready',
  'MCPServer/arxiv': 'Ready',
  'MCPServer/github': 'Failed',
  'VirtualMCPServer/engineering-tools': 'Degraded',
  'VirtualMCPServer/research-inline': 'Ready',
  'VirtualMCPServer/research-tools': 'Ready',
};

interface Condition {
  type: string;
  status: string;
}
interface ToolhiveObject {
  kind?: string;
  metadata: { name: string; generation?: number };
  status?: { phase?: string; observedGeneration?: number; conditions?: Condition[] };
}

/** `<Kind>/<name>` -> its state, or why it is not settled yet (the run command's rule). */
export async function currentStates(client: KubeClient, namespace: string): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  await Promise.all(
    kinds.map(async ({ kind, resource }) => {
      const { items } = await client.list<{ items: ToolhiveObject[] }>(resource, namespace);
      for (const o of items) {
        const key = `${kind}/${o.metadata.name}`;
        if (!(key in expectedStates)) continue;
        const condition = (type: string) => o.status?.conditions?.find((c) => c.type === type);
        const phase =
          kind === 'MCPTelemetryConfig'
            ? { True: 'Valid', False: 'Invalid' }[condition('Valid')?.status ?? '']
            : o.status?.phase;
        if (o.status?.observedGeneration !== o.metadata.generation) states[key] = `(not observed) ${phase}`;
        // A vMCP that serves is settled only once its runtime has reported the backends.
        else if (kind === 'VirtualMCPServer' && phase !== 'Failed' && !condition('BackendsDiscovered'))
          states[key] = `(backends not reported) ${phase}`;
        else states[key] = phase ?? '(no phase)';
      }
    }),
  );
  return states;
}

/**
 * Waits until every example object is in its expected state and the whole snapshot has not changed
 * for `quietMs` (reconciled is not settled: an entry validated before its group was Ready turns Valid
 * later); returns that snapshot.
 */
export async function waitSettled(
  client: KubeClient,
  namespace: string,
  options: { timeoutMs?: number; quietMs?: number; controllers?: Controllers } = {},
): Promise<Snapshot> {
  const { timeoutMs = 90_000, quietMs = 3_000 } = options;
  let last: Snapshot | undefined;
  let since = Date.now();
  let states: Record<string, string> = {};
  try {
    return await eventually(
      async () => {
        states = await currentStates(client, namespace);
        const current = await snapshot(client, namespace);
        if (!last || !isDeepStrictEqual(current, last)) [last, since] = [current, Date.now()];
        const expected = isDeepStrictEqual(states, expectedStates);
        return expected && Date.now() - since >= quietMs ? current : undefined;
      },
      { timeoutMs, intervalMs: 500, what: `the examples in ${namespace} settled` },
    );
  } catch (err) {
    const wrong = Object.entries(expectedStates)
      .filter(([key, want]) => states[key] !== want)
      .map(([key, want]) => `${key}: ${states[key] ?? '(absent)'}, expected ${want}`);
    const exits = options.controllers?.unexpectedExits() ?? [];
    throw new Error(
      [(err as Error).message, ...wrong, ...exits.map((e) => `unexpected exit: ${e}`)].join('\n'),
    );
  }
}

/**
 * `waitSettled`, then, when the settled state differs from `expected`, up to `convergeMs` more for it
 * to become equal (a controller in a retry backoff longer than the quiet period). Returns the last
 * snapshot, equal or not, for the caller's assertion to show the difference; says on stdout when
 * convergence needed the extra time.
 */
export async function settleTo(
  client: KubeClient,
  namespace: string,
  expected: Snapshot,
  options: { controllers?: Controllers; convergeMs?: number } = {},
): Promise<Snapshot> {
  const settled = await waitSettled(client, namespace, options);
  if (isDeepStrictEqual(settled, expected)) return settled;
  const started = Date.now();
  let last = settled;
  try {
    await eventually(
      async () => {
        last = await snapshot(client, namespace);
        return isDeepStrictEqual(last, expected) || undefined;
      },
      { timeoutMs: options.convergeMs ?? 30_000, intervalMs: 500 },
    );
    console.log(`${namespace}: converged ${Date.now() - started} ms after a quiet period that differed`);
  } catch {
    // `last` differs: the caller's assertion shows how.
  }
  return last;
}
