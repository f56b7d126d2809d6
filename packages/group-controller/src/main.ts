#!/usr/bin/env node
// mcp-group-controller: keeps each MCPGroup's status listing the members that name it.
import { runManager } from '@mcp-controllers/core';
// The version changesets wrote: the binary reports what its image and chart are tagged with.
import packageJson from '../package.json' with { type: 'json' };
import { groupController } from './reconcile.js';

await runManager(
  {
    name: 'mcp-group-controller',
    description:
      'Reconciles MCPGroup status from the MCPServers, MCPRemoteProxies and MCPServerEntries that name the group.',
    version: packageJson.version,
  },
  (manager) => {
    manager.add(groupController(manager));
  },
);
