#!/usr/bin/env node
// mcp-group-controller: keeps each MCPGroup's status listing the members that name it.
import { runManager } from '@mcp-controllers/core';
import { groupController } from './reconcile.js';

await runManager(
  {
    name: 'mcp-group-controller',
    description:
      'Reconciles MCPGroup status from the MCPServers, MCPRemoteProxies and MCPServerEntries that name the group.',
    version: '0.1.0',
  },
  (manager) => {
    manager.add(groupController(manager));
  },
);
