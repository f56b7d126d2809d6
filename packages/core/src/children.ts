/**
 * The owned children of one primary object, applied together: what every workload controller does
 * after its pure builders ran (`Child`, in `apply-order.ts`, with the order). `applyChildren` applies each child with `applyOwned` (zero requests for
 * a child that did not drift), puts what the apiserver answered into the cache (read your writes),
 * and collects ownership conflicts instead of failing on the first: the caller reports them in a
 * condition, and every other child is still applied. Any other failure rejects (retry with backoff).
 *
 * Children go in two waves, each wave concurrently: first what others refer to (ServiceAccounts,
 * Roles, ConfigMaps, Secrets), then the rest (RoleBindings, workloads, Services). A RoleBinding sent
 * before its Role exists is refused by the apiserver (404: without the `bind` verb it checks the
 * binding against the Role's rules), and a pod started before its ConfigMap or ServiceAccount exists
 * waits for it; the second wave costs one round trip more on creation, nothing in a steady state.
 *
 * `replicas` (a Deployment's `spec.replicas`, `DesiredChildren.replicas`) is applied after the
 * waves when they met no conflict, by `applyReplicas`, which sets it under a field manager of its own
 * (`<fieldManager>-replicas`). The main apply never sends replicas, so a spec that stops setting
 * them drops nothing: the count stays where it was for an HPA or `kubectl scale` to own. (One manager
 * for both would make server-side apply remove the field, and the apiserver reset it to 1.)
 */
import { applyOwned } from './apply.js';
import type { KubeClient } from './client/http.js';
import type { ResourceRef } from './client/resources.js';
import type { Cache, Informer } from './cache.js';
import { applyWaves, type Child } from './apply-order.js';
import { deploymentResource } from './kinds.js';
import type { Logger } from './log.js';
import type { KubeObject } from './object.js';
import { OwnershipConflictError, withOwner, type OwnerObject } from './owner.js';
import { writeThrough } from './write-through.js';

/**
 * What a workload controller's pure builders make of one primary: its children, in apply order, and
 * apart from them the Deployment's `spec.replicas` when the spec sets it (never in the Deployment
 * object: `applyReplicas` applies it under a field manager of its own, so a spec that stops setting
 * it hands the count to an HPA or `kubectl scale`).
 */
export interface DesiredChildren {
  objects: Child[];
  replicas?: number;
}

export interface ApplyChildrenOptions {
  client: KubeClient;
  cache: Cache;
  owner: OwnerObject;
  /** The owner's kind (for its controller reference). */
  ownerResource: ResourceRef;
  children: readonly Child[];
  /** `spec.replicas` of the Deployment among the children, when the primary's spec sets it. */
  replicas?: number | undefined;
  fieldManager: string;
  log: Logger;
}

/**
 * Applies the children wave by wave, then the Deployment's replicas when given and no child met a
 * conflict; resolves the ownership conflicts met (empty when none).
 */
export async function applyChildren(options: ApplyChildrenOptions): Promise<OwnershipConflictError[]> {
  const conflicts: OwnershipConflictError[] = [];
  for (const wave of applyWaves(options.children)) await applyWave(options, wave, conflicts);
  const deployment = options.children.find((child) => child.resource.kind === deploymentResource.kind);
  if (conflicts.length === 0 && options.replicas !== undefined && deployment) {
    const informer = options.cache.informer<Deployment>(deploymentResource);
    await applyReplicas({
      client: options.client,
      informer,
      // The cached Deployment, refreshed by the wave's apply when it changed. One created just now is
      // not cached yet (writeThrough refreshes, never adds): the reconcile its watch event brings sets them.
      live: informer.store.get(
        `${options.owner.metadata.namespace ?? ''}/${deployment.object.metadata.name ?? ''}`,
      ),
      replicas: options.replicas,
      fieldManager: options.fieldManager,
    });
  }
  return conflicts;
}

async function applyWave(
  options: ApplyChildrenOptions,
  wave: readonly Child[],
  conflicts: OwnershipConflictError[],
): Promise<void> {
  const { client, cache, owner, ownerResource, fieldManager, log } = options;
  await Promise.all(
    wave.map(async ({ resource, object }) => {
      const desired = withOwner(object, owner, ownerResource);
      const informer: Informer = cache.informer(resource);
      const cached = informer.store.get(`${owner.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`);
      try {
        // A healthy informer has every object of the kind: a child it lacks is created at once.
        const cacheComplete = informer.health().state === 'ok';
        const outcome = await applyOwned({ client, resource, desired, cached, fieldManager, cacheComplete });
        if (outcome.action !== 'unchanged') {
          writeThrough(informer, outcome.object);
          log.debug(
            { kind: resource.kind, name: object.metadata.name, reason: outcome.reason },
            outcome.action,
          );
        }
      } catch (err) {
        if (err instanceof OwnershipConflictError) conflicts.push(err);
        else throw err;
      }
    }),
  );
}

type Deployment = KubeObject & { spec?: { replicas?: number } };

/**
 * Sets `live`'s replicas to `replicas` when they differ (one apply under `<fieldManager>-replicas`);
 * no request when `live` is undefined (not created yet, or not ours) or already there.
 */
export async function applyReplicas(options: {
  client: KubeClient;
  informer: Informer<Deployment>;
  live: Deployment | undefined;
  replicas: number;
  fieldManager: string;
}): Promise<void> {
  const { live, replicas } = options;
  if (!live || live.spec?.replicas === replicas) return;
  const { name, namespace } = live.metadata;
  const patched = await options.client.patch<Deployment>(
    deploymentResource,
    { namespace: namespace ?? '', name: name ?? '' },
    'apply',
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { replicas } },
    { fieldManager: `${options.fieldManager}-replicas`, force: true },
  );
  writeThrough(options.informer, patched);
}
