/**
 * The MCPGroup controller: a group's status lists the MCPServers, MCPRemoteProxies and
 * MCPServerEntries of its namespace whose `spec.groupRef.name` names it.
 *
 * Everything is read from the cache through a `spec.groupRef.name` index, so a reconcile costs no
 * API request unless the status changes. A member that is added, deleted or moves between groups
 * re-queues its old and new group. A member kind that cannot be listed (CRD missing, RBAC) does not
 * stop the controller: its groups go `Failed` naming the kind and the cause, and are checked again
 * when the kind becomes listable. Only MCPGroup status is written; members set their own
 * `GroupRefValidated` from a watch on MCPGroup.
 */
import {
  mcpGroup,
  mcpGroupConditions,
  mcpRemoteProxy,
  mcpServer,
  mcpServerEntry,
  type MCPGroup,
} from '@mcp-controllers/api';
import {
  Controller,
  describeListFailure,
  refIndexer,
  setCondition,
  writeStatus,
  type Cache,
  type Condition,
  type KubeClient,
  type KubeObject,
  type ResourceRef,
} from '@mcp-controllers/core';
import { groupStatus, type MemberListing, type Membership } from './membership.js';

export const groupRefIndex = 'spec.groupRef.name';

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
  const groups = cache.store<MCPGroup & KubeObject>(mcpGroup.resource);
  for (const resource of Object.values(members)) {
    const store = cache.store<Member>(resource);
    if (!store.hasIndex(groupRefIndex)) store.addIndexer(groupRefIndex, byGroupRef);
  }

  function membership(namespace: string, name: string): Membership {
    const listing = (resource: ResourceRef): MemberListing => {
      const informer = cache.informer<Member>(resource);
      if (!informer.hasSynced()) return { error: describeListFailure(informer.listError(), resource) };
      return {
        names: informer.store
          .byIndex(groupRefIndex, `${namespace}/${name}`)
          .flatMap((m) => m.metadata.name ?? []),
      };
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
      const desired = groupStatus(membership(namespace, name), namespace);
      const outcome = await writeStatus<KubeObject>({
        client,
        resource: mcpGroup.resource,
        object: group,
        ownedConditionTypes: [mcpGroupConditions.types.MCPServersChecked],
        desired: (current) => ({
          fields: { ...desired.fields, observedGeneration: current.metadata.generation },
          conditions: setCondition(
            (current.status as { conditions?: Condition[] } | undefined)?.conditions,
            desired.condition,
            current.metadata.generation,
          ),
        }),
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
