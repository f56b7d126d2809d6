#!/usr/bin/env node
// mcp-vmcp-controller: runs each VirtualMCPServer on ToolHive's vmcp image (config.yaml ConfigMap,
// Deployment, Service, RBAC, session HMAC Secret) over the members of its MCPGroup, and reports its
// state from the pods and the backends the vmcp runtime discovered.
import { runManager } from '@mcp-controllers/core';
// The version changesets wrote: the binary reports what its image and chart are tagged with.
import packageJson from '../package.json' with { type: 'json' };
import { vmcpCacheTransform } from './cache-transform.js';
import { vmcpController } from './reconcile.js';
import { defaultVmcpImage } from './workload.js';

await runManager(
  {
    name: 'mcp-vmcp-controller',
    description:
      "Runs VirtualMCPServers on ToolHive's vmcp image over the servers, remote proxies and entries of their MCPGroup: config.yaml ConfigMap, Deployment, Service, RBAC, session HMAC Secret; status from the pods and the discovered backends. The vmcp image comes from VMCP_IMAGE.",
    version: packageJson.version,
    cacheTransform: vmcpCacheTransform,
  },
  (manager) => {
    // The variable ToolHive's operator reads, so its chart values carry over.
    manager.add(vmcpController(manager, { image: process.env.VMCP_IMAGE || defaultVmcpImage }));
  },
);
