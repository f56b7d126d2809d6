#!/usr/bin/env node
// mcp-telemetry-controller: validates MCPTelemetryConfigs, publishes their hash and references, and
// keeps referenced configs from being deleted.
import { runManager } from '@mcp-controllers/core';
// The version changesets wrote: the binary reports what its image and chart are tagged with.
import packageJson from '../package.json' with { type: 'json' };
import { telemetryController } from './reconcile.js';

await runManager(
  {
    name: 'mcp-telemetry-controller',
    description:
      'Validates MCPTelemetryConfigs, publishes status.configHash and status.referencingWorkloads, and blocks deletion while workloads reference them.',
    version: packageJson.version,
  },
  (manager) => {
    manager.add(telemetryController(manager));
  },
);
