// `pnpm bench` (issue 16): the whole system on one control plane. The five built controllers run as
// separate processes (test/controllers.ts: `dist/main.mjs`, leader election on with the e2e suite's
// short leases, shipped flags otherwise), testkit's workload simulator plays pods, proxy runners and
// vmcp runtimes in this process. A client without a rate limit then creates, 32 at a time as a big
// `kubectl apply` would, 100 MCPGroups, 1,000 MCPServers, 200 MCPServerEntries and 10 discovered
// VirtualMCPServers over 5 namespaces (plus a shared MCPTelemetryConfig and a CA ConfigMap per
// namespace; fleet.ts has the layout and the variants).
//
// Prints:
// - the create time, and the time until everything is settled (a watch-fed cache read every
//   BENCH_POLL_MS: groups Ready listing every member, telemetry configs Valid listing every reference, servers Ready with
//   the telemetry hash copied, entries Valid, vMCPs Ready with every member reported as a backend
//   by the runtime), from the start of the creates; their ratio (goal <= 1.3x); when each kind was
//   done, so the long pole shows; the bound this apiserver sets: the writes the end state needs (the
//   floor below plus the simulator's) at the rate the creates went;
// - per controller, its API writes until settled (rest_client_requests_total of /metrics, both its
//   clients) against a floor: the writes without which the end state cannot exist, i.e. one status
//   write per object it owns the status of, each object it generates created once (counted after
//   settling: Deployments, Services, ConfigMaps, Secrets, ServiceAccounts, Roles and RoleBindings
//   whose controller owner is an MCPServer or a VirtualMCPServer; the runner's StatefulSets and
//   Services are the simulator's), and the finalizer where it adds one (servers and telemetry
//   configs; groups, entries and vMCPs have none). Events count as writes, but are not in the
//   floor. Lease writes (the election client's, resource leases.coordination.k8s.io: a create, then
//   one renewal per retry period, 1 s with the e2e leases) are left out of both and shown apart;
//   each controller's writes and reads by verb and resource follow the table (a 404 after a verb is
//   the answer's code);
// - per controller, its reconciles until settled and the time spent in them (with the default one
//   worker, busy close to the settle time means that controller's queue was the bottleneck; the
//   client-side rate limit is spent inside reconciles, so it shows there too);
// - writes in BENCH_IDLE_MS of idle after settling (goal 0; leases apart as above);
// - VmRSS of each controller process idle (leading, before anything is created) and loaded (when
//   settled), and its peak (VmHWM at the end of the idle period).
// Figures, not a test: it exits non-zero only when something is broken (a controller exits, or the
// fleet does not settle within BENCH_DEADLINE_MS; the last poll's states per kind say what lagged).
//
// Env: BENCH_SCALE (default 1; 0.05 => 5 groups, 50 servers, 10 entries, 1 vMCP), BENCH_IDLE_MS
// (60000), BENCH_POLL_MS (250), BENCH_DEADLINE_MS (900000), BENCH_KUBE_API_QPS / BENCH_KUBE_API_BURST
// (every controller's --kube-api-qps / --kube-api-burst; default as shipped: no limit; the
// burst defaults to 1.5x a QPS given), BENCH_MAX_CONCURRENT_RECONCILES (every controller's
// --max-concurrent-reconciles; default as shipped: 4 for the server controller, 1 for the others),
// BENCH_SIMULATOR_CONCURRENCY (the simulator's workers, default 8), BENCH_KEEP_LOGS=1 (keep the controllers' and the simulator's logs
// after a run that settled; they are always kept after one that did not). Build first
// (`pnpm turbo run build`): the controllers run from dist.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatedCRDPaths, kinds } from '@mcp-controllers/api';
import { configMapResource, KubeClient, type ResourceRef } from '@mcp-controllers/core';
import {
  createNamespace,
  eventually,
  installCRDs,
  runConcurrently,
  startControlPlane,
  startWorkloadSimulator,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import {
  controllerNames,
  Controllers,
  simulatorFileLog,
  writeRequests,
  type ControllerName,
  type ControllerProcess,
} from '../test/controllers.js';
import { plan as planFleet, scaleOf } from './fleet.js';
import {
  floorOf,
  generatedBy,
  linesBetween,
  reconcilesOf,
  summarise,
  table,
  requestLines,
  type Row,
  type RequestLines,
} from './measure.js';
import { generatedObjects, memory } from './probes.js';
import { waitSettled, type SettleKind } from './settle.js';

const factor = Number(process.env.BENCH_SCALE ?? 1);
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 60_000);
const pollMs = Number(process.env.BENCH_POLL_MS ?? 250);
const deadlineMs = Number(process.env.BENCH_DEADLINE_MS ?? 900_000);
const qps = process.env.BENCH_KUBE_API_QPS;
const burst =
  process.env.BENCH_KUBE_API_BURST ??
  (qps === undefined ? undefined : String(Math.max(1, Math.ceil(Number(qps) * 1.5))));
const simulatorConcurrency = Number(process.env.BENCH_SIMULATOR_CONCURRENCY ?? 8);
const workers = process.env.BENCH_MAX_CONCURRENT_RECONCILES;
const controllerArgs = [
  ...(workers === undefined ? [] : [`--max-concurrent-reconciles=${workers}`]),
  ...(qps === undefined ? [] : [`--kube-api-qps=${qps}`]),
  ...(burst === undefined ? [] : [`--kube-api-burst=${burst}`]),
];

const kindOf: Record<ControllerName, SettleKind> = {
  group: 'MCPGroup',
  telemetry: 'MCPTelemetryConfig',
  entry: 'MCPServerEntry',
  server: 'MCPServer',
  vmcp: 'VirtualMCPServer',
};
const scale = scaleOf(factor);
// Every server has two ClusterIP Services (the proxy's and the runner's `mcp-<name>`): more than the
// default /24 range of the local apiserver holds.
const controlPlane = await startControlPlane({ apiServerFlags: ['--service-cluster-ip-range=10.0.0.0/16'] });
const logDir = await mkdtemp(join(tmpdir(), 'mcp-bench-'));
const controllers = new Controllers(controlPlane.kubeconfigPath, logDir);
const admin = new KubeClient(controlPlane.kubeConfig, { qps: 0, userAgent: 'mcp-bench' });
let keepLogs = process.env.BENCH_KEEP_LOGS === '1';
let simulator: WorkloadSimulator | undefined;
try {
  const kc = controlPlane.kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  const namespaces: string[] = [];
  for (let i = 0; i < scale.namespaces; i++) namespaces.push(await createNamespace(kc, 'bench'));
  const fleet = planFleet(scale, namespaces);
  simulator = await startWorkloadSimulator({
    kubeConfig: kc,
    namespaces,
    concurrency: simulatorConcurrency,
    log: simulatorFileLog(join(logDir, 'simulator.log')),
  });

  const running = new Map<ControllerName, ControllerProcess>();
  await Promise.all(
    controllerNames.map(async (name) => {
      const c = await controllers.start(name, controllerArgs);
      await eventually(() => c.isLeader().then((leader) => leader || undefined), {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: `the ${name} controller leading`,
      });
      running.set(name, c);
    }),
  );
  const each = async <T>(f: (c: ControllerProcess) => Promise<T>) =>
    new Map(await Promise.all(controllerNames.map(async (n) => [n, await f(running.get(n)!)] as const)));
  const metricLines = () => each(async (c) => requestLines(await c.metrics()));
  const reconciles = () => each(async (c) => reconcilesOf(await c.metrics()));
  const idleMemory = await each(memory);

  // 1. Create, as fast as a user's apply.
  const resources = new Map<string, ResourceRef>([
    ...kinds.map((k) => [k.kind, k.resource] as const),
    ['ConfigMap', configMapResource],
  ]);
  const startedAt = performance.now();
  await runConcurrently(fleet.objects.length, 32, (i) => {
    const obj = fleet.objects[i]!;
    return admin.create(resources.get(obj.kind)!, obj);
  });
  const createMs = performance.now() - startedAt;

  // 2. Settled.
  const settled = await waitSettled(admin, fleet, {
    startedAt,
    pollMs,
    deadlineMs,
    unexpectedExits: () => controllers.unexpectedExits(),
  });
  const settleLines = await metricLines();
  const settleReconciles = await reconciles();
  const loadedMemory = await each(memory);
  const settledStats = simulator.stats();

  // 3. The floor, from what was generated.
  const lists = await generatedObjects(admin, namespaces);
  const generated = { server: generatedBy(lists, 'MCPServer'), vmcp: generatedBy(lists, 'VirtualMCPServer') };
  const floor = floorOf(scale, namespaces.length, generated);

  // 4. Idle: a measuring window, nothing to wait for (skipped when the fleet never settled).
  if (settled.allMs !== undefined) await sleep(idleMs);
  const idleLines = await metricLines();
  const peakMemory = await each(memory);
  const exits = controllers.unexpectedExits();
  const finalStats = simulator.stats();

  const rows: Row[] = controllerNames.map((name) => {
    const kind = kindOf[name];
    const atSettle: RequestLines = settleLines.get(name) ?? new Map<string, number>();
    return {
      controller: name,
      kind,
      count: fleet.objects.filter((o) => o.kind === kind).length,
      settledMs: settled.kindMs.get(kind),
      writes: summarise(atSettle),
      floor: floor[name],
      reconciles: settleReconciles.get(name) ?? { count: 0, seconds: 0 },
      idle: summarise(
        settled.allMs === undefined
          ? new Map<string, number>()
          : linesBetween(atSettle, idleLines.get(name) ?? new Map<string, number>()),
      ),
      memory: {
        idle: idleMemory.get(name),
        loaded: loadedMemory.get(name) && {
          rss: loadedMemory.get(name)!.rss,
          hwm: peakMemory.get(name)?.hwm ?? loadedMemory.get(name)!.hwm,
        },
      },
    };
  });

  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const longPole = [...settled.kindMs].sort((a, b) => b[1] - a[1])[0];
  const settledMs = settled.allMs;
  const perObject = (m: Map<string, number>, n: number) =>
    [...m].map(([kind, count]) => `${kind} ${(count / n).toFixed(2)}`).join(', ');
  console.log(
    `whole-system bench: ${scale.groups} MCPGroups, ${scale.servers} MCPServers, ${scale.entries} MCPServerEntries, ${scale.vmcps} VirtualMCPServers, ${namespaces.length} MCPTelemetryConfigs over ${namespaces.length} namespaces (BENCH_SCALE=${factor}; controllers' --kube-api-qps=${qps === undefined ? '0 (no limit), as shipped' : `${qps} --kube-api-burst=${burst ?? ''}`}; --max-concurrent-reconciles=${workers ?? 'as shipped (server 4, others 1)'}; simulator workers ${simulatorConcurrency})`,
  );
  console.log(
    `  created ${fleet.objects.length} objects in   ${s(createMs)} (32 at a time, no client rate limit)`,
  );
  if (settledMs === undefined) {
    console.log(
      `BROKEN not settled within ${s(deadlineMs)} (BENCH_DEADLINE_MS; ${settled.polls} polls): writes, reconciles and memory below are at the deadline, no idle period`,
    );
  } else {
    console.log(
      `${settledMs <= createMs * 1.3 ? 'PASS' : 'MISS'} everything settled after ${s(settledMs)}: ${(settledMs / createMs).toFixed(2)}x the create time (goal <= 1.3x; polled every ${pollMs} ms, ${settled.polls} polls)`,
    );
  }
  if (settledMs !== undefined) {
    // What this apiserver allows at best: the writes the end state needs, at the rate it took the
    // creates (32 at a time). The goal cannot be met below this bound on this machine.
    const floorWrites = controllerNames.reduce((a, n) => a + floor[n], 0);
    const simulatorWrites = settledStats.writes + settledStats.vmcp.writes;
    const boundMs = ((floorWrites + simulatorWrites) / fleet.objects.length) * createMs;
    console.log(
      `  bound: settling needs ${floorWrites + simulatorWrites} writes (the controllers' floor ${floorWrites}, the simulator's ${simulatorWrites}); at the create rate (${((fleet.objects.length / createMs) * 1000).toFixed(0)}/s) they alone take ${s(boundMs)}, ${(boundMs / createMs).toFixed(1)}x the create time; settled in ${(settledMs / boundMs).toFixed(2)}x that`,
    );
  }
  for (const [kind, ms] of [...settled.kindMs].sort((a, b) => a[1] - b[1])) {
    const pole = settledMs !== undefined && kind === longPole?.[0];
    console.log(`    ${kind.padEnd(18)} done at ${s(ms)}${pole ? '  <- long pole' : ''}`);
  }
  for (const line of settled.lastPoll) {
    if (!settled.kindMs.has(line.slice(0, line.indexOf(':')) as SettleKind))
      console.log(`    not done: ${line}`);
  }
  console.log(
    `  generated per MCPServer: ${perObject(generated.server, scale.servers)}; per VirtualMCPServer: ${perObject(generated.vmcp, scale.vmcps)}`,
  );
  console.log(
    `  simulator: ${finalStats.writes} Deployment-side writes, ${finalStats.vmcp.writes} vMCP status writes (${settledStats.writes} and ${settledStats.vmcp.writes} when settled)`,
  );
  const idleTotal = rows.reduce((a, r) => a + r.idle.writes, 0);
  if (settledMs !== undefined) {
    console.log(
      `${idleTotal === 0 ? 'PASS' : 'MISS'} writes in ${idleMs / 1000} s idle: ${idleTotal} (goal 0; Lease renewals apart)`,
    );
  }
  console.log('');
  console.log(table(rows, settledMs === undefined ? 0 : idleMs));
  console.log(
    '  (writes: until settled, Lease writes left out, Events in; leases: Lease writes until settled + in the idle period; reconciles and busy (time spent in them): until settled; RSS loaded: when settled; peak: VmHWM after the idle period)',
  );
  for (const r of rows) {
    const total = writeRequests(await running.get(r.controller)!.metrics());
    console.log(
      `  ${r.controller}: ${r.writes.lines.join(', ')}${r.writes.events > 0 ? ` (${r.writes.events} Events)` : ''}${r.writes.failed > 0 ? ` (${r.writes.failed} failed)` : ''}; ${r.writes.reads} reads until settled; ${total} writes with leases by the end`,
    );
    console.log(`    reads: ${r.writes.readLines.join(', ')}`);
    if (r.idle.lines.length > 0) console.log(`    idle: ${r.idle.lines.join(', ')}`);
  }
  if (settledMs === undefined) {
    keepLogs = true;
    process.exitCode = 1;
  }
  if (exits.length > 0) {
    keepLogs = true;
    console.log(`unexpected exits:\n${exits.join('\n')}`);
    process.exitCode = 1;
  }
} catch (err) {
  keepLogs = true;
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await simulator?.stop();
  await controllers.stopAll();
  await admin.close();
  await controlPlane.stop();
  if (keepLogs) console.log(`logs in ${logDir}`);
  else await rm(logDir, { recursive: true, force: true });
}
