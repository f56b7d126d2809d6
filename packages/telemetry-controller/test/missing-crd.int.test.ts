// A workload kind whose CRD is not installed (here MCPRemoteProxy) has no objects: it blocks no
// deletion and the controller does its whole job with the other kinds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpRemoteProxy, mcpServer, mcpTelemetryConfig, generatedCRDPaths } from '@mcp-controllers/api';
import { isNotFound, KubeClient } from '@mcp-controllers/core';
import { installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  condition,
  configGone,
  configReaches,
  sameRefs,
  startTelemetryController,
  telemetryConfig,
  workload,
  type RunningTelemetryController,
} from './harness.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;
let manager: RunningTelemetryController;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths([mcpRemoteProxy.plural]));
  client = new KubeClient(controlPlane().kubeConfig);
  await expect(client.list(mcpRemoteProxy.resource, undefined)).rejects.toSatisfy(isNotFound);
  manager = await startTelemetryController(controlPlane().kubeConfig);
});
afterAll(async () => {
  await manager.stop();
});

const otel = { openTelemetry: { endpoint: 'c:4318', tracing: { enabled: true } } };

describe('without the MCPRemoteProxy CRD', () => {
  it('blocks nothing: deletion waits only for the references that exist, then completes', async () => {
    const ns = namespace();
    await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'c', otel));
    await client.create(mcpServer.resource, workload('MCPServer', ns, 's', 'c'));
    await configReaches(
      client,
      ns,
      'c',
      (v) => condition(v, 'Valid')?.status === 'True' && sameRefs(v, ['MCPServer/s']),
      'valid and referenced',
    );
    expect(manager.cache.informer(mcpRemoteProxy.resource).health().state).toBe('missing');

    await client.delete(mcpTelemetryConfig.resource, { namespace: ns, name: 'c' });
    const blocked = await configReaches(
      client,
      ns,
      'c',
      (v) => condition(v, 'DeletionBlocked')?.status === 'True',
      'blocked by the MCPServer',
    );
    expect(condition(blocked, 'DeletionBlocked')).toMatchObject({ reason: 'ReferencedByWorkloads' });
    expect(condition(blocked, 'DeletionBlocked')?.message).not.toContain('MCPRemoteProxy');

    await client.delete(mcpServer.resource, { namespace: ns, name: 's' });
    expect(await configGone(client, ns, 'c')).toBeLessThan(2_000);
  });

  it('an unreferenced config is deleted at once', async () => {
    const ns = namespace();
    await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'unused', otel));
    await configReaches(
      client,
      ns,
      'unused',
      (v) => condition(v, 'Valid')?.status === 'True',
      'validated (finalizer held)',
    );
    await client.delete(mcpTelemetryConfig.resource, { namespace: ns, name: 'unused' });
    expect(await configGone(client, ns, 'unused')).toBeLessThan(2_000);
  });
});
