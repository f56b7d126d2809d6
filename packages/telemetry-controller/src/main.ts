#!/usr/bin/env node
// mcp-telemetry-controller: validates MCPTelemetryConfigs, publishes their hash and references, and
// keeps referenced configs from being deleted.
import { runManager } from '@mcp-controllers/core';
import { telemetryController } from './reconcile.js';

await runManager(
  {
    name: 'mcp-telemetry-controller',
    description:
      'Validates MCPTelemetryConfigs, publishes status.configHash and status.referencingWorkloads, and blocks deletion while workloads reference them.',
    version: '0.1.0',
  },
  (manager) => {
    manager.add(telemetryController(manager));
  },
);
