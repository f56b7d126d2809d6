// `pnpm bench`: 1,000 MCPServers spread over 100 MCPGroups, created at once against a real
// apiserver, with the real group controller running in this process. Prints: time until every
// group's status is correct, status write attempts spent (409s included; floor: one per group),
// writes during 30 s of idle. The servers are created by an unthrottled client.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { mcpGroup, mcpServer, generatedCRDPaths } from '@mcp-controllers/api';
import { KubeClient, type KubeList, type KubeObject } from '@mcp-controllers/core';
import {
  controllerSettles,
  createNamespace,
  installCRDs,
  printFootprint,
  runConcurrently,
  startControlPlane,
} from '@mcp-controllers/testkit';
import { groupObject, member, startGroupController } from '../test/harness.js';

const groups = 100;
const servers = 1_000;
const perGroup = servers / groups;
const idleMs = 30_000;

const controlPlane = await startControlPlane();
try {
  const kc = controlPlane.kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  // The shipped binary's idle RSS and time to ready, on a cluster with the CRDs and nothing else.
  await printFootprint(
    'mcp-group-controller',
    fileURLToPath(new URL('../dist/main.mjs', import.meta.url)),
    controlPlane.kubeconfigPath,
  );
  // The load generator is not rate-limited: the burst must arrive as fast as the apiserver takes it.
  const admin = new KubeClient(kc, { qps: 0 });
  const ns = await createNamespace(kc, 'bench');
  for (let g = 0; g < groups; g++) await admin.create(mcpGroup.resource, groupObject(ns, `group-${g}`));

  // The controller's client has no rate limit, as shipped, unless BENCH_KUBE_API_QPS sets one.
  const qps = process.env.BENCH_KUBE_API_QPS;
  const manager = await startGroupController(kc, [
    '--log-level=error',
    ...(qps === undefined ? [] : [`--kube-api-qps=${qps}`]),
  ]);
  const conflicts = () =>
    manager.client.tally.count({
      verb: 'patch',
      resource: 'mcpgroups.toolhive.stacklok.dev/status',
      code: 409,
    });
  const patches = () =>
    manager.client.tally.count({ verb: 'patch', resource: 'mcpgroups.toolhive.stacklok.dev/status' });
  type GroupView = KubeObject & { status?: { serverCount?: number; phase?: string } };
  const cacheShows = (expected: number) =>
    controllerSettles(manager, () => {
      const cached = manager.cache.store<GroupView>(mcpGroup.resource).list(ns);
      return cached.length === groups && cached.every((g) => g.status?.serverCount === expected);
    });
  const countsOk = async (expected: number) => {
    const list = await admin.list<KubeList<GroupView>>(mcpGroup.resource, ns);
    return (
      list.items.length === groups &&
      list.items.every((g) => g.status?.phase === 'Ready' && g.status.serverCount === expected)
    );
  };
  while (!(await countsOk(0))) await sleep(50);
  await cacheShows(0);
  const emptyGroupWrites = patches();

  // Create every server "at once": 32 requests in flight, as a kubectl apply of a big file would.
  const started = performance.now();
  await runConcurrently(servers, 32, (i) =>
    admin.create(mcpServer.resource, member('MCPServer', ns, `server-${i}`, `group-${i % groups}`)),
  );
  const created = performance.now() - started;
  while (!(await countsOk(perGroup))) await sleep(50);
  const converged = performance.now() - started;
  // Count the burst's writes (409s from stale-cache reconciles included) once the controller is done.
  await cacheShows(perGroup);
  const writes = patches() - emptyGroupWrites;
  const burstConflicts = conflicts();

  const beforeIdle = patches();
  await sleep(idleMs);
  const idleWrites = patches() - beforeIdle;
  await manager.stop();

  console.log(`group-controller bench: ${servers} MCPServers over ${groups} MCPGroups`);
  console.log(`  servers created in            ${Math.round(created)} ms`);
  console.log(`  every group correct after     ${Math.round(converged)} ms (from the first create)`);
  console.log(`  controller client             --kube-api-qps=${qps ?? '0 (no limit), the default'}`);
  console.log(
    `  status writes for the burst   ${writes} (floor ${groups}: one per group; ${(writes / groups).toFixed(2)}x; 409s ${burstConflicts})`,
  );
  console.log(`  correct / created             ${(converged / created).toFixed(2)}x`);
  console.log(`  status writes, empty groups   ${emptyGroupWrites} (before the burst)`);
  console.log(`  status writes in ${idleMs / 1000} s idle     ${idleWrites} (goal 0)`);
} finally {
  await controlPlane.stop();
}
