// The shipped binary is dist/main.mjs alone: copied where no node_modules can be reached, started as
// the image starts it, it must become ready and reconcile. A dependency left out of the bundle makes
// the process exit at start (ERR_MODULE_NOT_FOUND), and this test fail with its output.
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { generatedCRDPaths, mcpGroup } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import { createNamespace, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useIsolatedBundle } from '@mcp-controllers/testkit/vitest';
import { groupObject, groupReaches } from './harness.js';

const controlPlane = useControlPlane();
const startBundle = useIsolatedBundle(controlPlane, fileURLToPath(new URL('../dist', import.meta.url)));

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
});

it('the bundle alone, outside the repository, becomes ready and reconciles an MCPGroup', async () => {
  const controller = await startBundle();
  // The default metrics the footprint benchmark reads are there.
  expect(await controller.metrics()).toMatch(/^nodejs_heap_size_used_bytes \d/m);

  const kc = controlPlane().kubeConfig;
  const ns = await createNamespace(kc, 'bundle');
  await new KubeClient(kc).create(mcpGroup.resource, groupObject(ns, 'g'));
  const status = await groupReaches(new KubeClient(kc), ns, 'g', { phase: 'Ready', serverCount: 0 });
  expect(status.phase).toBe('Ready');
  expect(controller.isRunning()).toBe(true);
});
