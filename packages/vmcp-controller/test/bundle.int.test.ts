// The shipped binary is dist/main.mjs alone: copied where no node_modules can be reached, started as
// the image starts it, it must become ready and reconcile. A dependency left out of the bundle makes
// the process exit at start (ERR_MODULE_NOT_FOUND), and this test fail with its output.
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { generatedCRDPaths, group, mcpGroup, virtualMCPServer } from '@mcp-controllers/api';
import { configMapResource, deploymentResource, KubeClient, secretResource } from '@mcp-controllers/core';
import {
  createNamespace,
  installCRDs,
  setStatus,
  statusReaches,
  type StatusView,
} from '@mcp-controllers/testkit';
import { useControlPlane, useIsolatedBundle } from '@mcp-controllers/testkit/vitest';
import { defaultVmcpImage } from '../src/workload.js';

const controlPlane = useControlPlane();
const startBundle = useIsolatedBundle(controlPlane, fileURLToPath(new URL('../dist', import.meta.url)));

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
});

interface DeploymentView {
  spec: { template: { spec: { containers: { name: string; image: string; args?: string[] }[] } } };
}
type VirtualView = StatusView & { status?: { url?: string } };

it('the bundle alone, outside the repository, becomes ready and runs a VirtualMCPServer on the vmcp image', async () => {
  const controller = await startBundle();

  const client = new KubeClient(controlPlane().kubeConfig);
  const ns = await createNamespace(controlPlane().kubeConfig, 'bundle');
  const apiVersion = `${group}/v1beta1`;
  // No group controller runs here: publish the MCPGroup's readiness as it would.
  await client.create(mcpGroup.resource, {
    apiVersion,
    kind: 'MCPGroup',
    metadata: { name: 'team', namespace: ns },
    spec: {},
  });
  await setStatus(client, mcpGroup.resource, { namespace: ns, name: 'team' }, { phase: 'Ready' });
  await client.create(virtualMCPServer.resource, {
    apiVersion,
    kind: 'VirtualMCPServer',
    metadata: { name: 'agg', namespace: ns },
    spec: { groupRef: { name: 'team' }, incomingAuth: { type: 'anonymous' } },
  });

  const view = await statusReaches<VirtualView>(
    client,
    virtualMCPServer.resource,
    { namespace: ns, name: 'agg' },
    (v) => v.status?.url !== undefined,
    'has a URL',
  );
  expect(view.status?.url).toBe(`http://vmcp-agg.${ns}.svc.cluster.local:4483`);
  const deployment = await client.get<DeploymentView>(deploymentResource, { namespace: ns, name: 'agg' });
  const [vmcp] = deployment.spec.template.spec.containers;
  expect(vmcp?.name).toBe('vmcp');
  // The process inherits this environment: VMCP_IMAGE, when set, is what the binary must use.
  expect(vmcp?.image).toBe(process.env.VMCP_IMAGE || defaultVmcpImage);
  expect(vmcp?.args?.[0]).toBe('serve');
  const config = await client.get<{ data?: Record<string, string> }>(configMapResource, {
    namespace: ns,
    name: 'agg-vmcp-config',
  });
  expect(config.data?.['config.yaml']).toContain('groupRef: team');
  // The session key came from the bundle's CSPRNG; its value is never looked at here.
  const secret = await client.get<{ data?: Record<string, string> }>(secretResource, {
    namespace: ns,
    name: 'agg-hmac-secret',
  });
  expect(Object.keys(secret.data ?? {})).toEqual(['hmac-secret']);
  expect(controller.isRunning()).toBe(true);
});
