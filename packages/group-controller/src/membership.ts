/**
 * What an MCPGroup's status should say, from who names the group. Pure: the reconciler gathers the
 * member names (or why a kind could not be listed) from the cache and writes what this returns.
 */
import { mcpGroupConditions } from '@mcp-controllers/api';
import type { ConditionInput } from '@mcp-controllers/core';

/** The names of one member kind that point at the group, or why that kind could not be listed. */
export type MemberListing = { names: readonly string[] } | { error: string };

export interface MemberKind {
  /** Plural as people read it: `MCPServers`. */
  label: string;
  /** The status list field (`servers`) and its count (`serverCount`). */
  listField: string;
  countField: string;
}

export const memberKinds = {
  servers: { label: 'MCPServers', listField: 'servers', countField: 'serverCount' },
  remoteProxies: { label: 'MCPRemoteProxies', listField: 'remoteProxies', countField: 'remoteProxyCount' },
  entries: { label: 'MCPServerEntries', listField: 'entries', countField: 'entryCount' },
} as const satisfies Record<string, MemberKind>;

export type Membership = Record<keyof typeof memberKinds, MemberListing>;

export interface GroupStatus {
  /** Owned status fields; `undefined` removes a field (a kind that could not be listed). */
  fields: Record<string, unknown>;
  condition: ConditionInput;
}

const { types, reasons } = mcpGroupConditions;

export function groupStatus(membership: Membership, namespace: string): GroupStatus {
  const fields: Record<string, unknown> = {};
  const failures: string[] = [];
  for (const [key, kind] of Object.entries(memberKinds) as [keyof Membership, MemberKind][]) {
    const listing = membership[key];
    if ('error' in listing) {
      // Unknown is not zero: drop the kind's list rather than claim the group has none of them.
      fields[kind.listField] = undefined;
      fields[kind.countField] = undefined;
      failures.push(`cannot list ${kind.label} in namespace ${namespace}: ${listing.error}`);
      continue;
    }
    const names = [...new Set(listing.names)].sort();
    fields[kind.listField] = names;
    fields[kind.countField] = names.length;
  }
  if (failures.length > 0) {
    fields.phase = 'Failed';
    return {
      fields,
      condition: {
        type: types.MCPServersChecked,
        status: 'False',
        reason: reasons.ListMCPServersCheckFailed,
        message: failures.join('; '),
      },
    };
  }
  fields.phase = 'Ready';
  return {
    fields,
    condition: {
      type: types.MCPServersChecked,
      status: 'True',
      reason: reasons.ListMCPServersCheckSucceeded,
      message: `Listed MCPServers, MCPRemoteProxies and MCPServerEntries in namespace ${namespace}`,
    },
  };
}
