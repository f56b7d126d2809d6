/**
 * The members of a VirtualMCPServer's group, read from the cache, and which vMCPs an event on a
 * member concerns. Members are the MCPServers, MCPRemoteProxies and MCPServerEntries of the namespace
 * whose `spec.groupRef.name` names the group (as ToolHive's operator lists them); an event on one
 * reaches the vMCPs of the group it names before and after the change, and of every group whose
 * status lists it (the group controller's view, which may lag or lead the member's spec).
 *
 * A member kind that cannot be listed now (RBAC, CRD not served) makes the answer unknown only if the
 * group's status lists members of that kind: otherwise there is nothing to miss.
 */
import { mcpRemoteProxy, mcpServer, mcpServerEntry } from '@mcp-controllers/api';
import {
  refIndexer,
  type Cache,
  type Informer,
  type KeyMapper,
  type KubeObject,
  type ResourceRef,
  type Store,
} from '@mcp-controllers/core';
import { memberName, type Member, type MemberKind } from './members.js';

export type RawGroup = KubeObject & { status?: Record<string, unknown> & { phase?: string } };

const membersByGroup = 'members-by-group';
const groupsByListedMember = 'groups-by-listed-member';

export const memberKinds: readonly {
  kind: MemberKind;
  plural: string;
  resource: ResourceRef;
  listed: string;
}[] = [
  { kind: 'MCPServer', plural: 'MCPServers', resource: mcpServer.resource, listed: 'servers' },
  {
    kind: 'MCPRemoteProxy',
    plural: 'MCPRemoteProxies',
    resource: mcpRemoteProxy.resource,
    listed: 'remoteProxies',
  },
  {
    kind: 'MCPServerEntry',
    plural: 'MCPServerEntries',
    resource: mcpServerEntry.resource,
    listed: 'entries',
  },
];

/** `spec.groupRef.name` of a raw object ('' when absent or mistyped). */
export function groupRefName(obj: KubeObject | undefined): string {
  const ref = (obj?.spec as { groupRef?: unknown } | undefined)?.groupRef;
  const name = typeof ref === 'object' && ref !== null ? (ref as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : '';
}

export class GroupMembers {
  private readonly kinds: ((typeof memberKinds)[number] & { informer: Informer })[];

  constructor(
    cache: Cache,
    private readonly groups: Store<RawGroup>,
  ) {
    if (!groups.hasIndex(groupsByListedMember)) {
      // `<ns>/<kind>/<member>` for every member a group's status lists.
      groups.addIndexer(groupsByListedMember, (g) =>
        memberKinds.flatMap(({ kind, listed }) => {
          const names = g.status?.[listed];
          return Array.isArray(names)
            ? names
                .filter((n): n is string => typeof n === 'string')
                .map((n) => `${g.metadata.namespace ?? ''}/${kind}/${n}`)
            : [];
        }),
      );
    }
    this.kinds = memberKinds.map((m) => {
      const informer = cache.informer(m.resource);
      if (!informer.store.hasIndex(membersByGroup)) {
        informer.store.addIndexer(
          membersByGroup,
          refIndexer((o) => groupRefName(o) || undefined),
        );
      }
      return { ...m, informer };
    });
  }

  /** The members of group `groupName` (`group` as cached, for the kinds its status lists). */
  read(
    namespace: string,
    groupName: string,
    group: RawGroup | undefined,
  ): { members: Member[]; unknown?: string } {
    const found: Member[] = [];
    const unknown: string[] = [];
    for (const { kind, plural, informer, listed } of this.kinds) {
      const lookup = informer.lookup(membersByGroup, `${namespace}/${groupName}`);
      if (lookup.state === 'ok') found.push(...lookup.objects.map((object) => ({ kind, object })));
      else if (lookup.state === 'unknown') {
        const names = group?.status?.[listed];
        if (!Array.isArray(names) || names.length > 0) unknown.push(`${plural} (${lookup.cause})`);
      }
    }
    return { members: found, ...(unknown.length > 0 ? { unknown: unknown.join('; ') } : {}) };
  }

  /**
   * Maps an event on a member of `kind` to the names of the groups it concerns (see the module
   * comment); `vmcpsOf` turns those into vMCP keys.
   */
  mapper(kind: MemberKind, vmcpsOf: (namespace: string, groups: readonly string[]) => string[]): KeyMapper {
    return (obj, old) => {
      const namespace = obj.metadata.namespace ?? '';
      const listedBy = this.groups
        .byIndex(groupsByListedMember, `${namespace}/${kind}/${memberName({ kind, object: obj })}`)
        .map((g) => g.metadata.name ?? '');
      return vmcpsOf(namespace, [groupRefName(obj), groupRefName(old), ...listedBy]);
    };
  }
}
