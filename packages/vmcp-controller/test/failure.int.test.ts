// The VirtualMCPServer controller when its inputs fail: a group that does not exist is looked at
// again at a fixed pace (no growing backoff, no error), and a member kind that cannot be listed
// stops the rollout instead of dropping its members from config.yaml.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, virtualMCPServer } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import { eventually, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { startVmcpController, vmcp, vmcpReaches, type RunningVmcpController } from './harness.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;
let manager: RunningVmcpController;
const groupWaitMs = 200;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
  manager = await startVmcpController(controlPlane().kubeConfig, [], { groupWaitMs });
});
afterAll(async () => {
  await manager.stop();
});

const counter = async (result: string): Promise<number> => {
  const metric = await manager.metrics.reconcileTotal.get();
  return (
    metric.values.find((v) => v.labels.controller === 'virtualmcpserver' && v.labels.result === result)
      ?.value ?? 0
  );
};

describe('a missing group', () => {
  it('is looked at again every groupWaitMs, without errors or a growing backoff', async () => {
    const ns = namespace();
    await client.create(virtualMCPServer.resource, vmcp(ns, 'orphan'));
    await vmcpReaches(client, ns, 'orphan', (v) => v.status?.phase === 'Failed', 'Failed: no group');
    const errors = await counter('error');
    const start = await counter('requeue_after');
    const started = performance.now();
    await eventually(async () => ((await counter('requeue_after')) - start >= 10 ? true : undefined), {
      timeoutMs: 10_000,
      what: '10 more looks',
    });
    const elapsed = performance.now() - started;
    // Ten looks at a fixed 200 ms take about 2 s; a doubling backoff from 200 ms would need 200 s.
    expect(elapsed).toBeLessThan(10 * groupWaitMs * 3);
    expect(await counter('error')).toBe(errors);
    // Each look found nothing new: no write.
    const writes = manager.client.tally.writes();
    await eventually(async () => ((await counter('requeue_after')) - start >= 15 ? true : undefined), {
      timeoutMs: 10_000,
      what: '5 more looks',
    });
    expect(manager.client.tally.writes()).toBe(writes);
  });
});
