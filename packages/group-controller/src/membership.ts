/**
 * What an MCPGroup's status should say, from who names the group. Pure: the reconciler gathers, per
 * member kind, the names found in the cache (or that the kind is not installed, or why it cannot be
 * listed now) and writes what this returns.
 *
 * - A kind that is listed: its names, sorted and deduplicated, and their count.
 * - A kind whose CRD is not installed has no objects: it counts as none (empty list, count 0), the
 *   group stays `Ready` and the condition message names the kinds that are not installed.
 * - A kind that cannot be listed (403, 5xx, timeouts...): unknown is not zero, so its list and count
 *   are removed, the group is `Failed` and the condition message names the kind and the cause.
 */
import { mcpGroupConditions } from '@mcp-controllers/api';
import type { ConditionInput } from '@mcp-controllers/core';

/** The names of one member kind that point at the group; or that the kind is not installed; or why it cannot be listed. */
export type MemberListing = { names: readonly string[] } | { notInstalled: string } | { error: string };

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
  const listed: string[] = [];
  const notInstalled: string[] = [];
  for (const [key, kind] of Object.entries(memberKinds) as [keyof Membership, MemberKind][]) {
    const listing = membership[key];
    if ('error' in listing) {
      // Unknown is not zero: drop the kind's list rather than claim the group has none of them.
      fields[kind.listField] = undefined;
      fields[kind.countField] = undefined;
      failures.push(`cannot list ${kind.label} in namespace ${namespace}: ${listing.error}`);
      continue;
    }
    // No CRD, no objects of that kind: none of them can name the group.
    const names = 'notInstalled' in listing ? [] : [...new Set(listing.names)].sort();
    if ('notInstalled' in listing) notInstalled.push(`${kind.label} (${listing.notInstalled})`);
    else listed.push(kind.label);
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
  const message =
    notInstalled.length === 0
      ? `Listed MCPServers, MCPRemoteProxies and MCPServerEntries in namespace ${namespace}`
      : (listed.length > 0 ? `Listed ${listed.join(' and ')} in namespace ${namespace}; ` : '') +
        `not installed, counted as none: ${notInstalled.join('; ')}`;
  return {
    fields,
    condition: {
      type: types.MCPServersChecked,
      status: 'True',
      reason: reasons.ListMCPServersCheckSucceeded,
      message,
    },
  };
}
