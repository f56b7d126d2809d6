/**
 * What controller tests read of a custom resource's status, and the wait for a status to reach a
 * state at the object's current generation. The client is structural (anything with `get` and
 * `patch` shaped like core's KubeClient), so testkit needs no dependency on the kernel.
 */
import { eventually } from './cluster.js';

export interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export interface StatusView {
  metadata: { generation?: number };
  status?: { phase?: string; observedGeneration?: number; conditions?: ConditionView[] };
}

interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}
interface ObjectKey {
  namespace?: string;
  name: string;
}
export interface StatusClient {
  get<T>(resource: Resource, key: ObjectKey): Promise<T>;
  patch<T>(
    resource: Resource,
    key: ObjectKey,
    type: 'merge',
    body: unknown,
    options: { subresource: 'status' },
  ): Promise<T>;
}

export const conditionOf = (view: StatusView, type: string): ConditionView | undefined =>
  view.status?.conditions?.find((c) => c.type === type);

/** `type=status/reason` of every condition, sorted: compact to compare. */
export const conditionSummary = (view: StatusView): string[] =>
  (view.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`).sort();

/**
 * Waits until `accept` holds for the object at its current generation (`status.observedGeneration`
 * equals `metadata.generation`), failing with the last status seen.
 */
export async function statusReaches<V extends StatusView>(
  client: StatusClient,
  resource: Resource,
  key: Required<ObjectKey>,
  accept: (view: V) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<V> {
  let last: V | undefined;
  try {
    return await eventually(
      async () => {
        const got = await client.get<V>(resource, key);
        last = got;
        const current = got.status?.observedGeneration === got.metadata.generation;
        return current && accept(got) ? got : undefined;
      },
      { timeoutMs, what: `${resource.kind} ${key.namespace}/${key.name}: ${what}` },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last?.status)}`);
  }
}

/** Sets fields of an object's status as its own controller would (for a controller that is not running). */
export async function setStatus(
  client: StatusClient,
  resource: Resource,
  key: Required<ObjectKey>,
  status: Record<string, unknown>,
): Promise<void> {
  await client.patch(resource, key, 'merge', { status }, { subresource: 'status' });
}
