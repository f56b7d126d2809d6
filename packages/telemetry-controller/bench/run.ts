// `pnpm bench`: one MCPTelemetryConfig referenced by 1,000 MCPServers, against a real apiserver with
// the real telemetry controller in this process. Prints: time from creating the servers to a
// complete status.referencingWorkloads, status writes spent, and time from removing the last
// reference (of a config already being deleted) to the config being gone.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { mcpServer, mcpTelemetryConfig, generatedCRDPaths } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import {
  createNamespace,
  installCRDs,
  printFootprint,
  runConcurrently,
  startControlPlane,
} from '@mcp-controllers/testkit';
import {
  configGone,
  configReaches,
  startTelemetryController,
  telemetryConfig,
  workload,
} from '../test/harness.js';

const servers = 1_000;

const controlPlane = await startControlPlane();
try {
  const kc = controlPlane.kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  // The shipped binary's idle RSS and time to ready, on a cluster with the CRDs and nothing else.
  await printFootprint(
    'mcp-telemetry-controller',
    fileURLToPath(new URL('../dist/main.mjs', import.meta.url)),
    controlPlane.kubeconfigPath,
  );
  const admin = new KubeClient(kc);
  const ns = await createNamespace(kc, 'bench');
  const manager = await startTelemetryController(kc, ['--log-level=error']);
  const statusWrites = () =>
    manager.client.tally.count({
      verb: 'patch',
      resource: 'mcptelemetryconfigs.toolhive.stacklok.dev/status',
    });
  await admin.create(
    mcpTelemetryConfig.resource,
    telemetryConfig(ns, 'shared', { prometheus: { enabled: true } }),
  );
  await configReaches(
    admin,
    ns,
    'shared',
    (v) => v.status?.referencingWorkloads !== undefined,
    'first status',
  );
  const writesBefore = statusWrites();

  const started = performance.now();
  await runConcurrently(servers, 32, (i) =>
    admin.create(mcpServer.resource, workload('MCPServer', ns, `server-${i}`, 'shared')),
  );
  const created = performance.now() - started;
  await configReaches(
    admin,
    ns,
    'shared',
    (v) => v.status?.referencingWorkloads?.length === servers,
    'all references',
    120_000,
  );
  const complete = performance.now() - started;
  // Let stragglers land before counting.
  await sleep(1_000);
  const writes = statusWrites() - writesBefore;

  // Delete the config while referenced, then drop the references; the last one releases it.
  await admin.delete(mcpTelemetryConfig.resource, { namespace: ns, name: 'shared' });
  await configReaches(admin, ns, 'shared', (v) => v.metadata.deletionTimestamp !== undefined, 'deleting');
  await runConcurrently(servers - 1, 32, (i) =>
    admin.patch(mcpServer.resource, { namespace: ns, name: `server-${i}` }, 'merge', {
      spec: { telemetryConfigRef: null },
    }),
  );
  const lastRemoved = performance.now();
  await admin.patch(mcpServer.resource, { namespace: ns, name: `server-${servers - 1}` }, 'merge', {
    spec: { telemetryConfigRef: null },
  });
  await configGone(admin, ns, 'shared', 30_000);
  const release = performance.now() - lastRemoved;
  await manager.stop();

  console.log(`telemetry-controller bench: 1 MCPTelemetryConfig referenced by ${servers} MCPServers`);
  console.log(`  servers created in                    ${Math.round(created)} ms`);
  console.log(
    `  referencingWorkloads complete after   ${Math.round(complete)} ms (from the first create): ${(complete / created).toFixed(2)}x the create time (goal <= 1.2x)`,
  );
  console.log(`  status writes for the burst           ${writes} (not one per server)`);
  console.log(`  last reference removed -> config gone ${Math.round(release)} ms`);
} finally {
  await controlPlane.stop();
}
