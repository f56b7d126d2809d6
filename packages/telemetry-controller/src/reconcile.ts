/**
 * The MCPTelemetryConfig controller: validates each config, publishes `status.configHash` (which
 * consumers copy to notice changes) and `status.referencingWorkloads` (the MCPServers,
 * MCPRemoteProxies and VirtualMCPServers whose `spec.telemetryConfigRef.name` names it), and holds
 * its finalizer while anything references it, so a config in use cannot vanish under a workload.
 *
 * References come from the cache through a `spec.telemetryConfigRef.name` index on the three
 * workload kinds; a workload that gains, changes or drops its reference re-queues the old and the new
 * config, so a blocked deletion completes from the watch event, without polling. Each workload
 * kind's informer health decides what its store is worth, before and after the first sync alike: a
 * kind whose CRD is not installed (`missing`) has no objects and blocks nothing; one that cannot be
 * listed (`failing`: RBAC, 5xx, timeouts) blocks deletion with `DeletionBlocked`/`ReferencesUnknown`
 * naming the kind and the cause.
 *
 * Removing the finalizer cannot be taken back, and the cache may lag or be frozen without knowing it,
 * so the cache's "nothing references it" is confirmed with an uncached LIST of each workload kind in
 * the config's namespace (`ApiReader`) right before the finalizer goes. When that read finds a
 * reference the cache missed, or cannot be made, the finalizer stays, the status says why, and the
 * config is looked at again after `confirmRetryMs` (the cache may bring no event to wake it).
 *
 * Status is computed from one copy of the config (the spec it validates is the spec whose
 * generation it reports); a 409 re-runs the whole reconcile.
 */
import {
  mcpRemoteProxy,
  mcpServer,
  mcpTelemetryConfig,
  mcpTelemetryConfigFinalizer,
  virtualMCPServer,
} from '@mcp-controllers/api';
import {
  Controller,
  describeListFailure,
  ensureFinalizer,
  hasFinalizer,
  isNotFound,
  refIndexer,
  removeFinalizer,
  setConditions,
  writeStatus,
  writeThrough,
  type ApiReader,
  type Cache,
  type Condition,
  type KubeClient,
  type KubeObject,
  type ResourceRef,
} from '@mcp-controllers/core';
import { ownedConditionTypes, telemetryStatus, type WorkloadKind, type WorkloadRef } from './status.js';
import { validateTelemetryConfig } from './validation.js';

export const telemetryRefIndex = 'spec.telemetryConfigRef.name';

/** How soon a deletion whose uncached check contradicted the cache (or failed) is checked again. */
export const confirmRetryMs = 5_000;

export const workloadResources: Record<WorkloadKind, ResourceRef> = {
  MCPServer: mcpServer.resource,
  MCPRemoteProxy: mcpRemoteProxy.resource,
  VirtualMCPServer: virtualMCPServer.resource,
};

type Workload = KubeObject & { spec?: { telemetryConfigRef?: { name?: string } } };
type Config = KubeObject & { status?: { configHash?: string; conditions?: Condition[] } };

const configRefOf = (obj: Workload) => obj.spec?.telemetryConfigRef?.name || undefined;
const byConfigRef = refIndexer<Workload>(configRefOf);

interface References {
  found: WorkloadRef[];
  unknownKinds: { kind: WorkloadKind; cause: string }[];
}

export interface TelemetryControllerDeps {
  cache: Cache;
  client: KubeClient;
  /** Uncached reads, to confirm a finalizer removal. */
  apiReader: ApiReader;
}

export function telemetryController({ cache, client, apiReader }: TelemetryControllerDeps): Controller {
  const resource = mcpTelemetryConfig.resource;
  const configInformer = cache.informer<Config>(resource);
  const configs = configInformer.store;
  for (const workload of Object.values(workloadResources)) {
    const store = cache.store<Workload>(workload);
    if (!store.hasIndex(telemetryRefIndex)) store.addIndexer(telemetryRefIndex, byConfigRef);
  }
  const kinds = Object.entries(workloadResources) as [WorkloadKind, ResourceRef][];

  /** The references the cache knows of, per each kind's health. */
  function cachedReferences(namespace: string, name: string): References {
    const found: WorkloadRef[] = [];
    const unknownKinds: References['unknownKinds'] = [];
    for (const [kind, workload] of kinds) {
      const refs = cache.informer<Workload>(workload).lookup(telemetryRefIndex, `${namespace}/${name}`);
      // No CRD, no objects of that kind, nothing they could reference.
      if (refs.state === 'missing') continue;
      if (refs.state === 'unknown') {
        unknownKinds.push({ kind, cause: refs.cause });
        continue;
      }
      for (const w of refs.objects) {
        if (w.metadata.name) found.push({ kind, name: w.metadata.name });
      }
    }
    return { found, unknownKinds };
  }

  /** The references the apiserver knows of now: one uncached LIST per kind. */
  async function confirmedReferences(
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<References> {
    const found: WorkloadRef[] = [];
    const unknownKinds: References['unknownKinds'] = [];
    await Promise.all(
      kinds.map(async ([kind, workload]) => {
        try {
          const items = await apiReader.list<Workload>(workload, namespace, { signal });
          for (const w of items) {
            if (configRefOf(w) === name && w.metadata.name) found.push({ kind, name: w.metadata.name });
          }
        } catch (err) {
          if (isNotFound(err)) return; // the CRD is not installed: nothing of that kind exists
          unknownKinds.push({ kind, cause: describeListFailure(err, workload) });
        }
      }),
    );
    return { found, unknownKinds };
  }

  const controller = new Controller({
    name: 'mcptelemetryconfig',
    for: resource,
    reconcile: async ({ key, namespace, name }, ctx) => {
      let config = configs.get(key);
      if (!config || namespace === undefined) return;
      const deleting = Boolean(config.metadata.deletionTimestamp);
      // Already released (or never ours): the apiserver finishes the deletion.
      if (deleting && !hasFinalizer(config, mcpTelemetryConfigFinalizer)) return;
      if (!deleting && !hasFinalizer(config, mcpTelemetryConfigFinalizer)) {
        config = await ensureFinalizer(client, resource, config, mcpTelemetryConfigFinalizer);
        writeThrough(configInformer, structuredClone(config));
      }

      let references = cachedReferences(namespace, name);
      // Everything below is computed from this one copy of the config.
      const validation = validateTelemetryConfig(config);
      const status = (refs: References) =>
        telemetryStatus({
          validation,
          storedHash: config.status?.configHash,
          references: refs.found,
          unknownKinds: refs.unknownKinds,
          deleting,
        });
      let recheck = false;
      if (status(references).releasable) {
        references = await confirmedReferences(namespace, name, ctx.signal);
        if (status(references).releasable) {
          await removeFinalizer(client, resource, config, mcpTelemetryConfigFinalizer);
          ctx.log.info('no workload references the config any more (confirmed uncached); finalizer removed');
          return;
        }
        recheck = true;
        ctx.log.info(
          {
            references: references.found.map((r) => `${r.kind}/${r.name}`),
            unknown: references.unknownKinds.map((u) => u.kind),
          },
          `the cache says nothing references the config, but an uncached read disagrees; finalizer kept, checking again in ${confirmRetryMs} ms`,
        );
      }
      const desired = status(references);
      const generation = config.metadata.generation;
      await writeStatus<Config>({
        client,
        resource,
        object: config,
        ownedConditionTypes,
        desired: (current) => ({
          fields: { ...desired.fields, observedGeneration: generation },
          conditions: setConditions(current.status?.conditions, desired.conditions, generation),
        }),
        onWritten: (written) => {
          writeThrough(configInformer, written);
        },
      });
      return recheck ? { requeueAfterMs: confirmRetryMs } : undefined;
    },
  });
  // The index key of a workload is the key of its config: one function indexes and maps events.
  for (const workload of Object.values(workloadResources)) {
    controller.watches(workload, byConfigRef, { optional: true });
  }
  return controller;
}
