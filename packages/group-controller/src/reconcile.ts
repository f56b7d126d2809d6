/**
 * The MCPGroup controller: a group's status lists the MCPServers, MCPRemoteProxies and
 * MCPServerEntries of its namespace whose `spec.groupRef.name` names it.
 *
 * Everything is read from the cache through a `spec.groupRef.name` index, so a reconcile costs no
 * API request unless the status changes. A member that is added, deleted or moves between groups
 * re-queues its old and new group. Each member kind's informer health decides what its store is
 * worth, before and after the first sync alike (every group is reconciled again whenever a kind's
 * health changes):
 * - `ok`: the store is the truth;
 * - `missing` (404, the CRD is not installed): the kind has no objects, counts as none, and the
 *   group stays `Ready` with a message naming the kinds that are not installed;
 * - `failing` (403, 5xx, timeouts, after the informer's grace period for transient ones): the group
 *   goes `Failed` naming the kind and the cause, and that kind's list and count are removed (unknown
 *   is not zero), until the kind can be listed again.
 * Only MCPGroup status is written, plus one metadata change: a group being deleted that still
 * carries ToolHive's legacy finalizer (`toolhive.stacklok.dev/mcpgroup-finalizer`, which ToolHive's
 * operator added and no longer removes once it is replaced by this controller) loses it, through a
 * guarded JSON patch, so the deletion completes. Members set their own `GroupRefValidated` from a
 * watch on MCPGroup.
 *
 * A status write that meets a 409 (the cached group was stale) fails the reconcile, which re-runs
 * with backoff from the cache; a written group is put back into the cache at once (write-through),
 * so the next reconcile of that group does not compute from the copy the write replaced.
 */
import {
  mcpGroup,
  mcpGroupConditions,
  mcpRemoteProxy,
  mcpServer,
  mcpServerEntry,
} from '@mcp-controllers/api';
import {
  Controller,
  hasFinalizer,
  refIndexer,
  removeFinalizer,
  setCondition,
  writeStatus,
  writeThrough,
  type Cache,
  type Condition,
  type KubeClient,
  type KubeObject,
  type ResourceRef,
} from '@mcp-controllers/core';
import { groupStatus, type MemberListing, type Membership } from './membership.js';

export const groupRefIndex = 'spec.groupRef.name';

/** The finalizer ToolHive's Go operator put on MCPGroups; removed from groups being deleted. */
export const legacyGroupFinalizer = 'toolhive.stacklok.dev/mcpgroup-finalizer';

type Member = KubeObject & { spec?: { groupRef?: { name?: string } } };

const members: Record<keyof Membership, ResourceRef> = {
  servers: mcpServer.resource,
  remoteProxies: mcpRemoteProxy.resource,
  entries: mcpServerEntry.resource,
};

const byGroupRef = refIndexer<Member>((obj) => obj.spec?.groupRef?.name || undefined);

export interface GroupControllerDeps {
  cache: Cache;
  client: KubeClient;
}

export function groupController({ cache, client }: GroupControllerDeps): Controller {
  const groupInformer = cache.informer(mcpGroup.resource);
  const groups = groupInformer.store;
  for (const resource of Object.values(members)) {
    const store = cache.store<Member>(resource);
    if (!store.hasIndex(groupRefIndex)) store.addIndexer(groupRefIndex, byGroupRef);
  }

  function membership(namespace: string, name: string): Membership {
    const listing = (resource: ResourceRef): MemberListing => {
      const found = cache.informer<Member>(resource).lookup(groupRefIndex, `${namespace}/${name}`);
      if (found.state === 'missing') return { notInstalled: found.cause };
      if (found.state === 'unknown') return { error: found.cause };
      return { names: found.objects.flatMap((m) => m.metadata.name ?? []) };
    };
    return {
      servers: listing(members.servers),
      remoteProxies: listing(members.remoteProxies),
      entries: listing(members.entries),
    };
  }

  const controller = new Controller({
    name: 'mcpgroup',
    for: mcpGroup.resource,
    reconcile: async ({ key, namespace, name }, ctx) => {
      const group = groups.get(key);
      // Deleted: nothing to clean up, members report the missing group themselves.
      if (!group || namespace === undefined) return;
      if (group.metadata.deletionTimestamp && hasFinalizer(group, legacyGroupFinalizer)) {
        // A stale copy fails the patch's guard (422) and the reconcile retries from the cache.
        await removeFinalizer(client, mcpGroup.resource, group, legacyGroupFinalizer);
        ctx.log.info({ finalizer: legacyGroupFinalizer }, 'legacy finalizer removed from a deleted group');
        return;
      }
      // Everything the status says comes from this one copy of the group and the member stores.
      const desired = groupStatus(membership(namespace, name), namespace);
      const generation = group.metadata.generation;
      const outcome = await writeStatus<KubeObject>({
        client,
        resource: mcpGroup.resource,
        object: group,
        ownedConditionTypes: [mcpGroupConditions.types.MCPServersChecked],
        desired: (current) => ({
          fields: { ...desired.fields, observedGeneration: generation },
          conditions: setCondition(
            (current.status as { conditions?: Condition[] } | undefined)?.conditions,
            desired.condition,
            generation,
          ),
        }),
        onWritten: (written) => {
          writeThrough(groupInformer, written);
        },
      });
      if (outcome === 'written') {
        ctx.log.debug(
          { phase: desired.fields.phase, reason: desired.condition.reason },
          'group status written',
        );
      }
    },
  });
  // The index key of a member is the key of its group: one function indexes and maps events.
  for (const resource of Object.values(members)) {
    controller.watches(resource, byGroupRef, { optional: true });
  }
  return controller;
}
