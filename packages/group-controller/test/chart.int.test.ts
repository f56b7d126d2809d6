import { KubeClient } from '@mcp-controllers/core';
import { resourceOf, type RenderedObject } from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { describeControllerChart } from '@mcp-controllers/testkit/vitest-charts';

const controlPlane = useControlPlane();

describeControllerChart({
  chart: new URL('../chart', import.meta.url).pathname,
  umbrella: new URL('../../../charts/mcp-controllers', import.meta.url).pathname,
  binary: 'mcp-group-controller',
  umbrellaKey: 'groupController',
  watches: ['MCPGroup', 'MCPServer', 'MCPRemoteProxy', 'MCPServerEntry'],
  controlPlane,
  dryRunCreate: (doc) =>
    new KubeClient(controlPlane().kubeConfig).create<RenderedObject>(resourceOf(doc), doc, {
      query: { dryRun: 'All' },
    }),
});
