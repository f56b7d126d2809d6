#!/usr/bin/env node
// mcp-entry-controller: validates MCPServerEntries (remote URL, group, external auth config, CA
// bundle, header Secrets) and reports the result in their status.
import { runManager } from '@mcp-controllers/core';
// The version changesets wrote: the binary reports what its image and chart are tagged with.
import packageJson from '../package.json' with { type: 'json' };
import { entryCacheTransform, entryController } from './reconcile.js';

await runManager(
  {
    name: 'mcp-entry-controller',
    description:
      'Validates MCPServerEntries: the remote URL against the SSRF rules, the MCPGroup, the MCPExternalAuthConfig, the CA bundle ConfigMap and the header Secrets.',
    version: packageJson.version,
    cacheTransform: entryCacheTransform,
  },
  (manager) => {
    manager.add(entryController(manager));
  },
);
