#!/usr/bin/env node
// mcp-server-controller: runs each MCPServer behind ToolHive's proxy runner (RunConfig ConfigMap,
// Deployment, Service, RBAC) and reports its state from the pods.
import { runManager } from '@mcp-controllers/core';
// The version changesets wrote: the binary reports what its image and chart are tagged with.
import packageJson from '../package.json' with { type: 'json' };
import { serverCacheTransform } from './cache-transform.js';
import { defaultRunnerImage, serverController, serverFlagDefaults } from './reconcile.js';

await runManager(
  {
    name: 'mcp-server-controller',
    description:
      "Runs MCPServers behind ToolHive's proxy runner: RunConfig ConfigMap, proxy Deployment and Service, RBAC; status from the pods. The runner image comes from TOOLHIVE_RUNNER_IMAGE.",
    version: packageJson.version,
    cacheTransform: serverCacheTransform,
    flagDefaults: serverFlagDefaults,
  },
  (manager) => {
    // The same variables ToolHive's operator reads, so its chart values carry over.
    const proxyHost = process.env.TOOLHIVE_PROXY_HOST;
    manager.add(
      serverController(manager, {
        runnerImage: process.env.TOOLHIVE_RUNNER_IMAGE || defaultRunnerImage,
        ...(proxyHost ? { proxyHost } : {}),
      }),
    );
  },
);
