// `pnpm bench`: 300 MCPServers in one namespace, all referencing one MCPTelemetryConfig, created at
// once against a real apiserver with the real server controller in this process and testkit's
// workload simulator playing the kubelet and the proxy runner. Prints: time until every server is
// Ready against the create time, API writes per server against the floor, writes during 30 s of
// idle, then the writes one edit of the shared MCPTelemetryConfig costs.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generatedCRDPaths, mcpServer, mcpTelemetryConfig } from '@mcp-controllers/api';
import { KubeClient, type KubeList, type KubeObject } from '@mcp-controllers/core';
import {
  createNamespace,
  installCRDs,
  printFootprint,
  runConcurrently,
  startControlPlane,
  startWorkloadSimulator,
} from '@mcp-controllers/testkit';
import {
  setConfigHash,
  startServerController,
  telemetryConfig,
  yardstick,
  type ServerView,
} from '../test/harness.js';

const servers = Number(process.env.BENCH_SERVERS ?? 300);
const idleMs = 30_000;
// Per server: 7 creates (runner ServiceAccount, Role, RoleBinding, the MCP ServiceAccount, RunConfig
// ConfigMap, Deployment, Service), the finalizer, and a status write per phase (Pending, then Ready).
const floorPerServer = 7 + 1 + 2;
// Per server after a telemetry edit: the RunConfig, the Deployment (new checksum), one status write.
const editFloorPerServer = 3;

// Two ClusterIP Services per server (the proxy's, and the runner's `mcp-<n>`): more than the default
// /24 service range of the local apiserver holds.
const controlPlane = await startControlPlane({ apiServerFlags: ['--service-cluster-ip-range=10.0.0.0/16'] });
try {
  const kc = controlPlane.kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  await printFootprint(
    'mcp-server-controller',
    fileURLToPath(new URL('../dist/main.mjs', import.meta.url)),
    controlPlane.kubeconfigPath,
  );
  const admin = new KubeClient(kc, { qps: 0 });
  const ns = await createNamespace(kc, 'bench');
  await telemetryConfig(admin, ns, 'shared', {
    openTelemetry: {
      enabled: true,
      endpoint: 'collector:4318',
      tracing: { enabled: true, samplingRate: '0.1' },
    },
  });
  const simulator = await startWorkloadSimulator({ kubeConfig: kc, namespaces: [ns] });
  // The controller's client has no rate limit, as shipped, unless BENCH_KUBE_API_QPS sets one.
  // BENCH_MAX_CONCURRENT_RECONCILES: workers.
  const qps = process.env.BENCH_KUBE_API_QPS;
  const workers = process.env.BENCH_MAX_CONCURRENT_RECONCILES;
  const manager = await startServerController(kc, [
    '--log-level=error',
    ...(qps === undefined ? [] : [`--kube-api-qps=${qps}`]),
    ...(workers === undefined ? [] : [`--max-concurrent-reconciles=${workers}`]),
  ]);
  const writes = () => manager.client.tally.writes();
  const byResource = () =>
    manager.client.tally
      .entries()
      .filter((e) => ['create', 'update', 'patch', 'delete'].includes(e.verb))
      .map((e) => `${e.verb} ${e.resource}: ${e.count}`)
      .sort();

  const started = performance.now();
  await runConcurrently(servers, 32, (i) =>
    admin.create(
      mcpServer.resource,
      yardstick(ns, `server-${i}`, { telemetryConfigRef: { name: 'shared' } }),
    ),
  );
  const created = performance.now() - started;
  const list = () => admin.list<KubeList<KubeObject & ServerView>>(mcpServer.resource, ns);
  const allReady = async (accept: (s: ServerView) => boolean = () => true) => {
    const items = (await list()).items;
    return items.length === servers && items.every((s) => s.status?.phase === 'Ready' && accept(s));
  };
  while (!(await allReady())) await sleep(200);
  const ready = performance.now() - started;
  const createWrites = writes();
  const createBreakdown = byResource();
  await sleep(idleMs);
  const idleWrites = writes() - createWrites;

  // One edit of the shared config, and the new hash its controller would publish.
  const beforeEdit = writes();
  const editStarted = performance.now();
  await admin.patch(mcpTelemetryConfig.resource, { namespace: ns, name: 'shared' }, 'merge', {
    spec: { openTelemetry: { tracing: { samplingRate: '0.5' } } },
  });
  await setConfigHash(admin, ns, 'shared', 'hash-2');
  while (!(await allReady((s) => s.status?.telemetryConfigHash === 'hash-2'))) await sleep(200);
  const editSettled = performance.now() - editStarted;
  // Let the rollouts finish before counting: pods are replaced, phases may move.
  await sleep(5_000);
  const editWrites = writes() - beforeEdit;
  await manager.stop();
  await simulator.stop();

  console.log(
    `server-controller bench: ${servers} MCPServers sharing one MCPTelemetryConfig (--kube-api-qps=${qps ?? '0 (no limit), the default'}, --max-concurrent-reconciles=${workers ?? '1, the default'})`,
  );
  console.log(`  servers created in            ${Math.round(created)} ms`);
  console.log(
    `  all Ready after               ${Math.round(ready)} ms: ${(ready / created).toFixed(2)}x the create time (goal <= 1.2x)`,
  );
  console.log(
    `  API writes                    ${createWrites}: ${(createWrites / servers).toFixed(2)} per server (floor ${floorPerServer}: ${(createWrites / (servers * floorPerServer)).toFixed(2)}x)`,
  );
  for (const line of createBreakdown) console.log(`    ${line}`);
  console.log(`  writes in ${idleMs / 1000} s idle          ${idleWrites} (goal 0)`);
  console.log(
    `  one telemetry edit: ${editWrites} writes, ${(editWrites / servers).toFixed(2)} per server (floor ${editFloorPerServer}: ${(editWrites / (servers * editFloorPerServer)).toFixed(2)}x), all hashes copied after ${Math.round(editSettled)} ms`,
  );
} finally {
  await controlPlane.stop();
}
