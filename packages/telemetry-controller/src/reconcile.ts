/**
 * The MCPTelemetryConfig controller: validates each config, publishes `status.configHash` (which
 * consumers copy to notice changes) and `status.referencingWorkloads` (the MCPServers,
 * MCPRemoteProxies and VirtualMCPServers whose `spec.telemetryConfigRef.name` names it), and holds
 * its finalizer while anything references it, so a config in use cannot vanish under a workload.
 *
 * References come from the cache through a `spec.telemetryConfigRef.name` index on the three
 * workload kinds; a workload that gains, changes or drops its reference re-queues the old and the new
 * config, so a blocked deletion completes from the watch event, without polling. A workload kind
 * whose CRD is not installed has no objects and blocks nothing; one that cannot be listed for another
 * reason (RBAC) blocks deletion with a condition saying so. Works without any workload controller.
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
  refIndexer,
  removeFinalizer,
  setConditions,
  statusCode,
  writeStatus,
  type Cache,
  type Condition,
  type KubeClient,
  type KubeObject,
  type ResourceRef,
} from '@mcp-controllers/core';
import { ownedConditionTypes, telemetryStatus, type WorkloadKind, type WorkloadRef } from './status.js';
import { validateTelemetryConfig } from './validation.js';

export const telemetryRefIndex = 'spec.telemetryConfigRef.name';

export const workloadResources: Record<WorkloadKind, ResourceRef> = {
  MCPServer: mcpServer.resource,
  MCPRemoteProxy: mcpRemoteProxy.resource,
  VirtualMCPServer: virtualMCPServer.resource,
};

type Workload = KubeObject & { spec?: { telemetryConfigRef?: { name?: string } } };
type Config = KubeObject & { status?: { configHash?: string; conditions?: Condition[] } };

const byConfigRef = refIndexer<Workload>((obj) => obj.spec?.telemetryConfigRef?.name || undefined);

export interface TelemetryControllerDeps {
  cache: Cache;
  client: KubeClient;
}

export function telemetryController({ cache, client }: TelemetryControllerDeps): Controller {
  const resource = mcpTelemetryConfig.resource;
  const configs = cache.store<Config>(resource);
  for (const workload of Object.values(workloadResources)) {
    const store = cache.store<Workload>(workload);
    if (!store.hasIndex(telemetryRefIndex)) store.addIndexer(telemetryRefIndex, byConfigRef);
  }

  function references(namespace: string, name: string) {
    const found: WorkloadRef[] = [];
    const unknownKinds: { kind: WorkloadKind; cause: string }[] = [];
    for (const [kind, workload] of Object.entries(workloadResources) as [WorkloadKind, ResourceRef][]) {
      const informer = cache.informer<Workload>(workload);
      if (!informer.hasSynced()) {
        const err = informer.listError();
        // No CRD, no objects of that kind, nothing they could reference.
        if (statusCode(err) === 404) continue;
        unknownKinds.push({ kind, cause: describeListFailure(err, workload) });
        continue;
      }
      for (const w of informer.store.byIndex(telemetryRefIndex, `${namespace}/${name}`)) {
        if (w.metadata.name) found.push({ kind, name: w.metadata.name });
      }
    }
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
      if (!deleting) config = await ensureFinalizer(client, resource, config, mcpTelemetryConfigFinalizer);

      const { found, unknownKinds } = references(namespace, name);
      const validation = validateTelemetryConfig(config);
      const status = (current: Config) =>
        telemetryStatus({
          validation,
          storedHash: current.status?.configHash,
          references: found,
          unknownKinds,
          deleting,
        });
      if (status(config).releasable) {
        await removeFinalizer(client, resource, config, mcpTelemetryConfigFinalizer);
        ctx.log.info('no workload references the config any more; finalizer removed');
        return;
      }
      await writeStatus<Config>({
        client,
        resource,
        object: config,
        ownedConditionTypes,
        desired: (current) => {
          const desired = status(current);
          return {
            fields: { ...desired.fields, observedGeneration: current.metadata.generation },
            conditions: setConditions(
              current.status?.conditions,
              desired.conditions,
              current.metadata.generation,
            ),
          };
        },
      });
    },
  });
  // The index key of a workload is the key of its config: one function indexes and maps events.
  for (const workload of Object.values(workloadResources)) {
    controller.watches(workload, byConfigRef, { optional: true });
  }
  return controller;
}
