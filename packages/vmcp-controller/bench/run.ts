// `pnpm bench` (issue 15): one VirtualMCPServer in inline mode over a group `team` of 1,000 members
// (600 MCPServers and 200 MCPRemoteProxies with a status.url and phase Ready, 200 MCPServerEntries in
// phase Valid, their status written as their controllers would) against a real apiserver, with the
// real vMCP controller in this process and testkit's workload simulator playing the kubelet and the
// vmcp runtime. Prints: the time to the first config.yaml with every backend and to Ready; the writes
// of 30 s of idle (goal 0); for a few single-member changes the time until a watch sees the new
// config.yaml and the Deployment's new checksum (and when the controller's writes were answered),
// and the writes each change costs (goal: one ConfigMap write and one Deployment write, under 1 s);
// the cost of a reconcile that writes nothing; the pure cost of building and rendering config.yaml
// for 1,000 backends; memory. Figures, not a test: it exits non-zero only when something is broken
// (the controller never converges, a config.yaml lacks what a change should have put there).
// Everything but the apiserver and etcd shares this process and its event loop, so the times
// include the simulator's and the watches' work: on a loaded machine they grow.
//
// Env: BENCH_IDLE_MS (idle period, default 30000), BENCH_CHANGES (default 5), BENCH_RENDER_RUNS
// (default 50), BENCH_KUBE_API_QPS (the controller's --kube-api-qps; default: as shipped, no limit),
// BENCH_TIMELINE=1 (also print every request of the controller, by when its answer came, and what
// each new version of the vMCP's status changed), BENCH_VMCP_RUNTIME=absent (see below).
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  contentChecksumAnnotation,
  generatedCRDPaths,
  mcpRemoteProxy,
  mcpServer,
  mcpGroup,
  virtualMCPServer,
} from '@mcp-controllers/api';
import { configMapResource, deploymentResource, KubeClient, type KubeObject } from '@mcp-controllers/core';
import {
  createNamespace,
  eventually,
  installCRDs,
  printFootprint,
  runConcurrently,
  setStatus,
  startControlPlane,
  startWorkloadSimulator,
} from '@mcp-controllers/testkit';
import { vmcpConfigKey } from '../src/config.js';
import { vmcpNames } from '../src/names.js';
import { configChecksumAnnotation } from '../src/workload.js';
import {
  entry,
  groupWith,
  remoteProxy,
  server,
  setEntryPhase,
  startVmcpController,
  vmcp,
  vmcpReaches,
} from '../test/harness.js';
import {
  backendsIn,
  checkBackendScan,
  median,
  reconcileStats,
  snapshot,
  writesBetween,
  type ReconcileStats,
  type WriteBreakdown,
} from './measure.js';
import { statusChanges, vmcpRequestCost, type VmcpObject } from './diagnostics.js';
import { memberNames, renderCost, type GroupShape } from './render.js';
import { ObjectWatch } from './watch.js';

const shape: GroupShape = { servers: 600, remoteProxies: 200, entries: 200 };
const total = shape.servers + shape.remoteProxies + shape.entries;
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const changeCount = Number(process.env.BENCH_CHANGES ?? 5);
const renderRuns = Number(process.env.BENCH_RENDER_RUNS ?? 50);
const qps = process.env.BENCH_KUBE_API_QPS;
const verbose = process.env.BENCH_TIMELINE === '1';
const runtimeAbsent = process.env.BENCH_VMCP_RUNTIME === 'absent';
const controllerName = 'virtualmcpserver';
const vmcpName = 'hub';
const names = vmcpNames(vmcpName);

type ConfigMap = KubeObject & { data?: Record<string, string> };
type Deployment = KubeObject & {
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
  };
};

const ms = (value: number) => `${Math.round(value)} ms`;
const yamlOf = (cm: ConfigMap) => cm.data?.[vmcpConfigKey] ?? '';
const podChecksum = (d: Deployment) => d.spec?.template?.metadata?.annotations?.[configChecksumAnnotation];
const since = (a: ReconcileStats, b: ReconcileStats) => ({
  count: b.count - a.count,
  meanMs: b.count > a.count ? ((b.seconds - a.seconds) * 1000) / (b.count - a.count) : 0,
});

const controlPlane = await startControlPlane();
try {
  const kc = controlPlane.kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  const main = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));
  if (existsSync(main)) await printFootprint('mcp-vmcp-controller', main, controlPlane.kubeconfigPath);
  else console.log(`(no footprint: ${main} is missing, run pnpm build first)`);
  const admin = new KubeClient(kc, { qps: 0 });
  const ns = await createNamespace(kc, 'bench');

  // The group: members first, with the status their controllers would write, then the MCPGroup.
  const member = memberNames(shape);
  const membersStarted = performance.now();
  await runConcurrently(total, 32, (i) => {
    if (i < shape.servers) return server(admin, ns, member.servers[i] ?? '', 'streamable-http');
    const j = i - shape.servers;
    if (j < shape.remoteProxies) return remoteProxy(admin, ns, member.remoteProxies[j] ?? '');
    return entry(admin, ns, member.entries[j - shape.remoteProxies] ?? '', {});
  });
  await groupWith(admin, ns, 'team', { phase: 'Ready', ...member });
  const membersMs = performance.now() - membersStarted;

  const simulator = await startWorkloadSimulator({ kubeConfig: kc, namespaces: [ns] });
  const controllerStarted = performance.now();
  const manager = await startVmcpController(kc, [
    '--log-level=error',
    ...(qps === undefined ? [] : [`--kube-api-qps=${qps}`]),
  ]);
  await eventually(() => (manager.notReady().length === 0 ? true : undefined), {
    timeoutMs: 60_000,
    what: 'caches of the controller synced',
  });
  const startMs = performance.now() - controllerStarted;
  const configMaps = await ObjectWatch.start<ConfigMap>(admin, configMapResource, ns, names.configMap);
  const deployments = await ObjectWatch.start<Deployment>(admin, deploymentResource, ns, names.deployment);
  // Only with BENCH_TIMELINE=1: each version carries 1,000 discoveredBackends, a load of its own.
  const vmcps = verbose
    ? await ObjectWatch.start<VmcpObject>(admin, virtualMCPServer.resource, ns, vmcpName)
    : undefined;
  /** What each new version of the vMCP changed in its status (verbose output: who writes what). */
  const statusSteps = (from: number) => {
    const all = vmcps?.since(0) ?? [];
    return all
      .map((seen, i) => ({ seen, changed: statusChanges(all[i - 1]?.object, seen.object) }))
      .filter(({ seen, changed }) => seen.at >= from && changed.length > 0)
      .map(({ seen, changed }) => `+${Math.round(seen.at - from)} ${changed.join(' ')}`)
      .join('; ');
  };
  const writes = () => snapshot(manager.client.tally);
  // Every request of the controller, stamped when its answer came: the timeline of a step.
  const requests: { at: number; verb: string; resource: string; code: number }[] = [];
  manager.client.tally.onRequest((r) => requests.push({ ...r, at: performance.now() }));
  const writtenAt = (from: number, resource: string) =>
    requests.find((r) => r.at >= from && r.resource === resource && r.verb === 'patch')?.at ?? Number.NaN;
  const timeline = (from: number, to = performance.now()) =>
    requests
      .filter((r) => r.at >= from && r.at <= to)
      .map(
        (r) =>
          `+${Math.round(r.at - from)} ${r.verb} ${r.resource.replace('.toolhive.stacklok.dev', '')}${r.code >= 300 ? `->${r.code}` : ''}`,
      )
      .join(', ');
  const reconciles = () => reconcileStats(manager, controllerName);

  /**
   * The rollout finished (pods of the current template ready), nobody has work queued, and neither
   * the controller nor the simulator wrote anything for `quietMs`: what follows is the next step's.
   */
  const settle = async (what: string, quietMs = 1_000) => {
    let last = '';
    let quietSince = performance.now();
    await eventually(
      async () => {
        const d = await admin.get<Deployment>(deploymentResource, { namespace: ns, name: names.deployment });
        const want = d.spec?.replicas ?? 1;
        const s = d.status ?? {};
        const rolledOut =
          s.observedGeneration === d.metadata.generation &&
          s.updatedReplicas === want &&
          s.readyReplicas === want &&
          s.replicas === want;
        const stats = simulator.stats();
        const now = JSON.stringify([manager.client.tally.writes(), stats.writes, stats.vmcp.writes]);
        if (now !== last || !rolledOut || !simulator.idle() || !manager.controller.queue.idle()) {
          last = now;
          quietSince = performance.now();
          return undefined;
        }
        return performance.now() - quietSince >= quietMs ? true : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: `${what}: rollout finished and no writes for ${quietMs} ms`,
      },
    );
  };

  // 1. The vMCP over 1,000 members: first full config.yaml, Ready.
  const createWrites = writes();
  const createReconciles = await reconciles();
  const created = performance.now();
  await admin.create(virtualMCPServer.resource, vmcp(ns, vmcpName, { outgoingAuth: { source: 'inline' } }));
  const full = await configMaps.next(
    created,
    (cm) => backendsIn(yamlOf(cm)).size === total,
    `config.yaml with ${total} backends`,
    120_000,
  );
  checkBackendScan(yamlOf(full.object));
  await vmcpReaches(admin, ns, vmcpName, (v) => v.status?.phase === 'Ready', 'Ready', 120_000);
  const readyMs = performance.now() - created;
  await settle('first rollout');
  const convergence = {
    configMs: full.at - created,
    configVersions: configMaps.since(created).length,
    yamlBytes: Buffer.byteLength(yamlOf(full.object)),
    writes: writesBetween(createWrites, writes()),
    reconciles: since(createReconciles, await reconciles()),
    timeline: timeline(created),
    statusSteps: statusSteps(created),
  };

  // The simulated vmcp runtime lists every member of the namespace on each event it sees, in this
  // process: BENCH_VMCP_RUNTIME=absent stops it after the first rollout, to time the controller alone.
  if (runtimeAbsent) simulator.setVmcpRuntime(ns, vmcpName, 'absent');

  // 2. Idle: nothing changes, nothing may be written.
  const idleWrites = writes();
  const idleReconciles = await reconciles();
  await sleep(idleMs);
  const idle = {
    writes: writesBetween(idleWrites, writes()),
    reconciles: since(idleReconciles, await reconciles()),
  };

  // 3. Single-member changes, each timed to the new config.yaml and to the Deployment's new checksum.
  let failedEntries = 0;
  const changes: {
    what: string;
    configMs: number;
    deploymentMs: number;
    writes: WriteBreakdown;
    reconciles: { count: number; meanMs: number };
    /** When the controller's write was answered (the watch times above add the event's delivery). */
    configWrittenMs: number;
    deploymentWrittenMs: number;
    timeline: string;
    statusSteps: string;
  }[] = [];
  for (let i = 0; i < changeCount; i++) {
    const kind = i % 3;
    const target =
      kind === 0
        ? (member.entries[i] ?? '')
        : kind === 1
          ? (member.servers[i] ?? '')
          : (member.remoteProxies[i] ?? '');
    const newUrl = `http://${target}.moved.${ns}.svc.cluster.local:9090`;
    const what =
      kind === 0
        ? `MCPServerEntry ${target} turns Failed`
        : `${kind === 1 ? 'MCPServer' : 'MCPRemoteProxy'} ${target} gets a new status.url`;
    if (kind === 0) failedEntries++;
    const expect = (backends: Map<string, string>) =>
      backends.size === total - failedEntries &&
      (kind === 0 ? !backends.has(target) : backends.get(target) === newUrl);
    const before = writes();
    const beforeReconciles = await reconciles();
    const started = performance.now();
    if (kind === 0) await setEntryPhase(admin, ns, target, 'Failed');
    else {
      const resource = kind === 1 ? mcpServer.resource : mcpRemoteProxy.resource;
      await setStatus(admin, resource, { namespace: ns, name: target }, { url: newUrl });
    }
    const config = await configMaps.next(started, (cm) => expect(backendsIn(yamlOf(cm))), what, 15_000);
    const checksum = config.object.metadata.annotations?.[contentChecksumAnnotation];
    const rolled = await deployments.next(
      started,
      (d) => checksum !== undefined && podChecksum(d) === checksum,
      `${what}: the pod template's checksum`,
      15_000,
    );
    await settle(what);
    checkBackendScan(yamlOf(config.object));
    changes.push({
      what,
      configMs: config.at - started,
      deploymentMs: rolled.at - started,
      writes: writesBetween(before, writes()),
      reconciles: since(beforeReconciles, await reconciles()),
      configWrittenMs: writtenAt(started, 'configmaps') - started,
      deploymentWrittenMs: writtenAt(started, 'deployments.apps') - started,
      timeline: timeline(started),
      statusSteps: statusSteps(started),
    });
  }

  // 4. What a reconcile that writes nothing costs with 1,000 members: a label on the group wakes it.
  const steadyBefore = await reconciles();
  const steadyWrites = writes();
  for (let i = 0; i < 10; i++) {
    const count = (await reconciles()).count;
    await admin.patch(mcpGroup.resource, { namespace: ns, name: 'team' }, 'merge', {
      metadata: { labels: { 'bench.example.com/tick': String(i) } },
    });
    await eventually(
      async () => ((await reconciles()).count > count && manager.controller.queue.idle() ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 10, what: 'a reconcile after the group label' },
    );
  }
  const steady = {
    ...since(steadyBefore, await reconciles()),
    writes: writesBetween(steadyWrites, writes()),
  };

  // Verbose only: what one request on the vMCP costs the apiserver now that its status carries
  // 1,000 discoveredBackends (a GET, and a status merge patch that changes nothing).
  const requestCost = verbose ? await vmcpRequestCost(admin, ns, vmcpName) : undefined;
  await vmcps?.stop();
  await configMaps.stop();
  await deployments.stop();
  await manager.stop();
  await simulator.stop();
  const render = renderCost(shape, renderRuns);
  globalThis.gc?.();
  const memory = process.memoryUsage();

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  console.log(
    `vmcp-controller bench: one inline VirtualMCPServer over ${total} members (${shape.servers} MCPServers, ${shape.remoteProxies} MCPRemoteProxies, ${shape.entries} MCPServerEntries; --kube-api-qps=${qps ?? '0 (no limit), the default'}${runtimeAbsent ? '; vmcp runtime absent after the first rollout' : ''})`,
  );
  console.log(`  members created (object + status) in   ${ms(membersMs)}`);
  console.log(`  controller started (caches synced) in  ${ms(startMs)}`);
  console.log(
    `  first config.yaml with ${total} backends  ${ms(convergence.configMs)} after the create (${convergence.yamlBytes} bytes; ${convergence.configVersions} ConfigMap version(s) seen)`,
  );
  console.log(`  Ready after                            ${ms(readyMs)}`);
  console.log(
    `  writes until settled                   ${convergence.writes.total} in ${convergence.reconciles.count} reconciles (mean ${convergence.reconciles.meanMs.toFixed(1)} ms)`,
  );
  for (const line of convergence.writes.lines) console.log(`    ${line}`);
  if (verbose) {
    console.log(`    requests (ms after the create): ${convergence.timeline}`);
    console.log(`    vMCP status versions: ${convergence.statusSteps}`);
  }
  console.log(
    `${verdict(idle.writes.total === 0)} writes in ${idleMs / 1000} s idle              ${idle.writes.total} (goal 0; ${idle.reconciles.count} reconciles)`,
  );
  for (const line of idle.writes.lines) console.log(`    ${line}`);
  console.log(`  single-member changes (${changes.length}):`);
  for (const c of changes) {
    const ok =
      c.writes.configMaps === 1 && c.writes.deployments === 1 && Math.max(c.configMs, c.deploymentMs) < 1_000;
    console.log(
      `${verdict(ok)} ${c.what}: config.yaml ${ms(c.configMs)}, Deployment checksum ${ms(c.deploymentMs)} (written after ${ms(c.configWrittenMs)} and ${ms(c.deploymentWrittenMs)}); writes: ${c.writes.configMaps} ConfigMap, ${c.writes.deployments} Deployment, ${c.writes.status} status, ${c.writes.events} Event, ${c.writes.total} in all; ${c.reconciles.count} reconciles (mean ${c.reconciles.meanMs.toFixed(1)} ms)`,
    );
    const other = c.writes.lines.filter(
      (l) => !/^(patch|create|update) (configmaps|deployments\.apps): 1$/.test(l),
    );
    for (const line of other) console.log(`      ${line}`);
    if (verbose) {
      console.log(`      requests (ms after the change): ${c.timeline}`);
      console.log(`      vMCP status versions: ${c.statusSteps}`);
    }
  }
  if (requestCost) {
    console.log(
      `  one request on the vMCP (median of 5): GET ${ms(requestCost.getMs)}, no-op status patch ${ms(requestCost.patchMs)}; ${requestCost.bytes} bytes, managedFields ${requestCost.managedFieldsBytes} bytes`,
    );
  }
  const configTimes = changes.map((c) => c.configMs);
  const deploymentTimes = changes.map((c) => c.deploymentMs);
  console.log(
    `${verdict(Math.max(...configTimes, ...deploymentTimes) < 1_000)} change -> config.yaml   median ${ms(median(configTimes))}, max ${ms(Math.max(...configTimes))}; -> Deployment checksum median ${ms(median(deploymentTimes))}, max ${ms(Math.max(...deploymentTimes))} (goal < 1000 ms)`,
  );
  console.log(
    `  a reconcile that writes nothing       mean ${steady.meanMs.toFixed(1)} ms over ${steady.count} (${steady.writes.total} writes)`,
  );
  console.log(
    `  pure, ${render.backends} backends (${render.yamlBytes} bytes), median of ${render.runs}: buildVmcpConfig ${render.buildMs.toFixed(1)} ms, renderConfigYaml ${render.renderMs.toFixed(1)} ms, vmcpConfigMap (checksum) ${render.configMapMs.toFixed(1)} ms, desiredObjects (render included) ${render.desiredMs.toFixed(1)} ms`,
  );
  console.log(
    `  this process after the run: RSS ${mb(memory.rss)}, heap used ${mb(memory.heapUsed)} (after gc; the controller, its cache of ${total} members, the bench's admin client, the simulator and the watches together)`,
  );
} finally {
  await controlPlane.stop();
}
