// `pnpm bench`: 1,000 MCPServerEntries in one group, each naming its own CA bundle ConfigMap and
// header Secret (1,000 of each, cached first), created at once against a real apiserver with the real
// entry controller in this process. Prints: time until every entry is Valid against the create time,
// status writes (floor: one per entry), heap per cached Secret (values are not held), and writes
// during 30 s of idle. Needs --expose-gc (the package's bench script passes it).
import { setTimeout as sleep } from 'node:timers/promises';
import { mcpServerEntry, generatedCRDPaths } from '@mcp-controllers/api';
import {
  configMapResource,
  KubeClient,
  secretResource,
  type KubeList,
  type KubeObject,
} from '@mcp-controllers/core';
import { fileURLToPath } from 'node:url';
import {
  createNamespace,
  installCRDs,
  printFootprint,
  runConcurrently,
  startControlPlane,
} from '@mcp-controllers/testkit';
import { entry, groupWithPhase, startEntryController, type EntryView } from '../test/harness.js';

const entries = 1_000;
const idleMs = 30_000;
// Big enough that holding the values would show: 4 KiB per Secret and per CA bundle.
const secretValue = 'v'.repeat(4096);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (pnpm bench does)');
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const controlPlane = await startControlPlane();
try {
  const kc = controlPlane.kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  // The shipped binary's idle RSS and time to ready, on a cluster with the CRDs and nothing else.
  await printFootprint(
    'mcp-entry-controller',
    fileURLToPath(new URL('../dist/main.mjs', import.meta.url)),
    controlPlane.kubeconfigPath,
  );
  const admin = new KubeClient(kc, { qps: 0 });
  const ns = await createNamespace(kc, 'bench');
  await groupWithPhase(admin, ns, 'catalog', 'Ready');
  // The controller's client has no rate limit, as shipped, unless BENCH_KUBE_API_QPS sets one (20: 1,000
  // status writes take ~50 s).
  const qps = process.env.BENCH_KUBE_API_QPS;
  // BENCH_MAX_CONCURRENT_RECONCILES: workers (default 1, as shipped).
  const workers = process.env.BENCH_MAX_CONCURRENT_RECONCILES;
  const manager = await startEntryController(kc, [
    '--log-level=error',
    ...(qps === undefined ? [] : [`--kube-api-qps=${qps}`]),
    ...(workers === undefined ? [] : [`--max-concurrent-reconciles=${workers}`]),
  ]);
  const secrets = manager.cache.store(secretResource);
  const configMaps = manager.cache.store(configMapResource);
  const heapBefore = heapUsed();
  await runConcurrently(entries, 32, async (i) => {
    await admin.create(secretResource, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `key-${i}`, namespace: ns },
      stringData: { token: secretValue },
    });
    await admin.create(configMapResource, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `ca-${i}`, namespace: ns },
      data: { 'ca.crt': secretValue },
    });
  });
  while (secrets.list(ns).length < entries || configMaps.list(ns).length < entries) await sleep(50);
  const perObject = (heapUsed() - heapBefore) / (2 * entries);
  const valuesHeld = JSON.stringify([...secrets.list(ns), ...configMaps.list(ns)]).includes(secretValue);

  const statusWrites = () =>
    manager.client.tally.count({ verb: 'patch', resource: 'mcpserverentries.toolhive.stacklok.dev/status' });
  const started = performance.now();
  await runConcurrently(entries, 32, (i) =>
    admin.create(
      mcpServerEntry.resource,
      entry(ns, `entry-${i}`, {
        remoteUrl: `https://mcp-${i}.example.com/mcp`,
        groupRef: { name: 'catalog' },
        caBundleRef: { configMapRef: { name: `ca-${i}`, key: 'ca.crt' } },
        headerForward: {
          addHeadersFromSecret: [
            { headerName: 'X-API-Key', valueSecretRef: { name: `key-${i}`, key: 'token' } },
          ],
        },
      }),
    ),
  );
  const created = performance.now() - started;
  const allValid = async () => {
    const list = await admin.list<KubeList<KubeObject & EntryView>>(mcpServerEntry.resource, ns);
    return list.items.length === entries && list.items.every((e) => e.status?.phase === 'Valid');
  };
  while (!(await allValid())) await sleep(100);
  const valid = performance.now() - started;
  const writes = statusWrites();
  await sleep(idleMs);
  const idleWrites = statusWrites() - writes;
  await manager.stop();

  console.log(
    `entry-controller bench: ${entries} MCPServerEntries, each with its own CA ConfigMap and header Secret (--kube-api-qps=${qps ?? '0 (no limit), the default'}, --max-concurrent-reconciles=${workers ?? '1, the default'})`,
  );
  console.log(`  entries created in                 ${Math.round(created)} ms`);
  console.log(
    `  all Valid after                    ${Math.round(valid)} ms: ${(valid / created).toFixed(2)}x the create time (goal <= 1.2x)`,
  );
  console.log(
    `  status writes                      ${writes} (floor ${entries}: ${(writes / entries).toFixed(2)}x)`,
  );
  console.log(
    `  heap per cached Secret/ConfigMap   ${Math.round(perObject)} bytes (each holds a ${secretValue.length}-byte value; values held: ${valuesHeld ? 'YES' : 'no'})`,
  );
  console.log(`  writes in ${idleMs / 1000} s idle               ${idleWrites} (goal 0)`);
} finally {
  await controlPlane.stop();
}
