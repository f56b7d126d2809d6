import { z } from 'zod';
import { conditions, listSet, observedGeneration } from '../schema/fields.js';
import { ageColumn, conditionCatalog, defineKind } from '../schema/resource.js';

const names = (what: string) => listSet(z.string(), `Sorted names of the ${what} that name this group.`);
const count = (what: string) => z.int32().min(0).describe(`Number of ${what}.`);

export const mcpGroupConditions = conditionCatalog({
  MCPServersChecked: {
    description: 'Whether the members of the group could be listed.',
    reasons: {
      ListMCPServersCheckSucceeded: {
        status: 'True',
        when: 'MCPServers, MCPRemoteProxies and MCPServerEntries were listed.',
      },
      ListMCPServersCheckFailed: {
        status: 'False',
        when: 'A member kind could not be listed (CRD missing or access denied); the message names it.',
      },
    },
  },
});

export const mcpGroup = defineKind({
  kind: 'MCPGroup',
  plural: 'mcpgroups',
  shortNames: ['mcpg', 'mcpgroup'],
  family: 'groups',
  description:
    'A named set of MCP servers, remote proxies and server entries. Members join by naming the group in `spec.groupRef`.',
  specRequired: false,
  spec: z.object({
    description: z.string().optional().describe('What the group is for, for people.'),
  }),
  status: z.object({
    observedGeneration: observedGeneration.optional(),
    phase: z.enum(['Ready', 'Pending', 'Failed']).default('Pending').describe('Overall state of the group.'),
    servers: names('MCPServers').optional(),
    serverCount: count('MCPServers').optional(),
    remoteProxies: names('MCPRemoteProxies').optional(),
    remoteProxyCount: count('MCPRemoteProxies').optional(),
    entries: names('MCPServerEntries').optional(),
    entryCount: count('MCPServerEntries').optional(),
    conditions: conditions.optional(),
  }),
  printerColumns: [
    { name: 'Servers', type: 'integer', jsonPath: '.status.serverCount' },
    { name: 'Proxies', type: 'integer', jsonPath: '.status.remoteProxyCount' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    {
      name: 'Checked',
      type: 'string',
      jsonPath: ".status.conditions[?(@.type=='MCPServersChecked')].status",
    },
    ageColumn,
  ],
  conditions: mcpGroupConditions,
});
export type MCPGroup = z.output<typeof mcpGroup.object>;
