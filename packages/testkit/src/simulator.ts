/**
 * Workload simulator: what a kubelet, the scheduler, the Deployment controller, ToolHive's proxy
 * runner and its vmcp runtime would do, for a control plane that has none of them (the local
 * kube-apiserver + etcd).
 *
 *   const sim = await startWorkloadSimulator({ kubeConfig, namespaces: [ns] });
 *   sim.setBehaviour(ns, 'fetch', 'crashloop');   // default 'ready'
 *   sim.setRunner(ns, 'fetch', 'absent');         // default 'play'
 *   sim.setBackendHealth(ns, 'fetch', 'degraded'); // default: from the member's phase
 *   sim.setVmcpRuntime(ns, 'my-vmcp', 'absent');  // default 'play'
 *   await sim.stop();
 *
 * For every Deployment (in `namespaces`, or all) it keeps `spec.replicas` Pods named
 * `<deployment>-<template hash>-<i>`: template labels plus `pod-template-hash`, an owner reference to
 * the Deployment, the template's spec with `nodeName: simulated-node`. Pods of an older template, of a
 * deleted Deployment (or an older namesake), beyond the replica count, or with a deletionTimestamp
 * (no kubelet confirms a graceful delete) are deleted at once (grace period 0): there is no garbage
 * collector. Each Pod's status is then written through the `status` subresource by its Deployment's
 * behaviour, and the Deployment's status (replicas, updated/ready/available/unavailable, an
 * `Available` condition, observedGeneration) follows the Pods.
 *
 * The proxy runner (Deployments labelled `app.kubernetes.io/name: mcpserver`, runner `play`): when a
 * Pod is about to turn ready (a new Pod, or one coming back from a failing behaviour; never one that
 * is already ready, so a deleted StatefulSet comes back only with a new Pod, as with the real runner)
 * the simulator reads ConfigMap `<name>-runconfig` and server-side applies, as field manager
 * `toolhive-container-manager`, StatefulSet `<name>` and, for sse/streamable-http, Services
 * `mcp-<name>-headless` and `mcp-<name>` owned by the StatefulSet; only then is the Pod marked ready.
 * Failure modes, as a real Pod would show them: no ConfigMap yet => the Pod stays Pending in
 * `ContainerCreating` (its runconfig volume cannot mount) until it appears; a runconfig the runner
 * would reject (no `runconfig.json`, not JSON, unknown transport, bad `target_port`, no image
 * argument) => the Pod crash-loops with the problem as the waiting message. The simulator never
 * deletes runner objects: whoever deletes the MCPServer must.
 *
 * The vmcp runtime (`vmcp serve` in a VirtualMCPServer's pod; `simulator-vmcp.ts` computes,
 * `simulator-vmcp-runtime.ts` does the I/O): while VirtualMCPServer `<ns>/<n>` has a ready simulated
 * Pod labelled `app.kubernetes.io/name: virtualmcpserver`, `app.kubernetes.io/instance: <n>` and
 * runtime `play`, it reports backends: inline mode (`backends` in `config.yaml` of ConfigMap
 * `<n>-vmcp-config`) those; else (no ConfigMap included) every MCPServer, MCPRemoteProxy and
 * MCPServerEntry of `spec.groupRef` that has a url (entries only while `Valid`). Health comes from `setBackendHealth` or the
 * member's phase (`Ready`/`Valid` => ready, else unavailable). It merge-patches the `status`
 * subresource with `discoveredBackends`, `backendCount` and the conditions list with only
 * `BackendsDiscovered` replaced, guarded by the resourceVersion it read (a 409 requeues); phase,
 * message, url and every other condition stay the controller's. Failure modes: no ready Pod, runtime
 * `absent`, or a `config.yaml` the binary would reject (logged once, warn) => it writes nothing and
 * the last report stays; the toolhive CRDs absent => their watches retry quietly (debug) and nothing
 * is reported. Costs, per evaluation (any event of the vMCP, its Pods, Deployment or ConfigMap, any
 * member change in its namespace, each resync): no read while the stores below are synced, and 1
 * write only when the report changes (times move only with a status; a steady state writes nothing).
 *
 * Reads come from in-memory stores, as a kubelet's or a runner's come from informers: one
 * list-then-watch loop per kind and watch scope (`simulator-reads.ts`: Deployments, Pods carrying
 * `pod-template-hash`, ConfigMaps named `*-runconfig` or `*-vmcp-config`; `simulator-vmcp-runtime.ts`:
 * VirtualMCPServers and the member kinds) keeps each copy current, deletions and a relist after
 * every reconnect included; each change queues what it concerns. The simulator puts what the
 * apiserver answered to its writes into the stores (and takes the Pods it deletes out), so it does
 * not act twice on its own change. While a kind's copy is not synced for a namespace (before its
 * first list, its CRD absent, a watch down) a reconcile reads that kind from the apiserver instead,
 * so it never acts on a partial copy. A copy lags the apiserver by the events in flight: a write based
 * on it that is out of date fails with 409 or 404 (Pod names are deterministic, so a Pod is never
 * created twice) or is idempotent, and the next event queues the object again. As a safety net,
 * every `resyncMs` it queues again every Deployment, Pod owner and vMCP the stores hold (no request).
 * Each Deployment (and, on a queue of its own, each vMCP) is reconciled by one worker at a time, so
 * it is idempotent and a steady state costs neither requests nor writes; 404 and 409 answers (an
 * object deleted or changed mid-way) requeue it silently. Other failures are retried with backoff
 * and logged (warn) once per failure streak, with what to check. Nothing it starts can reject
 * unhandled; `stop()` closes the watches, drops queued work and waits for the reconciles in flight.
 * Costs, per MCPServer Deployment that becomes ready: 6 writes (Pod create, Pod status, Deployment
 * status, StatefulSet, 2 Services) and no read. Per kind and watch scope: 1 LIST per (re)connect of
 * its watch (the apiserver closes every watch after a while).
 *
 * It refuses to start unless the cluster looks like the local control plane: a loopback server URL
 * and no Node objects (a real cluster, kind included, has Nodes and would get duplicate Pods whose
 * status the simulator fakes). `allowAnyCluster: true` skips the check.
 */
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ConfigMap,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  currentDeploymentStatus,
  currentState,
  deploymentStatusPatch,
  desiredDeploymentStatus,
  desiredReplicas,
  isLoopbackServer,
  isMcpServerDeployment,
  ownedBy,
  parseRunConfig,
  podFor,
  podName,
  podStatusPatch,
  runnerFieldManager,
  runnerImage,
  runnerServices,
  runnerStatefulSet,
  sameDeploymentStatus,
  sameState,
  selectorString,
  stateOf,
  templateHash,
  templateHashLabel,
  type PodBehaviour,
  type PodState,
  type RunnerMode,
} from './simulator-objects.js';
import { httpCode, KeyedWorkQueue, type RawObject, type WatchLoop } from './simulator-loop.js';
import { runConfigSuffix, WorkloadReads } from './simulator-reads.js';
import { VmcpRuntime } from './simulator-vmcp-runtime.js';
import type { BackendHealth, VmcpRuntimeMode } from './simulator-vmcp.js';
import type {
  SimulatorLog,
  WorkloadSimulator,
  WorkloadSimulatorOptions,
  WorkloadSimulatorStats,
} from './simulator-api.js';

export type { PodBehaviour, RunnerMode } from './simulator-objects.js';
export type { BackendHealth, VmcpRuntimeMode } from './simulator-vmcp.js';
export type { VmcpRuntimeStats } from './simulator-vmcp-runtime.js';
export type {
  SimulatorLog,
  WorkloadSimulator,
  WorkloadSimulatorOptions,
  WorkloadSimulatorStats,
} from './simulator-api.js';

const silent: SimulatorLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const applyPatch = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

/** Refuses a cluster that does not look like the local control plane (see the module comment). */
export async function assertLocalControlPlane(kubeConfig: KubeConfig): Promise<void> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (!isLoopbackServer(server)) {
    throw new Error(
      `the workload simulator only runs against the local control plane; ${server || 'the kubeconfig'} is not a loopback address (a real cluster runs its own Pods)`,
    );
  }
  const nodes = await kubeConfig.makeApiClient(CoreV1Api).listNode({ limit: 1 });
  if (nodes.items.length > 0) {
    throw new Error(
      `the workload simulator only runs against the local control plane; ${server} has Nodes, so it is a real cluster whose kubelets run Pods`,
    );
  }
}

export async function startWorkloadSimulator(options: WorkloadSimulatorOptions): Promise<WorkloadSimulator> {
  if (!options.allowAnyCluster) await assertLocalControlPlane(options.kubeConfig);
  const sim = new Simulator(options);
  await sim.start();
  return sim;
}

class Simulator implements WorkloadSimulator {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly log: SimulatorLog;
  private readonly queue: KeyedWorkQueue;
  private readonly vmcp: VmcpRuntime;
  private readonly reads: WorkloadReads;
  private readonly behaviours = new Map<string, PodBehaviour>();
  private readonly runners = new Map<string, RunnerMode>();
  /** Runner problems already logged, so a crash-looping Deployment logs once. */
  private readonly warned = new Set<string>();
  private readonly watches: WatchLoop[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private writes = 0;

  constructor(private readonly options: WorkloadSimulatorOptions) {
    this.apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.log = options.log ?? silent;
    this.queue = new KeyedWorkQueue((key) => this.reconcile(key), this.log, options.concurrency ?? 8);
    this.reads = new WorkloadReads(options.kubeConfig, this.log, {
      onDeployment: (d) => {
        this.enqueueNamed(d, d.metadata?.name);
        this.vmcp.onWorkload(d);
      },
      onPod: (pod) => {
        const owner = pod.metadata?.ownerReferences?.find((r) => r.kind === 'Deployment');
        this.enqueueNamed(pod, owner?.name);
        this.vmcp.onWorkload(pod);
      },
      onConfigMap: (cm: V1ConfigMap) => {
        const name = cm.metadata?.name;
        if (name?.endsWith(runConfigSuffix)) this.enqueueNamed(cm, name.slice(0, -runConfigSuffix.length));
        this.vmcp.onConfigMap(cm);
      },
    });
    this.vmcp = new VmcpRuntime(options.kubeConfig, this.log, options.concurrency ?? 8, this.reads);
  }

  async start(): Promise<void> {
    const watches: Promise<WatchLoop>[] = [];
    for (const ns of this.options.namespaces ?? [undefined]) {
      watches.push(...this.reads.startWatches(ns), ...this.vmcp.startWatches(ns));
    }
    this.watches.push(...(await Promise.all(watches)));
    this.resyncTimer = setInterval(() => {
      this.resync();
    }, this.options.resyncMs ?? 30_000);
    this.resyncTimer.unref();
    this.log.info({ namespaces: this.options.namespaces ?? 'all' }, 'workload simulator started');
  }

  setBehaviour(namespace: string, deployment: string, behaviour: PodBehaviour): void {
    this.behaviours.set(`${namespace}/${deployment}`, behaviour);
    this.queue.add(`${namespace}/${deployment}`);
  }

  setRunner(namespace: string, deployment: string, mode: RunnerMode): void {
    this.runners.set(`${namespace}/${deployment}`, mode);
    this.queue.add(`${namespace}/${deployment}`);
  }

  setBackendHealth(namespace: string, member: string, health: BackendHealth | undefined): void {
    this.vmcp.setBackendHealth(namespace, member, health);
  }

  setVmcpRuntime(namespace: string, vmcp: string, mode: VmcpRuntimeMode): void {
    this.vmcp.setMode(namespace, vmcp, mode);
  }

  idle(): boolean {
    return this.queue.idle() && this.vmcp.idle();
  }

  stats(): WorkloadSimulatorStats {
    return { ...this.queue.stats(), writes: this.writes, vmcp: this.vmcp.stats() };
  }

  async stop(): Promise<void> {
    if (!this.stopped) this.log.info({}, 'workload simulator stopping');
    this.stopped = true;
    clearInterval(this.resyncTimer);
    for (const w of this.watches) w.stop();
    await Promise.all([this.queue.stop(), this.vmcp.stop()]);
  }

  private enqueueNamed(obj: RawObject, name: string | undefined): void {
    const namespace = obj.metadata?.namespace;
    if (namespace && name) this.queue.add(`${namespace}/${name}`);
  }

  /** The safety net: every Deployment, and the owner of every Pod, held by the stores (no request). */
  private resync(): void {
    for (const d of this.reads.deployments.all()) this.enqueueNamed(d, d.metadata?.name);
    // Pods of Deployments deleted while an event was missed.
    for (const pod of this.reads.pods.all()) {
      const owner = pod.metadata?.ownerReferences?.find((r) => r.kind === 'Deployment');
      this.enqueueNamed(pod, owner?.name);
    }
    this.vmcp.resync();
  }

  // ---- reconcile ----

  private async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const owned = (p: V1Pod) => ownedBy(p, name);
    const deployment = await this.reads.deployment(namespace, name);
    if (!deployment || deployment.metadata?.deletionTimestamp) {
      for (const pod of await this.reads.podsOf(namespace, templateHashLabel, owned))
        await this.deletePod(pod);
      return;
    }
    const hash = templateHash(deployment.spec?.template);
    const wanted = new Set(
      Array.from({ length: desiredReplicas(deployment) }, (_, i) => podName(name, hash, i)),
    );
    const selector = selectorString(deployment.spec?.selector);
    const live: V1Pod[] = [];
    for (const pod of await this.reads.podsOf(namespace, selector, owned)) {
      const current =
        wanted.has(pod.metadata?.name ?? '') &&
        !pod.metadata?.deletionTimestamp &&
        pod.metadata?.ownerReferences?.some((r) => r.uid === deployment.metadata?.uid);
      if (current) live.push(pod);
      else await this.deletePod(pod);
    }
    for (const podName of wanted) {
      if (live.some((p) => p.metadata?.name === podName)) continue;
      const index = Number(podName.slice(podName.lastIndexOf('-') + 1));
      // A 409 (the Pod exists: the store had not seen it yet) requeues; the Pod's event comes next.
      const created = await this.write(() =>
        this.core.createNamespacedPod({ namespace, body: podFor(deployment, hash, index) }),
      );
      this.reads.pods.apply('MODIFIED', created);
      live.push(created);
    }
    const final = await this.drivePods(deployment, key, live);
    const desired = desiredDeploymentStatus(deployment, final, hash);
    if (!sameDeploymentStatus(currentDeploymentStatus(deployment), desired)) {
      const patched = await this.write(() =>
        this.apps.patchNamespacedDeploymentStatus(
          { name, namespace, body: deploymentStatusPatch(desired, new Date()) },
          mergePatch,
        ),
      );
      this.reads.deployments.apply('MODIFIED', patched);
    }
  }

  /**
   * Writes each Pod's status towards the Deployment's behaviour. Pods that are about to turn ready
   * first play the runner, whose outcome is the state they reach; Pods already in the behaviour's
   * state are left alone. Returns each Pod's template hash and readiness afterwards.
   */
  private async drivePods(
    deployment: V1Deployment,
    key: string,
    pods: V1Pod[],
  ): Promise<{ hash: string; ready: boolean }[]> {
    const wanted = stateOf(this.behaviours.get(key) ?? 'ready');
    const starting = pods.some((p) => !sameState(currentState(p), wanted));
    const playing = (this.runners.get(key) ?? 'play') === 'play' && isMcpServerDeployment(deployment);
    const reached =
      starting && wanted.kind === 'ready' && playing ? await this.playRunner(deployment, key) : wanted;
    const result: { hash: string; ready: boolean }[] = [];
    for (const pod of pods) {
      const current = currentState(pod);
      const state = sameState(current, wanted) ? wanted : reached;
      if (!sameState(current, state)) {
        const patched = await this.write(() =>
          this.core.patchNamespacedPodStatus(
            {
              name: pod.metadata?.name ?? '',
              namespace: pod.metadata?.namespace ?? '',
              body: podStatusPatch(pod, state, new Date()),
            },
            mergePatch,
          ),
        );
        this.reads.pods.apply('MODIFIED', patched);
      }
      result.push({ hash: pod.metadata?.labels?.[templateHashLabel] ?? '', ready: state.kind === 'ready' });
    }
    return result;
  }

  /**
   * What ToolHive's runner does as its Pod starts: read the RunConfig, apply its StatefulSet (and
   * Services for HTTP transports). Returns the state the starting Pods reach: ready, Pending while the
   * ConfigMap is missing, or a crash loop when the runner would exit.
   */
  private async playRunner(deployment: V1Deployment, key: string): Promise<PodState> {
    const namespace = deployment.metadata?.namespace ?? '';
    const name = deployment.metadata?.name ?? '';
    const cm = await this.reads.configMap(namespace, `${name}${runConfigSuffix}`);
    if (!cm) return { kind: 'waiting', reason: 'ContainerCreating' };
    const config = parseRunConfig(cm.data?.['runconfig.json']);
    const image = runnerImage(deployment);
    if (!config.ok || !image) {
      const problem = config.ok ? 'the proxy container has no image argument' : config.problem;
      const message = `simulated proxy runner: ${problem}`;
      if (!this.warned.has(`${key} ${message}`)) {
        this.warned.add(`${key} ${message}`);
        this.log.warn(
          { deployment: key, problem },
          'workload simulator: the proxy runner would exit; its Pods crash-loop until the RunConfig or Deployment is fixed',
        );
      }
      return { kind: 'waiting', reason: 'CrashLoopBackOff', message };
    }
    const sts = await this.write(() =>
      this.apps.patchNamespacedStatefulSet(
        {
          name,
          namespace,
          body: runnerStatefulSet(namespace, name, image),
          fieldManager: runnerFieldManager,
          force: true,
        },
        applyPatch,
      ),
    );
    if (config.transport !== 'stdio') {
      const services = runnerServices(namespace, name, config.targetPort, sts.metadata?.uid ?? '');
      // Both settle before the reconcile ends (stop() waits for reconciles, not for stray requests).
      const results = await Promise.allSettled(
        services.map((body) =>
          this.write(() =>
            this.core.patchNamespacedService(
              { name: body.metadata.name, namespace, body, fieldManager: runnerFieldManager, force: true },
              applyPatch,
            ),
          ),
        ),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    this.log.debug(
      { deployment: key, transport: config.transport },
      'workload simulator: runner objects applied',
    );
    return { kind: 'ready' };
  }

  /** Deletes the Pod (gone already is fine) and takes it out of the store. */
  private async deletePod(pod: V1Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    let resourceVersion: string | undefined;
    try {
      const deleted = await this.write(() =>
        this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }),
      );
      resourceVersion = deleted.metadata?.resourceVersion;
    } catch (err) {
      if (httpCode(err) !== 404) throw err;
    }
    this.reads.pods.forget(namespace, name, resourceVersion);
  }

  private async write<T>(request: () => Promise<T>): Promise<T> {
    this.writes++;
    return request();
  }
}
