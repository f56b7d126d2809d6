// The shipped binary is dist/main.mjs alone: copied where no node_modules can be reached, started as
// the image starts it, it must become ready and reconcile. A dependency left out of the bundle makes
// the process exit at start (ERR_MODULE_NOT_FOUND), and this test fail with its output.
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { generatedCRDPaths, mcpServerEntry } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import { createNamespace, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useIsolatedBundle } from '@mcp-controllers/testkit/vitest';
import { condition, entry, entryReaches, groupWithPhase } from './harness.js';

const controlPlane = useControlPlane();
const startBundle = useIsolatedBundle(controlPlane, fileURLToPath(new URL('../dist', import.meta.url)));

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
});

it('the bundle alone, outside the repository, becomes ready and validates an MCPServerEntry', async () => {
  const controller = await startBundle();

  const client = new KubeClient(controlPlane().kubeConfig);
  const ns = await createNamespace(controlPlane().kubeConfig, 'bundle');
  await groupWithPhase(client, ns, 'team', 'Ready');
  await client.create(mcpServerEntry.resource, entry(ns, 'blocked', { remoteUrl: 'http://[::1]:8080/mcp' }));
  const view = await entryReaches(client, ns, 'blocked', (v) => v.status?.phase === 'Failed', 'Failed');
  expect(condition(view, 'RemoteURLValidated')?.message).toBe(
    'remote URL host is not allowed: IP address ::1 falls within blocked range ::1/128',
  );
  expect(controller.isRunning()).toBe(true);
});
