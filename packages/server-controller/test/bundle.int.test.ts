// The shipped binary is dist/main.mjs alone: copied where no node_modules can be reached, started as
// the image starts it, it must become ready and reconcile. A dependency left out of the bundle makes
// the process exit at start (ERR_MODULE_NOT_FOUND), and this test fail with its output.
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { generatedCRDPaths, mcpServer } from '@mcp-controllers/api';
import { deploymentResource, KubeClient } from '@mcp-controllers/core';
import { createNamespace, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useIsolatedBundle } from '@mcp-controllers/testkit/vitest';
import { server, serverReaches } from './harness.js';

const controlPlane = useControlPlane();
const startBundle = useIsolatedBundle(controlPlane, fileURLToPath(new URL('../dist', import.meta.url)));

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
});

interface DeploymentView {
  spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } };
}

it('the bundle alone, outside the repository, becomes ready and runs an MCPServer behind the proxy runner', async () => {
  const controller = await startBundle();

  const client = new KubeClient(controlPlane().kubeConfig);
  const ns = await createNamespace(controlPlane().kubeConfig, 'bundle');
  const image = 'ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1';
  await client.create(mcpServer.resource, server(ns, 'yardstick', { image, transport: 'streamable-http' }));
  const view = await serverReaches(client, ns, 'yardstick', (v) => v.status?.url !== undefined, 'has a URL');
  expect(view.status?.url).toBe(`http://mcp-yardstick-proxy.${ns}.svc.cluster.local:8080/mcp`);
  const deployment = await client.get<DeploymentView>(deploymentResource, {
    namespace: ns,
    name: 'yardstick',
  });
  const [proxy] = deployment.spec.template.spec.containers;
  expect(proxy?.name).toBe('toolhive');
  expect(proxy?.args?.at(-1)).toBe(image);
  expect(controller.isRunning()).toBe(true);
});
