// The shipped binary is dist/main.mjs alone: copied where no node_modules can be reached, started as
// the image starts it, it must become ready and reconcile. A dependency left out of the bundle makes
// the process exit at start (ERR_MODULE_NOT_FOUND), and this test fail with its output.
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { generatedCRDPaths, mcpTelemetryConfig } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import { createNamespace, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useIsolatedBundle } from '@mcp-controllers/testkit/vitest';
import { condition, configReaches, telemetryConfig } from './harness.js';

const controlPlane = useControlPlane();
const startBundle = useIsolatedBundle(controlPlane, fileURLToPath(new URL('../dist', import.meta.url)));

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
});

it('the bundle alone, outside the repository, becomes ready and reconciles an MCPTelemetryConfig', async () => {
  const controller = await startBundle();
  // The default metrics the footprint benchmark reads are there.
  expect(await controller.metrics()).toMatch(/^nodejs_heap_size_used_bytes \d/m);

  const kc = controlPlane().kubeConfig;
  const ns = await createNamespace(kc, 'bundle');
  const admin = new KubeClient(kc);
  await admin.create(
    mcpTelemetryConfig.resource,
    telemetryConfig(ns, 'otel', {
      openTelemetry: { endpoint: 'collector:4318', metrics: { enabled: true } },
    }),
  );
  const view = await configReaches(
    admin,
    ns,
    'otel',
    (v) => condition(v, 'Valid')?.status === 'True' && v.status?.configHash !== undefined,
    'Valid with a configHash',
  );
  expect(view.status?.configHash).toMatch(/\S/);
  expect(controller.isRunning()).toBe(true);
});
